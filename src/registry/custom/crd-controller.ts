// The CRD controllers of one server (after apiextensions-apiserver's naming, establishing and finalizer
// controllers), in one serial loop: accept names and set NamesAccepted/Established, serve what is
// established through the server's resource table, and on deletion delete every custom object before
// removing the customresourcecleanup finalizer. Runs with the API server (not with --controllers).
import { rfc3339 } from '../../clock.ts';
import type { Clock, TimerHandle } from '../../clock.ts';
import { StatusError } from '../../errors.ts';
import { RESOURCES, findResource } from '../resources.ts';
import type { ResourceInfo } from '../resources.ts';
import type { Store, StoreWatch } from '../store.ts';
import type { KObject } from '../strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { CLEANUP_FINALIZER, setCondition } from './crd-strategy.ts';
import { conditionTrue, defFromCRD, storedAsIs } from './definition.ts';
import { acceptNames } from './names.ts';
import { forgetServedSchemas } from './schema.ts';
import { loadCustomMachinery } from './machinery.ts';

const CRDS = () => findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
/** How often a deleting CRD re-checks for custom objects that wait on their own finalizers. */
const RECHECK_MS = 1000;

/** Whether a built-in resource has the same group and plural (and so the same storage). */
function overlapsBuiltIn(r: ResourceInfo): boolean {
  return RESOURCES.some((b) => b.group === r.group && b.resource === r.resource);
}

export class CrdController {
  private readonly crds = new Map<string, KObject>();
  private readonly queue = new Set<string>();
  private draining: Promise<void> | undefined;
  private watch: StoreWatch | undefined;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  private readonly servedRv = new Map<string, string>();
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly log: (m: string) => void;

  constructor(store: Store, clock: Clock, log: (m: string) => void = () => {}) {
    this.store = store; this.clock = clock; this.log = log;
  }

  /** Watch CRDs; resolves once every existing CRD has been reconciled (served when established). */
  async start(): Promise<void> {
    await this.watchFrom(undefined, true);
    await this.idle();
  }

  /** `quiet`: the first batch (the existing CRDs) wakes no waiter; start() waits for the queue instead. */
  private async watchFrom(resourceVersion: string | undefined, quiet = false): Promise<void> {
    let initial = quiet;
    this.watch = await this.store.watch(CRDS(), undefined, { resourceVersion }, (events) => {
      for (const ev of events) {
        if (ev.type === 'DELETED') this.forget(ev.entry.obj);
        else this.remember(ev.entry.obj);
      }
      if (!initial) this.notify();
    }, () => {
      // The store ended the watch (a snapshot restore, or compaction outran it): relist and watch on.
      if (!this.stopped) void this.resync().catch((e) => this.log(`crd watch: ${(e as Error).message}`));
    });
    initial = false;
  }

  private remember(obj: KObject): void {
    this.crds.set(obj.metadata.name!, obj);
    this.enqueue(obj.metadata.name!);
  }

  private forget(obj: KObject): void {
    const name = obj.metadata.name!;
    this.crds.delete(name);
    this.servedRv.delete(name);
    this.store.resources.removeCustom(name);
    forgetServedSchemas(obj);
    // Names it held are free: CRDs of its group that wanted them may be accepted now.
    for (const o of this.crds.values()) if (o.spec?.group === obj.spec?.group) this.enqueue(o.metadata.name!);
  }

