// Pairing parts of an updated object with the same parts of the old one (upstream's
// CorrelatedObject), which validation ratcheting and transition rules rely on: object fields pair
// by name; list items pair only in lists of x-kubernetes-list-type=map, by their key fields.
import type { StructuralSchema } from './types.ts';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON deep equality (key order does not matter; numbers compare by value). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** The old list item that pairs with `item` of a list-type=map list, by its key fields. */
export function correlateIndex(list: StructuralSchema, item: unknown, oldList: unknown): { value: unknown } | undefined {
  if (list['x-kubernetes-list-type'] !== 'map' || !Array.isArray(oldList) || !isMap(item)) return undefined;
  const keys = list['x-kubernetes-list-map-keys'] ?? [];
  if (!Array.isArray(keys) || keys.length === 0) return undefined;
  const keyOf = (x: Record<string, unknown>) => keys.map((k) => (Object.prototype.hasOwnProperty.call(x, k) ? x[k] : undefined));
  const want = keyOf(item);
  for (const o of oldList) {
    if (!isMap(o)) continue;
    const got = keyOf(o);
    if (got.every((g, i) => (g === undefined ? want[i] === undefined : deepEqual(g, want[i])))) return { value: o };
  }
  return undefined;
}
