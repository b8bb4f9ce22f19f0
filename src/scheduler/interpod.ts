// Upstream's InterPodAffinity filter (required terms only): the incoming pod's podAffinity and
// podAntiAffinity against pods already placed, and placed pods' podAntiAffinity against the
// incoming pod, per topology domain (node label topologyKey). The per-pod state is read once per
// scheduling attempt from the index of placed pods (placed-index.ts: counts per term and domain,
// kept as pods and nodes change) and only when there is something to check, so pods without
// affinity in a cluster without anti-affinity pods pay nothing; per node it is a few lookups.
import type { Pod } from '../types/generated.ts';
import { fromLabelSelectorObject, matchLabels } from '../api/selectors.ts';
import type { LabelSelector } from '../api/selectors.ts';
import type { NodeInfo } from './nodeinfo.ts';
import { PlacedIndex } from './placed-index.ts';
import type { DomainCounts, PodMatcher } from './placed-index.ts';

export interface AffinityTerm { selector: LabelSelector | null; namespaces: Set<string>; nsSelector: LabelSelector | null; topologyKey: string }

/** A pod counted on a node (bound or assumed). */
export interface Placed { pod: Pod; node: NodeInfo }

export interface InterPodState {
  affinity: AffinityTerm[];
  anti: AffinityTerm[];
  /** Per affinity term: topology value → placed pods matching every affinity term. */
  affinityDomains: DomainCounts[];
  /** Some placed pod matching every affinity term is in a domain of one of the terms. */
  affinityAny: boolean;
  /** Per anti-affinity term: topology value → placed pods matching it. */
  antiDomains: DomainCounts[];
  /** Placed pods' anti-affinity terms that match the incoming pod: where those pods are (key: the term's). */
  existingAnti: { key: string; topologyKey: string; domains: DomainCounts }[];
  selfMatches: boolean;
}

export type NamespaceLabels = (ns: string) => Record<string, string> | undefined;

const isObj = (x: unknown): x is Record<string, any> => !!x && typeof x === 'object' && !Array.isArray(x);
/** A metav1.LabelSelector; anything malformed (Skiff does not validate these fields yet) matches nothing. */
export function selectorOf(x: unknown): LabelSelector | null {
  if (!isObj(x)) return null;
  if (x.matchLabels !== undefined && !isObj(x.matchLabels)) return null;
  if (x.matchExpressions !== undefined && (!Array.isArray(x.matchExpressions) || !x.matchExpressions.every((e: unknown) => isObj(e) && typeof e.key === 'string'))) return null;
  return fromLabelSelectorObject(x);
}

export function requiredTerms(pod: Pod, kind: 'podAffinity' | 'podAntiAffinity'): AffinityTerm[] {
  const list = pod.spec?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!Array.isArray(list)) return [];
  return list.map((t) => {
    const names: string[] = Array.isArray(t?.namespaces) ? t.namespaces.map(String) : [];
    const nsSelector = selectorOf(t?.namespaceSelector);
    // No namespaces and no namespaceSelector: the pod's own namespace.
    const namespaces = new Set(names.length || nsSelector ? names : [pod.metadata.namespace ?? '']);
    return { selector: selectorOf(t?.labelSelector), namespaces, nsSelector, topologyKey: String(t?.topologyKey ?? '') };
  });
}

export function termMatches(t: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  if (!t.selector || !matchLabels(t.selector, pod.metadata.labels ?? {})) return false;
  const ns = pod.metadata.namespace ?? '';
  return t.namespaces.has(ns) || (!!t.nsSelector && matchLabels(t.nsSelector, nsLabels(ns) ?? {}));
}

export const hasRequiredAntiAffinity = (pod: Pod | undefined) =>
  !!pod?.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length;
export const hasRequiredPodAffinity = (pod: Pod | undefined) =>
  !!pod?.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length || hasRequiredAntiAffinity(pod);

/** The scheduler's index of placed pods, grouped by their required anti-affinity terms. */
export type PlacedPods = PlacedIndex<AffinityTerm>;

const termKey = (t: AffinityTerm, withTopology: boolean) =>
  JSON.stringify([t.selector, [...t.namespaces].sort(), t.nsSelector, withTopology ? t.topologyKey : null]);

