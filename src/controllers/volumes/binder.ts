// The PersistentVolume controller with a simulated dynamic provisioner (after upstream's
// pkg/controller/volume/persistentvolume and kind's local-path provisioner). Level-triggered: keys
// `claim:<ns>/<name>` and `volume:<name>`, each sync re-reads the informers.
// - A Pending claim binds to the smallest matching Available volume (matching.ts); when none
//   matches and its StorageClass has a provisioner, a volume `pvc-<claim uid>` is provisioned
//   (hostPath under /var/local-path-provisioner, capacity = the request, reclaim policy of the
//   class, node affinity to the selected node) and bound. WaitForFirstConsumer classes wait for
//   the scheduler's volume.kubernetes.io/selected-node annotation (event WaitForFirstConsumer).
// - Binding sets pv.spec.claimRef, pvc.spec.volumeName, the bind-completed / bound-by-controller
//   annotations and the phases (volume Bound; claim Bound with status accessModes and capacity).
// - A volume whose claim is gone is Released; reclaim policy Delete deletes it, Retain keeps it,
//   Recycle (deprecated upstream) is refused: the volume goes Failed with a VolumeFailedRecycle event.
// - A bound claim whose volume is gone is Lost (event ClaimLost).
// - A bound claim whose request grew (admission lets it only when its class allows expansion) has
//   its volume's capacity and then its own status.capacity raised (events Resizing, VolumeResizeSuccessful).
// Protection (StorageObjectInUseProtection): a deleted claim keeps kubernetes.io/pvc-protection
// while a scheduled, non-terminated pod uses it; a deleted volume keeps kubernetes.io/pv-protection
// while it is Bound.
import { rfc3339 } from '../../clock.ts';
import type { Clock } from '../../clock.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { StorageClass } from '../../types/generated.ts';
import { PV_PROTECTION, PVC_PROTECTION } from '../../registry/kinds/storage-admission.ts';
import { runController } from '../runtime.ts';
import type { Controller, Informer, WorkQueue } from '../runtime.ts';
import type { EventRecorder } from '../events.ts';
import { ignoreNotFound, res } from '../util.ts';
import { bytes, claimKey, classOf, findMatchingVolume, refersTo, volumeMismatch } from './matching.ts';

const pvcR = res('', 'v1', 'persistentvolumeclaims');
const pvR = res('', 'v1', 'persistentvolumes');
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/** The claims a pod's volumes use: persistentVolumeClaim volumes, and generic ephemeral volumes' `<pod>-<volume>`. */
export function podClaims(pod: KObject): { name: string; ephemeral: boolean }[] {
  const out: { name: string; ephemeral: boolean }[] = [];
  for (const v of (Array.isArray(pod.spec?.volumes) ? pod.spec.volumes : []) as { name?: string; persistentVolumeClaim?: { claimName?: string }; ephemeral?: unknown }[]) {
    const c = v?.persistentVolumeClaim?.claimName;
    if (typeof c === 'string' && c) out.push({ name: c, ephemeral: false });
    else if (v?.ephemeral && typeof v.name === 'string') out.push({ name: `${pod.metadata.name}-${v.name}`, ephemeral: true });
  }
  return out;
}

/** Claims a pod's volumes use, as `<ns>/<claim>` keys. */
export function podClaimKeys(pod: KObject): string[] {
  return podClaims(pod).map((c) => `${pod.metadata.namespace}/${c.name}`);
}

export interface VolumeControllerOptions {
  /** pods must carry the 'claims' index (podClaimKeys), which the scheduler reads too. */
  store: Store; clock: Clock; pvcs: Informer; pvs: Informer; classes: Informer<StorageClass>; pods: Informer; nodes: Informer;
  recorder: EventRecorder;
  /** The recorder for a provisioner's own events (source component = the provisioner's name). */
  provisionerRecorder: (provisioner: string) => EventRecorder;
  log?: (m: string) => void;
}

