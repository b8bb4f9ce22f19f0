// In-memory fan-out of committed events to watchers, plus a window of recent events
// so that resuming watchers do not read the database.
//
// Invariants:
//  - every committed revision produces exactly one event, so the window holds the events of the
//    contiguous revisions (floor, newest]; `since(after)` can answer for any after >= floor;
//  - a subscriber remembers the newest revision it has been handed (`lastRev`) and is never given
//    an event at or below it, so a watch registered from inside another watcher's callback (while a
//    publish is in progress) gets no duplicates;
//  - a callback that throws ends that watch (onClose with an Unavailable error): it is never
//    silently left behind with a hole in its stream. Other watchers are unaffected.
//  - the window is bounded both by event count and by an approximate byte budget.
import type { WatchEvent, Watcher, WatchOptions } from './types.ts';
import { StorageError } from './types.ts';

interface Sub { prefix: string; opts: WatchOptions; dead: boolean; lastRev: number; seq: number }

const EVENT_OVERHEAD = 160; // rough per-event cost of the objects around the bytes

function eventBytes(e: WatchEvent): number {
  return EVENT_OVERHEAD + e.kv.key.length * 2 + e.kv.value.byteLength + (e.prevKv ? e.prevKv.value.byteLength : 0);
}

export class WatchHub {
  private window: WatchEvent[] = [];
  private start = 0; // index of the oldest retained entry in `window` (amortised shift)
  private bytes = 0; // approximate bytes held by window[start..]
  private readonly subs = new Set<Sub>();
  /**
   * Watchers by prefix, for prefixes that end in '/' (a collection, or a namespace of one: nearly
   * all): an event finds its watchers by looking up each '/'-ended prefix of its key, instead of
   * every watcher testing every event. Watchers of other prefixes are in `otherSubs`.
   */
  private readonly bySlashPrefix = new Map<string, Set<Sub>>();
  private readonly otherSubs = new Set<Sub>();
  private nextSeq = 0;
  /** Events at or below this revision are not in the window (dropped or compacted). */
  private floor: number;
  private readonly capacity: number;
  private readonly maxBytes: number;

  /**
   * @param capacity most events kept
   * @param floor the revision the window starts after (the store's revision when it opened)
   * @param maxBytes approximate memory budget for the window (values and previous values)
   */
  constructor(capacity: number, floor = 0, maxBytes = 64 * 1024 * 1024) {
    this.capacity = Math.max(1, capacity);
    this.floor = floor;
    this.maxBytes = Math.max(1, maxBytes);
  }

  /** Publish the events of one commit (in revision order) to the window and to every watcher. */
  publish(events: WatchEvent[]): void {
    for (const e of events) { this.window.push(e); this.bytes += eventBytes(e); }
    this.trim();
    const last = events[events.length - 1]?.kv.modRevision ?? 0;
    // Every watcher's events are found before any callback runs: watchers added by a callback
    // already got these events as history.
    const matched = new Map<Sub, WatchEvent[]>();
    const take = (s: Sub, e: WatchEvent) => {
      if (e.kv.modRevision <= s.lastRev) return;
      const mine = matched.get(s);
      if (mine) mine.push(e); else matched.set(s, [e]);
    };
    for (const e of events) {
      const key = e.kv.key;
      if (this.bySlashPrefix.size) {
        for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
          const subs = this.bySlashPrefix.get(key.slice(0, i + 1));
          if (subs) for (const s of subs) take(s, e);
        }
      }
      for (const s of this.otherSubs) if (key.startsWith(s.prefix)) take(s, e);
    }
    // Delivered in the order the watchers subscribed.
    const order = [...matched.keys()];
    if (order.length > 1) order.sort((a, b) => a.seq - b.seq);
    for (const s of order) {
      if (s.dead) continue;
      const mine = matched.get(s)!;
      s.lastRev = Math.max(s.lastRev, last);
      try {
        s.opts.onEvents(mine);
      } catch (err) {
        this.end(s, new StorageError('Unavailable', `watch on ${JSON.stringify(s.prefix)} ended: its event callback threw: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  }

  private trim(): void {
    const w = this.window;
    while (w.length - this.start > this.capacity || (this.bytes > this.maxBytes && w.length - this.start > 1)) {
      const e = w[this.start++];
      this.bytes -= eventBytes(e);
      this.floor = e.kv.modRevision;
    }
    this.compactArray();
  }

  private compactArray(): void {
    if (this.start > 1024 && this.start * 2 > this.window.length) {
      this.window = this.window.slice(this.start);
      this.start = 0;
    }
  }

  /** Events with revision > after, or undefined if the window does not reach back that far. */
  since(after: number): WatchEvent[] | undefined {
    if (after < this.floor) return undefined;
    const w = this.window;
    let lo = this.start, hi = w.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (w[m].kv.modRevision <= after) lo = m + 1; else hi = m; }
    return w.slice(lo);
  }

  /** Register a live watcher that has already been given everything up to `deliveredThrough`. */
  subscribe(prefix: string, opts: WatchOptions, deliveredThrough: number): Watcher {
    const sub: Sub = { prefix, opts, dead: false, lastRev: deliveredThrough, seq: this.nextSeq++ };
    this.add(sub);
    return { cancel: () => { sub.dead = true; this.remove(sub); } };
  }

  private add(s: Sub): void {
    this.subs.add(s);
    if (!s.prefix.endsWith('/')) { this.otherSubs.add(s); return; }
    let set = this.bySlashPrefix.get(s.prefix);
    if (!set) this.bySlashPrefix.set(s.prefix, set = new Set());
    set.add(s);
  }

  private remove(s: Sub): void {
    this.subs.delete(s);
    this.otherSubs.delete(s);
    const set = this.bySlashPrefix.get(s.prefix);
    if (set?.delete(s) && set.size === 0) this.bySlashPrefix.delete(s.prefix);
  }

  /** Forget window entries at or below a compacted revision. */
  dropThrough(rev: number): void {
    while (this.start < this.window.length && this.window[this.start].kv.modRevision <= rev) {
      this.bytes -= eventBytes(this.window[this.start++]);
    }
    this.floor = Math.max(this.floor, rev);
    this.compactArray();
  }

  private end(s: Sub, reason: StorageError): void {
    if (s.dead) return;
    s.dead = true;
    this.remove(s);
    try { s.opts.onClose?.(reason); } catch { /* the watcher's own failure; nothing more to tell it */ }
  }

  closeAll(reason: StorageError): void {
    for (const s of [...this.subs]) this.end(s, reason);
    this.subs.clear();
    this.otherSubs.clear();
    this.bySlashPrefix.clear();
  }

  get watcherCount(): number { return this.subs.size; }
  /** Number of events held and the oldest revision the window can replay after. */
  stats(): { events: number; bytes: number; floor: number } {
    return { events: this.window.length - this.start, bytes: this.bytes, floor: this.floor };
  }
}

export { StorageError };
