// The disruption controller (after upstream's pkg/controller/disruption): keeps every
// PodDisruptionBudget's status current — expectedPods, currentHealthy, desiredHealthy,
// disruptionsAllowed, observedGeneration and the DisruptionAllowed condition — so that the eviction
// subresource can honour it. Pods an eviction has just taken (status.disruptedPods) are not counted
// as healthy until they are gone or two minutes have passed.
// Simplification (README): expectedPods is the number of matching pods, not the owning controllers' scale.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Pod, PodDisruptionBudget } from '../types/generated.ts';
import { fromLabelSelectorObject } from '../api/selectors.ts';
import type { Informer } from './runtime.ts';
import { runController, splitKey } from './runtime.ts';
import type { Controller } from './runtime.ts';
import { ignoreNotFound, intOrPercent, isPodReady, res } from './util.ts';

export const DISRUPTED_POD_TTL_MS = 120_000;

/** The status a PDB should have given the pods of its namespace (pure). */
export function pdbStatus(store: Store, pdb: PodDisruptionBudget, pods: Pod[], now: number): Record<string, any> {
  const podsR = res('', 'v1', 'pods');
  const sel = fromLabelSelectorObject(pdb.spec?.selector);
  const matching = sel ? pods.filter((p) => store.matches(podsR, p, sel) && !['Succeeded', 'Failed'].includes(p.status?.phase ?? '')) : [];
  const disrupted: Record<string, string> = {};
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const p = matching.find((x) => x.metadata.name === name);
    if (p && !p.metadata.deletionTimestamp && now - (Date.parse(at) || 0) < DISRUPTED_POD_TTL_MS) disrupted[name] = at;
  }
  const expected = matching.length;
  const healthy = matching.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p) && !disrupted[p.metadata.name!]).length;
  let desired = 0;
  if (pdb.spec?.maxUnavailable !== undefined) desired = Math.max(0, expected - intOrPercent(pdb.spec.maxUnavailable, expected, true, '0'));
  else if (pdb.spec?.minAvailable !== undefined) desired = intOrPercent(pdb.spec.minAvailable, expected, true, '0');
  const allowed = Math.max(0, healthy - desired);
  const prev = (pdb.status?.conditions ?? []).find((c) => c.type === 'DisruptionAllowed');
  const cond = allowed > 0
    ? { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' }
    : { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '' };
  const same = prev && prev.status === cond.status && prev.reason === cond.reason;
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected,
    conditions: [{ ...cond, observedGeneration: pdb.metadata.generation ?? 1, lastTransitionTime: same ? prev.lastTransitionTime : rfc3339(now) }],
  };
}

export function disruptionController(opts: { store: Store; clock: Clock; pdbs: Informer<PodDisruptionBudget>; pods: Informer<Pod>; log?: (m: string) => void }): Controller {
  const { store, clock, pdbs, pods } = opts;
  const pdbR = res('policy', 'v1', 'poddisruptionbudgets');
  return runController({
    name: 'disruption-controller', clock, log: opts.log,
    watch: [
      { informer: pdbs },
      { informer: pods, toKeys: (p) => pdbs.list(p.metadata.namespace).map((b) => `${b.metadata.namespace}/${b.metadata.name}`) },
    ],
    reconcile: async (key, queue) => {
      const cur = pdbs.get(key);
      if (!cur) return;
      const { namespace } = splitKey(key);
      const now = clock.now();
      const next = pdbStatus(store, cur, pods.byIndexValue('namespace', namespace!), now);
      if (JSON.stringify(next) !== JSON.stringify(cur.status ?? {})) {
        await store.guaranteedUpdate(pdbR, cur.metadata.namespace, cur.metadata.name!, (o) => {
          o.status = pdbStatus(store, o, pods.byIndexValue('namespace', namespace!), now);
          return o;
        }, { subresource: 'status' }).catch(ignoreNotFound);
      }
      // Disrupted-pod entries expire: look again then.
      if (next.disruptedPods) queue.addAfter(key, DISRUPTED_POD_TTL_MS);
    },
  });
}
