// The HorizontalPodAutoscaler controller: every 15 s of simulated time (and when an HPA changes) it
// reads the scale target's replicas and selector, the simulated usage of its Running pods
// (metrics/usage.ts), computes the desired replicas (algorithm.ts), scales the target and writes
// status (currentReplicas, desiredReplicas, currentMetrics, lastScaleTime, conditions).
import { rfc3339 } from '../../clock.ts';
import type { Clock } from '../../clock.ts';
import { fromLabelSelectorObject } from '../../api/selectors.ts';
import { findResource } from '../../registry/resources.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { AutoscalingV2CrossVersionObjectReference, AutoscalingV2HorizontalPodAutoscaler, AutoscalingV2HorizontalPodAutoscalerSpec, HorizontalPodAutoscalerCondition, Pod } from '../../types/generated.ts';
import { podUsage } from '../../metrics/usage.ts';
import { quantityValue } from '../../scheduler/quantity.ts';
import type { EventRecorder } from '../events.ts';
import { keyOf, runController, splitKey } from '../runtime.ts';
import type { Controller, Informer } from '../runtime.ts';
import { computeMetric, stabilize } from './algorithm.ts';
import { customReplicas, customScaleTarget, customSelector, scaledCustom } from './custom-target.ts';
import type { PodSample, Recommendation } from './algorithm.ts';

export const SYNC_PERIOD_MS = 15_000;

const TARGETS: Record<string, [string, string, string]> = {
  Deployment: ['apps', 'v1', 'deployments'], ReplicaSet: ['apps', 'v1', 'replicasets'],
  StatefulSet: ['apps', 'v1', 'statefulsets'], ReplicationController: ['', 'v1', 'replicationcontrollers'],
};

type Cond = { type: string; status: 'True' | 'False'; reason: string; message: string };

function conditions(old: HorizontalPodAutoscalerCondition[] | undefined, next: Cond[], now: number): HorizontalPodAutoscalerCondition[] {
  return next.map((c) => {
    const prev = (old ?? []).find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(now) };
  });
}

function samples(pods: Pod[]): PodSample[] {
  return pods.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp).map((p) => {
    const usage = { cpu: 0, memory: 0 }, requests = { cpu: 0, memory: 0 };
    for (const c of podUsage(p)) { usage.cpu += c.usage.cpuNanos / 1e9; usage.memory += c.usage.memoryBytes; }
    for (const c of p.spec?.containers ?? []) { requests.cpu += quantityValue(c.resources?.requests?.cpu); requests.memory += quantityValue(c.resources?.requests?.memory); }
    return { name: p.metadata.name!, usage, requests };
  });
}

