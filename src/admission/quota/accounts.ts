// What quota admission has charged against each quota and not yet written to its status.used.
//
// Upstream writes a quota's status.used before every charged object is stored (batching only the
// requests that wait on one namespace at the same moment). A single-writer store (SQLite, memory)
// lets Skiff do better: admission is the one place that charges, JavaScript runs one judgement at a
// time, so an in-memory account per quota (committed usage + charges since) is exact, and the
// status write is deferred and coalesced: one write per quota per FLUSH_MS carries every charge
// admitted meanwhile. Exactness is kept by three rules:
//  - every write of status.used goes through the account's queue (admission's flushes and the quota
//    controller's recounts), so none overwrites another's charges;
//  - a recount snapshotted at charge number S includes every charge up to S (its object is stored or
//    in the ledger); charges after S are added on top of it, whether already written or still pending;
//  - after a start, a quota's stored usage may lack charges that were never written (a crash): it is
//    recounted from the stored objects before admission trusts it.
// A store shared by several servers (etcd) keeps upstream's synchronous writes (see admission.ts).
import type { Clock, TimerHandle } from '../../clock.ts';
import { StatusError } from '../../errors.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { findResource } from '../../registry/resources.ts';
import { add, addAll, fromList, sameList, toList } from './resource-list.ts';
import type { Usage } from './resource-list.ts';

/**
 * At most one write per quota in this time: the first charge after a quiet spell is written at once
 * (on the next turn), later ones wait for the rest of the interval and go together.
 */
export const FLUSH_MS = 1000;
/**
 * Later writes are due on the next multiple of this: quotas charged together are then written
 * together, on one timer and (started in one turn) in one storage transaction, not each on its own.
 */
const SLOT_MS = 50;
/**
 * Written charges are kept for recounts that snapshotted before them (and have not reported yet);
 * a recount that never reports holds them no longer than this.
 */
const HISTORY_MS = 60_000;

interface Charge { seq: number; delta: Usage; at: number }

interface Account {
  ns: string; name: string; uid: string;
  /** status.used as last written through this account (or read from a newer foreign write). */
  base: Usage;
  baseRV: number;
  /** Admitted, not yet in base. */
  pending: Map<number, Charge>;
  /** base + every pending charge, or undefined when it must be summed again. Owned by the account (charges add to it in place). */
  total?: Usage;
  /** In base, recent: a recount snapshotted before them does not include them. */
  written: Charge[];
  /** Writes of this quota, one at a time. */
  chain: Promise<void>;
  busy: boolean;
  timer?: TimerHandle;
  /** When the last write of charges started. */
  lastWrite: number;
  /** Taken out of the accounts (the quota was deleted or replaced). */
  dropped?: boolean;
}

const keyOf = (ns: string, name: string) => `${ns}/${name}`;

export class QuotaAccounts {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly accounts = new Map<string, Account>();
  /** Accounts whose next write is due at a slot time, with the slot's one timer. */
  private readonly slots = new Map<number, { timer: TimerHandle; due: Set<Account> }>();
  private readonly trusted = new Set<string>();
  /** Quota objects (informer versions, never changed) and the account they were looked up in. */
  private readonly seen = new WeakMap<KObject, Account>();
  private seq = 0;
  private closed = false;
  private readonly quotasR = findResource('', 'v1', 'resourcequotas')!;

  constructor(store: Store, clock: Clock) { this.store = store; this.clock = clock; }

  /** Snapshots of recounts that have not reported (recounted) yet, oldest first. */
  private readonly pins: { snap: number; at: number }[] = [];

  /** The charge number a recount snapshots (every charge up to it is in what the recount sees). */
  snapshot(): number {
    this.expirePins();
    this.pins.push({ snap: this.seq, at: this.clock.now() });
    return this.seq;
  }

  private expirePins(): void {
    const horizon = this.clock.now() - HISTORY_MS;
    while (this.pins.length && this.pins[0].at < horizon) this.pins.shift();
  }

  private unpin(snap: number): void {
    const i = this.pins.findIndex((p) => p.snap === snap);
    if (i >= 0) this.pins.splice(i, 1);
  }

  /** The oldest snapshot a recount may still report: written charges up to it are never needed again. */
  private floor(): number {
    this.expirePins();
    let min = this.seq;
    for (const p of this.pins) if (p.snap < min) min = p.snap;
    return min;
  }

  /** Whether the quota's stored usage was counted (or written) by this process. */
  isTrusted(q: KObject): boolean { return this.trusted.has(q.metadata.uid!); }

