// The HPA controller on a fake clock: a Deployment whose pods report 250% of their cpu request
// scales up on the next sync, with status, conditions and a SuccessfulRescale event; a target
// that is missing or a Pods metric is reported in the conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/registry/resources.ts';
import { startCluster, R, deployment } from './harness.ts';

const HPA = findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!;
const hpa = (name: string, target: string, metrics: any[], max = 10) => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 1, maxReplicas: max, metrics },
});
const cpu50 = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }];
const cond = (h: any, type: string) => h.status?.conditions?.find((c: any) => c.type === type);

test('cpu utilization above target scales the Deployment up and reports it', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    const d = deployment('busy', 1);
    d.spec.template.metadata.annotations = { 'skiff.dev/cpu-usage': '250m' };
    d.spec.template.spec.containers[0].resources = { requests: { cpu: '100m' } };
    await c.store.create(R.deployments, 'default', d);
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'busy')).status?.availableReplicas === 1, { what: 'rollout' });
    await c.store.create(HPA, 'default', hpa('busy', 'busy', cpu50));
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'busy')).spec.replicas === 5, { stepMs: 1000, what: 'scale-up to 5' });
    const h = await c.store.get(HPA, 'default', 'busy');
    assert.equal(h.status.desiredReplicas, 5);
    assert.equal(h.status.currentMetrics[0].resource.current.averageUtilization, 250);
    assert.ok(h.status.lastScaleTime);
    assert.equal(cond(h, 'ScalingActive').status, 'True');
    assert.equal(cond(h, 'ScalingLimited').reason, 'DesiredWithinRange', 'ratio 5 × 1 pod wants 5, exactly the default limit max(2×1, 1+4)');
    await c.settle();
    const events = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.kind === 'HorizontalPodAutoscaler');
    assert.ok(events.some((e) => e.reason === 'SuccessfulRescale' && e.message === 'New size: 5; reason: cpu resource utilization (percentage of request) above target'), JSON.stringify(events.map((e) => e.message)));
    // Five pods at 250% still want more: the next periods go on up to maxReplicas.
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'busy')).spec.replicas === 10, { stepMs: 1000, maxSteps: 200, what: 'scale-up to max' });
    await c.until(async () => cond(await c.store.get(HPA, 'default', 'busy'), 'ScalingLimited')?.reason === 'TooManyReplicas', { stepMs: 1000, maxSteps: 60, what: 'TooManyReplicas' });
  } finally { await c.close(); }
});

test('a missing target and a Pods metric are reported in the conditions, nothing is scaled', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await c.store.create(HPA, 'default', hpa('ghost', 'nothing-here', cpu50));
    await c.until(async () => cond(await c.store.get(HPA, 'default', 'ghost'), 'AbleToScale')?.reason === 'FailedGetScale', { stepMs: 1000, what: 'FailedGetScale' });
    await c.store.create(R.deployments, 'default', deployment('web', 1));
    await c.store.create(HPA, 'default', hpa('pods-metric', 'web', [{ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } }]));
    await c.until(async () => cond(await c.store.get(HPA, 'default', 'pods-metric'), 'ScalingActive')?.reason === 'InvalidMetricSourceType', { stepMs: 1000, what: 'InvalidMetricSourceType' });
    const h = await c.store.get(HPA, 'default', 'pods-metric');
    assert.equal(cond(h, 'ScalingActive').status, 'False');
    assert.equal((await c.store.get(R.deployments, 'default', 'web')).spec.replicas, 1);
  } finally { await c.close(); }
});

test('scale-down waits for the 300 s stabilization window', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    const d = deployment('idle', 4);
    d.spec.template.metadata.annotations = { 'skiff.dev/cpu-usage': '10m' };
    d.spec.template.spec.containers[0].resources = { requests: { cpu: '100m' } };
    await c.store.create(R.deployments, 'default', d);
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'idle')).status?.availableReplicas === 4, { what: 'rollout' });
    // 10% against 50%: ratio 0.2 → ceil(0.2 × 4) = 1, but only once 300 s of recommendations say so.
    await c.store.create(HPA, 'default', hpa('idle', 'idle', cpu50));
    await c.until(async () => (await c.store.get(HPA, 'default', 'idle')).status?.currentMetrics?.length === 1, { stepMs: 1000, what: 'first sync' });
    const start = c.clock.now();
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'idle')).spec.replicas === 1, { stepMs: 5000, maxSteps: 200, what: 'scale-down to 1' });
    const waited = c.clock.now() - start;
    assert.ok(waited >= 300_000 && waited <= 330_000, `scaled down after ${waited} ms of simulated time`);
    const events = (await c.list(R.events, 'default')).filter((e) => e.reason === 'SuccessfulRescale');
    assert.ok(events.some((e) => e.message === 'New size: 1; reason: All metrics below target'), JSON.stringify(events.map((e) => e.message)));
  } finally { await c.close(); }
});

test('an autoscaling/v1 HPA is acted on and reads back its current cpu utilization', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    const HPA1 = findResource('autoscaling', 'v1', 'horizontalpodautoscalers')!;
    const d = deployment('v1app', 2);
    d.spec.template.metadata.annotations = { 'skiff.dev/cpu-usage': '60m' };
    d.spec.template.spec.containers[0].resources = { requests: { cpu: '100m' } };
    await c.store.create(R.deployments, 'default', d);
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'v1app')).status?.availableReplicas === 2, { what: 'rollout' });
    await c.store.create(HPA1, 'default', { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'v1app' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'v1app' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 30 } });
    // 60% against 30%: ratio 2 → 4.
    await c.settle();
    assert.equal((await c.store.get(R.deployments, 'default', 'v1app')).spec.replicas, 4, 'scaled up on the first sync, without waiting a period');
    const h = await c.store.get(HPA1, 'default', 'v1app');
    assert.equal(h.status.currentCPUUtilizationPercentage, 60);
    assert.equal(h.status.desiredReplicas, 4);
  } finally { await c.close(); }
});

test('a scale target kind named like an Object.prototype member (constructor) is reported as FailedGetScale', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    for (const kind of ['constructor', 'toString']) {
      const h = hpa(`proto-${kind.toLowerCase()}`, 'x', cpu50);
      h.spec.scaleTargetRef = { apiVersion: 'apps/v1', kind, name: 'x' };
      await c.store.create(HPA, 'default', h);
      await c.until(async () => cond(await c.store.get(HPA, 'default', h.metadata.name), 'AbleToScale')?.reason === 'FailedGetScale', { stepMs: 1000, what: `FailedGetScale for ${kind}` });
      const able = cond(await c.store.get(HPA, 'default', h.metadata.name), 'AbleToScale');
      assert.match(able.message, new RegExp(`no scale subresource for kind "${kind}"`));
    }
  } finally { await c.close(); }
});
