// The controller runtime: shared informers fed by the store's watch, a de-duplicating work queue
// (one key is never worked on twice at once; retries with back-off live here, in one place),
// and runController, which ties a reconcile function to its informers.
// Reconcilers re-read current state and never mutate cached objects (clone before changing).
import type { Clock, TimerHandle } from '../clock.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { ObjectEvent, Store, StoreWatch } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { ObjectMeta } from '../types/generated.ts';
import { inSlice, nextTurn } from './turns.ts';

export interface Handlers<T extends Cached = KObject> {
  add?(obj: T): void;
  update?(obj: T, old: T): void;
  delete?(obj: T): void;
}

/** What an informer caches: any object with metadata (a KObject, or a generated kind such as `Pod`). */
export type Cached = { metadata: ObjectMeta };

export const keyOf = (o: Cached) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/**
 * A cache of one resource kept current by a watch (list + watch from the store, in process). `T` is the
 * generated type of the kind (`Informer<Pod>`, src/types/generated.ts), so reconcilers read typed fields.
 * The type is a view, not a check: it holds because the API's write paths decode through the same schema.
 */
export class Informer<T extends Cached = KObject> {
  readonly resource: ResourceInfo;
  private readonly store: Store;
  private readonly cache = new Map<string, T>();
  private readonly handlers: Handlers<T>[] = [];
  private watch?: StoreWatch;
  private stopped = false;
  private lastRV = '';
  private readonly byIndex = new Map<string, (o: T) => string[]>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();

  constructor(store: Store, resource: ResourceInfo) { this.store = store; this.resource = resource; }

  /**
   * Subscribe. Late subscribers see the current state as adds, unless `replay` is false: a handler
   * that recomputes from list() on every call (once per cached object otherwise) reads the state
   * itself once after subscribing.
   */
  on(h: Handlers<T>, opts: { replay?: boolean } = {}): void {
    this.handlers.push(h);
    if (opts.replay !== false) for (const o of this.cache.values()) h.add?.(o);
  }

  /** Maintain an index (e.g. pods by node, objects by owner uid). */
  addIndex(name: string, fn: (o: T) => string[]): void {
    this.byIndex.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indexes.set(name, idx);
    for (const [k, o] of this.cache) for (const v of fn(o)) { let s = idx.get(v); if (!s) idx.set(v, s = new Set()); s.add(k); }
  }
  hasIndex(name: string): boolean { return this.byIndex.has(name); }
  byIndexValue(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) { const o = this.cache.get(k); if (o) out.push(o); }
    return out;
  }

  /** The first object under an index value that satisfies `pred` (no array built: cheap on 10,000 dependents). */
  findByIndex(name: string, value: string, pred: (o: T) => boolean): T | undefined {
    const keys = this.indexes.get(name)?.get(value);
    if (keys) for (const k of keys) { const o = this.cache.get(k); if (o && pred(o)) return o; }
    return undefined;
  }
  /** How many objects an index value holds. */
  countByIndex(name: string, value: string): number { return this.indexes.get(name)?.get(value)?.size ?? 0; }

  /** Move `key` from the index values of `old` to those of `obj` (most updates change none: nothing to do). */
  private index(key: string, obj: T | undefined, old: T | undefined): void {
    for (const [name, fn] of this.byIndex) {
      const before = old ? fn(old) : NO_VALUES, after = obj ? fn(obj) : NO_VALUES;
      if (sameValues(before, after)) continue;
      const idx = this.indexes.get(name)!;
      for (const v of before) {
        if (after.includes(v)) continue;
        const s = idx.get(v);
        if (s?.delete(key) && !s.size) idx.delete(v);
      }
      for (const v of after) { let s = idx.get(v); if (!s) idx.set(v, s = new Set()); s.add(key); }
    }
  }

  /** Record a new or changed object and tell the handlers. */
  private upsert(obj: T): void {
    const key = keyOf(obj);
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    this.index(key, obj, old);
    for (const h of this.handlers) safe(() => (old ? h.update?.(obj, old) : h.add?.(obj)));
  }

  /** Forget an object and tell the handlers. */
  private remove(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.cache.delete(key);
    this.index(key, undefined, old);
    for (const h of this.handlers) safe(() => h.delete?.(obj));
  }

  /** Watch from `resourceVersion` (undefined: current state as ADDED events, then changes). */
  private async watchFrom(resourceVersion: string | undefined): Promise<void> {
    if (this.stopped) return;
    this.watch = await this.store.watch(this.resource, undefined, { resourceVersion }, (events: ObjectEvent[]) => {
      for (const ev of events) {
        this.lastRV = ev.entry.obj.metadata.resourceVersion ?? this.lastRV;
        if (ev.type === 'DELETED') this.remove(keyOf(ev.entry.obj), ev.entry.obj as T);
        else this.upsert(ev.entry.obj as T);
      }
    }, () => {
      // The store ended the watch (compaction outran us, or shutdown): relist and resume.
      // A relist that fails can only mean the store is closing: nothing left to watch.
      if (!this.stopped) this.relist().catch(() => { this.stopped = true; });
    });
  }

  async start(): Promise<void> {
    try {
      await this.watchFrom(undefined);
    } catch {
      if (!this.stopped) await this.relist();
    }
  }

  /** Bring the cache in line with a fresh list (changed objects as updates, missing ones as deletes), then watch on. */
  private async relist(): Promise<void> {
    this.watch?.cancel();
    const { items, resourceVersion } = await this.store.list(this.resource, undefined);
    const seen = new Set<string>();
    for (const e of items) {
      const key = keyOf(e.obj);
      seen.add(key);
      if (this.cache.get(key)?.metadata.resourceVersion !== e.obj.metadata.resourceVersion) this.upsert(e.obj as T);
    }
    for (const [key, old] of [...this.cache]) if (!seen.has(key)) this.remove(key, old);
    this.lastRV = resourceVersion;
    await this.watchFrom(resourceVersion);
  }

  get(key: string): T | undefined { return this.cache.get(key); }
  list(namespace?: string): T[] {
    const out: T[] = [];
    for (const o of this.cache.values()) if (namespace === undefined || o.metadata.namespace === namespace) out.push(o);
    return out;
  }
  get size(): number { return this.cache.size; }
  stop(): void { this.stopped = true; this.watch?.cancel(); }
}

