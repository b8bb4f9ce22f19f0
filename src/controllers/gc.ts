// The garbage collector (after upstream's pkg/controller/garbagecollector), index-based:
// every watched informer indexes objects by the uids in their ownerReferences, so "the dependents
// of X" is a lookup, not a scan.
// - an owner that disappears: its dependents are checked; those with no remaining owner are
//   deleted (background), those with other live owners lose the dangling reference;
// - `orphan` finalizer: the owner's references are removed from its dependents, then the finalizer;
// - `foregroundDeletion` finalizer: dependents are deleted first (foreground, recursively); once no
//   dependent with blockOwnerDeletion remains, the finalizer goes and the owner with it.
// Owners of kinds without an informer here are looked up in the store by kind and name.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { watchCustomDeletions } from './gc-custom-owners.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { keyOf, splitKey, WorkQueue } from './runtime.ts';
import type { Controller, Informer } from './runtime.ts';
import type { OwnerRef } from './util.ts';
import { ignoreNotFound } from './util.ts';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

const rkeyOf = (r: ResourceInfo) => `${r.group}/${r.resource}`;

export function garbageCollector(opts: { store: Store; clock: Clock; informers: Informer[]; log?: (m: string) => void }): Controller {
  const { store, clock, informers } = opts;
  const byR = new Map<string, Informer>();
  for (const i of informers) byR.set(rkeyOf(i.resource), i);
  /** uid → where the object lives (for owners we watch). */
  const uids = new Map<string, { inf: Informer; key: string }>();

  const queue = new WorkQueue(clock, (k) => process(k), 8);
  queue.onError = (key, err) => opts.log?.(`garbagecollector: ${key}: ${(err as Error)?.message ?? err}`);
  const enqueue = (inf: Informer, o: KObject) => queue.add(`${rkeyOf(inf.resource)}\u0000${keyOf(o)}`);

  const dependentsOf = (uid: string): { inf: Informer; obj: KObject }[] => {
    const out: { inf: Informer; obj: KObject }[] = [];
    for (const inf of informers) for (const obj of inf.byIndexValue('owner', uid)) out.push({ inf, obj });
    return out;
  };
  const deletingWith = (o: KObject, f: string) => !!o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes(f);

  // Phase 1: know every uid before judging any reference.
  for (const inf of informers) {
    inf.on({
      add: (o) => { uids.set(o.metadata.uid!, { inf, key: keyOf(o) }); },
      delete: (o) => { if (uids.get(o.metadata.uid!)?.key === keyOf(o)) uids.delete(o.metadata.uid!); },
    });
  }
  // Phase 2: react.
  for (const inf of informers) {
    const look = (o: KObject) => {
      if (deletingWith(o, ORPHAN) || deletingWith(o, FOREGROUND)) enqueue(inf, o);
      for (const ref of (o.metadata.ownerReferences ?? []) as OwnerRef[]) {
        const owner = uids.get(ref.uid);
        const ownerObj = owner?.inf.get(owner.key);
        if (!ownerObj || deletingWith(ownerObj, FOREGROUND)) { enqueue(inf, o); break; }
      }
    };
    inf.on({
      add: look,
      update: (o, old) => {
        look(o);
        // A dependent of a foreground-deleting owner changed (e.g. dropped its reference): re-check that owner.
        for (const ref of (old.metadata.ownerReferences ?? []) as OwnerRef[]) wakeOwner(ref.uid);
      },
      delete: (o) => {
        for (const d of dependentsOf(o.metadata.uid!)) enqueue(d.inf, d.obj);
        for (const ref of (o.metadata.ownerReferences ?? []) as OwnerRef[]) wakeOwner(ref.uid);
      },
    });
  }
  function wakeOwner(uid: string): void {
    const w = uids.get(uid);
    const owner = w?.inf.get(w.key);
    if (owner && deletingWith(owner, FOREGROUND)) enqueue(w!.inf, owner);
  }

  async function lookupOwner(ref: OwnerRef, ns: string | undefined): Promise<KObject | undefined | 'unknown'> {
    const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion];
    const r = store.resources.findKind(group, version, ref.kind);
    if (!r) return 'unknown';
    const ons = r.namespaced ? ns : undefined;
    const inf = byR.get(rkeyOf(r));
    const cached = inf?.get(ons ? `${ons}/${ref.name}` : ref.name);
    if (cached && cached.metadata.uid === ref.uid) return cached;
    // Not in the cache (or a different uid there): ask the store, the source of truth.
    const live = await store.tryGet(r, ons, ref.name);
    return live && live.metadata.uid === ref.uid ? live : undefined;
  }

  async function process(qkey: string): Promise<void> {
    const i = qkey.indexOf('\u0000');
    const inf = byR.get(qkey.slice(0, i));
    const okey = qkey.slice(i + 1);
    const obj = inf?.get(okey);
    if (!inf || !obj) return;
    const r = inf.resource;
    const { namespace, name } = splitKey(okey);
    if (deletingWith(obj, ORPHAN)) {
      const uid = obj.metadata.uid!;
      for (const d of dependentsOf(uid)) {
        await store.guaranteedUpdate(d.inf.resource, d.obj.metadata.namespace, d.obj.metadata.name!, (cur) => {
          const refs = (cur.metadata.ownerReferences ?? []).filter((x: OwnerRef) => x.uid !== uid);
          if (refs.length) cur.metadata.ownerReferences = refs; else delete cur.metadata.ownerReferences;
          return cur;
        }).catch(ignoreNotFound);
      }
      await removeFinalizer(r, namespace, name, obj.metadata.uid!, ORPHAN);
      return;
    }
    if (deletingWith(obj, FOREGROUND)) {
      const uid = obj.metadata.uid!;
      const deps = dependentsOf(uid);
      const blocking = deps.filter((d) => ((d.obj.metadata.ownerReferences ?? []) as OwnerRef[]).some((x) => x.uid === uid && x.blockOwnerDeletion));
      if (!blocking.length) {
        await removeFinalizer(r, namespace, name, uid, FOREGROUND);
        return;
      }
      for (const d of deps) enqueue(d.inf, d.obj);
      return;
    }
    await attemptToDelete(inf, obj);
  }

  async function attemptToDelete(inf: Informer, dep: KObject): Promise<void> {
    const refs = (dep.metadata.ownerReferences ?? []) as OwnerRef[];
    if (!refs.length) return;
    const solid: OwnerRef[] = [], dangling: OwnerRef[] = [], waiting: OwnerRef[] = [];
    for (const ref of refs) {
      const owner = await lookupOwner(ref, dep.metadata.namespace);
      if (owner === 'unknown') solid.push(ref);
      else if (!owner) dangling.push(ref);
      else if (deletingWith(owner, FOREGROUND)) waiting.push(ref);
      else solid.push(ref);
    }
    if (!dangling.length && !waiting.length) return;
    const r = inf.resource;
    if (solid.length) {
      const drop = new Set([...dangling, ...waiting].map((x) => x.uid));
      await store.guaranteedUpdate(r, dep.metadata.namespace, dep.metadata.name!, (cur) => {
        if (cur.metadata.uid !== dep.metadata.uid) return cur;
        cur.metadata.ownerReferences = (cur.metadata.ownerReferences ?? []).filter((x: OwnerRef) => !drop.has(x.uid));
        return cur;
      }).catch(ignoreNotFound);
      return;
    }
    if (dep.metadata.deletionTimestamp) return;
    const hasDependents = dependentsOf(dep.metadata.uid!).length > 0;
    const policy = waiting.length && hasDependents ? 'Foreground' : 'Background';
    await store.delete(r, dep.metadata.namespace, dep.metadata.name!, { propagationPolicy: policy, preconditions: { uid: dep.metadata.uid } })
      .catch((e) => { if (!(e?.code === 409)) ignoreNotFound(e); });
  }

  async function removeFinalizer(r: ResourceInfo, ns: string | undefined, name: string, uid: string, f: string): Promise<void> {
    await store.guaranteedUpdate(r, ns, name, (cur) => {
      if (cur.metadata.uid !== uid) return cur;
      const fs = (cur.metadata.finalizers ?? []).filter((x: string) => x !== f);
      if (fs.length) cur.metadata.finalizers = fs; else delete cur.metadata.finalizers;
      return cur;
    }).catch(ignoreNotFound);
  }

  // Owners served from CRDs have no informer here: their deletions come from the store.
  const customOwners = watchCustomDeletions(store, clock, {
    gone: (uid) => { for (const d of dependentsOf(uid)) enqueue(d.inf, d.obj); },
    dependentsOf: (uid) => dependentsOf(uid).map((d) => ({ r: d.inf.resource, obj: d.obj })),
    enqueueDependents: (uid) => { for (const d of dependentsOf(uid)) enqueue(d.inf, d.obj); },
  }, opts.log);
  return { name: 'garbagecollector', queue, stop: () => { customOwners.stop(); queue.stop(); } };
}
