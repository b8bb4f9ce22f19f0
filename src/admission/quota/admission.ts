// The ResourceQuota admission plugin (upstream's plugin/pkg/admission/resourcequota and
// apiserver's resourcequota controller.go): a write charged by an evaluator is checked against every
// quota of its namespace that tracks one of its resources and covers it by scope; the quota's
// status.used is raised with a compare-and-swap in the same step, so two creates racing for the
// last unit cannot both pass. Quotas are judged by status.hard: a quota the controller has not
// counted yet limits nothing; one whose usage is unknown refuses ("status unknown for quota").
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
import { add, exceeded, fromList, mask, prettyPrint, removeZeros, subtractNonNegative, toList } from './resource-list.ts';
import type { Usage } from './resource-list.ts';

const MAX_ATTEMPTS = 16;
const ledgers = new WeakMap<Store, QuotaLedger>();

/** The pending-charge ledger shared by a store's quota admission and quota controller. */
export function quotaLedgerOf(store: Store): QuotaLedger {
  let l = ledgers.get(store);
  if (!l) ledgers.set(store, l = new QuotaLedger());
  return l;
}

interface Pending { a: AdmissionAttributes; e: Evaluator; resolve: () => void; reject: (e: unknown) => void }

/**
 * Charges per namespace, one batch at a time: requests that arrive while a batch is being written
 * form the next batch, which is judged in arrival order against the running usage and written with
 * one compare-and-swap per quota (group commit). A lost race re-judges the whole batch.
 */
class NamespaceBatches {
  private readonly queues = new Map<string, Pending[]>();
  private readonly process: (ns: string, batch: Pending[]) => Promise<void>;
  constructor(process: (ns: string, batch: Pending[]) => Promise<void>) { this.process = process; }
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
  const batches = new NamespaceBatches((ns, batch) => chargeBatch(ns, batch));
  /** The ledger token of each charged create, settled when the store reports how the create ended. */
  const tokens = new WeakMap<AdmissionAttributes, string>();
  let informer: Informer | undefined;
  let started: Promise<void> | undefined;
  const quotaNames = async (ns: string): Promise<string[]> => {
    if (!informer) {
      informer = new Informer(store, quotasR);
      informer.addIndex('namespace', (o) => [o.metadata.namespace!]);
      started = informer.start();
    }
    await started;
    return informer.byIndexValue('namespace', ns).map((q) => q.metadata.name!);
  };
  const cachedQuotas = async (ns: string): Promise<KObject[]> => {
    await quotaNames(ns);
    return informer!.byIndexValue('namespace', ns);
  };

  async function validate(a: AdmissionAttributes): Promise<void> {
    if (!a.namespace || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
    const e = evaluatorFor(a.resource.group, a.resource.resource);
    if (!e.handles(a.operation, a.subresource)) return;
    if (!(await quotaNames(a.namespace)).length) return;
    await batches.submit(a.namespace, a, e);
  }

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
        try { return chargeOne(p, quotas, used, dirty); } catch (err) { return err as Error; }
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
        if (out && p.a.operation === 'CREATE') tokens.set(p.a, ledger.record(ns, p.a.resource.group, p.a.resource.resource, p.a.object!, clock.now()));
        p.resolve();
      });
      return;
    }
    for (const p of batch) p.reject(forbidden(p.a, 'status unknown for quota: too many concurrent updates'));
  }

  /** One request's charge against the running usage; true when it charged something. Throws its refusal. */
  function chargeOne(p: Pending, quotas: KObject[], used: Map<string, Usage>, dirty: Set<KObject>): boolean {
    const { a, e } = p;
    const relevant = quotas.filter((q) => judge(a, e, q));
    if (!relevant.length) return false;
    let delta = e.usage(a.object!);
    if (a.operation === 'UPDATE' && a.oldObject?.metadata.resourceVersion) delta = subtractNonNegative(delta, e.usage(a.oldObject));
    delta = removeZeros(delta);
    if (!delta.size) return false;
    const next = relevant.map((q) => [q, check(a, q, used.get(q.metadata.name!)!, delta)] as const);
    if (a.dryRun) return false;
    for (const [q, u] of next) { used.set(q.metadata.name!, u); dirty.add(q); }
    return true;
  }

  /** Whether quota `q` applies to the write; refuses when the object lacks what the quota needs or the usage is unknown. */
  function judge(a: AdmissionAttributes, e: Evaluator, q: KObject): boolean {
    const hard = Object.keys(q.status?.hard ?? {});
    const required = e.matching(hard);
    if (!required.length || !inScope(q, e, a.object!)) return false;
    const missing = e.constraints?.(required, a.object!);
    if (missing) throw forbidden(a, `failed quota: ${q.metadata.name}: ${missing}`);
    const used = q.status?.used ?? {};
    if (!required.every((r) => r in used)) throw forbidden(a, `status unknown for quota: ${q.metadata.name}, resources: ${[...required].sort().join(',')}`);
    return true;
  }

  /** The quota's used after charging `delta`; refuses with upstream's message when a limit would be passed. */
  function check(a: AdmissionAttributes, q: KObject, used: Usage, delta: Usage): Usage {
    const hard = fromList(q.status?.hard);
    const requested = mask(delta, hard.keys());
    const next = add(used, requested);
    const over = exceeded(mask(next, requested.keys()), hard).sort();
    if (over.length) {
      throw forbidden(a, `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, over))}, used: ${prettyPrint(mask(used, over))}, limited: ${prettyPrint(mask(hard, over))}`);
    }
    return next;
  }

  function settled(a: AdmissionAttributes, stored: KObject | undefined): void {
    const token = tokens.get(a);
    if (token === undefined) return;
    tokens.delete(a);
    ledger.settle(a.namespace, token, !!stored);
  }

  return { name: 'ResourceQuota', validate, settled };
}

function forbidden(a: AdmissionAttributes, reason: string): StatusError {
  return errors.admissionForbidden({ group: a.resource.group, resource: a.resource.resource }, a.name || a.object?.metadata.name || '', reason);
}
