// Authentication: bearer token over HTTPS (as kubeconfigs use it) and the public endpoints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';
import { assertStatus } from './fixture.ts';

let c: Cluster;
before(async () => { c = await startCluster({ controllers: false }); });
after(async () => { await c.stop(); });

describe('auth over HTTPS', () => {
  test('the cluster serves HTTPS with its CA', () => {
    assert.match(c.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(c.caPem ?? '', /BEGIN CERTIFICATE/);
  });

  test('no token: system:anonymous, refused by RBAC with upstream\'s 403 (anonymous auth is on, as upstream)', async () => {
    const s = assertStatus(await request(c.url).get('/api/v1/namespaces').ca(c.caPem!), 403, 'Forbidden');
    assert.equal(s.message, 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope');
  });

  test('wrong token → 401 Status (also a malformed Authorization header)', async () => {
    assertStatus(await request(c.url).get('/api/v1/namespaces').ca(c.caPem!).set('Authorization', 'Bearer nope'), 401, 'Unauthorized');
    assertStatus(await request(c.url).get('/api/v1/namespaces').ca(c.caPem!).set('Authorization', `Bearer ${c.token}x`), 401, 'Unauthorized');
    assertStatus(await request(c.url).get('/api/v1/namespaces').ca(c.caPem!).set('Authorization', 'Basic YWRtaW46YWRtaW4='), 401, 'Unauthorized');
    assertStatus(await request(c.url).post('/api/v1/namespaces').ca(c.caPem!).set('Authorization', 'Bearer nope').send({ metadata: { name: 'sneaky' } }), 401);
    const ok = await request(c.url).get('/api/v1/namespaces/sneaky').ca(c.caPem!).set('Authorization', `Bearer ${c.token}`);
    assert.equal(ok.status, 404, 'the unauthenticated create wrote nothing');
  });

  test('the right token is allowed, discovery included', async () => {
    const res = await request(c.url).get('/api/v1/namespaces/default').ca(c.caPem!).set('Authorization', `Bearer ${c.token}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.metadata.name, 'default');
    const s = assertStatus(await request(c.url).get('/apis').ca(c.caPem!), 403);
    assert.equal(s.message, 'forbidden: User "system:anonymous" cannot get path "/apis"');
  });

  for (const p of ['/version', '/healthz', '/livez', '/readyz']) {
    test(`${p} is public`, async () => {
      const res = await request(c.url).get(p).ca(c.caPem!);
      assert.equal(res.status, 200);
    });
  }

  test('default namespaces and the kubernetes Service exist', async () => {
    const auth = { Authorization: `Bearer ${c.token}` };
    const ns = await request(c.url).get('/api/v1/namespaces').ca(c.caPem!).set(auth);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(ns.body.items.some((i: any) => i.metadata.name === n), n);
    const svc = await request(c.url).get('/api/v1/namespaces/default/services/kubernetes').ca(c.caPem!).set(auth);
    assert.equal(svc.status, 200);
  });
});

describe('--authorization-mode AlwaysAllow', () => {
  let open: Cluster;
  before(async () => { open = await startCluster({ controllers: false, authorizationMode: 'AlwaysAllow' }); });
  after(async () => { await open.stop(); });

  test('anonymous requests are off (as upstream with AlwaysAllow): no token is 401; the health paths stay public', async () => {
    assertStatus(await request(open.url).get('/api/v1/namespaces').ca(open.caPem!), 401, 'Unauthorized');
    assert.equal((await request(open.url).get('/healthz').ca(open.caPem!)).status, 200);
  });

  test('any authenticated user may do anything', async () => {
    const res = await request(open.url).get('/api/v1/secrets').ca(open.caPem!).set('Authorization', `Bearer ${open.token}`).set('Impersonate-User', 'nobody');
    assert.equal(res.status, 200);
  });
});
