// The storage contract (types.ts) over etcd v3, as upstream's kube-apiserver stores objects:
// resourceVersions are etcd's revisions, every write is one transaction comparing the key's
// mod_revision, lists read at a revision. Several Skiff servers on one etcd see one history: each
// backend follows a single etcd watch of its whole prefix and fans the events out to its own watchers
// through a window of recent events (as upstream's watch cache does); a watch from before that window
// is answered Compacted, which the API turns into upstream's 410.
//
// The etcd client (etcd3, on @grpc/grpc-js) is loaded only when this backend is used.
import type { Etcd3, IKeyValue, IResponseHeader, IRequestOp, ICompare, Watcher as EtcdWatcher } from 'etcd3';
import type { Backend, KeyValue, ListOptions, ListResult, TxnOp, WatchEvent, Watcher, WatchOptions } from './types.ts';
import { StorageError } from './types.ts';
import { WatchHub } from './watch-hub.ts';
import { SortedKeys } from './sorted-keys.ts';
import type { StorageSnapshot } from './snapshot.ts';

export interface EtcdBackendOptions {
  /** Client URLs (http:// or https://), as --etcd-servers. */
  endpoints: string[];
  /** Prepended to every key (upstream's --etcd-prefix; Skiff's keys already start with /registry). */
  prefix?: string;
  /** PEM contents of --etcd-cafile, --etcd-certfile, --etcd-keyfile. */
  ca?: Buffer; cert?: Buffer; key?: Buffer;
  /** How often to compact history (upstream's apiserver: every 5 minutes); 0 = never. */
  compactIntervalMs?: number;
  /** Events kept in memory for watchers that resume (upstream's watch cache window). */
  windowEvents?: number;
  /** Per-request deadline in ms (a lost etcd fails requests instead of hanging them). */
  requestTimeoutMs?: number;
}

const EMPTY = new Uint8Array(0);

/** The smallest string greater than every string that starts with `p` (undefined: no bound). */
function stringPrefixEnd(p: string): string | undefined {
  for (let i = p.length - 1; i >= 0; i--) {
    const c = p.charCodeAt(i);
    if (c < 0xffff) return p.slice(0, i) + String.fromCharCode(c + 1);
  }
  return undefined;
}

/** The smallest key greater than every key that starts with `p` (etcd's range_end for a prefix). */
function prefixEnd(p: Buffer): Buffer {
  const end = Buffer.from(p);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) { end[i]++; return end.subarray(0, i + 1); }
  }
  return Buffer.from([0]); // every key
}

export class EtcdBackend implements Backend {
  readonly name = 'etcd';
  /** An etcd transaction is one revision: all its writes share it (see Backend.txnRevisions). */
  readonly txnRevisions = 'shared';
  private rev = 0;
  private compacted = 0;
  private closed = false;
  private hub!: WatchHub;
  private feed?: EtcdWatcher;
  private compactTimer?: NodeJS.Timeout;
  private readonly pfx: string;
  private readonly rangeEnd: Buffer;
  /**
   * The watch cache: every live key of the prefix as the feed last delivered it, at revision
   * `lastPublished`. Lists at the latest revision are answered from it once etcd confirms that nothing
   * in the prefix changed after it (as upstream's consistent reads from the watch cache), so a 10,000-pod
   * list neither waits for 40 MB of gRPC nor decodes values again (the store caches decoded objects by
   * KeyValue, and these are the same objects every time).
   */
  private readonly latest = new Map<string, KeyValue>();
  private keys = new SortedKeys();

  private readonly client: Etcd3;
  private readonly opts: EtcdBackendOptions;

  private constructor(client: Etcd3, opts: EtcdBackendOptions) {
    this.client = client;
    this.opts = opts;
    this.pfx = opts.prefix ?? '';
    // No prefix: every key (etcd's range from "\0" to "\0").
    this.rangeEnd = this.pfx ? prefixEnd(Buffer.from(this.pfx)) : Buffer.from([0]);
  }

