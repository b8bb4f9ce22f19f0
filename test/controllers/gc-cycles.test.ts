// The garbage collector and ownership cycles (upstream's e2e "Garbage collector should not be blocked
// by dependency circle" and the graph builder's cycle handling): foreground deletion through a cycle
// completes, background deletion of a member collects the rest, and a cycle of live objects is left
// alone without costing the collector any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import type { Cluster } from './harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const gcQueue = (c: Cluster) => c.ctl.controllers.find((x) => x.name === 'garbagecollector')!.queue;

function pod(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { cycle: 'yes' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

/** Pods p0..p(n-1) in a ring: p(i) is owned by p(i-1), p0 by p(n-1) (blocking references, as the e2e sets them). */
async function ring(c: Cluster, prefix: string, n: number, ns = 'default'): Promise<KObject[]> {
  const pods: KObject[] = [];
  for (let i = 0; i < n; i++) pods.push(await c.store.create(R.pods, ns, pod(`${prefix}${i}`)));
  for (let i = 0; i < n; i++) {
    const owner = pods[(i + n - 1) % n];
    pods[i] = await c.store.guaranteedUpdate(R.pods, ns, pods[i].metadata.name!, (cur) => {
      cur.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Pod', name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true }];
      return cur;
    });
  }
  return pods;
}

async function left(c: Cluster, prefix: string, ns = 'default'): Promise<string[]> {
  return (await c.list(R.pods, ns)).map((p) => p.metadata.name!).filter((n) => n.startsWith(prefix)).sort();
}

for (const n of [2, 3]) {
  test(`foreground deletion through a ${n}-cycle completes, with bounded work`, { timeout: 30_000 }, async () => {
    const c = await startCluster({ nodes: 0 });
    try {
      const pods = await ring(c, `fg${n}-`, n);
      await c.settle();
      const before = gcQueue(c).processed;
      await c.store.delete(R.pods, 'default', pods[0].metadata.name!, { propagationPolicy: 'Foreground', preconditions: { uid: pods[0].metadata.uid } });
      const first = await c.store.get(R.pods, 'default', pods[0].metadata.name!);
      assert.deepEqual(first.metadata.finalizers, ['foregroundDeletion']);
      await c.until(async () => (await left(c, `fg${n}-`)).length === 0, { what: `${n}-cycle deleted`, maxSteps: 200 });
      const work = gcQueue(c).processed - before;
      assert.ok(work > 0 && work < 12 * n, `the collector ran ${work} items for a ${n}-cycle`);
    } finally { await c.close(); }
  });

  test(`background deletion of a ${n}-cycle member collects the others`, { timeout: 30_000 }, async () => {
    const c = await startCluster({ nodes: 0 });
    try {
      const pods = await ring(c, `bg${n}-`, n);
      await c.settle();
      await c.store.delete(R.pods, 'default', pods[0].metadata.name!, { propagationPolicy: 'Background' });
      await c.until(async () => (await left(c, `bg${n}-`)).length === 0, { what: `${n}-cycle collected`, maxSteps: 200 });
    } finally { await c.close(); }
  });
}

test('a cycle of live objects is left alone, and updates to its members cost the collector nothing', { timeout: 30_000 }, async () => {
  const c = await startCluster({ nodes: 0 });
  try {
    await ring(c, 'live-', 3);
    await c.settle();
    const before = gcQueue(c).processed;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 3; i++) {
        await c.store.guaranteedUpdate(R.pods, 'default', `live-${i}`, (cur) => { cur.metadata.labels = { ...cur.metadata.labels, round: String(round) }; return cur; });
      }
    }
    for (let i = 0; i < 5; i++) { await c.settle(); c.clock.advance(1000); }
    assert.equal(gcQueue(c).processed, before);
    assert.deepEqual(await left(c, 'live-'), ['live-0', 'live-1', 'live-2']);
    for (const p of await c.list(R.pods, 'default')) assert.equal(p.metadata.ownerReferences?.[0]?.blockOwnerDeletion, true);
  } finally { await c.close(); }
});

