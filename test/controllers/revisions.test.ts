// ControllerRevisions of DaemonSets and StatefulSets on the fake clock: one revision per template,
// the old one reused (and renumbered) when a template comes back, history cut to
// revisionHistoryLimit, and the hash labels pods carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import type { Cluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { fnv32, goJson, hashRevision } from '../../src/controllers/history.ts';

const dsR = findResource('apps', 'v1', 'daemonsets')!;
const stsR = findResource('apps', 'v1', 'statefulsets')!;
const crR = findResource('apps', 'v1', 'controllerrevisions')!;

const template = (app: string, image: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image }] } });
const ds = (name: string, extra: Record<string, any> = {}): KObject => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, annotations: { note: 'copied' } },
  spec: { selector: { matchLabels: { app: name } }, template: template(name, 'example.com/agent:1'), ...extra },
});
const sts = (name: string, replicas: number, extra: Record<string, any> = {}): KObject => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
  spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: template(name, 'example.com/agent:1'), ...extra },
});
const revs = async (c: Cluster, owner: string): Promise<any[]> => (await c.list(crR, 'default'))
  .filter((r) => r.metadata.ownerReferences?.[0]?.name === owner).sort((a, b) => a.revision - b.revision);
const livePods = async (c: Cluster, app: string) => (await c.list(R.pods, 'default')).filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);
const imageOf = (r: KObject) => r.data.spec.template.spec.containers[0].image;
async function setImage(c: Cluster, r: typeof dsR, name: string, image: string) {
  await c.store.guaranteedUpdate(r, 'default', name, (o) => { o.spec.template.spec.containers[0].image = image; return o; });
}

test('FNV-1 and Go-style JSON as upstream hashes and writes revision data', () => {
  assert.equal(fnv32(''), 0x811c9dc5);
  assert.equal(fnv32('a'), 0x050c5d7e); // FNV-1, not FNV-1a (0xe40c292c)
  assert.equal(goJson({ b: 1, a: ['<&>', null] }), '{"a":["\\u003c\\u0026\\u003e",null],"b":1}');
  assert.match(hashRevision('{}', 0), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.notEqual(hashRevision('{}', 0), hashRevision('{}', 1));
});

test('DaemonSet: a revision per template, pods labelled with its hash, the old revision renumbered on rollback', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(dsR, 'default', ds('agent'));
    await c.until(async () => (await c.store.get(dsR, 'default', 'agent')).status?.numberAvailable === 2, { what: 'available' });
    const [r1] = await revs(c, 'agent');
    const hash1 = r1.metadata.labels['controller-revision-hash'];
    assert.equal(r1.metadata.name, `agent-${hash1}`);
    assert.equal(r1.revision, 1);
    assert.equal(r1.metadata.labels.app, 'agent');
    assert.equal(r1.metadata.annotations.note, 'copied');
    assert.deepEqual({ ...r1.metadata.ownerReferences[0], uid: undefined }, { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: undefined, controller: true, blockOwnerDeletion: true });
    assert.equal(r1.data.spec.template.$patch, 'replace');
    assert.equal(imageOf(r1), 'example.com/agent:1');
    for (const p of await livePods(c, 'agent')) assert.equal(p.metadata.labels!['controller-revision-hash'], hash1);

    await setImage(c, dsR, 'agent', 'example.com/agent:2');
    await c.until(async () => (await livePods(c, 'agent')).every((p) => p.spec.containers[0].image === 'example.com/agent:2')
      && (await c.store.get(dsR, 'default', 'agent')).status?.updatedNumberScheduled === 2, { what: 'rolled to 2' });
    const after2 = await revs(c, 'agent');
    assert.deepEqual(after2.map((r) => [r.revision, imageOf(r)]), [[1, 'example.com/agent:1'], [2, 'example.com/agent:2']]);
    const hash2 = after2[1].metadata.labels['controller-revision-hash'];
    assert.notEqual(hash2, hash1);
    for (const p of await livePods(c, 'agent')) {
      assert.equal(p.metadata.labels!['controller-revision-hash'], hash2);
      assert.equal(p.metadata.labels!['pod-template-generation'], '2');
    }

    // Back to the first template: revision 1 becomes revision 3, no new object.
    await setImage(c, dsR, 'agent', 'example.com/agent:1');
    await c.until(async () => (await livePods(c, 'agent')).every((p) => p.spec.containers[0].image === 'example.com/agent:1'), { what: 'rolled back' });
    const after3 = await revs(c, 'agent');
    assert.deepEqual(after3.map((r) => [r.metadata.name, r.revision]), [[after2[1].metadata.name, 2], [r1.metadata.name, 3]]);
    for (const p of await livePods(c, 'agent')) assert.equal(p.metadata.labels!['controller-revision-hash'], hash1);
  } finally { await c.close(); }
});

