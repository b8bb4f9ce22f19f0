// The SQLite MVCC log: one append-only table whose primary key is the global revision.
//
// Design (modelled on etcd's MVCC and k3s's kine, simplified for a single in-process writer):
//  - revisions are assigned in memory and have no gaps: the in-memory state (revision counter,
//    latest values) is only changed after the SQLite transaction has committed, so a failed commit
//    leaves nothing behind and every op in it is rejected;
//  - the newest value of every live key is kept in memory (map + sorted key array), so gets and
//    lists at the latest revision never touch SQLite, and compare-and-swap checks are map look-ups;
//  - writes queued in the same turn of the event loop share one transaction (group commit);
//  - after commit, events fan out synchronously to watchers and into a window of recent events,
//    so resuming watchers rarely read SQLite;
//  - every row links to the key's previous row (prev_rev); one writer is assured by the exclusive
//    lock the file is held with from open to close (an in-memory database has one connection), and
//    every write is checked against the latest values in memory before its row is inserted. Rows are
//    indexed by (key, rev), which every read by key uses; nothing reads by (key, prev_rev), so that is
//    not indexed (a UNIQUE(key, prev_rev) index once guarded against a second writer; data directories
//    that have it lose it at open: it was a third b-tree written on every insert, ~40% of a create's
//    SQLite CPU).
//
// Values handed to create/update/txn are kept by reference (not copied): callers must not mutate
// a Uint8Array after writing it.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock, TimerHandle } from '../clock.ts';
import { RealClock } from '../clock.ts';
import type { Backend, KeyValue, ListOptions, ListResult, TxnOp, WatchEvent, Watcher, WatchOptions } from './types.ts';
import { StorageError } from './types.ts';
import { WatchHub } from './watch-hub.ts';
import { SortedKeys } from './sorted-keys.ts';
import { checkSnapshot } from './snapshot.ts';
import type { StorageSnapshot } from './snapshot.ts';

export type Durability = 'normal' | 'full';

export interface SqliteOptions {
  /** Path to the database file, or ':memory:'. */
  path: string;
  /**
   * 'normal' (default): WAL with synchronous=NORMAL — a commit is in the WAL (OS page cache) before
   * it is acknowledged, so it survives a process crash (SIGKILL, OOM kill); an OS crash or power
   * loss may lose the last commits (never corrupts). 'full': synchronous=FULL — the WAL is fsynced
   * on every commit (group commit amortises the cost), so acknowledged writes survive power loss.
   */
  durability?: Durability;
  /**
   * Retention rule (see retentionTarget): history is kept only while it is among the newest
   * `retainRevisions` revisions AND younger than `retainMs`. Defaults: 10,000 revisions, 5 minutes
   * (upstream's apiserver compacts etcd every 5 minutes: older list continue tokens and watch
   * resource versions get 410, which clients and upstream's conformance suite expect).
   */
  retainRevisions?: number;
  /** Drop history older than this many ms (default 5 minutes; 0 = no age limit). */
  retainMs?: number;
  /** Recent events kept in memory for resuming watchers (default 10,000). */
  eventWindow?: number;
  /** Approximate memory budget of that window in bytes (default 64 MiB). */
  eventWindowBytes?: number;
  /** Run compaction every this many ms (default 30 s; 0 = only when compact() is called). */
  compactIntervalMs?: number;
  /** Revisions compacted in the first transaction (default 250); then adapted to keep each near ~8 ms. */
  compactBatch?: number;
  /** Milliseconds clock, for age-based retention (default: clock.now). */
  now?: () => number;
  /** Clock for the compaction timer and timestamps (default: a RealClock). */
  clock?: Clock;
  /** Cap the database at this many pages (4 KiB each); writes beyond fail like a full disk. 0 = no cap. */
  maxPages?: number;
  /**
   * SQLite page cache of a file database, in KiB (default 4 MiB). Reads of current values are served
   * from the in-memory latest-value map, so the cache mostly holds the pages being written; a page it
   * no longer holds comes back from the OS's file cache. 16 MiB held ~15 MB more resident memory at
   * 10,000 pods (bench/running.ts --smaps: malloc heap) for no measurable gain in write time or CPU.
   */
  cacheKiB?: number;
  /**
   * When to run SQLite's quick_check (O(database size)) at open: 'auto' (default) only when the
   * previous run did not close the file cleanly (a crash, a kill, or a file from before the marker
   * existed); 'always' on every open (`skiff serve --check-db`). A cleanly closed file is trusted, as
   * etcd trusts its bbolt file: damage it took while closed surfaces when the damaged pages are read.
   */
  integrityCheck?: 'auto' | 'always';
  /**
   * Start an in-memory database (path ':memory:') from an earlier one's image() instead of empty:
   * its tables, rows and revision counter. `rewrite`, when given, maps every stored value once as the
   * image is opened (bytes in, bytes out: the storage knows nothing of what they hold); each row's
   * time for age-based retention becomes now.
   */
  image?: {
    bytes: Uint8Array;
    rewrite?: (value: Uint8Array) => Uint8Array;
    /**
     * The same rewrite over the raw image, in place (a copy of `bytes`), for what it can do without
     * changing lengths; answers byte strings that mark values still to go through `rewrite`. With it,
     * `rewrite` runs only on those and on values too large to sit whole on one page (split across
     * pages, a match at a page boundary escapes the raw pass); `rewrite` must then leave alone what
     * `inPlace` already rewrote.
     */
    inPlace?: (image: Buffer) => Uint8Array[];
  };
}

