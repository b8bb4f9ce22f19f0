// The node lifecycle controller (after upstream's pkg/controller/nodelifecycle), for every Node:
// - a node whose kubelet has not renewed its Lease nor posted status for the grace period (40 s)
//   gets its conditions set to Unknown (reason NodeStatusUnknown) and the
//   `node.kubernetes.io/unreachable` NoSchedule and NoExecute taints (`not-ready` ones for a node that
//   reports Ready=False); once it reports Ready again the taints go;
// - taint eviction: pods on a node with NoExecute taints they do not tolerate are deleted at once;
//   those tolerating them with tolerationSeconds are deleted when that time has passed.
// A monitor pass every 5 s looks at every node (in memory). When simulated time jumps forward
// (clock advance), kubelets get a short grace to renew before anyone is judged.
import { rfc3339 } from '../clock.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Lease, Node, NodeCondition, Pod } from '../types/generated.ts';
import type { Informer } from './runtime.ts';
import { runController } from './runtime.ts';
import type { Controller } from './runtime.ts';
import { ignoreNotFound, res } from './util.ts';
import { tolerates } from '../scheduler/filters.ts';
import type { Taint, Toleration } from '../scheduler/nodeinfo.ts';

export const NODE_MONITOR_GRACE_MS = 40_000;
export const NODE_MONITOR_PERIOD_MS = 5_000;
/** After a clock jump, how long kubelets have to catch up before nodes are judged. */
export const JUMP_GRACE_MS = 2_000;
export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';
const NODE_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

type Cond = NodeCondition;
const conds = (n: Node): Cond[] => n.status?.conditions ?? [];
const readyOf = (n: Node) => conds(n).find((c) => c.type === 'Ready');

/** The last sign of life of a node: its Lease renewal or its Ready heartbeat, whichever is later. */
export function lastSeen(node: Node, lease: Lease | undefined): number {
  const hb = Date.parse(readyOf(node)?.lastHeartbeatTime ?? '') || 0;
  const renew = Date.parse(lease?.spec?.renewTime ?? '') || 0;
  return Math.max(hb, renew, Date.parse(node.metadata.creationTimestamp ?? '') || 0);
}

