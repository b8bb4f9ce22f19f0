// Structural defaulting of custom objects (upstream's schema/defaulting): on every decode — the
// request body on create/update/patch and the stored object on every read — a field that is missing,
// or null where the schema does not allow null, gets a copy of its schema's `default`; then defaulting
// descends into the value, so defaults nested inside a default apply too. Pure functions that mutate
// and return the value they are given.
import type { StructuralSchema } from './types.ts';
import { pruneUnknown } from './default-prune.ts';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: object | undefined, k: string): boolean => !!o && Object.prototype.hasOwnProperty.call(o, k);
const apSchema = (s: StructuralSchema): StructuralSchema | undefined =>
  (s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);

/** Set an own property, even one named `__proto__`. */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const copy = (v: unknown): unknown => (v === undefined ? null : v !== null && typeof v === 'object' ? structuredClone(v) : v);
const nonNullableNull = (x: unknown, s: StructuralSchema | undefined): boolean => x === null && !!s && !s.nullable;

/** Apply schema defaults to obj in place (upstream's structuraldefaulting.Default); returns obj. */
export function applyDefaults<T>(schema: StructuralSchema | undefined, obj: T): T {
  defaultValue(obj, schema);
  return obj;
}

function defaultValue(x: unknown, s: StructuralSchema | undefined): void {
  if (!s) return;
  if (isMap(x)) {
    const props = s.properties ?? {};
    for (const k of Object.keys(props)) {
      const prop = props[k];
      if (!prop || prop.default === undefined) continue;
      if (!own(x, k) || nonNullableNull(x[k], prop)) setOwn(x, k, copy(prop.default));
    }
    const ap = apSchema(s);
    for (const k of Object.keys(x)) {
      if (own(props, k)) defaultValue(x[k], props[k]);
      else if (ap) {
        if (nonNullableNull(x[k], ap)) setOwn(x, k, copy(ap.default));
        defaultValue(x[k], ap);
      }
    }
  } else if (Array.isArray(x)) {
    const items = s.items;
    for (let i = 0; i < x.length; i++) {
      if (nonNullableNull(x[i], items)) x[i] = copy(items!.default);
      defaultValue(x[i], items);
    }
  }
}

/**
 * Drop nulls the schema neither allows nor can default (upstream runs this right after pruning, on
 * every decode), so `{"spec":{"replicas":null}}` reads as if the field were absent.
 */
export function pruneNonNullableNullsWithoutDefaults<T>(schema: StructuralSchema | undefined, obj: T): T {
  pruneNulls(obj, schema);
  return obj;
}

function fieldSchema(k: string, s: StructuralSchema | undefined): StructuralSchema | undefined {
  if (!s) return undefined;
  if (own(s.properties, k)) return s.properties![k];
  return apSchema(s);
}

function pruneNulls(x: unknown, s: StructuralSchema | undefined): void {
  if (isMap(x)) {
    for (const k of Object.keys(x)) {
      const sub = fieldSchema(k, s);
      if (x[k] === null && sub && !sub.nullable && sub.default === undefined) delete x[k];
      else pruneNulls(x[k], sub);
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, s?.items);
  }
}

/**
 * A copy of the schema whose defaults are pruned of unknown fields, as upstream serves a CRD's
 * schema (PruneDefaults). `changed` tells whether any default lost a field.
 */
export function pruneDefaults(schema: StructuralSchema): { schema: StructuralSchema; changed: boolean } {
  const out = structuredClone(schema);
  return { schema: out, changed: pruneDefaultsIn(out) };
}

function pruneDefaultsIn(s: StructuralSchema | undefined): boolean {
  if (!s) return false;
  let changed = false;
  if (s.default !== undefined && s.default !== null) {
    const before = JSON.stringify(s.default);
    pruneUnknown(s.default, s, !!s['x-kubernetes-embedded-resource']);
    changed = JSON.stringify(s.default) !== before;
  }
  if (pruneDefaultsIn(apSchema(s))) changed = true;
  if (pruneDefaultsIn(s.items)) changed = true;
  for (const k of Object.keys(s.properties ?? {})) if (pruneDefaultsIn(s.properties![k])) changed = true;
  return changed;
}
