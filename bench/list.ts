// List benchmark over real HTTPS against `skiff serve` in its own process: 10,000 pods (~4 KB each after
// defaulting) listed as JSON. Reports, per list, the time to the first body byte (≈ the server's time
// to build the response and start sending) and to the last byte received (the body is not parsed).
import https from 'node:https';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Timed { status: number; bytes: number; firstByteMs: number; totalMs: number }

function get(agent: https.Agent, url: URL, token: string, ca: string, method: string, path: string, body?: string, accept = 'application/json'): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const s = performance.now();
    let first = 0;
    const req = https.request({ host: url.hostname, port: url.port, path, method, agent, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: accept } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => { if (!first) first = performance.now(); bytes += c.length; });
      res.on('end', () => { const e = performance.now(); resolve({ status: res.statusCode ?? 0, bytes, firstByteMs: (first || e) - s, totalMs: e - s }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const median = (xs: number[]) => +[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const child = spawn(process.execPath, ['src/cli.ts', '--data-dir', dir, '--port', '0', '--nodes', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const serverUrl: string = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => { buf += c; const m = /ready at (\S+)/.exec(buf); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`skiff exited ${code}`)));
  });
  const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const url = new URL(serverUrl);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  const podBody = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${String(i).padStart(5, '0')}`, labels: { app: 'bench', tier: 'web', index: String(i) }, annotations: { note: 'y'.repeat(300) } },
    spec: { schedulerName: 'none', containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: Array.from({ length: 8 }, (_, k) => ({ name: `VAR_${k}`, value: 'v'.repeat(30) })), resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } });
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < 10_000) {
      const r = await get(agent, url, token, ca, 'POST', '/api/v1/namespaces/default/pods', podBody(next++));
      if (r.status !== 201) throw new Error(`pod create returned ${r.status}`);
    }
  }));
  const first: number[] = [];
  const total: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 7; i++) {
    const r = await get(agent, url, token, ca, 'GET', '/api/v1/namespaces/default/pods');
    if (r.status !== 200) throw new Error(`list returned ${r.status}`);
    first.push(r.firstByteMs); total.push(r.totalMs); bytes = r.bytes;
  }
  out['list 10,000 pods: request → first body byte (ms, median of 7)'] = median(first);
  out['list 10,000 pods: request → last byte received, unparsed (ms, median of 7)'] = median(total);
  out['list size (MB)'] = +(bytes / 1e6).toFixed(1);
  const pb = await get(agent, url, token, ca, 'GET', '/api/v1/namespaces/default/pods', undefined, 'application/vnd.kubernetes.protobuf');
  out['list 10,000 pods as protobuf: last byte received (ms, one run)'] = +pb.totalMs.toFixed(1);
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(72)} ${v}`);
}
