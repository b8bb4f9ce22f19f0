// Groups an extension route serves (metrics.k8s.io) over HTTP: discovered and answered, and their
// requests counted in apiserver_request_total with verb, group, resource and scope like stored ones.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

function sample(text: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const m = /^apiserver_request_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const got = Object.fromEntries([...m[1].matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[2]);
  }
  return 0;
}

async function scrape(): Promise<string> {
  const res = await f.api.get('/metrics').buffer(true).parse((r, cb) => { let b = ''; r.setEncoding('utf8'); r.on('data', (c: string) => { b += c; }); r.on('end', () => cb(null, b)); });
  assert.equal(res.status, 200);
  return res.body as string;
}

test('metrics.k8s.io requests are labelled with their verb, group, version, resource and scope', async () => {
  const ns = await f.ns('vg');
  const listed = { verb: 'LIST', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', scope: 'namespace', code: '200' };
  const missing = { verb: 'GET', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'nodes', scope: 'resource', code: '404' };
  const refused = { verb: 'POST', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', scope: 'namespace', code: '405' };
  const before = await scrape();
  const res = await f.api.get(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`);
  assert.equal(res.status, 200);
  assert.equal(res.body.kind, 'PodMetricsList');
  assertStatus(await f.api.get('/apis/metrics.k8s.io/v1beta1/nodes/no-such-node'), 404, 'NotFound');
  assertStatus(await f.api.post(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`).send({}), 405, 'MethodNotAllowed');
  const after = await scrape();
  assert.equal(sample(after, listed), sample(before, listed) + 1);
  assert.equal(sample(after, missing), sample(before, missing) + 1);
  assert.equal(sample(after, refused), sample(before, refused) + 1);
});

test('the metrics version document comes from discovery; unknown groups and versions are 404 Status', async () => {
  const doc = await f.api.get('/apis/metrics.k8s.io/v1beta1');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.kind, 'APIResourceList');
  assert.equal(doc.body.groupVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual(doc.body.resources.map((r: { name: string }) => r.name).sort(), ['nodes', 'pods']);
  const group = await f.api.get('/apis/metrics.k8s.io');
  assert.equal(group.body.kind, 'APIGroup');
  assert.equal(group.body.preferredVersion.groupVersion, 'metrics.k8s.io/v1beta1');
  for (const path of ['/apis/nope.example.com/v1/things', '/apis/nope.example.com/v1', '/apis/metrics.k8s.io/v2/pods']) {
    const b = assertStatus(await f.api.get(path), 404, 'NotFound');
    assert.equal(b.message, 'the server could not find the requested resource', path);
  }
});