/** A pod's required anti-affinity terms that can match anything, keyed by content. */
function antiGroups(pod: Pod): { key: string; value: AffinityTerm }[] {
  if (!hasRequiredAntiAffinity(pod)) return [];
  return requiredTerms(pod, 'podAntiAffinity').filter((t) => t.selector).map((t) => ({ key: termKey(t, true), value: t }));
}

export function newPlacedPods(): PlacedPods { return new PlacedIndex(antiGroups); }

/** Placed pods matching every one of `terms` (their topology keys aside). */
export function termsMatcher(terms: AffinityTerm[], nsLabels: NamespaceLabels): PodMatcher {
  const listed = terms.find((t) => !t.nsSelector);
  return {
    key: `terms:${JSON.stringify(terms.map((t) => termKey(t, false)))}`,
    namespaces: listed?.namespaces,
    readsNamespaceLabels: terms.some((t) => t.nsSelector),
    matches: (p) => terms.every((t) => termMatches(t, p, nsLabels)),
  };
}

/** An index of the given placed pods, for one-off use (tests). */
export function indexOf(placed: Iterable<Placed>): PlacedPods {
  const index = newPlacedPods();
  let i = 0;
  for (const q of placed) { index.setNode(q.node.name, q.node.labels); index.place(`placed/${i++}`, q.pod, q.node.name); }
  return index;
}

/**
 * The state for one attempt, or undefined when nothing constrains the pod.
 * `placed` is every pod on a node; `antiPlaced` the subset with required anti-affinity (they are
 * found in `placed`, and counted once if listed in both).
 */
export function interPodState(pod: Pod, placed: () => Iterable<Placed>, antiPlaced: Iterable<Placed>, nsLabels: NamespaceLabels): InterPodState | undefined {
  const all = new Set<Placed>([...placed(), ...antiPlaced]);
  return interPodStateOf(pod, indexOf(all), nsLabels);
}

/** The state for one attempt from the index: O(distinct anti-affinity terms placed + the pod's terms). */
export function interPodStateOf(pod: Pod, index: PlacedPods, nsLabels: NamespaceLabels): InterPodState | undefined {
  const affinity = requiredTerms(pod, 'podAffinity'), anti = requiredTerms(pod, 'podAntiAffinity');
  const existingAnti: InterPodState['existingAnti'] = [];
  for (const [key, { value: t, tally }] of index.groupEntries()) {
    if (!termMatches(t, pod, nsLabels)) continue;
    const domains = tally.domains(t.topologyKey);
    if (domains.size) existingAnti.push({ key, topologyKey: t.topologyKey, domains });
  }
  if (!affinity.length && !anti.length && !existingAnti.length) return undefined;
  const together = affinity.length ? index.tally(termsMatcher(affinity, nsLabels)) : undefined;
  const affinityDomains = affinity.map((t) => together!.domains(t.topologyKey));
  const antiDomains = anti.map((t) => (t.selector ? index.tally(termsMatcher([t], nsLabels)).domains(t.topologyKey) : new Map<string, number>()));
  const selfMatches = affinity.every((t) => termMatches(t, pod, nsLabels));
  return { affinity, anti, affinityDomains, affinityAny: affinityDomains.some((m) => m.size > 0), antiDomains, existingAnti, selfMatches };
}

/** A copy of `s` whose counts can be changed without touching the index (preemption's what-ifs). */
export function cloneInterPod(s: InterPodState): InterPodState {
  return {
    ...s,
    affinityDomains: s.affinityDomains.map((m) => new Map(m)),
    antiDomains: s.antiDomains.map((m) => new Map(m)),
    existingAnti: s.existingAnti.map((e) => ({ ...e, domains: new Map(e.domains) })),
  };
}

function bumpDomain(m: DomainCounts, v: string | undefined, d: number): void {
  if (v === undefined) return;
  const n = (m.get(v) ?? 0) + d;
  if (n > 0) m.set(v, n); else m.delete(v);
}

/**
 * Count `placed` (on a node with `nodeLabels`) out of (sign -1) or back into (sign +1) a cloned
 * state for `incoming`, as upstream's InterPodAffinity RemovePod/AddPod extensions do.
 */
