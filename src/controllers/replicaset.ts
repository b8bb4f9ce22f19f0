// ReplicaSet and ReplicationController: keep `spec.replicas` pods from the template running
// (upstream's ReplicaSetController; an RC is the same logic with a map selector).
// - pods are created with generateName `<rs>-` and a controller ownerReference;
// - orphans matching the selector are adopted, owned pods that stop matching are released;
// - surplus pods are deleted in upstream's order (unscheduled, pending, not ready, ... newest first);
// - status: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration.
import type { Clock } from '../clock.ts';
import { rfc3339 } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Pod, PodSpec, PodTemplateSpec, ReplicaSet, ReplicaSetStatus, ReplicationController, ReplicationControllerStatus } from '../types/generated.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { fromLabelSelectorObject, matchLabels } from '../api/selectors.ts';
import type { LabelSelector } from '../api/selectors.ts';
import { clone } from '../registry/codec.ts';
import { keyOf, runController } from './runtime.ts';
import type { Controller, Informer, WorkQueue } from './runtime.ts';
import { Expectations } from './expectations.ts';
import { createPods, deletePods } from './podops.ts';
import type { EventRecorder } from './events.ts';
import { adoptOrphan, controllerRef, ignoreNotFound, isPodActive, isPodAvailable, isPodReady, newControllerRef, podCondition, res, ts } from './util.ts';

/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
const BURST = 500;

export interface ReplicaControllerOptions {
  store: Store; clock: Clock; pods: Informer<Pod>; owners: Informer<ReplicaSet | ReplicationController>; recorder: EventRecorder; log?: (m: string) => void;
}

function selectorOf(o: ReplicaSet | ReplicationController): LabelSelector | null {
  if (o.kind === 'ReplicationController') {
    const spec = (o as ReplicationController).spec;
    const m = spec?.selector ?? spec?.template?.metadata?.labels;
    return m && Object.keys(m).length ? fromLabelSelectorObject({ matchLabels: m }) : null;
  }
  return fromLabelSelectorObject((o as ReplicaSet).spec?.selector);
}

/**
 * Deletion order, most deletable first (upstream's ActivePodsWithRanks.Less): unassigned before
 * assigned; Pending before Unknown before Running; not ready before ready; more pods of this owner
 * on the same node first; lower pod-deletion-cost first; ready for less time first; more restarts
 * first; newer first.
 */
export function rankForDeletion<P extends Pod>(pods: P[]): P[] {
  const perNode = new Map<string, number>();
  for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
  const phaseRank = (p: Pod) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase ?? 'Pending'] ?? 0;
  const cost = (p: Pod) => Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0) || 0;
  const readySince = (p: Pod) => Date.parse(podCondition(p, 'Ready')?.lastTransitionTime ?? '') || 0;
  const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((a, c) => Math.max(a, c.restartCount ?? 0), 0);
  return [...pods].sort((a, b) => {
    const an = a.spec?.nodeName ? 1 : 0, bn = b.spec?.nodeName ? 1 : 0;
    if (an !== bn) return an - bn;
    if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
    const ar = isPodReady(a) ? 1 : 0, br = isPodReady(b) ? 1 : 0;
    if (ar !== br) return ar - br;
    const ac = perNode.get(a.spec?.nodeName ?? '') ?? 0, bc = perNode.get(b.spec?.nodeName ?? '') ?? 0;
    if (ac !== bc) return bc - ac;
    if (cost(a) !== cost(b)) return cost(a) - cost(b);
    if (ar && br && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
    if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
    return ts(b) - ts(a) || (b.metadata.name! < a.metadata.name! ? -1 : 1);
  });
}

/** The pod an owner's template describes. */
export function podFromTemplate(owner: KObject & { spec?: { template?: PodTemplateSpec } }): Pod & { spec: PodSpec } {
  const t: PodTemplateSpec = owner.spec?.template ?? {};
  const meta = t.metadata ?? {};
  const pod: Pod & { spec: PodSpec } = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ownerReferences: [newControllerRef(owner)],
    },
    // Validation requires a template's containers; an owner stored without a template spec gets an empty one.
    spec: clone(t.spec ?? ({} as PodSpec)),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

