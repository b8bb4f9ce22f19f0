// CRUD per verb: status codes, Status bodies and object semantics, as upstream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, cm, deployment, pod, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';
import { FakeClock } from '../../src/clock.ts';
import type { Clock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { findResource } from '../../src/registry/resources.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const deps = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;

describe('create', () => {
  test('201 with uid, creationTimestamp, resourceVersion, namespace, apiVersion/kind', async () => {
    const ns = await f.ns('create');
    const res = await f.api.post(cms(ns)).send(cm('x'));
    assert.equal(res.status, 201);
    const m = res.body.metadata;
    assert.equal(res.body.kind, 'ConfigMap');
    assert.equal(res.body.apiVersion, 'v1');
    assert.equal(m.name, 'x');
    assert.equal(m.namespace, ns);
    assert.match(m.uid, /^[0-9a-f-]{36}$/);
    assert.match(m.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(m.resourceVersion, /^\d+$/);
    const got = await f.api.get(`${cms(ns)}/x`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, res.body);
  });

  test('a second create is 409 AlreadyExists with upstream message and details', async () => {
    const ns = await f.ns('exists');
    assert.equal((await f.api.post(cms(ns)).send(cm('x'))).status, 201);
    const s = assertStatus(await f.api.post(cms(ns)).send(cm('x', { b: '2' })), 409, 'AlreadyExists');
    assert.equal(s.message, 'configmaps "x" already exists');
    assert.deepEqual(s.details, { name: 'x', kind: 'configmaps' });
    const s2 = assertStatus(await f.api.post(deps(ns)).send(deployment('d')).then(() => f.api.post(deps(ns)).send(deployment('d'))), 409, 'AlreadyExists');
    assert.equal(s2.message, 'deployments.apps "d" already exists');
    assert.deepEqual(s2.details, { name: 'd', group: 'apps', kind: 'deployments' });
    assert.deepEqual((await f.api.get(`${cms(ns)}/x`)).body.data, { a: '1' }, 'the stored object is unchanged');
  });

  test('server-owned metadata in the body is ignored (uid, resourceVersion, deletionTimestamp)', async () => {
    const ns = await f.ns('owned');
    const body = cm('x');
    Object.assign(body.metadata, { uid: 'not-a-uid', resourceVersion: '99999', deletionTimestamp: '2020-01-01T00:00:00Z', creationTimestamp: '2000-01-01T00:00:00Z' });
    const res = await f.api.post(cms(ns)).send(body);
    assert.equal(res.status, 201);
    assert.notEqual(res.body.metadata.uid, 'not-a-uid');
    assert.notEqual(res.body.metadata.resourceVersion, '99999');
    assert.equal(res.body.metadata.deletionTimestamp, undefined);
    assert.notEqual(res.body.metadata.creationTimestamp, '2000-01-01T00:00:00Z');
  });

  test('generateName makes a name with a 5-character suffix', async () => {
    const ns = await f.ns('gen');
    const a = await f.api.post(cms(ns)).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    const b = await f.api.post(cms(ns)).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.match(a.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.body.metadata.name, b.body.metadata.name);
    assert.equal(a.body.metadata.generateName, 'gen-');
  });

  test('generateName retries when the generated name is taken', async () => {
    // A clock whose "random" suffixes are scripted: the first generated name collides.
    const fake = new FakeClock();
    const suffixes = ['aaaaa', 'aaaaa', 'bbbbb'];
    const clock: Clock = {
      now: () => fake.now(), setTimeout: (fn, ms) => fake.setTimeout(fn, ms), setInterval: (fn, ms) => fake.setInterval(fn, ms),
      random: () => fake.random(), uuid: () => fake.uuid(), randomString: (n) => suffixes.shift() ?? fake.randomString(n),
      randomBytes: (n) => fake.randomBytes(n),
    };
    const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock: fake, now: () => fake.now() });
    try {
      const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
      await store.create(findResource('', 'v1', 'namespaces')!, undefined, { metadata: { name: 'n' } });
      const r = findResource('', 'v1', 'configmaps')!;
      const first = await store.create(r, 'n', { metadata: { generateName: 'gen-' } });
      assert.equal(first.metadata.name, 'gen-aaaaa');
      const second = await store.create(r, 'n', { metadata: { generateName: 'gen-' } });
      assert.equal(second.metadata.name, 'gen-bbbbb');
    } finally {
      await backend.close();
    }
  });

  test('the namespace must exist: 404 naming the namespace', async () => {
    const s = assertStatus(await f.api.post(cms('does-not-exist')).send(cm('x')), 404, 'NotFound');
    assert.equal(s.message, 'namespaces "does-not-exist" not found');
    assert.equal(s.details.name, 'does-not-exist');
    assert.equal(s.details.kind, 'namespaces');
  });

  test('a terminating namespace refuses new objects with 403', async () => {
    const name = 'terminating-ns';
    const created = await f.api.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] } });
    assert.equal(created.status, 201);
    const del = await f.api.delete(`/api/v1/namespaces/${name}`);
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.deletionTimestamp, 'namespace is marked for deletion');
    assert.equal(del.body.status.phase, 'Terminating');
    const s = assertStatus(await f.api.post(cms(name)).send(cm('x')), 403, 'Forbidden');
    assert.equal(s.message, `configmaps "x" is forbidden: unable to create new content in namespace ${name} because it is being terminated`);
    assertStatus(await f.api.get(`${cms(name)}/x`), 404);
  });
});

