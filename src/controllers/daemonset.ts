// DaemonSet controller (after upstream's pkg/controller/daemon): one pod per eligible node.
// - a node is eligible when the template's nodeSelector / required node affinity match it and its
//   NoSchedule/NoExecute taints are tolerated (with the tolerations upstream adds to daemon pods);
// - pods are created for the default scheduler with a required node affinity on metadata.name
//   (upstream's ReplaceDaemonSetPodNodeNameNodeAffinity), labelled controller-revision-hash;
// - pods on nodes that are no longer eligible, extra pods on a node and Failed pods are deleted;
// - RollingUpdate replaces old-revision pods at most maxUnavailable at a time (maxSurge is not
//   supported: replacements happen delete-first); OnDelete replaces only deleted pods;
// - status: desired/current/misscheduled/ready/updated/available/unavailable, observedGeneration;
// - ControllerRevisions `<ds>-<hash>` record each template (daemonset-history.ts), which is what
//   `kubectl rollout history/undo ds` reads.
// Not supported (README): maxSurge.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { PodSpec, PodTemplateSpec, DaemonSet, Node, Pod } from '../types/generated.ts';
import { clone } from '../registry/codec.ts';
import { keyOf, runController } from './runtime.ts';
import type { Controller, Informer, WorkQueue } from './runtime.ts';
import type { EventRecorder } from './events.ts';
import { Expectations } from './expectations.ts';
import { podTemplateHash } from './hash.ts';
import { cleanupDaemonSetHistory, daemonSetHistory, REVISION_HASH } from './daemonset-history.ts';
import { createPods, deletePods } from './podops.ts';
import { controllerRef, ignoreNotFound, intOrPercent, isPodAvailable, isPodReady, newControllerRef, res } from './util.ts';
import { filterNodeAffinity, filterTaints } from '../scheduler/filters.ts';
import { nodeInfoFor } from '../scheduler/nodeinfo.ts';
import type { Toleration } from '../scheduler/nodeinfo.ts';

const dsR = res('apps', 'v1', 'daemonsets');
export { REVISION_HASH };

