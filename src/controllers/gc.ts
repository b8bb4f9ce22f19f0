// The garbage collector (after upstream's pkg/controller/garbagecollector), index-based:
// every watched informer indexes objects by the uids in their ownerReferences, so "the dependents
// of X" is a lookup, not a scan.
// - an owner that disappears: its dependents are checked; those with no remaining owner are
//   deleted (with the propagation their own finalizers ask for), those with other live owners lose
//   the dangling reference;
// - `orphan` finalizer: the owner's references are removed from its dependents, then the finalizer;
// - `foregroundDeletion` finalizer: dependents are deleted first (foreground when they have
//   dependents of their own); once no dependent with blockOwnerDeletion remains, the finalizer goes
//   and the owner with it.
// Ownership cycles, as upstream handles them: a dependent whose owner waits for it while one of its
// own dependents already waits (A waits on B, B would wait on A) unblocks its references to its
// owners before its own foreground deletion, so the wait is broken and the cycle unwinds. Handlers
// enqueue on transitions only (deletion starting, references added, removed or unblocked, objects
// gone), never on every update, so a cycle of live objects costs nothing.
// Custom resources get informers as their CRDs are served, so they are owners and dependents like
// built-in kinds. Owners of kinds without an informer here are looked up in the store by kind and
// name, and their dependents are checked again every 30 s (no event says when such an owner goes).
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { storedAsIs } from '../registry/custom/definition.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { Informer, keyOf, splitKey, WorkQueue } from './runtime.ts';
import type { Controller } from './runtime.ts';
import type { OwnerRef } from './util.ts';
import { ignoreNotFound, ownerUids } from './util.ts';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';

const rkeyOf = (r: ResourceInfo) => `${r.group}/${r.resource}`;
const refsOf = (o: KObject): OwnerRef[] => o.metadata.ownerReferences ?? [];
const deletingWith = (o: KObject, f: string) => !!o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes(f);
/** Deletion with finalizer `f` starts with this event (upstream's deletionStartsWithFinalizer). */
const startsDeletingWith = (o: KObject, old: KObject | undefined, f: string) => deletingWith(o, f) && !(old && deletingWith(old, f));
const blocks = (ref: OwnerRef | undefined) => ref?.blockOwnerDeletion === true;
/** How often dependents of owners whose kind no informer here watches are checked again. */
const RECHECK_MS = 30_000;