const NO_VALUES: string[] = [];
const sameValues = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function safe(fn: () => void): void { try { fn(); } catch { /* handlers only enqueue; a failure there is a bug we must not spread */ } }

/** Keys in arrival order; shift is O(1) (a plain array's shift is O(n), too slow for 10,000 keys). */
class FifoKeys {
  private items: string[] = [];
  private head = 0;
  get length(): number { return this.items.length - this.head; }
  push(key: string): void { this.items.push(key); }
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
    return key;
  }
}

/** A binary heap of keys: higher priority first, then first come first served. */
class PriorityKeys {
  private readonly heap: { key: string; prio: number; seq: number }[] = [];
  private seq = 0;
  get length(): number { return this.heap.length; }
  push(key: string, prio: number): void {
    const h = this.heap;
    h.push({ key, prio, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]]; i = p;
    }
  }
  shift(): string | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]]; i = m;
      }
    }
    return top.key;
  }
  private before(a: { prio: number; seq: number }, b: { prio: number; seq: number }): boolean {
    return a.prio !== b.prio ? a.prio > b.prio : a.seq < b.seq;
  }
}

/**
 * A work queue: keys are de-duplicated, never processed concurrently, and retried with back-off.
 * Items start only inside an event-loop slice (see turns.ts), so a queue never starves the API: an
 * added key waits for the next turn, and once a slice is spent the rest wait for the one after. A key
 * added again while it is being processed goes to the back of the queue on the next turn, after the
 * keys already waiting, so a reconciler that re-adds its own key cannot spin.
 */
export class WorkQueue {
  /** Keys waiting: FIFO, or with a priority function, highest priority first. */
  private readonly keys: FifoKeys | PriorityKeys;
  private readonly priorityOf?: (key: string) => number;
  /** Keys re-added while they were processed: they join `keys` on the next turn. */
  private later: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, TimerHandle>();
  private readonly clock: Clock;
  private readonly workers: number;
  private running = 0;
  private stopped = false;
  private processedCount = 0;
  private readonly process: (key: string) => Promise<void>;
  private idleWaiters: (() => void)[] = [];
  /** Called on an event-loop turn: one item starts even if other queues spent the slice, so none starves. */
  private readonly turn = () => { this.admitLater(); this.pump(true); };
  onError?: (key: string, err: unknown) => void;

