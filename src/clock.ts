// The one place that touches wall-clock time, timers and randomness.
// Everything else receives a Clock so tests can advance simulated time instead of sleeping,
// and `--time-scale N` can make simulated time run N times faster than real time.
import { randomBytes, randomFillSync } from 'node:crypto';

export interface TimerHandle { cancel(): void }

export interface Clock {
  /** Simulated milliseconds since the epoch. */
  now(): number;
  /** Run fn after `ms` of simulated time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Run fn every `ms` of simulated time. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** A random float in [0,1). */
  random(): number;
  uuid(): string;
  /** `n` random lower-case alphanumerics (as used by generateName). */
  randomString(n: number): string;
  /** `n` random bytes: cryptographically strong on a RealClock (tokens, certificate serials), seeded on a FakeClock. */
  randomBytes(n: number): Uint8Array;
}

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789'; // upstream's alphabet for generateName suffixes

function randomStringFrom(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

/**
 * Monotonic real time in ms. Not performance.now(), which costs the same per call but whose global
 * `performance` loads perf_hooks on first use (~1.5 ms of every start).
 */
export function monotonicMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/** Real time, optionally scaled (simulated time runs `scale` times faster) and shiftable forward. */
export class RealClock implements Clock {
  // Simulated time = base + (monotonic real ms since `realBase`) × scale; rebased on every change of
  // scale or jump, so it is continuous and never goes backwards (even if the wall clock does).
  private base = Date.now();
  private realBase = monotonicMs();
  private _scale: number;
  private pending = new Set<{ due: number; seq: number; check(): void }>();
  private seq = 0;
  constructor(scale = 1) { this._scale = scale; }

  get scale(): number { return this._scale; }
  now(): number { return this.base + (monotonicMs() - this.realBase) * this._scale; }
  /** Jump simulated time forward. Timers due in the skipped window fire at once, in due order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('the clock only moves forward');
    this.rebase(this.now() + ms);
    this.recheck();
  }
  /** Set simulated time to `ms`, backwards too (a snapshot restore): timers keep their due times. */
  jumpTo(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('the clock needs a finite time');
    this.rebase(ms);
    this.recheck();
  }
  /** Change how fast simulated time runs from now on. */
  setScale(scale: number): void {
    if (!(scale > 0)) throw new RangeError('the time scale must be above 0');
    this.rebase(this.now());
    this._scale = scale;
    this.recheck();
  }
  private rebase(simNow: number): void { this.base = simNow; this.realBase = monotonicMs(); }
  private recheck(): void {
    for (const t of [...this.pending].sort((a, b) => a.due - b.due || a.seq - b.seq)) t.check();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const due = this.now() + ms;
    let handle: NodeJS.Timeout | undefined;
    const entry = {
      due, seq: this.seq++,
      check: () => {
        const left = due - this.now();
        if (handle) clearTimeout(handle);
        if (left <= 0) { this.pending.delete(entry); fn(); return; }
        handle = setTimeout(entry.check, Math.max(1, left / this._scale));
        handle.unref?.();
      },
    };
    this.pending.add(entry);
    entry.check();
    return { cancel: () => { if (handle) clearTimeout(handle); this.pending.delete(entry); } };
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    let current: TimerHandle;
    let stopped = false;
    const tick = () => { if (stopped) return; current = this.setTimeout(tick, ms); fn(); };
    current = this.setTimeout(tick, ms);
    return { cancel: () => { stopped = true; current.cancel(); } };
  }
  random(): number { return Math.random(); }
  /** A version 4 UUID as one flat 36-character string (see randomUuid). */
  uuid(): string { return randomUuid(); }
  /**
   * Name suffixes (generateName, a pod's kube-api-access-xxxxx volume) need no cryptographic strength
   * (upstream draws them from math/rand), and a randomBytes call per name was a measurable share of a
   * pod create: drawn from Math.random.
   */
  randomString(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALNUM[Math.floor(Math.random() * ALNUM.length)];
    return s;
  }
  randomBytes(n: number): Uint8Array { return randomBytes(n); }
}

/** A clock that only moves when told to: for tests. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { due: number; seq: number; fn: () => void; dead: boolean }[] = [];
  private rng: number;
  constructor(start = Date.UTC(2026, 0, 1), seed = 1) { this.t = start; this.rng = seed; }
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn, dead: false };
    this.timers.push(timer);
    return { cancel: () => { timer.dead = true; } };
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    let current: TimerHandle;
    let stopped = false;
    const tick = () => { if (stopped) return; current = this.setTimeout(tick, ms); fn(); };
    current = this.setTimeout(tick, ms);
    return { cancel: () => { stopped = true; current.cancel(); } };
  }
  /** Set time to `ms`, backwards too (a snapshot restore); timers due by then fire. */
  jumpTo(ms: number): void {
    if (ms >= this.t) { this.advance(ms - this.t); return; }
    this.t = ms;
  }
  /** Move time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((x) => !x.dead);
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.due > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = end;
  }
  random(): number {
    // xorshift32: deterministic for tests
    let x = this.rng || 1;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng / 0x100000000;
  }
  uuid(): string {
    const h = () => Math.floor(this.random() * 0x10000).toString(16).padStart(4, '0');
    return `${h()}${h()}-${h()}-4${h().slice(1)}-a${h().slice(1)}-${h()}${h()}${h()}`;
  }
  randomString(n: number): string { return randomStringFrom(this.randomBytes(n)); }
  randomBytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.random() * 256);
    return b;
  }
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== lastSecond) { lastText = new Date(sec * 1000).toISOString().replace('.000Z', 'Z'); lastSecond = sec; }
  return lastText;
}
// The last second formatted: writes come in bursts within one second, each stamping several times.
let lastSecond = NaN;
let lastText = '';
/** RFC 3339 with microseconds, as metav1.MicroTime serialises. */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A monotonic stopwatch in real milliseconds, for measuring durations (request latency metrics). */
export function stopwatch(): () => number {
  const t0 = monotonicMs();
  return () => monotonicMs() - t0;
}

/** Random bytes for UUIDs, drawn from the CSPRNG 256 UUIDs at a time (as Node's randomUUID caches 128). */
const uuidEntropy = Buffer.allocUnsafeSlow(16 * 256);
let uuidAt = uuidEntropy.length;
const uuidText = Buffer.allocUnsafeSlow(36);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A random (version 4) UUID, lower-case hex. Written into a byte buffer and read out as one flat
 * string: Node's randomUUID() returns a tree of ~20 concatenated pieces (~450 bytes of heap), and
 * flattening it (uids and token IDs are kept as long as their objects) cost more than making it.
 */
export function randomUuid(): string {
  if (uuidAt + 16 > uuidEntropy.length) { randomFillSync(uuidEntropy); uuidAt = 0; }
  const o = uuidAt;
  uuidAt += 16;
  let j = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidText[j++] = 0x2d; // -
    let v = uuidEntropy[o + i];
    if (i === 6) v = (v & 0x0f) | 0x40; // version 4
    else if (i === 8) v = (v & 0x3f) | 0x80; // RFC 4122 variant
    uuidText[j++] = HEX_DIGITS[v >> 4];
    uuidText[j++] = HEX_DIGITS[v & 15];
  }
  return uuidText.toString('latin1', 0, 36);
}
