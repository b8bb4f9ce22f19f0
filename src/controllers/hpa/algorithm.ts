// The HorizontalPodAutoscaler's replica computation for Resource metrics (upstream's
// replica_calculator and horizontal.go, simplified): pure functions over pod usage samples.
//   ratio = current / target; within 10% tolerance → keep; else desired = ceil(ratio × pods with metrics)
//   scale-up: stabilization (default 0 s) then at most max(2 × current, current + 4) per period
//   scale-down: the highest recommendation of the stabilization window (default 300 s)
//   finally clamped to [minReplicas, maxReplicas]
// Simplification (stated in the README): pods without metrics (not Running) are left out of the
// average instead of being assumed at 0% / 100% as upstream does.
import { quantityValue } from '../../scheduler/quantity.ts';
import type { AutoscalingV2HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget } from '../../types/generated.ts';

export const TOLERANCE = 0.1;

export interface PodSample { name: string; /** usage per resource, base units (cores, bytes) */ usage: { cpu: number; memory: number }; requests: { cpu: number; memory: number } }

export interface MetricResult {
  /** Desired replicas for this metric, or an error explaining why none could be computed. */
  replicas?: number; error?: { reason: string; message: string };
  /** status.currentMetrics entry */
  current?: Record<string, any>;
  /** human text for events, e.g. "cpu resource utilization (percentage of request)" */
  description?: string;
}

export function computeMetric(metric: MetricSpec, currentReplicas: number, pods: PodSample[]): MetricResult {
  if (metric?.type !== 'Resource') {
    return { error: { reason: 'InvalidMetricSourceType', message: `the HPA was unable to compute the replica count: metric type ${JSON.stringify(metric?.type)} is not supported by Skiff (only Resource metrics are)` } };
  }
  const name = metric.resource?.name as 'cpu' | 'memory';
  const target: Partial<MetricTarget> = metric.resource?.target ?? {};
  if (name !== 'cpu' && name !== 'memory') {
    return { error: { reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: unable to get metrics for resource ${name}: no metrics returned from resource metrics API` } };
  }
  if (!pods.length) {
    return { error: { reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: unable to get metrics for resource ${name}: no metrics returned from resource metrics API` } };
  }
  const usage = pods.reduce((s, p) => s + p.usage[name], 0);
  const scale = (ratio: number) => (Math.abs(ratio - 1) <= TOLERANCE ? currentReplicas : Math.ceil(ratio * pods.length));
  if (target.type === 'Utilization') {
    const missing = pods.find((p) => !(p.requests[name] > 0));
    if (missing) return { error: { reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: failed to get ${name} utilization: missing request for ${name} in container of Pod ${missing.name}` } };
    const requests = pods.reduce((s, p) => s + p.requests[name], 0);
    const utilization = Math.floor((usage * 100) / requests);
    const ratio = usage / requests / ((target.averageUtilization ?? 0) / 100);
    return {
      replicas: scale(ratio), description: `${name} resource utilization (percentage of request)`,
      current: { type: 'Resource', resource: { name, current: { averageUtilization: utilization, averageValue: formatQuantity(name, usage / pods.length) } } },
    };
  }
  if (target.type === 'AverageValue') {
    const want = quantityValue(target.averageValue);
    const average = usage / pods.length;
    const ratio = want > 0 ? average / want : Infinity;
    return {
      replicas: scale(ratio), description: `${name} resource`,
      current: { type: 'Resource', resource: { name, current: { averageValue: formatQuantity(name, average) } } },
    };
  }
  return { error: { reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: target type ${JSON.stringify(target.type)} is not supported for resource metric ${name}` } };
}

/** cpu as millicores, memory as whole bytes (what the status shows). */
export function formatQuantity(name: 'cpu' | 'memory', v: number): string {
  return name === 'cpu' ? `${Math.ceil(v * 1000 - 1e-9)}m` : `${Math.ceil(v)}`;
}

export interface Recommendation { at: number; replicas: number }

/**
 * Apply behavior (stabilization windows, the default scale-up limit) and min/max to the raw
 * recommendation. `history` holds earlier recommendations; the caller keeps the returned one.
 */
export function stabilize(spec: Partial<AutoscalingV2HorizontalPodAutoscalerSpec>, current: number, raw: number, history: Recommendation[], now: number): { replicas: number; limited?: { reason: string; message: string } } {
  const upWindow = (spec.behavior?.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow = (spec.behavior?.scaleDown?.stabilizationWindowSeconds ?? 300) * 1000;
  let upRec = raw, downRec = raw;
  for (const h of history) {
    if (now - h.at < upWindow) upRec = Math.min(upRec, h.replicas);
    if (now - h.at < downWindow) downRec = Math.max(downRec, h.replicas);
  }
  let desired = current;
  if (raw > current) desired = Math.max(current, upRec);
  else if (raw < current) desired = Math.min(current, downRec);
  const upLimit = Math.max(2 * current, current + 4);
  let limited: { reason: string; message: string } | undefined;
  if (desired > upLimit) { desired = upLimit; limited = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' }; }
  const min = spec.minReplicas ?? 1, max = spec.maxReplicas;
  if (max !== undefined && desired > max) { desired = max; limited = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }; }
  if (desired < min) { desired = min; limited = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }; }
  return { replicas: desired, limited };
}
