// A quota's usage counted from what is stored (upstream's quota controller recalculation, shared with
// admission's first look at a quota after a start): for each resource the quota names, what the
// namespace's objects in scope charge, plus the charges admission made for creates not stored yet.
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import { storageResource } from '../../registry/resources.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import { evaluatorFor, inScope, resourcesOf } from './evaluators.ts';
import type { QuotaLedger } from './ledger.ts';
import { add, count, mask } from './resource-list.ts';
import type { Usage } from './resource-list.ts';

export interface Counted { used: Usage; resources: ResourceInfo[] }

/** The stored form of a group-resource (any served version), or undefined when nothing serves it. */
export function storedResource(store: Store, group: string, resource: string): ResourceInfo | undefined {
  const r = store.resources.all().find((x) => x.group === group && x.resource === resource && x.verbs.includes('list'));
  return r ? storageResource(r) : undefined;
}

/**
 * The usage of `names` (quota resource names) in the quota's namespace. `objects` prepares a reader of
 * the namespace's objects of a resource; every reader is prepared first, then the sum is one synchronous
 * look at them and at the ledger (`beforeSum` runs right before it: the caller's snapshot point).
 */
export async function countUsage(store: Store, quota: KObject, names: string[], ledger: QuotaLedger, now: () => number,
  objects: (r: ResourceInfo, ns: string) => Promise<() => KObject[]>, beforeSum?: () => void): Promise<Counted> {
  const ns = quota.metadata.namespace!;
  const parts: { r: ResourceInfo; group: string; resource: string; read: () => KObject[] }[] = [];
  for (const { group, resource } of resourcesOf(names)) {
    const r = storedResource(store, group, resource);
    if (r) parts.push({ r, group, resource, read: await objects(r, ns) });
  }
  beforeSum?.();
  let used: Usage = new Map();
  for (const { group, resource, read } of parts) {
    const objs = read();
    const e = evaluatorFor(group, resource);
    const matching = e.matching(names);
    for (const n of matching) if (!used.has(n)) used.set(n, count(0));
    const present = new Set(objs.map((x) => x.metadata.name!));
    const pending = ledger.pending(ns, group, resource, now(), (n) => present.has(n));
    for (const obj of [...objs, ...pending]) if (inScope(quota, e, obj)) used = add(used, mask(e.usage(obj), matching));
  }
  return { used, resources: parts.map((p) => p.r) };
}
