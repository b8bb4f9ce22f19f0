// Namespace lifecycle: a namespace being deleted has every object in it deleted, reports progress in
// its conditions, and disappears once empty (upstream's namespace controller, kubernetes finalizer).
import { rfc3339 } from '../clock.ts';
import { StatusError } from '../errors.ts';
import { findResource, storagePrefix } from '../registry/resources.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { Namespace } from '../types/generated.ts';
import type { Informer, WorkQueue } from './runtime.ts';
import { runController } from './runtime.ts';
import type { Clock } from '../clock.ts';

/** One resource per storage prefix: every namespaced thing that can live in a namespace. */
function namespacedResources(store: Store): ResourceInfo[] {
  const seen = new Set<string>();
  const out: ResourceInfo[] = [];
  // Built-in resources and those this server serves from its CRDs.
  for (const r of store.resources.all()) {
    if (!r.namespaced || !r.verbs.includes('list')) continue;
    const p = storagePrefix(r);
    if (seen.has(p)) continue;
    seen.add(p); out.push(r);
  }
  // Pods last would keep their controllers recreating them; upstream deletes all kinds concurrently.
  return out;
}

function condition(type: string, status: string, reason: string, message: string, now: string) {
  return { type, status, lastTransitionTime: now, reason, message };
}

export function namespaceController(store: Store, clock: Clock, namespaces: Informer<Namespace>, log?: (m: string) => void) {
  const nsr = findResource('', 'v1', 'namespaces')!;
  return runController({
    name: 'namespace', clock, log, workers: 2,
    watch: [{ informer: namespaces }],
    reconcile: async (name: string, queue: WorkQueue) => {
      const ns = namespaces.get(name);
      if (!ns || !ns.metadata.deletionTimestamp) return;
      const kinds = namespacedResources(store);
      let remaining = 0;
      const finalizersLeft = new Map<string, number>();
      for (const r of kinds) {
        const { items } = await store.list(r, name);
        for (const e of items) {
          remaining++;
          for (const f of e.obj.metadata.finalizers ?? []) finalizersLeft.set(f, (finalizersLeft.get(f) ?? 0) + 1);
          if (e.obj.metadata.deletionTimestamp) continue;
          try { await store.delete(r, name, e.obj.metadata.name!, { propagationPolicy: 'Background' }); }
          catch (err) { if (!(err instanceof StatusError && err.code === 404)) throw err; }
        }
      }
      const now = rfc3339(clock.now());
      if (remaining > 0) {
        await store.guaranteedUpdate(nsr, undefined, name, (cur: Namespace) => {
          const conds = [
            condition('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered', now),
            condition('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed', now),
            condition('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization', now),
            condition('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${remaining} objects remain`, now),
            condition('NamespaceFinalizersRemaining', finalizersLeft.size ? 'True' : 'False', finalizersLeft.size ? 'SomeFinalizersRemain' : 'ContentHasNoFinalizers',
              finalizersLeft.size ? `Some content in the namespace has finalizers remaining: ${[...finalizersLeft].map(([f, n]) => `${f} in ${n} resource instances`).join(', ')}` : 'All content-preserving finalizers finished', now),
          ];
          const old = cur.status?.conditions ?? [];
          cur.status = { ...(cur.status ?? {}), phase: 'Terminating', conditions: conds.map((c) => {
            const prev = old.find((o) => o.type === c.type);
            return prev && prev.status === c.status && prev.message === c.message ? prev : c;
          }) };
          return cur;
        }, { subresource: 'status' }).catch((err) => { if (!(err instanceof StatusError && err.code === 404)) throw err; });
        queue.addAfter(name, 1000);
        return;
      }
      // Empty: drop the kubernetes finalizer, then the namespace goes.
      try {
        await store.guaranteedUpdate(nsr, undefined, name, (cur: Namespace) => {
          const finalizers = (cur.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes');
          cur.spec = { ...(cur.spec ?? {}), finalizers };
          if (!finalizers.length) delete cur.spec.finalizers;
          return cur;
        }, { subresource: 'finalize' });
        if (!(namespaces.get(name)?.metadata.finalizers?.length)) await store.delete(nsr, undefined, name, {});
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    },
  });
}
