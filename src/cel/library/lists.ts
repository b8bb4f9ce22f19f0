// Kubernetes' CEL list library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max,
// indexOf, lastIndexOf on lists of comparable elements.
import { Environment } from '@marcbachmann/cel-js';
import { celCompare, celEquals, isDuration, isUint } from './compare.ts';

function isSorted(list: unknown[]): boolean {
  for (let i = 1; i < list.length; i++) if (celCompare(list[i - 1], list[i]) > 0) return false;
  return true;
}

function sum(list: unknown[], zero: unknown): unknown {
  if (list.length === 0) return zero;
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
  if (isUint(a) && isUint(b)) return new a.constructor(a.valueOf() + b.valueOf()); // the constructor checks overflow
  if (isDuration(a) && isDuration(b)) return a.addDuration(b);
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

/** Element types upstream's sum() accepts, with the sum of an empty list of each. */
const zeroOf = (literal: string) => () => new Environment().evaluate(literal);
const SUMMABLE: [string, () => unknown][] = [
  ['int', () => 0n], ['uint', zeroOf('0u')], ['double', () => 0], ['google.protobuf.Duration', zeroOf('duration("0s")')],
];
/** Element types upstream's min()/max() accept (comparable types). */
const COMPARABLE = ['int', 'uint', 'double', 'bool', 'string', 'bytes', 'google.protobuf.Duration', 'google.protobuf.Timestamp'];

/**
 * sum/min/max are declared once per element type, as upstream does, instead of one generic `list<A>`
 * overload: cel-js types a generic method on a `dyn` receiver as the bare parameter `A`, and an
 * operator on two such results (`self.a.sum() + self.b.sum()`) then matches every overload and fails.
 * With concrete overloads the return type on a dyn receiver unifies to dyn and dispatch happens at run time.
 */
export function registerLists(env: Environment): void {
  env.registerFunction('list<A>.isSorted(): bool', isSorted);
  for (const [t, zero] of SUMMABLE) env.registerFunction(`list<${t}>.sum(): ${t}`, (l: unknown[]) => sum(l, zero()));
  for (const t of COMPARABLE) {
    env.registerFunction(`list<${t}>.min(): ${t}`, (l: unknown[]) => extreme(l, -1, 'min'));
    env.registerFunction(`list<${t}>.max(): ${t}`, (l: unknown[]) => extreme(l, 1, 'max'));
  }
  env.registerFunction('list<A>.indexOf(A): int', indexOf);
  env.registerFunction('list<A>.lastIndexOf(A): int', lastIndexOf);
}
