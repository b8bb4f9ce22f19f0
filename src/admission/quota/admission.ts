// The ResourceQuota admission plugin (upstream's plugin/pkg/admission/resourcequota and
// apiserver's resourcequota controller.go): a write charged by an evaluator is checked against every
// quota of its namespace that tracks one of its resources and covers it by scope. Quotas are judged
// by status.hard: a quota the controller has not counted yet limits nothing; one whose usage is
// unknown refuses ("status unknown for quota").
// How a charge is kept: on a single-writer store, in the quota's in-memory account (accounts.ts),
// judged one request at a time and written to status.used shortly after, coalesced; on a store
// shared by several servers (etcd), as upstream: status.used is raised with a compare-and-swap before
// the object is written, so two servers racing for the last unit cannot both pass.
import type { Clock } from '../../clock.ts';
import { errors, StatusError } from '../../errors.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { Informer } from '../../controllers/runtime.ts';
import { findResource } from '../../registry/resources.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../types.ts';
import { evaluatorFor, inScope } from './evaluators.ts';
import type { Evaluator } from './evaluators.ts';
import { QuotaLedger } from './ledger.ts';
import { quotaAccountsOf } from './accounts.ts';
import { countUsage } from './count.ts';
import { add, exceededBy, fromList, mask, prettyPrint, removeZeros, subtractNonNegative, toList } from './resource-list.ts';
import type { Usage } from './resource-list.ts';

const MAX_ATTEMPTS = 16;
const ledgers = new WeakMap<Store, QuotaLedger>();

/** The pending-charge ledger shared by a store's quota admission and quota controller. */
export function quotaLedgerOf(store: Store): QuotaLedger {
  let l = ledgers.get(store);
  if (!l) ledgers.set(store, l = new QuotaLedger());
  return l;
}

/** A write to judge and the evaluator that charges it. */
interface Request { a: AdmissionAttributes; e: Evaluator }
interface Pending extends Request { resolve: () => void; reject: (e: unknown) => void }

/**
 * Charges per namespace, one batch at a time: requests that arrive while a batch is being written
 * form the next batch, which is judged in arrival order against the running usage and written with
 * one compare-and-swap per quota (group commit). A lost race re-judges the whole batch.
 */
class NamespaceBatches {
  private readonly queues = new Map<string, Pending[]>();
  private readonly process: (ns: string, batch: Pending[]) => Promise<void>;
  constructor(process: (ns: string, batch: Pending[]) => Promise<void>) { this.process = process; }
  /** Whether no batch of the namespace is waiting or being written. */
  idle(ns: string): boolean { return !this.queues.has(ns); }
  submit(ns: string, a: AdmissionAttributes, e: Evaluator): Promise<void> {
    return new Promise((resolve, reject) => {
      let q = this.queues.get(ns);
      const idle = !q;
      if (!q) this.queues.set(ns, q = []);
      q.push({ a, e, resolve, reject });
      if (idle) void this.drain(ns);
    });
  }
  private async drain(ns: string): Promise<void> {
    for (;;) {
      const batch = this.queues.get(ns)!.splice(0);
      if (!batch.length) { this.queues.delete(ns); return; }
      try { await this.process(ns, batch); } catch (err) { for (const p of batch) p.reject(err); }
    }
  }
}

