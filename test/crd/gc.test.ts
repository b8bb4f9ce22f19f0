// Garbage collection with owners served from CRDs: a dependent of a deleted custom object is
// collected, also when the objects go with their CRD; a dependent of a live custom owner stays.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { widget, widgetCRD } from './crds.ts';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: true }); });
after(async () => { await f.stop(); });

const until = async (fn: () => Promise<boolean>) => { while (!(await fn())) await new Promise((r) => setTimeout(r, 20)); };
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

async function owned(ns: string, name: string, owner: any) {
  const r = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name, ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] } });
  assert.equal(r.status, 201, r.text);
}

test('dependents of deleted custom objects are collected', { timeout: 30_000 }, async () => {
  await f.api.post(CRDS).send(widgetCRD({ group: 'gc.example.com' }));
  await until(async () => (await f.api.get('/apis/gc.example.com/v1/widgets')).status === 200);
  const ns = await f.ns('gc');
  const base = `/apis/gc.example.com/v1/namespaces/${ns}/widgets`;
  const a = (await f.api.post(base).send(widget('a', undefined, 'gc.example.com/v1'))).body;
  const b = (await f.api.post(base).send(widget('b', undefined, 'gc.example.com/v1'))).body;
  await owned(ns, 'of-a', a);
  await owned(ns, 'of-b', b);
  await f.api.delete(`${base}/a`);
  await until(async () => (await f.api.get(`/api/v1/namespaces/${ns}/configmaps/of-a`)).status === 404);
  assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/of-b`)).status, 200, 'the live owner keeps its dependent');
  // Deleting the CRD deletes b, and so its dependent.
  await f.api.delete(`${CRDS}/widgets.gc.example.com`);
  await until(async () => (await f.api.get(`/api/v1/namespaces/${ns}/configmaps/of-b`)).status === 404);
});

test('custom owners deleted in the foreground or orphaning finish their deletion', { timeout: 30_000 }, async () => {
  await f.api.post(CRDS).send(widgetCRD({ group: 'gcfg.example.com' }));
  await until(async () => (await f.api.get('/apis/gcfg.example.com/v1/widgets')).status === 200);
  const ns = await f.ns('gcfg');
  const base = `/apis/gcfg.example.com/v1/namespaces/${ns}/widgets`;
  const fg = (await f.api.post(base).send(widget('fg', undefined, 'gcfg.example.com/v1'))).body;
  const r = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'blocker', finalizers: ['example.com/hold'],
    ownerReferences: [{ apiVersion: fg.apiVersion, kind: fg.kind, name: 'fg', uid: fg.metadata.uid, blockOwnerDeletion: true }] } });
  assert.equal(r.status, 201, r.text);
  const del = await f.api.delete(`${base}/fg`).send({ propagationPolicy: 'Foreground' });
  assert.equal(del.status, 200);
  // The blocker is being deleted (its own finalizer holds it); the owner waits for it.
  await until(async () => !!(await f.api.get(`/api/v1/namespaces/${ns}/configmaps/blocker`)).body.metadata?.deletionTimestamp);
  const waitingOwner = (await f.api.get(`${base}/fg`)).body;
  assert.ok(waitingOwner.metadata.finalizers.includes('foregroundDeletion'), 'owner waits for its blocking dependent');
  await f.api.patch(`/api/v1/namespaces/${ns}/configmaps/blocker`).set('Content-Type', 'application/merge-patch+json').send({ metadata: { finalizers: null } });
  await until(async () => (await f.api.get(`${base}/fg`)).status === 404);

  const or = (await f.api.post(base).send(widget('or', undefined, 'gcfg.example.com/v1'))).body;
  await owned(ns, 'kept', or);
  await f.api.delete(`${base}/or`).send({ propagationPolicy: 'Orphan' });
  await until(async () => (await f.api.get(`${base}/or`)).status === 404);
  const kept = await f.api.get(`/api/v1/namespaces/${ns}/configmaps/kept`);
  assert.equal(kept.status, 200, 'orphaned dependent stays');
  assert.equal(kept.body.metadata.ownerReferences, undefined, 'and loses its reference');
});

test('custom objects are dependents too: collected when their owner goes, foreground waits for them', { timeout: 30_000 }, async () => {
  await f.api.post(CRDS).send(widgetCRD({ group: 'gcdep.example.com' }));
  await until(async () => (await f.api.get('/apis/gcdep.example.com/v1/widgets')).status === 200);
  const ns = await f.ns('gcdep');
  const base = `/apis/gcdep.example.com/v1/namespaces/${ns}/widgets`;
  const owner = (await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'owner' } })).body;
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid, blockOwnerDeletion: true };
  const w = widget('dep', undefined, 'gcdep.example.com/v1') as any;
  w.metadata.ownerReferences = [ref];
  w.metadata.finalizers = ['example.com/hold'];
  assert.equal((await f.api.post(base).send(w)).status, 201);
  // Foreground: the owner waits while its custom dependent is held by a finalizer.
  assert.equal((await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/owner`).send({ propagationPolicy: 'Foreground' })).status, 200);
  await until(async () => !!(await f.api.get(`${base}/dep`)).body.metadata?.deletionTimestamp);
  assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/owner`)).status, 200, 'the owner waits for its blocking custom dependent');
  await f.api.patch(`${base}/dep`).set('Content-Type', 'application/merge-patch+json').send({ metadata: { finalizers: null } });
  await until(async () => (await f.api.get(`/api/v1/namespaces/${ns}/configmaps/owner`)).status === 404);
  // Background: a custom object whose owner is gone is collected.
  const owner2 = (await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'owner2' } })).body;
  const w2 = widget('dep2', undefined, 'gcdep.example.com/v1') as any;
  w2.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner2', uid: owner2.metadata.uid }];
  assert.equal((await f.api.post(base).send(w2)).status, 201);
  await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/owner2`);
  await until(async () => (await f.api.get(`${base}/dep2`)).status === 404);
});
