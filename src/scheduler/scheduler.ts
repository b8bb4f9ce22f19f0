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
// A pod that fits nowhere may preempt lower-priority pods (preemption.ts and victims.ts decide,
// preempt-act.ts acts): it is nominated to the node (status.nominatedNodeName, nominator.ts), whose
// victims are marked DisruptionTarget and deleted gracefully; until it is placed, nominated pods
// count on their node for pods of lower or equal priority, so those do not take the room being freed.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Namespace, Node, Pod, PodDisruptionBudget } from '../types/generated.ts';
import { bindPod } from '../api/subresources.ts';
import { deepEqual } from '../util/deep-equal.ts';
import { keyOf, splitKey, WorkQueue } from '../controllers/runtime.ts';
import type { Controller, Informer } from '../controllers/runtime.ts';
import type { EventRecorder } from '../controllers/events.ts';
import { ignoreNotFound, res } from '../controllers/util.ts';
import type { HostPort, NodeInfo, Resources } from './nodeinfo.ts';
import { adjustNodeInfo, cloneNodeInfo, nodeInfoFor, podHostPorts, podRequests } from './nodeinfo.ts';
import { NOT_HELPFUL, POLICY_NEVER, preempt } from './preemption.ts';
import { carryOutPreemption } from './preempt-act.ts';
import { podPriority } from './victims.ts';
import type { NodePod } from './victims.ts';
import { Nominator } from './nominator.ts';
import type { Nomination } from './nominator.ts';
import type { PodInfo } from './filters.ts';
import { filterNodeAffinity, filterTaints, runFilters, unschedulableMessage } from './filters.ts';
import { scoreNodes } from './score.ts';
import { interPodStateOf, newPlacedPods, preferredInterPodStateOf } from './interpod.ts';
import { spreadConstraints, spreadStateOf } from './spread.ts';
import { podVolumesOf, VolumeBinds } from './volumes.ts';
import type { VolumeInformers } from './volumes.ts';
import { SELECTED_NODE } from '../controllers/volumes/binder.ts';

export const SCHEDULER_NAME = 'default-scheduler';
const RETRY_UNSCHEDULABLE_MS = 60_000;

