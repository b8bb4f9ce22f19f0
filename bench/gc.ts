// Garbage-collector benchmark: the controllers in process on the real clock (in-memory SQLite, no
// HTTP, no nodes). Deletes a 10,000-dependent fan-out (background and foreground), a 1,000-long
// owner chain (foreground) and a 3-cycle of pods (foreground), and reports wall time and the longest
// event-loop block seen meanwhile (how late a 5 ms timer ran: what an API request would have waited),
// in wall time and in the thread's CPU time (the part that is this process's own work).
//   node bench/gc.ts [--quick]
import { RealClock } from '../src/clock.ts';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { Store } from '../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../src/registry/kinds-adapter.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { startControllers } from '../src/controllers/index.ts';
import { findResource } from '../src/registry/resources.ts';
import type { KObject } from '../src/registry/strategy.ts';

const configmaps = findResource('', 'v1', 'configmaps')!;
const pods = findResource('', 'v1', 'pods')!;
const namespaces = findResource('', 'v1', 'namespaces')!;

async function cluster() {
  const clock = new RealClock();
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const ctl = await startControllers({ store, clock, nodes: 0 });
  return { store, ctl, async close() { await ctl.stop(); await backend.close(); } };
}
type Cluster = Awaited<ReturnType<typeof cluster>>;

const cpuMs = () => { const u = process.threadCpuUsage(); return (u.user + u.system) / 1000; };

/**
 * The longest gap between ticks of a 5 ms timer while `work` runs, in wall time and in this thread's
 * CPU time: on a loaded machine the OS can stretch a gap without the thread running (wall >> CPU);
 * a gap full of CPU time is work that did not yield.
 */
async function timed(work: () => Promise<void>): Promise<{ ms: number; worstBlockMs: number; worstCpuBlockMs: number }> {
  let last = performance.now(), lastCpu = cpuMs(), worst = 0, worstCpu = 0;
  const iv = setInterval(() => {
    const now = performance.now(), cpu = cpuMs();
    worst = Math.max(worst, now - last - 5); worstCpu = Math.max(worstCpu, cpu - lastCpu);
    last = now; lastCpu = cpu;
  }, 5);
  const t0 = performance.now();
  try { await work(); } finally { clearInterval(iv); }
  return { ms: performance.now() - t0, worstBlockMs: Math.max(0, worst), worstCpuBlockMs: worstCpu };
}
const block = (r: { worstBlockMs: number; worstCpuBlockMs: number }) => `${r.worstBlockMs.toFixed(1)} ms wall, ${r.worstCpuBlockMs.toFixed(1)} ms CPU`;

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ref = (o: KObject, kind: string) => ({ apiVersion: 'v1', kind, name: o.metadata.name!, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true });
const remaining = (c: Cluster, ns: string, prefix: string) => c.ctl.informers.get('/configmaps')!.list(ns).filter((o) => o.metadata.name!.startsWith(prefix)).length;

async function fanOut(out: Record<string, string | number>, n: number, policy: 'Background' | 'Foreground') {
  const c = await cluster();
  try {
    const ns = `fan-${policy.toLowerCase()}`;
    await c.store.create(namespaces, undefined, { metadata: { name: ns } });
    const owner = await c.store.create(configmaps, ns, { metadata: { name: 'owner' } });
    for (let i = 0; i < n; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, j) => c.store.create(configmaps, ns, { metadata: { name: `d-${i + j}`, ownerReferences: [ref(owner, 'ConfigMap')] } })));
    }
    const deps = () => c.ctl.informers.get('/configmaps')!.byIndexValue('owner', owner.metadata.uid!).length;
    await waitFor(() => deps() === n);
    await c.ctl.settle();
    const r = await timed(async () => {
      await c.store.delete(configmaps, ns, 'owner', { propagationPolicy: policy });
      await waitFor(async () => deps() === 0 && !(await c.store.tryGet(configmaps, ns, 'owner')));
    });
    out[`GC ${policy.toLowerCase()} deletion of a ${n}-dependent fan-out`] = `${(r.ms / 1000).toFixed(2)} s (${Math.round(n / (r.ms / 1000))} objects/s)`;
    out[`  longest event-loop block meanwhile (${policy.toLowerCase()} fan-out)`] = block(r);
  } finally { await c.close(); }
}

async function chain(out: Record<string, string | number>, n: number) {
  const c = await cluster();
  try {
    let prev: KObject | undefined;
    for (let i = 0; i < n; i++) {
      const metadata: KObject['metadata'] = { name: `c-${i}` };
      if (prev) metadata.ownerReferences = [ref(prev, 'ConfigMap')];
      prev = await c.store.create(configmaps, 'default', { metadata });
    }
    await c.ctl.settle();
    const r = await timed(async () => {
      await c.store.delete(configmaps, 'default', 'c-0', { propagationPolicy: 'Foreground' });
      await waitFor(() => remaining(c, 'default', 'c-') === 0);
    });
    out[`GC foreground deletion of a ${n}-long owner chain`] = `${(r.ms / 1000).toFixed(2)} s`;
    out['  longest event-loop block meanwhile (chain)'] = block(r);
  } finally { await c.close(); }
}

async function cycle(out: Record<string, string | number>) {
  const c = await cluster();
  try {
    const made: KObject[] = [];
    for (let i = 0; i < 3; i++) made.push(await c.store.create(pods, 'default', { metadata: { name: `p-${i}` }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
    for (let i = 0; i < 3; i++) await c.store.guaranteedUpdate(pods, 'default', `p-${i}`, (cur) => { cur.metadata.ownerReferences = [ref(made[(i + 2) % 3], 'Pod')]; return cur; });
    await c.ctl.settle();
    const gc = c.ctl.controllers.find((x) => x.name === 'garbagecollector')!.queue;
    const before = gc.processed;
    const r = await timed(async () => {
      await c.store.delete(pods, 'default', 'p-0', { propagationPolicy: 'Foreground' });
      await waitFor(async () => (await c.store.list(pods, 'default')).items.length === 0);
    });
    out['GC foreground deletion through a 3-cycle of pods'] = `${r.ms.toFixed(1)} ms, ${gc.processed - before} collector items`;
  } finally { await c.close(); }
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  const out: Record<string, string | number> = {};
  await fanOut(out, quick ? 2000 : 10_000, 'Background');
  await fanOut(out, quick ? 2000 : 10_000, 'Foreground');
  await chain(out, quick ? 200 : 1000);
  await cycle(out);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(64)} ${v}`);
  process.exit(0);
}
