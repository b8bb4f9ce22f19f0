// Watch frames shared by every watcher of an event: one per revision, event type and representation,
// built by the first watcher that needs it. An event reaches its watchers within a moment of its commit
// (the store fans it out to all of them in one pass; a lagging or resuming watcher a little later), so
// only the frames of recent revisions are kept, newest first out of the way last: at most `maxEntries`
// revisions and about `maxBytes` of frames. A watcher that asks for an older revision's frame (a resume
// from further back) gets it built again. Keeping every live revision's frames instead would hold one
// encoded copy of every object ever watched — and, as frames are small slices of Node's shared 64 KiB
// buffer pool, pin pool slabs full of frames of superseded revisions as well (121 MB at 10,000 pods).
//
// The cache does not keep a revision's entry alive: its frames are held against the entry weakly and go
// with it once no watcher (whose queue still holds the event) and no store cache (which holds the live
// revision) refers to it. Holding the entries themselves kept the parsed object and stored bytes of the
// last 1,024 revisions watched, superseded ones included (~7 MB of heap at 10,000 pods): a superseded
// revision's entry can never be asked for again once its watchers have sent it.
import type { ChunkedFrame } from './watch-outbox.ts';

export interface FrameCacheLimits { maxEntries: number; maxBytes: number }

/** A cached revision in the ring: its entry (weakly) and the bytes of its frames. */
interface Held { ref: WeakRef<object>; bytes: number }

export class FrameCache {
  private readonly byEntry = new WeakMap<object, { frames: Map<string, ChunkedFrame>; held: Held }>();
  /** Entries in the order they were first cached (a ring: `head` is the oldest). */
  private readonly order: (Held | undefined)[];
  private head = 0;
  private count = 0;
  private bytes = 0;
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
    let f = m?.frames.get(key);
    if (f) return f;
    f = build();
    this.built++;
    if (!m) {
      if (this.count === this.limits.maxEntries) this.evictOldest();
      const held: Held = { ref: new WeakRef(entry), bytes: 0 };
      this.byEntry.set(entry, m = { frames: new Map(), held });
      this.order[(this.head + this.count++) % this.limits.maxEntries] = held;
    }
    m.frames.set(key, f);
    const n = f.chunk.byteLength;
    this.bytes += n;
    m.held.bytes += n;
    // The newest entry stays even when it alone is over the budget: its other watchers are about to ask.
    while (this.bytes > this.limits.maxBytes && this.count > 1) this.evictOldest();
    return f;
  }

  private evictOldest(): void {
    const held = this.order[this.head]!;
    this.order[this.head] = undefined;
    this.head = (this.head + 1) % this.limits.maxEntries;
    this.count--;
    const e = held.ref.deref();
    if (e) this.byEntry.delete(e);
    this.bytes -= held.bytes;
  }

  /** Revisions and bytes held (tests, benchmarks); a collected revision counts until it leaves the ring. */
  stats(): { entries: number; bytes: number } { return { entries: this.count, bytes: this.bytes }; }
}