test("upstream's e2e: running pods in a 3-cycle, the first deleted in the foreground with a uid precondition: all go", { timeout: 30_000 }, async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    const pods = await ring(c, 'pod', 3);
    await c.until(async () => (await c.list(R.pods, 'default')).every((p) => p.status?.phase === 'Running'), { what: 'running' });
    await c.store.delete(R.pods, 'default', 'pod0', { propagationPolicy: 'Foreground', preconditions: { uid: pods[0].metadata.uid } });
    await c.until(async () => (await left(c, 'pod')).length === 0, { what: 'all pods deleted', stepMs: 1000, maxSteps: 120 });
  } finally { await c.close(); }
});

test('a dependent with a live owner and an owner waiting in the foreground only loses the waiting reference', { timeout: 30_000 }, async () => {
  const c = await startCluster({ nodes: 0 });
  try {
    const a = await c.store.create(R.configmaps, 'default', { metadata: { name: 'owner-a' } });
    const b = await c.store.create(R.configmaps, 'default', { metadata: { name: 'owner-b' } });
    const ref = (o: KObject) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid!, blockOwnerDeletion: true });
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'dep', ownerReferences: [ref(a), ref(b)] } });
    await c.settle();
    await c.store.delete(R.configmaps, 'default', 'owner-a', { propagationPolicy: 'Foreground' });
    await c.until(async () => !(await c.store.tryGet(R.configmaps, 'default', 'owner-a')), { what: 'owner-a gone', maxSteps: 100 });
    const dep = await c.store.get(R.configmaps, 'default', 'dep');
    assert.deepEqual(dep.metadata.ownerReferences?.map((r: { name: string }) => r.name), ['owner-b']);
    assert.equal(dep.metadata.deletionTimestamp, undefined);
  } finally { await c.close(); }
});

test('a chain deleted in the foreground goes leaf first: no owner disappears while a dependent remains', { timeout: 30_000 }, async () => {
  const c = await startCluster({ nodes: 0 });
  try {
    let prev: KObject | undefined;
    const names: string[] = [];
    for (let i = 0; i < 20; i++) {
      const meta: Record<string, unknown> = { name: `chain-${i}` };
      if (prev) meta.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: prev.metadata.name, uid: prev.metadata.uid, blockOwnerDeletion: true }];
      prev = await c.store.create(R.configmaps, 'default', { metadata: meta });
      names.push(prev.metadata.name!);
    }
    await c.settle();
    await c.store.delete(R.configmaps, 'default', 'chain-0', { propagationPolicy: 'Foreground' });
    let outOfOrder = false;
    await c.until(async () => {
      const have = new Set((await c.list(R.configmaps, 'default')).map((o) => o.metadata.name!));
      // chain-i gone while chain-(i+1) is still there would break foreground order.
      for (let i = 0; i + 1 < names.length; i++) if (!have.has(names[i]) && have.has(names[i + 1])) outOfOrder = true;
      return names.every((n) => !have.has(n));
    }, { what: 'chain deleted', maxSteps: 400 });
    assert.equal(outOfOrder, false);
  } finally { await c.close(); }
});

test('a dependent whose owner is of a kind the collector does not watch is collected within 30 s of the owner going', { timeout: 30_000 }, async () => {
  const c = await startCluster({ nodes: 0 });
  try {
    const sa = await c.store.create(R.serviceaccounts, 'default', { metadata: { name: 'owner-sa' } });
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'sa-dep', ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'owner-sa', uid: sa.metadata.uid! }] } });
    await c.settle();
    c.clock.advance(31_000);
    await c.settle();
    assert.ok(await c.store.tryGet(R.configmaps, 'default', 'sa-dep'), 'kept while its owner lives');
    await c.store.delete(R.serviceaccounts, 'default', 'owner-sa');
    await c.until(async () => !(await c.store.tryGet(R.configmaps, 'default', 'sa-dep')), { what: 'collected', stepMs: 1000, maxSteps: 31 });
  } finally { await c.close(); }
});
