// Subresources served by the API server: status, scale, binding, eviction, finalize; and the not-yet-served ones.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, deployment, pod, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const pods = (ns: string) => `/api/v1/namespaces/${ns}/pods`;
const deps = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;

describe('scale', () => {
  test('GET scale is an autoscaling/v1 Scale with a string status.selector', async () => {
    const ns = await f.ns('scale');
    const d = await f.api.post(deps(ns)).send(deployment('web', 2));
    const s = await f.api.get(`${deps(ns)}/web/scale`);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.kind, 'Scale');
    assert.equal(s.body.apiVersion, 'autoscaling/v1');
    assert.equal(s.body.metadata.name, 'web');
    assert.equal(s.body.metadata.namespace, ns);
    assert.equal(s.body.metadata.uid, d.body.metadata.uid);
    assert.equal(s.body.metadata.resourceVersion, d.body.metadata.resourceVersion);
    assert.equal(s.body.spec.replicas, 2);
    assert.equal(s.body.status.selector, 'app=web');
    assert.equal(typeof s.body.status.replicas, 'number');
  });

  test('PUT scale changes spec.replicas of the object, checks resourceVersion, rejects negatives', async () => {
    const ns = await f.ns('scale-put');
    await f.api.post(deps(ns)).send(deployment('web', 1));
    const cur = (await f.api.get(`${deps(ns)}/web/scale`)).body;
    const put = await f.api.put(`${deps(ns)}/web/scale`).send({ ...cur, spec: { replicas: 3 } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.kind, 'Scale');
    assert.equal(put.body.spec.replicas, 3);
    const dep = (await f.api.get(`${deps(ns)}/web`)).body;
    assert.equal(dep.spec.replicas, 3);
    assert.equal(dep.metadata.generation, 2);
    const stale = assertStatus(await f.api.put(`${deps(ns)}/web/scale`).send({ ...cur, spec: { replicas: 5 } }), 409, 'Conflict');
    assert.match(stale.message, /the object has been modified/);
    const neg = assertStatus(await f.api.put(`${deps(ns)}/web/scale`).send({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: -1 } }), 422, 'Invalid');
    assert.equal(neg.details.causes[0].field, 'spec.replicas');
    assert.equal((await f.api.get(`${deps(ns)}/web`)).body.spec.replicas, 3);
    assertStatus(await f.api.get(`${deps(ns)}/missing/scale`), 404, 'NotFound');
  });

  test('replicationcontrollers expose scale with a map selector', async () => {
    const ns = await f.ns('scale-rc');
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' },
      spec: { replicas: 1, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/replicationcontrollers`).send(rc)).status, 201);
    const s = await f.api.get(`/api/v1/namespaces/${ns}/replicationcontrollers/rc/scale`);
    assert.equal(s.status, 200);
    assert.equal(s.body.status.selector, 'app=rc');
  });

  test('scale is not a subresource of configmaps (404)', async () => {
    const ns = await f.ns('scale-cm');
    assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/configmaps/x/scale`), 404, 'NotFound');
  });
});

