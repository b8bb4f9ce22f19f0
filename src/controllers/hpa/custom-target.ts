// HPA scale targets served from CRDs: any kind of this server with a scale subresource, read and
// written through its CRD's specReplicasPath, statusReplicasPath and labelSelectorPath.
import { parseLabelSelector } from '../../api/selectors.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { ResourceTable } from '../../registry/resource-table.ts';
import type { KObject } from '../../registry/strategy.ts';
import { customScale, setCustomReplicas } from '../../registry/custom/scale.ts';

/** The custom resource a scaleTargetRef names, when it has a scale subresource. */
export function customScaleTarget(table: ResourceTable, ref: { apiVersion?: unknown; kind?: unknown }): ResourceInfo | undefined {
  if (typeof ref.apiVersion !== 'string' || typeof ref.kind !== 'string') return undefined;
  const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/', 2) : ['', ref.apiVersion];
  const r = table.findKind(group, version, ref.kind);
  return r?.custom?.version.scale ? r : undefined;
}

export const customReplicas = (r: ResourceInfo, obj: KObject): number => customScale(r, obj).spec.replicas;

/** The scale's selector; undefined when the object publishes none (upstream: InvalidSelector). */
export function customSelector(r: ResourceInfo, obj: KObject): LabelSelector | undefined {
  const s = customScale(r, obj).status?.selector;
  if (typeof s !== 'string' || !s) return undefined;
  try { return parseLabelSelector(s); } catch { return undefined; }
}

export function scaledCustom(r: ResourceInfo, obj: KObject, replicas: number): KObject {
  setCustomReplicas(r, obj, replicas);
  return obj;
}
