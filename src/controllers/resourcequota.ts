// The resource quota controller (upstream's pkg/controller/resourcequota): keeps each quota's
// status.hard equal to spec.hard and status.used equal to what the namespace's objects charge,
// recounted whenever a quota or a counted object changes (replenishment after deletions and pods
// reaching a terminal phase). Charges admission made for objects not yet stored are added (see
// admission/quota/ledger.ts), so a recount never hands out units twice; on a single-writer store the
// recount is written through the quota's account, which adds the charges admitted after it was taken
// (admission/quota/accounts.ts).
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { Informer, keyOf, runController } from './runtime.ts';
import type { Controller, WorkQueue } from './runtime.ts';
import { isTerminalPod } from '../admission/quota/evaluators.ts';
import { quotaAccountsOf } from '../admission/quota/accounts.ts';
import { countUsage } from '../admission/quota/count.ts';
import { PENDING_TTL_MS } from '../admission/quota/ledger.ts';
import { quotaLedgerOf } from '../admission/quota/admission.ts';
import { fromList, sameList, toList } from '../admission/quota/resource-list.ts';
import { ignoreNotFound, res } from './util.ts';

/** How often a quota counting custom resources is recounted. */
const CUSTOM_RESYNC_MS = 5_000;

export interface QuotaControllerOptions {
  store: Store; clock: Clock; quotas: Informer;
  /** The shared informer of a resource, created and started on first request. */
  informerFor: (r: ResourceInfo) => Promise<Informer>;
  /** Resources watched from the start (the classic counted ones). */
  watched: Informer[];
  log?: (m: string) => void;
}

/** Which updates can change a quota's usage: a pod's only when its terminal state flips (upstream's replenishment). */
function usageChanged(r: ResourceInfo, obj: KObject, old: KObject): boolean {
  if (r.group === '' && r.resource === 'pods') return isTerminalPod(obj) !== isTerminalPod(old);
  return true;
}

export function resourceQuotaController(o: QuotaControllerOptions): Controller {
  const { store, clock, quotas } = o;
  const quotasR = res('', 'v1', 'resourcequotas');
  const ledger = quotaLedgerOf(store);
  const accounts = quotaAccountsOf(store, clock);
  const deferred = store.backend.name !== 'etcd';
  const hooked = new Set<Informer>();
  let queue!: WorkQueue;
  const enqueueNamespace = (obj: KObject) => {
    const ns = obj.metadata.namespace;
    if (ns) for (const q of quotas.byIndexValue('namespace', ns)) queue.add(keyOf(q));
  };
  const hook = (i: Informer) => {
    if (hooked.has(i)) return;
    hooked.add(i);
    if (!i.hasIndex('namespace')) i.addIndex('namespace', (x) => (x.metadata.namespace ? [x.metadata.namespace] : []));
    i.on({ add: enqueueNamespace, delete: enqueueNamespace, update: (obj, old) => { if (usageChanged(i.resource, obj, old)) enqueueNamespace(obj); } });
  };

  /** A reader of a namespace's objects of a resource: the shared informer for built-in kinds, a list for custom ones. */
  async function objectsOf(r: ResourceInfo, ns: string): Promise<() => KObject[]> {
    if (r.custom) { const items = (await store.list(r, ns)).items.map((e) => e.obj); return () => items; }
    const i = await o.informerFor(r);
    hook(i);
    return () => i.byIndexValue('namespace', ns);
  }

  async function reconcile(key: string, q: WorkQueue): Promise<void> {
    const quota = quotas.get(key);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const ns = quota.metadata.namespace!;
    const hard = fromList(quota.spec?.hard);
    let snap = 0;
    const { used, resources } = await countUsage(store, quota, [...hard.keys()], ledger, () => clock.now(), objectsOf, () => { snap = accounts.snapshot(); });
    if (deferred) await accounts.recounted(quota, toList(hard), used, snap).catch(ignoreNotFound);
    else await writeStatus(quota, { hard: toList(hard), used: toList(used) });
    // Custom resources are counted by listing; their quotas are recounted periodically (no informer events).
    if (resources.some((r) => r.custom)) q.addAfter(key, CUSTOM_RESYNC_MS);
    const oldest = ledger.oldest(ns);
    if (oldest !== undefined) q.addAfter(key, Math.max(1, oldest + PENDING_TTL_MS + 1 - clock.now()));
  }

  /** A store shared by several servers: the recount is written directly, as upstream's controller does. */
  async function writeStatus(quota: KObject, status: { hard: Record<string, string>; used: Record<string, string> }): Promise<void> {
    if (sameList(quota.status?.hard, status.hard) && sameList(quota.status?.used, status.used) && Object.keys(quota.status?.used ?? {}).length === Object.keys(status.used).length) return;
    await store.guaranteedUpdate(quotasR, quota.metadata.namespace!, quota.metadata.name!, (cur) => {
      if (cur.metadata.uid !== quota.metadata.uid) return cur;
      cur.status = status;
      return cur;
    }, { subresource: 'status' }).catch(ignoreNotFound);
  }

  for (const i of o.watched) hook(i);
  // A create that was charged but not stored: recount its namespace so the charge is released.
  ledger.onRelease = (ns) => { for (const q of quotas.byIndexValue('namespace', ns)) queue.add(keyOf(q)); };
  const c = runController({ name: 'resourcequota', clock, log: o.log, workers: 4, watch: [{ informer: quotas }], reconcile });
  queue = c.queue;
  return c;
}

