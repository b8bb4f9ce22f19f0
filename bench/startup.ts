// Start-up: `node bench/startup.ts [N]` (or `npm run bench -- startup`).
// First what `npm start` runs (bin/skiff.js serve: HTTPS, one simulated node), process spawn → first
// 200 from /readyz, median of 5, alternating a file data directory (existing: its second start on) and
// --in-memory; then each start-up phase's median wall and main-thread CPU time in both settings
// (SKIFF_STARTUP_TRACE, util/startup-trace.ts; the README's start-up table). In a checkout bin/skiff.js
// runs the bundle of the current sources (bin/bundle.js), built here first if missing; its check that the
// bundle matches the sources (~2.5 ms, a stat per source file) is counted here, and the package has none.
// Then, unless N is 0, on a large data directory: fills one with N ConfigMaps of ~1 KB (default
// 100,000) through the store, closes it cleanly, and measures, alternating the two settings, median of 5 each:
//  - opening the SQLite backend alone (in a fresh process each time), with the integrity check skipped (a clean previous shutdown)
//    and forced (integrityCheck 'always', which is what every open did before);
//  - `skiff serve` as a process, spawn → "ready at" on stdout, without and with --check-db.
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server.ts';
import { SERVER_FLAGS, cpuMs, waitReady } from './serve.ts';
import Database from 'better-sqlite3';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { findResource } from '../src/registry/resources.ts';
import { currentBundle } from '../bin/bundle.js';

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const round = (x: number) => Math.round(x);

async function fill(dir: string, n: number): Promise<void> {
  const s = await startServer({ port: 0, dataDir: dir, insecureHttp: true, kubeconfigPath: false, controllers: false });
  const cm = findResource('', 'v1', 'configmaps')!;
  const body = 'x'.repeat(1000);
  const inFlight = 256;
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) {
      const i = next++;
      await s.store.create(cm, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: 'bench' } }, data: { body } });
    }
  }));
  await s.stop();
}

const quickCheckMs: number[] = [];

/** Open (and close) the backend in a fresh process, so no earlier heap or cache state is shared; returns the open's ms. */
function openOnce(path: string, mode: 'auto' | 'always'): number {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--open', path, mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`open (${mode}) failed: ${r.stderr}`);
  const qc = /quick_check (\S+)/.exec(r.stderr);
  if (qc) quickCheckMs.push(Number(qc[1]));
  return Number(r.stdout.trim());
}

async function openChild(path: string, mode: 'auto' | 'always'): Promise<void> {
  if (mode === 'always') {
    // The check's own share, on a raw connection first (the page cache is the OS's either way).
    const raw = new Database(path);
    const q0 = performance.now();
    raw.pragma('quick_check', { simple: true });
    process.stderr.write(`quick_check ${(performance.now() - q0).toFixed(1)}\n`);
    raw.close();
  }
  const t0 = performance.now();
  const b = new SqliteBackend({ path, compactIntervalMs: 0, integrityCheck: mode });
  const ms = performance.now() - t0;
  await b.close();
  if (b.integrityChecked !== (mode === 'always')) throw new Error(`open (${mode}) checked=${b.integrityChecked}`);
  console.log(ms.toFixed(1));
}

function serveUntilReady(dir: string, extra: string[]): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['src/cli.ts', '--data-dir', dir, '--port', '0', '--nodes', '0', '--insecure-http', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => { err += c; });
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (/ready at /.test(out)) {
        const ms = performance.now() - t0;
        child.kill('SIGTERM');
        child.on('exit', (code) => (code === 0 ? resolve(ms) : reject(new Error(`skiff did not stop cleanly on SIGTERM (exit ${code}): ${err}`))));
      }
    });
    child.on('exit', (code, signal) => { if (!/ready at /.test(out)) reject(new Error(`skiff exited ${code ?? signal}: ${err}`)); });
  });
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * bin/skiff.js serve until the first 200 from /readyz; the ms since spawn, the process's CPU time then
 * (all threads, GC included; /proc, in 10 ms ticks) and the start-up trace.
 */
async function npmStart(dir: string, inMemory: boolean): Promise<{ ms: number; cpu?: number; phases: Record<string, [number, number]> }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...SERVER_FLAGS, 'bin/skiff.js', 'serve', '--data-dir', dir, '--port', '0', ...(inMemory ? ['--in-memory'] : [])],
    { cwd: ROOT, env: { ...process.env, SKIFF_STARTUP_TRACE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c; });
  const url: string = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c; const m = /ready at (\S+)/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`skiff exited ${code}: ${err}`)));
  });
  await waitReady(url);
  const ms = performance.now() - t0;
  const cpu = cpuMs(child.pid);
  while (!/skiff-startup-trace /.test(err)) await new Promise((r) => setTimeout(r, 5));
  const phases = JSON.parse(/skiff-startup-trace (\{.*\})/.exec(err)![1]);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return { ms, cpu, phases };
}

