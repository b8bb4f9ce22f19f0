// JSON values → CEL runtime values, typed by the schema (k8s.io/apiextensions-apiserver
// pkg/apiserver/schema/cel/values.go): integers as bigint, numbers as double, date-time strings as
// timestamps, durations, bytes; declared properties of objects under their escaped names; maps as Map.
import type { StructuralSchema } from '../schema/types.ts';
import { escapeName } from './names.ts';
import { isDyn, withTypeAndObjectMeta } from './types.ts';
import { libraryEnv } from './env.ts';

const parseDuration = libraryEnv().registerVariable('s', 'string').parse('duration(s)');

export function toCel(s: StructuralSchema | undefined, v: unknown, root = false): unknown {
  if (v === null || v === undefined) return null;
  if (!s) return generic(v);
  if (root || s['x-kubernetes-embedded-resource']) s = withTypeAndObjectMeta(s);
  if (isDyn(s)) return generic(v);
  switch (s.type) {
    case 'integer': return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v;
    case 'number': return v;
    case 'boolean': return v;
    case 'string': return typeof v === 'string' ? stringValue(s.format, v) : v;
    case 'array': return Array.isArray(v) ? v.map((x) => toCel(s.items, x)) : generic(v);
    default: return objectValue(s, v);
  }
}

function objectValue(s: StructuralSchema, v: unknown): unknown {
  if (typeof v !== 'object' || Array.isArray(v)) return generic(v);
  const o = v as Record<string, unknown>;
  if (!s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    const vs = s.additionalProperties === true ? undefined : s.additionalProperties;
    const m = new Map<string, unknown>();
    for (const k of Object.keys(o)) m.set(k, toCel(vs, o[k]));
    return m;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s.properties ?? {})) {
    if (!Object.hasOwn(o, k) || o[k] === undefined) continue;
    const name = escapeName(k);
    if (name !== undefined) out[name] = toCel(s.properties![k], o[k]);
  }
  return out;
}

/** Schemaless JSON: integral numbers are ints (as upstream's unstructured int64), objects maps. */
export function generic(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(generic);
  if (v && typeof v === 'object') {
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) m.set(k, generic(x));
    return m;
  }
  return v;
}

function stringValue(format: string | undefined, v: string): unknown {
  switch (format) {
    case 'byte': return Uint8Array.from(Buffer.from(v, 'base64'));
    case 'date': case 'date-time': {
      const d = new Date(format === 'date' ? `${v}T00:00:00Z` : v);
      return Number.isNaN(d.getTime()) ? v : d;
    }
    case 'duration':
      try { return parseDuration({ s: v }); } catch { return v; }
    default: return v;
  }
}

/**
 * Schemaless JSON as CEL reads it, sharing what it can: objects stay plain objects (CEL treats them
 * as maps) and only the containers on the way to an integral number are copied, the number becoming
 * an int. Cheaper than `generic` for objects that are mostly strings (admission of whole objects).
 */
export function jsonToCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? BigInt(v) : v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = jsonToCel(v[i]);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  if (v && typeof v === 'object' && !(v instanceof Map)) {
    let out: Record<string, unknown> | undefined;
    for (const k in v as Record<string, unknown>) {
      const x = (v as Record<string, unknown>)[k];
      const c = jsonToCel(x);
      if (c !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = c;
    }
    return out ?? v;
  }
  return v;
}
