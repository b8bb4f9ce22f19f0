// The scheduler's part of volume binding (after upstream's VolumeBinding plugin), from the claims,
// volumes and classes informers:
// - PreFilter: every claim a pod's volumes name must exist and not be deleting; an unbound claim
//   whose class binds Immediately makes the pod wait ("pod has unbound immediate
//   PersistentVolumeClaims"). Failing here is one reason for every node.
// - Filter: a bound claim's volume must admit the node ("node(s) had volume node affinity
//   conflict"); an unbound WaitForFirstConsumer claim of a class without a provisioner needs a
//   matching volume reachable from the node ("node(s) didn't find available persistent volumes to
//   bind"); one with a provisioner can be provisioned anywhere (allowedTopologies is not applied).
// - PreBind: the chosen node is written to each unbound WaitForFirstConsumer claim's
//   volume.kubernetes.io/selected-node annotation, which the provisioner acts on.
import type { KObject } from '../registry/strategy.ts';
import type { Informer } from '../controllers/runtime.ts';
import { podClaimKeys } from '../controllers/volumes/binder.ts';
import { classOf, findMatchingVolume, volumeFitsNode } from '../controllers/volumes/matching.ts';
import type { NodeInfo } from './nodeinfo.ts';

export interface VolumeInformers { pvcs: Informer; pvs: Informer; classes: Informer }

export interface PodVolumes {
  /** The node filter, when some claim constrains nodes. */
  filter?: (n: NodeInfo) => string[];
  /** Unbound WaitForFirstConsumer claims, to annotate with the chosen node. */
  delayed: KObject[];
}

export function podVolumesOf(pod: KObject, inf: VolumeInformers): PodVolumes | { message: string } {
  const bound: KObject[] = [];
  const delayed: KObject[] = [];
  const needStatic: KObject[] = [];
  for (const key of podClaimKeys(pod)) {
    const name = key.slice(key.indexOf('/') + 1);
    const pvc = inf.pvcs.get(key);
    if (!pvc) return { message: `persistentvolumeclaim "${name}" not found` };
    if (pvc.metadata.deletionTimestamp) return { message: `persistentvolumeclaim "${name}" is being deleted` };
    const volName = pvc.spec?.volumeName;
    if (volName && pvc.status?.phase === 'Bound') {
      const pv = inf.pvs.get(volName);
      if (!pv) return { message: `persistentvolume "${volName}" not found` };
      bound.push(pv);
      continue;
    }
    const sc = inf.classes.get(classOf(pvc));
    if (volName || sc?.volumeBindingMode !== 'WaitForFirstConsumer') return { message: 'pod has unbound immediate PersistentVolumeClaims' };
    delayed.push(pvc);
    if (sc.provisioner === 'kubernetes.io/no-provisioner') needStatic.push(pvc);
  }
  if (!bound.length && !needStatic.length) return { delayed };
  return {
    delayed,
    filter: (n) => {
      if (!bound.every((pv) => volumeFitsNode(pv, n))) return ['node(s) had volume node affinity conflict'];
      if (needStatic.length) {
        const pvs = inf.pvs.list();
        if (!needStatic.every((c) => findMatchingVolume(c, pvs, n))) return ["node(s) didn't find available persistent volumes to bind"];
      }
      return [];
    },
  };
}
