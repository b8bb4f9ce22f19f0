// Small helpers shared by the workload controllers: owner references, pod readiness and
// availability, int-or-percent, and an API-resource shorthand.
import { findResource } from '../registry/resources.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { KObject } from '../registry/strategy.ts';
import type { OwnerReference, Pod, PodCondition } from '../types/generated.ts';
import { StatusError } from '../errors.ts';
import type { Store } from '../registry/store.ts';

export function res(group: string, version: string, resource: string): ResourceInfo {
  const r = findResource(group, version, resource);
  if (!r) throw new Error(`unknown resource ${group}/${version}/${resource}`);
  return r;
}

export type OwnerRef = OwnerReference;

export function controllerRef(o: KObject): OwnerRef | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}
export function ownerUids(o: KObject): string[] {
  return (o.metadata.ownerReferences ?? []).map((r) => r.uid);
}
export function newControllerRef(owner: KObject): OwnerRef {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

class Taken extends Error {}

/**
 * Adopt an orphan for `owner` (upstream's ClaimObject adoption). Upstream adopts with a patch that
 * has no resourceVersion precondition, so a write landing meanwhile (the scheduler binding the pod)
 * is retried rather than failing the claim. Undefined when the object is gone, was replaced, or
 * another controller took it first; any other failure is thrown, so the sync is retried instead of
 * counting without it (and creating a replacement for a pod it was about to adopt).
 */
export async function adoptOrphan(store: Store, r: ResourceInfo, obj: KObject, owner: KObject): Promise<KObject | undefined> {
  try {
    return await store.guaranteedUpdate(r, obj.metadata.namespace, obj.metadata.name!, (cur) => {
      if (cur.metadata.uid !== obj.metadata.uid || controllerRef(cur)) throw new Taken();
      cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), newControllerRef(owner)];
      delete cur.metadata.resourceVersion;
      return cur;
    });
  } catch (e) {
    if (e instanceof Taken) return undefined;
    ignoreNotFound(e);
    return undefined;
  }
}

/** 404 (already gone) and 409 (changed underneath) are normal outcomes for controllers. */
export function ignoreNotFound(e: unknown): void {
  if (e instanceof StatusError && e.code === 404) return;
  throw e;
}

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}
export function isPodReady(pod: Pod): boolean { return podCondition(pod, 'Ready')?.status === 'True'; }
/** Ready for at least minReadySeconds (upstream's IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(t) && t + minReadySeconds * 1000 <= now;
}
/** Not finished and not being deleted (upstream's IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p !== 'Succeeded' && p !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/**
 * Resolve an IntOrString against a total: "25%" → percent of total, rounded up or down.
 * Anything malformed counts as 0 (validation is the registry's job).
 */
export function intOrPercent(v: unknown, total: number, roundUp: boolean, dflt: string): number {
  const x = v === undefined || v === null ? dflt : v;
  if (typeof x === 'number') return Math.max(0, Math.trunc(x));
  const m = /^(\d+)%$/.exec(String(x));
  if (m) { const f = (Number(m[1]) * total) / 100; return roundUp ? Math.ceil(f) : Math.floor(f); }
  const n = Number(x);
  return Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0;
}

export function ts(o: KObject): number { return Date.parse(o.metadata.creationTimestamp ?? '') || 0; }
