// Upstream's InterPodAffinity filter (required terms only): the incoming pod's podAffinity and
// podAntiAffinity against pods already placed, and placed pods' podAntiAffinity against the
// incoming pod, per topology domain (node label topologyKey). The per-pod state is computed once
// per scheduling attempt and only when there is something to check, so pods without affinity in a
// cluster without anti-affinity pods pay nothing.
import type { KObject } from '../registry/strategy.ts';
import { fromLabelSelectorObject, matchLabels } from '../api/selectors.ts';
import type { LabelSelector } from '../api/selectors.ts';
import type { NodeInfo } from './nodeinfo.ts';

export interface AffinityTerm { selector: LabelSelector | null; namespaces: Set<string>; nsSelector: LabelSelector | null; topologyKey: string }

/** A pod counted on a node (bound or assumed). */
export interface Placed { pod: KObject; node: NodeInfo }

export interface InterPodState {
  affinity: AffinityTerm[];
  anti: AffinityTerm[];
  /** topologyKey\0value → placed pods matching all affinity terms / any anti-affinity term. */
  affinityCounts: Map<string, number>;
  antiCounts: Map<string, number>;
  /** Domains where a placed pod's anti-affinity term matches the incoming pod. */
  existingAnti: Set<string>;
  selfMatches: boolean;
}

export type NamespaceLabels = (ns: string) => Record<string, string> | undefined;

const pair = (k: string, v: string) => `${k}\0${v}`;

const isObj = (x: unknown): x is Record<string, any> => !!x && typeof x === 'object' && !Array.isArray(x);
/** A metav1.LabelSelector; anything malformed (Skiff does not validate these fields yet) matches nothing. */
export function selectorOf(x: unknown): LabelSelector | null {
  if (!isObj(x)) return null;
  if (x.matchLabels !== undefined && !isObj(x.matchLabels)) return null;
  if (x.matchExpressions !== undefined && (!Array.isArray(x.matchExpressions) || !x.matchExpressions.every((e: unknown) => isObj(e) && typeof e.key === 'string'))) return null;
  return fromLabelSelectorObject(x);
}

export function requiredTerms(pod: KObject, kind: 'podAffinity' | 'podAntiAffinity'): AffinityTerm[] {
  const list = pod.spec?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!Array.isArray(list)) return [];
  return list.map((t: any) => {
    const names: string[] = Array.isArray(t?.namespaces) ? t.namespaces.map(String) : [];
    const nsSelector = selectorOf(t?.namespaceSelector);
    // No namespaces and no namespaceSelector: the pod's own namespace.
    const namespaces = new Set(names.length || nsSelector ? names : [pod.metadata.namespace ?? '']);
    return { selector: selectorOf(t?.labelSelector), namespaces, nsSelector, topologyKey: String(t?.topologyKey ?? '') };
  });
}

export function termMatches(t: AffinityTerm, pod: KObject, nsLabels: NamespaceLabels): boolean {
  if (!t.selector || !matchLabels(t.selector, pod.metadata.labels ?? {})) return false;
  const ns = pod.metadata.namespace ?? '';
  return t.namespaces.has(ns) || (!!t.nsSelector && matchLabels(t.nsSelector, nsLabels(ns) ?? {}));
}

export const hasRequiredAntiAffinity = (pod: KObject | undefined) =>
  !!pod?.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length;
export const hasRequiredPodAffinity = (pod: KObject | undefined) =>
  !!pod?.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length || hasRequiredAntiAffinity(pod);

/**
 * The state for one attempt, or undefined when nothing constrains the pod.
 * `placed` is every pod on a node; `antiPlaced` the subset with required anti-affinity.
 */
export function interPodState(pod: KObject, placed: () => Iterable<Placed>, antiPlaced: Iterable<Placed>, nsLabels: NamespaceLabels): InterPodState | undefined {
  const affinity = requiredTerms(pod, 'podAffinity'), anti = requiredTerms(pod, 'podAntiAffinity');
  const existingAnti = new Set<string>();
  for (const q of antiPlaced) {
    for (const t of requiredTerms(q.pod, 'podAntiAffinity')) {
      const v = q.node.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, pod, nsLabels)) existingAnti.add(pair(t.topologyKey, v));
    }
  }
  if (!affinity.length && !anti.length && !existingAnti.size) return undefined;
  const affinityCounts = new Map<string, number>(), antiCounts = new Map<string, number>();
  const bump = (m: Map<string, number>, t: AffinityTerm, n: NodeInfo) => {
    const v = n.labels[t.topologyKey];
    if (v !== undefined) m.set(pair(t.topologyKey, v), (m.get(pair(t.topologyKey, v)) ?? 0) + 1);
  };
  if (affinity.length || anti.length) {
    for (const q of placed()) {
      if (affinity.length && affinity.every((t) => termMatches(t, q.pod, nsLabels))) for (const t of affinity) bump(affinityCounts, t, q.node);
      for (const t of anti) if (termMatches(t, q.pod, nsLabels)) bump(antiCounts, t, q.node);
    }
  }
  const selfMatches = affinity.every((t) => termMatches(t, pod, nsLabels));
  return { affinity, anti, affinityCounts, antiCounts, existingAnti, selfMatches };
}