describe('pods/binding', () => {
  test('binding sets spec.nodeName; a second binding is 409', async () => {
    const ns = await f.ns('bind');
    await f.api.post(pods(ns)).send(pod('p'));
    const b = await f.api.post(`${pods(ns)}/p/binding`).send({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } });
    assert.equal(b.status, 201, b.text);
    assert.equal(b.body.kind, 'Status');
    assert.equal(b.body.status, 'Success');
    const p = (await f.api.get(`${pods(ns)}/p`)).body;
    assert.equal(p.spec.nodeName, 'node-1');
    assert.ok(p.status.conditions.some((c: any) => c.type === 'PodScheduled' && c.status === 'True'));
    const again = assertStatus(await f.api.post(`${pods(ns)}/p/binding`).send({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { name: 'node-2' } }), 409, 'Conflict');
    assert.match(again.message, /already assigned to node "node-1"/);
    assert.equal((await f.api.get(`${pods(ns)}/p`)).body.spec.nodeName, 'node-1');
  });

  test('binding a missing pod is 404; a binding without target is 422', async () => {
    const ns = await f.ns('bind-bad');
    assertStatus(await f.api.post(`${pods(ns)}/nope/binding`).send({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'nope' }, target: { name: 'n' } }), 404, 'NotFound');
    await f.api.post(pods(ns)).send(pod('p'));
    const s = assertStatus(await f.api.post(`${pods(ns)}/p/binding`).send({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' } }), 422, 'Invalid');
    assert.equal(s.details.causes[0].field, 'target.name');
  });

  test('the bindings collection binds too', async () => {
    const ns = await f.ns('bindings');
    await f.api.post(pods(ns)).send(pod('p'));
    const b = await f.api.post(`/api/v1/namespaces/${ns}/bindings`).send({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { name: 'node-9' } });
    assert.equal(b.status, 201, b.text);
    assert.equal((await f.api.get(`${pods(ns)}/p`)).body.spec.nodeName, 'node-9');
  });
});

describe('pods/eviction', () => {
  test('eviction deletes the pod', async () => {
    const ns = await f.ns('evict');
    await f.api.post(pods(ns)).send(pod('p'));
    const e = await f.api.post(`${pods(ns)}/p/eviction`).send({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: ns } });
    assert.equal(e.status, 201, e.text);
    assert.equal(e.body.status, 'Success');
    assertStatus(await f.api.get(`${pods(ns)}/p`), 404);
  });

  test('a PodDisruptionBudget that allows no disruption refuses with 429', async () => {
    const ns = await f.ns('evict-pdb');
    const p = pod('p');
    (p.metadata as any).labels = { app: 'guarded' };
    await f.api.post(pods(ns)).send(p);
    const pdb = await f.api.post(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`).send({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } });
    assert.equal(pdb.status, 201, pdb.text);
    const s = assertStatus(await f.api.post(`${pods(ns)}/p/eviction`).send({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' } }), 429, 'TooManyRequests');
    assert.match(s.message, /disruption budget/);
    assert.equal((await f.api.get(`${pods(ns)}/p`)).status, 200);
  });

  test('an evicted pod gets the DisruptionTarget condition before it is deleted; a resourceVersion precondition is checked against the pod as it was', async () => {
    const ns = await f.ns('evict-cond');
    const p = pod('p');
    (p.metadata as any).finalizers = ['example.com/hold'];
    const created = await f.api.post(pods(ns)).send(p);
    const stale = assertStatus(await f.api.post(`${pods(ns)}/p/eviction`).send({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' }, deleteOptions: { preconditions: { resourceVersion: '1' } } }), 409, 'Conflict');
    assert.match(stale.message, /resourceVersion|Precondition/i);
    const e = await f.api.post(`${pods(ns)}/p/eviction`).send({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' }, deleteOptions: { preconditions: { resourceVersion: created.body.metadata.resourceVersion } } });
    assert.equal(e.status, 201, e.text);
    const got = (await f.api.get(`${pods(ns)}/p`)).body;
    assert.ok(got.metadata.deletionTimestamp, 'being deleted (held by its finalizer)');
    const c = got.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
    assert.deepEqual({ status: c.status, reason: c.reason, message: c.message }, { status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    await f.api.patch(`${pods(ns)}/p`).set('Content-Type', 'application/merge-patch+json').send(JSON.stringify({ metadata: { finalizers: null } }));
  });

  test('evicting a missing pod is 404', async () => {
    const ns = await f.ns('evict-404');
    assertStatus(await f.api.post(`${pods(ns)}/nope/eviction`).send({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'nope' } }), 404, 'NotFound');
  });
});

describe('namespaces/finalize', () => {
  test('clearing spec.finalizers of a terminating namespace removes it', async () => {
    const name = 'finalize-me';
    await f.api.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: ['kubernetes'] } });
    const d = await f.api.delete(`/api/v1/namespaces/${name}`);
    assert.equal(d.body.status.phase, 'Terminating');
    const cur = (await f.api.get(`/api/v1/namespaces/${name}`)).body;
    const fin = await f.api.put(`/api/v1/namespaces/${name}/finalize`).send({ ...cur, spec: { finalizers: [] } });
    assert.equal(fin.status, 200, fin.text);
    assertStatus(await f.api.get(`/api/v1/namespaces/${name}`), 404);
  });

  test('finalize on a live namespace only changes spec.finalizers', async () => {
    const name = 'finalize-live';
    const c = await f.api.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { a: 'b' } }, spec: { finalizers: ['kubernetes'] } });
    const fin = await f.api.put(`/api/v1/namespaces/${name}/finalize`).send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { changed: 'yes' } }, spec: { finalizers: ['example.com/x'] } });
    assert.equal(fin.status, 200, fin.text);
    assert.deepEqual(fin.body.spec.finalizers, ['example.com/x']);
    assert.deepEqual(fin.body.metadata.labels, c.body.metadata.labels);
  });
});

describe('subresources not served yet', () => {
  test('pods/proxy of a pod without an address → 400 address not allowed (test/proxy has the rest)', async () => {
    const ns = await f.ns('proxy-noip');
    await f.api.post(pods(ns)).send(pod('p'));
    const s = assertStatus(await f.api.get(`${pods(ns)}/p/proxy`), 400, 'BadRequest');
    assert.equal(s.message, 'address not allowed');
  });
  for (const sub of ['exec', 'attach', 'portforward']) {
    test(`pods/${sub} without an upgrade → 400 asking for one`, async () => {
      const ns = await f.ns(`noup-${sub}`);
      await f.api.post(pods(ns)).send(pod('p'));
      const s = assertStatus(await f.api.get(`${pods(ns)}/p/${sub}?command=ls`), 400, 'BadRequest');
      assert.match(s.message, /[Uu]pgrade/);
    });
  }
  test('pods/log of a pod not yet on a node is empty, as upstream', async () => {
    const ns = await f.ns('log-unscheduled');
    await f.api.post(pods(ns)).send(pod('p'));
    const r = await f.api.get(`${pods(ns)}/p/log`);
    assert.equal(r.status, 200);
    assert.equal(r.text ?? '', '');
  });
  test('a verb a subresource does not allow is 405', async () => {
    const ns = await f.ns('sub-verb');
    await f.api.post(deps(ns)).send(deployment('d'));
    const s = assertStatus(await f.api.delete(`${deps(ns)}/d/scale`), 405, 'MethodNotAllowed');
    // No route takes DELETE there: go-restful's generic 405, as upstream.
    assert.equal(s.message, 'the server does not allow this method on the requested resource');
    assertStatus(await f.api.get(`${pods(ns)}/p/binding`), 405, 'MethodNotAllowed');
  });
  test('a verb a resource does not allow is 405 (bindings are create-only)', async () => {
    const ns = await f.ns('res-verb');
    assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/bindings`), 405, 'MethodNotAllowed');
    assertStatus(await f.api.delete(`/api/v1/componentstatuses/x`), 405, 'MethodNotAllowed');
  });
});

