// The schema a CRD version is served with (upstream's crdHandler: the version's openAPIV3Schema
// converted to a structural schema with its defaults pruned of unknown fields). The result is what
// validateValue, applyDefaults and src/cel take; treat it as immutable (derived facts are cached
// per schema object).
import type { StructuralSchema } from './types.ts';
import { pruneDefaults } from './defaults.ts';

const isMap = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The served schema of `version`, or undefined when the CRD has none for it. */
export function crdVersionSchema(crd: unknown, version: string): StructuralSchema | undefined {
  if (!isMap(crd) || !isMap(crd.spec) || !Array.isArray(crd.spec.versions)) return undefined;
  const v = crd.spec.versions.find((x: unknown) => isMap(x) && x.name === version);
  const raw = isMap(v) && isMap(v.schema) ? v.schema.openAPIV3Schema : undefined;
  if (!isMap(raw)) return undefined;
  return pruneDefaults(raw as StructuralSchema).schema;
}

/** The version's scale subresource paths, if it has one. */
export function crdVersionScale(crd: unknown, version: string): { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } | undefined {
  if (!isMap(crd) || !isMap(crd.spec) || !Array.isArray(crd.spec.versions)) return undefined;
  const v = crd.spec.versions.find((x: unknown) => isMap(x) && x.name === version);
  const scale = isMap(v) && isMap(v.subresources) ? v.subresources.scale : undefined;
  if (!isMap(scale) || typeof scale.specReplicasPath !== 'string' || typeof scale.statusReplicasPath !== 'string') return undefined;
  return { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, ...(typeof scale.labelSelectorPath === 'string' && scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}) };
}
