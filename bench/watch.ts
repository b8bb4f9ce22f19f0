// Watch fan-out over real HTTPS: 200 watchers (each its own TLS connection, as 200 client processes
// would have) on one ConfigMap, then 1,000 sequential updates of it from one client. Reports updates/s
// and the delay from sending an update to each watcher receiving its event (p50/p99 over all
// deliveries). The server runs in its own process (bench/serve.ts); the watchers run in worker
// threads, so that reading 200 streams does not hold up the client that writes.
import https from 'node:https';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cpuMs, startSkiff } from './serve.ts';
import { goLoad } from './go-load.ts';
import type { BenchServer } from './serve.ts';

const WATCHERS = Number(process.env.SKIFF_BENCH_WATCHERS ?? 200);
const UPDATES = Number(process.env.SKIFF_BENCH_UPDATES ?? 1000);
const NAME = 'fanout';

function call(s: BenchServer, agent: https.Agent, method: string, path: string, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: s.url.hostname, port: s.url.port, path, method, agent, ca: s.ca,
      headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json', Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode! < 300 ? resolve(JSON.parse(Buffer.concat(chunks).toString())) : reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks)}`))));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

interface Watcher { close(): void }
const SEQ = '"seq":"';

/** One watch on its own connection; calls `onEvent(value)` with the ConfigMap's data.seq of each MODIFIED event. */
function watch(s: BenchServer, rv: string, onEvent: (seq: number) => void): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const agent = new https.Agent({ keepAlive: false, maxSockets: 1 });
    const path = `/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3D${NAME}&resourceVersion=${rv}`;
    const req = https.request({ host: s.url.hostname, port: s.url.port, path, agent, ca: s.ca,
      headers: { Authorization: `Bearer ${s.token}`, Accept: 'application/json' } }, (res) => {
      let buf = '';
      let checked = false;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i); buf = buf.slice(i + 1);
          // The bench measures the server: its watchers read the sequence number without parsing
          // the whole event (four threads parsing 200 streams would compete with the server for
          // the machine's cores). The event layout is checked once per stream, in full.
          if (!checked) { checked = true; const ev = JSON.parse(line); if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') throw new Error(`unexpected event ${line}`); }
          if (!line.startsWith('{"type":"MODIFIED"')) continue;
          const at = line.indexOf(SEQ);
          onEvent(Number(line.slice(at + SEQ.length, line.indexOf('"', at + SEQ.length))));
        }
      });
      resolve({ close: () => { req.destroy(); agent.destroy(); } });
    });
    req.on('error', (e) => { if (!(e as any).code?.includes('ECONNRESET')) reject(e); });
    req.end();
  });
}

/** Wall-clock milliseconds comparable across threads. */
const wallNow = () => performance.timeOrigin + performance.now();

interface WorkerJob { server: { url: string; token: string; ca: string }; rv: string; count: number; sent: SharedArrayBuffer; expected: number }

/** In a worker: `count` watchers; posts 'ready', then the delays once `expected` events arrived at each. */
async function watcherThread(job: WorkerJob): Promise<void> {
  const s = { url: new URL(job.server.url), token: job.server.token, ca: job.server.ca } as BenchServer;
  const sent = new Float64Array(job.sent);
  const delays: number[] = [];
  let delivered = 0;
  const watchers: Watcher[] = [];
  const finished = new Promise<void>((resolve) => {
    const onEvent = (seq: number) => { delays.push(wallNow() - sent[seq]); if (++delivered === job.count * job.expected) resolve(); };
    void (async () => { for (let i = 0; i < job.count; i++) watchers.push(await watch(s, job.rv, onEvent)); parentPort!.postMessage({ ready: true }); })();
  });
  await Promise.race([finished, new Promise<void>((r) => parentPort!.once('message', () => r()))]);
  for (const w of watchers) w.close();
  parentPort!.postMessage({ delays, delivered });
}
if (!isMainThread && workerData?.watchBench) await watcherThread(workerData.watchBench as WorkerJob);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

export async function run(): Promise<Record<string, number | string>> {
  return { ...await runNode(), ...await runGo() };
}

