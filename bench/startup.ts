// Start-up on an existing data directory: `node bench/startup.ts [N]` (or `npm run bench -- startup`).
// Fills a data directory with N ConfigMaps of ~1 KB (default 100,000) through the store, closes it
// cleanly, then measures, alternating the two settings, median of 5 each:
//  - opening the SQLite backend alone (in a fresh process each time), with the integrity check skipped (a clean previous shutdown)
//    and forced (integrityCheck 'always', which is what every open did before);
//  - `skiff serve` as a process, spawn → "ready at" on stdout, without and with --check-db.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server.ts';
import Database from 'better-sqlite3';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { findResource } from '../src/registry/resources.ts';

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

export async function run(n = 100_000): Promise<Record<string, number | string>> {
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
