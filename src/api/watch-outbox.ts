// Watch frames on their way to sockets. Each watch has an outbox; frames queued during an event-loop
// turn leave in one socket write per watcher. The writes of many watchers are spread over several
// turns, at most `sliceMs` of writing per turn, in the order the watchers became pending: requests
// (the writes that produce events) are served in between, and a watcher still waiting when the next
// event arrives gets both in one write.
//
// Writing is paced in rounds: a round writes to every pending watcher; the next round starts no
// sooner than `pace` times the last round's writing time, at most `maxGapMs` (a process the machine
// preempted while it wrote measures a longer round than it worked), after it ended. A socket write costs about
// the same for one event as for several (the TLS record and the system call dominate), so under a
// stream of writes the events of that gap leave together, and the writes to sockets take at most
// 1 / (1 + pace) of the thread: the requests that make the events keep the rest. A round of a few
// watchers takes microseconds, so its gap is too: under light load every frame leaves in the turn that
// produced it.
//
// Frames come already framed as HTTP/1.1 chunks (built once per event, shared by every watcher), so
// a batch is written to the connection as it is, without the response's per-write chunk framing.
// Over HTTP/2 (api/http2.ts) a watch is one stream of a shared connection: its batch goes through the
// response as one DATA frame, and the session sends the frames of all its streams in few writes.
//
// A watcher that cannot keep up is cut off, as upstream's watch cache closes a watcher whose event
// buffer is full: once more than `maxBacklogEvents` live events were handed to its connection while
// the connection was backed up, and it has not drained for `stallMs`, or its buffered bytes exceed
// `maxBufferedBytes`, its queued frames are dropped and the watch ends; the client re-watches from
// the last revision it saw. (Upstream's budget is tighter; a browser or a client on a busy machine
// that reads in bursts is given seconds, not milliseconds.)
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface OutboxSettings { sliceMs: number; pace: number; maxGapMs: number; maxBacklogEvents: number; stallMs: number; maxBufferedBytes: number }
export const outboxSettings: OutboxSettings = { sliceMs: 2, pace: 1, maxGapMs: 4, maxBacklogEvents: 1000, stallMs: 10_000, maxBufferedBytes: 64 * 1024 * 1024 };

const CRLF = Buffer.from('\r\n');

/** A frame as one HTTP/1.1 chunk (size line, frame, CRLF); `frame` is a view of the frame alone. */
export interface ChunkedFrame { chunk: Buffer; frame: Buffer }
export function chunked(frame: Uint8Array): ChunkedFrame {
  const head = Buffer.from(`${frame.byteLength.toString(16)}\r\n`);
  const chunk = Buffer.concat([head, frame, CRLF]);
  return { chunk, frame: chunk.subarray(head.length, head.length + frame.byteLength) };
}

const pending = new Set<WatchOutbox>();
let scheduled = false;
/** The round under way: its writing time so far (ms), or undefined between rounds. */
let roundWork: number | undefined;
/** When (performance.now()) the next round may start. */
let nextRoundAt = 0;
/** Rounds of writing so far (tests: pacing groups the events of a gap into one round). */
export const outboxStats = { rounds: 0 };

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const wait = roundWork === undefined ? nextRoundAt - performance.now() : 0;
  if (wait < 1) setImmediate(flushPending);
  else setTimeout(flushPending, wait);
}

function flushPending(): void {
  scheduled = false;
  const t0 = performance.now();
  if (roundWork === undefined) { roundWork = 0; outboxStats.rounds++; }
  for (const box of pending) {
    pending.delete(box);
    // One watch's failure ends that watch, never the writing of the others.
    try { box.flush(); } catch (e) { box.fail(e); }
    if (pending.size && performance.now() - t0 >= outboxSettings.sliceMs) break;
  }
  roundWork += performance.now() - t0;
  if (pending.size) { schedule(); return; }
  nextRoundAt = performance.now() + Math.min(roundWork * outboxSettings.pace, outboxSettings.maxGapMs);
  roundWork = undefined;
}

/** Outboxes waiting for a write. */
export function pendingOutboxes(): number { return pending.size; }