interface Row { rev: number; key: string; created_rev: number; prev_rev: number; deleted: number; value: Buffer | null }
interface HistRow extends Row { p_rev: number | null; p_created_rev: number | null; p_deleted: number | null; p_value: Buffer | null }
type InsertRow = [rev: number, key: string, createdRev: number, prevRev: number, deleted: number, value: Uint8Array | null, ts: number];

interface Pending { group: TxnOp[]; resolve: (kv: KeyValue[]) => void; reject: (e: unknown) => void }

const EMPTY = new Uint8Array(0);
/** Most ops in one group-commit transaction; the rest go in the next one. */
const MAX_BATCH_OPS = 10_000;
/** Compaction aims to keep each of its transactions under this many ms. */
const COMPACT_STEP_TARGET_MS = 8;

/** [start, end) of the keys with this prefix; end undefined = unbounded. */
function prefixRange(prefix: string): [string, string | undefined] {
  let p = prefix;
  while (p.length > 0 && p.charCodeAt(p.length - 1) === 0xffff) p = p.slice(0, -1);
  if (p === '') return [prefix, undefined];
  return [prefix, p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1)];
}

const SQLITE_CAUSES: [string, string][] = [
  ['SQLITE_FULL', 'the disk is full (or the database reached its size limit)'],
  ['SQLITE_READONLY', 'the database file is read-only'],
  ['SQLITE_CANTOPEN', 'the file cannot be opened (missing directory, a directory in its place, or no permission)'],
  ['SQLITE_CORRUPT', 'the database file is corrupt'],
  ['SQLITE_NOTADB', 'the file is not a SQLite database'],
  ['SQLITE_BUSY', 'the database is locked by another process (is another Skiff using this data directory?)'],
  ['SQLITE_LOCKED', 'the database is locked'],
  ['SQLITE_IOERR', 'an I/O error occurred'],
  ['SQLITE_PERM', 'permission denied'],
  ['SQLITE_AUTH', 'permission denied'],
  ['ENOTDIR', 'a component of the path is not a directory'],
  ['EEXIST', 'a file exists where a directory is needed'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'permission denied'],
  ['EROFS', 'the file system is read-only'],
  ['ENOSPC', 'the disk is full'],
  ['EISDIR', 'the path is a directory'],
];

function describeError(path: string, e: unknown): string {
  const code = String((e as { code?: unknown })?.code ?? '');
  const msg = e instanceof Error ? e.message : String(e);
  const cause = SQLITE_CAUSES.find(([k]) => code.startsWith(k))?.[1];
  return cause ? `storage ${path}: ${cause} (${code}: ${msg})` : `storage ${path}: ${msg}${code ? ` (${code})` : ''}`;
}

const unavailable = (path: string, e: unknown) => new StorageError('Unavailable', describeError(path, e));

/**
 * One write checked against the key's current value `prev` (compare-and-swap) at revision `r`:
 * the new KeyValue, its log row and its event, or the error that rejects the write's group.
 * `prevRow` is the key's newest row (a create after a delete links to the tombstone), else 0.
 */