export function persistentVolumeController(o: VolumeControllerOptions): Controller {
  const { store, clock, pvcs, pvs, classes, pods, nodes, recorder } = o;
  pvs.addIndex('claim', (pv) => (pv.spec?.claimRef?.name ? [`${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}`] : []));

  const now = () => rfc3339(clock.now());
  async function setVolumePhase(pv: KObject, phase: string, message?: string): Promise<void> {
    if (pv.status?.phase === phase) return;
    await store.guaranteedUpdate(pvR, undefined, pv.metadata.name!, (cur) => {
      if (cur.metadata.uid !== pv.metadata.uid || cur.status?.phase === phase) return cur;
      // A concurrent bind wins over a stale "Available".
      if (phase === 'Available' && cur.spec?.claimRef && cur.status?.phase === 'Bound') return cur;
      cur.status = { phase, lastPhaseTransitionTime: now(), ...(message ? { message } : {}) };
      return cur;
    }, { subresource: 'status' }).catch(ignoreNotFound);
  }
  async function setClaimPhase(pvc: KObject, phase: string, extra: Record<string, unknown> = {}): Promise<void> {
    await store.guaranteedUpdate(pvcR, pvc.metadata.namespace, pvc.metadata.name!, (cur) => {
      if (cur.metadata.uid !== pvc.metadata.uid) return cur;
      cur.status = { ...(phase === 'Bound' ? {} : cur.status ?? {}), ...extra, phase };
      return cur;
    }, { subresource: 'status' }).catch(ignoreNotFound);
  }
  async function removeFinalizer(r: typeof pvR, obj: KObject, f: string): Promise<void> {
    if (!obj.metadata.finalizers?.includes(f)) return;
    await store.guaranteedUpdate(r, obj.metadata.namespace, obj.metadata.name!, (cur) => {
      if (cur.metadata.uid !== obj.metadata.uid) return cur;
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((x: string) => x !== f);
      return cur;
    }).catch(ignoreNotFound);
  }

  /** Bind claim and volume: the volume side first (it is what two claims could race for). */
  async function bind(pv: KObject, pvc: KObject): Promise<void> {
    const byUs = !pv.spec?.claimRef;
    const bound = await store.guaranteedUpdate(pvR, undefined, pv.metadata.name!, (cur) => {
      if (cur.spec?.claimRef && !refersTo(cur, pvc)) throw new Error(`volume ${pv.metadata.name} was taken by another claim`);
      cur.spec.claimRef = {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name,
        uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion,
      };
      if (byUs) cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [BOUND_BY_CONTROLLER]: 'yes' };
      return cur;
    });
    await setVolumePhase(bound, 'Bound');
    await store.guaranteedUpdate(pvcR, pvc.metadata.namespace, pvc.metadata.name!, (cur) => {
      if (cur.metadata.uid !== pvc.metadata.uid) return cur;
      const ann: Record<string, string> = { ...(cur.metadata.annotations ?? {}), [BIND_COMPLETED]: 'yes' };
      if (!cur.spec.volumeName) { ann[BOUND_BY_CONTROLLER] = 'yes'; cur.spec.volumeName = pv.metadata.name; }
      cur.metadata.annotations = ann;
      return cur;
    });
    await setClaimPhase(pvc, 'Bound', { accessModes: bound.spec.accessModes, capacity: bound.spec.capacity });
  }

  async function provision(pvc: KObject, sc: KObject, node: string | undefined): Promise<void> {
    const prov: string = sc.provisioner;
    const { namespace, name, uid } = pvc.metadata;
    if (pvc.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] !== prov) {
      recorder.event(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${prov}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
      await store.guaranteedUpdate(pvcR, namespace, name!, (cur) => {
        if (cur.metadata.uid !== uid) return cur;
        cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), 'volume.beta.kubernetes.io/storage-provisioner': prov, 'volume.kubernetes.io/storage-provisioner': prov };
        return cur;
      });
    }
    const pvName = `pvc-${uid}`;
    const rec = o.provisionerRecorder(prov);
    rec.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${namespace}/${name}"`);
    const pv: KObject = {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': prov, ...(node ? { 'local.path.provisioner/selected-node': node } : {}) } },
      spec: {
        accessModes: pvc.spec.accessModes, capacity: { storage: pvc.spec.resources.requests.storage },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid, resourceVersion: pvc.metadata.resourceVersion },
        hostPath: { path: `/var/local-path-provisioner/${pvName}_${namespace}_${name}`, type: 'DirectoryOrCreate' },
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete', storageClassName: sc.metadata.name, volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
        ...(Array.isArray(sc.mountOptions) ? { mountOptions: sc.mountOptions } : {}),
        ...(node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodes.get(node)?.metadata.labels?.['kubernetes.io/hostname'] ?? node] }] }] } } } : {}),
      },
    };
    try {
      await store.create(pvR, undefined, pv);
    } catch (e) {
      if ((e as { code?: number }).code !== 409) { rec.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${(e as Error).message}`); throw e; }
      return;
    }
    rec.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  async function syncUnbound(pvc: KObject): Promise<void> {
    const className = classOf(pvc);
    const sc = className ? classes.get(className) : undefined;
    const selected: string | undefined = pvc.metadata.annotations?.[SELECTED_NODE];
    if (sc?.volumeBindingMode === 'WaitForFirstConsumer' && !selected) {
      recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    const nodeObj = selected ? nodes.get(selected) : undefined;
    const node = selected ? { name: selected, labels: nodeObj?.metadata.labels ?? {} } : undefined;
    const pv = findMatchingVolume(pvc, pvs.list(), node);
    if (pv) { await bind(pv, pvc); return; }
    if (pvs.byIndexValue('claim', claimKey(pvc)).some((v) => refersTo(v, pvc))) return; // provisioned, binding follows its event
    if (!className) { recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set'); return; }
    if (!sc) { recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`); return; }
    if (sc.provisioner === NO_PROVISIONER) {
      recorder.event(pvc, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${NO_PROVISIONER}`);
      return;
    }
    await provision(pvc, sc, selected);
  }

  async function syncClaim(key: string): Promise<void> {
    const pvc = pvcs.get(key);
    if (!pvc) { for (const pv of pvs.byIndexValue('claim', key)) queue.add(`volume:${pv.metadata.name}`); return; }
    if (pvc.metadata.deletionTimestamp) {
      const inUse = pods.byIndexValue('claims', key).some((p) => !!p.spec?.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
      if (!inUse) await removeFinalizer(pvcR, pvc, PVC_PROTECTION);
      return;
    }
    const volName: string | undefined = pvc.spec?.volumeName;
    if (!volName) { await syncUnbound(pvc); return; }
    const pv = pvs.get(volName);
    if (!pv) {
      if (pvc.status?.phase === 'Bound') {
        recorder.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
        await setClaimPhase(pvc, 'Lost');
      }
      return;
    }
    if (!pv.spec?.claimRef) { // a claim pre-bound by its author to a free volume
      const why = volumeMismatch(pv, pvc);
      if (why) { recorder.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volName}": ${why}`); return; }
      await bind(pv, pvc);
      return;
    }
    if (!refersTo(pv, pvc)) {
      if (pvc.status?.phase === 'Bound') {
        recorder.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
        await setClaimPhase(pvc, 'Lost');
      } else recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${volName}" already bound to a different claim.`);
      return;
    }
    if (pvc.status?.phase !== 'Bound' || pvc.metadata.annotations?.[BIND_COMPLETED] !== 'yes' || pv.status?.phase !== 'Bound') { await bind(pv, pvc); return; }
    await expand(pvc, pv);
  }

  /** A bound claim asking for more than it has (admission allowed it): grow the volume, then the claim's status. */
  async function expand(pvc: KObject, pv: KObject): Promise<void> {
    const want = pvc.spec?.resources?.requests?.storage;
    if (!(bytes(want) > bytes(pvc.status?.capacity?.storage))) return;
    const rec = o.provisionerRecorder(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] ?? 'external-resizer');
    if (bytes(pv.spec?.capacity?.storage) < bytes(want)) {
      rec.event(pvc, 'Normal', 'Resizing', `External resizer is resizing volume ${pv.metadata.name}`);
      await store.guaranteedUpdate(pvR, undefined, pv.metadata.name!, (cur) => {
        if (cur.metadata.uid !== pv.metadata.uid) return cur;
        cur.spec.capacity = { ...(cur.spec.capacity ?? {}), storage: want };
        return cur;
      });
    }
    await store.guaranteedUpdate(pvcR, pvc.metadata.namespace, pvc.metadata.name!, (cur) => {
      if (cur.metadata.uid !== pvc.metadata.uid) return cur;
      cur.status = { ...(cur.status ?? {}), capacity: { ...(cur.status?.capacity ?? {}), storage: want } };
      return cur;
    }, { subresource: 'status' }).catch(ignoreNotFound);
    rec.event(pvc, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
  }

  async function syncVolume(name: string): Promise<void> {
    const pv = pvs.get(name);
    if (!pv) return;
    if (pv.metadata.deletionTimestamp) {
      if (pv.status?.phase !== 'Bound') await removeFinalizer(pvR, pv, PV_PROTECTION);
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref?.name) { await setVolumePhase(pv, 'Available'); return; }
    const key = `${ref.namespace}/${ref.name}`;
    const claim = pvcs.get(key);
    if (!ref.uid || (claim && claim.metadata.uid === ref.uid)) {
      if (claim && claim.spec?.volumeName === name) { await setVolumePhase(pv, 'Bound'); return; }
      if (claim && claim.spec?.volumeName && pv.metadata.annotations?.[BOUND_BY_CONTROLLER] === 'yes') {
        // The claim went to another volume: free this one.
        await store.guaranteedUpdate(pvR, undefined, name, (cur) => { delete cur.spec.claimRef; return cur; }).catch(ignoreNotFound);
        return;
      }
      if (pv.status?.phase !== 'Bound') await setVolumePhase(pv, 'Available');
      if (claim) queue.add(`claim:${key}`);
      return;
    }
    // The claim is gone (or a new claim took its name): release, then reclaim.
    if (pv.status?.phase === 'Failed') return;
    await setVolumePhase(pv, 'Released');
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete') {
      await store.delete(pvR, undefined, name, { preconditions: { uid: pv.metadata.uid } }).catch((e) => { if ((e as { code?: number }).code !== 409) ignoreNotFound(e); });
    } else if (policy === 'Recycle') {
      recorder.event(pv, 'Warning', 'VolumeFailedRecycle', 'Recycle is not supported by Skiff: use Delete or Retain');
      await store.guaranteedUpdate(pvR, undefined, name, (cur) => {
        cur.status = { phase: 'Failed', lastPhaseTransitionTime: now(), message: 'Recycle is not supported by Skiff: use Delete or Retain' };
        return cur;
      }, { subresource: 'status' }).catch(ignoreNotFound);
    }
  }

  const unboundClaimsOf = (className: string) =>
    pvcs.list().filter((c) => classOf(c) === className && !c.spec?.volumeName && !c.metadata.deletionTimestamp).map((c) => `claim:${claimKey(c)}`);
  let queue: WorkQueue;
  const ctl = runController({
    name: 'persistentvolume', clock, log: o.log, workers: 4,
    watch: [
      { informer: pvcs, toKeys: (c) => [`claim:${claimKey(c)}`] },
      // A volume wakes the claim it names or, when free, the unbound claims of its class.
      { informer: pvs, toKeys: (v) => [`volume:${v.metadata.name}`, ...(v.spec?.claimRef?.name ? [`claim:${v.spec.claimRef.namespace}/${v.spec.claimRef.name}`] : unboundClaimsOf(classOf(v)))] },
      { informer: pods, toKeys: (p) => podClaimKeys(p).filter((k) => pvcs.get(k)?.metadata.deletionTimestamp).map((k) => `claim:${k}`) },
      { informer: classes, toKeys: (sc) => unboundClaimsOf(sc.metadata.name!) },
    ],
    reconcile: async (key, q) => {
      queue = q;
      if (key.startsWith('claim:')) await syncClaim(key.slice(6));
      else await syncVolume(key.slice(7));
    },
  });
  queue = ctl.queue;
  return ctl;
}
