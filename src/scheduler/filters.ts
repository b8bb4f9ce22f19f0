// Filters, as pure functions: each returns the reasons a node cannot take the pod ([] = fits),
// worded as upstream's plugins word them (they end up in "0/3 nodes are available: ..." messages).
// Order follows upstream's default plugin order; the first filter that fails decides for a node.
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../types/generated.ts';
import type { HostPort, NodeInfo, Resources, Taint, Toleration } from './nodeinfo.ts';
import { checkInterPod } from './interpod.ts';
import type { InterPodState, PreferredInterPodState } from './interpod.ts';
import { checkSpread } from './spread.ts';
import type { SpreadState } from './spread.ts';

export interface PodInfo {
  pod: Pod; requests: Resources; tolerations: Toleration[]; hostPorts?: HostPort[];
  /** Set by the scheduler when inter-pod (anti-)affinity constrains this attempt. */
  interPod?: InterPodState;
  /** Set by the scheduler when DoNotSchedule topology spread constraints apply. */
  spread?: SpreadState;
  /** Set by the scheduler when ScheduleAnyway topology spread constraints apply (scoring only). */
  spreadAnyway?: SpreadState;
  /** Set by the scheduler when the pod's PersistentVolumeClaims constrain nodes (volumes.ts). */
  volumes?: (n: NodeInfo) => string[];
  /** Set by the scheduler when the pod has preferred inter-pod (anti-)affinity terms. */
  preferredInterPod?: PreferredInterPodState;
}

export function tolerates(tols: Toleration[], t: Taint): boolean {
  return tols.some((tol) => {
    if (tol.effect && tol.effect !== t.effect) return false;
    if (!tol.key) return tol.operator === 'Exists';
    if (tol.key !== t.key) return false;
    if (tol.operator === 'Exists') return true;
    return (tol.value ?? '') === (t.value ?? '');
  });
}

/** What a filter returns for a node that fits: shared, never changed (frozen, so a push would throw). */
const FITS: string[] = Object.freeze([]) as unknown as string[];

export function filterUnschedulable(p: PodInfo, n: NodeInfo): string[] {
  if (!n.unschedulable) return FITS;
  return tolerates(p.tolerations, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }) ? FITS : ['node(s) were unschedulable'];
}

/** Taints with effect NoSchedule/NoExecute must be tolerated; a NotReady node counts as tainted not-ready. */
export function filterTaints(p: PodInfo, n: NodeInfo): string[] {
  if (n.ready && !n.taints.length) return FITS;
  const taints = n.ready ? n.taints : [...n.taints, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }];
  for (const t of taints) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    if (!tolerates(p.tolerations, t)) return [`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`];
  }
  return FITS;
}

type Requirement = NodeSelectorRequirement;
function matchRequirement(r: Requirement, get: (k: string) => string | undefined): boolean {
  const v = get(r.key);
  switch (r.operator) {
    case 'In': return v !== undefined && (r.values ?? []).includes(v);
    case 'NotIn': return v === undefined || !(r.values ?? []).includes(v);
    case 'Exists': return v !== undefined;
    case 'DoesNotExist': return v === undefined;
    case 'Gt': return v !== undefined && /^-?\d+$/.test(v) && Number(v) > Number(r.values?.[0]);
    case 'Lt': return v !== undefined && /^-?\d+$/.test(v) && Number(v) < Number(r.values?.[0]);
    default: return false;
  }
}

/** One nodeSelectorTerm: all expressions and fields must match (an empty term matches nothing). */
export function matchNodeSelectorTerm(term: NodeSelectorTerm, n: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [], fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  return exprs.every((r) => matchRequirement(r, (k) => n.labels[k])) &&
    fields.every((r) => matchRequirement(r, (k) => (k === 'metadata.name' ? n.name : undefined)));
}

export function filterNodeAffinity(p: PodInfo, n: NodeInfo): string[] {
  const sel = p.pod.spec?.nodeSelector;
  const fail = () => ["node(s) didn't match Pod's node affinity/selector"];
  if (sel) for (const k in sel) if (Object.hasOwn(sel, k) && n.labels[k] !== sel[k]) return fail();
  const terms = p.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (Array.isArray(terms) && terms.length && !terms.some((t) => typeof t === 'object' && t !== null && matchNodeSelectorTerm(t, n))) return fail();
  return FITS;
}

/** Two host ports clash: same port and protocol on overlapping host IPs (0.0.0.0 is every address). */
export const portsConflict = (a: HostPort, b: HostPort) =>
  a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');

/** Upstream's NodePorts: a wanted hostPort/protocol must not be bound on an overlapping hostIP. */
export function filterHostPorts(p: PodInfo, n: NodeInfo): string[] {
  if (!p.hostPorts?.length || !n.usedPorts.length) return FITS;
  const clash = p.hostPorts.some((w) => n.usedPorts.some((u) => portsConflict(w, u)));
  return clash ? ["node(s) didn't have free ports for the requested pod ports"] : FITS;
}

/** Requests against allocatable minus what the node's pods already request. */
export function filterResources(p: PodInfo, n: NodeInfo): string[] {
  let out: string[] | undefined;
  const maxPods = n.allocatable.pods ?? 110;
  if (n.podCount + 1 > maxPods) (out ??= []).push('Too many pods');
  const req = p.requests;
  for (const k in req) {
    const want = req[k];
    if (!want || !Object.hasOwn(req, k)) continue;
    const free = (n.allocatable[k] ?? 0) - (n.requested[k] ?? 0);
    if (want > free) (out ??= []).push(`Insufficient ${k}`);
  }
  return out ?? FITS;
}

/** Upstream's VolumeBinding: bound volumes' node affinity, volumes a WaitForFirstConsumer claim could bind to. */
export function filterVolumeBinding(p: PodInfo, n: NodeInfo): string[] {
  return p.volumes ? p.volumes(n) : FITS;
}

export function filterTopologySpread(p: PodInfo, n: NodeInfo): string[] {
  return p.spread ? checkSpread(p.spread, n) : FITS;
}

export function filterInterPodAffinity(p: PodInfo, n: NodeInfo): string[] {
  return p.interPod ? checkInterPod(p.interPod, n) : FITS;
}

export const FILTERS: ((p: PodInfo, n: NodeInfo) => string[])[] = [filterUnschedulable, filterTaints, filterNodeAffinity, filterHostPorts, filterResources, filterVolumeBinding, filterTopologySpread, filterInterPodAffinity];

export function runFilters(p: PodInfo, n: NodeInfo): string[] {
  for (const f of FILTERS) { const r = f(p, n); if (r.length) return r; }
  return FITS;
}

/** "0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu." (reasons sorted, as upstream). */
export function unschedulableMessage(total: number, reasons: Map<string, number>): string {
  if (total === 0) return 'no nodes available to schedule pods';
  const parts = [...reasons].map(([r, c]) => `${c} ${r}`).sort();
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}
