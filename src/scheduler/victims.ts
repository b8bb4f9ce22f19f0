// Upstream DefaultPreemption's SelectVictimsOnNode, as a pure function: on a copy of the node's
// accounting, take off every pod of lower priority than the preemptor; if the preemptor then passes
// the filters, give back ("reprieve") as many of them as possible, most important first — first
// those whose eviction would violate a PodDisruptionBudget, then the others — keeping as victims
// only the pods without which it would no longer fit.
import type { Pod, PodDisruptionBudget } from '../types/generated.ts';
import { matchLabels } from '../api/selectors.ts';
import { selectorOf, cloneInterPod, shiftInterPod } from './interpod.ts';
import type { NamespaceLabels } from './interpod.ts';
import type { HostPort, NodeInfo, Resources } from './nodeinfo.ts';
import { adjustNodeInfo, cloneNodeInfo } from './nodeinfo.ts';
import type { PodInfo } from './filters.ts';
import { filterNodeAffinity, filterTaints, runFilters } from './filters.ts';
import { cloneSpread, shiftSpread } from './spread.ts';

/** A pod counted on the node. `start`: status.startTime in ms (now if it has not started). */
export interface NodePod { key: string; pod: Pod; priority: number; start: number; req: Resources; ports: HostPort[] }

/** Pods of the node's accounting a pod's filters must see as if placed (nominated pods of ≥ priority). */
export interface ExtraPod { req: Resources; ports: HostPort[] }

export const NO_VICTIMS = 'No preemption victims found for incoming pod';

export const podPriority = (p: Pod | undefined): number => (typeof p?.spec?.priority === 'number' ? p.spec.priority : 0);

/** Upstream's MoreImportantPod: higher priority, then the earlier start. */
export const moreImportant = (a: NodePod, b: NodePod) => (b.priority - a.priority) || (a.start - b.start);

/** Splits pods (in order) into those whose eviction would violate a PDB and the rest, as upstream's filterPodsWithPDBViolation. */
export function splitByPdb(pods: NodePod[], pdbs: PodDisruptionBudget[]): { violating: NodePod[]; ok: NodePod[] } {
  const allowed = pdbs.map((b) => Number(b.status?.disruptionsAllowed ?? 0));
  const selectors = pdbs.map((b) => selectorOf(b.spec?.selector));
  const violating: NodePod[] = [], ok: NodePod[] = [];
  for (const p of pods) {
    let violated = false;
    const labels = p.pod.metadata.labels ?? {};
    pdbs.forEach((b, i) => {
      const sel = selectors[i];
      if (b.metadata.namespace !== p.pod.metadata.namespace || !sel || !sel.length || !matchLabels(sel, labels)) return;
      // Already counted as disrupted by this budget.
      if (b.status?.disruptedPods?.[p.pod.metadata.name!] !== undefined) return;
      if (--allowed[i] < 0) violated = true;
    });
    (violated ? violating : ok).push(p);
  }
  return { violating, ok };
}

export type VictimChoice = { victims: NodePod[]; pdbViolations: number } | { reasons: string[] };

export function selectVictims(pi: PodInfo, ni: NodeInfo, onNode: NodePod[], extra: ExtraPod[], pdbs: PodDisruptionBudget[], nsLabels: NamespaceLabels): VictimChoice {
  const prio = podPriority(pi.pod);
  const potential = onNode.filter((p) => p.priority < prio).sort(moreImportant);
  if (!potential.length) return { reasons: [NO_VICTIMS] };
  const sim = cloneNodeInfo(ni);
  for (const e of extra) adjustNodeInfo(sim, e.req, 1, e.ports);
  const trial: PodInfo = { ...pi, interPod: pi.interPod && cloneInterPod(pi.interPod), spread: pi.spread && cloneSpread(pi.spread) };
  const policies = { matchesAffinity: (n: NodeInfo) => !filterNodeAffinity(pi, n).length, toleratesTaints: (n: NodeInfo) => !filterTaints(pi, n).length };
  const shift = (p: NodePod, sign: 1 | -1) => {
    adjustNodeInfo(sim, p.req, sign, p.ports);
    if (trial.interPod) shiftInterPod(trial.interPod, pi.pod, p.pod, ni.labels, sign, nsLabels);
    if (trial.spread) shiftSpread(trial.spread, pi.pod.metadata.namespace, p.pod, ni, sign, policies);
  };
  for (const p of potential) shift(p, -1);
  const fail = runFilters(trial, sim);
  if (fail.length) return { reasons: fail };
  const victims: NodePod[] = [];
  const reprieve = (p: NodePod): boolean => {
    shift(p, 1);
    if (!runFilters(trial, sim).length) return true;
    shift(p, -1);
    victims.push(p);
    return false;
  };
  const { violating, ok } = splitByPdb(potential, pdbs);
  let pdbViolations = 0;
  for (const p of violating) if (!reprieve(p)) pdbViolations++;
  for (const p of ok) reprieve(p);
  victims.sort(moreImportant);
  return { victims, pdbViolations };
}
