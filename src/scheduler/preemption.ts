// Upstream's DefaultPreemption PostFilter, the part that decides (scheduler.ts carries it out):
// for a pod that passed no node's filters, the nodes where removing pods could help (failures of
// NodeResourcesFit, NodePorts, anti-affinity and topology spread skew; not node selectors, affinity,
// taints, cordons, the pod's own required affinity or missing topology labels, which upstream marks
// UnschedulableAndUnresolvable), the victims on each (victims.ts), and the node chosen by upstream's
// pickOneNodeForPreemption criteria. When nothing helps, the reasons per node make the
// "preemption: 0/N nodes are available: ..." part of the FailedScheduling message.
import type { Pod, PodDisruptionBudget } from '../types/generated.ts';
import type { NodeInfo } from './nodeinfo.ts';
import type { PodInfo } from './filters.ts';
import { unschedulableMessage } from './filters.ts';
import { AFFINITY_REASON } from './interpod.ts';
import type { NamespaceLabels } from './interpod.ts';
import { SPREAD_LABEL_REASON } from './spread.ts';
import { VOLUME_REASONS } from './volumes.ts';
import { NO_VICTIMS, podPriority, selectVictims } from './victims.ts';
import type { ExtraPod, NodePod } from './victims.ts';

export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const POLICY_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const TERMINATING_VICTIM = 'not eligible due to a terminating pod on the nominated node.';

/** Failures removing pods cannot fix (upstream's UnschedulableAndUnresolvable statuses). */
export function unresolvable(reason: string): boolean {
  return reason === 'node(s) were unschedulable' || reason.startsWith('node(s) had untolerated taint ') ||
    reason === "node(s) didn't match Pod's node affinity/selector" || reason === AFFINITY_REASON || reason === SPREAD_LABEL_REASON ||
    VOLUME_REASONS.includes(reason);
}

/** A pod deleted by an earlier preemption and not gone yet (upstream's podTerminatingByPreemption). */
export function terminatingByPreemption(p: Pod): boolean {
  return !!p.metadata.deletionTimestamp && (p.status?.conditions ?? [])
    .some((c) => c.type === 'DisruptionTarget' && c.reason === 'PreemptionByScheduler');
}

/** How many nodes to dry-run at most (upstream's GetOffsetAndNumCandidates: 10%, at least 100). */
export function candidatesToFind(potential: number): number {
  return Math.min(potential, Math.max(100, Math.floor(potential / 10)));
}

export interface Candidate { node: NodeInfo; victims: NodePod[]; pdbViolations: number }

export interface PreemptionInput {
  pi: PodInfo;
  /** Every node, with its filter failures this cycle. */
  failed: [NodeInfo, string[]][];
  /** The pod's nominated node, if any. */
  nominatedNode?: string;
  podsOn(node: string): NodePod[];
  /** Some placed pod has a lower priority than the preemptor (else no node has victims). */
  anyLower: boolean;
  /** Nominated pods of ≥ priority (not the preemptor) on a node. */
  nominatedOn(node: string): ExtraPod[];
  pdbs: PodDisruptionBudget[];
  nsLabels: NamespaceLabels;
  /** In [0, 1): where to start the dry run among the potential nodes, as upstream's random offset. */
  random(): number;
}

export type PreemptionResult =
  | { candidate: Candidate }
  /** clearNominated: upstream drops the pod's nominated node when preemption helps nowhere. */
  | { message: string; clearNominated?: boolean };

export function preempt(inp: PreemptionInput): PreemptionResult {
  const { pi } = inp;
  if (pi.pod.spec?.preemptionPolicy === 'Never') return { message: POLICY_NEVER };
  const total = inp.failed.length;
  const reasons = new Map<string, number>();
  const count = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
  const potential: NodeInfo[] = [];
  let nominatedResolvable = false;
  for (const [ni, fail] of inp.failed) {
    if (fail.some(unresolvable)) { count(NOT_HELPFUL); continue; }
    potential.push(ni);
    if (ni.name === inp.nominatedNode) nominatedResolvable = true;
  }
  // Victims of an earlier preemption still terminating on the nominated node: wait for them.
  if (nominatedResolvable) {
    const prio = podPriority(pi.pod);
    if (inp.podsOn(inp.nominatedNode!).some((p) => p.priority < prio && terminatingByPreemption(p.pod))) return { message: TERMINATING_VICTIM };
  }
  if (!potential.length) return { message: unschedulableMessage(total, reasons), clearNominated: true };
  if (!inp.anyLower) { for (let i = 0; i < potential.length; i++) count(NO_VICTIMS); return { message: unschedulableMessage(total, reasons) }; }
  const want = candidatesToFind(potential.length);
  const offset = Math.floor(inp.random() * potential.length);
  const candidates: Candidate[] = [];
  for (let i = 0; i < potential.length && candidates.length < want; i++) {
    const ni = potential[(offset + i) % potential.length];
    const r = selectVictims(pi, ni, inp.podsOn(ni.name), inp.nominatedOn(ni.name), inp.pdbs, inp.nsLabels);
    if ('reasons' in r) { for (const x of r.reasons) count(x); continue; }
    candidates.push({ node: ni, ...r });
  }
  if (!candidates.length) return { message: unschedulableMessage(total, reasons) };
  return { candidate: pickCandidate(candidates) };
}

const OFFSET = 2 ** 31; // upstream shifts priorities by MaxInt32+1 so that sums compare as counts would

/** Upstream's pickOneNodeForPreemption: each criterion narrows the field until one is left. */
export function pickCandidate(cs: Candidate[]): Candidate {
  const none = cs.find((c) => !c.victims.length);
  if (none) return none;
  const highestStart = (c: Candidate) => {
    const top = c.victims[0].priority; // victims are sorted, most important first
    return Math.min(...c.victims.filter((v) => v.priority === top).map((v) => v.start));
  };
  const criteria: ((c: Candidate) => number)[] = [
    (c) => -c.pdbViolations, // fewest PDB violations
    (c) => -c.victims[0].priority, // lowest highest-priority victim
    (c) => -c.victims.reduce((s, v) => s + v.priority + OFFSET, 0), // smallest sum of priorities
    (c) => -c.victims.length, // fewest victims
    (c) => highestStart(c), // latest start of the highest-priority victims
  ];
  let field = cs;
  for (const score of criteria) {
    if (field.length === 1) break;
    const scores = field.map(score);
    const best = Math.max(...scores);
    field = field.filter((_, i) => scores[i] === best);
  }
  return field[0];
}
