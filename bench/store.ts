// Storage benchmark: `node bench/store.ts` prints a table; `run()` returns the figures.
// Measures, for a file store (default durability) and an in-memory store:
//  - sequential writes/s (each awaited before the next),
//  - concurrent writes/s with 64 in flight (group commit),
//  - list of 10,000 objects of ~3 KB at the latest revision (median ms),
//  - watch fan-out to 200 watchers (events/s delivered; write→delivery latency p50/p99),
//  - compaction's longest write stall while writing (ms).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import type { SqliteOptions } from '../src/storage/sqlite.ts';
import type { KeyValue } from '../src/storage/types.ts';

const now = () => performance.now();
const value = (size: number, seed: number) => { const b = new Uint8Array(size); b.fill(97 + (seed % 26)); return b; };
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? 0; };
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Run `total` tasks with `concurrency` in flight; returns per-task latencies (ms). */
async function pool(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const lat: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const t = now();
      await task(i);
      lat.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return lat;
}

async function benchMode(mode: 'file' | 'memory', dir: string): Promise<Record<string, number>> {
  let n = 0;
  const open = (extra: Partial<SqliteOptions> = {}) =>
    new SqliteBackend({ path: mode === 'file' ? join(dir, `${mode}-${++n}.db`) : ':memory:', compactIntervalMs: 0, ...extra });
  const r: Record<string, number> = {};

  // Sequential writes.
  {
    const b = open();
    const N = 3000, v = value(1024, 1);
    await b.create('/warm', v);
    const t = now();
    for (let i = 0; i < N; i++) await b.create(`/registry/configmaps/seq/${i}`, v);
    r.seqWritesPerSec = Math.round(N / ((now() - t) / 1000));
    await b.close();
  }

  // Concurrent writes with group commit (64 in flight).
  {
    const b = open();
    const N = 40_000, v = value(1024, 2);
    const t = now();
    const lat = await pool(N, 64, (i) => b.create(`/registry/configmaps/conc/${i}`, v));
    r.concWritesPerSec = Math.round(N / ((now() - t) / 1000));
    r.concWriteP99Ms = round(pct(lat, 0.99), 2);
    await b.close();
  }

  // List of 10,000 objects of ~3 KB at the latest revision.
  {
    const b = open();
    await pool(10_000, 64, (i) => b.create(`/registry/pods/ns${i % 10}/pod-${String(i).padStart(5, '0')}`, value(3000, i)));
    await b.create('/registry/services/other', value(100, 0)); // a neighbour outside the prefix
    const times: number[] = [];
    let items = 0;
    for (let k = 0; k < 7; k++) {
      const t = now();
      const l = await b.list('/registry/pods/');
      times.push(now() - t);
      items = l.items.length;
    }
    if (items !== 10_000) throw new Error(`list returned ${items} items`);
    r.list10kMs = round(pct(times, 0.5), 2);
    const t = now();
    const page = await b.list('/registry/pods/', { limit: 500 });
    await b.list('/registry/pods/', { limit: 500, startAfter: page.items[499].key });
    r.list500PageMs = round((now() - t) / 2, 3);
    // The same list at a past revision reads SQLite.
    await b.update('/registry/services/other', value(100, 1), b.currentRevision());
    const t2 = now();
    const past = await b.list('/registry/pods/', { revision: b.currentRevision() - 1 });
    r.list10kPastRevMs = round(now() - t2, 1);
    if (past.items.length !== 10_000) throw new Error('past list size');
    await b.close();
  }

  // Watch fan-out to 200 watchers.
  {
    const b = open();
    const W = 200, N = 5000;
    const issued = new Map<number, number>(); // write index → time issued
    const latency: number[] = [];
    let delivered = 0;
    const seenByAll = new Map<string, number>();
    const watchers = [];
    for (let w = 0; w < W; w++) {
      watchers.push(b.watch('/registry/leases/', {
        afterRevision: 0,
        onEvents: (es) => {
          delivered += es.length;
          const t = now();
          for (const e of es) {
            const c = (seenByAll.get(e.kv.key) ?? 0) + 1;
            if (c === W) {
              seenByAll.delete(e.kv.key);
              const i = Number(e.kv.key.slice(e.kv.key.lastIndexOf('-') + 1));
              latency.push(t - issued.get(i)!);
            } else seenByAll.set(e.kv.key, c);
          }
        },
      }));
    }
    const v = value(600, 3);
    const t = now();
    await pool(N, 64, (i) => { issued.set(i, now()); return b.create(`/registry/leases/l-${i}`, v); });
    const secs = (now() - t) / 1000;
    if (delivered !== W * N) throw new Error(`delivered ${delivered} of ${W * N}`);
    r.watchEventsDeliveredPerSec = Math.round(delivered / secs);
    r.watchWriteToLastWatcherP50Ms = round(pct(latency, 0.5), 2);
    r.watchWriteToLastWatcherP99Ms = round(pct(latency, 0.99), 2);
    for (const w of watchers) w.cancel();
    await b.close();
  }

  // Compaction's longest stall while writing: a long history (100 keys × 1,000 updates), then
  // compact it all while 64 writers keep going; report the slowest write during compaction.
  {
    const b = open({ retainRevisions: 0, retainMs: 0 });
    const keys = 100, rounds = 1000, v = value(1000, 4);
    const cur: KeyValue[] = await Promise.all(Array.from({ length: keys }, (_, k) => b.create(`/registry/leases/c-${k}`, v)));
    for (let j = 0; j < rounds; j++) {
      await Promise.all(cur.map((kv, k) => b.update(kv.key, v, kv.modRevision).then((x) => { cur[k] = x; })));
    }
    const target = b.currentRevision();
    // Baseline: slowest write with no compaction.
    const base = await pool(5000, 64, (i) => b.create(`/registry/other/base-${i}`, v));
    r.writeMaxLatencyNoCompactionMs = round(Math.max(...base), 1);
    let done = false;
    const t = now();
    const c = b.compact(target).then(() => { done = true; });
    const during: number[] = [];
    let i = 0;
    while (!done) {
      const lat = await pool(64 * 4, 64, () => b.create(`/registry/other/during-${i++}`, v));
      during.push(...lat);
    }
    await c;
    r.compactedRevisions = target;
    r.compactionTotalMs = round(now() - t, 0);
    r.compactionLongestTxnMs = round(b.longestCompactionStallMs, 1);
    r.writeMaxLatencyDuringCompactionMs = round(Math.max(...during), 1);
    await b.close();
  }
  return r;
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-store-'));
  try {
    const file = await benchMode('file', dir);
    const memory = await benchMode('memory', dir);
    const out: Record<string, number | string> = { node: process.version, durability: 'normal (default)' };
    for (const [k, x] of Object.entries(file)) out[`file.${k}`] = x;
    for (const [k, x] of Object.entries(memory)) out[`memory.${k}`] = x;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  const metrics = [...new Set(Object.keys(r).filter((k) => k.includes('.')).map((k) => k.slice(k.indexOf('.') + 1)))];
  const w = Math.max(...metrics.map((m) => m.length));
  console.log(`store benchmark (node ${r.node}, file durability ${r.durability})`);
  console.log(`${'metric'.padEnd(w)}  ${'file'.padStart(12)}  ${'memory'.padStart(12)}`);
  for (const m of metrics) console.log(`${m.padEnd(w)}  ${String(r[`file.${m}`] ?? '').padStart(12)}  ${String(r[`memory.${m}`] ?? '').padStart(12)}`);
  console.log('targets: concWritesPerSec >= 20000, list10kMs <= 30, compaction stall <= 50 ms');
}