/** The same workload from the client-go load tool: Go reads 200 TLS streams for far less CPU than Node. */
async function runGo(): Promise<Record<string, number | string>> {
  const s = await startSkiff();
  try {
    const cpu0 = cpuMs(s.child.pid);
    const r = goLoad(s, 'watch', ['-watchers', String(WATCHERS), '-updates', String(UPDATES)]);
    if ('skip' in r) return { 'client-go watch fan-out': `skipped: ${r.skip}` };
    const cpu1 = cpuMs(s.child.pid);
    return {
      [`client-go tool, ${WATCHERS} watchers, ${UPDATES} sequential updates: updates/s`]: Math.round(r.updatesPerSecond),
      '  all events delivered after (ms), delivered / expected': `${r.allDeliveredMs}, ${r.delivered} / ${r.expected}`,
      '  delivery p50 / p99 (ms)': `${r.p50ms.toFixed(1)} / ${r.p99ms.toFixed(1)}`,
      '  server CPU per update (ms)': cpu0 === undefined ? '?' : +((cpu1! - cpu0) / UPDATES).toFixed(2),
    };
  } finally {
    await s.stop();
  }
}

/** Node.js watchers in four worker threads, the updater in the main thread. */
async function runNode(): Promise<Record<string, number | string>> {
  const s = await startSkiff();
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const cm = await call(s, agent, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: NAME }, data: { seq: '0' } });
    const sentBuf = new SharedArrayBuffer(8 * (UPDATES + 1));
    const sent = new Float64Array(sentBuf);
    const THREADS = 4;
    const workers: { w: Worker; ready: Promise<unknown>; result: Promise<{ delays: number[]; delivered: number }> }[] = [];
    for (let t = 0; t < THREADS; t++) {
      const count = Math.floor(WATCHERS / THREADS) + (t < WATCHERS % THREADS ? 1 : 0);
      const job: WorkerJob = { server: { url: s.url.toString(), token: s.token, ca: s.ca }, rv: cm.metadata.resourceVersion, count, sent: sentBuf, expected: UPDATES };
      const w = new Worker(new URL(import.meta.url), { workerData: { watchBench: job } });
      const msgs: ((m: any) => void)[] = [];
      w.on('message', (m) => msgs.shift()?.(m));
      const ready = new Promise((r) => msgs.push(r));
      const result = new Promise<{ delays: number[]; delivered: number }>((r) => msgs.push(r));
      workers.push({ w, ready, result });
    }
    await Promise.all(workers.map((x) => x.ready));
    const t0 = performance.now();
    const cpu0 = cpuMs(s.child.pid), own0 = process.cpuUsage();
    for (let seq = 1; seq <= UPDATES; seq++) {
      sent[seq] = wallNow();
      await call(s, agent, 'PATCH', `/api/v1/namespaces/default/configmaps/${NAME}`, { data: { seq: String(seq) } });
    }
    const writeMs = performance.now() - t0;
    const timeout = setTimeout(() => { for (const x of workers) x.w.postMessage('stop'); }, 30_000);
    const results = await Promise.all(workers.map((x) => x.result));
    clearTimeout(timeout);
    const totalMs = performance.now() - t0;
    const cpu1 = cpuMs(s.child.pid), own = process.cpuUsage(own0);
    await Promise.all(workers.map((x) => x.w.terminate()));
    const delays = results.flatMap((r) => r.delays);
    const delivered = results.reduce((n, r) => n + r.delivered, 0);
    delays.sort((a, b) => a - b);
    return {
      [`Node.js client, ${WATCHERS} watchers, ${UPDATES} sequential updates: updates/s`]: Math.round(UPDATES / (writeMs / 1000)),
      'all events delivered after (ms)': Math.round(totalMs),
      'events delivered / expected': `${delivered} / ${WATCHERS * UPDATES}`,
      'delivery p50 / p99 (ms)': `${pct(delays, 0.5).toFixed(1)} / ${pct(delays, 0.99).toFixed(1)}`,
      'CPU per update: server / bench client incl. watchers (ms)': `${cpu0 === undefined ? '?' : ((cpu1! - cpu0) / UPDATES).toFixed(2)} / ${((own.user + own.system) / 1000 / UPDATES).toFixed(2)}`,
    };
  } finally {
    agent.destroy();
    await s.stop();
  }
}