/** The connection, when the response may be written to it directly: headers sent, nothing of it queued. */
function directSocket(res: ServerResponse): Socket | undefined {
  const r = res as ServerResponse & { _headerSent?: boolean; outputData?: unknown[]; chunkedEncoding?: boolean };
  const sock = res.socket as (Socket & { _httpMessage?: unknown }) | null;
  if (!sock || sock._httpMessage !== res || !r._headerSent || !r.chunkedEncoding || r.outputData?.length) return undefined;
  return sock;
}

export class WatchOutbox {
  private frames: ChunkedFrame[] = [];
  private bytes = 0;
  /** Live events among `frames`. */
  private liveEvents = 0;
  /** Live events handed to the connection since it last drained, written while it was backed up. */
  private backlog = 0;
  /** When the connection was last seen drained (performance.now()). */
  private drainedAt = performance.now();
  private cut = false;
  private drainHooked: Socket | undefined;
  private readonly res: ServerResponse;
  private readonly tooSlow: () => void;

  /** `tooSlow`: ends the watch; called at most once, after the queued frames were dropped. */
  constructor(res: ServerResponse, tooSlow: () => void) {
    this.res = res;
    this.tooSlow = tooSlow;
  }

  /** Queue one frame; `live` frames (not the initial list) count towards the slow-watcher limit. */
  push(f: ChunkedFrame, live: boolean): void {
    if (this.cut) return;
    this.frames.push(f);
    this.bytes += f.chunk.length;
    if (live) this.liveEvents++;
    pending.add(this);
    schedule();
  }

  /** Write everything queued now (before anything else the watch writes, and before it ends). */
  flush(): void {
    pending.delete(this);
    if (!this.frames.length) return;
    const res = this.res;
    const frames = this.frames, bytes = this.bytes, live = this.liveEvents;
    this.frames = []; this.bytes = 0; this.liveEvents = 0;
    if (this.cut || res.writableEnded || res.destroyed) return;
    const sock = directSocket(res);
    if (sock) {
      this.hookDrain(sock);
      if (sock.writableNeedDrain) this.backlog += live; else this.drained();
      if (frames.length === 1) sock.write(frames[0].chunk);
      else if (bytes <= 1 << 20) sock.write(Buffer.concat(frames.map((f) => f.chunk), bytes));
      else { sock.cork(); for (const f of frames) sock.write(f.chunk); sock.uncork(); }
    } else {
      // Not (yet) writable directly, or an HTTP/2 stream: through the response, which frames each
      // write itself (one HTTP/1.1 chunk, or one HTTP/2 DATA frame, per write), so in one write.
      if (res.writableNeedDrain) this.backlog += live; else this.drained();
      if (frames.length === 1) res.write(frames[0].frame);
      else if (bytes <= 1 << 20) res.write(Buffer.concat(frames.map((f) => f.frame)));
      else { res.cork(); for (const f of frames) res.write(f.frame); res.uncork(); }
    }
    const stalled = this.backlog > outboxSettings.maxBacklogEvents && performance.now() - this.drainedAt >= outboxSettings.stallMs;
    if (stalled || res.writableLength > outboxSettings.maxBufferedBytes) this.cutOff();
  }

  private drained(): void {
    this.backlog = 0;
    this.drainedAt = performance.now();
  }

  private hookDrain(sock: Socket): void {
    if (this.drainHooked === sock) return;
    this.drainHooked = sock;
    const onDrain = () => this.drained();
    sock.on('drain', onDrain);
    this.res.once('close', () => sock.off('drain', onDrain));
  }

  /** Drop what is queued and end the watch (the watcher was too slow). */
  private cutOff(): void {
    if (this.cut) return;
    this.cut = true;
    this.discard();
    this.tooSlow();
  }

  /** Writing failed: the connection is closed (its watch ends through the response's close). */
  fail(e: unknown): void {
    this.discard();
    this.cut = true;
    this.res.destroy(e instanceof Error ? e : new Error(String(e)));
  }

  /** True once the watcher was cut off for being too slow (or writing to it failed). */
  get wasCut(): boolean { return this.cut; }

  /** Forget anything queued (the watch ended). */
  discard(): void {
    this.frames = []; this.bytes = 0; this.liveEvents = 0;
    pending.delete(this);
  }
}
