// Pod readiness gates (spec.readinessGates), as upstream's kubelet applies them when it generates a
// pod's Ready condition: once every container is ready (ContainersReady True), the pod is Ready only
// if each gate's condition type is present in status.conditions with status "True". Other controllers
// set those conditions through the status subresource; the kubelet looks again when the pod changes.
// Both simulated kubelets (the stage table and the container runtime) build Ready through here.
import type { Pod } from '../types/generated.ts';

interface Cond { type: string; status: string; reason?: string; message?: string; lastProbeTime?: null; lastTransitionTime?: string }

/** Upstream's reason for a Ready condition held False by readiness gates. */
export const GATES_NOT_READY = 'ReadinessGatesNotReady';

/** Why the gates keep the pod from Ready ('' when every gate is met), in upstream's words. */
export function unmetGates(pod: Pod, conds: readonly Cond[]): string {
  const gates = pod.spec?.readinessGates;
  if (!Array.isArray(gates) || !gates.length) return '';
  const msgs: string[] = [];
  for (const g of gates) {
    const type = String(g?.conditionType ?? '');
    const c = conds.find((x) => x.type === type);
    if (!c) msgs.push(`corresponding condition of pod readiness gate ${JSON.stringify(type)} does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate ${JSON.stringify(type)} is not "True", but ${c.status}`);
  }
  return msgs.join(', ');
}

/**
 * The Ready condition of a pod whose containers are all ready: True, or False with reason
 * ReadinessGatesNotReady while a gate is unmet. `conds` are the conditions the pod is being given.
 */
export function readyCondition(pod: Pod, conds: readonly Cond[], now: string): Cond {
  const unmet = unmetGates(pod, conds);
  return unmet
    ? { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: GATES_NOT_READY, message: unmet }
    : { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now };
}

/**
 * True when the pod's containers are ready and its Ready condition does not say what its gates say
 * now (a gate's condition was set or changed since Ready was written): the kubelet writes Ready again.
 */
export function gatesOutOfDate(pod: Pod): boolean {
  const gates = pod.spec?.readinessGates;
  if (!Array.isArray(gates) || !gates.length) return false;
  const conds = (pod.status?.conditions ?? []) as Cond[];
  if (conds.find((c) => c.type === 'ContainersReady')?.status !== 'True') return false;
  const ready = conds.find((c) => c.type === 'Ready');
  const want = readyCondition(pod, conds, '');
  return !ready || ready.status !== want.status || (ready.reason ?? '') !== (want.reason ?? '') || (ready.message ?? '') !== (want.message ?? '');
}