function applyOp(op: TxnOp, prev: KeyValue | undefined, prevRow: number, r: number, ts: number): { kv: KeyValue; row: InsertRow; event: WatchEvent } | StorageError {
  if (op.op === 'create') {
    if (prev) return new StorageError('KeyExists', `key ${op.key} already exists`, { current: prev });
    const kv: KeyValue = { key: op.key, value: op.value, createRevision: r, modRevision: r };
    return { kv, row: [r, op.key, r, prevRow, 0, op.value, ts], event: { type: 'PUT', kv } };
  }
  if (op.op === 'update') {
    if (!prev) return new StorageError('NotFound', `key ${op.key} not found`);
    if (prev.modRevision !== op.expectedRevision) {
      return new StorageError('Conflict', `key ${op.key} is at revision ${prev.modRevision}, not ${op.expectedRevision}`, { current: prev });
    }
    const kv: KeyValue = { key: op.key, value: op.value, createRevision: prev.createRevision, modRevision: r };
    return { kv, row: [r, op.key, prev.createRevision, prev.modRevision, 0, op.value, ts], event: { type: 'PUT', kv, prevKv: prev } };
  }
  if (!prev) return new StorageError('NotFound', `key ${op.key} not found`);
  if (op.expectedRevision !== undefined && op.expectedRevision !== 0 && prev.modRevision !== op.expectedRevision) {
    return new StorageError('Conflict', `key ${op.key} is at revision ${prev.modRevision}, not ${op.expectedRevision}`, { current: prev });
  }
  const kv: KeyValue = { key: op.key, value: prev.value, createRevision: prev.createRevision, modRevision: r };
  return { kv, row: [r, op.key, prev.createRevision, prev.modRevision, 1, null, ts], event: { type: 'DELETE', kv, prevKv: prev } };
}

