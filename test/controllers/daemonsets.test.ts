// The DaemonSet controller on the fake clock: a pod per eligible node (node selector, taints),
// pods follow nodes coming and going, and a rolling update keeps at most maxUnavailable down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import type { Cluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const dsR = findResource('apps', 'v1', 'daemonsets')!;

function ds(name: string, extra: Record<string, any> = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'example.com/agent:1.36' }], ...extra } } },
  };
}
const podsOf = async (c: Cluster, name: string) => (await c.list(R.pods, 'default')).filter((p) => p.metadata.labels?.app === name && !p.metadata.deletionTimestamp);
const ready = (p: KObject) => (p.status?.conditions ?? []).some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True');

test('one pod per node, each bound to its node by the scheduler; status counts; tainted and unselected nodes skipped', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    await c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-2', (n) => { n.spec.taints = [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]; return n; });
    await c.store.create(dsR, 'default', ds('agent'));
    await c.until(async () => (await c.store.get(dsR, 'default', 'agent')).status?.numberAvailable === 2, { what: 'daemon pods available' });
    const pods = await podsOf(c, 'agent');
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['skiff-node-0', 'skiff-node-1']);
    for (const p of pods) {
      assert.ok(p.metadata.labels!['controller-revision-hash']);
      assert.ok(p.spec.tolerations.some((t: { key: string }) => t.key === 'node.kubernetes.io/unreachable'));
      assert.equal(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0], p.spec.nodeName);
    }
    const st = (await c.store.get(dsR, 'default', 'agent')).status;
    assert.equal(st.desiredNumberScheduled, 2);
    assert.equal(st.currentNumberScheduled, 2);
    assert.equal(st.numberReady, 2);
    assert.equal(st.updatedNumberScheduled, 2);
    assert.equal(st.numberMisscheduled, 0);
    // A selector that matches only one node.
    await c.store.create(dsR, 'default', ds('picky', { nodeSelector: { 'kubernetes.io/hostname': 'skiff-node-1' } }));
    await c.until(async () => (await c.store.get(dsR, 'default', 'picky')).status?.numberAvailable === 1, { what: 'picky' });
    assert.deepEqual((await podsOf(c, 'picky')).map((p) => p.spec.nodeName), ['skiff-node-1']);
    // Removing the taint adds a pod there; deleting a node removes its pod.
    await c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-2', (n) => { delete n.spec.taints; return n; });
    await c.until(async () => (await podsOf(c, 'agent')).length === 3, { what: 'pod on untainted node' });
  } finally { await c.close(); }
});

test('rolling update replaces pods one at a time (maxUnavailable 1)', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    await c.store.create(dsR, 'default', ds('roll'));
    await c.until(async () => (await c.store.get(dsR, 'default', 'roll')).status?.numberAvailable === 3, { what: 'initial' });
    await c.store.guaranteedUpdate(dsR, 'default', 'roll', (d) => { d.spec.template.spec.containers[0].image = 'example.com/agent:1.37'; return d; });
    let minReady = 3;
    await c.until(async () => {
      const pods = await podsOf(c, 'roll');
      minReady = Math.min(minReady, pods.filter(ready).length);
      const d = await c.store.get(dsR, 'default', 'roll');
      return d.status?.updatedNumberScheduled === 3 && d.status?.numberAvailable === 3 && d.status.observedGeneration === d.metadata.generation;
    }, { stepMs: 50, what: 'rolled' });
    assert.ok(minReady >= 2, `at most one pod down at a time (min ready ${minReady})`);
    const pods = await podsOf(c, 'roll');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'example.com/agent:1.37'));
  } finally { await c.close(); }
});