  constructor(clock: Clock, process: (key: string) => Promise<void>, workers = 4, priorityOf?: (key: string) => number) {
    this.clock = clock; this.process = process; this.workers = workers;
    this.priorityOf = priorityOf;
    this.keys = priorityOf ? new PriorityKeys() : new FifoKeys();
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) { this.dirty.add(key); return; }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.push(key);
    // Workers start on the next turn: a synchronous batch of adds (every unschedulable pod after a
    // node change) is all in, and taken in priority order, before any of it runs.
    nextTurn(this.turn);
  }

  /** Add after a delay (simulated time). A later addAfter for the same key keeps the earlier one. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) { this.add(key); return; }
    if (this.delayed.has(key)) return;
    this.delayed.set(key, this.clock.setTimeout(() => { this.delayed.delete(key); this.add(key); }, ms));
  }

  private push(key: string): void {
    if (this.keys instanceof PriorityKeys) this.keys.push(key, this.priorityOf!(key));
    else this.keys.push(key);
  }

  private admitLater(): void {
    if (!this.later.length) return;
    const keys = this.later;
    this.later = [];
    for (const k of keys) this.push(k);
  }

  /** Start waiting keys while workers are free and the slice lasts; otherwise come back next turn. */
  private pump(onTurn = false): void {
    while (!this.stopped && this.running < this.workers && this.keys.length > 0) {
      if (!onTurn && !inSlice()) { nextTurn(this.turn); return; }
      onTurn = false;
      this.start(this.keys.shift()!);
    }
  }

  private start(key: string): void {
    this.queued.delete(key);
    this.active.add(key);
    this.running++;
    this.processedCount++;
    let work: Promise<void>;
    try { work = this.process(key); } catch (e) { work = Promise.reject(e); }
    void work.then(() => {
      this.failures.delete(key);
    }, (err) => {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.onError?.(key, err);
      // 5 ms doubling to 30 s, upstream's default controller rate limiter shape.
      this.addAfter(key, Math.min(30_000, 5 * 2 ** Math.min(n, 13)));
    }).finally(() => this.finish(key));
  }

  private finish(key: string): void {
    this.active.delete(key);
    this.running--;
    if (this.dirty.delete(key) && !this.stopped && !this.queued.has(key)) {
      this.queued.add(key);
      this.later.push(key);
      nextTurn(this.turn);
    }
    this.pump();
    if (this.running === 0 && this.waiting() === 0) { const w = this.idleWaiters; this.idleWaiters = []; for (const f of w) f(); }
  }

  private waiting(): number { return this.keys.length + this.later.length; }
  get length(): number { return this.waiting() + this.running; }
  /** Items started since the queue was made (upstream's workqueue_adds_total counts adds; this counts runs). */
  get processed(): number { return this.processedCount; }
  /** Resolves when nothing is queued or running (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting() === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
  stop(): void {
    this.stopped = true;
    for (const t of this.delayed.values()) t.cancel();
    this.delayed.clear();
  }
}

export interface Controller {
  name: string;
  queue: WorkQueue;
  stop(): void;
}

/**
 * Register a controller: `watch` lists the informers whose events map to keys of this controller,
 * `reconcile` is called with one key at a time.
 */
export function runController(opts: {
  name: string; clock: Clock; workers?: number;
  watch: { informer: Informer<any>; toKeys?: (obj: any) => string[] }[];
  reconcile: (key: string, queue: WorkQueue) => Promise<void>;
  log?: (msg: string) => void;
}): Controller {
  const queue = new WorkQueue(opts.clock, (k) => opts.reconcile(k, queue), opts.workers ?? 4);
  queue.onError = (key, err) => opts.log?.(`${opts.name}: ${key}: ${(err as Error)?.message ?? err}`);
  for (const w of opts.watch) {
    const toKeys = w.toKeys ?? ((o: Cached) => [keyOf(o)]);
    const enqueue = (o: Cached) => { for (const k of toKeys(o)) queue.add(k); };
    w.informer.on({ add: enqueue, update: (o, old) => { enqueue(o); if (w.toKeys) for (const k of toKeys(old)) queue.add(k); }, delete: enqueue });
  }
  return { name: opts.name, queue, stop: () => queue.stop() };
}
