// One stored object per resource across versions: autoscaling/v1 ↔ v2 HPAs and core/v1 ↔
// events.k8s.io/v1 Events, through the real HTTP API, plus the pure conversion functions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, stream } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { eventCoreToV1, eventV1ToCore, hpaV1ToV2, hpaV2ToV1, HPA_METRICS, HPA_CURRENT_METRICS, HPA_CONDITIONS, HPA_BEHAVIOR } from '../../src/registry/conversion.ts';
import { findResource, storagePrefix } from '../../src/registry/resources.ts';

const V1 = (ns: string) => `/apis/autoscaling/v1/namespaces/${ns}/horizontalpodautoscalers`;
const V2 = (ns: string) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`;
const CORE_EV = (ns: string) => `/api/v1/namespaces/${ns}/events`;
const EV1 = (ns: string) => `/apis/events.k8s.io/v1/namespaces/${ns}/events`;

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (n: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } });
const memMetric = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } };
const podsMetric = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };

describe('storage prefixes', () => {
  test('every version of a converted resource shares one prefix', () => {
    assert.equal(storagePrefix(findResource('autoscaling', 'v1', 'horizontalpodautoscalers')!), storagePrefix(findResource('autoscaling', 'v2', 'horizontalpodautoscalers')!));
    assert.equal(storagePrefix(findResource('events.k8s.io', 'v1', 'events')!), '/registry/events/');
    assert.equal(storagePrefix(findResource('', 'v1', 'events')!), '/registry/events/');
  });
});

describe('pure conversions', () => {
  test('HPA v2 → v1 → v2 is lossless for extra metrics, behavior, current metrics and conditions', () => {
    const v2 = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', namespace: 'n', uid: 'u1', resourceVersion: '7', annotations: { keep: 'me' } },
      spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 9, metrics: [cpu(55), memMetric, podsMetric],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }] } } },
      status: { currentReplicas: 3, desiredReplicas: 4,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '120m' } } }],
        conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
    };
    const v1 = hpaV2ToV1(v2);
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 55);
    assert.equal(v1.spec.metrics, undefined);
    assert.equal(v1.status.currentCPUUtilizationPercentage, 42);
    assert.deepEqual(JSON.parse(v1.metadata.annotations![HPA_METRICS]), [memMetric, podsMetric]);
    assert.deepEqual(JSON.parse(v1.metadata.annotations![HPA_CURRENT_METRICS]), v2.status.currentMetrics);
    assert.deepEqual(JSON.parse(v1.metadata.annotations![HPA_CONDITIONS]), v2.status.conditions);
    assert.deepEqual(JSON.parse(v1.metadata.annotations![HPA_BEHAVIOR]), v2.spec.behavior);
    assert.equal(v1.metadata.annotations!.keep, 'me');
    assert.equal(v1.metadata.uid, 'u1');
    assert.deepEqual(hpaV1ToV2(v1), v2);
    // The input is left alone.
    assert.deepEqual(v2.spec.metrics, [cpu(55), memMetric, podsMetric]);
  });

  test('HPA v1 without a CPU target becomes v2 with the 80% CPU default', () => {
    const v2 = hpaV1ToV2({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } });
    assert.deepEqual(v2.spec.metrics, [cpu(80)]);
    assert.equal(v2.metadata.annotations, undefined);
  });

  test('Event core ↔ events.k8s.io round trips', () => {
    const core = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'n' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'n' }, related: { kind: 'Node', name: 'x' },
      message: 'hello', reason: 'Started', type: 'Normal', action: 'Start',
      source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:01:00Z', count: 3,
      eventTime: '2024-01-01T00:00:00.000000Z', reportingComponent: 'kubelet', reportingInstance: 'node-1',
      series: { count: 2, lastObservedTime: '2024-01-01T00:01:00.000000Z' },
    };
    const v1 = eventCoreToV1(core);
    assert.deepEqual(v1.regarding, core.involvedObject);
    assert.equal(v1.note, 'hello');
    assert.deepEqual(v1.deprecatedSource, { component: 'kubelet', host: 'node-1' });
    assert.equal(v1.deprecatedCount, 3);
    assert.equal(v1.deprecatedFirstTimestamp, core.firstTimestamp);
    assert.equal(v1.deprecatedLastTimestamp, core.lastTimestamp);
    assert.equal(v1.reportingController, 'kubelet');
    assert.equal(v1.involvedObject, undefined);
    assert.deepEqual(eventV1ToCore(v1), core);
  });
});

describe('served through the API', () => {
  let f: Fixture;
  before(async () => { f = await startFixture(); });
  after(async () => { await f.stop(); });

  test('HPA created through v1 is read through v2 with metrics, and listed by both', async () => {
    const ns = await f.ns('conv');
    const c = await f.api.post(V1(ns)).send({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h1' },
      spec: { scaleTargetRef: ref, maxReplicas: 5, targetCPUUtilizationPercentage: 60 } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.apiVersion, 'autoscaling/v1');
    assert.equal(c.body.spec.targetCPUUtilizationPercentage, 60);
    assert.equal(c.body.spec.minReplicas, 1);
    assert.equal(c.body.metadata.annotations, undefined);
    const g = await f.api.get(`${V2(ns)}/h1`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.apiVersion, 'autoscaling/v2');
    assert.deepEqual(g.body.spec.metrics, [cpu(60)]);
    assert.equal(g.body.spec.targetCPUUtilizationPercentage, undefined);
    assert.equal(g.body.metadata.uid, c.body.metadata.uid);
    assert.equal(g.body.metadata.resourceVersion, c.body.metadata.resourceVersion);
    for (const path of [V1(ns), V2(ns)]) {
      const l = await f.api.get(path);
      assert.equal(l.status, 200);
      assert.deepEqual(l.body.items.map((i: any) => i.metadata.name), ['h1']);
      assert.equal(l.body.apiVersion, path === V1(ns) ? 'autoscaling/v1' : 'autoscaling/v2');
      // Items of a typed list carry no kind/apiVersion (as upstream); their shape is the list's version.
      assert.equal(l.body.items[0].apiVersion, undefined);
      assert.equal(l.body.items[0].spec.targetCPUUtilizationPercentage, path === V1(ns) ? 60 : undefined);
    }
    // A v1 object without a CPU target reads back with upstream's 80% default in both versions.
    await f.api.post(V1(ns)).send({ metadata: { name: 'h0' }, spec: { scaleTargetRef: ref, maxReplicas: 2 } }).expect(201);
    assert.deepEqual((await f.api.get(`${V2(ns)}/h0`)).body.spec.metrics, [cpu(80)]);
    assert.equal((await f.api.get(`${V1(ns)}/h0`)).body.spec.targetCPUUtilizationPercentage, 80);
  });

  test('HPA created through v2 reads through v1 with the annotations; v1 update keeps v2-only fields', async () => {
    const ns = await f.ns('conv');
    const behavior = { scaleDown: { stabilizationWindowSeconds: 120, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }] },
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] } };
    const c = await f.api.post(V2(ns)).send({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h2' },
      spec: { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 8, metrics: [cpu(70), memMetric], behavior } });
    assert.equal(c.status, 201, c.text);
    const g1 = await f.api.get(`${V1(ns)}/h2`);
    assert.equal(g1.status, 200, g1.text);
    assert.equal(g1.body.apiVersion, 'autoscaling/v1');
    assert.equal(g1.body.spec.targetCPUUtilizationPercentage, 70);
    assert.deepEqual(JSON.parse(g1.body.metadata.annotations[HPA_METRICS]), [memMetric]);
    assert.deepEqual(JSON.parse(g1.body.metadata.annotations[HPA_BEHAVIOR]), behavior);
    // PUT the v1 object back with a new CPU target: the memory metric and behavior survive.
    const put = { ...g1.body, spec: { ...g1.body.spec, targetCPUUtilizationPercentage: 65 } };
    const u = await f.api.put(`${V1(ns)}/h2`).send(put);
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.apiVersion, 'autoscaling/v1');
    assert.equal(u.body.spec.targetCPUUtilizationPercentage, 65);
    const g2 = await f.api.get(`${V2(ns)}/h2`);
    assert.deepEqual(g2.body.spec.metrics, [cpu(65), memMetric]);
    assert.deepEqual(g2.body.spec.behavior, behavior);
    assert.equal(g2.body.metadata.annotations, undefined, 'conversion annotations are not stored');
    // An unchanged v1 round trip is a no-op write: v2 reads the same object, same resourceVersion.
    const again = await f.api.put(`${V1(ns)}/h2`).send((await f.api.get(`${V1(ns)}/h2`)).body);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.metadata.resourceVersion, g2.body.metadata.resourceVersion);
    // Status written through v2 shows through v1 as currentCPUUtilizationPercentage.
    const st = { ...g2.body, status: { currentReplicas: 2, desiredReplicas: 2,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 33, averageValue: '100m' } } }] } };
    assert.equal((await f.api.put(`${V2(ns)}/h2/status`).send(st)).status, 200);
    const g3 = await f.api.get(`${V1(ns)}/h2/status`);
    assert.equal(g3.status, 200, g3.text);
    assert.equal(g3.body.apiVersion, 'autoscaling/v1');
    assert.equal(g3.body.status.currentCPUUtilizationPercentage, 33);
    assert.deepEqual(JSON.parse(g3.body.metadata.annotations[HPA_CURRENT_METRICS]), st.status.currentMetrics);
    // Patch through v1 and delete through v1: both act on the one object.
    const p = await f.api.patch(`${V1(ns)}/h2`).set('Content-Type', 'application/merge-patch+json').send({ spec: { maxReplicas: 11 } });
    assert.equal(p.status, 200, p.text);
    assert.equal((await f.api.get(`${V2(ns)}/h2`)).body.spec.maxReplicas, 11);
    assert.deepEqual((await f.api.get(`${V2(ns)}/h2`)).body.spec.metrics, [cpu(65), memMetric]);
    assert.equal((await f.api.delete(`${V1(ns)}/h2`)).status, 200);
    assert.equal((await f.api.get(`${V2(ns)}/h2`)).status, 404);
  });

  test('a watch through v1 sees objects written through v2, converted', async () => {
    const ns = await f.ns('conv');
    const w = await stream(f, `${V1(ns)}?watch=true`);
    try {
      assert.equal(w.status, 200);
      await f.api.post(V2(ns)).send({ metadata: { name: 'hw' }, spec: { scaleTargetRef: ref, maxReplicas: 4, metrics: [cpu(45), podsMetric] } }).expect(201);
      const ev = await w.next();
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.object.apiVersion, 'autoscaling/v1');
      assert.equal(ev.object.spec.targetCPUUtilizationPercentage, 45);
      assert.deepEqual(JSON.parse(ev.object.metadata.annotations[HPA_METRICS]), [podsMetric]);
    } finally { w.close(); }
    const w2 = await stream(f, `${V2(ns)}?watch=true`);
    try {
      const ev = await w2.next();
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.object.apiVersion, 'autoscaling/v2');
      assert.deepEqual(ev.object.spec.metrics, [cpu(45), podsMetric]);
    } finally { w2.close(); }
  });

  test('a core Event shows in events.k8s.io with regarding/note, and the reverse', async () => {
    const ns = await f.ns('conv');
    const c = await f.api.post(CORE_EV(ns)).send({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: ns }, reason: 'Pulled', message: 'pulled image', type: 'Normal',
      source: { component: 'kubelet', host: 'n1' }, count: 2, firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:00:05Z' });
    assert.equal(c.status, 201, c.text);
    const l = await f.api.get(EV1(ns));
    assert.equal(l.status, 200, l.text);
    assert.equal(l.body.apiVersion, 'events.k8s.io/v1');
    assert.equal(l.body.items.length, 1);
    const e = l.body.items[0];
    assert.equal(e.apiVersion, undefined, 'typed list items carry no TypeMeta, as upstream');
    assert.deepEqual(e.regarding, { kind: 'Pod', name: 'p', namespace: ns });
    assert.equal(e.note, 'pulled image');
    assert.deepEqual(e.deprecatedSource, { component: 'kubelet', host: 'n1' });
    assert.equal(e.deprecatedCount, 2);
    assert.equal(e.metadata.uid, c.body.metadata.uid);

    const c2 = await f.api.post(EV1(ns)).send({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e2' },
      regarding: { kind: 'Deployment', name: 'd', namespace: ns }, note: 'scaled', reason: 'Scaled', type: 'Normal', action: 'Scale',
      eventTime: '2024-01-01T00:00:00.000000Z', reportingController: 'example.com/ctl', reportingInstance: 'ctl-1' });
    assert.equal(c2.status, 201, c2.text);
    assert.equal(c2.body.apiVersion, 'events.k8s.io/v1');
    assert.equal(c2.body.note, 'scaled');
    const g = await f.api.get(`${CORE_EV(ns)}/e2`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.apiVersion, 'v1');
    assert.deepEqual(g.body.involvedObject, { kind: 'Deployment', name: 'd', namespace: ns });
    assert.equal(g.body.message, 'scaled');
    assert.equal(g.body.reportingComponent, 'example.com/ctl');
    assert.equal(g.body.reportingInstance, 'ctl-1');
    assert.equal(g.body.action, 'Scale');
    const core = await f.api.get(CORE_EV(ns));
    assert.deepEqual(core.body.items.map((i: any) => i.metadata.name).sort(), ['e1', 'e2']);

    // Field selectors use each version's own field names.
    const byRegarding = await f.api.get(`${EV1(ns)}?fieldSelector=regarding.name=d`);
    assert.equal(byRegarding.status, 200, byRegarding.text);
    assert.deepEqual(byRegarding.body.items.map((i: any) => i.metadata.name), ['e2']);
    const byInvolved = await f.api.get(`${CORE_EV(ns)}?fieldSelector=involvedObject.name=p`);
    assert.deepEqual(byInvolved.body.items.map((i: any) => i.metadata.name), ['e1']);
    const byController = await f.api.get(`${EV1(ns)}?fieldSelector=reportingController=example.com/ctl`);
    assert.deepEqual(byController.body.items.map((i: any) => i.metadata.name), ['e2']);

    // Watch through events.k8s.io sees core writes.
    const w = await stream(f, `${EV1(ns)}?watch=true&resourceVersion=${core.body.metadata.resourceVersion}`);
    try {
      await f.api.post(CORE_EV(ns)).send({ metadata: { name: 'e3' }, involvedObject: { kind: 'Pod', name: 'q', namespace: ns }, message: 'm3', reason: 'R', type: 'Warning' }).expect(201);
      const ev = await w.next();
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.object.apiVersion, 'events.k8s.io/v1');
      assert.equal(ev.object.note, 'm3');
      assert.equal(ev.object.regarding.name, 'q');
    } finally { w.close(); }

    // Errors from a write through events.k8s.io name that resource, not the stored core one.
    const dup = await f.api.post(EV1(ns)).send({ metadata: { name: 'e2' }, regarding: { kind: 'Pod', name: 'p', namespace: ns }, note: 'x', reason: 'R', type: 'Normal' });
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.body.message, 'events.events.k8s.io "e2" already exists');
    assert.equal(dup.body.details.group, 'events.k8s.io');
    const bad = await f.api.post(EV1(ns)).send({ metadata: { name: 'e9' }, regarding: { kind: 'Pod', name: 'p', namespace: ns }, note: 'x', reason: 'R', type: 'Odd' });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.details.group, 'events.k8s.io');
    assert.match(bad.body.message, /^Event\.events\.k8s\.io "e9" is invalid/);
    const gone = await f.api.delete(`${EV1(ns)}/nope`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.message, 'events.events.k8s.io "nope" not found');

    // Delete through one group removes it from the other.
    assert.equal((await f.api.delete(`${EV1(ns)}/e1`)).status, 200);
    assert.equal((await f.api.get(`${CORE_EV(ns)}/e1`)).status, 404);
  });
});