  /** The usage admission judges against: the stored usage plus what was charged since. */
  used(q: KObject): Usage {
    const a = this.current(q);
    return a ? totalOf(a) : fromList(q.status?.used);
  }

  /** Charges `delta` to quota `q` (at `now`); returns the charge's number (for release). */
  charge(q: KObject, delta: Usage, now = this.clock.now()): number {
    const a = this.current(q) ?? this.open(q);
    const seq = ++this.seq;
    addInto(totalOf(a), delta);
    a.pending.set(seq, { seq, delta, at: now });
    if (!a.busy) this.schedule(a);
    return seq;
  }

  /** A charged write failed: its charge is taken back if it was not written yet (true), else a recount must. */
  release(ns: string, name: string, seq: number): boolean {
    const a = this.accounts.get(keyOf(ns, name));
    if (!a?.pending.delete(seq)) return false;
    a.total = undefined;
    return true;
  }

  /**
   * A recount of quota `q` snapshotted at charge `snap`: writes status (hard as given, used = the count
   * plus every charge after the snapshot), through the account's queue.
   */
  recounted(q: KObject, hard: Record<string, string>, counted: Usage, snap: number): Promise<void> {
    const a = this.current(q) ?? this.open(q);
    if (a.timer) { a.timer.cancel(); a.timer = undefined; }
    return this.enqueue(a, async () => {
      try {
        const pendingNow = [...a.pending.values()];
        let used = counted;
        for (const c of [...a.written, ...pendingNow]) if (c.seq > snap) used = add(used, c.delta);
        const out = await this.write(a, (cur) => ({ ...cur, hard, used: toList(used) }));
        if (!out) return;
        for (const c of pendingNow) { a.pending.delete(c.seq); if (c.seq > snap) a.written.push(c); }
        this.settle(a, out);
        this.trusted.add(a.uid);
      } finally {
        this.unpin(snap);
      }
    });
  }

