// The apimachinery types that marshal themselves, checked and normalised as their Go UnmarshalJSON and
// MarshalJSON do: a value in, the value upstream would serialise back out (or its error text).
//
// - resource.Quantity: a string or a number, stored in canonical form ("1000m" → "1", 0.5 → "500m").
// - intstr.IntOrString: an int32 or a string.
// - metav1.Time: RFC 3339, stored in UTC with second precision; metav1.MicroTime with microseconds.
// - metav1.Duration: a Go duration string, stored as Go prints it ("90s" → "1m30s").
// - runtime.RawExtension, metav1.FieldsV1: any JSON.
import { QUANTITY_FORMAT_ERROR, canonicalQuantity } from '../registry/validation/quantity.ts';
import type { SpecialType } from './types.ts';

export interface SpecialResult { value?: unknown; error?: string }

function goLiteralKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

// Canonical forms of recently seen quantities: workloads repeat a handful of values ("100m", "128Mi").
const QUANTITY_MEMO_MAX = 512;
const quantityMemo = new Map<string, SpecialResult>();

function quantity(v: unknown): SpecialResult {
  if (typeof v === 'string') {
    const hit = quantityMemo.get(v);
    if (hit) return hit;
    const r = quantityUncached(v);
    if (quantityMemo.size >= QUANTITY_MEMO_MAX) quantityMemo.clear();
    if (v.length <= 64) quantityMemo.set(v, r);
    return r;
  }
  return quantityUncached(v);
}

function quantityUncached(v: unknown): SpecialResult {
  let text: string;
  if (typeof v === 'string') text = v.trim();
  else if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
  else return { error: QUANTITY_FORMAT_ERROR };
  if (text === '') return { error: QUANTITY_FORMAT_ERROR };
  // Exponents beyond what a canonical form can reasonably spell out are kept as written.
  const exp = /[eE]([-+]?\d+)$/.exec(text);
  if (exp && Math.abs(Number(exp[1])) > 1000) return /^[+-]?[0-9.]+[eE][-+]?\d+$/.test(text) ? { value: text } : { error: QUANTITY_FORMAT_ERROR };
  try {
    return { value: canonicalQuantity(text) };
  } catch (e) {
    const msg = (e as Error).message;
    return { error: msg.startsWith('quantities must be a non-empty') ? QUANTITY_FORMAT_ERROR : msg };
  }
}

function intOrString(v: unknown): SpecialResult {
  if (typeof v === 'string') return { value: v };
  if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return { value: v };
  const word = typeof v === 'number' ? `number ${String(v).replace('e+', 'e')}` : goLiteralKind(v);
  return { error: `json: cannot unmarshal ${word} into Go value of type int32` };
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const LAYOUT = '2006-01-02T15:04:05Z07:00';

/** `{ ms since epoch (whole seconds), fraction digits }`, or an error in time.Parse's words. */
function parseRfc3339(s: string): { seconds: number; frac: string } | string {
  const m = RFC3339.exec(s);
  if (!m) return `parsing time ${JSON.stringify(s)} as ${JSON.stringify(LAYOUT)}: cannot parse ${JSON.stringify(s)} as ${JSON.stringify(LAYOUT)}`;
  const [, y, mo, d, h, mi, sec, frac = '', , sign, oh, om] = m;
  const n = (x: string) => Number(x);
  const rangeErr = (what: string) => `parsing time ${JSON.stringify(s)}: ${what} out of range`;
  if (n(mo) < 1 || n(mo) > 12) return rangeErr('month');
  const days = new Date(Date.UTC(n(y), n(mo), 0)).getUTCDate();
  if (n(d) < 1 || n(d) > days) return rangeErr('day');
  if (n(h) > 23) return rangeErr('hour');
  if (n(mi) > 59) return rangeErr('minute');
  if (n(sec) > 59) return rangeErr('second');
  if (sign && (n(oh) > 23 || n(om) > 59)) return rangeErr('time zone offset');
  const base = Date.UTC(n(y), n(mo) - 1, n(d), n(h), n(mi), n(sec));
  const fixYear = new Date(base);
  fixYear.setUTCFullYear(n(y)); // Date.UTC maps years 0–99 to 1900–1999
  const offset = sign ? (sign === '-' ? -1 : 1) * (n(oh) * 60 + n(om)) * 60000 : 0;
  return { seconds: (fixYear.getTime() - offset) / 1000, frac };
}

function formatUtc(seconds: number, micro?: string): string {
  const d = new Date(seconds * 1000);
  const y = d.getUTCFullYear();
  const pad = (x: number, w = 2) => String(x).padStart(w, '0');
  const base = `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return micro === undefined ? `${base}Z` : `${base}.${micro}Z`;
}

function time(v: unknown, micro: boolean): SpecialResult {
  if (typeof v !== 'string') return { error: `json: cannot unmarshal ${goLiteralKind(v)} into Go value of type string` };
  const p = parseRfc3339(v);
  if (typeof p === 'string') return { error: p };
  if (!micro) return { value: formatUtc(p.seconds) };
  return { value: formatUtc(p.seconds, p.frac.slice(0, 6).padEnd(6, '0')) };
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.Duration.String() of a whole number of nanoseconds. */
function goDurationString(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    const [unit, div] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = `${trimFloat(u / div)}${unit}`;
  } else {
    const h = Math.floor(u / 3600e9); u -= h * 3600e9;
    const m = Math.floor(u / 60e9); u -= m * 60e9;
    const s = `${trimFloat(u / 1e9)}s`;
    out = h ? `${h}h${m}m${s}` : m ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFloat(x: number): string { return String(Number(x.toFixed(9))); }

function duration(v: unknown): SpecialResult {
  if (typeof v !== 'string') return { error: `json: cannot unmarshal ${goLiteralKind(v)} into Go value of type string` };
  const m = /^([-+]?)((?:\d*\.?\d+(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(v);
  if (!m) return { error: `time: invalid duration ${JSON.stringify(v)}` };
  let ns = 0;
  for (const [, num, unit] of m[2].matchAll(/(\d*\.?\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ns += Number(num) * UNITS[unit];
  return { value: goDurationString(Math.round(m[1] === '-' ? -ns : ns)) };
}

export function normaliseSpecial(kind: SpecialType, v: unknown): SpecialResult {
  switch (kind) {
    case 'Quantity': return quantity(v);
    case 'IntOrString': return intOrString(v);
    case 'Time': return time(v, false);
    case 'MicroTime': return time(v, true);
    case 'Duration': return duration(v);
    default: return { value: v };
  }
}
