// StatefulSet controller (after upstream's pkg/controller/statefulset): stable pod identities.
// - pods `<set>-<ordinal>` (hostname = pod name, subdomain = serviceName) with labels
//   controller-revision-hash, statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index;
// - volumeClaimTemplates become PVCs `<claim>-<set>-<ordinal>`, created before their pod and
//   referenced by it (persistentVolumeClaimRetentionPolicy whenDeleted: Delete makes the set their
//   owner, so the garbage collector removes them with it; whenScaled is not applied);
// - OrderedReady (default): ordinal i is created only when 0…i-1 are Running, Ready and available;
//   scale-down removes the highest ordinal first, one at a time, and halts while a pod is unhealthy
//   (upstream's firstUnhealthyPod rule); Parallel creates and deletes all at once, healthy or not;
//   Failed and Succeeded pods are deleted and created again on the next sync;
// - RollingUpdate from the highest ordinal down to `partition`, one pod at a time, each waiting for
//   the previous to be Running and Ready again; OnDelete replaces only pods that are deleted;
// - status: replicas, readyReplicas, currentReplicas, updatedReplicas, availableReplicas,
//   currentRevision, updateRevision, observedGeneration, collisionCount;
// - ControllerRevisions `<set>-<hash>` record each template (statefulset-history.ts); pods carry
//   their revision's name as controller-revision-hash, and pods not yet due for the update are
//   recreated from the current revision's template. `kubectl rollout history/undo sts` reads them.
// Not supported (README): maxUnavailable for rolling updates, spec.ordinals.start.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { PodSpec, PodTemplateSpec, PersistentVolumeClaim, Pod, StatefulSet } from '../types/generated.ts';
import { clone } from '../registry/codec.ts';
import { runController } from './runtime.ts';
import type { Controller, Informer, WorkQueue } from './runtime.ts';
import type { EventRecorder } from './events.ts';
import { revisionTemplate } from './history.ts';
import { REVISION_HASH, statefulSetRevisions, truncateStatefulSetHistory } from './statefulset-history.ts';
import type { SetRevisions } from './statefulset-history.ts';
import { controllerRef, ignoreNotFound, isPodAvailable, isPodReady, newControllerRef, res } from './util.ts';

const podsR = res('', 'v1', 'pods');
const pvcR = res('', 'v1', 'persistentvolumeclaims');
const stsR = res('apps', 'v1', 'statefulsets');

