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

interface Sub { prefix: string; opts: WatchOptions; dead: boolean; lastRev: number }

const EVENT_OVERHEAD = 160; // rough per-event cost of the objects around the bytes

function eventBytes(e: WatchEvent): number {
  return EVENT_OVERHEAD + e.kv.key.length * 2 + e.kv.value.byteLength + (e.prevKv ? e.prevKv.value.byteLength : 0);
}

export class WatchHub {
  private window: WatchEvent[] = [];
  private start = 0; // index of the oldest retained entry in `window` (amortised shift)
  private bytes = 0; // approximate bytes held by window[start..]
  private readonly subs = new Set<Sub>();
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
    // Snapshot: watchers added by a callback during this loop already got these events as history.
    for (const s of [...this.subs]) {
      if (s.dead) continue;
      let mine: WatchEvent[] | undefined;
      for (const e of events) {
        if (e.kv.modRevision > s.lastRev && e.kv.key.startsWith(s.prefix)) (mine ??= []).push(e);
      }
      s.lastRev = Math.max(s.lastRev, last);
      if (!mine) continue;
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
    const sub: Sub = { prefix, opts, dead: false, lastRev: deliveredThrough };
    this.subs.add(sub);
    return { cancel: () => { sub.dead = true; this.subs.delete(sub); } };
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
    this.subs.delete(s);
    try { s.opts.onClose?.(reason); } catch { /* the watcher's own failure; nothing more to tell it */ }
  }

  closeAll(reason: StorageError): void {
    for (const s of [...this.subs]) this.end(s, reason);
    this.subs.clear();
  }

  get watcherCount(): number { return this.subs.size; }
  /** Number of events held and the oldest revision the window can replay after. */
  stats(): { events: number; bytes: number; floor: number } {
    return { events: this.window.length - this.start, bytes: this.bytes, floor: this.floor };
  }
}

export { StorageError };
