// The kubelet's admission of a pod that arrives on its node (after upstream's predicateAdmitHandler
// in pkg/kubelet/lifecycle): before anything runs, the pod is checked against the pods the kubelet
// has already admitted there. A pod bound straight to the node (spec.nodeName, no scheduler) can ask
// for a hostPort another pod holds; the kubelet then refuses it: phase Failed, reason NodePorts,
// message "Pod was rejected: Predicate NodePorts failed: …", and a Warning event with the same
// reason. Controllers see a Failed pod and replace it (StatefulSet, DaemonSet, ReplicaSet).
import type { Pod } from '../types/generated.ts';
import { podHostPorts } from '../scheduler/nodeinfo.ts';
import { portsConflict } from '../scheduler/filters.ts';
import { qosClass } from './builtins.ts';

export interface Rejection { reason: string; message: string }

const NODE_PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";

/** Why `pod` cannot run next to `admitted` (the node's other active pods), or undefined when it can. */
export function admissionFailure(pod: Pod, admitted: Pod[]): Rejection | undefined {
  const wanted = podHostPorts(pod);
  if (wanted.length) {
    const used = admitted.filter((p) => p.metadata.uid !== pod.metadata.uid).flatMap(podHostPorts);
    if (wanted.some((w) => used.some((u) => portsConflict(w, u)))) {
      return { reason: 'NodePorts', message: `Predicate NodePorts failed: ${NODE_PORTS_REASON}` };
    }
  }
  return undefined;
}

/** The status the kubelet writes for a refused pod (upstream's rejectPod): Failed, with the reason. */
export function rejectedStatus(pod: Pod, r: Rejection): Record<string, any> {
  return { ...(pod.status ?? {}), phase: 'Failed', reason: r.reason, message: `Pod was rejected: ${r.message}`, qosClass: qosClass(pod) };
}

/** A pod that holds its admission: bound here, not terminal (deleting pods still hold their ports). */
export const holdsAdmission = (p: Pod): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** A pod the kubelet has yet to admit: no container statuses written, no terminal phase, not being deleted. */
export const awaitsAdmission = (p: Pod): boolean => !p.metadata.deletionTimestamp && !p.status?.containerStatuses && holdsAdmission(p);
