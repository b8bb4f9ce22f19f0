// Pods to Running (issue #23), measured as a client sees it: a fresh `skiff serve` in its own process
// (default file storage, HTTPS, the V8 flags of bin/skiff.js) with N simulated nodes; this process is
// only the client. It watches pods over HTTPS, creates bare pods (one container, no requests) with 32
// concurrent keep-alive connections, and reports the time from the first create sent to the last pod
// seen Running on the watch, and the server's resident memory (sampled from /proc every 100 ms).
// The figures include the kubelet's simulated start delay (1 s ± 20%).
//   node bench/running.ts [--quick] [--image IMAGE] [--pods N --nodes N] [--smaps]
//   (--smaps: where the server's RSS is — anonymous, malloc heap, files; V8 heap spaces used/committed —
//   when idle, when all pods are Running and after the forced GC at the end; see bench/smaps.ts.)
//   (default image registry.k8s.io/pause:3.10, which the container runtime runs; an image the catalogue
//   does not know, e.g. --image example.com/app:1, goes through the stage table instead.
//   SKIFF_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR": extra flags for the server's node.)
import { SERVER_FLAGS } from './serve.ts';
import { describeRss, describeSpaces, rssParts } from './smaps.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;


function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch { return NaN; }
}

/** CPU seconds (user + system) the process has used, from /proc. */
function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return NaN; }
}

interface Served { url: URL; token: string; ca: string; pid: number; probe(): Promise<Record<string, number>>; stop(): Promise<void> }

