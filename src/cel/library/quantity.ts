// Kubernetes quantities in CEL (k8s.io/apiserver/pkg/cel/library/quantity.go): quantity(),
// isQuantity() and the comparison/arithmetic methods. A quantity is held exactly as num/den.
import type { Environment } from '@marcbachmann/cel-js';

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const INT64_MAX = 9223372036854775807n, INT64_MIN = -9223372036854775808n;

export class Quantity {
  readonly num: bigint;
  readonly den: bigint;
  constructor(num: bigint, den: bigint) {
    const g = gcd(num < 0n ? -num : num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }
  compareTo(o: Quantity): bigint {
    const l = this.num * o.den, r = o.num * this.den;
    return l < r ? -1n : l > r ? 1n : 0n;
  }
  equals(o: unknown): boolean { return o instanceof Quantity && this.compareTo(o) === 0n; }
  add(o: Quantity | bigint): Quantity {
    const q = o instanceof Quantity ? o : new Quantity(o, 1n);
    return new Quantity(this.num * q.den + q.num * this.den, this.den * q.den);
  }
  sub(o: Quantity | bigint): Quantity {
    const q = o instanceof Quantity ? o : new Quantity(o, 1n);
    return new Quantity(this.num * q.den - q.num * this.den, this.den * q.den);
  }
  sign(): bigint { return this.num < 0n ? -1n : this.num > 0n ? 1n : 0n; }
  isInteger(): boolean {
    if (this.den !== 1n) return false;
    return this.num <= INT64_MAX && this.num >= INT64_MIN;
  }
  asInteger(): bigint {
    if (!this.isInteger()) throw new Error('cannot convert value to integer');
    return this.num;
  }
  asApproximateFloat(): number { return Number(this.num) / Number(this.den); }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/** Parses a quantity as resource.ParseQuantity does; throws with upstream's message. */
export function parseQuantity(s: string): Quantity {
  const m = QUANTITY_RE.exec(s);
  if (!m || s.length === 0) throw new Error(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const numText = m[1], suffix = m[2];
  const numMatch = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(numText);
  if (!numMatch || (numMatch[2] === '' && !numMatch[3])) throw new Error('unable to parse quantity\'s suffix');
  const neg = numMatch[1] === '-';
  const whole = numMatch[2] || '0', frac = numMatch[3] ?? '';
  let num = BigInt(whole + frac) * (neg ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  if (suffix in BINARY) num *= 1024n ** BigInt(BINARY[suffix]);
  else if (suffix in DECIMAL) {
    const e = DECIMAL[suffix];
    if (e >= 0) num *= 10n ** BigInt(e); else den *= 10n ** BigInt(-e);
  } else if (/^[eE][-+]?\d+$/.test(suffix)) {
    const e = Number(suffix.slice(1));
    if (Math.abs(e) > 1000) throw new Error('unable to parse quantity\'s suffix');
    if (e >= 0) num *= 10n ** BigInt(e); else den *= 10n ** BigInt(-e);
  } else throw new Error('unable to parse quantity\'s suffix');
  return new Quantity(num, den);
}

function isQuantity(s: string): boolean {
  try { parseQuantity(s); return true; } catch { return false; }
}

export function registerQuantity(env: Environment): void {
  const Q = 'kubernetes.Quantity';
  env.registerType(Q, Quantity);
  env.registerFunction(`quantity(string): ${Q}`, parseQuantity);
  env.registerFunction('isQuantity(string): bool', isQuantity);
  env.registerFunction(`${Q}.sign(): int`, (q: Quantity) => q.sign());
  env.registerFunction(`${Q}.isInteger(): bool`, (q: Quantity) => q.isInteger());
  env.registerFunction(`${Q}.asInteger(): int`, (q: Quantity) => q.asInteger());
  env.registerFunction(`${Q}.asApproximateFloat(): double`, (q: Quantity) => q.asApproximateFloat());
  env.registerFunction(`${Q}.isGreaterThan(${Q}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) > 0n);
  env.registerFunction(`${Q}.isLessThan(${Q}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) < 0n);
  env.registerFunction(`${Q}.compareTo(${Q}): int`, (a: Quantity, b: Quantity) => a.compareTo(b));
  env.registerFunction(`${Q}.add(${Q}): ${Q}`, (a: Quantity, b: Quantity) => a.add(b));
  env.registerFunction(`${Q}.add(int): ${Q}`, (a: Quantity, b: bigint) => a.add(b));
  env.registerFunction(`${Q}.sub(${Q}): ${Q}`, (a: Quantity, b: Quantity) => a.sub(b));
  env.registerFunction(`${Q}.sub(int): ${Q}`, (a: Quantity, b: bigint) => a.sub(b));
  env.registerOperator(`${Q} == ${Q}`, (a: Quantity, b: Quantity) => a.equals(b));
}
