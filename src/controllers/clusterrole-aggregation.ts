// ClusterRole aggregation (pkg/controller/clusterroleaggregation): a ClusterRole with an
// aggregationRule holds the union of the rules of every ClusterRole its selectors match, kept current
// as those roles come, change and go. Any ClusterRole change re-queues the aggregating ones.
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Clock } from '../clock.ts';
import { fromLabelSelectorObject, matchLabels } from '../api/selectors.ts';
import { deepEqual } from '../util/deep-equal.ts';
import { StatusError } from '../errors.ts';
import type { Informer } from './runtime.ts';
import { runController } from './runtime.ts';

const selectorsOf = (o: KObject): unknown[] => (Array.isArray(o.aggregationRule?.clusterRoleSelectors) ? o.aggregationRule.clusterRoleSelectors : []);

/** The rules `role` should hold: each matching role's rules in name order, duplicates once. */
export function aggregatedRules(role: KObject, all: KObject[]): object[] {
  const selectors = selectorsOf(role).map((s) => (s && typeof s === 'object' ? fromLabelSelectorObject(s as never) : null));
  const rules: object[] = [];
  const sources = all.filter((o) => o.metadata.name !== role.metadata.name).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  for (const source of sources) {
    if (!selectors.some((sel) => sel && matchLabels(sel, source.metadata.labels))) continue;
    for (const r of Array.isArray(source.rules) ? source.rules : []) if (!rules.some((x) => deepEqual(x, r))) rules.push(r);
  }
  return rules;
}

export function clusterRoleAggregationController(store: Store, clock: Clock, clusterRoles: Informer, log?: (m: string) => void) {
  const r = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
  const aggregating = () => clusterRoles.list().filter((o) => selectorsOf(o).length > 0).map((o) => o.metadata.name!);
  return runController({
    name: 'clusterrole-aggregation', clock, log, workers: 1,
    watch: [{ informer: clusterRoles, toKeys: aggregating }],
    reconcile: async (name) => {
      const role = clusterRoles.get(name);
      if (!role || selectorsOf(role).length === 0) return;
      const want = aggregatedRules(role, clusterRoles.list());
      if (deepEqual(role.rules ?? [], want)) return;
      try {
        await store.guaranteedUpdate(r, undefined, name, (cur) => { cur.rules = aggregatedRules(cur, clusterRoles.list()); return cur; });
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return;
        throw e;
      }
    },
  });
}