/** Tolerations upstream adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(spec: Record<string, any>): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const have = (spec.tolerations ?? []) as Toleration[];
  return [...have, ...t.filter((x) => !have.some((h) => h.key === x.key && h.effect === x.effect))];
}

/** The node a daemon pod is for: its nodeName, or the metadata.name in its required node affinity. */
function targetNode(p: Pod): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  for (const t of p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export function daemonPod(ds: DaemonSet, node: string, hash: string): Pod {
  const t: PodTemplateSpec = ds.spec?.template ?? {};
  const spec: PodSpec = clone(t.spec ?? ({} as PodSpec)); // validation requires the template's containers
  spec.tolerations = daemonTolerations(spec);
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { ...(spec.affinity?.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } };
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata.name}-`, namespace: ds.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), [REVISION_HASH]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
      ownerReferences: [newControllerRef(ds)],
    },
    spec,
  };
  if (t.metadata?.annotations) pod.metadata.annotations = { ...t.metadata.annotations };
  return pod;
}

export interface DaemonSetControllerOptions {
  store: Store; clock: Clock; daemonsets: Informer<DaemonSet>; pods: Informer<Pod>; nodes: Informer<Node>; revisions: Informer; recorder: EventRecorder; log?: (m: string) => void;
}

export function daemonSetController(o: DaemonSetControllerOptions): Controller {
  const { store, clock, daemonsets, pods, nodes, revisions, recorder } = o;
  const exp = new Expectations(clock);
  const writer = { store, recorder, exp };
  const dsKeyOf = (p: Pod) => { const r = controllerRef(p); return r?.kind === 'DaemonSet' ? `${p.metadata.namespace}/${r.name}` : undefined; };
  pods.on({
    add: (p) => { const k = dsKeyOf(p); if (k) exp.observedCreate(k); },
    update: (p) => { const k = dsKeyOf(p); if (k && p.metadata.deletionTimestamp) exp.observedDelete(k, keyOf(p)); },
    delete: (p) => { const k = dsKeyOf(p); if (k) exp.observedDelete(k, keyOf(p)); },
  });

  async function reconcile(key: string, queue: WorkQueue): Promise<void> {
    const ds = daemonsets.get(key);
    if (!ds) { exp.forget(key); return; }
    const ns = ds.metadata.namespace!;
    const uid = ds.metadata.uid!;
    const history = ds.metadata.deletionTimestamp ? undefined : await daemonSetHistory(store, revisions, ds);
    const hash: string = history?.cur.metadata.labels?.[REVISION_HASH] ?? podTemplateHash(ds.spec?.template, ds.status?.collisionCount);
    const tolerations = daemonTolerations(ds.spec?.template?.spec ?? {});
    const now = clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const mine = pods.byIndexValue('owner', uid).filter((p) => controllerRef(p)?.uid === uid && !p.metadata.deletionTimestamp);
    const byNode = new Map<string, Pod[]>();
    for (const p of mine) { const n = targetNode(p) ?? ''; byNode.set(n, [...(byNode.get(n) ?? []), p]); }

    const creates: string[] = [];
    const deletes: Pod[] = [];
    let desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
    const oldOnEligible: Pod[] = [];
    let unavailable = 0;
    for (const node of nodes.list()) {
      const name = node.metadata.name!;
      const info = nodeInfoFor(node);
      const podInfo = { pod: { metadata: {}, spec: ds.spec?.template?.spec ?? {} } as KObject, requests: {}, tolerations };
      // NotReady nodes still run daemon pods (the not-ready taint is tolerated); only real taints count.
      const eligible = !node.metadata.deletionTimestamp && filterNodeAffinity(podInfo, info).length === 0 && filterTaints(podInfo, { ...info, ready: true }).length === 0;
      const here = byNode.get(name) ?? [];
      byNode.delete(name);
      if (!eligible) {
        if (here.length) { misscheduled++; deletes.push(...here); }
        continue;
      }
      desired++;
      const live = here.filter((p) => p.status?.phase !== 'Failed');
      deletes.push(...here.filter((p) => p.status?.phase === 'Failed'));
      if (live.length === 0) { creates.push(name); unavailable++; continue; }
      // Keep one pod per node: the newest revision, then the oldest.
      const keep = [...live].sort((a, b) => Number(b.metadata.labels?.[REVISION_HASH] === hash) - Number(a.metadata.labels?.[REVISION_HASH] === hash)
        || (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))[0];
      deletes.push(...live.filter((p) => p !== keep));
      current++;
      if (isPodReady(keep)) ready++;
      const avail = isPodAvailable(keep, minReady, now);
      if (avail) available++; else unavailable++;
      if (keep.metadata.labels?.[REVISION_HASH] === hash) updated++;
      else oldOnEligible.push(keep);
    }
    // Pods for nodes that no longer exist.
    for (const ps of byNode.values()) deletes.push(...ps);

    // Rolling update: replace old pods, unavailable ones first, keeping at most maxUnavailable down.
    const strategy = ds.spec?.updateStrategy ?? {};
    if ((strategy.type ?? 'RollingUpdate') === 'RollingUpdate' && oldOnEligible.length) {
      const maxUnavailable = Math.max(1, intOrPercent(strategy.rollingUpdate?.maxUnavailable, desired, true, '1'));
      const oldDown = oldOnEligible.filter((p) => !isPodAvailable(p, minReady, now));
      const oldUp = oldOnEligible.filter((p) => isPodAvailable(p, minReady, now));
      deletes.push(...oldDown);
      const budget = maxUnavailable - unavailable;
      if (budget > 0) deletes.push(...oldUp.slice(0, budget));
    }

    // A failed create is retried (the error is rethrown) once the status is written.
    let createError: unknown;
    if (exp.satisfied(key) && !ds.metadata.deletionTimestamp) {
      await deletePods(writer, ds, key, [...new Set(deletes)]);
      await createPods(writer, ds, key, creates.map((n) => daemonPod(ds, n, hash))).catch((e) => { createError = e; });
      if (history) await cleanupDaemonSetHistory(store, ds, history.old, pods.byIndexValue('owner', uid).filter((p) => controllerRef(p)?.uid === uid));
    }

    const status: Record<string, any> = {
      ...(ds.status ?? {}),
      currentNumberScheduled: current, numberMisscheduled: misscheduled, desiredNumberScheduled: desired,
      numberReady: ready, observedGeneration: ds.metadata.generation ?? 1, updatedNumberScheduled: updated,
      numberAvailable: available, numberUnavailable: Math.max(0, desired - available),
    };
    for (const k of ['numberAvailable', 'numberUnavailable', 'updatedNumberScheduled']) if (status[k] === 0) delete status[k];
    if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) {
      await store.guaranteedUpdate(dsR, ns, ds.metadata.name!, (cur) => {
        if (cur.metadata.uid !== uid) return cur;
        cur.status = status;
        return cur;
      }, { subresource: 'status' }).catch(ignoreNotFound);
    }
    if (minReady > 0 && ready > available) queue.addAfter(key, minReady * 1000 + 1);
    if (createError) throw createError;
  }

  const allForNode = () => daemonsets.list().map(keyOf);
  return runController({
    name: 'daemonset', clock, log: o.log, workers: 2,
    watch: [{ informer: daemonsets }, { informer: pods, toKeys: (p) => { const k = dsKeyOf(p); return k ? [k] : []; } }, { informer: nodes, toKeys: allForNode },
      { informer: revisions, toKeys: (r) => { const k = dsKeyOf(r); return k ? [k] : []; } }],
    reconcile,
  });
}