describe('status ownership', () => {
  test('a PUT of status records an Update entry with subresource status for the field manager; managedFields in its body are not taken', async () => {
    const ns = await f.ns('status-owner');
    await f.api.post(deps(ns)).send(deployment('web', 1));
    const cur = (await f.api.get(`${deps(ns)}/web`)).body;
    cur.status = { ...(cur.status ?? {}), observedGeneration: 7 };
    cur.metadata.managedFields = [{ manager: 'forged', operation: 'Bogus' }];
    const put = await f.api.put(`${deps(ns)}/web/status?fieldManager=status-writer`).send(cur);
    assert.equal(put.status, 200, put.text);
    const mf = put.body.metadata.managedFields as any[];
    assert.ok(!mf.some((m) => m.manager === 'forged'), JSON.stringify(mf));
    const entry = mf.find((m) => m.manager === 'status-writer');
    assert.ok(entry, JSON.stringify(mf));
    assert.equal(entry.operation, 'Update');
    assert.equal(entry.subresource, 'status');
    assert.deepEqual(entry.fieldsV1, { 'f:status': { 'f:observedGeneration': {} } });
    // A field manager over 128 characters is refused, as on every other write.
    const long = await f.api.put(`${deps(ns)}/web/status?fieldManager=${'x'.repeat(129)}`).send({ ...put.body, metadata: { ...put.body.metadata, managedFields: undefined } });
    assertStatus(long, 422);
  });

  test('server-side apply of status stores its entry and conflicts with another manager of the same field', async () => {
    const ns = await f.ns('status-apply');
    await f.api.post(deps(ns)).send(deployment('web', 1));
    const apply = (manager: string, value: number, force = false) => f.api.patch(`${deps(ns)}/web/status?fieldManager=${manager}${force ? '&force=true' : ''}`)
      .set('Content-Type', 'application/apply-patch+yaml').send(JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { observedGeneration: value } }));
    const a = await apply('ctrl-a', 3);
    assert.equal(a.status, 200, a.text);
    const got = (await f.api.get(`${deps(ns)}/web`)).body;
    const entry = got.metadata.managedFields.find((m: any) => m.manager === 'ctrl-a');
    assert.ok(entry, JSON.stringify(got.metadata.managedFields));
    assert.equal(entry.operation, 'Apply');
    assert.equal(entry.subresource, 'status');
    assertStatus(await apply('ctrl-b', 4), 409, 'Conflict');
    assert.equal((await apply('ctrl-b', 4, true)).status, 200);
  });
});