test('DaemonSet: history beyond revisionHistoryLimit is removed oldest first', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await c.store.create(dsR, 'default', ds('lim', { revisionHistoryLimit: 1 }));
    for (const v of ['2', '3', '4']) {
      await c.until(async () => (await livePods(c, 'lim')).some((p) => p.status?.phase === 'Running'), { what: 'running' });
      await setImage(c, dsR, 'lim', `example.com/agent:${v}`);
      await c.until(async () => (await livePods(c, 'lim')).every((p) => p.spec.containers[0].image === `example.com/agent:${v}`), { what: `image ${v}` });
    }
    await c.until(async () => (await revs(c, 'lim')).length === 2, { what: 'history cut' });
    assert.deepEqual((await revs(c, 'lim')).map((r) => [r.revision, imageOf(r)]), [[3, 'example.com/agent:3'], [4, 'example.com/agent:4']]);
  } finally { await c.close(); }
});

test('StatefulSet: revisions named in status and on pods, rollback reuses the old revision, history limit', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(stsR, 'default', sts('web', 2, { revisionHistoryLimit: 1 }));
    await c.until(async () => (await c.store.get(stsR, 'default', 'web')).status?.readyReplicas === 2, { what: 'ready' });
    const [r1] = await revs(c, 'web');
    assert.equal(r1.revision, 1);
    assert.equal(r1.metadata.name, `web-${r1.metadata.labels['controller.kubernetes.io/hash']}`);
    assert.equal(r1.metadata.labels.app, 'web');
    assert.equal(r1.metadata.ownerReferences[0].kind, 'StatefulSet');
    assert.equal(r1.metadata.ownerReferences[0].controller, true);
    let st = (await c.store.get(stsR, 'default', 'web')).status;
    assert.equal(st.currentRevision, r1.metadata.name);
    assert.equal(st.updateRevision, r1.metadata.name);
    for (const p of await livePods(c, 'web')) assert.equal(p.metadata.labels!['controller-revision-hash'], r1.metadata.name);

    await setImage(c, stsR, 'web', 'example.com/agent:2');
    await c.until(async () => { const s = (await c.store.get(stsR, 'default', 'web')).status; return s.updatedReplicas === 2 && s.readyReplicas === 2 && s.currentRevision === s.updateRevision; }, { stepMs: 200, what: 'rolled' });
    const r2 = (await revs(c, 'web'))[1];
    assert.equal(r2.revision, 2);
    st = (await c.store.get(stsR, 'default', 'web')).status;
    assert.equal(st.updateRevision, r2.metadata.name);
    for (const p of await livePods(c, 'web')) assert.equal(p.metadata.labels!['controller-revision-hash'], r2.metadata.name);

    await setImage(c, stsR, 'web', 'example.com/agent:1');
    await c.until(async () => (await c.store.get(stsR, 'default', 'web')).status?.updateRevision === r1.metadata.name, { what: 'update revision back to 1' });
    assert.deepEqual((await revs(c, 'web')).map((r) => [r.metadata.name, r.revision]), [[r2.metadata.name, 2], [r1.metadata.name, 3]]);
    await c.until(async () => { const s = (await c.store.get(stsR, 'default', 'web')).status; return s.updatedReplicas === 2 && s.currentRevision === r1.metadata.name; }, { stepMs: 200, what: 'rolled back' });

    // A third template: revision 2 (not live, beyond the limit of 1 old revision) stays; one more goes.
    await setImage(c, stsR, 'web', 'example.com/agent:3');
    await c.until(async () => { const s = (await c.store.get(stsR, 'default', 'web')).status; return s.updatedReplicas === 2 && s.readyReplicas === 2 && s.currentRevision === s.updateRevision; }, { stepMs: 200, what: 'rolled to 3' });
    await c.until(async () => (await revs(c, 'web')).length === 2, { what: 'history cut' });
    assert.deepEqual((await revs(c, 'web')).map((r) => [r.revision, imageOf(r)]), [[3, 'example.com/agent:1'], [4, 'example.com/agent:3']]);
  } finally { await c.close(); }
});