describe('get', () => {
  test('a missing object is 404 with upstream message and details', async () => {
    const ns = await f.ns('get');
    const s = assertStatus(await f.api.get(`${cms(ns)}/x`), 404, 'NotFound');
    assert.equal(s.message, 'configmaps "x" not found');
    assert.deepEqual(s.details, { name: 'x', kind: 'configmaps' });
    const d = assertStatus(await f.api.get(`${deps(ns)}/d`), 404, 'NotFound');
    assert.equal(d.message, 'deployments.apps "d" not found');
    assert.equal(d.details.group, 'apps');
  });

  test('cluster-scoped objects under a namespace path are 404', async () => {
    assertStatus(await f.api.get('/api/v1/namespaces/default/nodes/x'), 404);
  });
});

describe('update', () => {
  test('a stale resourceVersion is 409 Conflict with upstream message', async () => {
    const ns = await f.ns('stale');
    const c = await f.api.post(cms(ns)).send(cm('x'));
    const rv1 = c.body.metadata.resourceVersion;
    const u = await f.api.put(`${cms(ns)}/x`).send({ ...c.body, data: { a: '2' } });
    assert.equal(u.status, 200);
    assert.notEqual(u.body.metadata.resourceVersion, rv1);
    const s = assertStatus(await f.api.put(`${cms(ns)}/x`).send({ ...c.body, data: { a: '3' } }), 409, 'Conflict');
    assert.equal(s.message, 'Operation cannot be fulfilled on configmaps "x": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual(s.details, { name: 'x', kind: 'configmaps' });
    const now = await f.api.get(`${cms(ns)}/x`);
    assert.deepEqual(now.body.data, { a: '2' });
  });

  test('without resourceVersion the update is unconditional', async () => {
    const ns = await f.ns('uncond');
    await f.api.post(cms(ns)).send(cm('x'));
    const u = await f.api.put(`${cms(ns)}/x`).send(cm('x', { z: '9' }));
    assert.equal(u.status, 200);
    assert.deepEqual(u.body.data, { z: '9' });
  });

  test('updating a missing object is 404', async () => {
    const ns = await f.ns('upd404');
    const s = assertStatus(await f.api.put(`${cms(ns)}/x`).send(cm('x')), 404, 'NotFound');
    assert.equal(s.message, 'configmaps "x" not found');
  });

  test('a no-op update keeps the resourceVersion', async () => {
    const ns = await f.ns('noop');
    const c = await f.api.post(cms(ns)).send(cm('x', { a: '1' }, { k: 'v' }));
    const u = await f.api.put(`${cms(ns)}/x`).send(c.body);
    assert.equal(u.status, 200);
    assert.equal(u.body.metadata.resourceVersion, c.body.metadata.resourceVersion);
    const u2 = await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '1' }, { k: 'v' }));
    assert.equal(u2.body.metadata.resourceVersion, c.body.metadata.resourceVersion, 'no-op without resourceVersion in the body');
  });

  test('generation starts at 1 and bumps only on spec change (deployments)', async () => {
    const ns = await f.ns('gen');
    const c = await f.api.post(deps(ns)).send(deployment('d', 1));
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.metadata.generation, 1);
    const labelled = structuredClone(c.body);
    labelled.metadata.labels = { touched: 'yes' };
    const u1 = await f.api.put(`${deps(ns)}/d`).send(labelled);
    assert.equal(u1.status, 200, u1.text);
    assert.equal(u1.body.metadata.generation, 1, 'metadata change does not bump generation');
    assert.notEqual(u1.body.metadata.resourceVersion, c.body.metadata.resourceVersion);
    const scaled = structuredClone(u1.body);
    scaled.spec.replicas = 3;
    const u2 = await f.api.put(`${deps(ns)}/d`).send(scaled);
    assert.equal(u2.body.metadata.generation, 2, 'spec change bumps generation');
    const forged = structuredClone(u2.body);
    forged.metadata.generation = 42;
    const u3 = await f.api.put(`${deps(ns)}/d`).send(forged);
    assert.equal(u3.status, 200);
    assert.equal(u3.body.metadata.generation, 2, 'clients cannot set generation');
  });

  test('status is kept on a main-resource PUT and only status changes via /status', async () => {
    const ns = await f.ns('status');
    const c = await f.api.post(deps(ns)).send({ ...deployment('d', 1), status: { replicas: 7 } });
    assert.equal(c.body.status?.replicas, undefined, 'status in a create body is dropped');
    const withStatus = structuredClone(c.body);
    withStatus.status = { replicas: 5, observedGeneration: 1 };
    withStatus.spec.replicas = 4; // must be ignored by /status
    const s = await f.api.put(`${deps(ns)}/d/status`).send(withStatus);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.status.replicas, 5);
    assert.equal(s.body.spec.replicas, 1, '/status does not change spec');
    assert.equal(s.body.metadata.generation, 1);
    const main = structuredClone(s.body);
    main.status = { replicas: 99 };
    main.spec.replicas = 2;
    const m = await f.api.put(`${deps(ns)}/d`).send(main);
    assert.equal(m.status, 200, m.text);
    assert.equal(m.body.spec.replicas, 2);
    assert.equal(m.body.status.replicas, 5, 'status is kept on a main-resource PUT');
    const got = await f.api.get(`${deps(ns)}/d/status`);
    assert.equal(got.status, 200);
    assert.equal(got.body.status.replicas, 5);
  });

  test('uid is immutable: a PUT carrying another uid is 409 and changes nothing', async () => {
    const ns = await f.ns('uid');
    const c = await f.api.post(cms(ns)).send(cm('x'));
    const body = structuredClone(c.body);
    body.metadata.uid = '00000000-0000-0000-0000-000000000000';
    body.data = { a: 'changed' };
    const s = assertStatus(await f.api.put(`${cms(ns)}/x`).send(body), 409, 'Conflict');
    assert.match(s.message, /Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: /);
    const got = await f.api.get(`${cms(ns)}/x`);
    assert.deepEqual(got.body, c.body);
  });

  test('creationTimestamp is immutable: a changed value is ignored', async () => {
    const ns = await f.ns('cts');
    const c = await f.api.post(cms(ns)).send(cm('x'));
    const body = structuredClone(c.body);
    body.metadata.creationTimestamp = '2001-01-01T00:00:00Z';
    body.data = { a: '2' };
    const u = await f.api.put(`${cms(ns)}/x`).send(body);
    assert.equal(u.status, 200);
    assert.equal(u.body.metadata.creationTimestamp, c.body.metadata.creationTimestamp);
    assert.equal(u.body.metadata.uid, c.body.metadata.uid);
  });

  test('PUT creates for kinds that allow create-on-update (services), not for configmaps', async () => {
    const ns = await f.ns('cou');
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } };
    const res = await f.api.put(`/api/v1/namespaces/${ns}/services/s`).send(svc);
    assert.equal(res.status, 201, res.text);
    assertStatus(await f.api.put(`${cms(ns)}/nope`).send(cm('nope')), 404);
  });
});

