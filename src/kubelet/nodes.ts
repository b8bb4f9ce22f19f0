// Simulated nodes: registration (Node objects `skiff-node-<n>`), the node Lease in kube-node-lease
// renewed every 10 s of clock time, and node status (conditions' heartbeat) every 5 min (upstream's
// nodeStatusReportFrequency; the Lease is the liveness signal) or at once when the conditions the
// kubelet would report differ from the stored ones (e.g. after the node went Unknown). One timer
// drives every node; each tick renews the slice of leases that fall due, so thousands of nodes cost
// a steady trickle of writes rather than bursts.
import { rfc3339, rfc3339Micro } from '../clock.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { KUBE_VERSION } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { StatusError } from '../errors.ts';
import { res } from '../controllers/util.ts';
import type { Informer } from '../controllers/runtime.ts';
import { adoptNode, SIMULATED_ANNOTATION } from './adopt.ts';

export const LEASE_SECONDS = 40;
export const LEASE_RENEW_MS = 10_000;
export const STATUS_MS = 300_000;
export const HEARTBEAT_ANNOTATION = 'skiff.dev/heartbeat';
const TICK_MS = 1_000;

export interface NodeShape {
  cpu: string; memory: string; pods: string; ephemeralStorage: string;
}
export const DEFAULT_SHAPE: NodeShape = { cpu: '16', memory: '64Gi', pods: '110', ephemeralStorage: '100Gi' };

export function nodeName(i: number): string { return `skiff-node-${i}`; }

/** What a pool gives one of its nodes (see pools.ts). */
export interface NodeTemplate { name: string; capacity: Record<string, string>; labels: Record<string, string>; taints: { key: string; value?: string; effect: string }[] }

/** Upstream kubelets also set the deprecated beta spellings of these labels. */
const BETA_LABELS: Record<string, string> = {
  'topology.kubernetes.io/zone': 'failure-domain.beta.kubernetes.io/zone',
  'topology.kubernetes.io/region': 'failure-domain.beta.kubernetes.io/region',
  'node.kubernetes.io/instance-type': 'beta.kubernetes.io/instance-type',
};

/** The Node object a simulated kubelet registers (index i from 0: addresses and podCIDR). */
export function nodeObject(i: number, now: number, shape: NodeShape = DEFAULT_SHAPE, tmpl?: NodeTemplate): KObject {
  const obj = defaultNodeObject(i, now, shape);
  if (!tmpl) return obj;
  const name = tmpl.name;
  const labels: Record<string, string> = { ...obj.metadata.labels, 'kubernetes.io/hostname': name, ...tmpl.labels };
  for (const [ga, beta] of Object.entries(BETA_LABELS)) if (tmpl.labels[ga] !== undefined) labels[beta] = tmpl.labels[ga];
  obj.metadata.name = name;
  obj.metadata.labels = labels;
  obj.status.capacity = { ...tmpl.capacity };
  obj.status.allocatable = { ...tmpl.capacity };
  obj.status.addresses[1].address = name;
  if (tmpl.taints.length) obj.spec.taints = tmpl.taints.map((t) => ({ ...t }));
  return obj;
}

/** The node templates of a set of pools, in order (`<pool>-0`, `<pool>-1`, ...). */
export function poolTemplates(pools: { name: string; count: number; capacity: Record<string, string>; labels: Record<string, string>; taints: NodeTemplate['taints'] }[]): NodeTemplate[] {
  const out: NodeTemplate[] = [];
  for (const p of pools) for (let k = 0; k < p.count; k++) out.push({ name: `${p.name}-${k}`, capacity: p.capacity, labels: p.labels, taints: p.taints });
  return out;
}

function defaultNodeObject(i: number, now: number, shape: NodeShape): KObject {
  const name = nodeName(i);
  const ip = `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`;
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: shape.pods, 'ephemeral-storage': shape.ephemeralStorage };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'skiff',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'skiff.dev/simulated': 'true' },
    },
    spec: { podCIDR: podCidr(i), podCIDRs: [podCidr(i)] },
    status: {
      capacity: { ...resources }, allocatable: { ...resources },
      conditions: nodeConditions(now, now),
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: `skiff${String(i).padStart(27, '0')}`, systemUUID: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, bootID: `skiff-boot-${i}`,
        kernelVersion: '6.1.0-skiff', osImage: 'Skiff simulated node', containerRuntimeVersion: 'containerd://1.7.0-skiff',
        kubeletVersion: KUBE_VERSION.gitVersion, kubeProxyVersion: KUBE_VERSION.gitVersion, operatingSystem: 'linux', architecture: 'amd64',
      },
    },
  };
}

/** 10.244.<i>.0/24 for the first 256 nodes, then onwards through 10.245.x, 10.246.x, ... */
export function podCidr(i: number): string { return `10.${244 + Math.floor(i / 256)}.${i % 256}.0/24`; }

