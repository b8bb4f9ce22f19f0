// Upstream's PodTopologySpread filter: for each DoNotSchedule constraint, placing the pod in a
// node's domain must keep (matching pods in that domain + the pod itself if it matches) minus the
// smallest domain's count within maxSkew. Domains come from the nodes that have every constraint's
// topologyKey and pass the constraint's node inclusion policies (nodeAffinityPolicy Honor,
// nodeTaintsPolicy Ignore by default); with fewer than minDomains domains the minimum counts as 0.
// Computed once per attempt, only for pods with constraints: one pass over the nodes, reading each
// node's matching pods from the index of placed pods (placed-index.ts) rather than walking pods.
import type { Pod } from '../types/generated.ts';
import { matchLabels } from '../api/selectors.ts';
import type { LabelSelector } from '../api/selectors.ts';
import type { NodeInfo } from './nodeinfo.ts';
import { indexOf, selectorOf } from './interpod.ts';
import type { Placed, PlacedPods } from './interpod.ts';
import type { PodMatcher } from './placed-index.ts';

export interface SpreadConstraint {
  maxSkew: number; topologyKey: string; selector: LabelSelector | null; minDomains: number;
  honorAffinity: boolean; honorTaints: boolean;
}

export interface SpreadState {
  constraints: SpreadConstraint[];
  /** topologyKey → value → matching pods; every eligible domain is present (possibly 0). */
  counts: Map<string, Map<string, number>>;
  /** Per constraint: the smallest domain count (0 when there are fewer than minDomains domains). */
  min: number[];
  selfMatch: boolean[];
}

export interface NodePolicies { matchesAffinity(n: NodeInfo): boolean; toleratesTaints(n: NodeInfo): boolean }

/** The pod's constraints with the given whenUnsatisfiable (matchLabelKeys folded into the selector). */
export function spreadConstraints(pod: Pod, when: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  const list = pod.spec?.topologySpreadConstraints;
  if (!Array.isArray(list)) return [];
  const labels: Record<string, string> = pod.metadata.labels ?? {};
  return list.filter((c) => c && typeof c === 'object' && (c.whenUnsatisfiable ?? 'DoNotSchedule') === when).map((c) => {
    let selector = selectorOf(c?.labelSelector);
    for (const k of Array.isArray(c.matchLabelKeys) ? c.matchLabelKeys : []) {
      if (selector && k in labels) selector = [...selector, { key: k, op: 'in', values: [labels[k]] }];
    }
    return {
      maxSkew: Number(c.maxSkew) || 1, topologyKey: String(c.topologyKey ?? ''), selector,
      minDomains: Number(c.minDomains) || 1,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', honorTaints: c.nodeTaintsPolicy === 'Honor',
    };
  });
}

const eligible = (c: SpreadConstraint, n: NodeInfo, p: NodePolicies) =>
  (!c.honorAffinity || p.matchesAffinity(n)) && (!c.honorTaints || p.toleratesTaints(n));

export function spreadState(pod: Pod, constraints: SpreadConstraint[], nodes: Iterable<NodeInfo>, placed: () => Iterable<Placed>, policies: NodePolicies): SpreadState | undefined {
  return constraints.length ? spreadStateOf(pod, constraints, nodes, indexOf(placed()), policies) : undefined;
}

/** Pods of `ns` that are not being deleted and match `selector`. */
function spreadMatcher(ns: string | undefined, selector: LabelSelector): PodMatcher {
  return {
    key: `spread:${JSON.stringify([ns ?? null, selector])}`, namespaces: [ns ?? ''], readsNamespaceLabels: false,
    matches: (p) => p.metadata.namespace === ns && !p.metadata.deletionTimestamp && matchLabels(selector, p.metadata.labels ?? {}),
  };
}

