// The garbage collector's view of owners served from CRDs: it has no informer for them, so this
// watches every custom resource of the server (one store watch per established CRD, following the
// resource table) and reports the uid of each deleted object, whose dependents are then collected.
import type { Store, StoreWatch } from '../registry/store.ts';
import { storedAsIs } from '../registry/custom/definition.ts';

export function watchCustomDeletions(store: Store, onGone: (uid: string) => void, log?: (m: string) => void): { stop(): void } {
  const watches = new Map<string, Promise<StoreWatch | undefined>>();
  let stopped = false;
  const cancel = (p: Promise<StoreWatch | undefined>) => void p.then((w) => w?.cancel());
  const sync = () => {
    if (stopped) return;
    const want = new Map<string, ReturnType<typeof storedAsIs>>();
    for (const def of store.resources.customDefs()) want.set(`${def.crdName}\u0000${def.uid}\u0000${def.storageVersion}`, storedAsIs(def));
    for (const [k, p] of watches) if (!want.has(k)) { cancel(p); watches.delete(k); }
    for (const [k, r] of want) {
      if (!r || watches.has(k)) continue;
      const from = String(store.backend.currentRevision());
      watches.set(k, store.watch(r, undefined, { resourceVersion: from }, (events) => {
        for (const e of events) if (e.type === 'DELETED' && e.entry.obj.metadata.uid) onGone(e.entry.obj.metadata.uid);
      }).catch((e) => { log?.(`garbagecollector: watching ${r.resource}.${r.group}: ${(e as Error).message}`); return undefined; }));
    }
  };
  const off = store.resources.onChange(sync);
  sync();
  return {
    stop() {
      stopped = true;
      off();
      for (const p of watches.values()) cancel(p);
      watches.clear();
    },
  };
}