describe('delete', () => {
  test('delete answers Status Success with details', async () => {
    const ns = await f.ns('del');
    const c = await f.api.post(cms(ns)).send(cm('x'));
    const d = await f.api.delete(`${cms(ns)}/x`);
    assert.equal(d.status, 200);
    assert.deepEqual(d.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'x', kind: 'configmaps', uid: c.body.metadata.uid } });
    assertStatus(await f.api.get(`${cms(ns)}/x`), 404);
    const again = assertStatus(await f.api.delete(`${cms(ns)}/x`), 404, 'NotFound');
    assert.equal(again.message, 'configmaps "x" not found');
  });

  test('deleting a group resource names its group in the details', async () => {
    const ns = await f.ns('delgrp');
    await f.api.post(deps(ns)).send(deployment('d'));
    const d = await f.api.delete(`${deps(ns)}/d`);
    assert.equal(d.status, 200);
    assert.equal(d.body.status, 'Success');
    assert.deepEqual({ ...d.body.details, uid: undefined }, { name: 'd', group: 'apps', kind: 'deployments', uid: undefined });
  });

  test('deleting a pod answers the pod object', async () => {
    const ns = await f.ns('delpod');
    assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('p'))).status, 201);
    const d = await f.api.delete(`/api/v1/namespaces/${ns}/pods/p`);
    assert.equal(d.status, 200);
    assert.equal(d.body.kind, 'Pod');
    assert.equal(d.body.metadata.name, 'p');
  });

  test('preconditions on uid and resourceVersion: 409 when they do not match', async () => {
    const ns = await f.ns('precond');
    const c = await f.api.post(cms(ns)).send(cm('x'));
    const s1 = assertStatus(await f.api.delete(`${cms(ns)}/x`).send({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'wrong-uid' } }), 409, 'Conflict');
    assert.match(s1.message, /^Operation cannot be fulfilled on configmaps "x": .*Precondition failed: UID in precondition: wrong-uid, UID in object meta: /);
    const s2 = assertStatus(await f.api.delete(`${cms(ns)}/x`).send({ preconditions: { resourceVersion: '1' } }), 409, 'Conflict');
    assert.match(s2.message, /Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \d+/);
    assert.equal((await f.api.get(`${cms(ns)}/x`)).status, 200, 'still there');
    const ok = await f.api.delete(`${cms(ns)}/x`).send({ preconditions: { uid: c.body.metadata.uid, resourceVersion: c.body.metadata.resourceVersion } });
    assert.equal(ok.status, 200);
    assertStatus(await f.api.get(`${cms(ns)}/x`), 404);
  });

  test('finalizers keep the object with a deletionTimestamp until the last one is removed', async () => {
    const ns = await f.ns('fin');
    const body = cm('x');
    (body.metadata as any).finalizers = ['example.com/a', 'example.com/b'];
    assert.equal((await f.api.post(cms(ns)).send(body)).status, 201);
    const d = await f.api.delete(`${cms(ns)}/x`);
    assert.equal(d.status, 200);
    assert.equal(d.body.kind, 'ConfigMap', 'an object kept by finalizers is returned');
    assert.ok(d.body.metadata.deletionTimestamp);
    assert.equal(d.body.metadata.deletionGracePeriodSeconds, 0);
    const g = await f.api.get(`${cms(ns)}/x`);
    assert.equal(g.status, 200);
    assert.ok(g.body.metadata.deletionTimestamp);
    const one = structuredClone(g.body);
    one.metadata.finalizers = ['example.com/b'];
    const u1 = await f.api.put(`${cms(ns)}/x`).send(one);
    assert.equal(u1.status, 200);
    assert.equal(u1.body.metadata.deletionTimestamp, g.body.metadata.deletionTimestamp, 'an update cannot change deletionTimestamp');
    const last = structuredClone(u1.body);
    last.metadata.finalizers = [];
    const u2 = await f.api.put(`${cms(ns)}/x`).send(last);
    assert.equal(u2.status, 200);
    assertStatus(await f.api.get(`${cms(ns)}/x`), 404);
  });

  test('an update cannot remove a deletionTimestamp', async () => {
    const ns = await f.ns('fin2');
    const body = cm('x');
    (body.metadata as any).finalizers = ['example.com/a'];
    await f.api.post(cms(ns)).send(body);
    const d = await f.api.delete(`${cms(ns)}/x`);
    const u = structuredClone(d.body);
    delete u.metadata.deletionTimestamp;
    u.data = { a: '2' };
    const res = await f.api.put(`${cms(ns)}/x`).send(u);
    assert.equal(res.status, 200);
    assert.equal(res.body.metadata.deletionTimestamp, d.body.metadata.deletionTimestamp);
  });

  for (const [policy, fin] of [['Foreground', 'foregroundDeletion'], ['Orphan', 'orphan']] as const) {
    test(`propagationPolicy=${policy} adds the ${fin} finalizer and keeps the object`, async () => {
      const ns = await f.ns(`prop-${policy.toLowerCase()}`);
      await f.api.post(deps(ns)).send(deployment('d'));
      const d = await f.api.delete(`${deps(ns)}/d`).send({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.body.kind, 'Deployment');
      assert.ok(d.body.metadata.finalizers.includes(fin));
      assert.ok(d.body.metadata.deletionTimestamp);
      const g = await f.api.get(`${deps(ns)}/d`);
      assert.equal(g.status, 200);
      assert.ok(g.body.metadata.finalizers.includes(fin));
    });
  }

  test('propagationPolicy as a query parameter, and an invalid one is 422', async () => {
    const ns = await f.ns('propq');
    await f.api.post(deps(ns)).send(deployment('d'));
    const d = await f.api.delete(`${deps(ns)}/d?propagationPolicy=Orphan`);
    assert.ok(d.body.metadata.finalizers.includes('orphan'));
    await f.api.post(cms(ns)).send(cm('x'));
    assertStatus(await f.api.delete(`${cms(ns)}/x?propagationPolicy=Sideways`), 422, 'Invalid');
    assert.equal((await f.api.get(`${cms(ns)}/x`)).status, 200);
  });

  test('deletecollection deletes only what the selectors match and returns the list', async () => {
    const ns = await f.ns('delcol');
    await f.api.post(cms(ns)).send(cm('a', {}, { app: 'web' }));
    await f.api.post(cms(ns)).send(cm('b', {}, { app: 'web' }));
    await f.api.post(cms(ns)).send(cm('c', {}, { app: 'db' }));
    const other = await f.ns('delcol-other');
    await f.api.post(cms(other)).send(cm('a', {}, { app: 'web' }));
    const d = await f.api.delete(`${cms(ns)}?labelSelector=app%3Dweb`);
    assert.equal(d.status, 200, d.text);
    assert.equal(d.body.kind, 'ConfigMapList');
    assert.deepEqual(d.body.items.map((i: any) => i.metadata.name).sort(), ['a', 'b']);
    const left = await f.api.get(cms(ns));
    assert.deepEqual(left.body.items.map((i: any) => i.metadata.name), ['c']);
    assert.equal((await f.api.get(`${cms(other)}/a`)).status, 200, 'other namespaces are untouched');
    const byField = await f.api.delete(`${cms(ns)}?fieldSelector=metadata.name%3Dc`);
    assert.equal(byField.status, 200);
    assert.equal((await f.api.get(cms(ns))).body.items.length, 0);
  });
});

