// What the scheduler knows about a node and a pod, precomputed once per change so that filtering
// thousands of nodes per pod is a few comparisons each.
import type { Node, Pod, Taint, Toleration } from '../types/generated.ts';
import { milliValue, quantityValue } from './quantity.ts';

export type Resources = Record<string, number>; // cpu in millicores; others in base units; 'pods' a count

export type { Taint, Toleration };

export interface NodeInfo {
  name: string;
  node: Node;
  labels: Record<string, string>;
  ready: boolean;
  unschedulable: boolean;
  taints: Taint[];
  allocatable: Resources;
  requested: Resources;
  /** Requests with upstream's non-zero defaults for pods that request nothing (100m cpu, 200Mi memory): for scoring. */
  nonZero: { cpu: number; memory: number };
  podCount: number;
  /** Host ports taken by the node's pods (NodePorts filter); usually empty. */
  usedPorts: HostPort[];
}

/** A container port bound on the node: hostIP '0.0.0.0' (the default) means every address. */
export interface HostPort { ip: string; protocol: string; port: number }

/** The host ports a pod asks for, with upstream's defaults (protocol TCP, hostIP 0.0.0.0). */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const cp of c?.ports ?? []) {
      const port = Number(cp?.hostPort);
      if (!(port > 0)) continue;
      out.push({ ip: cp.hostIP || '0.0.0.0', protocol: cp.protocol || 'TCP', port });
    }
  }
  return out;
}

export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 2 ** 20;
export function nonZero(req: Resources): { cpu: number; memory: number } {
  return { cpu: req.cpu || DEFAULT_MILLI_CPU, memory: req.memory || DEFAULT_MEMORY };
}

/** Count a pod's requests and ports onto (sign 1) or off (sign -1) a node's accounting. */
export function adjustNodeInfo(ni: NodeInfo, req: Resources, sign: 1 | -1, ports: HostPort[]): void {
  if (ports.length) {
    if (sign > 0) ni.usedPorts = [...ni.usedPorts, ...ports];
    else ni.usedPorts = ni.usedPorts.filter((u) => !ports.includes(u));
  }
  for (const [k, v] of Object.entries(req)) ni.requested[k] = (ni.requested[k] ?? 0) + sign * v;
  const nz = nonZero(req);
  ni.nonZero.cpu += sign * nz.cpu; ni.nonZero.memory += sign * nz.memory;
  ni.podCount += sign;
}

/** A copy whose accounting can be changed without touching the scheduler's (what-ifs). */
export function cloneNodeInfo(ni: NodeInfo): NodeInfo {
  return { ...ni, requested: { ...ni.requested }, nonZero: { ...ni.nonZero }, usedPorts: [...ni.usedPorts] };
}

function toResources(list: Record<string, unknown> | undefined): Resources {
  const out: Resources = {};
  for (const [k, v] of Object.entries(list ?? {})) out[k] = k === 'cpu' ? milliValue(v) : quantityValue(v);
  return out;
}

export function nodeInfoFor(node: Node, prev?: NodeInfo): NodeInfo {
  const ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    name: node.metadata.name!, node,
    labels: node.metadata.labels ?? {},
    ready, unschedulable: !!node.spec?.unschedulable,
    taints: node.spec?.taints ?? [],
    allocatable: toResources(node.status?.allocatable ?? node.status?.capacity),
    requested: prev?.requested ?? {}, nonZero: prev?.nonZero ?? { cpu: 0, memory: 0 }, podCount: prev?.podCount ?? 0,
    usedPorts: prev?.usedPorts ?? [],
  };
}

/**
 * A pod's effective requests: the larger of the sum over containers and the largest init
 * container, plus overhead. A container with limits but no requests requests its limits.
 */
export function podRequests(pod: Pod): Resources {
  const of = (c: { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }) =>
    toResources({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) });
  const sum: Resources = {};
  for (const c of pod.spec?.containers ?? []) for (const [k, v] of Object.entries(of(c))) sum[k] = (sum[k] ?? 0) + v;
  for (const c of pod.spec?.initContainers ?? []) for (const [k, v] of Object.entries(of(c))) sum[k] = Math.max(sum[k] ?? 0, v);
  for (const [k, v] of Object.entries(toResources(pod.spec?.overhead))) sum[k] = (sum[k] ?? 0) + v;
  return sum;
}