export function shiftInterPod(s: InterPodState, incoming: Pod, placed: Pod, nodeLabels: Record<string, string>, sign: 1 | -1, nsLabels: NamespaceLabels): void {
  if (s.affinity.length && s.affinity.every((t) => termMatches(t, placed, nsLabels))) {
    s.affinity.forEach((t, i) => bumpDomain(s.affinityDomains[i], nodeLabels[t.topologyKey], sign));
    s.affinityAny = s.affinityDomains.some((m) => m.size > 0);
  }
  s.anti.forEach((t, i) => { if (termMatches(t, placed, nsLabels)) bumpDomain(s.antiDomains[i], nodeLabels[t.topologyKey], sign); });
  for (const { key, value: t } of antiGroups(placed)) {
    if (!termMatches(t, incoming, nsLabels)) continue;
    let e = s.existingAnti.find((x) => x.key === key);
    if (!e) s.existingAnti.push(e = { key, topologyKey: t.topologyKey, domains: new Map() });
    bumpDomain(e.domains, nodeLabels[t.topologyKey], sign);
  }
}

export const AFFINITY_REASON = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";

export function checkInterPod(s: InterPodState, n: NodeInfo): string[] {
  let podsExist = true;
  for (let i = 0; i < s.affinity.length; i++) {
    const v = n.labels[s.affinity[i].topologyKey];
    if (v === undefined) return [AFFINITY_REASON]; // every topology label must exist on the node
    if (!s.affinityDomains[i].has(v)) podsExist = false;
  }
  // The first pod of a group that has affinity to itself may go anywhere that has the labels.
  if (!podsExist && !(!s.affinityAny && s.selfMatches)) return [AFFINITY_REASON];
  for (let i = 0; i < s.anti.length; i++) {
    const v = n.labels[s.anti[i].topologyKey];
    if (v !== undefined && s.antiDomains[i].has(v)) return [ANTI_AFFINITY_REASON];
  }
  for (const e of s.existingAnti) {
    const v = n.labels[e.topologyKey];
    if (v !== undefined && e.domains.has(v)) return [EXISTING_ANTI_AFFINITY_REASON];
  }
  return [];
}

// ---- Scoring: the incoming pod's preferred (anti-)affinity terms (upstream's InterPodAffinity
// score). Existing pods' preferred terms toward the incoming pod are not counted (README).

export interface PreferredInterPodState {
  /** weight > 0 for podAffinity, < 0 for podAntiAffinity */
  terms: { term: AffinityTerm; weight: number }[];
  /** Per term: topology value → matching placed pods. */
  domains: DomainCounts[];
}

function preferredTerms(pod: Pod, kind: 'podAffinity' | 'podAntiAffinity', sign: number): { term: AffinityTerm; weight: number }[] {
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

export const hasPreferredInterPod = (pod: Pod | undefined) =>
  !!pod?.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length
  || !!pod?.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length;

export function preferredInterPodState(pod: Pod, placed: () => Iterable<Placed>, nsLabels: NamespaceLabels): PreferredInterPodState | undefined {
  return hasPreferredInterPod(pod) ? preferredInterPodStateOf(pod, indexOf(placed()), nsLabels) : undefined;
}

export function preferredInterPodStateOf(pod: Pod, index: PlacedPods, nsLabels: NamespaceLabels): PreferredInterPodState | undefined {
  if (!hasPreferredInterPod(pod)) return undefined;
  const terms = [...preferredTerms(pod, 'podAffinity', 1), ...preferredTerms(pod, 'podAntiAffinity', -1)];
  if (!terms.length) return undefined;
  const domains = terms.map(({ term }) => (term.selector ? index.tally(termsMatcher([term], nsLabels)).domains(term.topologyKey) : new Map<string, number>()));
  return { terms, domains };
}

/** Raw InterPodAffinity score of a node: Σ weight × matching pods in the node's domain for each term. */
export function preferredInterPodScore(s: PreferredInterPodState, n: NodeInfo): number {
  let sum = 0;
  for (let i = 0; i < s.terms.length; i++) {
    const { term, weight } = s.terms[i];
    const v = n.labels[term.topologyKey];
    if (v !== undefined) sum += weight * (s.domains[i].get(v) ?? 0);
  }
  return sum;
}
