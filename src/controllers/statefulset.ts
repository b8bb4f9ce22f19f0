// StatefulSet controller (after upstream's pkg/controller/statefulset): stable pod identities.
// - pods `<set>-<ordinal>` (hostname = pod name, subdomain = serviceName) with labels
//   controller-revision-hash, statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index;
// - volumeClaimTemplates become PVCs `<claim>-<set>-<ordinal>`, created before their pod and
//   referenced by it (persistentVolumeClaimRetentionPolicy whenDeleted: Delete makes the set their
//   owner, so the garbage collector removes them with it; whenScaled is not applied);
// - OrderedReady (default): ordinal i is created only when 0…i-1 are Running and Ready, scale-down
//   removes the highest ordinal first, one at a time; Parallel creates and deletes all at once;
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
import { controllerRef, ignoreNotFound, isPodAvailable, isPodReady, newControllerRef, res } from './util.ts';

const podsR = res('', 'v1', 'pods');
const pvcR = res('', 'v1', 'persistentvolumeclaims');
const stsR = res('apps', 'v1', 'statefulsets');

const ordinalOf = (set: string, pod: string): number | undefined => {
  const m = new RegExp(`^${set.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(pod);
  return m ? Number(m[1]) : undefined;
};
const runningReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p) && !p.metadata.deletionTimestamp;

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
    const parallel = sts.spec?.podManagementPolicy === 'Parallel';
    const revs = await statefulSetRevisions(store, revisions, sts);
    const updateRevision = revs.update.metadata.name!;
    const hashOf = (p: Pod): string => p.metadata.labels?.[REVISION_HASH] ?? '';
    const minReady = sts.spec?.minReadySeconds ?? 0;
    const now = clock.now();
    const byOrdinal = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const p of pods.byIndexValue('owner', uid)) {
      if (controllerRef(p)?.uid !== uid) continue;
      const i = ordinalOf(setName, p.metadata.name!);
      if (i === undefined) continue;
      if (i >= replicas) condemned.push(p); else byOrdinal.set(i, p);
    }
    const status = sts.status ?? {};
    const currentRevision = revs.current.metadata.name!;

    // Create missing and replace Failed pods; OrderedReady waits for each predecessor.
    let blocked = false;
    for (let i = 0; i < replicas && !blocked; i++) {
      const p = byOrdinal.get(i);
      if (p && p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp) { await deletePod(sts, p); blocked = !parallel; continue; }
      if (!p) {
        // Pods not yet updated are recreated at the current revision, the rest at the update revision.
        const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
        const rev = sts.spec?.updateStrategy?.type === 'OnDelete' || i >= partition ? revs.update : revs.current;
        await createPod(sts, i, rev);
        blocked = !parallel;
        continue;
      }
      if (!parallel && !runningReady(p)) blocked = true;
    }
    // Scale down: highest ordinal first; OrderedReady one at a time, only when the rest is healthy.
    const doomed = condemned.filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => ordinalOf(setName, b.metadata.name!)! - ordinalOf(setName, a.metadata.name!)!);
    if (doomed.length && (parallel || (!blocked && !condemned.some((p) => p.metadata.deletionTimestamp)))) {
      for (const p of parallel ? doomed : doomed.slice(0, 1)) await deletePod(sts, p);
    }

    // Rolling update: highest ordinal ≥ partition with an old revision, when every pod is healthy.
    if ((sts.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && !blocked && !condemned.length) {
      const partition = sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      const all = [...byOrdinal.values()];
      if (all.length === replicas && all.every(runningReady)) {
        for (let i = replicas - 1; i >= partition; i--) {
          const p = byOrdinal.get(i)!;
          if (hashOf(p) !== updateRevision) { await deletePod(sts, p); break; }
        }
      }
    }

    // Status.
    const live = [...byOrdinal.values()].filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter(isPodReady).length;
    const available = live.filter((p) => isPodAvailable(p, minReady, now)).length;
    const updated = live.filter((p) => hashOf(p) === updateRevision).length;
    const onCurrent = live.filter((p) => hashOf(p) === currentRevision).length;
    const done = updated === replicas && live.length === replicas;
    const next: Record<string, any> = {
      ...status,
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: live.length + condemned.filter((p) => !p.metadata.deletionTimestamp).length,
      readyReplicas: ready, currentReplicas: done ? updated : onCurrent, updatedReplicas: updated, availableReplicas: available,
      currentRevision: done ? updateRevision : currentRevision, updateRevision, collisionCount: revs.collisionCount,
    };
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) if (next[k] === 0) delete next[k];
    if (JSON.stringify(next) !== JSON.stringify(status)) {
      await store.guaranteedUpdate(stsR, sts.metadata.namespace, setName, (cur) => {
        if (cur.metadata.uid !== uid) return cur;
        cur.status = next;
        return cur;
      }, { subresource: 'status' }).catch(ignoreNotFound);
    }
    await truncateStatefulSetHistory(store, sts, [...byOrdinal.values(), ...condemned], { ...revs, current: done ? revs.update : revs.current });
    if (minReady > 0 && ready > available) queue.addAfter(key, minReady * 1000 + 1);
  }

  const setKeyOf = (o: KObject): string[] => { const r = controllerRef(o); return r?.kind === 'StatefulSet' ? [`${o.metadata.namespace}/${r.name}`] : []; };
  return runController({
    name: 'statefulset', clock, log: o.log, workers: 2,
    watch: [{ informer: statefulsets }, { informer: pods, toKeys: setKeyOf }, { informer: revisions, toKeys: setKeyOf }],
    reconcile,
  });
}
