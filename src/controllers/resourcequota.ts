// The resource quota controller (upstream's pkg/controller/resourcequota): keeps each quota's
// status.hard equal to spec.hard and status.used equal to what the namespace's objects charge,
// recounted whenever a quota or a counted object changes (replenishment after deletions and pods
// reaching a terminal phase). Charges admission made for objects not yet stored are added (see
// admission/quota/ledger.ts), so a recount never hands out units twice.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { storageResource } from '../registry/resources.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { Informer, keyOf, runController } from './runtime.ts';
import type { Controller, WorkQueue } from './runtime.ts';
import { evaluatorFor, inScope, isTerminalPod, resourcesOf } from '../admission/quota/evaluators.ts';
import { PENDING_TTL_MS } from '../admission/quota/ledger.ts';
import { quotaLedgerOf } from '../admission/quota/admission.ts';
import { add, count, fromList, mask, sameList, toList } from '../admission/quota/resource-list.ts';
import type { Usage } from '../admission/quota/resource-list.ts';
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

  /** A namespace's objects of a resource: from the shared informer for built-in kinds, listed for custom ones. */
  async function objectsOf(r: ResourceInfo, ns: string): Promise<KObject[]> {
    if (r.custom) return (await store.list(r, ns)).items.map((e) => e.obj);
    const i = await o.informerFor(r);
    hook(i);
    return i.byIndexValue('namespace', ns);
  }

  async function reconcile(key: string, q: WorkQueue): Promise<void> {
    const quota = quotas.get(key);
    if (!quota || quota.metadata.deletionTimestamp) return;
    const ns = quota.metadata.namespace!;
    const hard = fromList(quota.spec?.hard);
    const names = [...hard.keys()];
    let used: Usage = new Map();
    const counted: ResourceInfo[] = [];
    for (const { group, resource } of resourcesOf(names)) {
      const r = storedResource(store, group, resource);
      if (!r) continue;
      counted.push(r);
      const e = evaluatorFor(group, resource);
      const matching = e.matching(names);
      for (const n of matching) if (!used.has(n)) used.set(n, count(0));
      const objs = await objectsOf(r, ns);
      const present = new Set(objs.map((x) => x.metadata.name!));
      const pending = ledger.pending(ns, group, resource, clock.now(), (n) => present.has(n));
      for (const obj of [...objs, ...pending]) if (inScope(quota, e, obj)) used = add(used, mask(e.usage(obj), matching));
    }
    const status = { hard: toList(hard), used: toList(used) };
    if (!sameList(quota.status?.hard, status.hard) || !sameList(quota.status?.used, status.used) || Object.keys(quota.status?.used ?? {}).length !== used.size) {
      await store.guaranteedUpdate(quotasR, ns, quota.metadata.name!, (cur) => {
        if (cur.metadata.uid !== quota.metadata.uid) return cur;
        cur.status = status;
        return cur;
      }, { subresource: 'status' }).catch(ignoreNotFound);
    }
    // Custom resources are counted by listing; their quotas are recounted periodically (no informer events).
    if (counted.some((r) => r.custom)) q.addAfter(key, CUSTOM_RESYNC_MS);
    const oldest = ledger.oldest(ns);
    if (oldest !== undefined) q.addAfter(key, Math.max(1, oldest + PENDING_TTL_MS + 1 - clock.now()));
  }

  for (const i of o.watched) hook(i);
  // A create that was charged but not stored: recount its namespace so the charge is released.
  ledger.onRelease = (ns) => { for (const q of quotas.byIndexValue('namespace', ns)) queue.add(keyOf(q)); };
  const c = runController({ name: 'resourcequota', clock, log: o.log, workers: 4, watch: [{ informer: quotas }], reconcile });
  queue = c.queue;
  return c;
}

/** The stored form of a group-resource (any served version), or undefined when nothing serves it. */
function storedResource(store: Store, group: string, resource: string): ResourceInfo | undefined {
  const r = store.resources.all().find((x) => x.group === group && x.resource === resource && x.verbs.includes('list'));
  return r ? storageResource(r) : undefined;
}
