// Discovery, version and health endpoints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { assertStatus, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const KUBECTL_ACCEPT = `${V2},application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`;

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

describe('legacy discovery', () => {
  test('/api is APIVersions with v1', async () => {
    const res = await f.api.get('/api').set('Accept', 'application/json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.equal(res.body.kind, 'APIVersions');
    assert.deepEqual(res.body.versions, ['v1']);
    assert.ok(Array.isArray(res.body.serverAddressByClientCIDRs));
  });

  test('/apis is APIGroupList with apps and a preferred version per group', async () => {
    const res = await f.api.get('/apis');
    assert.equal(res.status, 200);
    assert.equal(res.body.kind, 'APIGroupList');
    const apps = res.body.groups.find((g: any) => g.name === 'apps');
    assert.deepEqual(apps.versions, [{ groupVersion: 'apps/v1', version: 'v1' }]);
    assert.deepEqual(apps.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
    assert.ok(!res.body.groups.some((g: any) => g.name === ''), 'the core group is not in /apis');
    for (const g of ['batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'apiextensions.k8s.io']) {
      assert.ok(res.body.groups.some((x: any) => x.name === g), `group ${g} is served`);
    }
  });

  test('/apis/apps is an APIGroup', async () => {
    const res = await f.api.get('/apis/apps');
    assert.equal(res.status, 200);
    assert.equal(res.body.kind, 'APIGroup');
    assert.equal(res.body.name, 'apps');
    assert.equal(res.body.preferredVersion.groupVersion, 'apps/v1');
  });

  test('/apis/apps/v1 lists deployments with verbs, shortNames, categories and subresources', async () => {
    const res = await f.api.get('/apis/apps/v1');
    assert.equal(res.status, 200);
    assert.equal(res.body.kind, 'APIResourceList');
    assert.equal(res.body.groupVersion, 'apps/v1');
    const d = res.body.resources.find((r: any) => r.name === 'deployments');
    assert.equal(d.kind, 'Deployment');
    assert.equal(d.singularName, 'deployment');
    assert.equal(d.namespaced, true);
    assert.deepEqual([...d.verbs].sort(), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(d.shortNames, ['deploy']);
    assert.deepEqual(d.categories, ['all']);
    const scale = res.body.resources.find((r: any) => r.name === 'deployments/scale');
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.group, 'autoscaling');
    assert.equal(scale.version, 'v1');
    assert.deepEqual([...scale.verbs].sort(), ['get', 'patch', 'update']);
    const status = res.body.resources.find((r: any) => r.name === 'deployments/status');
    assert.equal(status.kind, 'Deployment');
  });

  test('/api/v1 lists pods (po, all) with exec/log/binding/eviction subresources and cluster-scoped nodes', async () => {
    const res = await f.api.get('/api/v1');
    assert.equal(res.status, 200);
    assert.equal(res.body.groupVersion, 'v1');
    const byName = new Map(res.body.resources.map((r: any) => [r.name, r]));
    const pods: any = byName.get('pods');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.ok(pods.categories.includes('all'));
    for (const s of ['pods/status', 'pods/log', 'pods/exec', 'pods/binding', 'pods/eviction']) assert.ok(byName.has(s), `${s} listed`);
    assert.equal((byName.get('nodes') as any).namespaced, false);
    assert.deepEqual((byName.get('configmaps') as any).shortNames, ['cm']);
    assert.deepEqual((byName.get('services') as any).shortNames, ['svc']);
  });

  test('an unknown group-version is 404 Status', async () => {
    assertStatus(await f.api.get('/apis/apps/v9'), 404, 'NotFound');
    assertStatus(await f.api.get('/apis/nope.example.com'), 404, 'NotFound');
    assertStatus(await f.api.get('/apis/nope.example.com/v1'), 404, 'NotFound');
  });
});

describe('aggregated discovery', () => {
  test('/apis with kubectl\'s Accept answers APIGroupDiscoveryList with the exact v2 Content-Type', async () => {
    const res = await f.api.get('/apis').set('Accept', KUBECTL_ACCEPT);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], V2);
    const body = JSON.parse(res.text);
    assert.equal(body.kind, 'APIGroupDiscoveryList');
    assert.equal(body.apiVersion, 'apidiscovery.k8s.io/v2');
    const apps = body.items.find((i: any) => i.metadata.name === 'apps');
    const v1 = apps.versions.find((v: any) => v.version === 'v1');
    assert.equal(v1.freshness, 'Current');
    const d = v1.resources.find((r: any) => r.resource === 'deployments');
    assert.deepEqual(d.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.equal(d.scope, 'Namespaced');
    assert.equal(d.singularResource, 'deployment');
    assert.deepEqual(d.shortNames, ['deploy']);
    assert.deepEqual(d.categories, ['all']);
    const scale = d.subresources.find((s: any) => s.subresource === 'scale');
    assert.deepEqual(scale.responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const status = d.subresources.find((s: any) => s.subresource === 'status');
    assert.deepEqual(status.responseKind, { group: 'apps', version: 'v1', kind: 'Deployment' });
  });

  test('/api aggregated holds only the core group', async () => {
    const res = await f.api.get('/api').set('Accept', V2);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], V2);
    const body = JSON.parse(res.text);
    assert.equal(body.items.length, 1);
    assert.equal(body.items[0].metadata.name, '');
    const ns = body.items[0].versions[0].resources.find((r: any) => r.resource === 'namespaces');
    assert.equal(ns.scope, 'Cluster');
  });

  test('only v2beta1 asked: legacy JSON (v2beta1 is not served)', async () => {
    const res = await f.api.get('/apis').set('Accept', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/json$|^application\/json;\s*charset/);
    assert.equal(res.body.kind, 'APIGroupList');
  });
});

describe('version and health', () => {
  test('/version reports v1.32', async () => {
    const res = await f.api.get('/version');
    assert.equal(res.status, 200);
    assert.equal(res.body.major, '1');
    assert.equal(res.body.minor, '32');
    assert.match(res.body.gitVersion, /^v1\.32\.\d+/);
    for (const k of ['gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']) assert.equal(typeof res.body[k], 'string', k);
  });

  for (const p of ['/healthz', '/livez', '/readyz']) {
    test(`${p} is ok, and verbose lists checks`, async () => {
      const plain = await request(f.url).get(p);
      assert.equal(plain.status, 200);
      assert.equal(plain.text, 'ok');
      const verbose = await request(f.url).get(`${p}?verbose`);
      assert.equal(verbose.status, 200);
      assert.match(verbose.text, /^\[\+\]ping ok$/m);
      assert.match(verbose.text, new RegExp(`${p.slice(1)} check passed`));
    });
  }
});

describe('unknown paths', () => {
  for (const p of ['/nope', '/api/v2', '/api/v1/nopes', '/apis/apps/v1/namespaces/default/nopes', '/api/v1/namespaces/default/configmaps/x/nosuchsub', '/api/v1/nodes/x/y/z/w']) {
    test(`GET ${p} → 404 Status`, async () => {
      assertStatus(await f.api.get(p), 404, 'NotFound');
    });
  }
});