  /** Connects, reads the current revision and starts following the prefix. Fails with Unavailable. */
  static async open(opts: EtcdBackendOptions): Promise<EtcdBackend> {
    const { Etcd3 } = await import('etcd3');
    const tls = opts.ca ? { rootCertificate: opts.ca, privateKey: opts.key, certChain: opts.cert } : undefined;
    const client = new Etcd3({
      hosts: opts.endpoints, credentials: tls, dialTimeout: opts.requestTimeoutMs ?? 5000,
      // A list of 10,000 pods is ~40 MB in one range response; gRPC's default limit is 4 MB.
      grpcOptions: { 'grpc.max_receive_message_length': 2 ** 31 - 1 },
    });
    const b = new EtcdBackend(client, opts);
    try {
      const r = await b.call(() => client.kv.range({ key: Buffer.from(b.pfx || '\0'), range_end: b.rangeEnd }));
      b.rev = Number(r.header.revision);
      const loaded = r.kvs.map((kv) => b.kv(kv)).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      for (const kv of loaded) b.latest.set(kv.key, kv);
      b.keys = new SortedKeys(loaded.map((kv) => kv.key));
      b.compacted = await b.findCompactRevision();
      b.hub = new WatchHub(opts.windowEvents ?? 100_000, b.rev);
      await b.follow();
    } catch (e) {
      client.close();
      throw e;
    }
    const every = opts.compactIntervalMs ?? 5 * 60_000;
    if (every > 0) b.scheduleCompaction(every);
    return b;
  }

  currentRevision(): number { return this.rev; }
  /** False from a request etcd did not answer until one it does (the server's /readyz follows it). */
  healthy(): boolean { return this.reachable; }
  private reachable = true;
  compactRevision(): number { return this.compacted; }