/** How many feasible nodes to look for (upstream's numFeasibleNodesToFind with the adaptive percentage). */
export function feasibleNodesToFind(total: number): number {
  if (total < 100) return total;
  const pct = Math.max(5, 50 - Math.floor(total / 125));
  return Math.max(100, Math.floor((total * pct) / 100));
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const wantsUs = (p: Pod) => (p.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;

export interface Scheduler extends Controller {
  /** Schedule one pod now (tests): returns the node name or the unschedulable message. */
  nodes: Map<string, NodeInfo>;
}

export function startScheduler(opts: { store: Store; clock: Clock; pods: Informer<Pod>; nodes: Informer<Node>; namespaces?: Informer<Namespace>; pdbs?: Informer<PodDisruptionBudget>; volumes?: VolumeInformers; recorder: EventRecorder; log?: (m: string) => void }): Scheduler {
  const { store, clock, pods, nodes, recorder } = opts;
  const podsR = res('', 'v1', 'pods');
  const pvcsR = res('', 'v1', 'persistentvolumeclaims');
  const infos = new Map<string, NodeInfo>();
  let order: string[] = [];
  let orderDirty = true;
  let cursor = 0;
  /** Pods counted on a node: podKey → where and how much (covers assumed pods not yet seen bound). */
  const accounted = new Map<string, { node: string; req: Resources; ports: HostPort[]; priority: number }>();
  /** The same, by node, and how many have each priority (so preemption knows at once when no pod is lower). */
  const onNode = new Map<string, Set<string>>();
  const priorities = new Map<number, number>();
  const remember = (key: string, a: { node: string; req: Resources; ports: HostPort[]; priority: number }) => {
    accounted.set(key, a);
    let set = onNode.get(a.node);
    if (!set) onNode.set(a.node, set = new Set());
    set.add(key);
    priorities.set(a.priority, (priorities.get(a.priority) ?? 0) + 1);
  };
  const forget = (key: string) => {
    const a = accounted.get(key);
    if (!a) return;
    accounted.delete(key);
    const set = onNode.get(a.node);
    set?.delete(key);
    if (set && !set.size) onNode.delete(a.node);
    const n = priorities.get(a.priority)! - 1;
    if (n) priorities.set(a.priority, n); else priorities.delete(a.priority);
  };
  const lowestPlacedPriority = () => { let m = Infinity; for (const p of priorities.keys()) if (p < m) m = p; return m; };
  const unschedulable = new Set<string>();
  /** Unschedulable pods with required podAffinity: a pod placed anywhere may be what they wait for. */
  const waitingForPods = new Set<string>();
  /** The accounted pods, indexed for affinity and spread counts (which cover known nodes only). */
  const index = newPlacedPods();
  /** Pods assumed onto a node, waiting for their WaitForFirstConsumer claims to be Bound. */
  const volumeBinds = new VolumeBinds();
  /** Unplaced pods nominated to a node by preemption. */
  const nominated = new Nominator();
  const setNominated = (key: string, n?: Nomination) => nominated.set(key, n);

  const account = (key: string, node: string | undefined, req?: Resources, ports: HostPort[] = []) => {
    const prev = accounted.get(key);
    if (prev && prev.node === node) return;
    if (prev) {
      const ni = infos.get(prev.node);
      if (ni) adjustNodeInfo(ni, prev.req, -1, prev.ports);
      forget(key);
      index.remove(key);
    }
    if (node && req) {
      const pod = pods.get(key);
      remember(key, { node, req, ports, priority: podPriority(pod) });
      if (pod) index.place(key, pod, node);
      const ni = infos.get(node);
      if (ni) adjustNodeInfo(ni, req, 1, ports);
      for (const k of waitingForPods) queue.add(k);
    }
  };
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
      for (const k of [...(onNode.get(ni.name) ?? [])]) { const a = accounted.get(k)!; forget(k); account(k, a.node, a.req, a.ports); }
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
      setNominated(k);
      unschedulable.delete(k);
      waitingForPods.delete(k);
      volumeBinds.delete(k);
      if (accounted.has(k)) { account(k, undefined); retryUnschedulable(); }
    },
  });
  function onPod(p: Pod): void {
    const k = keyOf(p);
    const node = p.spec?.nodeName;
    if (node || isTerminal(p) || p.metadata.deletionTimestamp) setNominated(k);
    else if (p.status?.nominatedNodeName && nominated.get(k)?.node !== p.status.nominatedNodeName) {
      setNominated(k, { node: p.status.nominatedNodeName, req: podRequests(p), ports: podHostPorts(p), priority: podPriority(p) });
    }
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
    if (volumeBinds.get(key)) { await finishVolumeBind(key, pod); return; }
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || !wantsUs(pod) || accounted.has(key)) return;
    const pi: PodInfo = { pod, requests: podRequests(pod), tolerations: pod.spec?.tolerations ?? [], hostPorts: podHostPorts(pod) };
    // VolumeBinding's PreFilter: a claim problem rules out every node.
    const vols = opts.volumes && pod.spec?.volumes?.length ? podVolumesOf(pod, opts.volumes, (k) => pods.byIndexValue('claims', k)) : undefined;
    if (vols && 'message' in vols) {
      unschedulable.add(key);
      // Upstream marks every node UnschedulableAndUnresolvable, so preemption cannot help.
      const n = infos.size;
      const why = pod.spec?.preemptionPolicy === 'Never' ? POLICY_NEVER : unschedulableMessage(n, new Map([[NOT_HELPFUL, n]]));
      await markUnschedulable(pod, n ? `0/${n} nodes are available: ${vols.message}. preemption: ${why}` : 'no nodes available to schedule pods');
      queue.addAfter(key, RETRY_UNSCHEDULABLE_MS);
      return;
    }
    if (vols?.filter) pi.volumes = vols.filter;
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
    const chosen = pick(pi, key);
    if (typeof chosen !== 'string') {
      unschedulable.add(key);
      if (pi.interPod?.affinity.length || pi.spread) waitingForPods.add(key);
      let message = chosen.message;
      let nominate: string | undefined;
      if (chosen.failed.length) {
        const r = preemptFor(key, pi, chosen.failed);
        if ('candidate' in r) nominate = r.candidate.node.name;
        else {
          message += ` preemption: ${r.message}`;
          if (r.clearNominated && (pod.status?.nominatedNodeName || nominated.has(key))) { setNominated(key); nominate = ''; }
        }
        if ('candidate' in r) await carryOutPreemption({ store, clock, recorder, schedulerName: SCHEDULER_NAME, log: opts.log }, pod, r.candidate, nominated);
      }
      await markUnschedulable(pod, message, nominate);
      queue.addAfter(key, RETRY_UNSCHEDULABLE_MS);
      return;
    }
    setNominated(key);
    unschedulable.delete(key);
    waitingForPods.delete(key);
    account(key, chosen, pi.requests, pi.hostPorts); // assume
    try {
      // VolumeBinding's PreBind: tell the provisioner where the pod goes, then wait for the claims.
      for (const pvc of vols?.delayed ?? []) {
        if (pvc.metadata.annotations?.[SELECTED_NODE] === chosen) continue;
        await store.guaranteedUpdate(pvcsR, pvc.metadata.namespace, pvc.metadata.name!, (c) => {
          if (c.metadata.uid !== pvc.metadata.uid || c.spec?.volumeName) return c;
          c.metadata.annotations = { ...(c.metadata.annotations ?? {}), [SELECTED_NODE]: chosen };
          return c;
        });
      }
    } catch (e) {
      account(key, undefined); // forget the assumption
      throw e;
    }
    if (vols?.delayed.length) {
      volumeBinds.start(key, chosen, vols.delayed, clock.now());
      await finishVolumeBind(key, pod);
      return;
    }
    await bindTo(key, pod, chosen);
  }

  async function bindTo(key: string, pod: Pod, node: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    try {
      await bindPod(store, namespace, { target: { kind: 'Node', name: node } }, name, false);
      recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
    } catch (e) {
      account(key, undefined); // forget the assumption
      ignoreNotFound(e);
    }
  }

  /** A pod assumed onto a node waits here until its WaitForFirstConsumer claims are Bound. */
  async function finishVolumeBind(key: string, pod: Pod | undefined): Promise<void> {
    const b = volumeBinds.get(key)!;
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp) {
      volumeBinds.delete(key);
      if (!pod?.spec?.nodeName) account(key, undefined);
      return;
    }
    if (volumeBinds.unbound(b, opts.volumes!.pvcs).length) {
      const left = b.deadline - clock.now();
      if (left > 0) { queue.addAfter(key, left + 1); return; } // a claim update re-queues us sooner
      volumeBinds.delete(key);
      account(key, undefined);
      unschedulable.add(key);
      recorder.event(pod, 'Warning', 'FailedScheduling', 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded');
      queue.addAfter(key, RETRY_UNSCHEDULABLE_MS);
      return;
    }
    volumeBinds.delete(key);
    await bindTo(key, pod, b.node);
  }

  // A claim appearing or getting bound, or a new volume, may unblock pods waiting on volumes.
  opts.volumes?.pvcs.on({
    add: () => retryUnschedulable(),
    update: (c, old) => {
      if (c.status?.phase === old.status?.phase && c.spec?.volumeName === old.spec?.volumeName) return;
      retryUnschedulable();
      for (const k of volumeBinds.waitingOn(keyOf(c))) queue.add(k);
    },
  });
  opts.volumes?.pvs.on({ add: () => retryUnschedulable() });

  const nsLabels = (ns: string) => opts.namespaces?.get(ns)?.metadata.labels;
  // Namespace selectors in affinity terms read namespace labels.
  opts.namespaces?.on({
    add: () => index.namespacesChanged(),
    update: (n, old) => { if (!deepEqual(n.metadata.labels, old.metadata.labels)) index.namespacesChanged(); },
    delete: () => index.namespacesChanged(),
  });

  /** The pods counted on a node, as preemption sees them. */
  function podsOn(node: string): NodePod[] {
    const out: NodePod[] = [];
    const now = clock.now();
    for (const k of onNode.get(node) ?? []) {
      const pod = pods.get(k), a = accounted.get(k)!;
      if (pod) out.push({ key: k, pod, priority: a.priority, start: Date.parse(pod.status?.startTime ?? '') || now, req: a.req, ports: a.ports });
    }
    return out;
  }

  function preemptFor(key: string, pi: PodInfo, failed: [NodeInfo, string[]][]) {
    const prio = podPriority(pi.pod);
    const r = preempt({
      pi, failed, nominatedNode: nominated.get(key)?.node ?? pi.pod.status?.nominatedNodeName,
      anyLower: lowestPlacedPriority() < prio,
      podsOn,
      nominatedOn: (n) => nominated.roomFor(n, key, prio),
      pdbs: opts.pdbs?.list() ?? [], nsLabels, random: () => clock.random(),
    });
    // Nominate now, so that pods scheduled while the victims go leave the room alone.
    if ('candidate' in r) setNominated(key, { node: r.candidate.node.name, req: pi.requests, ports: pi.hostPorts ?? [], priority: prio });
    return r;
  }

  /** `ni` as `key` (of `priority`) must see it: with the nominated pods it has to leave room for. */
  function withNominated(ni: NodeInfo, key: string, priority: number): NodeInfo {
    if (!nominated.anyOn(ni.name)) return ni;
    const extra = nominated.roomFor(ni.name, key, priority);
    if (!extra.length) return ni;
    const view = cloneNodeInfo(ni);
    for (const e of extra) adjustNodeInfo(view, e.req, 1, e.ports);
    return view;
  }

  function pick(p: PodInfo, key: string): string | { message: string; failed: [NodeInfo, string[]][] } {
    if (orderDirty) { order = [...infos.keys()].sort(); orderDirty = false; cursor = 0; }
    const total = order.length;
    const want = feasibleNodesToFind(total);
    const reasons = new Map<string, number>();
    const feasible: NodeInfo[] = [];
    const failed: [NodeInfo, string[]][] = [];
    const prio = podPriority(p.pod);
    // Upstream's evaluateNominatedNode: a pod nominated by an earlier preemption takes its node if it fits there.
    const nom = nominated.get(key)?.node ?? p.pod.status?.nominatedNodeName;
    const nomInfo = nom ? infos.get(nom) : undefined;
    if (nomInfo && !runFilters(p, withNominated(nomInfo, key, prio)).length) return nomInfo.name;
    let i = 0;
    for (; i < total && feasible.length < want; i++) {
      const ni = infos.get(order[(cursor + i) % total]);
      if (!ni) continue;
      const fail = runFilters(p, withNominated(ni, key, prio));
      if (fail.length) { for (const r of fail) reasons.set(r, (reasons.get(r) ?? 0) + 1); failed.push([ni, fail]); continue; }
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
    return { message: unschedulableMessage(total, reasons), failed };
  }

  /** nominate: the node to set as status.nominatedNodeName ('' clears it; undefined leaves it). */
  async function markUnschedulable(pod: Pod, message: string, nominate?: string): Promise<void> {
    const cur = ((pod.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[]).find((c) => c.type === 'PodScheduled');
    const sameNomination = nominate === undefined || (pod.status?.nominatedNodeName ?? '') === nominate;
    if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message && sameNomination) return;
    recorder.event(pod, 'Warning', 'FailedScheduling', message);
    await store.guaranteedUpdate(podsR, pod.metadata.namespace, pod.metadata.name!, (p) => {
      if (p.metadata.uid !== pod.metadata.uid || p.spec?.nodeName) return p;
      const conds = ((p.status?.conditions ?? []) as { type: string }[]).filter((c) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(clock.now()), reason: 'Unschedulable', message } as { type: string });
      p.status = { ...(p.status ?? {}), phase: p.status?.phase ?? 'Pending', conditions: conds };
      if (nominate) p.status.nominatedNodeName = nominate;
      else if (nominate === '') delete p.status.nominatedNodeName;
      return p;
    }, { subresource: 'status' }).catch(ignoreNotFound);
  }

  return { name: 'scheduler', queue, nodes: infos, stop: () => queue.stop() };
}
