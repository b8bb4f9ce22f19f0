// Shared by the HTTP benchmarks: a `skiff serve` in its own process on a fresh data directory
// (default file storage, no simulated nodes, the V8 flags users run it with), and the realistic pod they create.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';

/** The V8 flags of bin/skiff.js's shebang (what `npx skiff`, `npm start` and the image run with). */
export const SERVER_FLAGS: string[] = /^#!\/usr\/bin\/env -S node(.*)$/m.exec(readFileSync(new URL('../bin/skiff.js', import.meta.url), 'utf8'))?.[1].trim().split(' ').filter(Boolean) ?? [];

export interface BenchServer { url: URL; token: string; ca: string; caPath: string; child: ChildProcess; stop(): Promise<void> }

/** `extra`: more flags for `skiff serve`; `dataDir`: share one directory (several servers of one cluster). */
export async function startSkiff(extra: string[] = [], dataDir?: string): Promise<BenchServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  // SKIFF_BENCH_NODE_ARGS: extra Node flags for the server (e.g. --cpu-prof to profile it).
  const nodeArgs = (process.env.SKIFF_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...SERVER_FLAGS, ...nodeArgs, 'src/cli.ts', '--data-dir', dir, '--port', '0', '--nodes', '0', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  // SKIFF_BENCH_SERVER_LOG: a file that gets the server's standard output (e.g. with --trace-gc).
  if (process.env.SKIFF_BENCH_SERVER_LOG) child.stdout!.pipe(createWriteStream(process.env.SKIFF_BENCH_SERVER_LOG));
  const serverUrl: string = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c; const m = /ready at (\S+)/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`skiff exited ${code}`)));
  });
  return {
    url: new URL(serverUrl),
    token: readFileSync(join(dir, 'admin.token'), 'utf8').trim(),
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caPath: join(dir, 'ca.crt'),
    child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * CPU time (user + system, ms) the process has used so far, from /proc (Linux); undefined elsewhere.
 * Figures of wall time depend on what else runs on the machine; CPU time per operation much less.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** A pod of about 4 KB after defaulting, never scheduled (schedulerName none). */
export const benchPod = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `pod-${String(i).padStart(5, '0')}`, labels: { app: 'bench', tier: 'web', index: String(i) }, annotations: { note: 'y'.repeat(300) } },
  spec: { schedulerName: 'none', containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: Array.from({ length: 8 }, (_, k) => ({ name: `VAR_${k}`, value: 'v'.repeat(30) })), resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } });

/** `n` lists in one curl run (one connection, reused): per transfer, request → first and last byte. */
export function curlLists(server: BenchServer, path: string, n: number): { first: number[]; total: number[] } | undefined {
  if (spawnSync('curl', ['--version']).error) return undefined;
  const target = new URL(path, server.url).toString();
  // Upstream (and Skiff) indent JSON for a curl User-Agent; the bench measures the compact path kubectl gets.
  const args = ['-s', '-A', 'skiff-bench', '--cacert', server.caPath, '-H', `Authorization: Bearer ${server.token}`, '-H', 'Accept: application/json',
    '-w', '%{http_code} %{time_pretransfer} %{time_starttransfer} %{time_total}\n'];
  for (let i = 0; i < n; i++) args.push('-o', '/dev/null', target);
  const r = spawnSync('curl', args, { encoding: 'utf8' });
  const rows = r.stdout.trim().split('\n').map((l) => l.split(' ').map(Number));
  if (rows.length !== n || rows.some((x) => x[0] !== 200)) throw new Error(`curl lists failed: ${r.stdout} ${r.stderr}`);
  return { first: rows.map((x) => (x[2] - x[1]) * 1000), total: rows.map((x) => (x[3] - x[1]) * 1000) };
}

/** Polls `url`'s /readyz (TLS, unverified) until it answers 200. */
export async function waitReady(url: string): Promise<void> {
  const u = new URL(url);
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      https.get({ host: u.hostname, port: u.port, path: '/readyz', rejectUnauthorized: false }, (res) => { res.resume(); resolve(res.statusCode === 200); }).on('error', () => resolve(false));
    });
    if (ok) return;
  }
}