  // ---------- reads ----------

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    this.ensureOpen();
    this.checkRevision(revision);
    const r = await this.call(() => this.client.kv.range({ key: this.k(key), revision: revision || undefined }));
    this.saw(r.header);
    return r.kvs.length ? this.kv(r.kvs[0]) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.ensureOpen();
    this.checkRevision(opts.revision);
    if (!opts.revision) {
      const at = await this.cacheCurrentAt(prefix);
      if (at !== undefined) return this.listCached(prefix, opts, at);
    }
    const start = opts.startAfter !== undefined && opts.startAfter >= prefix ? `${opts.startAfter}\0` : prefix;
    const end = prefixEnd(this.k(prefix));
    const r = await this.call(() => this.client.kv.range({
      key: this.k(start), range_end: end, revision: opts.revision || undefined, limit: opts.limit || undefined,
    }));
    this.saw(r.header);
    const items = r.kvs.map((kv) => this.kv(kv));
    const total = Number(r.count);
    return { items, revision: opts.revision || Number(r.header.revision), more: r.more, remaining: r.more ? total - items.length : 0 };
  }

  /** A page of the watch cache, as of revision `at`. */
  private listCached(prefix: string, opts: ListOptions, at: number): ListResult {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const first = from === undefined ? this.keys.rank(prefix) : this.keys.rank(from, true);
    const end = stringPrefixEnd(prefix);
    const stop = end === undefined ? this.keys.size : this.keys.rank(end);
    const n = Math.max(0, Math.min(stop - first, limit));
    const items = this.keys.slice(first, n).map((k) => this.latest.get(k)!);
    const remaining = Math.max(0, stop - first - n);
    return { items, revision: at, more: remaining > 0, remaining };
  }

  /**
   * The etcd revision as of which the watch cache holds `prefix` exactly, or undefined when it cannot
   * be confirmed soon (then the list reads etcd). Under an --etcd-prefix (an etcd shared with others,
   * whose revisions the feed does not see), one etcd transaction counts the prefix's keys and finds the
   * newest: the same count and nothing newer than the cache means it is current; otherwise the feed is
   * a few events behind, and is given a moment to catch up.
   */
  private async cacheCurrentAt(prefix: string): Promise<number | undefined> {
    if (!this.pfx) return this.feedReached();
    const key = this.k(prefix);
    const end = prefixEnd(key);
    for (let attempt = 0; attempt < 20; attempt++) {
      const cacheRev = this.lastPublished;
      // (etcd's count ignores min_mod_revision, so the newest key is found by sorting on mod_revision.)
      const r = await this.call(() => this.client.kv.txn({ success: [
        { request_range: { key, range_end: end, count_only: true } },
        { request_range: { key, range_end: end, keys_only: true, limit: 1, sort_order: 'Descend', sort_target: 'Mod' } },
      ] }));
      this.saw(r.header);
      const total = Number(r.responses[0].response_range.count);
      const newest = Number(r.responses[1].response_range.kvs[0]?.mod_revision ?? 0);
      if (newest <= cacheRev && this.lastPublished === cacheRev && total === this.cachedCount(prefix)) return Number(r.header.revision);
      await new Promise((res) => setTimeout(res, attempt < 5 ? 1 : 10));
    }
    return undefined;
  }

  /**
   * With no prefix the feed follows every key of etcd, so it sees every revision: the cache is current
   * as of etcd's revision once the feed has delivered it (upstream's consistent read from cache).
   */
  private async feedReached(): Promise<number | undefined> {
    const r = await this.call(() => this.client.kv.range({ key: Buffer.from([0]), count_only: true }));
    this.saw(r.header);
    const want = Number(r.header.revision);
    for (let waited = 0; this.lastPublished < want; waited++) {
      if (waited > 200) return undefined;
      await new Promise((res) => setTimeout(res, waited < 20 ? 1 : 5));
    }
    return want;
  }

  private cachedCount(prefix: string): number {
    const end = stringPrefixEnd(prefix);
    return (end === undefined ? this.keys.size : this.keys.rank(end)) - this.keys.rank(prefix);
  }

  async count(prefix: string): Promise<number> {
    this.ensureOpen();
    const r = await this.call(() => this.client.kv.range({ key: this.k(prefix), range_end: prefixEnd(this.k(prefix)), count_only: true }));
    this.saw(r.header);
    return Number(r.count);
  }

  // ---------- writes: one etcd transaction each, comparing revisions ----------

  async create(key: string, value: Uint8Array): Promise<KeyValue> {
    return (await this.txn([{ op: 'create', key, value }]))[0];
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<KeyValue> {
    return (await this.txn([{ op: 'update', key, value, expectedRevision }]))[0];
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return (await this.txn([{ op: 'delete', key, expectedRevision }]))[0];
  }

  /** All ops in one etcd transaction: they land together, at one revision (etcd's), or none does. */
  async txn(ops: TxnOp[]): Promise<KeyValue[]> {
    this.ensureOpen();
    if (ops.length === 0) return [];
    const compare: ICompare[] = [];
    const success: IRequestOp[] = [];
    const failure: IRequestOp[] = [];
    const seen = new Set<string>();
    for (const op of ops) {
      const key = this.k(op.key);
      // etcd refuses a transaction that writes one key twice ("duplicate key given in txn request").
      if (seen.has(op.key)) throw new StorageError('Conflict', `key ${JSON.stringify(op.key)} is written twice in one transaction, which etcd does not allow`);
      seen.add(op.key);
      if (op.op === 'create') {
        compare.push({ key, target: 'Create', result: 'Equal', create_revision: 0 });
        success.push({ request_put: { key, value: Buffer.from(op.value) } });
      } else if (op.op === 'update') {
        compare.push({ key, target: 'Mod', result: 'Equal', mod_revision: op.expectedRevision });
        success.push({ request_put: { key, value: Buffer.from(op.value), prev_kv: true } });
      } else {
        compare.push(op.expectedRevision !== undefined
          ? { key, target: 'Mod', result: 'Equal', mod_revision: op.expectedRevision }
          : { key, target: 'Create', result: 'Greater', create_revision: 0 });
        success.push({ request_delete_range: { key, prev_kv: true } });
      }
      failure.push({ request_range: { key } });
    }
    const r = await this.call(() => this.client.kv.txn({ compare, success, failure }));
    this.saw(r.header);
    if (!r.succeeded) throw this.whyFailed(ops, r.responses.map((x) => x.response_range?.kvs?.[0]));
    const rev = Number(r.header.revision);
    return ops.map((op, i) => {
      if (op.op === 'delete') {
        const prev = r.responses[i].response_delete_range.prev_kvs[0];
        return { key: op.key, value: prev ? new Uint8Array(prev.value) : EMPTY, createRevision: prev ? Number(prev.create_revision) : 0, modRevision: rev };
      }
      const prev = op.op === 'update' ? r.responses[i].response_put.prev_kv : undefined;
      return { key: op.key, value: op.value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev };
    });
  }

  /** The first op whose precondition failed, as the contract's error. */
  private whyFailed(ops: TxnOp[], current: (IKeyValue | undefined)[]): StorageError {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      const cur = current[i] ? this.kv(current[i]!) : undefined;
      if (op.op === 'create' && cur) return new StorageError('KeyExists', `key ${JSON.stringify(op.key)} already exists`, { current: cur });
      if (op.op !== 'create' && !cur) return new StorageError('NotFound', `key ${JSON.stringify(op.key)} not found`);
      const expected = op.op === 'create' ? undefined : op.expectedRevision;
      if (cur && expected !== undefined && cur.modRevision !== expected) {
        return new StorageError('Conflict', `key ${JSON.stringify(op.key)} is at revision ${cur.modRevision}, not ${expected}`, { current: cur });
      }
    }
    return new StorageError('Conflict', 'the transaction\'s preconditions failed');
  }

  // ---------- watch ----------

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.ensureOpen();
    const after = opts.afterRevision > 0 ? opts.afterRevision : this.rev;
    if (after < this.compacted) {
      throw new StorageError('Compacted', `revision ${after} has been compacted (compacted up to ${this.compacted})`, { compactRevision: this.compacted });
    }
    if (after > this.rev) throw new StorageError('FutureRevision', `revision ${after} is newer than the current revision ${this.rev}`);
    const history = this.hub.since(after);
    // Older than this server's window of events: read from etcd's own history.
    if (history === undefined) return this.watchHistory(prefix, after, opts);
    const mine = history.filter((e) => e.kv.key.startsWith(prefix));
    const w = this.hub.subscribe(prefix, opts, Math.max(after, this.hubRev()));
    if (mine.length) {
      try { opts.onEvents(mine); } catch (e) { w.cancel(); throw e; }
    }
    return w;
  }

  /** A watch of its own on etcd from `after` (history before this server's window, then live events). */
  private watchHistory(prefix: string, after: number, opts: WatchOptions): Watcher {
    let done = false;
    let last = after;
    const full = this.pfx + prefix;
    const w = (full ? this.client.watch().prefix(full) : this.client.watch().inRange({ start: Buffer.from([0]), end: Buffer.from([0]) })).withPreviousKV().startRevision(String(after + 1)).watcher();
    const end = (reason: StorageError) => {
      if (done) return;
      done = true;
      void w.cancel().catch(() => {});
      try { opts.onClose?.(reason); } catch { /* the watcher's own failure */ }
    };
    w.on('data', (res) => {
      if (done) return;
      const batch: WatchEvent[] = [];
      for (const ev of res.events) {
        const e = this.event(ev.type === 'Delete' || (ev.type as unknown) === 1 ? 'DELETE' : 'PUT', ev.kv, ev.prev_kv);
        if (e && e.kv.modRevision > last) batch.push(e);
      }
      if (!batch.length) return;
      last = batch[batch.length - 1].kv.modRevision;
      try { opts.onEvents(batch); } catch (err) { end(new StorageError('Unavailable', `watch on ${JSON.stringify(prefix)} ended: its event callback threw: ${err instanceof Error ? err.message : String(err)}`)); }
    });
    w.on('error', (err) => end(this.translate(err)));
    return { cancel: () => { if (done) return; done = true; void w.cancel().catch(() => {}); } };
  }

  /**
   * The compact revision, which etcd does not report: the oldest revision a read still answers at
   * (reads at the compact revision succeed, below it they fail). A binary search, at open only.
   */
  private async findCompactRevision(): Promise<number> {
    const readable = async (rev: number) => {
      try { await this.call(() => this.client.kv.range({ key: Buffer.from(this.pfx || '\0'), revision: rev, count_only: true })); return true; }
      catch (e) { if (e instanceof StorageError && e.code === 'Compacted') return false; throw e; }
    };
    if (this.rev <= 1 || await readable(1)) return 0;
    let lo = 1, hi = this.rev; // lo unreadable, hi readable
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid; else lo = mid;
    }
    return hi;
  }

  /** Every live key as the watch cache holds it, at the feed's revision (shares the immutable values). */
  snapshot(): StorageSnapshot {
    this.ensureOpen();
    return { revision: this.lastPublished, kvs: this.keys.slice(0, this.keys.size).map((k) => this.latest.get(k)!) };
  }

  /**
   * Not possible on etcd: a restore takes the revision counter back, and etcd's revisions only go
   * forward (every server on the etcd would have to forget what it has seen). Refused, naming why.
   */
  async restore(_snapshot: StorageSnapshot): Promise<void> {
    throw new StorageError('Unsupported', 'restoring a snapshot is not supported with --storage etcd: etcd revisions never go back; restore into a server on SQLite');
  }

  /** Number of live watchers (for metrics). */
  watcherCount(): number { return this.hub.watcherCount; }

  private lastPublished = 0;
  private hubRev(): number { return this.lastPublished; }

  /** One etcd watch of the whole prefix, from the revision read at open: every server's writes, in order. */
  private async follow(): Promise<void> {
    this.lastPublished = this.rev;
    const w = this.client.watch().inRange({ start: Buffer.from(this.pfx || '\0'), end: this.rangeEnd }).withPreviousKV().startRevision(String(this.rev + 1)).watcher();
    w.on('data', (res) => {
      const batches = new Map<number, WatchEvent[]>();
      for (const ev of res.events) {
        const e = this.event(ev.type === 'Delete' || (ev.type as unknown) === 1 ? 'DELETE' : 'PUT', ev.kv, ev.prev_kv);
        if (!e) continue;
        const list = batches.get(e.kv.modRevision);
        if (list) list.push(e); else batches.set(e.kv.modRevision, [e]);
      }
      for (const [rev, events] of batches) {
        if (rev <= this.lastPublished) continue; // a resumed stream repeats nothing we published
        for (const e of events) this.remember(e);
        this.lastPublished = rev;
        if (rev > this.rev) this.rev = rev;
        this.hub.publish(events);
      }
      const progress = Number(res.header?.revision ?? 0);
      if (progress > this.rev) this.rev = progress;
    });
    w.on('error', (err) => {
      // History this server needed is gone (compacted by another server): its watchers must relist,
      // and the watch cache is read again from etcd.
      this.hub.closeAll(new StorageError('Compacted', `the watch of etcd ended: ${err.message}`));
      void this.resync();
    });
    this.feed = w;
    await new Promise<void>((resolve, reject) => {
      w.once('connected', () => resolve());
      w.once('error', reject);
    });
  }

  /** Reloads the watch cache and follows etcd again from now (after the feed was lost). */
  private async resync(): Promise<void> {
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5000)) {
      try {
        const r = await this.call(() => this.client.kv.range({ key: Buffer.from(this.pfx || '\0'), range_end: this.rangeEnd }));
        const loaded = r.kvs.map((kv) => this.kv(kv)).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
        this.latest.clear();
        for (const kv of loaded) this.latest.set(kv.key, kv);
        this.keys = new SortedKeys(loaded.map((kv) => kv.key));
        this.saw(r.header);
        this.rev = Number(r.header.revision);
        this.hub = new WatchHub(this.opts.windowEvents ?? 100_000, this.rev);
        await this.follow();
        return;
      } catch { await new Promise((res) => setTimeout(res, delay)); }
    }
  }

  /** Applies one event of the feed to the watch cache. */
  private remember(e: WatchEvent): void {
    if (e.type === 'DELETE') {
      if (this.latest.delete(e.kv.key)) this.keys.remove(e.kv.key);
      return;
    }
    if (!this.latest.has(e.kv.key)) this.keys.insert(e.kv.key);
    this.latest.set(e.kv.key, e.kv);
  }

  private event(type: 'PUT' | 'DELETE', kv: IKeyValue, prev?: IKeyValue): WatchEvent | undefined {
    const key = kv.key.toString('utf8');
    if (!key.startsWith(this.pfx)) return undefined;
    const k = key.slice(this.pfx.length);
    const prevKv = prev && prev.key?.length ? { key: k, value: new Uint8Array(prev.value), createRevision: Number(prev.create_revision), modRevision: Number(prev.mod_revision) } : undefined;
    if (type === 'DELETE') {
      return { type, kv: { key: k, value: prevKv?.value ?? EMPTY, createRevision: prevKv?.createRevision ?? 0, modRevision: Number(kv.mod_revision) }, prevKv };
    }
    return { type, kv: { key: k, value: new Uint8Array(kv.value), createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) }, prevKv };
  }

  // ---------- compaction and lifecycle ----------

  async compact(revision?: number): Promise<void> {
    this.ensureOpen();
    const target = revision ?? this.rev;
    if (target <= this.compacted) return;
    try {
      await this.call(() => this.client.kv.compact({ revision: target }));
    } catch (e) {
      // Another server compacted further already: that is the compaction we wanted.
      if (!(e instanceof StorageError && e.code === 'Compacted')) throw e;
    }
    this.compacted = target;
    this.hub.dropThrough(target);
  }

  /** As upstream's apiserver: compact to the revision seen one interval ago, so watchers have a window. */
  private scheduleCompaction(every: number): void {
    let seen = this.rev;
    const tick = () => {
      const target = seen;
      seen = this.rev;
      if (target > this.compacted) this.compact(target).catch(() => { /* etcd away: next time */ });
      this.compactTimer = setTimeout(tick, every);
      this.compactTimer.unref();
    };
    this.compactTimer = setTimeout(tick, every);
    this.compactTimer.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.hub?.closeAll(new StorageError('Closed', 'the store is closed'));
    await this.feed?.cancel().catch(() => {});
    this.client.close();
  }

  // ---------- helpers ----------

  private k(key: string): Buffer { return Buffer.from(this.pfx + key, 'utf8'); }

  private kv(kv: IKeyValue): KeyValue {
    return { key: kv.key.toString('utf8').slice(this.pfx.length), value: new Uint8Array(kv.value), createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
  }

  private saw(h: IResponseHeader): void {
    const r = Number(h.revision);
    if (r > this.rev) this.rev = r;
  }

  private checkRevision(revision?: number): void {
    if (revision && revision > 0 && revision < this.compacted) {
      throw new StorageError('Compacted', `revision ${revision} has been compacted (compacted up to ${this.compacted})`, { compactRevision: this.compacted });
    }
  }

  private ensureOpen(): void {
    if (this.closed) throw new StorageError('Closed', 'the store is closed');
  }

  /** Runs an etcd call with a deadline, turning etcd's errors into the contract's. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    const ms = this.opts.requestTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const out = await Promise.race([fn(), new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StorageError('Unavailable', `etcd did not answer within ${ms} ms`)), ms);
      })]);
      this.reachable = true;
      return out;
    } catch (e) {
      const err = this.translate(e);
      if (err.code === 'Unavailable') this.reachable = false;
      else this.reachable = true;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private translate(e: unknown): StorageError {
    if (e instanceof StorageError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/required revision has been compacted/.test(msg)) return new StorageError('Compacted', msg, { compactRevision: this.compacted });
    if (/required revision is a future revision/.test(msg)) return new StorageError('FutureRevision', msg);
    return new StorageError('Unavailable', `etcd: ${msg}`);
  }
}