/** The figures of issue #23: spawn → /readyz, file data directory and in memory, with the phases of each. */
async function spawnToReady(): Promise<Record<string, number | string>> {
  const b = currentBundle();
  if (b && !b.entry) {
    const r = spawnSync(process.execPath, ['scripts/bundle.ts', '--checkout'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0 || !currentBundle()?.entry) throw new Error(`bundling failed: ${r.stderr}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-start-'));
  const load0 = loadavg()[0];
  try {
    await npmStart(dir, false); // creates the database, keys and certificates; fills the compile cache
    await npmStart(join(dir, 'mem'), true); // leaves the in-memory start's bootstrap image beside the bundle
    const runs = { file: [] as Awaited<ReturnType<typeof npmStart>>[], mem: [] as Awaited<ReturnType<typeof npmStart>>[] };
    for (let i = 0; i < 5; i++) {
      for (const mode of (i % 2 ? ['mem', 'file'] : ['file', 'mem']) as ('file' | 'mem')[]) runs[mode].push(await npmStart(mode === 'mem' ? join(dir, 'mem') : dir, mode === 'mem'));
    }
    const out: Record<string, number | string> = {
      'runs': currentBundle()?.entry ? 'bundle of the sources (bin/bundle.js)' : 'sources',
      'load average (1 min) before / after': `${load0.toFixed(2)} / ${loadavg()[0].toFixed(2)}`,
      'npm start → /readyz, file data dir (ms, median of 5)': round(median(runs.file.map((r) => r.ms))),
      'npm start → /readyz, --in-memory (ms, median of 5)': round(median(runs.mem.map((r) => r.ms))),
    };
    for (const mode of ['file', 'mem'] as const) {
      const cpu = runs[mode].map((r) => r.cpu).filter((c): c is number => c !== undefined);
      const sum = runs[mode].map((r) => Object.values(r.phases).reduce((a, [, c]) => a + c, 0));
      out[`  ${mode === 'mem' ? 'in memory' : 'file dir'}: main-thread CPU, sum of the phases (ms, median)`] = sum.length ? round(median(sum)) : '?';
      out[`  ${mode === 'mem' ? 'in memory' : 'file dir'}: process CPU at the first 200 (ms, all threads, median)`] = cpu.length ? round(median(cpu)) : 'unknown (no /proc)';
    }
    for (const mode of ['file', 'mem'] as const) {
      for (const name of Object.keys(runs[mode][0].phases)) {
        const wall = median(runs[mode].map((r) => r.phases[name]?.[0] ?? 0));
        const cpu = median(runs[mode].map((r) => r.phases[name]?.[1] ?? 0));
        out[`  ${mode === 'mem' ? 'in memory' : 'file dir'}: ${name} (ms wall / CPU, median)`] = `${wall.toFixed(1)} / ${cpu.toFixed(1)}`;
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(n = Number(process.env.SKIFF_BENCH_STARTUP_OBJECTS ?? 100_000)): Promise<Record<string, number | string>> {
  const first = await spawnToReady();
  if (n === 0) return first;
  return { ...first, ...await largeDataDir(n) };
}

async function largeDataDir(n: number): Promise<Record<string, number | string>> {
  // SKIFF_BENCH_DIR: reuse (or keep) a filled data directory between runs.
  const keep = process.env.SKIFF_BENCH_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'skiff-bench-startup-'));
  try {
    if (!keep || !existsSync(join(dir, 'skiff.db'))) await fill(dir, n);
    const db = join(dir, 'skiff.db');
    // One unmeasured open and clean close: a kept directory a killed run left behind starts clean.
    await new SqliteBackend({ path: db, compactIntervalMs: 0 }).close();
    const openMs = { auto: [] as number[], always: [] as number[] };
    for (let i = 0; i < 5; i++) {
      for (const mode of (i % 2 ? ['always', 'auto'] : ['auto', 'always']) as ('auto' | 'always')[]) openMs[mode].push(openOnce(db, mode));
    }
    const serveMs = { plain: [] as number[], check: [] as number[] };
    for (let i = 0; i < 5; i++) {
      for (const mode of (i % 2 ? ['check', 'plain'] : ['plain', 'check']) as ('plain' | 'check')[]) {
        serveMs[mode].push(await serveUntilReady(dir, mode === 'check' ? ['--check-db'] : []));
      }
    }
    return {
      'objects': n,
      'database file (MB)': Math.round(statSync(db).size / 1e5) / 10,
      'SqliteBackend open, no check (ms, median of 5)': round(median(openMs.auto)),
      'SqliteBackend open, quick_check (ms, median of 5)': round(median(openMs.always)),
      'PRAGMA quick_check alone (ms, median of 5)': round(median(quickCheckMs)),
      'skiff serve → ready, no check (ms, median of 5)': round(median(serveMs.plain)),
      'skiff serve → ready, --check-db (ms, median of 5)': round(median(serveMs.check)),
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--open') {
  await openChild(process.argv[3], process.argv[4] as 'auto' | 'always');
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run(process.argv[2] ? Number(process.argv[2]) : undefined);
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(56)} ${v}`);
}