export function replicaController(kind: 'ReplicaSet' | 'ReplicationController', o: ReplicaControllerOptions): Controller {
  const { store, clock, pods, owners, recorder } = o;
  const podsR = res('', 'v1', 'pods');
  const ownerR: ResourceInfo = kind === 'ReplicaSet' ? res('apps', 'v1', 'replicasets') : res('', 'v1', 'replicationcontrollers');
  const exp = new Expectations(clock);
  const writer = { store, recorder, exp };
  const ownerKeyOf = (pod: Pod): string | undefined => {
    const ref = controllerRef(pod);
    return ref?.kind === kind ? `${pod.metadata.namespace}/${ref.name}` : undefined;
  };
  // Pod events feed expectations before they reach the queue.
  pods.on({
    add: (p) => { const k = ownerKeyOf(p); if (k) { exp.observedCreate(k); if (p.metadata.deletionTimestamp) exp.observedDelete(k, keyOf(p)); } },
    update: (p) => { const k = ownerKeyOf(p); if (k && p.metadata.deletionTimestamp) exp.observedDelete(k, keyOf(p)); },
    delete: (p) => { const k = ownerKeyOf(p); if (k) exp.observedDelete(k, keyOf(p)); },
  });
  const ownersForPod = (p: Pod): string[] => {
    const k = ownerKeyOf(p);
    if (k) return [k];
    if (controllerRef(p)) return [];
    // An orphan: every owner in the namespace whose selector matches may adopt it.
    const out: string[] = [];
    for (const rs of owners.byIndexValue('namespace', p.metadata.namespace!)) {
      const sel = selectorOf(rs);
      if (sel && matchLabels(sel, p.metadata.labels)) out.push(keyOf(rs));
    }
    return out;
  };

  async function reconcile(key: string, queue: WorkQueue): Promise<void> {
    const rs = owners.get(key);
    if (!rs) { exp.forget(key); return; }
    const ns = rs.metadata.namespace!;
    const uid = rs.metadata.uid!;
    const sel = selectorOf(rs);
    if (!sel) return; // validation forbids it; nothing sane to do
    const deleting = !!rs.metadata.deletionTimestamp;
    // Claim: owned pods that still match, plus orphans that match (adopted), minus those that stopped matching (released).
    const mine: Pod[] = [];
    for (const p of pods.byIndexValue('owner', uid)) {
      if (controllerRef(p)?.uid !== uid) continue;
      if (matchLabels(sel, p.metadata.labels)) { mine.push(p); continue; }
      if (p.metadata.deletionTimestamp) continue;
      await store.guaranteedUpdate(podsR, ns, p.metadata.name!, (cur) => {
        cur.metadata.ownerReferences = (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        if (!cur.metadata.ownerReferences.length) delete cur.metadata.ownerReferences;
        return cur;
      }).catch(ignoreNotFound);
    }
    if (!deleting) {
      for (const p of pods.byIndexValue('orphan', ns)) {
        if (p.metadata.deletionTimestamp || !matchLabels(sel, p.metadata.labels)) continue;
        const adopted = await adoptOrphan(store, podsR, p, rs);
        if (adopted) mine.push(adopted);
      }
    }
    const active = mine.filter(isPodActive);
    const want = Math.max(0, rs.spec?.replicas ?? 1);
    // A refused create (quota, admission) is reported in the ReplicaFailure condition, then retried with back-off.
    let manageErr: Error | undefined;
    if (!deleting && exp.satisfied(key)) {
      const diff = active.length - want;
      try {
        if (diff < 0) {
          const template = podFromTemplate(rs);
          await createPods(writer, rs, key, Array.from({ length: Math.min(-diff, BURST) }, () => template));
        } else if (diff > 0) {
          await deletePods(writer, rs, key, rankForDeletion(active).slice(0, Math.min(diff, BURST)));
        }
      } catch (e) { manageErr = e as Error; }
    }
    // Status from what the cache shows now.
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const now = clock.now();
    const tplLabels = rs.spec?.template?.metadata?.labels ?? {};
    let fully = 0, ready = 0, available = 0, waitMs = 0;
    for (const p of active) {
      if (Object.entries(tplLabels).every(([k, v]) => p.metadata.labels?.[k] === v)) fully++;
      if (isPodReady(p)) {
        ready++;
        if (isPodAvailable(p, minReady, now)) available++;
        else {
          const t = Date.parse(podCondition(p, 'Ready')?.lastTransitionTime ?? '') || now;
          waitMs = Math.max(waitMs, t + minReady * 1000 - now);
        }
      }
    }
    const status: Record<string, unknown> = {
      ...(rs.status ?? {}),
      replicas: active.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) if (status[f] === 0) delete status[f];
    const conditions = failureConditions(rs.status?.conditions, manageErr, active.length - want, clock.now());
    if (conditions !== rs.status?.conditions) status.conditions = conditions;
    if (!sameStatus(rs.status, status) || conditions !== rs.status?.conditions) {
      await store.guaranteedUpdate(ownerR, ns, rs.metadata.name!, (cur) => {
        if (cur.metadata.uid !== uid) return cur;
        cur.status = { ...(cur.status ?? {}), ...status };
        for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[f] === undefined) delete cur.status[f];
        if (!cur.status.conditions?.length) delete cur.status.conditions;
        return cur;
      }, { subresource: 'status' }).catch(ignoreNotFound);
    }
    if (manageErr) throw manageErr;
    // Pods that will become available once minReadySeconds pass.
    if (waitMs > 0) queue.addAfter(key, waitMs + 1);
  }

  return runController({
    name: kind.toLowerCase(), clock, log: o.log, workers: 8,
    watch: [{ informer: owners }, { informer: pods, toKeys: ownersForPod }],
    reconcile,
  });
}

type Condition = { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string };

/**
 * Upstream's calculateStatus: a failed create or delete sets ReplicaFailure (FailedCreate or
 * FailedDelete, the error as message) if none is set; a sync without error removes it. Returns the
 * same array when nothing changes.
 */
export function failureConditions(current: Condition[] | undefined, err: Error | undefined, diff: number, now: number): Condition[] | undefined {
  const has = current?.some((c) => c.type === 'ReplicaFailure');
  if (err && !has) {
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    return [...(current ?? []), { type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason, message: err.message }];
  }
  if (!err && has) return current!.filter((c) => c.type !== 'ReplicaFailure');
  return current;
}

function sameStatus(a: ReplicaSetStatus | ReplicationControllerStatus | undefined, b: Record<string, unknown>): boolean {
  if (!a) return false;
  const cur: Record<string, unknown> = { ...a };
  for (const k of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) if ((cur[k] ?? 0) !== (b[k] ?? 0)) return false;
  return true;
}