export function garbageCollector(opts: { store: Store; clock: Clock; informers: Informer[]; log?: (m: string) => void }): Controller {
  const { store, clock } = opts;
  /** Built-in kinds given at start, plus one informer per custom resource served (followCustomResources). */
  const informers = [...opts.informers];
  const kindOf = (ref: OwnerRef) => {
    const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion];
    return store.resources.findKind(group, version, ref.kind);
  };
  const byR = new Map<string, Informer>();
  for (const i of informers) byR.set(rkeyOf(i.resource), i);
  /** uid → where the object lives (for owners we watch). */
  const uids = new Map<string, { inf: Informer; key: string }>();

  const queue = new WorkQueue(clock, (k) => process(k), 8);
  queue.onError = (key, err) => opts.log?.(`garbagecollector: ${key}: ${(err as Error)?.message ?? err}`);
  const qkeyOf = (inf: Informer, o: KObject) => `${rkeyOf(inf.resource)}\u0000${keyOf(o)}`;
  const enqueue = (inf: Informer, o: KObject) => queue.add(qkeyOf(inf, o));
  /**
   * Dependents (queue keys) with an owner of a kind no informer here watches: no event tells when
   * that owner goes (upstream watches every kind), so they are checked again every RECHECK_MS.
   * Dependents of watched owners never are: a cycle of live objects costs nothing.
   */
  const unwatchedOwners = new Set<string>();
  const watched = (ref: OwnerRef) => { const r = kindOf(ref); return !!r && byR.has(rkeyOf(r)); };
  const recheck = clock.setInterval(() => { for (const k of unwatchedOwners) queue.add(k); }, RECHECK_MS);

  const dependentsOf = (uid: string): { inf: Informer; obj: KObject }[] => {
    const out: { inf: Informer; obj: KObject }[] = [];
    for (const inf of informers) for (const obj of inf.byIndexValue('owner', uid)) out.push({ inf, obj });
    return out;
  };
  const hasDependents = (uid: string) => informers.some((inf) => inf.countByIndex('owner', uid) > 0);
  const blocksOwner = (uid: string) => (d: KObject) => blocks(refsOf(d).find((x) => x.uid === uid));
  const anyBlocking = (uid: string) => informers.some((inf) => inf.findByIndex('owner', uid, blocksOwner(uid)));
  /**
   * Owners (uids) waiting in the foreground whose blocking dependents were queued. Later runs of the
   * owner (woken by each dependent that goes) only check whether any blocker is left: queueing all
   * 10,000 dependents again on each of 10,000 wakes would be quadratic. Dependents that fail are
   * retried by the queue; new or re-blocking ones are queued by the handlers.
   */
  const released = new Set<string>();
  const cached = (uid: string): { inf: Informer; obj: KObject } | undefined => {
    const w = uids.get(uid);
    const obj = w?.inf.get(w.key);
    return obj && obj.metadata.uid === uid ? { inf: w!.inf, obj } : undefined;
  };
  /** An owner waiting for its dependents: its blocking dependents changed, so look again. */
  const wakeOwner = (uid: string) => {
    const o = cached(uid);
    if (o && deletingWith(o.obj, FOREGROUND)) enqueue(o.inf, o.obj);
  };

  // Phase 1: know every uid before judging any reference.
  const learn = (inf: Informer) => {
    inf.on({
      add: (o) => { uids.set(o.metadata.uid!, { inf, key: keyOf(o) }); },
      delete: (o) => { if (uids.get(o.metadata.uid!)?.key === keyOf(o)) uids.delete(o.metadata.uid!); },
    });
  };
  // Phase 2: react to transitions (upstream's graph builder).
  const react = (inf: Informer) => {
    /** References new with this event whose owner is unknown or already waiting: check the object. */
    const judgeNewRefs = (o: KObject, old: KObject | undefined) => {
      const before = new Set(old ? refsOf(old).map((r) => r.uid) : []);
      for (const ref of refsOf(o)) {
        if (before.has(ref.uid)) continue;
        const owner = cached(ref.uid);
        if (!owner || deletingWith(owner.obj, FOREGROUND)) { enqueue(inf, o); return; }
      }
    };
    const transitions = (o: KObject, old: KObject | undefined) => {
      if (refsOf(o).some((ref) => !watched(ref))) unwatchedOwners.add(qkeyOf(inf, o));
      else if (old && refsOf(old).length) unwatchedOwners.delete(qkeyOf(inf, o));
      if (startsDeletingWith(o, old, FOREGROUND)) released.delete(o.metadata.uid!);
      if (startsDeletingWith(o, old, ORPHAN) || startsDeletingWith(o, old, FOREGROUND)) enqueue(inf, o);
      judgeNewRefs(o, old);
    };
    inf.on({
      add: (o) => transitions(o, undefined),
      update: (o, old) => {
        transitions(o, old);
        // A blocking reference removed or unblocked: the owner may be free to go (upstream's
        // addUnblockedOwnersToDeleteQueue).
        const now = new Map(refsOf(o).map((r) => [r.uid, r]));
        for (const ref of refsOf(old)) if (blocks(ref) && !blocks(now.get(ref.uid))) wakeOwner(ref.uid);
      },
      delete: (o) => {
        released.delete(o.metadata.uid!);
        unwatchedOwners.delete(qkeyOf(inf, o));
        for (const d of dependentsOf(o.metadata.uid!)) enqueue(d.inf, d.obj);
        for (const ref of refsOf(o)) wakeOwner(ref.uid);
      },
    });
  };
  for (const inf of informers) learn(inf);
  for (const inf of informers) react(inf);

  async function lookupOwner(ref: OwnerRef, ns: string | undefined): Promise<KObject | undefined | 'unknown'> {
    const r = kindOf(ref);
    if (!r) return 'unknown';
    const ons = r.namespaced ? ns : undefined;
    const inf = byR.get(rkeyOf(r));
    const hit = inf?.get(ons ? `${ons}/${ref.name}` : ref.name);
    if (hit && hit.metadata.uid === ref.uid) return hit;
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
    if (deletingWith(obj, ORPHAN)) return orphanDependents(inf, obj);
    if (deletingWith(obj, FOREGROUND)) return deleteDependentsFirst(inf, obj);
    // Being deleted is a one-way trip: its dependents are judged when it is gone.
    if (obj.metadata.deletionTimestamp) return;
    await attemptToDelete(inf, obj);
  }

  async function orphanDependents(inf: Informer, obj: KObject): Promise<void> {
    const uid = obj.metadata.uid!;
    for (const d of dependentsOf(uid)) {
      await store.guaranteedUpdate(d.inf.resource, d.obj.metadata.namespace, d.obj.metadata.name!, (cur) => {
        const refs = refsOf(cur).filter((x) => x.uid !== uid);
        if (refs.length) cur.metadata.ownerReferences = refs; else delete cur.metadata.ownerReferences;
        delete cur.metadata.resourceVersion;
        return cur;
      }).catch(ignoreNotFound);
    }
    await removeFinalizer(inf.resource, obj, ORPHAN);
  }

  /** The owner waits for its blocking dependents (upstream's processDeletingDependentsItem). */
  async function deleteDependentsFirst(inf: Informer, obj: KObject): Promise<void> {
    const uid = obj.metadata.uid!;
    if (!anyBlocking(uid)) {
      released.delete(uid);
      await removeFinalizer(inf.resource, obj, FOREGROUND);
      return;
    }
    if (released.has(uid)) return;
    released.add(uid);
    // Dependents already on their way out are not pushed: their own deletion wakes this owner, and
    // one waiting on its own dependents is not told to wait on itself (that is a cycle).
    const blocking = dependentsOf(uid).filter((d) => blocksOwner(uid)(d.obj));
    for (const d of blocking) if (!d.obj.metadata.deletionTimestamp) enqueue(d.inf, d.obj);
  }

  async function attemptToDelete(inf: Informer, dep: KObject): Promise<void> {
    const refs = refsOf(dep);
    if (!refs.length) return;
    const solid: OwnerRef[] = [], dangling: OwnerRef[] = [], waiting: OwnerRef[] = [];
    for (const ref of refs) {
      const owner = await lookupOwner(ref, dep.metadata.namespace);
      if (owner === 'unknown') solid.push(ref);
      else if (!owner) dangling.push(ref);
      else if (deletingWith(owner, FOREGROUND)) waiting.push(ref);
      else solid.push(ref);
    }
    const r = inf.resource;
    const uid = dep.metadata.uid!;
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      // Keep the live owners; drop the gone ones and those waiting (else they would wait forever).
      const drop = new Set([...dangling, ...waiting].map((x) => x.uid));
      await updateRefs(r, dep, (cur) => cur.filter((x) => !drop.has(x.uid)));
      return;
    }
    let policy: 'Foreground' | 'Background' | 'Orphan';
    if (waiting.length && hasDependents(uid)) {
      // An owner waits for this object, which has dependents of its own: delete it in the foreground
      // too. If one of those dependents already waits in the foreground, this is a cycle: unblock
      // first, so the owner stops waiting on this object while this object waits on its dependent.
      if (dependentsOf(uid).some((d) => deletingWith(d.obj, FOREGROUND))) {
        await updateRefs(r, dep, (cur) => cur.map((x) => (blocks(x) ? { ...x, blockOwnerDeletion: false } : x)));
      }
      policy = 'Foreground';
    } else {
      // No owner left: collect it, honouring a propagation its own finalizers already ask for.
      policy = (dep.metadata.finalizers ?? []).includes(ORPHAN) ? 'Orphan' : (dep.metadata.finalizers ?? []).includes(FOREGROUND) ? 'Foreground' : 'Background';
    }
    await store.delete(r, dep.metadata.namespace, dep.metadata.name!, { propagationPolicy: policy, preconditions: { uid } })
      .catch((e) => { if (!(e?.code === 409)) ignoreNotFound(e); });
  }

  async function updateRefs(r: ResourceInfo, obj: KObject, change: (refs: OwnerRef[]) => OwnerRef[]): Promise<void> {
    await store.guaranteedUpdate(r, obj.metadata.namespace, obj.metadata.name!, (cur) => {
      if (cur.metadata.uid !== obj.metadata.uid) return cur;
      const refs = change(refsOf(cur));
      if (refs.length) cur.metadata.ownerReferences = refs; else delete cur.metadata.ownerReferences;
      delete cur.metadata.resourceVersion;
      return cur;
    }).catch(ignoreNotFound);
  }

  async function removeFinalizer(r: ResourceInfo, obj: KObject, f: string): Promise<void> {
    const { namespace, name } = splitKey(keyOf(obj));
    await store.guaranteedUpdate(r, namespace, name, (cur) => {
      if (cur.metadata.uid !== obj.metadata.uid) return cur;
      const fs = (cur.metadata.finalizers ?? []).filter((x: string) => x !== f);
      if (fs.length) cur.metadata.finalizers = fs; else delete cur.metadata.finalizers;
      delete cur.metadata.resourceVersion;
      return cur;
    }).catch(ignoreNotFound);
  }

  /**
   * Custom resources are collected like built-in kinds: one informer (indexed by owner) per CRD's
   * storage version, added as the CRD is served and dropped as it goes. Dependents that waited on
   * owners of a kind not watched until now are checked at once.
   */
  const custom = new Map<string, Informer>();
  const track = (inf: Informer) => {
    byR.set(rkeyOf(inf.resource), inf);
    informers.push(inf);
    learn(inf);
    react(inf);
    for (const k of unwatchedOwners) queue.add(k);
  };
  const untrack = (inf: Informer) => {
    inf.stop();
    informers.splice(informers.indexOf(inf), 1);
    if (byR.get(rkeyOf(inf.resource)) === inf) byR.delete(rkeyOf(inf.resource));
    for (const [uid, w] of uids) if (w.inf === inf) uids.delete(uid);
  };
  const followCustomResources = () => {
    const want = new Map<string, ResourceInfo>();
    for (const def of store.resources.customDefs()) {
      const r = storedAsIs(def);
      if (r) want.set(`${def.crdName}\u0000${def.uid}\u0000${def.storageVersion}`, r);
    }
    for (const [k, inf] of custom) if (!want.has(k)) { custom.delete(k); untrack(inf); }
    for (const [k, r] of want) {
      if (custom.has(k)) continue;
      const inf = new Informer(store, r);
      inf.addIndex('owner', ownerUids);
      custom.set(k, inf);
      track(inf);
      inf.start().catch((e) => opts.log?.(`garbagecollector: watching ${r.resource}.${r.group}: ${(e as Error).message}`));
    }
  };
  const offCustom = store.resources.onChange(followCustomResources);
  followCustomResources();
  return { name: 'garbagecollector', queue, stop: () => { offCustom(); for (const inf of custom.values()) inf.stop(); recheck.cancel(); queue.stop(); } };
}
