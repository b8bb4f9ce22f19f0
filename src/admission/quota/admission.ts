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

/** One lock per namespace: admissions in a namespace check and charge one at a time (CAS still guards against the controller). */
class NamespaceLocks {
  private readonly tails = new Map<string, Promise<void>>();
  async run<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(ns) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = prev.then(() => mine);
    this.tails.set(ns, tail);
    await prev;
    try { return await fn(); } finally {
      release();
      if (this.tails.get(ns) === tail) this.tails.delete(ns);
    }
  }
}

export function resourceQuotaPlugin(deps: { store: Store; clock: Clock }): AdmissionPlugin {
  const { store, clock } = deps;
  const quotasR = findResource('', 'v1', 'resourcequotas')!;
  const ledger = quotaLedgerOf(store);
  const locks = new NamespaceLocks();
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

  async function validate(a: AdmissionAttributes): Promise<void> {
    if (!a.namespace || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
    const e = evaluatorFor(a.resource.group, a.resource.resource);
    if (!e.handles(a.operation, a.subresource)) return;
    const names = await quotaNames(a.namespace);
    if (!names.length) return;
    await locks.run(a.namespace, () => charge(a, e, names));
  }

  async function charge(a: AdmissionAttributes, e: Evaluator, names: string[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const quotas = (await Promise.all(names.map((n) => store.tryGet(quotasR, a.namespace, n)))).filter((q): q is KObject => !!q);
      const relevant = quotas.filter((q) => judge(a, e, q));
      if (!relevant.length) return;
      let delta = e.usage(a.object!);
      if (a.operation === 'UPDATE' && a.oldObject?.metadata.resourceVersion) delta = subtractNonNegative(delta, e.usage(a.oldObject));
      delta = removeZeros(delta);
      if (!delta.size) return;
      const charged = relevant.map((q) => [q, check(a, q, delta)] as const);
      if (a.dryRun) return;
      try {
        for (const [q, used] of charged) {
          await store.update(quotasR, a.namespace, q.metadata.name!, { ...q, status: { ...q.status, used: toList(used) } }, { subresource: 'status' });
        }
      } catch (err) {
        if (err instanceof StatusError && (err.code === 409 || err.code === 404)) continue;
        throw err;
      }
      if (a.operation === 'CREATE') ledger.record(a.namespace, a.resource.group, a.resource.resource, a.object!, clock.now());
      return;
    }
    throw forbidden(a, 'status unknown for quota: too many concurrent updates');
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
  function check(a: AdmissionAttributes, q: KObject, delta: Usage): Usage {
    const hard = fromList(q.status?.hard);
    const used = fromList(q.status?.used);
    const requested = mask(delta, hard.keys());
    const next = add(used, requested);
    const over = exceeded(mask(next, requested.keys()), hard).sort();
    if (over.length) {
      throw forbidden(a, `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, over))}, used: ${prettyPrint(mask(used, over))}, limited: ${prettyPrint(mask(hard, over))}`);
    }
    return next;
  }

  return { name: 'ResourceQuota', validate };
}

function forbidden(a: AdmissionAttributes, reason: string): StatusError {
  return errors.admissionForbidden({ group: a.resource.group, resource: a.resource.resource }, a.name || a.object?.metadata.name || '', reason);
}
