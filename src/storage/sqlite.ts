// The SQLite MVCC log: one append-only table whose primary key is the global revision.
//
// Design (see DESIGN.md and notes on kine): we are the single in-process writer, so
//  - revisions are assigned in memory and have no gaps;
//  - the newest value of every live key is kept in memory (sorted keys), so gets and lists at the
//    latest revision never touch SQLite, and compare-and-swap checks are map look-ups;
//  - writes queued in the same turn of the event loop share one transaction (group commit);
//  - after commit, events fan out synchronously to watchers and into a ring of recent events,
//    so resuming watchers rarely read SQLite;
//  - UNIQUE(key, prev_rev) still guards the log against a second writer, and the database is
//    opened with an exclusive lock so two processes cannot share one file.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Backend, KeyValue, ListOptions, ListResult, TxnOp, WatchEvent, Watcher, WatchOptions } from './types.ts';
import { StorageError } from './types.ts';
import { WatchHub } from './watch-hub.ts';

export type Durability = 'normal' | 'full';

export interface SqliteOptions {
  /** Path to the database file, or ':memory:'. */
  path: string;
  /** 'normal' (default): survives a process crash (SIGKILL), may lose the last commits on power loss. 'full': fsync every commit. */
  durability?: Durability;
  /** Keep at least this many recent revisions of history (default 10,000). */
  retainRevisions?: number;
  /** Also drop history older than this many ms (default 1 hour; 0 = no age limit). */
  retainMs?: number;
  /** Recent events kept in memory for resuming watchers (default 10,000). */
  eventWindow?: number;
  /** Run compaction every this many ms (default 30 s; 0 = only when compact() is called). */
  compactIntervalMs?: number;
  /** Revisions compacted per transaction (default 2,000), keeping each stall short. */
  compactBatch?: number;
  /** Milliseconds clock, for age-based retention. */
  now?: () => number;
}

interface Row { rev: number; key: string; created_rev: number; prev_rev: number; deleted: number; value: Buffer | null }

interface Pending { op: TxnOp; resolve: (kv: KeyValue[]) => void; reject: (e: unknown) => void; group?: TxnOp[] }

const EMPTY = new Uint8Array(0);

