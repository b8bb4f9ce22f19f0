// Objects a fresh cluster has, as a real API server creates them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';
import { RealClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { findResource } from '../../src/registry/resources.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

test('the system PriorityClasses exist with upstream values, and pods naming them resolve', async () => {
  const res = await f.api.get('/apis/scheduling.k8s.io/v1/priorityclasses');
  assert.equal(res.status, 200);
  const byName = Object.fromEntries(res.body.items.map((pc: any) => [pc.metadata.name, pc]));
  assert.equal(byName['system-node-critical']?.value, 2000001000);
  assert.equal(byName['system-cluster-critical']?.value, 2000000000);
  assert.equal(byName['system-cluster-critical'].globalDefault, undefined, 'globalDefault is omitempty: false is left out');
  assert.equal(byName['system-cluster-critical'].preemptionPolicy, 'PreemptLowerPriority');
  const ns = await f.ns('prio');
  const pod = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { priorityClassName: 'system-node-critical', containers: [{ name: 'c', image: 'nginx' }] } });
  assert.equal(pod.status, 201, JSON.stringify(pod.body));
  assert.equal(pod.body.spec.priority, 2000001000);
});

test('the default StorageClass standard exists as on kind, and a PVC without a class gets it', async () => {
  const res = await f.api.get('/apis/storage.k8s.io/v1/storageclasses/standard');
  assert.equal(res.status, 200);
  assert.equal(res.body.metadata.annotations['storageclass.kubernetes.io/is-default-class'], 'true');
  assert.equal(res.body.provisioner, 'rancher.io/local-path');
  assert.equal(res.body.reclaimPolicy, 'Delete');
  assert.equal(res.body.volumeBindingMode, 'WaitForFirstConsumer');
  const ns = await f.ns('sc');
  const pvc = await f.api.post(`/api/v1/namespaces/${ns}/persistentvolumeclaims`).send({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  assert.equal(pvc.status, 201, JSON.stringify(pvc.body));
  assert.equal(pvc.body.spec.storageClassName, 'standard');
  const bad = await f.api.post(`/api/v1/namespaces/${ns}/persistentvolumeclaims`).send({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'neg' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '-5Mi' } } } });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.details.causes[0].field, 'spec.resources[storage]');
});

test('bootstrap without the default StorageClass creates none', async () => {
  const clock = new RealClock();
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now(), compactIntervalMs: 0 });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  try {
    await bootstrap(store, 6443, { defaultStorageClass: false });
    assert.equal((await store.list(findResource('storage.k8s.io', 'v1', 'storageclasses')!, undefined)).items.length, 0);
    assert.ok(await store.tryGet(findResource('', 'v1', 'namespaces')!, undefined, 'kube-system'));
  } finally { await backend.close(); }
});