export function nodeConditions(heartbeat: number, transition: number): Record<string, string>[] {
  const hb = rfc3339(heartbeat), tr = rfc3339(transition);
  return [
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: hb, lastTransitionTime: tr, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: hb, lastTransitionTime: tr, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: hb, lastTransitionTime: tr, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', lastHeartbeatTime: hb, lastTransitionTime: tr, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
}

export interface NodeSimulator { names: string[]; stop(): void }

/** Register `count` nodes (keeping existing ones) and keep their leases and heartbeats going. */
export async function startNodes(store: Store, clock: Clock, count: number | NodeTemplate[], log?: (m: string) => void, nodes?: Informer): Promise<NodeSimulator> {
  const nodesR = res('', 'v1', 'nodes');
  const leasesR = res('coordination.k8s.io', 'v1', 'leases');
  const names: string[] = [];
  const uids = new Map<string, string>();
  const templates = typeof count === 'number' ? undefined : count;
  const n = templates ? templates.length : count as number;
  for (let i = 0; i < n; i++) {
    const obj = nodeObject(i, clock.now(), DEFAULT_SHAPE, templates?.[i]);
    names.push(obj.metadata.name!);
    let node: KObject;
    try { node = await store.create(nodesR, undefined, obj); }
    catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      node = await store.get(nodesR, undefined, obj.metadata.name!);
    }
    uids.set(node.metadata.name!, node.metadata.uid!);
    await renewLease(node.metadata.name!);
  }

  // Nodes created (or left from an earlier run) with the simulated annotation are adopted; a deleted
  // node's kubelet stops. Adoptions run one at a time so podCIDRs never collide.
  let adopting: Promise<unknown> = Promise.resolve();
  nodes?.on({
    add: (n) => {
      const name = n.metadata.name!;
      if (names.includes(name) || n.metadata.annotations?.[SIMULATED_ANNOTATION] !== 'true') return;
      names.push(name);
      uids.set(name, n.metadata.uid!);
      adopting = adopting.then(async () => {
        const used = new Set(nodes.list().map((x) => x.spec?.podCIDR).filter((c): c is string => !!c));
        if (!n.spec?.podCIDR || !n.status?.conditions?.length) await adoptNode(store, clock, name, used);
        await renewLease(name);
      }).catch((e) => log?.(`adopting node ${name}: ${(e as Error).message}`));
    },
    delete: (n) => {
      const at = names.indexOf(n.metadata.name!);
      if (at >= 0 && uids.get(n.metadata.name!) === n.metadata.uid) { names.splice(at, 1); uids.delete(n.metadata.name!); }
    },
  });

  /** One kubelet beat: unless the node is gone or its heartbeat is stopped, renew the Lease (and fix a stale status). */
  async function beat(name: string): Promise<void> {
    const node = await store.get(nodesR, undefined, name).catch(() => undefined);
    if (!node || node.metadata.annotations?.[HEARTBEAT_ANNOTATION] === 'stopped') return;
    const ready = ((node.status?.conditions ?? []) as Record<string, string>[]).find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') await heartbeat(name);
    await renewLease(name);
  }

  async function renewLease(name: string): Promise<void> {
    const now = rfc3339Micro(clock.now());
    const uid = uids.get(name);
    try {
      await store.guaranteedUpdate(leasesR, 'kube-node-lease', name, (l) => { l.spec = { ...(l.spec ?? {}), holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS, renewTime: now }; return l; });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
      await store.create(leasesR, 'kube-node-lease', {
        metadata: { name, namespace: 'kube-node-lease', ownerReferences: uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid }] : undefined },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS, renewTime: now },
      }).catch(() => {});
    }
  }

  async function heartbeat(name: string): Promise<void> {
    const now = clock.now();
    await store.guaranteedUpdate(nodesR, undefined, name, (n) => {
      // A node marked to stop its heartbeat keeps its last status (so it can go NotReady on purpose).
      if (n.metadata.annotations?.[HEARTBEAT_ANNOTATION] === 'stopped') return n;
      const conds = (n.status?.conditions ?? []) as Record<string, string>[];
      const healthy = nodeConditions(now, now);
      // Conditions that already say what the kubelet reports keep their transition time.
      n.status = { ...(n.status ?? {}), conditions: healthy.map((h) => {
        const c = conds.find((x) => x.type === h.type);
        return c && c.status === h.status && c.reason === h.reason ? { ...h, lastTransitionTime: c.lastTransitionTime ?? h.lastTransitionTime } : h;
      }) };
      return n;
    }, { subresource: 'status' }).catch(() => {});
  }

  // One tick per second renews the nodes whose turn it is (spread over the period).
  let tick = 0;
  const leaseSlots = LEASE_RENEW_MS / TICK_MS, statusSlots = STATUS_MS / TICK_MS;
  let busy = false;
  let lastTick = clock.now();
  let jumped = false;
  const timer: TimerHandle = clock.setInterval(() => {
    // A tick far later than due means simulated time jumped: every node beats once now, not once
    // per missed period.
    const now = clock.now();
    jumped ||= now - lastTick > 2 * TICK_MS;
    lastTick = now;
    if (busy) return;
    tick++;
    const all = jumped;
    jumped = false;
    const due: Promise<void>[] = [];
    for (let i = 0; i < names.length; i++) {
      if (all || (i + tick) % leaseSlots === 0) due.push(beat(names[i]).catch((e) => log?.(`lease ${names[i]}: ${(e as Error).message}`)));
      if ((i + tick) % statusSlots === 0) due.push(heartbeat(names[i]));
    }
    if (due.length) { busy = true; void Promise.all(due).finally(() => { busy = false; }); }
  }, TICK_MS);
  return { names, stop: () => timer.cancel() };
}
