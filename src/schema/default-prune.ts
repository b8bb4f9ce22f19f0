// Pruning of unknown fields as upstream's schema/pruning does it, used here for schema `default`
// values only (a CRD's defaults must not carry fields its schema would drop). Decoding of request
// bodies prunes with its own step; this one is small, silent and mutates in place.
import type { StructuralSchema } from './types.ts';

const META = new Set(['apiVersion', 'kind', 'metadata']);
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const apSchema = (s: StructuralSchema) => (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
const own = (o: object | undefined, k: string): boolean => !!o && Object.prototype.hasOwnProperty.call(o, k);

/** Drop fields of x that schema s does not specify; `resourceRoot` keeps apiVersion, kind and metadata. */
export function pruneUnknown(x: unknown, s: StructuralSchema | undefined, resourceRoot: boolean): void {
  const root = s && resourceRoot && !s['x-kubernetes-embedded-resource'] ? { ...s, 'x-kubernetes-embedded-resource': true } : s;
  prune(x, root);
}

function prune(x: unknown, s: StructuralSchema | undefined): void {
  if (s && s['x-kubernetes-preserve-unknown-fields']) return skipPrune(x, s);
  if (isMap(x)) {
    if (!s) { for (const k of Object.keys(x)) delete x[k]; return; }
    for (const k of Object.keys(x)) {
      if (s['x-kubernetes-embedded-resource'] && META.has(k)) continue;
      if (own(s.properties, k)) prune(x[k], s.properties![k]);
      else if (s.additionalProperties !== undefined) prune(x[k], apSchema(s));
      else delete x[k];
    }
  } else if (Array.isArray(x)) {
    for (const v of x) prune(v, s?.items);
  }
}

function skipPrune(x: unknown, s: StructuralSchema): void {
  if (isMap(x)) {
    for (const k of Object.keys(x)) {
      if (s['x-kubernetes-embedded-resource'] && META.has(k)) continue;
      if (own(s.properties, k)) prune(x[k], s.properties![k]);
      else if (s.additionalProperties !== undefined) prune(x[k], apSchema(s));
    }
  } else if (Array.isArray(x) && s.items) {
    for (const v of x) skipPrune(v, s.items);
  }
}