export const AFFINITY_REASON = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";

export function checkInterPod(s: InterPodState, n: NodeInfo): string[] {
  let podsExist = true;
  for (const t of s.affinity) {
    const v = n.labels[t.topologyKey];
    if (v === undefined) return [AFFINITY_REASON]; // every topology label must exist on the node
    if (!(s.affinityCounts.get(pair(t.topologyKey, v))! > 0)) podsExist = false;
  }
  // The first pod of a group that has affinity to itself may go anywhere that has the labels.
  if (!podsExist && !(s.affinityCounts.size === 0 && s.selfMatches)) return [AFFINITY_REASON];
  for (const t of s.anti) {
    const v = n.labels[t.topologyKey];
    if (v !== undefined && s.antiCounts.get(pair(t.topologyKey, v))! > 0) return [ANTI_AFFINITY_REASON];
  }
  for (const [k, v] of Object.entries(n.labels)) if (s.existingAnti.has(pair(k, v))) return [EXISTING_ANTI_AFFINITY_REASON];
  return [];
}

// ---- Scoring: the incoming pod's preferred (anti-)affinity terms (upstream's InterPodAffinity
// score). Existing pods' preferred terms toward the incoming pod are not counted (README).

export interface PreferredInterPodState {
  /** weight > 0 for podAffinity, < 0 for podAntiAffinity */
  terms: { term: AffinityTerm; weight: number }[];
  /** term index\0topology value → matching placed pods */
  counts: Map<string, number>;
}

function preferredTerms(pod: KObject, kind: 'podAffinity' | 'podAntiAffinity', sign: number): { term: AffinityTerm; weight: number }[] {
  const list = pod.spec?.affinity?.[kind]?.preferredDuringSchedulingIgnoredDuringExecution;
  if (!Array.isArray(list)) return [];
  const out: { term: AffinityTerm; weight: number }[] = [];
  for (const w of list) {
    const weight = Number(w?.weight);
    if (!Number.isFinite(weight) || weight <= 0 || !isObj(w?.podAffinityTerm)) continue;
    const t = w.podAffinityTerm;
    const names: string[] = Array.isArray(t.namespaces) ? t.namespaces.map(String) : [];
    const nsSelector = selectorOf(t.namespaceSelector);
    const namespaces = new Set(names.length || nsSelector ? names : [pod.metadata.namespace ?? '']);
    out.push({ term: { selector: selectorOf(t.labelSelector), namespaces, nsSelector, topologyKey: String(t.topologyKey ?? '') }, weight: sign * weight });
  }
  return out;
}

export const hasPreferredInterPod = (pod: KObject | undefined) =>
  !!pod?.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length
  || !!pod?.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length;

export function preferredInterPodState(pod: KObject, placed: () => Iterable<Placed>, nsLabels: NamespaceLabels): PreferredInterPodState | undefined {
  if (!hasPreferredInterPod(pod)) return undefined;
  const terms = [...preferredTerms(pod, 'podAffinity', 1), ...preferredTerms(pod, 'podAntiAffinity', -1)];
  if (!terms.length) return undefined;
  const counts = new Map<string, number>();
  for (const q of placed()) {
    terms.forEach(({ term }, i) => {
      const v = q.node.labels[term.topologyKey];
      if (v !== undefined && termMatches(term, q.pod, nsLabels)) counts.set(pair(String(i), v), (counts.get(pair(String(i), v)) ?? 0) + 1);
    });
  }
  return { terms, counts };
}

/** Raw InterPodAffinity score of a node: Σ weight × matching pods in the node's domain for each term. */
export function preferredInterPodScore(s: PreferredInterPodState, n: NodeInfo): number {
  let sum = 0;
  s.terms.forEach(({ term, weight }, i) => {
    const v = n.labels[term.topologyKey];
    if (v !== undefined) sum += weight * (s.counts.get(pair(String(i), v)) ?? 0);
  });
  return sum;
}
