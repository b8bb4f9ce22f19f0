// cel-go's strings extension functions the base library lacks (charAt, replace, reverse);
// lowerAscii, upperAscii, trim, indexOf, lastIndexOf, split, substring and join come with cel-js.
import type { Environment } from '@marcbachmann/cel-js';

function charAt(s: string, i: bigint): string {
  const cps = Array.from(s);
  if (i < 0n || i > BigInt(cps.length)) throw new Error(`index out of range: ${i}`);
  return cps[Number(i)] ?? '';
}

function replace(s: string, from: string, to: string, n = -1n): string {
  if (n === 0n) return s;
  if (n < 0n) return s.split(from).join(to);
  let out = '', rest = s, done = 0n;
  while (done < n) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
    done++;
    if (from === '') { out += rest.slice(0, 1); rest = rest.slice(1); if (!rest) break; }
  }
  return out + rest;
}

export function registerStrings(env: Environment): void {
  env.registerFunction('string.charAt(int): string', charAt);
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => replace(s, a, b));
  env.registerFunction('string.replace(string, string, int): string', replace);
  env.registerFunction('string.reverse(): string', (s: string) => Array.from(s).reverse().join(''));
}
