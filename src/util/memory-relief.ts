// Hands memory back after a burst of writes. During a burst (thousands of pods created, scheduled and
// started) V8 grows its young generation to the --max-semi-space-size limit and the old generation
// fragments; an ordinary full GC keeps both, so the process stays tens of MB larger than its live
// data long after the burst. When the store's write rate falls from a burst to a quarter of its peak,
// one memory-reducing full GC (V8's "last resort" flavour: shrinks new space, compacts old space)
// returns that slack. At most one per minIntervalMs, so a busy steady state never pays for it often.
// The GC stops the process for a few hundred ms at 10,000 pods, so a due relief waits for a moment
// when no client request is being answered or has arrived since the last sample (`idle`), for at most maxDeferMs: a client listing right
// after its burst does not see its list held up (bench/list: one list of twenty took 1.2 s).
// The same moment suits asking SQLite to hand back the page cache the burst filled (see `collect`).
import type { Clock, TimerHandle } from '../clock.ts';

export interface BurstRule {
  /** Writes in one sample interval that count as a burst. */
  minBurst: number;
  /** The burst is over when an interval's writes fall to this share of the burst's peak interval. */
  quietRatio: number;
  /** Consecutive quiet intervals needed (a short dip inside a burst is not its end). */
  quietSamples: number;
  /** Least time between two reliefs, in ms (a relief held back by it runs once the time has passed, if still quiet). */
  minIntervalMs: number;
}

export const DEFAULT_RULE: BurstRule = { minBurst: 2000, quietRatio: 0.25, quietSamples: 2, minIntervalMs: 30_000 };

/** The decision, fed one sample per interval: true when a burst has just ended and relief may run. */
export class BurstWatch {
  private peak = 0;
  private quiet = 0;
  private last = -Infinity;
  private readonly rule: BurstRule;
  constructor(rule: BurstRule = DEFAULT_RULE) { this.rule = rule; }

  /** `writes` made in the interval that ended at `now` (ms). */
  observe(writes: number, now: number): boolean {
    this.peak = Math.max(this.peak, writes);
    if (this.peak < this.rule.minBurst || writes > this.peak * this.rule.quietRatio) { this.quiet = 0; return false; }
    if (++this.quiet < this.rule.quietSamples || now - this.last < this.rule.minIntervalMs) return false;
    this.peak = 0;
    this.quiet = 0;
    this.last = now;
    return true;
  }
}

let reducingGc: ((opts: object) => void) | undefined;

/**
 * A memory-reducing full GC. V8 exposes it only through its gc extension: when the process was not
 * started with --expose-gc, the extension is enabled just long enough to take the function from a
 * fresh context (the global object of the application's own context gets no `gc`).
 */
export function collectReducingMemory(): void {
  if (!reducingGc) {
    const own = (globalThis as { gc?: (opts: object) => void }).gc;
    if (typeof own === 'function') reducingGc = own;
    else {
      // node:v8 and node:vm are taken here, on the first relief: importing node:v8 loads ~20 of Node's
      // own modules (streams, heap utilities), a few ms of every start-up otherwise.
      const { setFlagsFromString } = process.getBuiltinModule('node:v8');
      setFlagsFromString('--expose-gc');
      try { reducingGc = process.getBuiltinModule('node:vm').runInNewContext('gc') as (opts: object) => void; } finally { setFlagsFromString('--no-expose-gc'); }
    }
  }
  reducingGc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/**
 * Sample `revision()` (the store's revision: one per write) every intervalMs of clock time and run
 * `collect` when a burst has ended.
 */
export function startMemoryRelief(opts: {
  clock: Clock; revision: () => number; collect?: () => void; intervalMs?: number; rule?: BurstRule;
  /** True when no client is waiting for an answer; a due relief waits for it (checked every intervalMs). */
  idle?: () => boolean;
  /** Longest wait for `idle` once a relief is due (default 30 s); then it runs regardless. */
  maxDeferMs?: number;
}): { stop(): void; readonly reliefs: number } {
  const watch = new BurstWatch(opts.rule);
  const collect = opts.collect ?? collectReducingMemory;
  const maxDefer = opts.maxDeferMs ?? 30_000;
  let prev = opts.revision();
  let reliefs = 0;
  let dueSince: number | undefined;
  const timer: TimerHandle = opts.clock.setInterval(() => {
    const rev = opts.revision();
    const writes = rev - prev;
    prev = rev;
    const now = opts.clock.now();
    if (watch.observe(writes, now)) dueSince ??= now;
    if (dueSince === undefined) return;
    if (!(opts.idle?.() ?? true) && now - dueSince < maxDefer) return;
    dueSince = undefined;
    reliefs++;
    collect();
  }, opts.intervalMs ?? 2000);
  return { stop: () => timer.cancel(), get reliefs() { return reliefs; } };
}
