// Resource lists as quota arithmetic sees them (upstream's quota.Add/Subtract/Mask/LessThanOrEqual):
// exact milli-unit BigInts keyed by resource name, each remembering whether it came in binary form
// (Ki, Mi, …) so sums print as upstream prints them ("512Mi", "1500m", "3").
import { canonicalQuantity, quantityMilliExact } from '../../registry/validation/quantity.ts';

export interface Amount { milli: bigint; binary: boolean }
export type Usage = Map<string, Amount>;

/** A quantity string as an Amount (throws QuantityError on bad text). */
export function amount(q: string): Amount {
  let a = parsed.get(q);
  if (!a) {
    a = { milli: quantityMilliExact(q), binary: /[KMGTPE]i$/.test(q) };
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(q, a);
  }
  return a;
}

/** Quantity texts already parsed (the same few recur in every pod); Amounts are never changed in place. */
const parsed = new Map<string, Amount>();
const PARSED_MAX = 4096;

export const count = (n: number | bigint): Amount => ({ milli: BigInt(n) * 1000n, binary: false });

/** A map of quantity strings (a ResourceList) as Usage; values that do not parse are left out. */
export function fromList(list: Record<string, unknown> | undefined): Usage {
  const out: Usage = new Map();
  if (list === undefined || list === null) return out;
  for (const k of Object.keys(list)) {
    try { out.set(k, amount(String(list[k]))); } catch { /* validation refuses such lists */ }
  }
  return out;
}

/** The Usage as a ResourceList of canonical quantity strings, keys sorted. */
export function toList(u: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...u.keys()].sort()) out[k] = format(u.get(k)!);
  return out;
}

export function format(a: Amount): string {
  const { milli } = a;
  if (a.binary && milli % 1000n === 0n) {
    const units = milli / 1000n;
    if (units !== 0n && units % 1024n === 0n) return canonicalQuantity(`${units / 1024n}Ki`);
    return units.toString();
  }
  return milli % 1000n === 0n ? (milli / 1000n).toString() : canonicalQuantity(`${milli}m`);
}

export function add(a: Usage, b: Usage): Usage {
  const out: Usage = new Map(a);
  for (const [k, v] of b) {
    const cur = out.get(k);
    // As resource.Quantity.Add: a zero takes the format of what is added to it.
    out.set(k, cur ? { milli: cur.milli + v.milli, binary: cur.milli === 0n ? v.binary : cur.binary } : v);
  }
  return out;
}

/** a + each of `bs` in turn, as add() would give, built in one copy. */
export function addAll(a: Usage, bs: Iterable<Usage>): Usage {
  const out: Usage = new Map(a);
  for (const b of bs) {
    for (const [k, v] of b) {
      const cur = out.get(k);
      out.set(k, cur ? { milli: cur.milli + v.milli, binary: cur.milli === 0n ? v.binary : cur.binary } : v);
    }
  }
  return out;
}

/** a − b, never below zero per resource (upstream's SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: Usage, b: Usage): Usage {
  const out: Usage = new Map();
  for (const [k, v] of a) {
    const d = v.milli - (b.get(k)?.milli ?? 0n);
    out.set(k, { milli: d > 0n ? d : 0n, binary: v.binary });
  }
  return out;
}

/** Only the given resource names. */
export function mask(u: Usage, names: Iterable<string>): Usage {
  const out: Usage = new Map();
  for (const n of names) { const v = u.get(n); if (v) out.set(n, v); }
  return out;
}

/** `u` without its zero amounts: `u` itself when it has none (Usages are not changed in place). */
export function removeZeros(u: Usage): Usage {
  let zero = false;
  for (const v of u.values()) if (v.milli === 0n) { zero = true; break; }
  if (!zero) return u;
  const out: Usage = new Map();
  for (const [k, v] of u) if (v.milli !== 0n) out.set(k, v);
  return out;
}

/** Names in `a` (only those of `names`, when given) exceeding their limit in `hard` (names without a limit are not limited). */
export function exceeded(a: Usage, hard: Usage, names: Iterable<string> = a.keys()): string[] {
  const out: string[] = [];
  for (const k of names) { const v = a.get(k), h = hard.get(k); if (v && h && v.milli > h.milli) out.push(k); }
  return out;
}

/**
 * The names of `requested` (each limited in `hard`) whose used + requested amount passes its limit, as
 * exceeded(add(used, requested), hard, requested.keys()) finds them, without building the sum; undefined for none.
 */
export function exceededBy(used: Usage, requested: Usage, hard: Usage): string[] | undefined {
  let out: string[] | undefined;
  for (const [k, v] of requested) {
    const h = hard.get(k);
    if (!h) continue;
    const u = used.get(k);
    if ((u ? u.milli + v.milli : v.milli) > h.milli) (out ??= []).push(k);
  }
  return out;
}

/** Upstream's prettyPrint: `name=value` sorted by name, comma-joined. */
export function prettyPrint(u: Usage): string {
  return [...u.keys()].sort().map((k) => `${k}=${format(u.get(k)!)}`).join(',');
}

export function sameList(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  const x = fromList(a), y = fromList(b);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k)?.milli !== v.milli) return false;
  return true;
}
