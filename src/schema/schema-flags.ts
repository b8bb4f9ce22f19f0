// Per-schema facts computed once and cached (schemas are immutable once a CRD is served): whether
// a subtree has anything the embedded-resource or list-type checks look at, so objects whose schema
// has none are not walked for them.
import type { StructuralSchema } from './types.ts';

interface Flags { embedded: boolean; listType: boolean }
const cache = new WeakMap<object, Flags>();

function compute(s: StructuralSchema, depth: number): Flags {
  const hit = cache.get(s);
  if (hit) return hit;
  const f: Flags = { embedded: s['x-kubernetes-embedded-resource'] === true, listType: s['x-kubernetes-list-type'] === 'set' || s['x-kubernetes-list-type'] === 'map' };
  if (depth < 2000) {
    const kids: unknown[] = [s.items, typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined];
    if (s.properties && typeof s.properties === 'object') kids.push(...Object.values(s.properties));
    for (const k of kids) {
      if (!k || typeof k !== 'object') continue;
      const c = compute(k as StructuralSchema, depth + 1);
      f.embedded ||= c.embedded;
      f.listType ||= c.listType;
    }
  } else {
    f.embedded = true;
    f.listType = true;
  }
  cache.set(s, f);
  return f;
}

/** Does any node of this schema's spine declare x-kubernetes-embedded-resource? */
export const hasEmbedded = (s: StructuralSchema): boolean => (s && typeof s === 'object' ? compute(s, 0).embedded : false);
/** Does any node of this schema's spine declare a set or map list type? */
export const hasListTypes = (s: StructuralSchema): boolean => (s && typeof s === 'object' ? compute(s, 0).listType : false);
