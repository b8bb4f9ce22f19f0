// Golden tests for the lifecycle stages: input pod → produced status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStages, nextStage, qosClass } from '../../src/kubelet/stages.ts';
import type { StageContext } from '../../src/kubelet/stages.ts';
import { PodIPs } from '../../src/kubelet/ipam.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const T0 = Date.UTC(2026, 0, 1);
const ctx = (now: number): StageContext => ({ now, nodeName: 'n', hostIP: '10.0.0.2', podIP: () => '10.244.0.2' });
const pod = (extra: Record<string, any> = {}): KObject => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1', ...(extra.metadata ?? {}) },
  spec: { nodeName: 'n', containers: [{ name: 'c', image: 'nginx' }], ...(extra.spec ?? {}) },
  status: extra.status,
});
const apply = (p: KObject, now: number) => {
  const s = nextStage(defaultStages(), p)!;
  return { stage: s.name, delay: s.delay(p, now), status: s.status?.(structuredClone(p), ctx(now)) };
};

test('bound pod → pending with ContainerCreating', () => {
  const r = apply(pod(), T0);
  assert.equal(r.stage, 'pending');
  assert.equal(r.delay, 0);
  assert.deepEqual(r.status, {
    phase: 'Pending', hostIP: '10.0.0.2', hostIPs: [{ ip: '10.0.0.2' }], startTime: '2026-01-01T00:00:00Z', qosClass: 'BestEffort',
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'ContainersNotReady', message: 'containers with unready status: [c]' },
      { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'ContainersNotReady', message: 'containers with unready status: [c]' },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
    ],
    containerStatuses: [{ name: 'c', image: 'docker.io/library/nginx:latest', imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } } }],
  });
});

test('pending → running and ready (no probe), with the start delay from the annotation', () => {
  const p0 = pod({ metadata: { annotations: { 'skiff.dev/start-seconds': '3' } } });
  p0.status = apply(p0, T0).status;
  const r = apply(p0, T0);
  assert.equal(r.stage, 'running');
  assert.equal(r.delay, 3000);
  const st = r.status!;
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, '10.244.0.2');
  assert.equal(st.containerStatuses[0].ready, true);
  assert.equal(st.containerStatuses[0].state.running.startedAt, '2026-01-01T00:00:00Z');
  assert.deepEqual(st.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`),
    ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  // Once running and ready, an Always pod has no further stage.
  assert.equal(nextStage(defaultStages(), { ...p0, status: st }), undefined);
});

test('readiness waits for initialDelaySeconds; Never pods complete after their run time', () => {
  const p0 = pod({ spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x', readinessProbe: { initialDelaySeconds: 7 } }] } });
  p0.status = apply(p0, T0).status;
  p0.status = apply(p0, T0).status;
  assert.equal(p0.status.containerStatuses[0].ready, false);
  const r = apply(p0, T0 + 2000);
  assert.equal(r.stage, 'ready');
  assert.equal(r.delay, 5000);
  p0.status = r.status;
  const done = apply(p0, T0 + 7000);
  assert.equal(done.stage, 'complete');
  assert.equal(done.delay, 0); // default run time 5 s already passed
  assert.equal(done.status!.phase, 'Succeeded');
  assert.equal(done.status!.containerStatuses[0].state.terminated.exitCode, 0);
});

test('a deleted pod is removed after its grace period, capped', () => {
  const s = nextStage(defaultStages(), pod({ metadata: { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 } }))!;
  assert.equal(s.name, 'terminate');
  assert.equal(s.delay(pod({ metadata: { deletionGracePeriodSeconds: 30 } }), T0), 1000);
  const running = pod({ status: { phase: 'Running', containerStatuses: [{ name: 'c', containerID: 'x', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] } });
  const st = s.status!(running, ctx(T0 + 1000));
  assert.equal(st.phase, 'Succeeded');
  assert.deepEqual(st.containerStatuses[0].state, { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', containerID: 'x' } });
  // Terminal: removed at once; with a finalizer, asked once (grace 0 means asked), then left alone.
  const done = { deletionTimestamp: '2026-01-01T00:00:30Z', deletionGracePeriodSeconds: 30 };
  assert.equal(nextStage(defaultStages(), pod({ metadata: done, status: { phase: 'Succeeded' } }))!.delete, true);
  assert.equal(nextStage(defaultStages(), pod({ metadata: { ...done, finalizers: ['f'] }, status: { phase: 'Succeeded' } }))!.delete, true);
  assert.equal(nextStage(defaultStages(), pod({ metadata: { ...done, deletionGracePeriodSeconds: 0, finalizers: ['f'] }, status: { phase: 'Succeeded' } })), undefined);
});

test('qosClass', () => {
  assert.equal(qosClass(pod()), 'BestEffort');
  assert.equal(qosClass(pod({ spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } })), 'Guaranteed');
  assert.equal(qosClass(pod({ spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] } })), 'Burstable');
});

test('pod IPs are unique per node and released', () => {
  const ips = new PodIPs();
  const a = ips.allocate('a', 'n', '10.244.3.0/24'), b = ips.allocate('b', 'n', '10.244.3.0/24');
  assert.equal(a, '10.244.3.2'); assert.equal(b, '10.244.3.3');
  assert.equal(ips.allocate('a', 'n', '10.244.3.0/24'), a);
  ips.release('a');
  const seen = new Set<string>();
  for (let i = 0; i < 253; i++) { const ip = ips.allocate(`x${i}`, 'n', '10.244.3.0/24'); if (ip) seen.add(ip); }
  assert.equal(seen.size, 252); // .2–.254 less b's
  assert.ok(!seen.has(b!));
  assert.equal(ips.allocate('y', 'n', '10.244.3.0/24'), undefined);
});

test('crash-loop golden: running → terminated into lastState, CrashLoopBackOff, back-off doubling and cap', async () => {
  const { backOffSeconds } = await import('../../src/kubelet/stages.ts');
  const p0 = pod({ metadata: { annotations: { 'skiff.dev/crash-loop': 'true', 'skiff.dev/run-seconds': '2' } } });
  p0.status = apply(p0, T0).status;
  p0.status = apply(p0, T0).status;
  const r = apply(p0, T0 + 2000);
  assert.equal(r.stage, 'crash');
  assert.equal(r.delay, 0);
  const s = r.status!.containerStatuses[0];
  assert.deepEqual({ restartCount: s.restartCount, ready: s.ready, state: s.state, last: s.lastState.terminated }, {
    restartCount: 1, ready: false,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=c pod=p_default(u1)' } },
    last: { exitCode: 1, reason: 'Error', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:02Z', containerID: s.containerID },
  });
  assert.equal(r.status!.phase, 'Running');
  p0.status = r.status;
  const again = apply(p0, T0 + 2000);
  assert.equal(again.stage, 'restart');
  assert.equal(again.delay, 10_000);
  assert.equal(again.status!.containerStatuses[0].restartCount, 1);
  assert.ok(again.status!.containerStatuses[0].state.running);
  assert.deepEqual([1, 2, 3, 5, 6, 9].map(backOffSeconds), [10, 20, 40, 160, 300, 300]);
});
