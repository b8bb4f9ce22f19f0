// The scale subresource of a custom resource (after apiextensions-apiserver's scale registry): an
// autoscaling/v1 Scale read from specReplicasPath, statusReplicasPath and labelSelectorPath, and
// spec replicas written back at specReplicasPath.
import type { ResourceInfo } from '../resources.ts';
import type { KObject } from '../strategy.ts';

const segments = (path: string) => path.replace(/^\./, '').split('.');
const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

function read(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const k of segments(path)) { if (!isObj(cur)) return undefined; cur = cur[k]; }
  return cur;
}

const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : 0);

export function customScale(r: ResourceInfo, obj: KObject): KObject {
  const s = r.custom!.version.scale!;
  const m = obj.metadata;
  const selector = s.labelSelectorPath ? read(obj, s.labelSelectorPath) : undefined;
  const status: Record<string, unknown> = { replicas: int(read(obj, s.statusReplicasPath)) };
  if (typeof selector === 'string' && selector) status.selector = selector;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: int(read(obj, s.specReplicasPath)) },
    status,
  };
}

/** Set spec replicas at the version's specReplicasPath, creating the objects on the way. */
export function setCustomReplicas(r: ResourceInfo, obj: KObject, replicas: number): void {
  const parts = segments(r.custom!.version.scale!.specReplicasPath);
  let cur: Record<string, any> = obj;
  for (const k of parts.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k];
  }
  cur[parts[parts.length - 1]] = replicas;
}
