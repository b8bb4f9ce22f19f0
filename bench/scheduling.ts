// Scheduling benchmark: Deployments whose pods constrain each other (required podAntiAffinity on
// hostname; a zone topology spread constraint; preferred podAntiAffinity on hostname), with the controllers, scheduler and simulated
// kubelet in process on the real clock (in-memory SQLite, no HTTP). Figures are wall-clock from the
// Deployment's create to every replica Running, and include the kubelet's simulated start delay
// (1 s ± 10%) and the ReplicaSet controller's slow-start batches.
//   node bench/scheduling.ts [--quick] [anti|spread|preferred|preempt]
import { RealClock } from '../src/clock.ts';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { Store } from '../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../src/registry/kinds-adapter.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { startControllers } from '../src/controllers/index.ts';
import { findResource } from '../src/registry/resources.ts';
import { DEFAULT_SHAPE } from '../src/kubelet/nodes.ts';
import type { NodeTemplate } from '../src/kubelet/nodes.ts';
import type { KObject } from '../src/registry/strategy.ts';

const deployments = findResource('apps', 'v1', 'deployments')!;
const capacity = { cpu: DEFAULT_SHAPE.cpu, memory: DEFAULT_SHAPE.memory, pods: DEFAULT_SHAPE.pods, 'ephemeral-storage': DEFAULT_SHAPE.ephemeralStorage };
const ZONE = 'topology.kubernetes.io/zone';

async function cluster(templates: NodeTemplate[]) {
  const clock = new RealClock();
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const ctl = await startControllers({ store, clock, nodes: templates.length, nodeTemplates: templates });
  return { store, ctl, async close() { await ctl.stop(); await backend.close(); } };
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !!cond();
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Creates a Deployment of `replicas` pods with `podSpec` extras and reports the time to all Running. */
async function deploymentToRunning(out: Record<string, string | number>, label: string, templates: NodeTemplate[], replicas: number, podSpec: Record<string, unknown>) {
  const c = await cluster(templates);
  try {
    const podsInformer = c.ctl.informers.get('/pods')!;
    const nodesInformer = c.ctl.informers.get('/nodes')!;
    if (!await waitFor(() => nodesInformer.list(undefined).length === templates.length, 120_000)) { out[label] = 'nodes did not register'; return; }
    let running = 0, bound = 0, tBound = 0;
    podsInformer.on({ update: (p, old) => {
      if (p.spec?.nodeName && !old.spec?.nodeName && ++bound === replicas) tBound = performance.now();
      if (p.status?.phase === 'Running' && old.status?.phase !== 'Running') running++;
    } });
    const d: KObject = {
      metadata: { name: 'app' },
      spec: {
        replicas, selector: { matchLabels: { app: 'app' } },
        template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...podSpec } },
      },
    };
    const t0 = performance.now();
    await c.store.create(deployments, 'default', d);
    const ok = await waitFor(() => running >= replicas, 600_000);
    out[`${label} → all scheduled`] = tBound ? sec(tBound - t0) : `timed out (${bound} bound)`;
    out[`${label} → all Running`] = ok ? sec(performance.now() - t0) : `timed out (${running} running)`;
  } finally { await c.close(); }
}

/**
 * Preemption: `nodes` nodes filled by a low-priority Deployment (4 pods of 4 cpu per 16-cpu node),
 * then a high-priority Deployment of one 8-cpu pod per node; each high pod preempts two low pods
 * (whose ReplicaSet recreates them, to wait Pending). Time from the high Deployment's create to every
 * high replica Running, which includes the victims' graceful deletion (1 s) and the start delay.
 */
async function preemptionToRunning(out: Record<string, string | number>, nodes: number) {
  const templates: NodeTemplate[] = Array.from({ length: nodes }, (_, i) => ({ name: `node-${i}`, capacity, labels: {}, taints: [] }));
  const c = await cluster(templates);
  const label = `preemption: ${nodes} high pods each evicting 2 of ${nodes * 4} low pods (${nodes} nodes)`;
  try {
    const pods = c.ctl.informers.get('/pods')!;
    if (!await waitFor(() => c.ctl.informers.get('/nodes')!.list(undefined).length === nodes, 120_000)) { out[label] = 'nodes did not register'; return; }
    const pcs = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
    for (const [name, value] of [['low', 10], ['high', 1000]] as const) await c.store.create(pcs, undefined, { metadata: { name }, value });
    const dep = (name: string, replicas: number, cpu: string): KObject => ({
      metadata: { name },
      spec: {
        replicas, selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { priorityClassName: name, containers: [{ name: 'c', image: 'nginx:1.25', resources: { requests: { cpu } } }] } },
      },
    });
    const runningOf = (app: string) => pods.list(undefined).filter((p) => p.metadata.labels?.app === app && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).length;
    await c.store.create(deployments, 'default', dep('low', nodes * 4, '4'));
    if (!await waitFor(() => runningOf('low') === nodes * 4, 600_000)) { out[label] = 'low pods did not all run'; return; }
    const t0 = performance.now();
    await c.store.create(deployments, 'default', dep('high', nodes, '8'));
    const ok = await waitFor(() => runningOf('high') === nodes, 600_000);
    out[`${label} → all high Running`] = ok ? sec(performance.now() - t0) : `timed out (${runningOf('high')} running)`;
  } finally { await c.close(); }
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  const out: Record<string, string | number> = {};
  const replicas = quick ? 300 : 1000;
  const only = ['anti', 'spread', 'preferred', 'preempt'].find((a) => process.argv.includes(a));
  if (!only || only === 'anti') {
    const hosts: NodeTemplate[] = Array.from({ length: replicas }, (_, i) => ({ name: `host-${i}`, capacity, labels: {}, taints: [] }));
    await deploymentToRunning(out, `${replicas}-replica Deployment, required anti-affinity on hostname (${replicas} nodes)`, hosts, replicas, {
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'app' } }, topologyKey: 'kubernetes.io/hostname' }] } },
    });
  }
  if (!only || only === 'spread') {
    const zoned: NodeTemplate[] = Array.from({ length: 100 }, (_, i) => ({ name: `zoned-${i}`, capacity, labels: { [ZONE]: `zone-${'abc'[i % 3]}` }, taints: [] }));
    await deploymentToRunning(out, `${replicas}-replica Deployment, zone spread maxSkew 1 DoNotSchedule (100 nodes, 3 zones)`, zoned, replicas, {
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'app' } } }],
    });
  }
  if (!only || only === 'preferred') {
    const hundred: NodeTemplate[] = Array.from({ length: 100 }, (_, i) => ({ name: `node-${i}`, capacity, labels: {}, taints: [] }));
    await deploymentToRunning(out, `${replicas}-replica Deployment, preferred anti-affinity on hostname (100 nodes)`, hundred, replicas, {
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'app' } }, topologyKey: 'kubernetes.io/hostname' } }] } },
    });
  }
  if (!only || only === 'preempt') await preemptionToRunning(out, quick ? 100 : 300);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(100)} ${v}`);
  process.exit(0);
}
