import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import { evictionTime, UNREACHABLE } from '../../src/controllers/nodelifecycle.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const pod = (name: string, tolerations?: unknown[]): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...(tolerations ? { tolerations } : {}) },
});
const cond = (n: KObject, type: string) => (n.status.conditions as Record<string, string>[]).find((c) => c.type === type)!;
const taintKeys = (n: KObject) => ((n.spec.taints ?? []) as { key: string; effect: string }[]).map((t) => `${t.key}:${t.effect}`).sort();

test('stopped heartbeat: Unknown after the grace period, unreachable taints, pods evicted after tolerationSeconds, Ready again on resume', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await c.store.create(R.pods, 'default', pod('patient'));
    await c.store.create(R.pods, 'default', pod('brief', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]));
    await c.store.create(R.pods, 'default', pod('stays', [{ operator: 'Exists' }]));
    await c.until(async () => (await c.list(R.pods, 'default')).every((p) => p.status?.phase === 'Running'), { what: 'pods running' });
    const patient = await c.store.get(R.pods, 'default', 'patient');
    assert.ok(patient.spec.tolerations.some((t: any) => t.key === UNREACHABLE && t.tolerationSeconds === 300), 'DefaultTolerationSeconds added');

    await c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-0', (n) => { n.metadata.annotations!['skiff.dev/heartbeat'] = 'stopped'; return n; });
    const stoppedAt = c.clock.now();
    await c.until(async () => cond(await c.store.get(R.nodes, undefined, 'skiff-node-0'), 'Ready').status === 'Unknown', { stepMs: 1000, maxSteps: 120, what: 'node Unknown' });
    const waited = c.clock.now() - stoppedAt;
    assert.ok(waited > 30_000 && waited <= 56_000, `Unknown after ${waited} ms`);
    let node = await c.store.get(R.nodes, undefined, 'skiff-node-0');
    for (const t of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      assert.equal(cond(node, t).status, 'Unknown');
      assert.equal(cond(node, t).reason, 'NodeStatusUnknown');
      assert.equal(cond(node, t).message, 'Kubelet stopped posting node status.');
    }
    await c.until(async () => taintKeys(await c.store.get(R.nodes, undefined, 'skiff-node-0')).length === 2, { stepMs: 1000, maxSteps: 10, what: 'taints' });
    node = await c.store.get(R.nodes, undefined, 'skiff-node-0');
    assert.deepEqual(taintKeys(node), [`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
    const taintedAt = Date.parse(node.spec.taints.find((t: any) => t.effect === 'NoExecute').timeAdded);

    const names = async () => (await c.list(R.pods, 'default')).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
    await c.until(async () => !(await names()).includes('brief'), { stepMs: 1000, maxSteps: 120, what: 'brief evicted' });
    assert.ok(c.clock.now() - taintedAt >= 60_000, 'not before its tolerationSeconds');
    assert.deepEqual(await names(), ['patient', 'stays']);
    await c.until(async () => !(await names()).includes('patient'), { stepMs: 5000, maxSteps: 120, what: 'patient evicted' });
    assert.ok(c.clock.now() - taintedAt >= 300_000, 'default 300 s honoured');
    assert.deepEqual(await names(), ['stays']);

    await c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-0', (n) => { delete n.metadata.annotations!['skiff.dev/heartbeat']; return n; });
    await c.until(async () => {
      const n = await c.store.get(R.nodes, undefined, 'skiff-node-0');
      return cond(n, 'Ready').status === 'True' && taintKeys(n).length === 0;
    }, { stepMs: 1000, maxSteps: 30, what: 'Ready again, taints gone' });
    node = await c.store.get(R.nodes, undefined, 'skiff-node-0');
    assert.equal(cond(node, 'Ready').reason, 'KubeletReady');
  } finally { await c.close(); }
});

test('evictionTime: untolerated now, tolerated forever never, else the smallest tolerationSeconds from timeAdded', () => {
  const now = Date.UTC(2026, 0, 1);
  const taint = { key: UNREACHABLE, effect: 'NoExecute', timeAdded: new Date(now - 10_000).toISOString() };
  assert.equal(evictionTime(pod('a'), [taint], now), now);
  assert.equal(evictionTime(pod('b', [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]), [taint], now), Infinity);
  assert.equal(evictionTime(pod('c', [{ key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 30 }, { operator: 'Exists', tolerationSeconds: 90 }]), [taint], now), now + 20_000);
});

test('a node reporting Ready=False gets the not-ready taints; Ready=True removes them', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    const setReady = (status: string) => c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-0', (n) => {
      n.metadata.annotations!['skiff.dev/heartbeat'] = 'stopped'; // keep the simulator from repairing it
      return n;
    }).then(() => c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-0', (n) => {
      n.status.conditions = n.status.conditions.map((x: any) => (x.type === 'Ready' ? { ...x, status } : x));
      return n;
    }, { subresource: 'status' }));
    await setReady('False');
    await c.until(async () => taintKeys(await c.store.get(R.nodes, undefined, 'skiff-node-0')).join() === 'node.kubernetes.io/not-ready:NoExecute,node.kubernetes.io/not-ready:NoSchedule', { stepMs: 1000, maxSteps: 10, what: 'not-ready taints' });
    await setReady('True');
    await c.until(async () => taintKeys(await c.store.get(R.nodes, undefined, 'skiff-node-0')).length === 0, { stepMs: 1000, maxSteps: 10, what: 'taints gone' });
  } finally { await c.close(); }
});

test('after a restart a node with an old Lease gets the full grace period before it is judged', async () => {
  const { FakeClock } = await import('../../src/clock.ts');
  const { SqliteBackend } = await import('../../src/storage/sqlite.ts');
  const { Store } = await import('../../src/registry/store.ts');
  const { strategyFor, validateMeta, validateMetaUpdate } = await import('../../src/registry/kinds-adapter.ts');
  const { bootstrap } = await import('../../src/bootstrap.ts');
  const { startControllers } = await import('../../src/controllers/index.ts');
  const clock = new FakeClock();
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const { nodeObject } = await import('../../src/kubelet/nodes.ts');
  const old = nodeObject(0, clock.now());
  old.metadata.name = 'left-over';
  delete old.metadata.annotations!['skiff.dev/simulated']; // no kubelet will renew it
  await store.create(R.nodes, undefined, old);
  clock.advance(3_600_000); // an hour "down"
  const ctl = await startControllers({ store, clock, nodes: 0 });
  try {
    const ready = async () => cond(await store.get(R.nodes, undefined, 'left-over'), 'Ready').status;
    for (let t = 0; t < 35; t++) { await ctl.settle(); clock.advance(1000); }
    await ctl.settle();
    assert.equal(await ready(), 'True', 'not judged within the grace period after start');
    for (let t = 0; t < 15; t++) { await ctl.settle(); clock.advance(1000); }
    await ctl.settle();
    assert.equal(await ready(), 'Unknown', 'judged once the grace period has passed');
  } finally { await ctl.stop(); await backend.close(); }
});
