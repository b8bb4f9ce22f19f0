// Kubernetes resource.Quantity: parsing ("100m", "1Gi", "1e3", "0.5") and upstream's canonical
// text form (what the API server stores and prints: "1000m" → "1", "1024Mi" → "1Gi", "0.5" → "500m").
// Values are kept exact as BigInt mantissa × 10^exponent so canonical forms round-trip.

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class QuantityError extends Error {}

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const BINARY_BY_POW = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_BY_EXP: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';
/**
 * An exact quantity: value = num × 10^exp10 × 2^exp2 (exp2 only from binary suffixes). `milli` and
 * `canonical` are derived from the rest on first use and kept with it (the memo shares them).
 */
interface Parsed { num: bigint; exp10: number; exp2: number; format: Format; milli?: bigint; canonical?: string }

/** Texts already parsed (pods repeat the same few quantities); a Parsed is never changed by its users, beyond its derived fields. */
const memo = new Map<string, Parsed>();
const MEMO_MAX = 4096;

function parse(s: string): Parsed {
  if (typeof s !== 'string' || s.length === 0) throw new QuantityError('quantities must be a non-empty string');
  let p = memo.get(s);
  if (!p) {
    p = parseText(s);
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(s, p);
  }
  return p;
}

function parseText(s: string): Parsed {
  const m = /^([+-]?)([0-9]*\.?[0-9]*)(.*)$/.exec(s);
  if (!m || !/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(m[3]) || m[2] === '' || m[2] === '.') throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, sign, digits, suffix] = m;
  const [ip, fp = ''] = digits.split('.');
  let num = BigInt((ip || '0') + fp);
  if (sign === '-') num = -num;
  let exp10 = -fp.length;
  let exp2 = 0;
  let format: Format;
  if (suffix in DECIMAL) { exp10 += DECIMAL[suffix]; format = 'DecimalSI'; }
  else if (suffix in BINARY) { exp2 = BINARY[suffix]; format = 'BinarySI'; }
  else if (/^[eE][-+]?[0-9]+$/.test(suffix)) { exp10 += Number(suffix.slice(1)); format = 'DecimalExponent'; }
  else throw new QuantityError("unable to parse quantity's suffix");
  return { num, exp10, exp2, format };
}

/** True when `s` is a syntactically valid quantity. */
export function isQuantity(s: unknown): boolean {
  try { parse(s as string); return true; } catch { return false; }
}

/** The value in base units (cores, bytes, …) as a float. Throws QuantityError on bad input. */
export function parseQuantity(s: string): number {
  const p = parse(s);
  return Number(p.num) * 10 ** p.exp10 * 2 ** p.exp2;
}

/** The value in milli-units as an exact BigInt, rounded up as upstream's MilliValue does. */
export function quantityMilliExact(s: string): bigint {
  const p = parse(s);
  return p.milli ??= milliOf(p);
}

/** num × 10^(exp10+3) × 2^exp2, exactly, then ceiling. */
function milliOf(p: Parsed): bigint {
  const n = p.num * 2n ** BigInt(p.exp2);
  const e = p.exp10 + 3;
  if (e >= 0) return n * 10n ** BigInt(e);
  const d = 10n ** BigInt(-e);
  const q = n / d;
  return n % d !== 0n && n > 0n ? q + 1n : q;
}

/** The value in milli-units, rounded up as upstream's MilliValue does. */
export function quantityMilli(s: string): number {
  return Number(quantityMilliExact(s));
}

/** Upstream's canonical text for a quantity (as stored and printed by the API server). */
export function canonicalQuantity(s: string): string {
  const p = parse(s);
  return p.canonical ??= canonicalOf(p);
}

function canonicalOf(p: Parsed): string {
  // Exact value as a rational num × 10^exp (fold powers of two into the integer).
  let num = p.num * 2n ** BigInt(p.exp2);
  let exp = p.exp10;
  // Precision is limited to nano-units; anything finer rounds up (away from zero).
  if (exp < -9) {
    const d = 10n ** BigInt(-9 - exp);
    const q = num / d;
    num = num % d === 0n ? q : q + (num > 0n ? 1n : -1n);
    exp = -9;
  }
  if (num === 0n) return '0';
  let format = p.format;
  if (format === 'BinarySI') {
    // Small or fractional binary quantities print in decimal form, as upstream does.
    const abs = num < 0n ? -num : num;
    const intVal = exp >= 0 ? abs * 10n ** BigInt(exp) : abs % 10n ** BigInt(-exp) === 0n ? abs / 10n ** BigInt(-exp) : -1n;
    if (intVal < 1024n) format = 'DecimalSI';
    else {
      let v = intVal;
      let pow = 0;
      while (pow < 6 && v % 1024n === 0n) { v /= 1024n; pow++; }
      return (num < 0n ? '-' : '') + v.toString() + BINARY_BY_POW[pow];
    }
  }
  // Normalise: strip trailing zeros into the exponent, then lower the exponent to a multiple of 3.
  while (num % 10n === 0n) { num /= 10n; exp++; }
  let e3 = Math.floor(exp / 3) * 3;
  if (format === 'DecimalSI') e3 = Math.min(18, Math.max(-9, e3));
  num = num * 10n ** BigInt(exp - e3);
  if (format === 'DecimalExponent') return num.toString() + (e3 === 0 ? '' : `e${e3}`);
  if (exp - e3 < 0) { // below nano: cannot happen after rounding, kept for safety
    return num.toString() + 'n';
  }
  return num.toString() + DECIMAL_BY_EXP[e3];
}

/** Compare two quantities: negative, zero or positive. */
export function compareQuantity(a: string, b: string): number {
  const x = quantityMilli(a); const y = quantityMilli(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
