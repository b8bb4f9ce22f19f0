// In-memory fan-out of committed events to watchers, plus a window of recent events
// so that resuming watchers do not read the database.
import type { WatchEvent, Watcher, WatchOptions } from './types.ts';
import { StorageError } from './types.ts';

interface Sub { prefix: string; opts: WatchOptions; dead: boolean }

export class WatchHub {
  private readonly window: WatchEvent[] = [];
  private start = 0; // index of the oldest live entry in `window` (amortised shift)
  private readonly subs = new Set<Sub>();
  /** Events at or below this revision are not in the window (dropped or compacted). */
  private floor = 0;
  private readonly capacity: number;
  /** `floor`: the revision the window starts after (the store's revision when it opened). */
  constructor(capacity: number, floor = 0) { this.capacity = Math.max(1, capacity); this.floor = floor; }

  publish(events: WatchEvent[]): void {
    for (const e of events) this.window.push(e);
    const excess = this.window.length - this.start - this.capacity;
    if (excess > 0) {
      this.floor = this.window[this.start + excess - 1].kv.modRevision;
      this.start += excess;
      if (this.start > this.capacity) { this.window.splice(0, this.start); this.start = 0; }
    }
    for (const s of this.subs) {
      if (s.dead) continue;
      let mine: WatchEvent[] | undefined;
      for (const e of events) if (e.kv.key.startsWith(s.prefix)) (mine ??= []).push(e);
      if (!mine) continue;
      try { s.opts.onEvents(mine); } catch { /* a watcher's failure is its own */ }
    }
  }

  /** Events with revision > after, or undefined if the window does not reach back that far. */
  since(after: number): WatchEvent[] | undefined {
    if (after < this.floor) return undefined;
    const w = this.window;
    // binary search for the first event with modRevision > after
    let lo = this.start, hi = w.length;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (w[m].kv.modRevision <= after) lo = m + 1; else hi = m; }
    return w.slice(lo);
  }

  subscribe(prefix: string, opts: WatchOptions): Watcher {
    const sub: Sub = { prefix, opts, dead: false };
    this.subs.add(sub);
    return { cancel: () => { sub.dead = true; this.subs.delete(sub); } };
  }

  /** Forget window entries at or below a compacted revision. */
  dropThrough(rev: number): void {
    while (this.start < this.window.length && this.window[this.start].kv.modRevision <= rev) this.start++;
    this.floor = Math.max(this.floor, rev);
  }

  closeAll(reason: StorageError): void {
    for (const s of this.subs) { s.dead = true; s.opts.onClose?.(reason); }
    this.subs.clear();
  }

  get watcherCount(): number { return this.subs.size; }
}

export { StorageError };
