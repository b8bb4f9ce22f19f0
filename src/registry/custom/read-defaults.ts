// Defaulting of stored custom objects on read (get, list, watch), as upstream's storage decoder
// defaults every object it reads: an object stored before its schema gained a default is served with
// it. Cheap when nothing is missing: schemas without defaults are skipped at once (cached per schema),
// and an object is only copied when a default is actually missing.
import type { StructuralSchema } from '../../schema/types.ts';
import { applyDefaults, pruneNonNullableNullsWithoutDefaults } from '../../schema/defaults.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KObject } from '../strategy.ts';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const apSchema = (s: StructuralSchema) => (s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);

const withDefaults = new WeakMap<StructuralSchema, boolean>();

/** Whether any node of the schema has a default. */
export function schemaHasDefaults(s: StructuralSchema): boolean {
  let v = withDefaults.get(s);
  if (v === undefined) { v = scan(s, 0); withDefaults.set(s, v); }
  return v;
}

function scan(s: StructuralSchema | undefined, depth: number): boolean {
  if (!s || depth > 1000) return false;
  if (s.default !== undefined) return true;
  if (scan(s.items, depth + 1) || scan(apSchema(s), depth + 1)) return true;
  for (const k of Object.keys(s.properties ?? {})) if (scan(s.properties![k], depth + 1)) return true;
  return false;
}

/** Whether defaulting would change `x` (a default is missing, or a null waits for one). */
function missing(x: unknown, s: StructuralSchema | undefined, depth: number): boolean {
  if (!s || depth > 1000) return false;
  if (isMap(x)) {
    const props = s.properties ?? {};
    for (const k of Object.keys(props)) {
      const p = props[k];
      if (p?.default !== undefined && (!Object.hasOwn(x, k) || (x[k] === null && !p.nullable))) return true;
    }
    const ap = apSchema(s);
    for (const k of Object.keys(x)) {
      const sub = Object.hasOwn(props, k) ? props[k] : ap;
      if (sub && missing(x[k], sub, depth + 1)) return true;
    }
  } else if (Array.isArray(x)) {
    for (const v of x) if (missing(v, s.items, depth + 1)) return true;
  }
  return false;
}

/** Decoded objects (shared, immutable) already found complete for a schema: not walked again. */
const complete = new WeakMap<object, StructuralSchema>();

/** `obj` with its schema defaults (a defaulted copy, or `obj` itself when nothing is missing). */
export function readDefaults(r: ResourceInfo, obj: KObject): KObject {
  const schema = r.custom?.version.schema;
  if (!schema || !schemaHasDefaults(schema) || complete.get(obj) === schema) return obj;
  if (!missing(obj, schema, 0)) { complete.set(obj, schema); return obj; }
  const copy = structuredClone(obj);
  pruneNonNullableNullsWithoutDefaults(schema, copy);
  return applyDefaults(schema, copy);
}
