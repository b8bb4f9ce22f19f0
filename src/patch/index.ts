// The patch engine: JSON Patch (RFC 6902), JSON Merge Patch (RFC 7386) and Kubernetes strategic
// merge patch, with the patch metadata of every built-in kind generated from k8s.io/api v0.32.4.
// Pure functions over plain JSON; failures are StatusErrors with upstream's codes.

/** The PATCH content types the apiserver accepts, in upstream's order. */
export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export { applyJsonPatch, applyMergePatch } from './json.ts';
export { applyStrategicMergePatch } from './strategic.ts';
export { smpSchemaFor } from './schema.ts';
export type { SmpSchemaLookup, SmpFieldMeta } from './schema.ts';
