// The scheduler: places unscheduled pods (schedulerName default-scheduler or unset) on nodes.
// A scheduling decision is synchronous (filter, score, assume the pod onto the node's accounting),
// binding through pods/binding is asynchronous, so many binds are in flight while decisions stay
// consistent. Like upstream, only a share of a large cluster's nodes is examined per pod
// (percentageOfNodesToScore), starting where the previous pod's search stopped.
// Pods that fit nowhere get PodScheduled=False/Unschedulable and a FailedScheduling event and are
// retried when a node or pod changes in a way that could make room. Filters follow upstream's
// default order (filters.ts); inter-pod affinity and topology spread state is built per attempt
// only for pods that need it (interpod.ts, spread.ts), from an index of the placed pods that is kept
// as pods are placed, removed or relabelled and nodes relabelled (placed-index.ts).
// The queue is ordered as upstream's PrioritySort: higher spec.priority first, then arrival.
// Not supported: preemption (so messages lack upstream's trailing "preemption: ..." part).
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { bindPod } from '../api/subresources.ts';
import { deepEqual } from '../util/deep-equal.ts';
import { keyOf, splitKey, WorkQueue } from '../controllers/runtime.ts';
import type { Controller, Informer } from '../controllers/runtime.ts';
import type { EventRecorder } from '../controllers/events.ts';
import { ignoreNotFound, res } from '../controllers/util.ts';
import type { HostPort, NodeInfo, Resources } from './nodeinfo.ts';
import { nodeInfoFor, nonZero, podHostPorts, podRequests } from './nodeinfo.ts';
import type { PodInfo } from './filters.ts';
import { filterNodeAffinity, filterTaints, runFilters, unschedulableMessage } from './filters.ts';
import { scoreNodes } from './score.ts';
import { interPodStateOf, newPlacedPods, preferredInterPodStateOf } from './interpod.ts';
import { spreadConstraints, spreadStateOf } from './spread.ts';

export const SCHEDULER_NAME = 'default-scheduler';
const RETRY_UNSCHEDULABLE_MS = 60_000;

/** How many feasible nodes to look for (upstream's numFeasibleNodesToFind with the adaptive percentage). */
export function feasibleNodesToFind(total: number): number {
  if (total < 100) return total;
  const pct = Math.max(5, 50 - Math.floor(total / 125));
  return Math.max(100, Math.floor((total * pct) / 100));
}

