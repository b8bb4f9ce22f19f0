// The scheduler's part of volume binding (after upstream's VolumeBinding plugin), from the claims,
// volumes and classes informers:
// - PreFilter: every claim a pod's volumes name must exist and not be deleting (a generic
//   ephemeral volume's claim must also be owned by the pod); an unbound claim
//   whose class binds Immediately makes the pod wait ("pod has unbound immediate
//   PersistentVolumeClaims"). Failing here is one reason for every node.
//   A ReadWriteOncePod claim already used by a scheduled pod rules the pod out (VolumeRestrictions).
// - Filter: a bound claim's volume must admit the node ("node(s) had volume node affinity
//   conflict"); an unbound WaitForFirstConsumer claim of a class without a provisioner needs a
//   matching volume reachable from the node ("node(s) didn't find available persistent volumes to
//   bind"); one with a provisioner can be provisioned anywhere (allowedTopologies is not applied).
// - PreBind: the chosen node is written to each unbound WaitForFirstConsumer claim's
//   volume.kubernetes.io/selected-node annotation, which the provisioner acts on.
import type { KObject } from '../registry/strategy.ts';
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../types/generated.ts';
import type { Informer } from '../controllers/runtime.ts';
import { podClaims } from '../controllers/volumes/binder.ts';
import { classOf, findMatchingVolume, volumeFitsNode } from '../controllers/volumes/matching.ts';
import type { NodeInfo } from './nodeinfo.ts';

export const VOLUME_CONFLICT = 'node(s) had volume node affinity conflict';
export const NO_STATIC_VOLUME = "node(s) didn't find available persistent volumes to bind";
/** VolumeBinding's filter failures: upstream marks them UnschedulableAndUnresolvable (preemption cannot help). */
export const VOLUME_REASONS = [VOLUME_CONFLICT, NO_STATIC_VOLUME];

export interface VolumeInformers { pvcs: Informer<PersistentVolumeClaim>; pvs: Informer<PersistentVolume>; classes: Informer<StorageClass> }

export const RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

export interface PodVolumes {
  /** The node filter, when some claim constrains nodes. */
  filter?: (n: NodeInfo) => string[];
  /** Unbound WaitForFirstConsumer claims, to annotate with the chosen node. */
  delayed: PersistentVolumeClaim[];
}

/** usersOf: the pods whose volumes use a claim (`<ns>/<name>`), for ReadWriteOncePod. */
export function podVolumesOf(pod: Pod, inf: VolumeInformers, usersOf?: (claimKey: string) => Pod[]): PodVolumes | { message: string } {
  const bound: PersistentVolume[] = [];
  const delayed: PersistentVolumeClaim[] = [];
  const needStatic: PersistentVolumeClaim[] = [];
  const ns = pod.metadata.namespace;
  for (const { name, ephemeral } of podClaims(pod)) {
    const pvc = inf.pvcs.get(`${ns}/${name}`);
    if (!pvc) return { message: ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found` };
    if (ephemeral && !(pvc.metadata.ownerReferences ?? []).some((r) => r.uid === pod.metadata.uid && r.controller)) {
      return { message: `PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)` };
    }
    if (pvc.metadata.deletionTimestamp) return { message: `persistentvolumeclaim "${name}" is being deleted` };
    if (usersOf && (pvc.spec?.accessModes ?? []).includes('ReadWriteOncePod') && usersOf(`${ns}/${name}`).some((p) =>
      p.metadata.uid !== pod.metadata.uid && p.spec?.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return { message: RWOP_CONFLICT };
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
      if (!bound.every((pv) => volumeFitsNode(pv, n))) return [VOLUME_CONFLICT];
      if (needStatic.length) {
        const pvs = inf.pvs.list();
        if (!needStatic.every((c) => findMatchingVolume(c, pvs, n))) return [NO_STATIC_VOLUME];
      }
      return [];
    },
  };
}

/** How long PreBind waits for the PV controller to bind a pod's claims (upstream's bindTimeoutSeconds). */
export const BIND_TIMEOUT_MS = 600_000;

interface PendingBind { node: string; claims: string[]; deadline: number }

/**
 * Pods assumed onto a node whose WaitForFirstConsumer claims are not Bound yet: the pod is bound
 * to the node once they are (upstream's PreBind waits the same way), or goes back to the queue
 * after BIND_TIMEOUT_MS. The scheduler re-queues a waiting pod whenever one of its claims changes.
 */
export class VolumeBinds {
  private readonly pending = new Map<string, PendingBind>();
  get(podKey: string): PendingBind | undefined { return this.pending.get(podKey); }
  start(podKey: string, node: string, claims: PersistentVolumeClaim[], now: number): PendingBind {
    const b = { node, claims: claims.map((c) => `${c.metadata.namespace}/${c.metadata.name}`), deadline: now + BIND_TIMEOUT_MS };
    this.pending.set(podKey, b);
    return b;
  }
  delete(podKey: string): void { this.pending.delete(podKey); }
  /** Pods waiting on this claim. */
  waitingOn(claimKey: string): string[] {
    const out: string[] = [];
    for (const [k, b] of this.pending) if (b.claims.includes(claimKey)) out.push(k);
    return out;
  }
  /** The claims of `b` not Bound yet. */
  unbound(b: PendingBind, pvcs: Informer): string[] {
    return b.claims.filter((k) => pvcs.get(k)?.status?.phase !== 'Bound');
  }
}
