// Watch frames shared by every watcher of an event: one per revision, event type and representation,
// built by the first watcher that needs it. An event reaches its watchers within a moment of its commit
// (the store fans it out to all of them in one pass; a lagging or resuming watcher a little later), so
// only the frames of recent revisions are kept, newest first out of the way last: at most `maxEntries`
// revisions and about `maxBytes` of frames. A watcher that asks for an older revision's frame (a resume
// from further back) gets it built again. Keeping every live revision's frames instead would hold one
// encoded copy of every object ever watched — and, as frames are small slices of Node's shared 64 KiB
// buffer pool, pin pool slabs full of frames of superseded revisions as well (121 MB at 10,000 pods).
import type { ChunkedFrame } from './watch-outbox.ts';

export interface FrameCacheLimits { maxEntries: number; maxBytes: number }

export class FrameCache {
  private readonly byEntry = new Map<object, Map<string, ChunkedFrame>>();
  /** Entries in the order they were first cached (a ring: `head` is the oldest). */
  private readonly order: (object | undefined)[];
  private head = 0;
  private count = 0;
  private bytes = 0;
  private readonly bytesOf = new Map<object, number>();
  private readonly limits: FrameCacheLimits;
  /** Frames built so far. */
  built = 0;

  constructor(limits: FrameCacheLimits) {
    if (!(limits.maxEntries >= 1) || !(limits.maxBytes >= 1)) throw new RangeError('FrameCache: limits must be positive');
    this.limits = limits;
    this.order = new Array(limits.maxEntries);
  }

  /** The frame of `entry` under `key`, built with `build` unless a watcher already built it. */
  get(entry: object, key: string, build: () => ChunkedFrame): ChunkedFrame {
    let m = this.byEntry.get(entry);
    let f = m?.get(key);
    if (f) return f;
    f = build();
    this.built++;
    if (!m) {
      if (this.count === this.limits.maxEntries) this.evictOldest();
      this.byEntry.set(entry, m = new Map());
      this.order[(this.head + this.count++) % this.limits.maxEntries] = entry;
    }
    m.set(key, f);
    const n = f.chunk.byteLength;
    this.bytes += n;
    this.bytesOf.set(entry, (this.bytesOf.get(entry) ?? 0) + n);
    // The newest entry stays even when it alone is over the budget: its other watchers are about to ask.
    while (this.bytes > this.limits.maxBytes && this.count > 1) this.evictOldest();
    return f;
  }

  private evictOldest(): void {
    const e = this.order[this.head]!;
    this.order[this.head] = undefined;
    this.head = (this.head + 1) % this.limits.maxEntries;
    this.count--;
    this.byEntry.delete(e);
    this.bytes -= this.bytesOf.get(e) ?? 0;
    this.bytesOf.delete(e);
  }

  /** Revisions and bytes held (tests, benchmarks). */
  stats(): { entries: number; bytes: number } { return { entries: this.count, bytes: this.bytes }; }
}
