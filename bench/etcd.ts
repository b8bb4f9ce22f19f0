// Storage on etcd against SQLite, over real HTTPS (`npm run bench -- etcd`): ConfigMap creates/s with 32
// keep-alive connections, write→watch-event delay (p50/p99, one watcher, sequential writes), for one
// Skiff on SQLite, one Skiff on etcd, and two Skiffs on one etcd (writes through one, the watch on the
// other); then a 10,000-pod JSON list from either of the two (median of 5). etcd is Debian's
// etcd-server on loopback (test/storage/etcd-server.ts).
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchPod, startSkiff } from './serve.ts';
import type { BenchServer } from './serve.ts';
import { etcdAvailable, startEtcd } from '../test/storage/etcd-server.ts';

const CREATES = 4000;

function call(s: BenchServer, agent: https.Agent, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: s.url.hostname, port: s.url.port, path, method, agent, ca: s.ca,
      headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json', Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

async function creates(s: BenchServer, ns: string): Promise<number> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  await call(s, agent, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: ns } }));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < CREATES) {
      const i = next++;
      const r = await call(s, agent, 'POST', `/api/v1/namespaces/${ns}/configmaps`, JSON.stringify({ metadata: { name: `cm-${i}` }, data: { a: 'x'.repeat(100) } }));
      if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
    }
  }));
  agent.destroy();
  return Math.round(CREATES / ((performance.now() - t0) / 1000));
}

/** Sequential writes through `writer`, each timed until its event arrives on a watch through `watcher`. */
async function watchDelay(writer: BenchServer, watcher: BenchServer, ns: string): Promise<string> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const rv = JSON.parse((await call(watcher, agent, 'GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`)).text).metadata.resourceVersion;
  const waiting = new Map<string, (t: number) => void>();
  let buf = '';
  const req = https.request({ host: watcher.url.hostname, port: watcher.url.port, ca: watcher.ca,
    path: `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}&labelSelector=probe%3Dyes`, headers: { Authorization: `Bearer ${watcher.token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const ev = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
        waiting.get(ev.object.metadata.name)?.(performance.now());
      }
    });
  });
  req.end();
  await new Promise((r) => setTimeout(r, 200));
  const wagent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const delays: number[] = [];
  for (let i = 0; i < 300; i++) {
    const name = `probe-${i}`;
    const seen = new Promise<number>((r) => waiting.set(name, r));
    const t0 = performance.now();
    await call(writer, wagent, 'POST', `/api/v1/namespaces/${ns}/configmaps`, JSON.stringify({ metadata: { name, labels: { probe: 'yes' } } }));
    delays.push((await seen) - t0);
  }
  req.destroy(); agent.destroy(); wagent.destroy();
  return `${pct(delays, 0.5).toFixed(1)} / ${pct(delays, 0.99).toFixed(1)}`;
}

async function listMs(s: BenchServer, n: number): Promise<number> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const r = await call(s, agent, 'GET', '/api/v1/namespaces/pods/pods');
    const ms = performance.now() - t0; // request to last byte; the check below is the client's own work
    if (r.status !== 200 || JSON.parse(r.text).items.length !== n) throw new Error(`list: ${r.status}`);
    if (i >= 2) times.push(ms); // two warm-up lists
  }
  agent.destroy();
  return Math.round(pct(times, 0.5));
}

async function fillPods(s: BenchServer, n: number): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  await call(s, agent, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'pods' } }));
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < n) {
      const r = await call(s, agent, 'POST', '/api/v1/namespaces/pods/pods', benchPod(next++));
      if (r.status !== 201) throw new Error(`pod: ${r.status} ${r.text}`);
    }
  }));
  agent.destroy();
}

export async function run(): Promise<Record<string, number | string>> {
  if (!etcdAvailable()) return { etcd: 'not installed (apt-get install etcd-server)' };
  const out: Record<string, number | string> = {};
  const sqlite = await startSkiff();
  try {
    out['SQLite, one server: ConfigMap creates/s (32 connections)'] = await creates(sqlite, 'c');
    out['SQLite, one server: write → watch event p50 / p99 (ms)'] = await watchDelay(sqlite, sqlite, 'c');
  } finally { await sqlite.stop(); }
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-etcd-'));
  const flags = ['--storage', 'etcd', '--etcd-servers', etcd.url];
  try {
    const a = await startSkiff(flags, dir);
    try {
      out['etcd, one server: ConfigMap creates/s (32 connections)'] = await creates(a, 'c1');
      out['etcd, one server: write → watch event p50 / p99 (ms)'] = await watchDelay(a, a, 'c1');
      const b = await startSkiff([...flags, '--kubeconfig', join(dir, 'kubeconfig-b')], dir);
      try {
        out['etcd, two servers: ConfigMap creates/s through one (32 connections)'] = await creates(a, 'c2');
        out['etcd, two servers: write through one → watch event on the other p50 / p99 (ms)'] = await watchDelay(a, b, 'c2');
        await fillPods(a, 10_000);
        // The leader's controllers digest 10,000 pod events first (as bench/list.ts lets the server settle).
        await new Promise((r) => setTimeout(r, 5000));
        out['etcd: 10,000-pod JSON list, median of 5, from the server that wrote them (ms)'] = await listMs(a, 10_000);
        out['etcd: 10,000-pod JSON list, median of 5, from the other server (ms)'] = await listMs(b, 10_000);
      } finally { await b.stop(); }
    } finally { await a.stop(); }
  } finally {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