export function spreadStateOf(pod: Pod, constraints: SpreadConstraint[], nodes: Iterable<NodeInfo>, index: PlacedPods, policies: NodePolicies): SpreadState | undefined {
  if (!constraints.length) return undefined;
  // Constraints sharing a topology key add into one count per domain (kept by topology pair, as before).
  const counts = new Map<string, Map<string, number>>();
  for (const c of constraints) if (!counts.has(c.topologyKey)) counts.set(c.topologyKey, new Map());
  const perNode = constraints.map((c) => (c.selector ? index.tally(spreadMatcher(pod.metadata.namespace, c.selector)).perNode : undefined));
  const domainsOf = constraints.map((c) => counts.get(c.topologyKey)!);
  for (const n of nodes) {
    if (!constraints.every((c) => n.labels[c.topologyKey] !== undefined)) continue;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i];
      if (!eligible(c, n, policies)) continue;
      const m = domainsOf[i], v = n.labels[c.topologyKey];
      m.set(v, (m.get(v) ?? 0) + (perNode[i]?.get(n.name) ?? 0));
    }
  }
  const min = constraints.map((c) => {
    const m = counts.get(c.topologyKey)!;
    let low = Infinity;
    for (const v of m.values()) low = Math.min(low, v);
    return m.size < c.minDomains || low === Infinity ? 0 : low;
  });
  const selfMatch = constraints.map((c) => !!c.selector && matchLabels(c.selector, pod.metadata.labels ?? {}));
  return { constraints, counts, min, selfMatch };
}

/** A copy whose counts can be changed without touching the original (preemption's what-ifs). */
export function cloneSpread(s: SpreadState): SpreadState {
  return { ...s, counts: new Map([...s.counts].map(([k, m]) => [k, new Map(m)])), min: [...s.min] };
}

/**
 * Count `placed` (on node `n`) out of (sign -1) or back into (sign +1) a cloned state for a pod of
 * namespace `ns`, as upstream's PodTopologySpread RemovePod/AddPod extensions do.
 */
export function shiftSpread(s: SpreadState, ns: string | undefined, placed: Pod, n: NodeInfo, sign: 1 | -1, policies: NodePolicies): void {
  if (placed.metadata.namespace !== ns || placed.metadata.deletionTimestamp) return;
  if (!s.constraints.every((c) => n.labels[c.topologyKey] !== undefined)) return;
  let changed = false;
  s.constraints.forEach((c, i) => {
    if (!c.selector || !eligible(c, n, policies) || !matchLabels(c.selector, placed.metadata.labels ?? {})) return;
    const m = s.counts.get(c.topologyKey)!, v = n.labels[c.topologyKey];
    m.set(v, Math.max(0, (m.get(v) ?? 0) + sign));
    changed = true;
  });
  if (!changed) return;
  s.min = s.constraints.map((c) => {
    const m = s.counts.get(c.topologyKey)!;
    let low = Infinity;
    for (const v of m.values()) low = Math.min(low, v);
    return m.size < c.minDomains || low === Infinity ? 0 : low;
  });
}

export const SPREAD_REASON = "node(s) didn't match pod topology spread constraints";
export const SPREAD_LABEL_REASON = `${SPREAD_REASON} (missing required label)`;

export function checkSpread(s: SpreadState, n: NodeInfo): string[] {
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const v = n.labels[c.topologyKey];
    if (v === undefined) return [SPREAD_LABEL_REASON];
    const skew = (s.counts.get(c.topologyKey)!.get(v) ?? 0) + (s.selfMatch[i] ? 1 : 0) - s.min[i];
    if (skew > c.maxSkew) return [SPREAD_REASON];
  }
  return [];
}

/**
 * PodTopologySpread's score for ScheduleAnyway constraints: Σ over constraints of the matching pods
 * in the node's domain, each weighted by log(domains + 2) as upstream; lower is better. A node
 * lacking a constraint's topology label gets no score from it (upstream leaves it out as well).
 */
export function spreadScore(s: SpreadState, n: NodeInfo): number {
  const weights = topologyWeights(s);
  let sum = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const v = n.labels[c.topologyKey];
    if (v === undefined) continue;
    sum += ((s.counts.get(c.topologyKey)!.get(v) ?? 0) + c.maxSkew - 1) * weights[i];
  }
  return sum;
}

/** log(domains + 2) per constraint, computed once per scheduling attempt (not once per node). */
const weightCache = new WeakMap<SpreadState, number[]>();
function topologyWeights(s: SpreadState): number[] {
  let w = weightCache.get(s);
  if (!w) {
    w = s.constraints.map((c) => Math.log(s.counts.get(c.topologyKey)!.size + 2));
    weightCache.set(s, w);
  }
  return w;
}