export function nodeLifecycleController(opts: { store: Store; clock: Clock; nodes: Informer<Node>; leases: Informer<Lease>; pods: Informer<Pod>; log?: (m: string) => void }): Controller {
  const { store, clock, nodes, leases, pods } = opts;
  const nodesR = res('', 'v1', 'nodes');
  const podsR = res('', 'v1', 'pods');
  let lastTick = clock.now();
  let judgeAfter = 0;
  // As upstream, a node is first observed when the controller starts: after a restart on an old
  // data directory every kubelet gets the full grace period to renew before anyone is judged.
  const startedAt = clock.now();

  const ctl = runController({
    name: 'node-lifecycle-controller', clock, log: opts.log,
    watch: [{ informer: nodes }, { informer: leases, toKeys: (l) => (l.metadata.namespace === 'kube-node-lease' ? [l.metadata.name!] : []) }],
    reconcile: async (name, queue) => {
      const node = nodes.get(name);
      if (!node) return;
      const now = clock.now();
      const seen = Math.max(startedAt, lastSeen(node, leases.get(`kube-node-lease/${name}`)));
      const ready = readyOf(node);
      if (now - seen > NODE_MONITOR_GRACE_MS && now >= judgeAfter) {
        if (ready?.status !== 'Unknown') await markUnknown(name, now);
      } else if (now - seen > NODE_MONITOR_GRACE_MS) {
        queue.addAfter(name, judgeAfter - now);
      } else if (now - seen <= NODE_MONITOR_GRACE_MS) {
        queue.addAfter(name, seen + NODE_MONITOR_GRACE_MS - now + 1);
      }
      await reconcileTaints(name, queue);
    },
  });

  async function markUnknown(name: string, now: number): Promise<void> {
    await store.guaranteedUpdate(nodesR, undefined, name, (n) => {
      const have = conds(n);
      const out: Cond[] = have.map((c) => (NODE_CONDITIONS.includes(c.type) && c.status !== 'Unknown'
        ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) }
        : c));
      for (const type of NODE_CONDITIONS) {
        if (!have.some((c) => c.type === type)) out.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: rfc3339(now), lastTransitionTime: rfc3339(now) });
      }
      n.status = { ...(n.status ?? {}), conditions: out };
      return n;
    }, { subresource: 'status' }).catch(ignoreNotFound);
  }

  /** unreachable (Ready Unknown) / not-ready (Ready False) taints follow the Ready condition; then pods that do not tolerate NoExecute go. */
  async function reconcileTaints(name: string, queue: { addAfter(k: string, ms: number): void }): Promise<void> {
    const node = nodes.get(name);
    if (!node) return;
    const status = readyOf(node)?.status;
    const want = status === 'Unknown' ? UNREACHABLE : status === 'False' ? NOT_READY : undefined;
    const taints = (node.spec?.taints ?? []) as Taint[];
    const ours = taints.filter((t) => (t.key === UNREACHABLE || t.key === NOT_READY) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute'));
    const right = want ? ours.length === 2 && ours.every((t) => t.key === want) && new Set(ours.map((t) => t.effect)).size === 2 : ours.length === 0;
    if (!right) {
      const now = clock.now();
      await store.guaranteedUpdate(nodesR, undefined, name, (n) => {
        const rest = ((n.spec?.taints ?? []) as Taint[]).filter((t) => !((t.key === UNREACHABLE || t.key === NOT_READY) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute')));
        const add = want ? [{ key: want, effect: 'NoSchedule' }, { key: want, effect: 'NoExecute', timeAdded: rfc3339(now) }] : [];
        const next = [...rest, ...add];
        n.spec = { ...(n.spec ?? {}), taints: next.length ? next : undefined };
        return n;
      }).catch(ignoreNotFound);
      return; // the update brings this node back through the queue
    }
    await evictPods(node, queue);
  }

  async function evictPods(node: Node, queue: { addAfter(k: string, ms: number): void }): Promise<void> {
    const noExecute = ((node.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'NoExecute');
    if (!noExecute.length) return;
    const now = clock.now();
    let nextDue = Infinity;
    for (const pod of pods.byIndexValue('node', node.metadata.name!)) {
      if (pod.metadata.deletionTimestamp || ['Succeeded', 'Failed'].includes(pod.status?.phase ?? '')) continue;
      const due = evictionTime(pod, noExecute, now);
      if (due === Infinity) continue;
      if (due > now) { nextDue = Math.min(nextDue, due); continue; }
      await store.delete(podsR, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } }).catch(ignoreNotFound);
    }
    if (nextDue !== Infinity) queue.addAfter(node.metadata.name!, nextDue - now);
  }

  // The monitor pass: every node is looked at on the upstream rhythm; a late tick means a jump.
  const monitor: TimerHandle = clock.setInterval(() => {
    const now = clock.now();
    if (now - lastTick > 2 * NODE_MONITOR_PERIOD_MS) judgeAfter = now + JUMP_GRACE_MS;
    lastTick = now;
    for (const n of nodes.list()) ctl.queue.add(n.metadata.name!);
  }, NODE_MONITOR_PERIOD_MS);
  return { ...ctl, stop: () => { monitor.cancel(); ctl.stop(); } };
}

/** When a pod must leave a node with these NoExecute taints: now, later, or never (Infinity). */
export function evictionTime(pod: Pod, noExecute: (Taint & { timeAdded?: string })[], now: number): number {
  const tols = (pod.spec?.tolerations ?? []) as (Toleration & { tolerationSeconds?: number })[];
  let due = Infinity;
  for (const t of noExecute) {
    const matching = tols.filter((tol) => tolerates([tol], t));
    if (!matching.length) return now;
    const secs = matching.map((m) => m.tolerationSeconds).filter((s): s is number => typeof s === 'number');
    if (!secs.length) continue; // tolerated forever
    const added = Date.parse(t.timeAdded ?? '') || now;
    due = Math.min(due, added + Math.max(0, Math.min(...secs)) * 1000);
  }
  return due;
}
