// Nodes added and removed at run time: adoption fills a kubelet's fields without podCIDR collisions;
// pods on a deleted node are garbage-collected after the 40 s quarantine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import { freeIndex } from '../../src/kubelet/adopt.ts';

test('a Node created with skiff.dev/simulated=true is adopted; deleting it stops it and GCs its pods', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(R.nodes, undefined, { metadata: { name: 'extra-a', annotations: { 'skiff.dev/simulated': 'true' }, labels: { 'topology.kubernetes.io/zone': 'z1' } } });
    await c.store.create(R.nodes, undefined, { metadata: { name: 'extra-b', annotations: { 'skiff.dev/simulated': 'true' } }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '20' } } });
    await c.store.create(R.nodes, undefined, { metadata: { name: 'foreign' } });
    const ready = (n: any) => n.status?.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True';
    await c.until(async () => ready(await c.store.get(R.nodes, undefined, 'extra-a')) && ready(await c.store.get(R.nodes, undefined, 'extra-b')), { what: 'adopted' });
    const all = await c.list(R.nodes);
    const cidrs = all.map((n) => n.spec?.podCIDR).filter(Boolean);
    assert.equal(new Set(cidrs).size, 4, `distinct podCIDRs: ${cidrs}`);
    const a = await c.store.get(R.nodes, undefined, 'extra-a');
    assert.equal(a.metadata.labels!['kubernetes.io/hostname'], 'extra-a');
    assert.equal(a.metadata.labels!['topology.kubernetes.io/zone'], 'z1', 'user labels kept');
    assert.equal(a.status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.deepEqual(a.status.addresses.map((x: any) => x.type), ['InternalIP', 'Hostname']);
    const b = await c.store.get(R.nodes, undefined, 'extra-b');
    assert.equal(b.status.capacity.cpu, '4', 'user capacity kept');
    assert.equal(b.status.allocatable.pods, '20');
    await c.store.get(R.leases, 'kube-node-lease', 'extra-a');
    assert.equal((await c.store.get(R.nodes, undefined, 'foreign')).status?.conditions, undefined, 'a Node without the annotation is not adopted');

    await c.store.create(R.pods, 'default', { metadata: { name: 'p' }, spec: { nodeSelector: { 'kubernetes.io/hostname': 'extra-a' }, containers: [{ name: 'c', image: 'nginx' }] } });
    await c.until(async () => (await c.store.get(R.pods, 'default', 'p')).status?.phase === 'Running', { what: 'pod running on extra-a' });
    await c.store.delete(R.nodes, undefined, 'extra-a');
    const deletedAt = c.clock.now();
    await c.until(async () => !(await c.list(R.pods, 'default')).some((p) => p.metadata.name === 'p'), { stepMs: 1000, maxSteps: 120, what: 'pod GC' });
    assert.ok(c.clock.now() - deletedAt >= 40_000, 'quarantine honoured');
    const renewBefore = (await c.list(R.leases, 'kube-node-lease')).find((l) => l.metadata.name === 'extra-a');
    assert.equal(renewBefore, undefined, 'the lease went with its node and is not renewed again');
  } finally { await c.close(); }
});

test('freeIndex picks the first unused /24', () => {
  assert.equal(freeIndex(new Set(['10.244.0.0/24', '10.244.1.0/24', '10.244.3.0/24'])), 2);
});