const ordinalOf = (set: string, pod: string): number | undefined => {
  const m = new RegExp(`^${set.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(pod);
  return m ? Number(m[1]) : undefined;
};
/** Upstream's isRunningAndReady (terminating pods included) and isHealthy (not terminating). */
const isRunningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
const isHealthy = (p: Pod) => isRunningAndReady(p) && !p.metadata.deletionTimestamp;
const hashOf = (p: Pod): string => p.metadata.labels?.[REVISION_HASH] ?? '';

export function statefulPod(sts: StatefulSet, ordinal: number, revision: string): Pod {
  const name = `${sts.metadata.name}-${ordinal}`;
  const t: PodTemplateSpec = sts.spec?.template ?? {};
  const spec: PodSpec = clone(t.spec ?? ({} as PodSpec)); // validation requires the template's containers
  spec.hostname = name;
  if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
  const claims = (sts.spec?.volumeClaimTemplates ?? []);
  if (claims.length) {
    const vols = (spec.volumes ?? []).filter((v) => !claims.some((c) => c.metadata?.name === v.name));
    // A template without a name is Go's empty string upstream (a claim `-<pod>`, refused), never `undefined-<pod>`.
    for (const c of claims) vols.push({ name: c.metadata.name ?? '', persistentVolumeClaim: { claimName: `${c.metadata.name ?? ''}-${name}` } });
    spec.volumes = vols;
  }
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: sts.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), [REVISION_HASH]: revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal) },
      ownerReferences: [newControllerRef(sts)],
    },
    spec,
  };
  if (t.metadata?.annotations) pod.metadata.annotations = { ...t.metadata.annotations };
  return pod;
}

export interface StatefulSetControllerOptions {
  store: Store; clock: Clock; statefulsets: Informer<StatefulSet>; pods: Informer<Pod>; revisions: Informer; recorder: EventRecorder; log?: (m: string) => void;
}

export function statefulSetController(o: StatefulSetControllerOptions): Controller {
  const { store, clock, statefulsets, pods, revisions, recorder } = o;

  async function ensureClaims(sts: StatefulSet, ordinal: number): Promise<void> {
    const podName = `${sts.metadata.name}-${ordinal}`;
    const deleteWithSet = sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
    for (const c of (sts.spec?.volumeClaimTemplates ?? [])) {
      const name = `${c.metadata.name ?? ''}-${podName}`;
      if (await store.tryGet(pvcR, sts.metadata.namespace, name)) continue;
      const claim: PersistentVolumeClaim = {
        apiVersion: 'v1', kind: 'PersistentVolumeClaim',
        metadata: { name, namespace: sts.metadata.namespace, labels: { ...(c.metadata?.labels ?? {}), ...(sts.spec?.selector?.matchLabels ?? {}) }, ...(deleteWithSet ? { ownerReferences: [newControllerRef(sts)] } : {}) },
        spec: clone(c.spec ?? {}),
      };
      try {
        await store.create(pvcR, sts.metadata.namespace, claim);
        recorder.event(sts, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${sts.metadata.name} success`);
      } catch (e) {
        if ((e as { code?: number }).code === 409) continue;
        recorder.event(sts, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${sts.metadata.name} failed error: ${(e as Error).message}`);
        throw e;
      }
    }
  }

  /** Create the pod for `ordinal` from `revision`'s template, labelled with the revision's name. */
  async function createPod(sts: StatefulSet, ordinal: number, revision: KObject): Promise<void> {
    await ensureClaims(sts, ordinal);
    const name = `${sts.metadata.name}-${ordinal}`;
    const versioned = { ...sts, spec: { ...sts.spec, template: revisionTemplate(revision) } } as StatefulSet;
    try {
      await store.create(podsR, sts.metadata.namespace, statefulPod(versioned, ordinal, revision.metadata.name!));
      recorder.event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`);
    } catch (e) {
      if ((e as { code?: number }).code === 409) return; // the old pod is still terminating
      recorder.event(sts, 'Warning', 'FailedCreate', `create Pod ${name} in StatefulSet ${sts.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }

  async function deletePod(sts: StatefulSet, p: Pod): Promise<void> {
    try {
      await store.delete(podsR, sts.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
      recorder.event(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata.name} in StatefulSet ${sts.metadata.name} successful`);
    } catch (e) { if ((e as { code?: number }).code !== 409) ignoreNotFound(e); }
  }

  async function reconcile(key: string, queue: WorkQueue): Promise<void> {
    const sts = statefulsets.get(key);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const setName = sts.metadata.name!;
    const uid = sts.metadata.uid!;
    const replicas = Math.max(0, sts.spec?.replicas ?? 1);
    const monotonic = sts.spec?.podManagementPolicy !== 'Parallel';
    const revs = await statefulSetRevisions(store, revisions, sts);
    const updateRevision = revs.update.metadata.name!;
    const currentRevision = revs.current.metadata.name!;
    const minReady = sts.spec?.minReadySeconds ?? 0;
    const now = clock.now();
    const available = (p: Pod) => isRunningAndReady(p) && isPodAvailable(p, minReady, now);
    // Pods in [0, replicas) by ordinal; the rest are condemned, highest ordinal first.
    const slots: (Pod | undefined)[] = new Array(replicas).fill(undefined);
    const condemned: Pod[] = [];
    for (const p of pods.byIndexValue('owner', uid)) {
      if (controllerRef(p)?.uid !== uid) continue;
      const i = ordinalOf(setName, p.metadata.name!);
      if (i === undefined) continue;
      if (i < replicas) slots[i] = p; else condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(setName, b.metadata.name!)! - ordinalOf(setName, a.metadata.name!)!);
    // The first unhealthy pod: the lowest missing or unhealthy replica, else the lowest unhealthy condemned one.
    const firstUnhealthy: Pod | 'replica' | undefined = slots.some((p) => !p || !isHealthy(p)) ? 'replica' : [...condemned].reverse().find((p) => !isHealthy(p));

    const blocked = await processReplicas(sts, slots, monotonic, revs, available)
      || await processCondemned(sts, condemned, monotonic, firstUnhealthy, available);
    if (!blocked && (sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') await rollingUpdate(sts, slots, updateRevision);

    const all = [...slots.filter((p): p is Pod => !!p), ...condemned];
    const current = await writeStatus(sts, all, { replicas, minReady, now, currentRevision, updateRevision, collisionCount: revs.collisionCount });
    await truncateStatefulSetHistory(store, sts, all, { ...revs, current: current === updateRevision ? revs.update : revs.current });
    if (minReady > 0 && slots.some((p) => p && isRunningAndReady(p) && !available(p))) queue.addAfter(key, minReady * 1000 + 1);
  }

  /**
   * Upstream's processReplica over [0, replicas): a Failed or Succeeded pod is deleted (recreated on a
   * later sync), a missing one is created; OrderedReady stops at the first pod it acted on or that is
   * terminating, not Running and Ready, or not yet available. True when it stopped.
   */
  async function processReplicas(sts: StatefulSet, slots: (Pod | undefined)[], monotonic: boolean, revs: SetRevisions, available: (p: Pod) => boolean): Promise<boolean> {
    const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let i = 0; i < slots.length; i++) {
      const p = slots[i];
      let stop: boolean;
      if (p && (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded')) {
        if (!p.metadata.deletionTimestamp) await deletePod(sts, p);
        stop = true;
      } else if (!p) {
        // Pods below the partition are recreated at the current revision, the rest at the update revision.
        const rev = sts.spec?.updateStrategy?.type !== 'OnDelete' && i < partition ? revs.current : revs.update;
        await createPod(sts, i, rev);
        stop = true;
      } else stop = !!p.metadata.deletionTimestamp || !isRunningAndReady(p) || !available(p);
      if (stop && monotonic) return true;
    }
    return false;
  }

  /**
   * Upstream's processCondemned, highest ordinal first: OrderedReady deletes one pod per sync and
   * waits while one terminates or while the next is unhealthy (unless it is the first unhealthy pod);
   * Parallel deletes every condemned pod at once.
   */
  async function processCondemned(sts: StatefulSet, condemned: Pod[], monotonic: boolean, firstUnhealthy: Pod | 'replica' | undefined, available: (p: Pod) => boolean): Promise<boolean> {
    for (const p of condemned) {
      if (p.metadata.deletionTimestamp) { if (monotonic) return true; continue; }
      if (monotonic && p !== firstUnhealthy && (!isRunningAndReady(p) || !available(p))) return true;
      await deletePod(sts, p);
      if (monotonic) return true;
    }
    return false;
  }

  /** From the highest ordinal down to the partition: delete the first pod of an old revision; wait at an unhealthy one. */
  async function rollingUpdate(sts: StatefulSet, slots: (Pod | undefined)[], updateRevision: string): Promise<void> {
    const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (let i = slots.length - 1; i >= partition; i--) {
      const p = slots[i];
      if (!p) return; // just created: wait for it
      if (hashOf(p) !== updateRevision && !p.metadata.deletionTimestamp) { await deletePod(sts, p); return; }
      if (!isHealthy(p)) return;
    }
  }

  /** Upstream's updateStatus and completeRollingUpdate, written when it changed; returns the current revision. */
  async function writeStatus(sts: StatefulSet, all: Pod[], o: { replicas: number; minReady: number; now: number; currentRevision: string; updateRevision: string; collisionCount: number }): Promise<string> {
    const created = all.filter((p) => !!p.status?.phase);
    const settled = created.filter((p) => !p.metadata.deletionTimestamp);
    const ready = all.filter(isRunningAndReady);
    let currentReplicas = settled.filter((p) => hashOf(p) === o.currentRevision).length;
    const updated = settled.filter((p) => hashOf(p) === o.updateRevision).length;
    let currentRevision = o.currentRevision;
    if ((sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && updated === o.replicas && ready.length === o.replicas && created.length === o.replicas) {
      currentReplicas = updated;
      currentRevision = o.updateRevision;
    }
    const status = sts.status ?? {};
    const next: Record<string, any> = {
      ...status,
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: created.length,
      readyReplicas: ready.length, currentReplicas, updatedReplicas: updated,
      availableReplicas: ready.filter((p) => isPodAvailable(p, o.minReady, o.now)).length,
      currentRevision, updateRevision: o.updateRevision, collisionCount: o.collisionCount,
    };
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) if (next[k] === 0) delete next[k];
    if (JSON.stringify(next) === JSON.stringify(status)) return currentRevision;
    await store.guaranteedUpdate(stsR, sts.metadata.namespace, sts.metadata.name!, (cur) => {
      if (cur.metadata.uid !== sts.metadata.uid) return cur;
      cur.status = next;
      return cur;
    }, { subresource: 'status' }).catch(ignoreNotFound);
    return currentRevision;
  }

  const setKeyOf = (o: KObject): string[] => { const r = controllerRef(o); return r?.kind === 'StatefulSet' ? [`${o.metadata.namespace}/${r.name}`] : []; };
  return runController({
    name: 'statefulset', clock, log: o.log, workers: 2,
    watch: [{ informer: statefulsets }, { informer: pods, toKeys: setKeyOf }, { informer: revisions, toKeys: setKeyOf }],
    reconcile,
  });
}