describe('dryRun', () => {
  test('dryRun=All on create answers the object and stores nothing', async () => {
    const ns = await f.ns('dry');
    const res = await f.api.post(`${cms(ns)}?dryRun=All`).send(cm('x'));
    assert.equal(res.status, 201);
    assert.equal(res.body.metadata.name, 'x');
    assertStatus(await f.api.get(`${cms(ns)}/x`), 404);
  });

  test('dryRun=All on update and delete change nothing', async () => {
    const ns = await f.ns('dry2');
    const c = await f.api.post(cms(ns)).send(cm('x'));
    const u = await f.api.put(`${cms(ns)}/x?dryRun=All`).send(cm('x', { a: 'dry' }));
    assert.equal(u.status, 200);
    assert.deepEqual(u.body.data, { a: 'dry' });
    const d = await f.api.delete(`${cms(ns)}/x?dryRun=All`);
    assert.equal(d.status, 200);
    const dc = await f.api.delete(`${cms(ns)}?dryRun=All`);
    assert.equal(dc.status, 200);
    const got = await f.api.get(`${cms(ns)}/x`);
    assert.deepEqual(got.body, c.body);
  });

  test('an unknown dryRun value is 400 and nothing is written', async () => {
    const ns = await f.ns('dry3');
    assertStatus(await f.api.post(`${cms(ns)}?dryRun=Some`).send(cm('x')), 400, 'BadRequest');
    assertStatus(await f.api.get(`${cms(ns)}/x`), 404);
    const c = await f.api.post(cms(ns)).send(cm('y'));
    assertStatus(await f.api.put(`${cms(ns)}/y?dryRun=Some`).send(cm('y', { b: '2' })), 400);
    assertStatus(await f.api.delete(`${cms(ns)}/y?dryRun=Some`), 400);
    assert.deepEqual((await f.api.get(`${cms(ns)}/y`)).body, c.body);
  });
});

describe('system namespaces', () => {
  for (const name of ['default', 'kube-system', 'kube-public']) {
    test(`deleting namespace ${name} is forbidden and it stays Active`, async () => {
      const s = assertStatus(await f.api.delete(`/api/v1/namespaces/${name}`), 403, 'Forbidden');
      assert.match(s.message, /this namespace may not be deleted/);
      const got = await f.api.get(`/api/v1/namespaces/${name}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.metadata.deletionTimestamp, undefined);
    });
  }
});

describe('dry-run patch', () => {
  test('returns the would-be object with the current resourceVersion and stores nothing', async () => {
    const ns = await f.ns('dry-patch');
    const c = await f.api.post(cms(ns)).send(cm('p', { v: 'one' }));
    assert.equal(c.status, 201);
    const r = await f.api.patch(`${cms(ns)}/p?dryRun=All&fieldManager=test`).set('Content-Type', 'application/merge-patch+json').send(JSON.stringify({ data: { v: 'two' } }));
    assert.equal(r.status, 200);
    assert.equal(r.body.data.v, 'two');
    assert.equal(r.body.metadata.resourceVersion, c.body.metadata.resourceVersion);
    assert.deepEqual((await f.api.get(`${cms(ns)}/p`)).body, c.body);
  });
});
