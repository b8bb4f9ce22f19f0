import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from '../../src/api/tables/index.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');
const pods = findResource('', 'v1', 'pods')!;

function pod(extra: { spec?: any; status?: any; metadata?: any }): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(300), ...extra.metadata },
    spec: { containers: [{ name: 'a', image: 'nginx' }], ...extra.spec },
    status: extra.status ?? {},
  };
}
const cells = (o: KObject) => toTable(pods, [o], {}, NOW).rows[0].cells;
const running = { state: { running: { startedAt: ago(200) } }, ready: true, restartCount: 0 };

test('pod columns: names, priorities and formats', () => {
  const t = toTable(pods, [], { resourceVersion: '7' }, NOW);
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
    ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
  ]);
  assert.equal(t.columnDefinitions[0].format, 'name');
  assert.deepEqual(t.metadata, { resourceVersion: '7' });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
});

test('running pod with wide cells', () => {
  const p = pod({
    spec: { nodeName: 'node-1', readinessGates: [{ conditionType: 'x/ready' }, { conditionType: 'y/ready' }] },
    status: {
      phase: 'Running', podIPs: [{ ip: '10.0.0.5' }],
      conditions: [{ type: 'x/ready', status: 'True' }, { type: 'y/ready', status: 'False' }],
      containerStatuses: [{ name: 'a', ...running }],
    },
  });
  assert.deepEqual(cells(p), ['p', '1/1', 'Running', '0', '5m', '10.0.0.5', 'node-1', '<none>', '1/2']);
});

test('pending pod without status shows phase and <none> wide cells', () => {
  assert.deepEqual(cells(pod({ status: { phase: 'Pending' } })), ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
});

test('ContainerCreating', () => {
  const p = pod({ spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Pending', containerStatuses: [
    { name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
    { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
  ] } });
  assert.deepEqual(cells(p).slice(1, 4), ['0/2', 'ContainerCreating', '0']);
});

test('CrashLoopBackOff with restarts shows time since last termination', () => {
  const p = pod({ status: { phase: 'Running', containerStatuses: [{
    name: 'a', ready: false, restartCount: 5,
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(90) } },
  }] } });
  assert.deepEqual(cells(p).slice(1, 4), ['0/1', 'CrashLoopBackOff', '5 (90s ago)']);
});

test('Completed, Error, ExitCode and Signal', () => {
  const term = (t: any) => cells(pod({ status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: t } }] } }))[2];
  assert.equal(term({ exitCode: 0, reason: 'Completed' }), 'Completed');
  assert.equal(term({ exitCode: 1, reason: 'Error' }), 'Error');
  assert.equal(term({ exitCode: 3 }), 'ExitCode:3');
  assert.equal(term({ exitCode: 137, signal: 9 }), 'Signal:9');
  const t = toTable(pods, [pod({ status: { phase: 'Succeeded' } })], {}, NOW);
  assert.deepEqual(t.rows[0].conditions, [{ type: 'Completed', status: 'True' }]);
});

test('init containers', () => {
  const spec = { initContainers: [{ name: 'init' }] };
  assert.equal(cells(pod({ spec, status: { phase: 'Pending', initContainerStatuses: [
    { name: 'init', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
  ] } }))[2], 'Init:0/1');
  assert.equal(cells(pod({ spec, status: { phase: 'Pending', initContainerStatuses: [
    { name: 'init', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
  ] } }))[2], 'Init:CrashLoopBackOff');
  assert.equal(cells(pod({ spec, status: { phase: 'Pending', initContainerStatuses: [
    { name: 'init', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } },
  ] } }))[2], 'Init:ExitCode:2');
  // Finished init container: the app container decides.
  assert.equal(cells(pod({ spec, status: { phase: 'Running', initContainerStatuses: [
    { name: 'init', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
  ], containerStatuses: [{ name: 'a', ...running }] } }))[2], 'Running');
});

test('sidecar init containers count towards Ready', () => {
  const p = pod({ spec: { initContainers: [{ name: 'side', restartPolicy: 'Always' }] }, status: {
    phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [{ name: 'side', ready: true, started: true, restartCount: 0, state: { running: {} } }],
    containerStatuses: [{ name: 'a', ...running }],
  } });
  assert.deepEqual(cells(p).slice(1, 3), ['2/2', 'Running']);
});

test('Terminating and status.reason', () => {
  assert.equal(cells(pod({ metadata: { deletionTimestamp: ago(1) }, status: { phase: 'Running', containerStatuses: [{ name: 'a', ...running }] } }))[2], 'Terminating');
  assert.equal(cells(pod({ metadata: { deletionTimestamp: ago(1) }, status: { phase: 'Succeeded' } }))[2], 'Succeeded');
  assert.equal(cells(pod({ status: { phase: 'Failed', reason: 'Evicted' } }))[2], 'Evicted');
});

test('missing creationTimestamp gives <unknown> age', () => {
  assert.equal(cells(pod({ metadata: { creationTimestamp: undefined } }))[4], '<unknown>');
});