test('StatefulSet: a pod below the partition is recreated from the current revision, not the update', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(stsR, 'default', sts('part', 2, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }));
    await c.until(async () => (await c.store.get(stsR, 'default', 'part')).status?.readyReplicas === 2, { what: 'ready' });
    await setImage(c, stsR, 'part', 'example.com/agent:2');
    await c.until(async () => (await c.store.get(stsR, 'default', 'part')).status?.updatedReplicas === 1
      && (await c.store.get(stsR, 'default', 'part')).status?.readyReplicas === 2, { stepMs: 200, what: 'part-1 updated' });
    const p0 = (await livePods(c, 'part')).find((p) => p.metadata.name === 'part-0')!;
    await c.store.delete(R.pods, 'default', 'part-0');
    await c.until(async () => { const p = (await livePods(c, 'part')).find((x) => x.metadata.name === 'part-0'); return !!p && p.metadata.uid !== p0.metadata.uid; }, { what: 'part-0 recreated' });
    const again = (await livePods(c, 'part')).find((x) => x.metadata.name === 'part-0')!;
    assert.equal(again.spec.containers[0].image, 'example.com/agent:1');
    assert.equal(again.metadata.labels!['controller-revision-hash'], p0.metadata.labels!['controller-revision-hash']);
    const st = (await c.store.get(stsR, 'default', 'part')).status;
    assert.notEqual(st.currentRevision, st.updateRevision);
  } finally { await c.close(); }
});

test('orphaned revisions matching the selector are adopted (kubectl delete --cascade=orphan, then re-create); deleting the owner deletes its revisions', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await c.store.create(stsR, 'default', sts('adopt', 1));
    await c.until(async () => (await c.store.get(stsR, 'default', 'adopt')).status?.readyReplicas === 1, { what: 'ready' });
    const [r1] = await revs(c, 'adopt');
    await c.store.delete(stsR, 'default', 'adopt', { propagationPolicy: 'Orphan' });
    await c.until(async () => (await c.list(crR, 'default')).some((r) => r.metadata.name === r1.metadata.name && !r.metadata.ownerReferences), { what: 'orphaned' });
    await c.store.create(stsR, 'default', sts('adopt', 1));
    await c.until(async () => (await revs(c, 'adopt')).length === 1 && (await c.store.get(stsR, 'default', 'adopt')).status?.updateRevision === r1.metadata.name, { what: 'adopted' });
    const [again] = await revs(c, 'adopt');
    const owner = await c.store.get(stsR, 'default', 'adopt');
    assert.equal(again.metadata.uid, r1.metadata.uid);
    assert.equal(again.metadata.ownerReferences[0].uid, owner.metadata.uid);
    assert.equal(again.revision, 1);
    await c.store.delete(stsR, 'default', 'adopt');
    await c.until(async () => (await c.list(crR, 'default')).length === 0, { what: 'revisions collected' });
  } finally { await c.close(); }
});