  /** Writes every pending charge now (server stop). */
  async flushAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.accounts.values()].map((a) => {
      if (a.timer) { a.timer.cancel(); a.timer = undefined; }
      return a.pending.size ? this.enqueue(a, () => this.flush(a)) : a.chain;
    }));
  }

  private open(q: KObject): Account {
    const a: Account = { ns: q.metadata.namespace!, name: q.metadata.name!, uid: q.metadata.uid!, base: fromList(q.status?.used),
      baseRV: Number(q.metadata.resourceVersion), pending: new Map(), written: [], chain: Promise.resolve(), busy: false, lastWrite: -Infinity };
    this.accounts.set(keyOf(a.ns, a.name), a);
    return a;
  }

  /** The quota's account, brought up to a newer stored version written by someone else. */
  private current(q: KObject): Account | undefined {
    // The account a quota object was last seen with (each create looks its quota up twice): no key string built.
    let a = this.seen.get(q);
    if (!a || a.dropped) {
      a = this.accounts.get(keyOf(q.metadata.namespace!, q.metadata.name!));
      if (!a) return undefined;
      this.seen.set(q, a);
    }
    if (a.uid !== q.metadata.uid) { this.drop(a); return undefined; }
    const rv = Number(q.metadata.resourceVersion);
    // While a write is under way the account knows better: the write itself reports what it stored.
    if (!a.busy && rv > a.baseRV) { a.base = fromList(q.status?.used); a.baseRV = rv; a.total = undefined; }
    return a;
  }

  private drop(a: Account): void {
    a.dropped = true;
    a.timer?.cancel();
    if (this.accounts.get(keyOf(a.ns, a.name)) === a) this.accounts.delete(keyOf(a.ns, a.name));
  }

  private enqueue(a: Account, job: () => Promise<void>): Promise<void> {
    const run = async () => {
      a.busy = true;
      try { await job(); } finally {
        a.busy = false;
        // Charges that came meanwhile (or that a failed write kept) get the next write.
        if (a.pending.size) this.schedule(a);
      }
    };
    a.chain = a.chain.then(run, run);
    return a.chain;
  }

  /** A write of the pending charges, once the interval since the last one has passed. */
  private schedule(a: Account): void {
    if (a.timer || this.closed) return;
    const now = this.clock.now();
    const due = a.lastWrite + FLUSH_MS;
    // At least 1 ms: a clock may run a timer due now at once, inside setTimeout.
    if (due <= now + 1) a.timer = this.clock.setTimeout(() => { a.timer = undefined; this.startFlush(a); }, 1);
    else a.timer = this.inSlot(a, Math.ceil(due / SLOT_MS) * SLOT_MS, now);
  }

  private startFlush(a: Account): void {
    void this.enqueue(a, () => this.flush(a)).catch(() => { /* kept pending: the next charge or recount writes it */ });
  }

  /** Puts the account's write in the slot due at `at`; the handle takes it out again. */
  private inSlot(a: Account, at: number, now: number): TimerHandle {
    let slot = this.slots.get(at);
    if (!slot) {
      const due = new Set<Account>();
      const timer = this.clock.setTimeout(() => {
        this.slots.delete(at);
        for (const x of due) { x.timer = undefined; this.startFlush(x); }
      }, Math.max(1, at - now));
      this.slots.set(at, slot = { timer, due });
    }
    const entry = slot;
    entry.due.add(a);
    return {
      cancel: () => {
        if (!entry.due.delete(a) || entry.due.size) return;
        if (this.slots.get(at) === entry) this.slots.delete(at);
        entry.timer.cancel();
      },
    };
  }

  /** One write carrying every pending charge: added to whatever status.used is stored now. */
  private async flush(a: Account): Promise<void> {
    const taken = [...a.pending.values()];
    if (!taken.length) return;
    a.lastWrite = this.clock.now();
    const out = await this.write(a, (cur) => {
      return { ...cur, used: toList(addAll(fromList(cur?.used), taken.map((c) => c.delta))) };
    });
    if (!out) return;
    for (const c of taken) { if (a.pending.delete(c.seq)) a.written.push(c); }
    this.settle(a, out);
  }

  /** Writes the quota's status with `next` (retried on conflict); undefined when the quota is gone or replaced. */
  private async write(a: Account, next: (cur: Record<string, any> | undefined) => Record<string, any>): Promise<KObject | undefined> {
    let seen: KObject | undefined;
    try {
      return await this.store.guaranteedUpdate(this.quotasR, a.ns, a.name, (cur) => {
        if (cur.metadata.uid !== a.uid) throw GONE;
        const status = next(cur.status);
        seen = cur;
        // Nothing to change: no write (the stored object is the result).
        if (sameStatus(cur.status, status)) throw UNCHANGED;
        cur.status = status;
        return cur;
      }, { subresource: 'status' });
    } catch (e) {
      if (e === UNCHANGED) return seen;
      if (e === GONE || (e instanceof StatusError && e.code === 404)) { this.drop(a); return undefined; }
      throw e;
    }
  }

  private settle(a: Account, out: KObject): void {
    a.base = fromList(out.status?.used);
    a.total = undefined;
    a.baseRV = Number(out.metadata.resourceVersion);
    const horizon = this.clock.now() - HISTORY_MS;
    const floor = this.floor();
    if (a.written.length && (a.written[0].at < horizon || a.written[0].seq <= floor)) a.written = a.written.filter((c) => c.at >= horizon && c.seq > floor);
  }
}

/** The account's stored usage plus every pending charge (kept until either changes). */
function totalOf(a: Account): Usage {
  return a.total ??= addAll(a.base, [...a.pending.values()].map((c) => c.delta));
}

/** Adds `delta` to `total` in place, as add() would sum them (a zero takes the format of what is added to it). */
function addInto(total: Usage, delta: Usage): void {
  for (const [k, v] of delta) {
    const cur = total.get(k);
    total.set(k, cur ? { milli: cur.milli + v.milli, binary: cur.milli === 0n ? v.binary : cur.binary } : v);
  }
}

const GONE = Symbol('quota replaced');
const UNCHANGED = Symbol('status unchanged');

function sameStatus(a: Record<string, any> | undefined, b: Record<string, any>): boolean {
  return sameList(a?.hard, b.hard) && sameList(a?.used, b.used) && Object.keys(a?.used ?? {}).length === Object.keys(b.used ?? {}).length;
}

const registry = new WeakMap<Store, QuotaAccounts>();

/** The accounts a store's quota admission and quota controller share. */
export function quotaAccountsOf(store: Store, clock: Clock): QuotaAccounts {
  let a = registry.get(store);
  if (!a) registry.set(store, a = new QuotaAccounts(store, clock));
  return a;
}

/** Writes every pending quota charge of a store (before its backend closes). */
export async function flushQuotaAccounts(store: Store): Promise<void> {
  await registry.get(store)?.flushAll();
}
