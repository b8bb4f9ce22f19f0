// Pod garbage collection (after upstream's pkg/controller/podgc): a pod bound to a Node that no
// longer exists is deleted (grace period 0) once the node has stayed absent for a quarantine of 40 s,
// so a node deleted by mistake and re-created at once keeps its pods.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Node, Pod } from '../types/generated.ts';
import type { Informer } from './runtime.ts';
import { keyOf, runController, splitKey } from './runtime.ts';
import type { Controller } from './runtime.ts';
import { ignoreNotFound, res } from './util.ts';

export const ORPHAN_QUARANTINE_MS = 40_000;

export function podGarbageCollector(opts: { store: Store; clock: Clock; pods: Informer<Pod>; nodes: Informer<Node>; log?: (m: string) => void }): Controller {
  const { store, clock, pods, nodes } = opts;
  const podsR = res('', 'v1', 'pods');
  const orphanedSince = new Map<string, number>();
  const orphaned = (p: Pod) => !!p.spec?.nodeName && !nodes.get(p.spec.nodeName);
  const ctl = runController({
    name: 'pod-garbage-collector', clock, log: opts.log,
    watch: [
      { informer: pods, toKeys: (p) => (orphaned(p) ? [keyOf(p)] : []) },
      { informer: nodes, toKeys: (n) => pods.byIndexValue('node', n.metadata.name!).map(keyOf) },
    ],
    reconcile: async (key, queue) => {
      const pod = pods.get(key);
      if (!pod || !orphaned(pod)) { orphanedSince.delete(key); return; }
      const now = clock.now();
      const since = orphanedSince.get(key) ?? now;
      orphanedSince.set(key, since);
      if (now - since < ORPHAN_QUARANTINE_MS) { queue.addAfter(key, since + ORPHAN_QUARANTINE_MS - now); return; }
      orphanedSince.delete(key);
      const { namespace, name } = splitKey(key);
      await store.delete(podsR, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch(ignoreNotFound);
    },
  });
  return ctl;
}