export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  private readonly db: Database.Database;
  private readonly path: string;
  private readonly file: boolean;
  private rev = 0;
  private compacted = 0;
  private readonly live = new Map<string, KeyValue>();
  private sortedKeys = new SortedKeys();
  /** Deleted keys whose tombstone is still in the log → the tombstone's revision (a re-create links to it). */
  private readonly tombstones = new Map<string, number>();
  private hub: WatchHub;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closing = false;
  /** Set when SQLite reported damage: close() then leaves the clean-shutdown marker unset. */
  private damaged = false;
  private closePromise?: Promise<void>;
  private compactTimer?: TimerHandle;
  private compacting?: Promise<void>;
  private compactBatch: number;
  private readonly opts: Required<Omit<SqliteOptions, 'path' | 'clock' | 'now' | 'image'>>;
  private readonly now: () => number;
  private readonly stmt: Record<string, Database.Statement>;
  private readonly writeRows: Database.Transaction<(rows: InsertRow[]) => void>;
  /** Longest single compaction transaction (including any vacuum step), in ms. */
  longestCompactionStallMs = 0;
  /** Whether this open ran the integrity check (see SqliteOptions.integrityCheck). */
  readonly integrityChecked: boolean = false;

  constructor(options: SqliteOptions) {
    this.path = options.path;
    this.file = this.path !== ':memory:' && this.path !== '';
    const clock = options.clock ?? new RealClock();
    this.now = options.now ?? (() => clock.now());
    this.opts = {
      durability: options.durability ?? 'normal',
      retainRevisions: Math.max(0, options.retainRevisions ?? 10_000),
      retainMs: Math.max(0, options.retainMs ?? 300_000),
      eventWindow: options.eventWindow ?? 10_000,
      eventWindowBytes: options.eventWindowBytes ?? 64 * 1024 * 1024,
      compactIntervalMs: options.compactIntervalMs ?? 30_000,
      compactBatch: Math.max(1, options.compactBatch ?? 250),
      maxPages: options.maxPages ?? 0,
      cacheKiB: Math.max(1024, options.cacheKiB ?? 4 * 1024),
      integrityCheck: options.integrityCheck ?? 'auto',
    };
    if (this.opts.durability !== 'normal' && this.opts.durability !== 'full') {
      throw new StorageError('Unavailable', `storage ${this.path}: unknown durability ${JSON.stringify(this.opts.durability)} (want "normal" or "full")`);
    }
    if (this.opts.integrityCheck !== 'auto' && this.opts.integrityCheck !== 'always') {
      throw new StorageError('Unavailable', `storage ${this.path}: unknown integrityCheck ${JSON.stringify(this.opts.integrityCheck)} (want "auto" or "always")`);
    }
    this.compactBatch = this.opts.compactBatch;
    if (this.file) {
      try { mkdirSync(dirname(this.path), { recursive: true }); } catch (e) {
        throw new StorageError('Unavailable', `storage ${this.path}: cannot create directory ${dirname(this.path)}: ${describeError(this.path, e).replace(`storage ${this.path}: `, '')}`);
      }
    }
    let db: Database.Database | undefined;
    try {
      if (options.image && this.file) throw new Error('an image can only start an in-memory database');
      let image: Buffer | undefined;
      let stillToRewrite: Uint8Array[] | undefined;
      if (options.image) {
        const { bytes, inPlace } = options.image;
        image = inPlace ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        stillToRewrite = inPlace?.(image);
      }
      db = image ? new Database(image) : new Database(this.path, { timeout: 2000 });
      if (this.file) {
        // Must precede table creation to take effect on a new file; lets compaction hand freed pages back.
        db.pragma('auto_vacuum = INCREMENTAL');
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (String(mode).toLowerCase() !== 'wal') throw new Error(`cannot switch to WAL journal mode (got ${String(mode)})`);
        db.pragma('locking_mode = EXCLUSIVE');
        db.pragma('journal_size_limit = 67108864');
      }
      db.pragma(`synchronous = ${this.opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma(`cache_size = -${this.file ? Math.floor(this.opts.cacheKiB) : 65536}`);
      if (this.opts.maxPages > 0) db.pragma(`max_page_count = ${Math.floor(this.opts.maxPages)}`);
      db.exec(`
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
        DROP INDEX IF EXISTS log_key_prev;
        CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      `);
      if (this.file) {
        const marker = db.prepare(`SELECT value FROM meta WHERE name = 'clean_shutdown'`).get() as { value: number } | undefined;
        if (marker?.value !== 1 || this.opts.integrityCheck === 'always') {
          const check = db.pragma('quick_check', { simple: true });
          if (check !== 'ok') throw Object.assign(new Error(String(check)), { code: 'SQLITE_CORRUPT' });
          this.integrityChecked = true;
        }
      }
      this.db = db;
      this.stmt = {
        insert: db.prepare('INSERT INTO log (rev, key, created_rev, prev_rev, deleted, value, ts) VALUES (?, ?, ?, ?, ?, ?, ?)'),
        getAt: db.prepare('SELECT rev, key, created_rev, prev_rev, deleted, value FROM log WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1'),
        listAt: db.prepare(`SELECT l.rev, l.key, l.created_rev, l.prev_rev, l.deleted, l.value FROM log l
          WHERE l.key >= ? AND l.key < ? AND l.rev = (SELECT MAX(rev) FROM log m WHERE m.key = l.key AND m.rev <= ?)`),
        listAtOpen: db.prepare(`SELECT l.rev, l.key, l.created_rev, l.prev_rev, l.deleted, l.value FROM log l
          WHERE l.key >= ? AND l.rev = (SELECT MAX(rev) FROM log m WHERE m.key = l.key AND m.rev <= ?)`),
        since: db.prepare(`SELECT l.rev, l.key, l.created_rev, l.prev_rev, l.deleted, l.value,
            p.rev AS p_rev, p.created_rev AS p_created_rev, p.deleted AS p_deleted, p.value AS p_value
          FROM log l LEFT JOIN log p ON p.rev = l.prev_rev AND l.prev_rev > 0 WHERE l.rev > ? ORDER BY l.rev`),
        setMeta: db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
        compactSuperseded: db.prepare('DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE rev > ? AND rev <= ? AND prev_rev > 0)'),
        compactTombstones: db.prepare('DELETE FROM log WHERE rev > ? AND rev <= ? AND deleted = 1'),
        firstYoung: db.prepare('SELECT rev FROM log WHERE rev > ? AND ts >= ? ORDER BY rev LIMIT 1'),
      };
      this.writeRows = db.transaction((rows: InsertRow[]) => {
        for (const row of rows) this.stmt.insert.run(row[0], row[1], row[2], row[3], row[4], row[5], row[6]);
      });
      if (options.image) this.rewriteImage(db, options.image.rewrite, stillToRewrite);
      this.load();
      // A write at open takes the exclusive lock now (a second process fails fast instead of later)
      // and reveals a read-only file at start-up rather than on the first request.
      // The clean-shutdown marker is cleared until close() sets it again.
      db.transaction(() => {
        this.stmt.setMeta.run('current_rev', this.rev);
        this.stmt.setMeta.run('clean_shutdown', 0);
      }).immediate();
    } catch (e) {
      try { db?.close(); } catch { /* already failing */ }
      throw e instanceof StorageError ? e : unavailable(this.path, e);
    }
    this.hub = new WatchHub(this.opts.eventWindow, this.rev, this.opts.eventWindowBytes);
    if (this.opts.compactIntervalMs > 0) {
      this.compactTimer = clock.setInterval(() => {
        if (!this.compacting && !this.closing) void this.compact().catch(() => { /* retried next interval; writes report their own errors */ });
      }, this.opts.compactIntervalMs);
    }
  }

  /**
   * Map every value of an image once (see SqliteOptions.image) and date its rows now. `marked`: the
   * image was rewritten in place, and only the values containing one of these byte strings, or too
   * large for one page, still need `rewrite`.
   */
  private rewriteImage(db: Database.Database, rewrite: ((value: Uint8Array) => Uint8Array) | undefined, marked: Uint8Array[] | undefined): void {
    db.prepare('UPDATE log SET ts = ?').run(this.now());
    if (!rewrite) return;
    // One statement, the rewrite called by SQLite on each value (no row objects in between).
    db.function('skiff_image_value', { deterministic: false }, (v: Buffer | null) => (v === null ? null : rewrite(v)) as Buffer | null);
    if (!marked) { db.prepare('UPDATE log SET value = skiff_image_value(value)').run(); return; }
    // A row whose record exceeds what a table leaf page holds (usable size - 35) continues on overflow
    // pages; the record is its key and value and at most ~60 bytes of header and integers.
    const onePage = (db.pragma('page_size', { simple: true }) as number) - 35 - 64;
    const where = ['length(CAST(key AS BLOB)) + length(value) > ?', ...marked.map(() => 'instr(value, ?) > 0')].join(' OR ');
    db.prepare(`UPDATE log SET value = skiff_image_value(value) WHERE value IS NOT NULL AND (${where})`).run(onePage, ...marked.map((m) => Buffer.from(m.buffer, m.byteOffset, m.byteLength)));
  }

  /** The whole in-memory database as bytes, to start another one from (SqliteOptions.image). */
  image(): Uint8Array {
    if (this.file) throw new Error(`storage ${this.path}: only an in-memory database has an image`);
    this.ensureOpen();
    return this.db.serialize();
  }

  private load(): void {
    const meta = this.db.prepare('SELECT name, value FROM meta').all() as { name: string; value: number }[];
    const m = (name: string) => meta.find((x) => x.name === name)?.value ?? 0;
    this.compacted = m('compact_rev');
    const max = this.db.prepare('SELECT MAX(rev) AS rev FROM log').get() as { rev: number | null };
    // Compaction may have removed the newest rows (tombstones): the metadata keeps the counter.
    this.rev = Math.max(max.rev ?? 0, this.compacted, m('current_rev'));
    const rows = this.db.prepare(`SELECT l.rev, l.key, l.created_rev, l.prev_rev, l.deleted, l.value FROM log l
      WHERE l.rev = (SELECT MAX(rev) FROM log m WHERE m.key = l.key)`).all() as Row[];
    for (const r of rows) {
      if (r.deleted) this.tombstones.set(r.key, r.rev);
      else this.live.set(r.key, toKv(r));
    }
    this.sortedKeys = new SortedKeys([...this.live.keys()].sort(cmp));
  }

  currentRevision(): number { return this.rev; }
  compactRevision(): number { return this.compacted; }

  /** A SQLite failure as Unavailable; damage seen while open keeps the next open's integrity check. */
  private unavailable(e: unknown): StorageError {
    const code = String((e as { code?: unknown })?.code ?? '');
    if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) this.damaged = true;
    return unavailable(this.path, e);
  }

  private closedError(): StorageError { return new StorageError('Closed', `storage ${this.path}: closed`); }
  private ensureOpen(): void { if (this.closing) throw this.closedError(); }

  /** True if `revision` asks for the latest state; throws FutureRevision/Compacted for unreadable ones. */
  private isLatest(revision: number | undefined): boolean {
    if (!revision || revision <= 0 || revision === this.rev) return true;
    if (revision > this.rev) throw new StorageError('FutureRevision', `revision ${revision} is newer than the current revision ${this.rev}`);
    if (revision < this.compacted) {
      throw new StorageError('Compacted', `revision ${revision} has been compacted (compacted up to ${this.compacted})`, { compactRevision: this.compacted });
    }
    return false;
  }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    this.ensureOpen();
    if (this.isLatest(revision)) return this.live.get(key);
    const r = this.stmt.getAt.get(key, revision) as Row | undefined;
    return r && !r.deleted ? toKv(r) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.ensureOpen();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const [lo, end] = prefixRange(prefix);
    if (this.isLatest(opts.revision)) {
      const keys = this.sortedKeys;
      const first = from === undefined ? keys.rank(lo) : keys.rank(from, true);
      const stop = end === undefined ? keys.size : keys.rank(end);
      const n = Math.max(0, Math.min(stop - first, limit));
      const items = keys.slice(first, n).map((k) => this.live.get(k)!);
      const remaining = Math.max(0, stop - first - n);
      return { items, revision: this.rev, more: remaining > 0, remaining };
    }
    const revision = opts.revision!;
    const rows = (end === undefined ? this.stmt.listAtOpen.all(from ?? lo, revision) : this.stmt.listAt.all(from ?? lo, end, revision)) as Row[];
    // SQLite orders TEXT by UTF-8 bytes; sort as JavaScript does so both paths agree.
    const liveRows = rows.filter((r) => !r.deleted && r.key.startsWith(prefix) && (from === undefined || r.key > from)).sort((a, b) => cmp(a.key, b.key));
    const items = (limit === Infinity ? liveRows : liveRows.slice(0, limit)).map(toKv);
    return { items, revision, more: liveRows.length > items.length, remaining: liveRows.length - items.length };
  }

  async count(prefix: string): Promise<number> {
    this.ensureOpen();
    const [lo, end] = prefixRange(prefix);
    return (end === undefined ? this.sortedKeys.size : this.sortedKeys.rank(end)) - this.sortedKeys.rank(lo);
  }

  /**
   * Hand SQLite's unused page-cache memory back (PRAGMA shrink_memory); the cache refills on demand.
   * Only for a file database: an in-memory database's cache is the data itself.
   */
  releaseMemory(): void {
    if (this.closing || !this.file) return;
    try { this.db.pragma('shrink_memory'); } catch { /* only an optimisation: the next read or write reports any failure */ }
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
    if (this.closing) return Promise.reject(this.closedError());
    if (!Array.isArray(ops) || ops.length === 0) return Promise.resolve([]);
    return this.enqueue(ops);
  }

  private enqueue(group: TxnOp[]): Promise<KeyValue[]> {
    if (this.closing) return Promise.reject(this.closedError());
    // Reject malformed ops here: inside a shared transaction they would fail everyone's writes.
    for (const op of group) {
      const bad = typeof op?.key !== 'string' || op.key === '' ? 'key must be a non-empty string'
        : op.op !== 'delete' && !(op.value instanceof Uint8Array) ? 'value must be a Uint8Array'
        : op.op === 'update' && !Number.isSafeInteger(op.expectedRevision) ? 'expectedRevision must be an integer'
        : op.op !== 'create' && op.op !== 'update' && op.op !== 'delete' ? `unknown op ${JSON.stringify((op as { op?: unknown }).op)}` : undefined;
      if (bad) return Promise.reject(new TypeError(`storage: invalid write: ${bad}`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ group, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => { this.flushScheduled = false; this.flush(); });
  }

  /** Group commit: writes queued since the last flush go into one transaction. */
  private flush(): void {
    if (this.queue.length === 0) return;
    let n = 0, ops = 0;
    while (n < this.queue.length && (n === 0 || ops + this.queue[n].group.length <= MAX_BATCH_OPS)) ops += this.queue[n++].group.length;
    const batch = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    if (this.queue.length) this.scheduleFlush();

    // Validate every group against the state as of the groups before it. Nothing in memory changes
    // until SQLite has committed.
    const overlay = new Map<string, KeyValue | null>(); // key → value after this batch so far (null = deleted)
    const lastRow = new Map<string, number>(); // key → rev of its newest row written in this batch
    const results: { p: Pending; kvs?: KeyValue[]; err?: unknown; events?: WatchEvent[] }[] = [];
    const rows: InsertRow[] = [];
    const ts = this.now();
    let rev = this.rev;
    for (const p of batch) {
      // One op (every create, update and delete): checked against the batch so far, no staging.
      if (p.group.length === 1) {
        const op = p.group[0];
        const prev = overlay.has(op.key) ? overlay.get(op.key) ?? undefined : this.live.get(op.key);
        const a = applyOp(op, prev, lastRow.get(op.key) ?? this.tombstones.get(op.key) ?? 0, rev + 1, ts);
        if (a instanceof StorageError) { results.push({ p, err: a }); continue; }
        rev++;
        overlay.set(op.key, a.event.type === 'DELETE' ? null : a.kv);
        lastRow.set(op.key, rev);
        rows.push(a.row);
        results.push({ p, kvs: [a.kv], events: [a.event] });
        continue;
      }
      const staged = new Map<string, KeyValue | null>();
      const stagedRow = new Map<string, number>();
      const cur = (key: string): KeyValue | undefined => {
        const s = staged.has(key) ? staged.get(key) : overlay.has(key) ? overlay.get(key) : this.live.get(key);
        return s ?? undefined;
      };
      const events: WatchEvent[] = [];
      const kvs: KeyValue[] = [];
      const groupRows: InsertRow[] = [];
      let r = rev;
      let err: StorageError | undefined;
      for (const op of p.group) {
        // For a create: the key's newest row (a tombstone) in this batch or in the log, else 0.
        const prevRow = stagedRow.get(op.key) ?? lastRow.get(op.key) ?? this.tombstones.get(op.key) ?? 0;
        const a = applyOp(op, cur(op.key), prevRow, r + 1, ts);
        if (a instanceof StorageError) { err = a; break; }
        r++;
        groupRows.push(a.row);
        staged.set(op.key, a.event.type === 'DELETE' ? null : a.kv); kvs.push(a.kv); events.push(a.event);
        stagedRow.set(op.key, r);
      }
      if (err) { results.push({ p, err }); continue; }
      rev = r;
      for (const [k, v] of staged) overlay.set(k, v);
      for (const [k, v] of stagedRow) lastRow.set(k, v);
      for (const row of groupRows) rows.push(row);
      results.push({ p, kvs, events });
    }
    if (rows.length > 0) {
      try {
        this.writeRows.immediate(rows);
      } catch (e) {
        // Nothing was applied in memory: the revision counter and the latest values are untouched.
        const err = this.unavailable(e);
        for (const res of results) res.p.reject(res.err ?? err);
        return;
      }
    }
    this.rev = rev;
    for (const [key, v] of overlay) {
      if (v === null) {
        if (this.live.delete(key)) this.sortedKeys.remove(key);
        this.tombstones.set(key, lastRow.get(key)!);
      } else {
        if (!this.live.has(key)) this.sortedKeys.insert(key);
        this.live.set(key, v);
        this.tombstones.delete(key);
      }
    }
    const allEvents: WatchEvent[] = [];
    for (const res of results) {
      if (res.err) res.p.reject(res.err);
      else { for (const e of res.events!) allEvents.push(e); res.p.resolve(res.kvs!); }
    }
    if (allEvents.length) this.hub.publish(allEvents);
  }

  snapshot(): StorageSnapshot {
    this.ensureOpen();
    return { revision: this.rev, kvs: this.sortedKeys.slice(0, this.sortedKeys.size).map((k) => this.live.get(k)!) };
  }

  async restore(snapshot: StorageSnapshot): Promise<void> {
    this.ensureOpen();
    checkSnapshot(snapshot);
    // Compaction steps towards a target taken from the current revision: let it finish first.
    if (this.compacting) await this.compacting.catch(() => {});
    this.ensureOpen();
    while (this.queue.length) this.flush();
    const rev = snapshot.revision;
    const ts = this.now();
    try {
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM log').run();
        for (const kv of snapshot.kvs) this.stmt.insert.run(kv.modRevision, kv.key, kv.createRevision, 0, 0, kv.value, ts);
        this.stmt.setMeta.run('compact_rev', rev);
        this.stmt.setMeta.run('current_rev', rev);
      }).immediate();
    } catch (e) {
      throw this.unavailable(e);
    }
    this.live.clear();
    for (const kv of snapshot.kvs) this.live.set(kv.key, kv);
    this.sortedKeys = new SortedKeys(snapshot.kvs.map((kv) => kv.key));
    this.tombstones.clear();
    this.rev = rev;
    this.compacted = rev;
    const old = this.hub;
    this.hub = new WatchHub(this.opts.eventWindow, rev, this.opts.eventWindowBytes);
    old.closeAll(new StorageError('Compacted', `the store was restored to revision ${rev}: watch again`, { compactRevision: rev }));
  }

  /**
   * Replays history after `afterRevision` synchronously (onEvents is called before watch returns),
   * then delivers live events as they commit.
   */
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
    if (history === undefined) {
      try { history = this.readHistory(after); } catch (e) { throw this.unavailable(e); }
    }
    const mine = prefix === '' ? history : history.filter((e) => e.kv.key.startsWith(prefix));
    const w = this.hub.subscribe(prefix, opts, this.rev);
    if (mine.length) {
      try { opts.onEvents(mine); } catch (e) { w.cancel(); throw e; }
    }
    return w;
  }

  /** Number of live watchers (for metrics). */
  watcherCount(): number { return this.hub.watcherCount; }

  private readHistory(after: number): WatchEvent[] {
    const rows = this.stmt.since.all(after) as HistRow[];
    const events: WatchEvent[] = [];
    for (const r of rows) {
      const prevKv: KeyValue | undefined = r.p_rev !== null && !r.p_deleted
        ? { key: r.key, value: r.p_value ?? EMPTY, createRevision: r.p_created_rev!, modRevision: r.p_rev } : undefined;
      if (r.deleted) {
        // A tombstone above the compact revision always has its previous row (it is not superseded at or
        // below the compact revision), so this only guards against a damaged log.
        if (!prevKv) continue;
        events.push({ type: 'DELETE', kv: { ...prevKv, modRevision: r.rev }, prevKv });
      } else {
        events.push({ type: 'PUT', kv: toKv(r), prevKv });
      }
    }
    return events;
  }

  /**
   * Compact history at or below `revision` (default: per the retention policy), in small
   * transactions spread over event-loop turns so writes are never blocked for long.
   * Concurrent calls queue up; the promise resolves when this request's target is reached.
   */
  compact(revision?: number): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError());
    const run = async () => {
      if (this.closing) return;
      const target = Math.min(revision ?? this.retentionTarget(), this.rev);
      await this.compactTo(target);
    };
    const p = (this.compacting ?? Promise.resolve()).catch(() => {}).then(run);
    const tracked: Promise<void> = p.then(() => {}, () => {}).then(() => { if (this.compacting === tracked) this.compacting = undefined; });
    this.compacting = tracked;
    return p;
  }

  private async compactTo(target: number): Promise<void> {
    let compactedRows = false;
    while (this.compacted < target && !this.closing) {
      const lo = this.compacted;
      const hi = Math.min(target, lo + this.compactBatch);
      const t0 = performance.now();
      try {
        this.db.transaction(() => {
          this.stmt.compactSuperseded.run(lo, hi);
          this.stmt.compactTombstones.run(lo, hi);
          this.stmt.setMeta.run('compact_rev', hi);
          this.stmt.setMeta.run('current_rev', this.rev);
        }).immediate();
      } catch (e) {
        throw this.unavailable(e);
      }
      const dt = performance.now() - t0;
      this.longestCompactionStallMs = Math.max(this.longestCompactionStallMs, dt);
      // Adapt the batch so each transaction stays near the target duration.
      if (dt > COMPACT_STEP_TARGET_MS * 1.5) this.compactBatch = Math.max(20, Math.floor(this.compactBatch / 2));
      else if (dt < COMPACT_STEP_TARGET_MS / 2 && hi - lo === this.compactBatch) this.compactBatch = Math.min(20_000, Math.ceil(this.compactBatch * 1.5));
      this.compacted = hi;
      this.hub.dropThrough(hi);
      for (const [k, r] of this.tombstones) if (r <= hi) this.tombstones.delete(k);
      compactedRows = true;
      await yieldTurn();
    }
    if (compactedRows && this.file) await this.vacuumSome();
  }

  /**
   * Hand free pages back to the file system, a few at a time, when more than a quarter of the file
   * is free. Under steady churn freed pages are reused by new rows and this does nothing; after a
   * burst of deletions (or a big compaction) it shrinks the file without a blocking full VACUUM.
   */
  private async vacuumSome(): Promise<void> {
    for (;;) {
      if (this.closing) return;
      const free = Number(this.db.pragma('freelist_count', { simple: true }));
      const pages = Number(this.db.pragma('page_count', { simple: true }));
      if (free < 256 || free * 4 < pages) return;
      const t0 = performance.now();
      try { this.db.pragma('incremental_vacuum(512)'); } catch (e) { throw this.unavailable(e); }
      this.longestCompactionStallMs = Math.max(this.longestCompactionStallMs, performance.now() - t0);
      await yieldTurn();
    }
  }

  /**
   * The retention rule. A revision's history (superseded values and tombstones) is kept only while
   * BOTH hold: it is among the newest `retainRevisions` revisions, and it was written less than
   * `retainMs` ago (when retainMs > 0). So the target is the larger of
   *   - currentRevision - retainRevisions, and
   *   - the newest revision written at least retainMs ago.
   * The latest value of every live key is never removed by compaction, whatever its age.
   */
  private retentionTarget(): number {
    let target = this.rev - this.opts.retainRevisions;
    if (this.opts.retainMs > 0) {
      // Rows above the compact revision are few (at most the retained history), and ts grows with rev.
      const young = this.stmt.firstYoung.get(this.compacted, this.now() - this.opts.retainMs) as { rev: number } | undefined;
      const ageTarget = young ? young.rev - 1 : this.rev;
      target = Math.max(target, ageTarget);
    }
    return Math.min(target, this.rev);
  }

  /** Page statistics of the database file (for tests and metrics). */
  fileStats(): { pageCount: number; freelistCount: number; pageSize: number; rows: number } {
    this.ensureOpen();
    return {
      pageCount: Number(this.db.pragma('page_count', { simple: true })),
      freelistCount: Number(this.db.pragma('freelist_count', { simple: true })),
      pageSize: Number(this.db.pragma('page_size', { simple: true })),
      rows: (this.db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n,
    };
  }

  /** Lands queued writes, stops compaction, ends every watch with Closed, and closes the file. */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closing = true;
    this.closePromise = (async () => {
      // Writes already accepted are committed (or rejected) before the file closes.
      while (this.queue.length) this.flush();
      this.compactTimer?.cancel();
      if (this.compacting) await this.compacting.catch(() => {});
      this.hub.closeAll(this.closedError());
      try {
        this.db.transaction(() => {
          this.stmt.setMeta.run('current_rev', this.rev);
          if (!this.damaged) this.stmt.setMeta.run('clean_shutdown', 1);
        }).immediate();
      } catch { /* read-only or full: the log has the revision, and the next open checks the file */ }
      try { this.db.close(); } catch (e) { throw unavailable(this.path, e); }
    })();
    return this.closePromise;
  }
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function toKv(r: Row): KeyValue {
  return { key: r.key, value: r.value ?? EMPTY, createRevision: r.created_rev, modRevision: r.rev };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
