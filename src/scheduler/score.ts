// Scores, as pure functions (0..100, higher is better).
import type { NodeInfo } from './nodeinfo.ts';
import { nonZero } from './nodeinfo.ts';
import type { PodInfo } from './filters.ts';
import { matchNodeSelectorTerm, tolerates } from './filters.ts';
import { preferredInterPodScore } from './interpod.ts';
import { spreadScore } from './spread.ts';

/** Upstream's LeastAllocated over cpu and memory (equal weights), counting the incoming pod. */
export function leastAllocated(p: PodInfo, n: NodeInfo): number {
  // Pods without requests count as upstream's non-zero defaults (100m cpu, 200Mi memory).
  const want = nonZero(p.requests);
  let sum = 0, weights = 0;
  const cpuCap = n.allocatable.cpu ?? 0, memCap = n.allocatable.memory ?? 0;
  if (cpuCap > 0) { const used = n.nonZero.cpu + want.cpu; sum += used > cpuCap ? 0 : ((cpuCap - used) * 100) / cpuCap; weights++; }
  if (memCap > 0) { const used = n.nonZero.memory + want.memory; sum += used > memCap ? 0 : ((memCap - used) * 100) / memCap; weights++; }
  return weights ? sum / weights : 0;
}

/** Upstream's BalancedAllocation: nodes whose cpu and memory fractions are close score higher. */
export function balancedAllocation(p: PodInfo, n: NodeInfo): number {
  const cpuCap = n.allocatable.cpu ?? 0, memCap = n.allocatable.memory ?? 0;
  const a = cpuCap > 0 ? Math.min(1, ((n.requested.cpu ?? 0) + (p.requests.cpu ?? 0)) / cpuCap) : 0;
  const b = memCap > 0 ? Math.min(1, ((n.requested.memory ?? 0) + (p.requests.memory ?? 0)) / memCap) : 0;
  return (1 - Math.abs(a - b) / 2) * 100;
}

export function scoreNode(p: PodInfo, n: NodeInfo): number { return leastAllocated(p, n) + balancedAllocation(p, n); }

// Scores that upstream normalises over the feasible nodes (0..100) before weighting.

/** NodeAffinity: the sum of the weights of the preferred terms the node matches. */
export function preferredNodeAffinity(p: PodInfo, n: NodeInfo): number {
  const terms = p.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (!Array.isArray(terms)) return 0;
  let sum = 0;
  for (const t of terms) {
    const pref = t?.preference;
    const listOk = (x: unknown) => x === undefined || Array.isArray(x);
    if (pref && typeof pref === 'object' && listOk(pref.matchExpressions) && listOk(pref.matchFields) && matchNodeSelectorTerm(pref, n)) sum += Number(t.weight) || 0;
  }
  return sum;
}

/** TaintToleration: how many PreferNoSchedule taints of the node the pod does not tolerate. */
export function intolerablePreferNoSchedule(p: PodInfo, n: NodeInfo): number {
  let c = 0;
  for (const t of n.taints) {
    if (t.effect !== 'PreferNoSchedule') continue;
    if (!tolerates(p.tolerations.filter((x) => !x.effect || x.effect === 'PreferNoSchedule'), t)) c++;
  }
  return c;
}

/** Upstream's DefaultNormalizeScore: scale to 0..100 by the maximum; reversed, fewer is better. */
export function normalize(raw: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...raw);
  if (max === 0) return raw.map(() => (reverse ? 100 : 0));
  return raw.map((s) => { const v = Math.floor((s * 100) / max); return reverse ? 100 - v : v; });
}

/** The default profile's weights for the normalised scores. */
export const NODE_AFFINITY_WEIGHT = 2;
export const TAINT_TOLERATION_WEIGHT = 3;
export const INTER_POD_AFFINITY_WEIGHT = 2;
export const TOPOLOGY_SPREAD_WEIGHT = 2;

/** PodTopologySpread's NormalizeScore: fewer matching pods is better; the best node gets 100. */
export function normalizeSpread(raw: number[]): number[] {
  if (!raw.length) return [];
  const max = Math.max(...raw), min = Math.min(...raw);
  if (max === 0) return raw.map(() => 100);
  return raw.map((s) => Math.floor((100 * (max + min - s)) / max));
}

/** InterPodAffinity's NormalizeScore: (s - min) / (max - min) · 100 (all 0 when they are equal). */
export function normalizeMinMax(raw: number[]): number[] {
  const max = Math.max(...raw), min = Math.min(...raw);
  if (!raw.length || max === min) return raw.map(() => 0);
  return raw.map((s) => Math.floor(((s - min) * 100) / (max - min)));
}

/** Final scores for the feasible nodes, in order. */
export function scoreNodes(p: PodInfo, nodes: NodeInfo[]): number[] {
  // Without preferred node affinity terms every node's NodeAffinity score is 0, and without
  // PreferNoSchedule taints every node's normalised TaintToleration score is 100: not computed.
  const aff = Array.isArray(p.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution)
    ? normalize(nodes.map((n) => preferredNodeAffinity(p, n)), false) : undefined;
  const tnt = nodes.some((n) => n.taints.length) ? normalize(nodes.map((n) => intolerablePreferNoSchedule(p, n)), true) : undefined;
  const ipa = p.preferredInterPod ? normalizeMinMax(nodes.map((n) => preferredInterPodScore(p.preferredInterPod!, n))) : undefined;
  const pts = p.spreadAnyway ? normalizeSpread(nodes.map((n) => spreadScore(p.spreadAnyway!, n))) : undefined;
  return nodes.map((n, i) => scoreNode(p, n) + NODE_AFFINITY_WEIGHT * (aff ? aff[i] : 0) + TAINT_TOLERATION_WEIGHT * (tnt ? tnt[i] : 100)
    + (ipa ? INTER_POD_AFFINITY_WEIGHT * ipa[i] : 0) + (pts ? TOPOLOGY_SPREAD_WEIGHT * pts[i] : 0));
}