export function hpaController(deps: { store: Store; clock: Clock; hpas: Informer<AutoscalingV2HorizontalPodAutoscaler>; recorder: EventRecorder; log?: (m: string) => void }): Controller {
  const { store, clock, hpas, recorder } = deps;
  const hpaRes = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
  const podsRes = findResource('', 'v1', 'pods')!;
  const history = new Map<string, Recommendation[]>();

  // Undefined fields are dropped so an unchanged status is a no-op write.
  async function writeStatus(hpa: AutoscalingV2HorizontalPodAutoscaler, status: Record<string, any>): Promise<void> {
    await store.guaranteedUpdate(hpaRes, hpa.metadata.namespace, hpa.metadata.name!, (cur) => ({ ...cur, status: JSON.parse(JSON.stringify({ ...status, conditions: conditions(cur.status?.conditions, status.conditions, clock.now()) })) }), { subresource: 'status' });
  }

  async function reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const hpa: AutoscalingV2HorizontalPodAutoscaler | undefined = await store.tryGet(hpaRes, namespace, name);
    if (!hpa) { history.delete(key); seen.delete(key); return; }
    const spec: Partial<AutoscalingV2HorizontalPodAutoscalerSpec> = hpa.spec ?? {};
    const now = clock.now();
    const ref: Partial<AutoscalingV2CrossVersionObjectReference> = spec.scaleTargetRef ?? {};
    const base = { observedGeneration: hpa.metadata.generation, lastScaleTime: hpa.status?.lastScaleTime, currentReplicas: hpa.status?.currentReplicas ?? 0, desiredReplicas: hpa.status?.desiredReplicas ?? 0 };
    // An own key only: a kind such as `constructor` or `toString` must not find Object.prototype's members.
    const gvr = ref.kind !== undefined && Object.hasOwn(TARGETS, ref.kind) ? TARGETS[ref.kind] : undefined;
    const targetRes: ResourceInfo | undefined = gvr ? findResource(...gvr) : customScaleTarget(store.resources, ref);
    const target = targetRes ? await store.tryGet(targetRes, namespace, ref.name ?? '') : undefined;
    if (!targetRes || !target) {
      const message = `the HPA controller was unable to get the target's current scale: ${targetRes ? `${targetRes.resource}${targetRes.group ? `.${targetRes.group}` : ''} "${ref.name}" not found` : `no scale subresource for kind ${JSON.stringify(ref.kind)}`}`;
      recorder.event(hpa, 'Warning', 'FailedGetScale', message);
      await writeStatus(hpa, { ...base, conditions: [{ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message }] });
      return;
    }
    const current = targetRes.custom ? customReplicas(targetRes, target) : target.spec?.replicas ?? 1;
    const able: Cond = { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: 'the HPA controller was able to get the target\'s current scale' };
    const rawSel = ref.kind === 'ReplicationController' ? { matchLabels: target.spec?.selector ?? {} } : target.spec?.selector;
    const selector = targetRes.custom ? customSelector(targetRes, target) : fromLabelSelectorObject(rawSel) ?? [];
    if (!selector) {
      await writeStatus(hpa, { ...base, currentReplicas: current, conditions: [able, { type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: 'the HPA target\'s scale is missing a selector' }] });
      return;
    }
    const pods = (await store.list(podsRes, namespace, { labelSelector: selector })).items.map((e) => e.obj);
    if (current === 0) {
      await writeStatus(hpa, { ...base, currentReplicas: 0, desiredReplicas: 0, conditions: [able, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }] });
      return;
    }
    const ps = samples(pods);
    let raw = -1, why = '';
    const currentMetrics: any[] = [];
    for (const m of spec.metrics ?? []) {
      const r = computeMetric(m, current, ps);
      if (r.error) {
        recorder.event(hpa, 'Warning', r.error.reason, r.error.message);
        await writeStatus(hpa, { ...base, currentReplicas: current, conditions: [able, { type: 'ScalingActive', status: 'False', reason: r.error.reason, message: r.error.message }] });
        return;
      }
      currentMetrics.push(r.current);
      if (r.replicas! > raw) { raw = r.replicas!; why = r.description!; }
    }
    // As upstream, a newly seen HPA starts its history with the current count, so it cannot scale down
    // before a whole stabilization window has passed. An hour (the longest window allowed) is kept.
    const hist = (history.get(key) ?? [{ at: now, replicas: current }]).filter((h) => now - h.at <= 3_600_000);
    const { replicas, limited } = stabilize(spec, current, raw, hist, now);
    hist.push({ at: now, replicas: raw });
    history.set(key, hist);
    let lastScaleTime = base.lastScaleTime;
    if (replicas !== current) {
      await store.guaranteedUpdate(targetRes, namespace, ref.name ?? '', (cur) => (targetRes.custom ? scaledCustom(targetRes, cur, replicas) : { ...cur, spec: { ...cur.spec, replicas } }));
      lastScaleTime = rfc3339(now);
      recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${replicas}; reason: ${replicas > current ? `${why} above target` : 'All metrics below target'}`);
    }
    await writeStatus(hpa, {
      ...base, lastScaleTime, currentReplicas: current, desiredReplicas: replicas, currentMetrics,
      conditions: [
        { ...able, reason: replicas !== current ? 'SucceededRescale' : 'ReadyForNewScale', message: replicas !== current ? `the HPA controller was able to update the target scale to ${replicas}` : 'recommended size matches current size' },
        { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${why}` },
        limited ? { type: 'ScalingLimited', status: 'True', ...limited } : { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
      ],
    });
  }

  // Reconcile when an HPA is new or its spec changed (not on its own status writes); the rest is periodic.
  const seen = new Map<string, unknown>();
  const onSpec = (o: AutoscalingV2HorizontalPodAutoscaler) => { const k = keyOf(o); if (seen.get(k) === o.metadata.generation) return []; seen.set(k, o.metadata.generation); return [k]; };
  const ctl = runController({ name: 'horizontal-pod-autoscaler', clock, watch: [{ informer: hpas, toKeys: onSpec }], reconcile, log: deps.log, workers: 1 });
  const timer = clock.setInterval(() => { for (const o of hpas.list()) ctl.queue.add(keyOf(o)); }, SYNC_PERIOD_MS);
  return { ...ctl, stop: () => { timer.cancel(); ctl.stop(); } };
}
