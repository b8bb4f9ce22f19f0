// Workload benchmark: the controllers, scheduler and simulated kubelet in process on the real clock
// (in-memory SQLite, no HTTP). Figures are wall-clock and include the kubelet's default simulated
// start delay (1 s ± 10%) for every pod.
//   node bench/workloads.ts [--quick]
import { findResource } from '../src/registry/resources.ts';
import { cluster } from './in-process.ts';
import type { KObject } from '../src/registry/strategy.ts';

const pods = findResource('', 'v1', 'pods')!;
const deployments = findResource('apps', 'v1', 'deployments')!;


async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function deploymentBench(out: Record<string, string | number>, replicas: number) {
  const c = await cluster(100);
  try {
    const d: KObject = {
      metadata: { name: 'big' },
      spec: {
        replicas, selector: { matchLabels: { app: 'big' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
      },
    };
    const informer = c.ctl.informers.get('apps/deployments')!;
    const status = () => informer.get('default/big')?.status ?? {};
    let t0 = performance.now();
    await c.store.create(deployments, 'default', d);
    const ok1 = await waitFor(() => status().availableReplicas === replicas, 120_000);
    out[`${replicas}-replica Deployment → Available (100 nodes)`] = ok1 ? sec(performance.now() - t0) : 'timed out';
    t0 = performance.now();
    await c.store.guaranteedUpdate(deployments, 'default', 'big', (x) => { x.spec.template.spec.containers[0].image = 'nginx:1.27'; return x; });
    const ok2 = await waitFor(() => {
      const s = status();
      return s.observedGeneration === 2 && s.updatedReplicas === replicas && s.availableReplicas === replicas && s.replicas === replicas;
    }, 180_000);
    out[`${replicas}-replica rolling update (25%/25%) → complete`] = ok2 ? sec(performance.now() - t0) : 'timed out';
  } finally { await c.close(); }
}

async function podBench(out: Record<string, string | number>, nodes: number, count: number) {
  const c = await cluster(nodes);
  try {
    const informer = c.ctl.informers.get('/pods')!;
    let running = 0;
    informer.on({ update: (p, old) => { if (p.status?.phase === 'Running' && old.status?.phase !== 'Running') running++; } });
    const t0 = performance.now();
    const template = (i: number): KObject => ({ metadata: { name: `p-${i}` }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => { while (next < count) await c.store.create(pods, 'default', template(next++)); }));
    const created = performance.now() - t0;
    const ok = await waitFor(() => running >= count, 300_000);
    const total = performance.now() - t0;
    out[`${count} pods on ${nodes} nodes: created in`] = sec(created);
    out[`${count} pods on ${nodes} nodes: all Running after`] = ok ? sec(total) : `timed out (${running} running)`;
    out[`${count} pods on ${nodes} nodes: pods created→Running per second`] = ok ? Math.round(count / (total / 1000)) : 0;
    out[`${count} pods on ${nodes} nodes: RSS`] = `${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`;
  } finally { await c.close(); }
}

/** Many small Deployments at once: `count` × `replicas` pods to Available. */
async function manyDeploymentsBench(out: Record<string, string | number>, count: number, replicas: number) {
  const c = await cluster(100);
  try {
    const informer = c.ctl.informers.get('apps/deployments')!;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => c.store.create(deployments, 'default', {
      metadata: { name: `d${i}` },
      spec: { replicas, selector: { matchLabels: { app: `d${i}` } }, template: { metadata: { labels: { app: `d${i}` } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
    })));
    const ok = await waitFor(() => informer.list('default').filter((d) => d.status?.availableReplicas === replicas).length === count, 120_000);
    out[`${count} Deployments × ${replicas} replicas → all Available (100 nodes)`] = ok ? sec(performance.now() - t0) : 'timed out';
  } finally { await c.close(); }
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  const out: Record<string, string | number> = {};
  await deploymentBench(out, quick ? 200 : 1000);
  await manyDeploymentsBench(out, quick ? 20 : 100, 10);
  await podBench(out, 100, quick ? 500 : 2000);
  await podBench(out, 1000, quick ? 1000 : 10000);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(64)} ${v}`);
  process.exit(0);
}
