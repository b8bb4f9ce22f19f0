// Kubernetes' CEL list library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max,
// indexOf, lastIndexOf on lists of comparable elements.
import type { Environment } from '@marcbachmann/cel-js';
import { celCompare, celEquals } from './compare.ts';

function isSorted(list: unknown[]): boolean {
  for (let i = 1; i < list.length; i++) if (celCompare(list[i - 1], list[i]) > 0) return false;
  return true;
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  let acc: any = list[0];
  for (let i = 1; i < list.length; i++) acc = addNumbers(acc, list[i]);
  return acc;
}

function addNumbers(a: any, b: any): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const r = a + b;
    if (r > 9223372036854775807n || r < -9223372036854775808n) throw new Error('integer overflow');
    return r;
  }
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a && typeof a.add === 'function') return a.add(b);
  throw new Error('no such overload');
}

function extreme(list: unknown[], sign: 1 | -1, name: string): unknown {
  if (list.length === 0) throw new Error(`${name}(list) argument must not be empty`);
  let best = list[0];
  for (let i = 1; i < list.length; i++) if (celCompare(list[i], best) * sign > 0) best = list[i];
  return best;
}

function indexOf(list: unknown[], v: unknown): bigint {
  for (let i = 0; i < list.length; i++) if (celEquals(list[i], v)) return BigInt(i);
  return -1n;
}
function lastIndexOf(list: unknown[], v: unknown): bigint {
  for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], v)) return BigInt(i);
  return -1n;
}

export function registerLists(env: Environment): void {
  env.registerFunction('list<A>.isSorted(): bool', isSorted);
  env.registerFunction('list<A>.sum(): A', sum);
  env.registerFunction('list<A>.min(): A', (l: unknown[]) => extreme(l, -1, 'min'));
  env.registerFunction('list<A>.max(): A', (l: unknown[]) => extreme(l, 1, 'max'));
  env.registerFunction('list<A>.indexOf(A): int', indexOf);
  env.registerFunction('list<A>.lastIndexOf(A): int', lastIndexOf);
}
