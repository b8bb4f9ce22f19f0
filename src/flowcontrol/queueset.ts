// One priority level's concurrency limit and queues (upstream's fairqueuing QueueSet, simplified).
// A request runs at once while fewer than `limit` run; otherwise, with limitResponse Queue, it joins
// one of `queues` FIFO queues picked by shuffle sharding its flow (the hand of `handSize` queues its
// flow hashes to; the one with the least work) and waits; a full queue (queueLengthLimit), a level
// with limitResponse Reject, or a wait longer than the wait limit is refused.
// Fairness: when a seat frees, the next request comes from the non-empty queue with the fewest of
// its requests executing, ties taken round-robin — so a flow that floods its queues cannot take more
// than its turn from flows in other queues. (Upstream orders queues by virtual finish time, with
// per-request seat widths; here every request is one seat.)
import type { Clock, TimerHandle } from '../clock.ts';

export interface Queuing { queues: number; handSize: number; queueLengthLimit: number }

export type Outcome = { release: () => void } | { rejected: 'concurrency-limit' | 'queue-full' | 'time-out' | 'cancelled' };
/** A request waiting in a queue. */
export interface Queued { wait: Promise<Outcome>; cancel(): void }

interface Waiter {
  queue: number;
  hash: number;
  settle(o: Outcome): void;
  timer?: TimerHandle;
}

/** A 52-bit FNV-1a-style hash of a flow (schema name + distinguisher), as the shuffle-sharding input. */
export function flowHash(schema: string, distinguisher: string): number {
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  const s = `${schema}\u0000${distinguisher}`;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return (h1 & 0xfffff) * 0x100000000 + h2;
}

/** shufflesharding.Dealer.Deal: handSize distinct queue indexes out of deckSize, from one hash. */
export function dealHand(hash: number, deckSize: number, handSize: number): number[] {
  const rem: number[] = [];
  for (let i = 0; i < handSize; i++) {
    const n = deckSize - i;
    rem.push(hash % n);
    hash = Math.floor(hash / n);
  }
  return rem.map((card, i) => {
    for (let j = i; j > 0; j--) if (card >= rem[j - 1]) card++;
    return card;
  });
}

export class QueueSet {
  limit: number;
  queuing?: Queuing;
  executing = 0;
  waiting = 0;
  private queues: Waiter[][] = [];
  private queueExecuting: number[] = [];
  private next = 0;
  private readonly clock: Clock;
  private readonly waitLimitMs: number;

  constructor(clock: Clock, limit: number, queuing: Queuing | undefined, waitLimitMs: number) {
    this.clock = clock;
    this.limit = limit;
    this.waitLimitMs = waitLimitMs;
    this.reconfigure(limit, queuing);
  }

  /** New limit and queuing (a level's spec changed, or the shares of the others did). Waiters are dealt again. */
  reconfigure(limit: number, queuing: Queuing | undefined): void {
    this.limit = limit;
    const same = queuing && this.queuing && queuing.queues === this.queuing.queues;
    this.queuing = queuing;
    if (!same) {
      const waiters = this.queues.flat();
      this.queues = Array.from({ length: queuing?.queues ?? 0 }, () => []);
      this.queueExecuting = Array.from({ length: queuing?.queues ?? 0 }, () => 0);
      for (const w of waiters) {
        if (!queuing) { this.waiting--; w.timer?.cancel(); w.settle({ rejected: 'concurrency-limit' }); continue; }
        w.queue = this.pickQueue(w.hash);
        this.queues[w.queue].push(w);
      }
    }
    this.dispatch();
  }

  /**
   * A seat now, a wait for one (queued; `cancel` when the client goes away), or a refusal. `hash`
   * (the flow's) is only computed for levels that queue.
   */
  acquire(hash: () => number): Outcome | Queued {
    const h = this.queuing && this.queues.length ? hash() : -1;
    const q = h >= 0 ? this.pickQueue(h) : -1;
    if (this.executing < this.limit && this.waiting === 0) return this.grant(q);
    if (q < 0) return { rejected: 'concurrency-limit' };
    if (this.queues[q].length >= this.queuing!.queueLengthLimit) return { rejected: 'queue-full' };
    let w!: Waiter;
    const wait = new Promise<Outcome>((settle) => {
      w = { queue: q, hash: h, settle };
      w.timer = this.clock.setTimeout(() => this.drop(w, 'time-out'), this.waitLimitMs);
      this.queues[q].push(w);
      this.waiting++;
    });
    return { wait, cancel: () => this.drop(w, 'cancelled') };
  }

  /** Take a waiting request out of its queue (its client went away, or it waited too long). */
  private drop(w: Waiter, why: 'time-out' | 'cancelled'): void {
    const queue = this.queues[w.queue];
    const i = queue ? queue.indexOf(w) : -1;
    if (i < 0) return;
    queue.splice(i, 1);
    this.waiting--;
    w.timer?.cancel();
    w.settle({ rejected: why });
  }

  private pickQueue(hash: number): number {
    const n = this.queues.length;
    const hand = dealHand(hash, n, Math.min(this.queuing!.handSize, n));
    let best = hand[0], bestLoad = Infinity;
    for (const q of hand) {
      const load = this.queues[q].length + this.queueExecuting[q];
      if (load < bestLoad) { best = q; bestLoad = load; }
    }
    return best;
  }

  private grant(queue: number): Outcome {
    this.executing++;
    if (queue >= 0) this.queueExecuting[queue]++;
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        this.executing--;
        if (queue >= 0 && this.queueExecuting[queue] > 0) this.queueExecuting[queue]--;
        this.dispatch();
      },
    };
  }

  /** Start waiting requests while seats are free: least-executing queue first, ties round-robin. */
  private dispatch(): void {
    while (this.waiting > 0 && this.executing < this.limit) {
      const n = this.queues.length;
      let best = -1;
      for (let k = 0; k < n; k++) {
        const q = (this.next + k) % n;
        if (this.queues[q].length && (best < 0 || this.queueExecuting[q] < this.queueExecuting[best])) best = q;
      }
      if (best < 0) return;
      this.next = (best + 1) % n;
      const w = this.queues[best].shift()!;
      this.waiting--;
      w.timer?.cancel();
      w.settle(this.grant(best));
    }
  }
}