async function serve(nodes: number): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-running-'));
  const extra = (process.env.SKIFF_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const cli = new URL('../src/cli.ts', import.meta.url).pathname;
  // bench/memory-probe.ts: on SIGUSR2 the server forces a full GC and reports process.memoryUsage().
  const probe = new URL('./memory-probe.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [...SERVER_FLAGS, '--expose-gc', '--import', probe, ...extra, cli, 'serve', '--data-dir', dir, '--port', '0', '--nodes', String(nodes)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const probes: ((m: Record<string, number>) => void)[] = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
    for (const line of d.split('\n')) if (line.startsWith('skiff-memory ')) probes.shift()?.(JSON.parse(line.slice(13)));
  });
  const url: string = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; const m = /ready at (\S+)/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`skiff exited ${code}: ${stderr}`)));
  });
  return {
    url: new URL(url), pid: child.pid!,
    probe: () => new Promise((resolve) => { probes.push(resolve); child.kill('SIGUSR2'); }),
    token: readFileSync(join(dir, 'admin.token'), 'utf8').trim(),
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.on('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function client(s: Served) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: s.ca });
  const headers = { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json', Accept: 'application/json' };
  const call = (method: string, path: string, body?: unknown) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.request(new URL(path, s.url), { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
  /** A watch on its own connection: `onEvent` gets every event's type and object. */
  const watch = (path: string, onEvent: (type: string, obj: any) => void) => new Promise<() => void>((resolve, reject) => {
    const req = https.request(new URL(path, s.url), { agent: new https.Agent({ keepAlive: false, ca: s.ca }), headers }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch ${path}: ${res.statusCode}`)); return; }
      let buf = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i); buf = buf.slice(i + 1);
          if (line) { const ev = JSON.parse(line); onEvent(ev.type, ev.object); }
        }
      });
      res.on('error', () => {});
      resolve(() => req.destroy());
    });
    req.on('error', (e) => { if (!/ECONNRESET|socket hang up/.test(String(e))) reject(e); });
    req.end();
  });
  return { call, watch, close: () => agent.destroy() };
}

/** `count` bare pods on `nodes` nodes of a fresh server: figures keyed by the scenario. */
async function podsToRunning(out: Record<string, string | number>, nodes: number, count: number, image: string): Promise<void> {
  const s = await serve(nodes);
  const c = client(s);
  const key = (k: string) => `${count} bare pods on ${nodes} nodes (served, HTTPS, file storage): ${k}`;
  try {
    // Every node registered and Ready.
    for (;;) {
      const r = await c.call('GET', '/api/v1/nodes');
      const ready = r.status === 200 ? JSON.parse(r.body).items.filter((n: any) => n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).length : 0;
      if (ready >= nodes) break;
      await sleep(200);
    }
    await sleep(1000);
    const rssIdle = rssOf(s.pid);
    const smaps = process.argv.includes('--smaps');
    if (smaps) out[key('RSS when idle')] = describeRss(rssParts(s.pid));
    const ns = 'running';
    const made = await c.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    if (made.status !== 201) throw new Error(`create namespace: ${made.status} ${made.body.slice(0, 300)}`);
    const rv = JSON.parse((await c.call('GET', `/api/v1/namespaces/${ns}/pods?limit=1`)).body).metadata.resourceVersion;
    const running = new Set<string>();
    let bound = 0, tBound = 0, tRunning = 0;
    let allRunning!: () => void;
    const done = new Promise<void>((r) => { allRunning = r; });
    const seenBound = new Set<string>();
    const stopWatch = await c.watch(`/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}`, (type, pod) => {
      const name = pod?.metadata?.name;
      if (type === 'ERROR' || !name) return;
      if (pod.spec?.nodeName && !seenBound.has(name)) { seenBound.add(name); if (++bound === count) tBound = performance.now(); }
      if (pod.status?.phase === 'Running' && !running.has(name)) {
        running.add(name);
        if (running.size === count) { tRunning = performance.now(); allRunning(); }
      }
    });
    let peak = rssIdle;
    const sampler = setInterval(() => { peak = Math.max(peak, rssOf(s.pid)); }, 100);
    const cpu0 = cpuOf(s.pid);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < count) {
        const i = next++;
        const r = await c.call('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}` }, spec: { containers: [{ name: 'c', image }] } });
        if (r.status !== 201) throw new Error(`create p-${i}: ${r.status} ${r.body.slice(0, 300)}`);
      }
    }));
    const created = performance.now() - t0;
    const ok = await Promise.race([done.then(() => true), sleep(300_000).then(() => false)]);
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(s.pid));
    const cpu = cpuOf(s.pid) - cpu0;
    if (smaps) out[key('RSS when all Running')] = describeRss(rssParts(s.pid));
    stopWatch();
    out[key('created in')] = sec(created);
    out[key('all bound after')] = tBound ? sec(tBound - t0) : `not all bound (${bound})`;
    out[key('all Running after')] = ok ? sec(tRunning - t0) : `timed out (${running.size} running)`;
    out[key('server CPU from first create to all Running')] = `${cpu.toFixed(2)} s`;
    const after = await s.probe();
    if (smaps) {
      out[key('RSS after forced GC at the end')] = describeRss(rssParts(s.pid));
      out[key('V8 heap spaces used/committed (MB) after forced GC')] = describeSpaces(after.spaces as unknown as Record<string, { used: number; size: number }>);
    }
    out[key('server RSS idle / peak / after forced GC at the end')] = `${mb(rssIdle)} / ${mb(peak)} / ${mb(after.rss)}`;
    out[key('server heap used / external (array buffers) after forced GC at the end')] = `${mb(after.heapUsed)} / ${mb(after.external)} (${mb(after.arrayBuffers)})`;
  } finally {
    c.close();
    await s.stop();
  }
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  const image = arg('image') ?? 'registry.k8s.io/pause:3.10';
  const out: Record<string, string | number> = { image };
  const pods = arg('pods'), nodes = arg('nodes');
  if (pods || nodes) { await podsToRunning(out, Number(nodes ?? 100), Number(pods ?? 2000), image); return out; }
  await podsToRunning(out, 100, quick ? 500 : 2000, image);
  await podsToRunning(out, 1000, quick ? 2000 : 10000, image);
  return out;
}

if (import.meta.main) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(90)} ${v}`);
  process.exit(0);
}