  /** Bring the known CRDs in line with a fresh list (changed ones requeued, missing ones forgotten), then watch on. */
  private async resync(): Promise<void> {
    this.watch?.cancel();
    const { items, resourceVersion } = await this.store.list(CRDS(), undefined);
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const { obj } of items) {
      seen.add(obj.metadata.name!);
      if (this.crds.get(obj.metadata.name!)?.metadata.resourceVersion !== obj.metadata.resourceVersion) this.remember(obj);
    }
    for (const obj of [...this.crds.values()]) if (!seen.has(obj.metadata.name!)) this.forget(obj);
    this.notify();
    await this.watchFrom(resourceVersion);
  }

  stop(): void {
    this.stopped = true;
    this.watch?.cancel();
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** Resolves when the queue is empty. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Resolves once every named CRD is Established (or rejects after `timeoutMs` of real time). */
  async waitEstablished(names: string[], timeoutMs = 30_000): Promise<void> {
    const done = () => names.every((n) => { const c = this.crds.get(n); return c && conditionTrue(c, 'Established') && this.store.resources.custom(n); });
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { this.waiters.delete(check); reject(new Error(`CustomResourceDefinitions not established in time: ${names.filter((n) => !this.crds.get(n) || !conditionTrue(this.crds.get(n)!, 'Established')).join(', ')}`)); }, timeoutMs);
      const check = () => { if (done()) { clearTimeout(timer); this.waiters.delete(check); resolve(); } };
      this.waiters.add(check);
    });
  }

  private notify(): void { for (const w of [...this.waiters]) w(); }

  private enqueue(name: string): void {
    if (this.stopped) return;
    this.queue.add(name);
    this.draining ??= this.drain().finally(() => { this.draining = undefined; this.notify(); });
  }

  private async drain(): Promise<void> {
    // Let the watch deliver a whole batch before working on it.
    await Promise.resolve();
    while (this.queue.size && !this.stopped) {
      const name = this.queue.values().next().value!;
      this.queue.delete(name);
      try {
        await this.reconcile(name);
      } catch (e) {
        if (this.stopped) return;
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) this.log(`crd ${name}: ${(e as Error).message}`);
        this.later(name, 200);
      }
      this.notify();
    }
  }

  private later(name: string, ms: number): void {
    if (this.stopped || this.timers.has(name)) return;
    this.timers.set(name, this.clock.setTimeout(() => { this.timers.delete(name); this.enqueue(name); }, ms));
  }

  private async reconcile(name: string): Promise<void> {
    let crd = this.crds.get(name);
    if (!crd) return;
    crd = await this.updateNames(crd);
    await loadCustomMachinery();
    this.serve(crd);
    if (crd.metadata.deletionTimestamp && (crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) await this.finalize(crd);
  }

  /** Serve what the CRD establishes (or stop serving it). */
  private serve(crd: KObject): void {
    const rv = crd.metadata.resourceVersion ?? '';
    if (this.servedRv.get(crd.metadata.name!) === rv) return;
    this.servedRv.set(crd.metadata.name!, rv);
    const def = defFromCRD(crd);
    if (def) this.store.resources.setCustom(def); else this.store.resources.removeCustom(crd.metadata.name!);
  }

  /** NamesAccepted, acceptedNames and Established, written through the status subresource when they change. */
  private async updateNames(crd: KObject): Promise<KObject> {
    const others = [...this.crds.values()].filter((o) => o.metadata.name !== crd.metadata.name);
    const { names, condition } = acceptNames(crd, others);
    const now = rfc3339(this.clock.now());
    const next = structuredClone(crd);
    next.status = { ...(next.status ?? {}), acceptedNames: names };
    setCondition(next, condition, now);
    if (condition.status === 'True' && !conditionTrue(crd, 'Established') && !crd.metadata.deletionTimestamp) {
      setCondition(next, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
    } else if (condition.status !== 'True' && !(crd.status?.conditions ?? []).some((c: any) => c?.type === 'Established')) {
      setCondition(next, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
    }
    if (deepEqual(next.status, crd.status)) return crd;
    // Upstream's field order: conditions, acceptedNames, storedVersions.
    const { conditions, acceptedNames, storedVersions, ...rest } = next.status;
    return this.writeStatus(crd, { conditions, acceptedNames, storedVersions, ...rest });
  }

  private async writeStatus(crd: KObject, status: unknown): Promise<KObject> {
    const out = await this.store.update(CRDS(), undefined, crd.metadata.name!, { ...crd, status } as KObject, { subresource: 'status' });
    // Our own write is what the next reconcile sees, even before the watch delivers it (a mutation cache).
    if (this.crds.get(crd.metadata.name!)?.metadata.uid === out.obj.metadata.uid) this.crds.set(crd.metadata.name!, out.obj);
    return out.obj;
  }

  /** The finalizer: delete every custom object, then let the CRD go. */
  private async finalize(crd: KObject): Promise<void> {
    const now = () => rfc3339(this.clock.now());
    const next = structuredClone(crd);
    setCondition(next, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, now());
    if (!deepEqual(next.status, crd.status)) crd = await this.writeStatus(crd, next.status);
    const def = this.store.resources.custom(crd.metadata.name!);
    const r = def?.versions.get(def.storageVersion);
    let final = { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' };
    if (r && overlapsBuiltIn(r)) {
      // Its storage is a built-in resource's: deleting "its" objects would delete those.
      final = { type: 'Terminating', status: 'False', reason: 'OverlappingBuiltInResource', message: 'instances overlap with built-in resources in storage' };
    } else if (r && conditionTrue(crd, 'Established')) {
      const remaining = await this.deleteInstances(r);
      if (remaining > 0) { this.later(crd.metadata.name!, RECHECK_MS); return; }
      final = { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' };
    }
    const done = structuredClone(crd);
    setCondition(done, final, now());
    crd = await this.writeStatus(crd, done.status);
    await this.store.guaranteedUpdate(CRDS(), undefined, crd.metadata.name!, (cur) => {
      cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      return cur;
    });
  }

  /** Deletes every object of the resource; returns how many are left (waiting on their finalizers). */
  private async deleteInstances(stored: ResourceInfo): Promise<number> {
    // Deleting needs no conversion: read the objects as they are stored, whatever the strategy.
    const r = storedAsIs(stored.custom!.def)!;
    const { items } = await this.store.list(r, undefined);
    let left = 0;
    for (const e of items) {
      left++;
      if (e.obj.metadata.deletionTimestamp) continue;
      try {
        const { deleted } = await this.store.delete(r, e.obj.metadata.namespace, e.obj.metadata.name!, { propagationPolicy: 'Background' });
        if (deleted) left--;
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) { left--; continue; }
        throw err;
      }
    }
    return left;
  }
}
