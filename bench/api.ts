// API benchmark over real HTTPS against `skiff serve` in its own process: ConfigMap creates/s with 32
// concurrent keep-alive connections (p50/p99), listing 10,000 pods, and start-up to /readyz (from
// process spawn) on an empty and on an existing data directory.
import https from 'node:https';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchPod, curlLists, startSkiff, waitReady } from './serve.ts';

function request(agent: https.Agent, url: URL, token: string, ca: string | undefined, method: string, path: string, body?: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, path, method, agent, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function pct(sorted: number[], p: number): number { return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]; }

/** Process spawn → first 200 from /readyz, running what `npm start` runs. */
async function startupMs(dir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/skiff.js', 'serve', '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url: string = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c; const m = /ready at (\S+)/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`skiff exited ${code}`)));
  });
  await waitReady(url);
  const ms = performance.now() - t0;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return ms;
}

function wrkMs(text: string, label: string): number {
  const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)`).exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return +(m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v).toFixed(1);
}

function wrkCreates(url: string, token: string): { rps: number; p50: number; p99: number } | undefined {
  if (spawnSync('wrk', ['--version']).error) return undefined;
  const script = join(mkdtempSync(join(tmpdir(), 'skiff-wrk-')), 'post.lua');
  writeFileSync(script, `counter = 0
request = function()
  counter = counter + 1
  local body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"wrk-' .. counter .. '-' .. math.random(1, 1000000000) .. '"},"data":{"key":"${'x'.repeat(200)}"}}'
  return wrk.format("POST", "/api/v1/namespaces/default/configmaps", {["Content-Type"]="application/json", ["Authorization"]="Bearer ${token}"}, body)
end
`);
  const r = spawnSync('wrk', ['-t1', '-c32', '-d10s', '--latency', '-s', script, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  if (/Non-2xx/.test(r.stdout)) throw new Error(`wrk saw errors:\n${r.stdout}`);
  return { rps: Math.round(rps), p50: wrkMs(r.stdout, '50%'), p99: wrkMs(r.stdout, '99%') };
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const empty: number[] = [];
  const existing: number[] = [];
  for (let i = 0; i < 3; i++) {
    const d = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
    empty.push(await startupMs(d));     // creates the database, CA and certificates
    existing.push(await startupMs(d));  // reopens them
    rmSync(d, { recursive: true, force: true });
  }
  out['npm start → /readyz from spawn, empty data dir (ms, best of 3)'] = Math.round(Math.min(...empty));
  out['npm start → /readyz from spawn, existing data dir (ms, best of 3)'] = Math.round(Math.min(...existing));

  // The server runs in its own process with the default (file) storage, as a user would run it.
  const server = await startSkiff();
  const { url, token, ca, child } = server;
  const serverUrl = url.toString().replace(/\/$/, '');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  const N = 6000;
  const lat: number[] = [];
  let next = 0;
  const payload = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: 'bench' } }, data: { key: 'x'.repeat(200) } });
  for (let i = 0; i < 300; i++) await request(agent, url, token, ca, 'POST', '/api/v1/namespaces/default/configmaps', payload(N + i)); // warm-up
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < N) {
      const i = next++;
      const s = performance.now();
      const r = await request(agent, url, token, ca, 'POST', '/api/v1/namespaces/default/configmaps', payload(i));
      if (r.status !== 201) throw new Error(`create returned ${r.status}`);
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  out['ConfigMap creates/s, Node.js client (32 keep-alive HTTPS connections)'] = Math.round(N / secs);
  out['create latency p50 / p99, Node.js client (ms)'] = `${pct(lat, 0.5).toFixed(1)} / ${pct(lat, 0.99).toFixed(1)}`;
  // The Node.js client competes with the server for this machine's two cores; wrk (C, from Debian's
  // package) is a much lighter client, so when it is installed it gives the server's own figure.
  const wrk = wrkCreates(serverUrl, token);
  if (wrk) {
    out['ConfigMap creates/s, wrk (32 keep-alive HTTPS connections, 10 s)'] = wrk.rps;
    out['create latency p50 / p99, wrk (ms)'] = `${wrk.p50} / ${wrk.p99}`;
  } else out['wrk'] = 'not installed (apt-get install wrk) — Node.js client figures only';

  // 10,000 realistic pods (~3 KB each after defaulting), created over HTTPS, then listed.
  next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < 10_000) {
      const i = next++;
      const r = await request(agent, url, token, ca, 'POST', '/api/v1/namespaces/default/pods', benchPod(i));
      if (r.status !== 201) throw new Error(`pod create returned ${r.status}`);
    }
  }));
  // Two unmeasured lists first: they run the list path cold, in the server and in this client (bench/list
  // reports those on their own).
  for (let i = 0; i < 2; i++) await request(agent, url, token, ca, 'GET', '/api/v1/namespaces/default/pods');
  const listTimes: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const r = await request(agent, url, token, ca, 'GET', '/api/v1/namespaces/default/pods');
    listTimes.push(performance.now() - s);
    bytes = r.bytes;
  }
  out['list 10,000 pods over HTTPS (ms, median of 5)'] = +listTimes.sort((a, b) => a - b)[2].toFixed(1);
  out['list size (MB)'] = +(bytes / 1e6).toFixed(1);
  // curl, a light C client (as wrk is for creates), gives the server's own figure; see bench/list.
  const c = curlLists(server, '/api/v1/namespaces/default/pods', 5);
  if (c) out['same list, curl on one keep-alive connection: last byte (ms, median of 5)'] = +[...c.total].sort((a, b) => a - b)[2].toFixed(1);
  const rss = Number(readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
  out['server RSS with 10,000 pods + 6,300 configmaps (MB)'] = Math.round(rss);
  agent.destroy();
  await server.stop();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(60)} ${v}`);
}