const isTerminal = (p: KObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const wantsUs = (p: KObject) => (p.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;

export interface Scheduler extends Controller {
  /** Schedule one pod now (tests): returns the node name or the unschedulable message. */
  nodes: Map<string, NodeInfo>;
}

export function startScheduler(opts: { store: Store; clock: Clock; pods: Informer; nodes: Informer; namespaces?: Informer; recorder: EventRecorder; log?: (m: string) => void }): Scheduler {
  const { store, clock, pods, nodes, recorder } = opts;
  const podsR = res('', 'v1', 'pods');
  const infos = new Map<string, NodeInfo>();
  let order: string[] = [];
  let orderDirty = true;
  let cursor = 0;
  /** Pods counted on a node: podKey → where and how much (covers assumed pods not yet seen bound). */
  const accounted = new Map<string, { node: string; req: Resources; ports: HostPort[] }>();
  const unschedulable = new Set<string>();
  /** Unschedulable pods with required podAffinity: a pod placed anywhere may be what they wait for. */
  const waitingForPods = new Set<string>();
  /** The accounted pods, indexed for affinity and spread counts (which cover known nodes only). */
  const index = newPlacedPods();

  const account = (key: string, node: string | undefined, req?: Resources, ports: HostPort[] = []) => {
    const prev = accounted.get(key);
    if (prev && prev.node === node) return;
    if (prev) {
      const ni = infos.get(prev.node);
      if (ni) adjust(ni, prev.req, -1, prev.ports);
      accounted.delete(key);
      index.remove(key);
    }
    if (node && req) {
      accounted.set(key, { node, req, ports });
      const pod = pods.get(key);
      if (pod) index.place(key, pod, node);
      const ni = infos.get(node);
      if (ni) adjust(ni, req, 1, ports);
      for (const k of waitingForPods) queue.add(k);
    }
  };
  function adjust(ni: NodeInfo, req: Resources, sign: 1 | -1, ports: HostPort[]): void {
    if (ports.length) {
      if (sign > 0) ni.usedPorts = [...ni.usedPorts, ...ports];
      else ni.usedPorts = ni.usedPorts.filter((u) => !ports.includes(u));
    }
    for (const [k, v] of Object.entries(req)) ni.requested[k] = (ni.requested[k] ?? 0) + sign * v;
    const nz = nonZero(req);
    ni.nonZero.cpu += sign * nz.cpu; ni.nonZero.memory += sign * nz.memory;
    ni.podCount += sign;
  }
  const retryUnschedulable = () => { for (const k of unschedulable) queue.add(k); };

  // Upstream's PrioritySort: higher spec.priority first, then first queued.
  const queue = new WorkQueue(clock, (k) => scheduleOne(k), 32, (k) => {
    const p = pods.get(k)?.spec?.priority;
    return typeof p === 'number' ? p : 0;
  });
  queue.onError = (key, err) => opts.log?.(`scheduler: ${key}: ${(err as Error)?.message ?? err}`);

  nodes.on({
    add: (n) => {
      const ni = nodeInfoFor(n);
      infos.set(ni.name, ni);
      index.setNode(ni.name, ni.labels);
      // Pods seen before their node: count them now.
      for (const [k, a] of accounted) if (a.node === ni.name) { accounted.delete(k); account(k, a.node, a.req, a.ports); }
      orderDirty = true;
      retryUnschedulable();
    },
    update: (n, old) => {
      const prev = infos.get(n.metadata.name!);
      const ni = nodeInfoFor(n, prev);
      infos.set(ni.name, ni);
      index.setNode(ni.name, ni.labels);
      if (!prev || prev.ready !== ni.ready || prev.unschedulable !== ni.unschedulable || !deepEqual(n.spec, old.spec) ||
        !deepEqual(n.metadata.labels, old.metadata.labels) || !deepEqual(n.status?.allocatable, old.status?.allocatable)) retryUnschedulable();
    },
    delete: (n) => { infos.delete(n.metadata.name!); index.setNode(n.metadata.name!, undefined); orderDirty = true; },
  });
  pods.on({
    add: (p) => onPod(p),
    update: (p, old) => {
      // Affinity and spread depend on other pods' labels.
      if (p.spec?.nodeName && !deepEqual(p.metadata.labels, old.metadata.labels)) retryUnschedulable();
      onPod(p);
      // What the index matched on: labels (all), deletion (spread), anti-affinity terms (groups).
      const a = accounted.get(keyOf(p));
      if (a && (!deepEqual(p.metadata.labels, old.metadata.labels) || p.metadata.deletionTimestamp !== old.metadata.deletionTimestamp ||
        !deepEqual(p.spec?.affinity, old.spec?.affinity))) index.place(keyOf(p), p, a.node);
      else index.refresh(keyOf(p), p);
    },
    delete: (p) => {
      const k = keyOf(p);
      unschedulable.delete(k);
      waitingForPods.delete(k);
      if (accounted.has(k)) { account(k, undefined); retryUnschedulable(); }
    },
  });
  function onPod(p: KObject): void {
    const k = keyOf(p);
    const node = p.spec?.nodeName;
    if (node) {
      unschedulable.delete(k);
      waitingForPods.delete(k);
      if (isTerminal(p)) { if (accounted.has(k)) { account(k, undefined); retryUnschedulable(); } }
      else if (!accounted.has(k)) account(k, node, podRequests(p), podHostPorts(p));
      return;
    }
    if (p.metadata.deletionTimestamp || !wantsUs(p) || isTerminal(p)) return;
    if (!unschedulable.has(k)) queue.add(k);
  }

  async function scheduleOne(key: string): Promise<void> {
    const pod = pods.get(key);
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || !wantsUs(pod) || accounted.has(key)) return;
    const pi: PodInfo = { pod, requests: podRequests(pod), tolerations: pod.spec?.tolerations ?? [], hostPorts: podHostPorts(pod) };
    // The index's counts are live: everything below until account() reads them synchronously.
    pi.interPod = interPodStateOf(pod, index, nsLabels);
    pi.preferredInterPod = preferredInterPodStateOf(pod, index, nsLabels);
    const anyway = spreadConstraints(pod, 'ScheduleAnyway');
    if (anyway.length) {
      pi.spreadAnyway = spreadStateOf(pod, anyway, infos.values(), index, {
        matchesAffinity: (n) => !filterNodeAffinity(pi, n).length, toleratesTaints: (n) => !filterTaints(pi, n).length,
      });
    }
    pi.spread = spreadStateOf(pod, spreadConstraints(pod, 'DoNotSchedule'), infos.values(), index, {
      matchesAffinity: (n) => !filterNodeAffinity(pi, n).length, toleratesTaints: (n) => !filterTaints(pi, n).length,
    });
    const chosen = pick(pi);
    if (typeof chosen !== 'string') {
      unschedulable.add(key);
      if (pi.interPod?.affinity.length || pi.spread) waitingForPods.add(key);
      await markUnschedulable(pod, chosen.message);
      queue.addAfter(key, RETRY_UNSCHEDULABLE_MS);
      return;
    }
    unschedulable.delete(key);
    waitingForPods.delete(key);
    account(key, chosen, pi.requests, pi.hostPorts); // assume
    const { namespace, name } = splitKey(key);
    try {
      await bindPod(store, namespace, { target: { kind: 'Node', name: chosen } }, name, false);
      recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${chosen}`);
    } catch (e) {
      account(key, undefined); // forget the assumption
      ignoreNotFound(e);
    }
  }

  const nsLabels = (ns: string) => opts.namespaces?.get(ns)?.metadata.labels;
  // Namespace selectors in affinity terms read namespace labels.
  opts.namespaces?.on({
    add: () => index.namespacesChanged(),
    update: (n, old) => { if (!deepEqual(n.metadata.labels, old.metadata.labels)) index.namespacesChanged(); },
    delete: () => index.namespacesChanged(),
  });

  function pick(p: PodInfo): string | { message: string } {
    if (orderDirty) { order = [...infos.keys()].sort(); orderDirty = false; cursor = 0; }
    const total = order.length;
    const want = feasibleNodesToFind(total);
    const reasons = new Map<string, number>();
    const feasible: NodeInfo[] = [];
    let i = 0;
    for (; i < total && feasible.length < want; i++) {
      const ni = infos.get(order[(cursor + i) % total]);
      if (!ni) continue;
      const fail = runFilters(p, ni);
      if (fail.length) { for (const r of fail) reasons.set(r, (reasons.get(r) ?? 0) + 1); continue; }
      feasible.push(ni);
    }
    cursor = total ? (cursor + i) % total : 0;
    const scores = scoreNodes(p, feasible);
    let best: string | undefined, bestScore = -Infinity, ties = 0;
    for (let j = 0; j < feasible.length; j++) {
      const s = scores[j];
      if (s > bestScore) { best = feasible[j].name; bestScore = s; ties = 1; }
      else if (s === bestScore) { ties++; if (clock.random() * ties < 1) best = feasible[j].name; } // reservoir pick among equals
    }
    if (best) return best;
    return { message: unschedulableMessage(total, reasons) };
  }

  async function markUnschedulable(pod: KObject, message: string): Promise<void> {
    const cur = ((pod.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[]).find((c) => c.type === 'PodScheduled');
    if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
    recorder.event(pod, 'Warning', 'FailedScheduling', message);
    await store.guaranteedUpdate(podsR, pod.metadata.namespace, pod.metadata.name!, (p) => {
      if (p.metadata.uid !== pod.metadata.uid || p.spec?.nodeName) return p;
      const conds = ((p.status?.conditions ?? []) as { type: string }[]).filter((c) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(clock.now()), reason: 'Unschedulable', message } as { type: string });
      p.status = { ...(p.status ?? {}), phase: p.status?.phase ?? 'Pending', conditions: conds };
      return p;
    }, { subresource: 'status' }).catch(ignoreNotFound);
  }

  return { name: 'scheduler', queue, nodes: infos, stop: () => queue.stop() };
}
