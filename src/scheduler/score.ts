// Scores, as pure functions (0..100, higher is better).
import type { NodeInfo } from './nodeinfo.ts';
import { nonZero } from './nodeinfo.ts';
import type { PodInfo } from './filters.ts';

/** Upstream's LeastAllocated over cpu and memory (equal weights), counting the incoming pod. */
export function leastAllocated(p: PodInfo, n: NodeInfo): number {
  let sum = 0, weights = 0;
  for (const r of ['cpu', 'memory']) {
    const cap = n.allocatable[r] ?? 0;
    if (cap <= 0) continue;
    // Pods without requests count as upstream's non-zero defaults (100m cpu, 200Mi memory).
    const used = n.nonZero[r as 'cpu' | 'memory'] + nonZero(p.requests)[r as 'cpu' | 'memory'];
    sum += used > cap ? 0 : ((cap - used) * 100) / cap;
    weights++;
  }
  return weights ? sum / weights : 0;
}

/** Upstream's BalancedAllocation: nodes whose cpu and memory fractions are close score higher. */
export function balancedAllocation(p: PodInfo, n: NodeInfo): number {
  const frac = (r: string) => {
    const cap = n.allocatable[r] ?? 0;
    return cap > 0 ? Math.min(1, ((n.requested[r] ?? 0) + (p.requests[r] ?? 0)) / cap) : 0;
  };
  const a = frac('cpu'), b = frac('memory');
  return (1 - Math.abs(a - b) / 2) * 100;
}

export function scoreNode(p: PodInfo, n: NodeInfo): number { return leastAllocated(p, n) + balancedAllocation(p, n); }