export function resourceQuotaPlugin(deps: { store: Store; clock: Clock }): AdmissionPlugin {
  const { store, clock } = deps;
  const quotasR = findResource('', 'v1', 'resourcequotas')!;
  const ledger = quotaLedgerOf(store);
  const accounts = quotaAccountsOf(store, clock);
  const deferred = store.backend.name !== 'etcd';
  const batches = new NamespaceBatches((ns, batch) => (deferred ? chargeDeferred(ns, batch) : chargeBatch(ns, batch)));
  let informer: Informer | undefined;
  let started: Promise<void> | undefined;
  /** The informer once it has listed (then no await is needed to read it). */
  let synced: Informer | undefined;
  const ready = async (): Promise<Informer> => {
    if (!informer) {
      const inf = informer = new Informer(store, quotasR);
      informer.addIndex('namespace', (o) => [o.metadata.namespace!]);
      const forget = (o: KObject) => { judged.delete(o.metadata.namespace!); };
      informer.on({ add: forget, update: forget, delete: forget });
      started = informer.start().then(() => { synced = inf; });
    }
    await started;
    return informer;
  };
  /**
   * Per namespace, its quotas as the informer holds them, once all of them are trusted (the fast path's
   * list); any event on a quota of the namespace drops the entry (events arrive before a write returns).
   */
  const judged = new Map<string, KObject[]>();
  const trustedQuotas = (inf: Informer, ns: string): KObject[] | undefined => {
    let current = judged.get(ns);
    if (current) return current;
    current = inf.byIndexValue('namespace', ns);
    if (!current.every(trusted)) return undefined;
    judged.set(ns, current);
    return current;
  };
  const quotaNames = async (ns: string): Promise<string[]> => (await ready()).byIndexValue('namespace', ns).map((q) => q.metadata.name!);
  const cachedQuotas = async (ns: string): Promise<KObject[]> => (await ready()).byIndexValue('namespace', ns);

  async function validate(a: AdmissionAttributes): Promise<void> {
    if (!a.namespace || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
    const e = evaluatorFor(a.resource.group, a.resource.resource);
    if (!e.handles(a.operation, a.subresource)) return;
    const quotas = synced ?? await ready();
    if (!quotas.countByIndex('namespace', a.namespace)) return;
    // A single-writer store judges at once when nothing of the namespace is queued before this
    // request and every quota's usage is trusted (the batch below would do the same, a turn later).
    if (deferred && batches.idle(a.namespace)) {
      const current = trustedQuotas(quotas, a.namespace);
      if (current) { chargeAccounts({ a, e }, current, usedOf(current), false); return; }
    }
    await batches.submit(a.namespace, a, e);
  }

  /** A quota admission may judge against its account (no recount needed first). */
  const trusted = (q: KObject): boolean => !q.status?.hard || accounts.isTrusted(q);
  const usedOf = (quotas: KObject[]): Map<string, Usage> => {
    const out = new Map<string, Usage>();
    for (const q of quotas) out.set(q.metadata.name!, accounts.used(q));
    return out;
  };

  /** Judges a batch in order against the running usage, writes each charged quota once, then answers every request. */
  async function chargeBatch(ns: string, batch: Pending[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // The informer holds the latest committed quotas (events fan out before a write returns); after a
      // lost race, read the store itself.
      const quotas = attempt === 0 ? await cachedQuotas(ns)
        : (await Promise.all((await quotaNames(ns)).map((n) => store.tryGet(quotasR, ns, n)))).filter((q): q is KObject => !!q);
      const used = new Map(quotas.map((q) => [q.metadata.name!, fromList(q.status?.used)]));
      const dirty = new Set<KObject>();
      const outcomes = batch.map((p) => {
        try { return chargeOne(p, quotas, used, dirty).length > 0; } catch (err) { return err as Error; }
      });
      try {
        for (const q of dirty) {
          await store.update(quotasR, ns, q.metadata.name!, { ...q, status: { ...q.status, used: toList(used.get(q.metadata.name!)!) } }, { subresource: 'status' });
        }
      } catch (err) {
        if (err instanceof StatusError && (err.code === 409 || err.code === 404)) continue;
        throw err;
      }
      batch.forEach((p, i) => {
        const out = outcomes[i];
        if (out instanceof Error) { p.reject(out); return; }
        if (out && p.a.operation === 'CREATE') noteCharge(p.a, { token: ledger.record(ns, p.a.resource.group, p.a.resource.resource, p.a.object!, clock.now()), charges: [] });
        p.resolve();
      });
      return;
    }
    for (const p of batch) p.reject(forbidden(p.a, 'status unknown for quota: too many concurrent updates'));
  }

  /** Judges a batch in order against the quotas' accounts and charges them there (written shortly after). */
  async function chargeDeferred(ns: string, batch: Pending[]): Promise<void> {
    let current = await cachedQuotas(ns);
    const untrusted = current.filter((q) => !trusted(q));
    for (const q of untrusted) await recount(q);
    if (untrusted.length) current = await cachedQuotas(ns);
    const used = usedOf(current);
    for (const p of batch) {
      try { chargeAccounts(p, current, used); } catch (err) { p.reject(err); continue; }
      p.resolve();
    }
  }

  /**
   * Judges one request against the usage in `used` and charges the quotas' accounts; throws its refusal.
   * `running`: `used` serves later requests of a batch and is advanced past this one's charge.
   */
  function chargeAccounts(p: Request, current: KObject[], used: Map<string, Usage>, running = true): void {
    const charged = chargeOne(p, current, used, undefined, running);
    if (!charged.length) return;
    const now = clock.now();
    const charges = charged.map(([q, delta]) => [q, accounts.charge(q, delta, now)] as [KObject, number]);
    const { a } = p;
    if (a.operation === 'CREATE') noteCharge(a, { token: ledger.record(a.namespace, a.resource.group, a.resource.resource, a.object!, now), charges });
  }

  /** A quota's usage as stored may lack charges a stopped server never wrote: count it before trusting it. */
  async function recount(q: KObject): Promise<void> {
    const names = Object.keys(q.status?.used ?? {});
    let snap = 0;
    const { used } = await countUsage(store, q, names, ledger, () => clock.now(),
      async (r, ns) => { const items = (await store.list(r, ns)).items.map((e) => e.obj); return () => items; },
      () => { snap = accounts.snapshot(); });
    await accounts.recounted(q, q.status!.hard, used, snap);
  }

  /**
   * One request's charge against the usage in `used`: each charged quota with what it was charged.
   * Throws its refusal. With `running` (a batch), `used` is advanced past the charge for the next request.
   */
  function chargeOne(p: Request, quotas: KObject[], used: Map<string, Usage>, dirty?: Set<KObject>, running = true): [KObject, Usage][] {
    const { a, e } = p;
    const relevant: KObject[] = [];
    for (const q of quotas) if (judge(a, e, q, used.get(q.metadata.name!))) relevant.push(q);
    if (!relevant.length) return [];
    let delta = e.usage(a.object!);
    if (a.operation === 'UPDATE' && a.oldObject?.metadata.resourceVersion) delta = subtractNonNegative(delta, e.usage(a.oldObject));
    delta = removeZeros(delta);
    if (!delta.size) return [];
    const charged: [KObject, Usage][] = [];
    for (const q of relevant) charged.push([q, check(a, q, used.get(q.metadata.name!)!, delta)]);
    if (a.dryRun) return [];
    if (running) for (const [q, requested] of charged) { used.set(q.metadata.name!, add(used.get(q.metadata.name!)!, requested)); dirty?.add(q); }
    return charged;
  }

  /** Whether quota `q` applies to the write; refuses when the object lacks what the quota needs or the usage is unknown. */
  function judge(a: AdmissionAttributes, e: Evaluator, q: KObject, usedNow: Usage | undefined): boolean {
    const required = requiredOf(q, e);
    if (!required.length || !inScope(q, e, a.object!)) return false;
    const missing = e.constraints?.(required, a.object!);
    if (missing) throw forbidden(a, `failed quota: ${q.metadata.name}: ${missing}`);
    if (!required.every((r) => usedNow?.has(r))) throw forbidden(a, `status unknown for quota: ${q.metadata.name}, resources: ${[...required].sort().join(',')}`);
    return true;
  }

  /** What quota `q` is charged for `delta`; refuses with upstream's message when a limit would be passed. */
  function check(a: AdmissionAttributes, q: KObject, used: Usage, delta: Usage): Usage {
    const hard = hardOf(q);
    const requested = mask(delta, hard.keys());
    const over = exceededBy(used, requested, hard);
    if (over) {
      over.sort();
      throw forbidden(a, `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, over))}, used: ${prettyPrint(mask(used, over))}, limited: ${prettyPrint(mask(hard, over))}`);
    }
    return requested;
  }

  function settled(a: AdmissionAttributes, stored: KObject | undefined): void {
    const t = takeCharge(a);
    if (t === undefined) return;
    // A failed create's charges are taken back from the accounts; one already written needs the recount the ledger asks for.
    const unwritten = !stored && t.charges.length > 0 && t.charges.every(([q, seq]) => accounts.release(a.namespace, q.metadata.name!, seq));
    ledger.settle(a.namespace, t.token, !!stored || unwritten);
  }

  /** False only where validate returns at once: no quota in the namespace (once the informer has listed). */
  const applies = (a: AdmissionAttributes): boolean => !!a.namespace && !!a.object && (a.operation === 'CREATE' || a.operation === 'UPDATE')
    && (!synced || synced.countByIndex('namespace', a.namespace) > 0);
  return { name: 'ResourceQuota', validate, settled, applies };
}

/**
 * The ledger token (and account charges) of a charged create, kept on its own attributes until the
 * store reports how the create ended (settled): gone with the request, and far cheaper per create
 * than an entry in a WeakMap keyed by the attributes.
 */
interface Charged { token: number; charges: [KObject, number][] }
const CHARGED = Symbol('quota charge');
type Noted = AdmissionAttributes & { [CHARGED]?: Charged };
function noteCharge(a: AdmissionAttributes, c: Charged): void { (a as Noted)[CHARGED] = c; }
function takeCharge(a: AdmissionAttributes): Charged | undefined {
  const c = (a as Noted)[CHARGED];
  if (c) (a as Noted)[CHARGED] = undefined;
  return c;
}

/** The quota's limited names an evaluator accounts, once per stored version and evaluator. */
const requiredCache = new WeakMap<KObject, Map<Evaluator, string[]>>();
function requiredOf(q: KObject, e: Evaluator): string[] {
  let m = requiredCache.get(q);
  if (!m) requiredCache.set(q, m = new Map());
  let r = m.get(e);
  if (!r) m.set(e, r = e.matching(Object.keys(q.status?.hard ?? {})));
  return r;
}

/** A quota's status.hard as Usage, parsed once per stored version (informer objects are never changed). */
const hards = new WeakMap<KObject, Usage>();
function hardOf(q: KObject): Usage {
  let h = hards.get(q);
  if (!h) hards.set(q, h = fromList(q.status?.hard));
  return h;
}

function forbidden(a: AdmissionAttributes, reason: string): StatusError {
  return errors.admissionForbidden({ group: a.resource.group, resource: a.resource.resource }, a.name || a.object?.metadata.name || '', reason);
}
