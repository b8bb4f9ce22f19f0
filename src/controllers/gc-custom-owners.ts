// The garbage collector's view of owners served from CRDs. It has no informer for them, so this
// watches every custom resource of the server (one store watch per established CRD, following the
// resource table) and
//  - reports the uid of each deleted object, whose dependents the collector then collects;
//  - finishes the deletion of custom objects deleted with propagationPolicy Orphan (dependents lose
//    their reference to it, then the `orphan` finalizer goes) or Foreground (dependents are queued
//    for deletion; the `foregroundDeletion` finalizer goes once none that blocks owner deletion is
//    left, re-checked every second while any such owner waits).
import type { Clock, TimerHandle } from '../clock.ts';
import { StatusError } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { Store, StoreWatch } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { storedAsIs } from '../registry/custom/definition.ts';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';
const RECHECK_MS = 1000;

export interface CustomOwnerHooks {
  /** An object was deleted: collect its dependents. */
  gone(uid: string): void;
  /** The dependents of an owner uid, from the collector's informers. */
  dependentsOf(uid: string): { r: ResourceInfo; obj: KObject }[];
  /** Queue the dependents of an owner uid for the collector's judgement. */
  enqueueDependents(uid: string): void;
}

type OwnerRef = { uid: string; blockOwnerDeletion?: boolean };
const deletingWith = (o: KObject, f: string) => !!o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes(f);
const ignoreNotFound = (e: unknown) => { if (!(e instanceof StatusError && e.code === 404)) throw e; };

export function watchCustomDeletions(store: Store, clock: Clock, hooks: CustomOwnerHooks, log?: (m: string) => void): { stop(): void } {
  const watches = new Map<string, Promise<StoreWatch | undefined>>();
  /** Owners being deleted in the foreground: uid → where they are. */
  const waiting = new Map<string, { r: ResourceInfo; ns?: string; name: string }>();
  let timer: TimerHandle | undefined;
  let stopped = false;
  const report = (e: unknown) => log?.(`garbagecollector: custom owner: ${(e as Error)?.message ?? e}`);

  async function removeFinalizer(r: ResourceInfo, o: KObject, f: string): Promise<void> {
    await store.guaranteedUpdate(r, o.metadata.namespace, o.metadata.name!, (cur) => {
      if (cur.metadata.uid !== o.metadata.uid) return cur;
      const fs = (cur.metadata.finalizers ?? []).filter((x) => x !== f);
      if (fs.length) cur.metadata.finalizers = fs; else delete cur.metadata.finalizers;
      return cur;
    }).catch(ignoreNotFound);
  }

  async function orphan(r: ResourceInfo, o: KObject): Promise<void> {
    const uid = o.metadata.uid!;
    for (const d of hooks.dependentsOf(uid)) {
      await store.guaranteedUpdate(d.r, d.obj.metadata.namespace, d.obj.metadata.name!, (cur) => {
        const refs = (cur.metadata.ownerReferences ?? []).filter((x) => x.uid !== uid);
        if (refs.length) cur.metadata.ownerReferences = refs; else delete cur.metadata.ownerReferences;
        return cur;
      }).catch(ignoreNotFound);
    }
    await removeFinalizer(r, o, ORPHAN);
  }

  async function foreground(r: ResourceInfo, o: KObject): Promise<void> {
    const uid = o.metadata.uid!;
    const blocking = hooks.dependentsOf(uid).filter((d) => ((d.obj.metadata.ownerReferences ?? []) as OwnerRef[]).some((x) => x.uid === uid && x.blockOwnerDeletion));
    if (!blocking.length) {
      waiting.delete(uid);
      await removeFinalizer(r, o, FOREGROUND);
      return;
    }
    if (!waiting.has(uid)) hooks.enqueueDependents(uid);
    waiting.set(uid, { r, ns: o.metadata.namespace, name: o.metadata.name! });
    timer ??= clock.setTimeout(recheck, RECHECK_MS);
  }

  function recheck(): void {
    timer = undefined;
    for (const [uid, w] of [...waiting]) {
      store.tryGet(w.r, w.ns, w.name).then((o) => {
        if (!o || o.metadata.uid !== uid || !deletingWith(o, FOREGROUND)) { waiting.delete(uid); return; }
        return foreground(w.r, o);
      }).catch(report);
    }
  }

  const onObject = (r: ResourceInfo, o: KObject) => {
    if (deletingWith(o, ORPHAN)) orphan(r, o).catch(report);
    else if (deletingWith(o, FOREGROUND)) foreground(r, o).catch(report);
  };

  const cancel = (p: Promise<StoreWatch | undefined>) => void p.then((w) => w?.cancel());
  const sync = () => {
    if (stopped) return;
    const want = new Map<string, ReturnType<typeof storedAsIs>>();
    for (const def of store.resources.customDefs()) want.set(`${def.crdName}\u0000${def.uid}\u0000${def.storageVersion}`, storedAsIs(def));
    for (const [k, p] of watches) if (!want.has(k)) { cancel(p); watches.delete(k); }
    for (const [k, r] of want) {
      if (!r || watches.has(k)) continue;
      // From a snapshot: owners already being deleted (before a restart) are finished too.
      watches.set(k, store.watch(r, undefined, {}, (events) => {
        for (const e of events) {
          const o = e.entry.obj;
          if (e.type === 'DELETED') { if (o.metadata.uid) { waiting.delete(o.metadata.uid); hooks.gone(o.metadata.uid); } } else onObject(r, o);
        }
      }).catch((e) => { log?.(`garbagecollector: watching ${r.resource}.${r.group}: ${(e as Error).message}`); return undefined; }));
    }
  };
  const off = store.resources.onChange(sync);
  sync();
  return {
    stop() {
      stopped = true;
      off();
      timer?.cancel();
      for (const p of watches.values()) cancel(p);
      watches.clear();
    },
  };
}
