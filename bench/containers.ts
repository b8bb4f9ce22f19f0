// Container runtime benchmark (issue #18), in process on the real clock, in-memory SQLite, no HTTP:
//  - 1,000 busybox pods (`sh -c 'echo hello'`, restartPolicy Never) on 100 nodes, created at once,
//    until every one is Succeeded (wall time; includes the stage table's pending step);
//  - RSS per pod at 10,000 idle pods of an unknown image (the runtime builds nothing for them);
//  - RSS per pod with N running emulated containers (busybox `sleep 3600`, default 10,000) on the
//    same cluster shape, and the extra per running container over an idle pod (RSS and JS heap):
//    issue #18's figure, "RSS per running emulated container ≤ 50 KB at 10,000 idle pods".
//  - the same with a shell loop (`sh -c 'while true; do sleep 60; done'`, default 2,000): an interpreter each.
// Each part runs in a fresh process (`--phase complete|idle|running|shell`).
//   node bench/containers.ts [--quick] [--idle N] [--running N]
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { findResource } from '../src/registry/resources.ts';
import { cluster } from './in-process.ts';
import type { KObject } from '../src/registry/strategy.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const podsR = findResource('', 'v1', 'pods')!;
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const rss = () => { gc(); gc(); return process.memoryUsage().rss; };
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;


/** Creates `count` pods (32 at a time) and waits until `phase` counts reach `count`; returns the wall time. */
async function createAndWait(c: Awaited<ReturnType<typeof cluster>>, count: number, pod: (i: number) => KObject, phase: string, limitMs = 600_000): Promise<{ ms: number; ok: boolean }> {
  let reached = 0;
  c.ctl.informers.get('/pods')!.on({ update: (p, old) => { if (p.status?.phase === phase && old.status?.phase !== phase) reached++; } });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => { while (next < count) { const i = next++; await c.store.create(podsR, 'default', pod(i)); } }));
  while (reached < count && performance.now() - t0 < limitMs) await new Promise((r) => setTimeout(r, 20));
  return { ms: performance.now() - t0, ok: reached >= count };
}

/** One phase in this process: the figures it measures. */
async function phase(name: string, quick: boolean): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  if (name === 'complete') {
    const n = quick ? 200 : 1000;
    const c = await cluster(100);
    try {
      const r = await createAndWait(c, n, (i) => ({ metadata: { name: `job-${i}` }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello; exit 0'] }] } }), 'Succeeded');
      out[`${n} busybox pods run to completion on 100 nodes (wall)`] = r.ok ? `${(r.ms / 1000).toFixed(2)} s` : `NOT DONE after ${(r.ms / 1000).toFixed(0)} s`;
    } finally { await c.close(); }
    return out;
  }
  const idle = name === 'idle', shell = name === 'shell';
  const count = idle ? arg('idle', quick ? 2000 : 10000) : shell ? arg('shell', quick ? 500 : 2000) : arg('running', quick ? 1000 : 10000);
  const c = await cluster(100);
  try {
    const before = rss();
    const heap0 = process.memoryUsage().heapUsed;
    const r = idle
      ? await createAndWait(c, count, (i) => ({ metadata: { name: `idle-${i}` }, spec: { containers: [{ name: 'c', image: 'example.com/unknown:1' }] } }), 'Running')
      : await createAndWait(c, count, (i) => ({ metadata: { name: `sleep-${i}` }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: shell ? ['sh', '-c', 'while true; do sleep 60; done'] : ['sleep', '3600'] }] } }), 'Running');
    await new Promise((res) => setTimeout(res, 1000));
    const per = (rss() - before) / count;
    const heap = (process.memoryUsage().heapUsed - heap0) / count;
    const label = idle ? `${count} idle pods of an unknown image on 100 nodes` : shell ? `${count} pods running a busybox shell loop on 100 nodes` : `${count} pods running a busybox container (sleep 3600) on 100 nodes`;
    out[`${label}: RSS per pod`] = r.ok ? kb(per) : 'NOT ALL RUNNING';
    out[`${label}: JS heap per pod`] = kb(heap);
    out[`_${name}`] = per;
    out[`_${name}Heap`] = heap;
  } finally { await c.close(); }
  return out;
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  // Each phase in a fresh process, so one phase's heap does not count in the next one's figures.
  const { execFileSync } = await import('node:child_process');
  const out: Record<string, string | number> = {};
  for (const p of ['complete', 'idle', 'running', 'shell']) {
    const args = [new URL(import.meta.url).pathname, '--phase', p, ...process.argv.slice(2).filter((a) => a !== 'containers')];
    const text = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    Object.assign(out, JSON.parse(text.trim().split('\n').pop()!));
  }
  const idle = Number(out._idle), running = Number(out._running), shell = Number(out._shell);
  const heaps: Record<string, number> = {};
  for (const k of ['idle', 'running', 'shell']) { heaps[k] = Number(out[`_${k}Heap`]); delete out[`_${k}`]; delete out[`_${k}Heap`]; }
  const heap = (k: string) => heaps[k];
  const n = arg('running', quick ? 1000 : 10000);
  // Issue #18's figure: RSS per running emulated container ≤ 50 KB, the pods around it being idle ones.
  out[`RSS per running emulated container (sleep) over an idle pod, ${n} pods (target ≤ 50 KB)`] = kb(running - idle);
  out['JS heap per running emulated container (sleep) over an idle pod'] = kb(heap('running') - heap('idle'));
  out['extra RSS per running shell-loop container over an idle pod'] = kb(shell - idle);
  out['extra JS heap per running shell-loop container over an idle pod'] = kb(heap('shell') - heap('idle'));
  return out;
}

const at = process.argv.indexOf('--phase');
if (at >= 0) {
  console.log(JSON.stringify(await phase(process.argv[at + 1], process.argv.includes('--quick'))));
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(72)} ${v}`);
}
