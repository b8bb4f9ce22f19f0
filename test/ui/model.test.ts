// The web view's pure parts, run in Node: the grid layout (5,000 nodes on one screen), the pod marks'
// geometry, pod colours, rollout detection and the event log's cap.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-ignore: plain browser modules without type declarations
import { layoutGrid, markGeometry } from '../../src/ui/static/nodes-view.js';
// @ts-ignore
import { Model, podClass, slimPod, slimWorkload } from '../../src/ui/static/model.js';

describe('grid layout', () => {
  test('5,000 nodes fit on one 1400×800 screen; few nodes get large tiles', () => {
    const big = layoutGrid(5000, 1400, 800);
    assert.ok(big.size >= 8 && big.rows * big.size <= 800 && big.cols * big.size <= 1400, JSON.stringify(big));
    assert.ok(big.cols * big.rows >= 5000);
    const small = layoutGrid(3, 1400, 800);
    assert.equal(small.size, 140);
    assert.deepEqual(layoutGrid(0, 100, 100).rows, 0);
  });

  test('pod marks stay inside their tile, even for a full node', () => {
    for (const [tile, pods] of [[14, 10], [14, 110], [32, 110], [140, 3], [140, 250]]) {
      const g = markGeometry(tile, tile - 2, pods);
      assert.ok(g.cell >= 1 && g.per * g.cell <= g.area, JSON.stringify({ tile, pods, g }));
      assert.ok(Math.ceil(Math.min(pods, g.fit) / g.per) * g.cell <= g.area - g.header, JSON.stringify({ tile, pods, g }));
    }
    // Every pod gets a mark except on tiny tiles of very full nodes (their tip still counts them all).
    for (const [tile, pods] of [[14, 10], [32, 110], [140, 250]]) assert.ok(markGeometry(tile, tile - 2, pods).fit >= pods, `${tile} px, ${pods} pods`);
  });
});

const pod = (phase: string, extra: any = {}) => ({ metadata: { name: 'p', namespace: 'n', ...extra.metadata }, spec: { nodeName: 'a' }, status: { phase, ...extra.status } });

describe('pod colours', () => {
  test('by phase, readiness, trouble and termination', () => {
    const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
    assert.equal(podClass(slimPod(pod('Running', { status: ready }))), 'running');
    assert.equal(podClass(slimPod(pod('Running'))), 'notready');
    assert.equal(podClass(slimPod(pod('Pending'))), 'pending');
    assert.equal(podClass(slimPod(pod('Pending', { status: { containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] } }))), 'failed');
    assert.equal(podClass(slimPod(pod('Succeeded'))), 'succeeded');
    assert.equal(podClass(slimPod(pod('Failed'))), 'failed');
    assert.equal(podClass(slimPod(pod('Running', { status: ready, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }))), 'terminating');
    assert.equal(podClass(slimPod({ metadata: { name: 'x' } })), 'pending', 'a pod without status is Pending');
  });
});

describe('rollouts in progress', () => {
  const dep = (spec: any, status: any, generation = 1) => ({ metadata: { name: 'd', namespace: 'n', generation }, spec, status: { observedGeneration: 1, ...status } });
  test('a Deployment rolls out while not every replica is updated and available, or its generation is not observed', () => {
    assert.equal(slimWorkload('Deployment', dep({ replicas: 3 }, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 })).rolling, false);
    assert.equal(slimWorkload('Deployment', dep({ replicas: 3 }, { replicas: 4, updatedReplicas: 2, availableReplicas: 3 })).rolling, true);
    assert.equal(slimWorkload('Deployment', dep({ replicas: 3 }, { replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, 2)).rolling, true);
    assert.equal(slimWorkload('Deployment', dep({ replicas: 3 }, { replicas: 4, updatedReplicas: 3, availableReplicas: 3 })).rolling, true, 'old replicas still terminating');
    const stuck = dep({ replicas: 1 }, { replicas: 1, updatedReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    assert.equal(slimWorkload('Deployment', stuck).failed, true);
  });
  test('StatefulSets, DaemonSets and Jobs', () => {
    assert.equal(slimWorkload('StatefulSet', dep({ replicas: 2 }, { readyReplicas: 2, currentRevision: 'a', updateRevision: 'b' })).rolling, true);
    assert.equal(slimWorkload('StatefulSet', dep({ replicas: 2 }, { readyReplicas: 2, currentRevision: 'b', updateRevision: 'b' })).rolling, false);
    assert.equal(slimWorkload('DaemonSet', dep({}, { desiredNumberScheduled: 5, updatedNumberScheduled: 4, numberAvailable: 5 })).rolling, true);
    const job = slimWorkload('Job', { metadata: { name: 'j', namespace: 'n' }, spec: { completions: 5 }, status: { succeeded: 2, active: 1 } });
    assert.deepEqual([job.desired, job.ready, job.rolling], [5, 2, true]);
    const done = slimWorkload('Job', { metadata: { name: 'j', namespace: 'n' }, spec: {}, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } });
    assert.deepEqual([done.desired, done.rolling, done.note], [1, false, 'complete']);
  });
});

describe('model', () => {
  test('pods are indexed by node through adds, moves and deletes', () => {
    const m = new Model();
    const p = (name: string, node: string) => ({ metadata: { name, namespace: 'n' }, spec: { nodeName: node }, status: { phase: 'Running' } });
    m.pods.reset([p('a', 'n1'), p('b', 'n1'), p('c', '')]);
    assert.equal(m.podIndex.on('n1').length, 2);
    m.pods.apply('MODIFIED', p('c', 'n2'));
    m.pods.apply('DELETED', p('a', 'n1'));
    assert.deepEqual(m.podIndex.on('n1').map((x: any) => x.name), ['b']);
    assert.deepEqual(m.podIndex.on('n2').map((x: any) => x.name), ['c']);
    assert.equal(m.podIndex.on('').length, 0);
  });

  test('events stay in time order and are capped to the most recent 20,000', () => {
    const m = new Model();
    const ev = (i: number, t: number) => ({ metadata: { uid: `u${i}` }, lastTimestamp: new Date(t).toISOString(), reason: 'R', involvedObject: { kind: 'Pod', name: `p${i % 7}`, namespace: 'n' } });
    m.events.reset([ev(0, 5000), ev(1, 1000)]);
    m.events.apply('ADDED', ev(2, 3000));
    assert.deepEqual(m.events.list().map((e: any) => e.key), ['u1', 'u2', 'u0']);
    for (let i = 3; i < 23_000; i++) m.events.apply('ADDED', ev(i, 10_000 + i));
    assert.ok(m.events.byKey.size <= 22_000);
    const list = m.events.list();
    assert.ok(list.every((e: any, i: number) => i === 0 || list[i - 1].t <= e.t));
    assert.equal(list[list.length - 1].key, 'u22999');
    assert.equal(m.events.about('Pod', 'n', 'p3', 5).length, 5);
  });
});