function prefixEnd(prefix: string): string {
  // The smallest string greater than every string with this prefix.
  if (prefix === '') return '\uffff';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function describeSqliteError(path: string, e: unknown): string {
  const code = (e as { code?: string }).code ?? '';
  const msg = e instanceof Error ? e.message : String(e);
  const why: Record<string, string> = {
    SQLITE_FULL: 'the disk is full',
    SQLITE_READONLY: 'the database file is read-only',
    SQLITE_CANTOPEN: 'the file cannot be opened (missing directory or no permission)',
    SQLITE_CORRUPT: 'the database file is corrupt',
    SQLITE_NOTADB: 'the file is not a SQLite database',
    SQLITE_BUSY: 'the database is locked by another process (is another Skiff using this data directory?)',
    SQLITE_IOERR: 'an I/O error occurred',
    SQLITE_PERM: 'permission denied',
  };
  const cause = Object.entries(why).find(([k]) => code.startsWith(k))?.[1] ?? msg;
  return `storage ${path}: ${cause}${cause === msg ? '' : ` (${msg})`}`;
}

export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly path: string;
  private rev = 0;
  private compacted = 0;
  private readonly live = new Map<string, KeyValue>();
  private sortedKeys: string[] = [];
  private readonly hub: WatchHub;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private compactTimer?: NodeJS.Timeout;
  private compacting?: Promise<void>;
  private readonly opts: Required<Omit<SqliteOptions, 'path'>>;
  private readonly stmt: Record<string, Database.Statement>;
  /** Longest single compaction transaction, in ms (reported by the benchmark). */
  longestCompactionStallMs = 0;

  constructor(options: SqliteOptions) {
    this.path = options.path;
    this.opts = {
      durability: options.durability ?? 'normal',
      retainRevisions: options.retainRevisions ?? 10_000,
      retainMs: options.retainMs ?? 3_600_000,
      eventWindow: options.eventWindow ?? 10_000,
      compactIntervalMs: options.compactIntervalMs ?? 30_000,
      compactBatch: options.compactBatch ?? 2_000,
      now: options.now ?? Date.now,
    };
    try {
      if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
      this.db = new Database(this.path);
      if (this.path !== ':memory:') {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('locking_mode = EXCLUSIVE');
      }
      this.db.pragma(`synchronous = ${this.opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      this.db.pragma('cache_size = -65536');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS log (
          rev INTEGER PRIMARY KEY,
          key TEXT NOT NULL,
          created_rev INTEGER NOT NULL,
          prev_rev INTEGER NOT NULL,
          deleted INTEGER NOT NULL,
          value BLOB,
          ts INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS log_key_rev ON log(key, rev);
        CREATE UNIQUE INDEX IF NOT EXISTS log_key_prev ON log(key, prev_rev);
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      `);
      const check = this.db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
    } catch (e) {
      throw new StorageError('Unavailable', describeSqliteError(this.path, e));
    }
    this.stmt = {
      insert: this.db.prepare('INSERT INTO log (rev, key, created_rev, prev_rev, deleted, value, ts) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      getAt: this.db.prepare('SELECT rev, key, created_rev, prev_rev, deleted, value FROM log WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1'),
      listAt: this.db.prepare(`SELECT l.rev, l.key, l.created_rev, l.prev_rev, l.deleted, l.value FROM log l
        WHERE l.key >= ? AND l.key < ? AND l.rev = (SELECT MAX(rev) FROM log m WHERE m.key = l.key AND m.rev <= ?)
        ORDER BY l.key`),
      since: this.db.prepare(`SELECT rev, key, created_rev, prev_rev, deleted, value FROM log WHERE rev > ? ORDER BY rev`),
      byRev: this.db.prepare('SELECT rev, key, created_rev, prev_rev, deleted, value FROM log WHERE rev = ?'),
      setMeta: this.db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
      compactSuperseded: this.db.prepare('DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE rev > ? AND rev <= ? AND prev_rev > 0)'),
      compactTombstones: this.db.prepare('DELETE FROM log WHERE rev > ? AND rev <= ? AND deleted = 1'),
      revBefore: this.db.prepare('SELECT MAX(rev) AS rev FROM log WHERE ts < ?'),
    };
    this.load();
    this.hub = new WatchHub(this.opts.eventWindow, this.rev);
    if (this.opts.compactIntervalMs > 0) {
      this.compactTimer = setInterval(() => { void this.compact().catch(() => {}); }, this.opts.compactIntervalMs);
      this.compactTimer.unref();
    }
  }

  private load(): void {
    const meta = this.db.prepare('SELECT name, value FROM meta').all() as { name: string; value: number }[];
    for (const m of meta) if (m.name === 'compact_rev') this.compacted = m.value;
    const max = this.db.prepare('SELECT MAX(rev) AS rev FROM log').get() as { rev: number | null };
    this.rev = Math.max(max.rev ?? 0, this.compacted, (meta.find((m) => m.name === 'current_rev')?.value) ?? 0);
    const rows = this.db.prepare(`SELECT l.rev, l.key, l.created_rev, l.prev_rev, l.deleted, l.value FROM log l
      WHERE l.rev = (SELECT MAX(rev) FROM log m WHERE m.key = l.key) AND l.deleted = 0 ORDER BY l.key`).all() as Row[];
    for (const r of rows) {
      this.live.set(r.key, toKv(r));
      this.sortedKeys.push(r.key);
    }
  }

  currentRevision(): number { return this.rev; }
  compactRevision(): number { return this.compacted; }

  private ensureOpen(): void { if (this.closed) throw new StorageError('Closed', `storage ${this.path}: closed`); }

  private checkRevision(revision: number): void {
    if (revision > this.rev) throw new StorageError('FutureRevision', `revision ${revision} is newer than the current revision ${this.rev}`);
    if (revision < this.compacted) throw new StorageError('Compacted', `revision ${revision} has been compacted (compacted up to ${this.compacted})`, { compactRevision: this.compacted });
  }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    this.ensureOpen();
    if (!revision || revision >= this.rev) return this.live.get(key);
    this.checkRevision(revision);
    const r = this.stmt.getAt.get(key, revision) as Row | undefined;
    return r && !r.deleted ? toKv(r) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.ensureOpen();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    if (!opts.revision || opts.revision >= this.rev) {
      const end = prefixEnd(prefix);
      let i = from === undefined ? lowerBound(this.sortedKeys, prefix) : upperBound(this.sortedKeys, from);
      const stop = lowerBound(this.sortedKeys, end);
      const items: KeyValue[] = [];
      for (; i < stop && items.length < limit; i++) items.push(this.live.get(this.sortedKeys[i])!);
      return { items, revision: this.rev, more: i < stop, remaining: stop - i };
    }
    this.checkRevision(opts.revision);
    const rows = this.stmt.listAt.all(from ?? prefix, prefixEnd(prefix), opts.revision) as Row[];
    const liveRows = rows.filter((r) => !r.deleted && r.key.startsWith(prefix) && (from === undefined || r.key > from));
    const items = liveRows.slice(0, limit === Infinity ? undefined : limit).map(toKv);
    return { items, revision: opts.revision, more: liveRows.length > items.length, remaining: liveRows.length - items.length };
  }

  async count(prefix: string): Promise<number> {
    this.ensureOpen();
    return lowerBound(this.sortedKeys, prefixEnd(prefix)) - lowerBound(this.sortedKeys, prefix);
  }

  create(key: string, value: Uint8Array): Promise<KeyValue> {
    return this.enqueue([{ op: 'create', key, value }]).then((r) => r[0]);
  }
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    return this.enqueue([{ op: 'update', key, value, expectedRevision }]).then((r) => r[0]);
  }
  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.enqueue([{ op: 'delete', key, expectedRevision }]).then((r) => r[0]);
  }
  txn(ops: TxnOp[]): Promise<KeyValue[]> {
    if (ops.length === 0) return Promise.resolve([]);
    return this.enqueue(ops);
  }

  private enqueue(group: TxnOp[]): Promise<KeyValue[]> {
    if (this.closed) return Promise.reject(new StorageError('Closed', `storage ${this.path}: closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ op: group[0], group, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Group commit: every write queued since the last flush goes into one transaction. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const overlay = new Map<string, KeyValue | null>(); // key → value within this batch (null = deleted)
    const lastRow = new Map<string, number>(); // key → rev of its newest row (incl. tombstones) within this batch
    const results: { p: Pending; kvs?: KeyValue[]; err?: unknown; events?: WatchEvent[] }[] = [];
    const rows: [number, string, number, number, number, Uint8Array | null, number][] = [];
    const ts = this.opts.now();
    let rev = this.rev;
    const current = (key: string): KeyValue | undefined => {
      const o = overlay.get(key);
      return o === null ? undefined : o ?? this.live.get(key);
    };
    for (const p of batch) {
      // Validate the whole group first so a txn is all-or-nothing.
      const staged = new Map<string, KeyValue | null>();
      const cur = (key: string) => { const s = staged.get(key); return s === null ? undefined : s ?? current(key); };
      const events: WatchEvent[] = [];
      const kvs: KeyValue[] = [];
      const groupRows: typeof rows = [];
      let r = rev;
      let err: StorageError | undefined;
      for (const op of p.group!) {
        const prev = cur(op.key);
        const prevRow = staged.has(op.key) || overlay.has(op.key) ? (lastRow.get(op.key) ?? 0) : -1;
        if (op.op === 'create') {
          if (prev) { err = new StorageError('KeyExists', `key ${op.key} already exists`, { current: prev }); break; }
          const kv: KeyValue = { key: op.key, value: op.value, createRevision: ++r, modRevision: r };
          groupRows.push([r, op.key, r, prevRow, 0, op.value, ts]);
          staged.set(op.key, kv); kvs.push(kv); events.push({ type: 'PUT', kv });
        } else if (op.op === 'update') {
          if (!prev) { err = new StorageError('NotFound', `key ${op.key} not found`); break; }
          if (prev.modRevision !== op.expectedRevision) { err = new StorageError('Conflict', `key ${op.key} is at revision ${prev.modRevision}, not ${op.expectedRevision}`, { current: prev }); break; }
          const kv: KeyValue = { key: op.key, value: op.value, createRevision: prev.createRevision, modRevision: ++r };
          groupRows.push([r, op.key, prev.createRevision, prev.modRevision, 0, op.value, ts]);
          staged.set(op.key, kv); kvs.push(kv); events.push({ type: 'PUT', kv, prevKv: prev });
        } else {
          if (!prev) { err = new StorageError('NotFound', `key ${op.key} not found`); break; }
          if (op.expectedRevision !== undefined && op.expectedRevision !== 0 && prev.modRevision !== op.expectedRevision) {
            err = new StorageError('Conflict', `key ${op.key} is at revision ${prev.modRevision}, not ${op.expectedRevision}`, { current: prev }); break;
          }
          const kv: KeyValue = { key: op.key, value: prev.value, createRevision: prev.createRevision, modRevision: ++r };
          groupRows.push([r, op.key, prev.createRevision, prev.modRevision, 1, null, ts]);
          staged.set(op.key, null); kvs.push(kv); events.push({ type: 'DELETE', kv, prevKv: prev });
        }
        lastRow.set(op.key, r);
      }
      if (err) { results.push({ p, err }); continue; }
      rev = r;
      for (const [k, v] of staged) overlay.set(k, v);
      rows.push(...groupRows);
      results.push({ p, kvs, events });
    }
    // prev_rev for creates of keys never seen in this batch: the newest row in the log (tombstone or 0).
    if (rows.length > 0) {
      try {
        this.db.transaction(() => {
          for (const row of rows) {
            if (row[3] === -1) row[3] = this.lastRowRev(row[1]);
            this.stmt.insert.run(row[0], row[1], row[2], row[3], row[4], row[5], row[6]);
          }
        }).immediate();
      } catch (e) {
        const err = new StorageError('Unavailable', describeSqliteError(this.path, e));
        for (const res of results) res.p.reject(res.err ?? err);
        return;
      }
    }
    this.rev = rev;
    const allEvents: WatchEvent[] = [];
    for (const [key, v] of overlay) {
      if (v === null) {
        if (this.live.delete(key)) this.sortedKeys.splice(lowerBound(this.sortedKeys, key), 1);
      } else {
        if (!this.live.has(key)) this.sortedKeys.splice(lowerBound(this.sortedKeys, key), 0, key);
        this.live.set(key, v);
      }
    }
    for (const res of results) {
      if (res.err) res.p.reject(res.err);
      else { allEvents.push(...res.events!); res.p.resolve(res.kvs!); }
    }
    if (allEvents.length) this.hub.publish(allEvents);
  }

  private lastRowRev(key: string): number {
    const r = this.stmt.getAt.get(key, Number.MAX_SAFE_INTEGER) as Row | undefined;
    return r ? r.rev : 0;
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.ensureOpen();
    const after = opts.afterRevision > 0 ? opts.afterRevision : this.rev;
    if (after < this.compacted) {
      throw new StorageError('Compacted', `revision ${after} has been compacted (compacted up to ${this.compacted})`, { compactRevision: this.compacted });
    }
    if (after > this.rev) {
      throw new StorageError('FutureRevision', `revision ${after} is newer than the current revision ${this.rev}`);
    }
    // History: from the in-memory window if it reaches back far enough, else from SQLite.
    let history = this.hub.since(after);
    if (history === undefined) history = this.readHistory(after);
    const filtered = history.filter((e) => e.kv.key.startsWith(prefix));
    const w = this.hub.subscribe(prefix, opts);
    if (filtered.length) opts.onEvents(filtered);
    return w;
  }

  private readHistory(after: number): WatchEvent[] {
    const rows = this.stmt.since.all(after) as Row[];
    const events: WatchEvent[] = [];
    for (const r of rows) {
      const prevRow = r.prev_rev > 0 ? (this.stmt.byRev.get(r.prev_rev) as Row | undefined) : undefined;
      const prevKv = prevRow && !prevRow.deleted ? toKv(prevRow) : undefined;
      if (r.deleted) {
        if (!prevKv) continue;
        events.push({ type: 'DELETE', kv: { ...prevKv, modRevision: r.rev }, prevKv });
      } else {
        events.push({ type: 'PUT', kv: toKv(r), prevKv });
      }
    }
    return events;
  }

  /** Compact history at or below `revision` (default: per the retention policy), in small batches. */
  compact(revision?: number): Promise<void> {
    if (this.compacting) return this.compacting;
    let target = revision ?? this.retentionTarget();
    target = Math.min(target, this.rev);
    if (target <= this.compacted) return Promise.resolve();
    this.compacting = new Promise<void>((resolve, reject) => {
      const step = () => {
        if (this.closed) { this.compacting = undefined; resolve(); return; }
        const lo = this.compacted;
        const hi = Math.min(target, lo + this.opts.compactBatch);
        const t0 = performance.now();
        try {
          this.db.transaction(() => {
            this.stmt.compactSuperseded.run(lo, hi);
            this.stmt.compactTombstones.run(lo, hi);
            this.stmt.setMeta.run('compact_rev', hi);
            this.stmt.setMeta.run('current_rev', this.rev);
          }).immediate();
        } catch (e) {
          this.compacting = undefined;
          reject(new StorageError('Unavailable', describeSqliteError(this.path, e)));
          return;
        }
        this.longestCompactionStallMs = Math.max(this.longestCompactionStallMs, performance.now() - t0);
        this.compacted = hi;
        this.hub.dropThrough(hi);
        if (hi < target) setImmediate(step);
        else {
          this.compacting = undefined;
          if (this.path !== ':memory:') { try { this.db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* next time */ } }
          resolve();
        }
      };
      setImmediate(step);
    });
    return this.compacting;
  }

  private retentionTarget(): number {
    let target = this.rev - this.opts.retainRevisions;
    if (this.opts.retainMs > 0) {
      const r = this.stmt.revBefore.get(this.opts.now() - this.opts.retainMs) as { rev: number | null };
      // Age limit only trims further than the count limit when history is both long and old.
      if (r.rev !== null) target = Math.max(target, Math.min(r.rev, this.rev - 1));
    }
    return target;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let queued writes land before closing.
    if (this.queue.length) this.flush();
    if (this.compacting) await this.compacting.catch(() => {});
    this.closed = true;
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.hub.closeAll(new StorageError('Closed', `storage ${this.path}: closed`));
    try { this.stmt.setMeta.run('current_rev', this.rev); } catch { /* read-only or full: nothing to lose */ }
    this.db.close();
  }
}

function toKv(r: Row): KeyValue {
  return { key: r.key, value: r.value ?? EMPTY, createRevision: r.created_rev, modRevision: r.rev };
}

function lowerBound(a: string[], x: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m] < x) lo = m + 1; else hi = m; }
  return lo;
}
function upperBound(a: string[], x: string): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (a[m] <= x) lo = m + 1; else hi = m; }
  return lo;
}
