// Wire details real clients compare byte for byte, as upstream kube-apiserver v1.32 writes them:
// Status member order and the trailing newline of json.Encoder, Go struct field order, Go's zero-value
// rules, map keys sorted, and which DELETE answers carry the object and which a Status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const keys = (o: Record<string, unknown>) => Object.keys(o);

test('a NotFound Status is byte-exact: kind, apiVersion, metadata, status, message, reason, details, code, newline', async () => {
  const ns = await f.ns('wire');
  const res = await f.api.get(`/api/v1/namespaces/${ns}/configmaps/nope`);
  assert.equal(res.status, 404);
  assert.equal(res.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n');
});

test('an Invalid Status lists details (with causes) before code', async () => {
  const ns = await f.ns('wire');
  const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } });
  assert.equal(res.status, 422);
  assert.deepEqual(keys(res.body), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
  assert.deepEqual(keys(res.body.details), ['name', 'kind', 'causes']);
  assert.ok(res.text.endsWith('}\n'));
});

test('a created Deployment: struct order at every level, empty structs written, map keys sorted, trailing newline', async () => {
  const ns = await f.ns('wire');
  const res = await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send({
    metadata: { labels: { zeta: '1', alpha: '2' }, name: 'd', annotations: { b: 'x', a: 'y' } },
    apiVersion: 'apps/v1', kind: 'Deployment',
    spec: {
      template: { spec: { containers: [{ image: 'nginx', name: 'web', ports: [{ protocol: 'TCP', containerPort: 80 }] }] }, metadata: { labels: { app: 'd' } } },
      selector: { matchLabels: { app: 'd' } }, replicas: 2,
    },
  });
  assert.equal(res.status, 201, res.text);
  assert.ok(res.text.endsWith('}\n'), 'json.Encoder ends the body with a newline');
  const d = res.body;
  assert.deepEqual(keys(d), ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
  assert.deepEqual(keys(d.metadata), ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'labels', 'annotations']);
  assert.deepEqual(keys(d.metadata.labels), ['alpha', 'zeta']);
  assert.deepEqual(keys(d.metadata.annotations), ['a', 'b']);
  assert.deepEqual(keys(d.spec).slice(0, 4), ['replicas', 'selector', 'template', 'strategy']);
  // A template's ObjectMeta has Go's zero time: written as null.
  assert.equal(d.spec.template.metadata.creationTimestamp, null);
  assert.ok(res.text.includes('"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"d"}},"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{}'), res.text);
  assert.deepEqual(d.status, {});
  // GET gives the same bytes (resourceVersion spliced back where ObjectMeta declares it).
  const got = await f.api.get(`/apis/apps/v1/namespaces/${ns}/deployments/d`);
  assert.equal(got.text, res.text);
});

test('a Service without status gets status.loadBalancer {} as upstream writes it', async () => {
  const ns = await f.ns('wire');
  const res = await f.api.post(`/api/v1/namespaces/${ns}/services`).send({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], selector: { app: 's' } } });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.status, { loadBalancer: {} });
});

test('omitempty zeros are left out and Go-escaped characters are written as \\u003c \\u003e \\u0026', async () => {
  const ns = await f.ns('wire');
  const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: {}, finalizers: [] }, data: { cmd: 'a && b <c>' }, immutable: false });
  assert.equal(res.status, 201, res.text);
  assert.ok(res.text.includes('"data":{"cmd":"a \\u0026\\u0026 b \\u003cc\\u003e"}'), res.text);
  assert.equal(res.body.immutable, false, 'a pointer field keeps its zero value');
  assert.equal(res.body.metadata.labels, undefined);
  assert.equal(res.body.metadata.finalizers, undefined);
  const list = await f.api.get(`/api/v1/namespaces/${ns}/configmaps`);
  assert.ok(list.text.endsWith(']}\n'));
  assert.ok(list.text.includes(`{${res.text.slice('{"kind":"ConfigMap","apiVersion":"v1",'.length, -1)}`), 'a list item is the object\'s bytes without kind and apiVersion');
  assert.equal(list.body.items[0].kind, undefined, 'typed list items carry no TypeMeta, as upstream');
});

test('DELETE answers with a Success Status for most kinds, with the object for ReturnDeletedObject kinds', async () => {
  const ns = await f.ns('wire');
  const cm = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  const del = await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/c`);
  assert.equal(del.status, 200);
  assert.equal(del.text, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"c","kind":"configmaps","uid":"${cm.body.metadata.uid}"}}\n`);

  const dep = await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  const dd = await f.api.delete(`/apis/apps/v1/namespaces/${ns}/deployments/d`);
  assert.equal(dd.text, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"d","group":"apps","kind":"deployments","uid":"${dep.body.metadata.uid}"}}\n`);

  for (const [path, body] of [
    [`/api/v1/namespaces/${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }],
    [`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } }],
    ['/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: `sc-${ns}` }, provisioner: 'x.example.com' }],
  ] as const) {
    const made = await f.api.post(path).send(body);
    assert.equal(made.status, 201, made.text);
    const gone = await f.api.delete(`${path}/${body.metadata.name}`);
    assert.equal(gone.status, 200, gone.text);
    assert.equal(gone.body.kind, body.kind, `DELETE ${path} answers with the deleted ${body.kind}`);
    assert.equal(gone.body.metadata.uid, made.body.metadata.uid);
  }
});

test('DELETE of an object held by a finalizer answers with the object (deletionTimestamp set); 202 with orphanDependents=false', async () => {
  const ns = await f.ns('wire');
  await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  const del = await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/held`);
  assert.equal(del.status, 200);
  assert.equal(del.body.kind, 'ConfigMap');
  assert.ok(del.body.metadata.deletionTimestamp);
  await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held2', finalizers: ['example.com/hold'] } });
  const orphanFalse = await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/held2?orphanDependents=false`);
  assert.equal(orphanFalse.status, 202, orphanFalse.text);
  assert.equal(orphanFalse.body.kind, 'ConfigMap');
});

test('PartialObjectMetadata and Table rows keep ObjectMeta order (resourceVersion after uid)', async () => {
  const ns = await f.ns('wire');
  await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' } } });
  const meta = await f.api.get(`/api/v1/namespaces/${ns}/configmaps/c`).set('Accept', 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io');
  assert.deepEqual(keys(JSON.parse(meta.text).metadata).slice(0, 5), ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']);
  const table = await f.api.get(`/api/v1/namespaces/${ns}/configmaps`).set('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io');
  const t = JSON.parse(table.text);
  assert.deepEqual(keys(t), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
  assert.deepEqual(keys(t.columnDefinitions[0]), ['name', 'type', 'format', 'description', 'priority']);
  assert.deepEqual(keys(t.rows[0].object.metadata).slice(0, 5), ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp']);
  assert.ok(table.text.endsWith('}\n'));
});

test('legacy discovery strips apiVersion as upstream: /api and /api/v1 have none, /apis/apps/v1 has v1', async () => {
  const core = await f.api.get('/api/v1');
  assert.ok(core.text.startsWith('{"kind":"APIResourceList","groupVersion":"v1","resources":['), core.text.slice(0, 80));
  assert.ok(core.text.endsWith('}\n'));
  const apps = await f.api.get('/apis/apps/v1');
  assert.ok(apps.text.startsWith('{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"apps/v1","resources":['), apps.text.slice(0, 80));
  const api = await f.api.get('/api');
  assert.ok(api.text.startsWith('{"kind":"APIVersions","versions":["v1"]'), api.text.slice(0, 80));
});

test('a Table row with includeObject=None carries "object":null, as Go writes an empty RawExtension', async () => {
  const ns = await f.ns('wire');
  await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  const table = await f.api.get(`/api/v1/namespaces/${ns}/configmaps?includeObject=None`).set('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io');
  assert.equal(table.status, 200, table.text);
  const row = JSON.parse(table.text).rows[0];
  assert.deepEqual(keys(row), ['cells', 'object']);
  assert.equal(row.object, null);
});

test('YAML answers as goyaml.v2 writes them: keys in its order, YAML 1.1 quoting ("y", timestamps), sequences not indented', async () => {
  const ns = await f.ns('wire');
  await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['example.com/a'], labels: { '10': 'x', '9': 'y' } }, data: { b: '1' } });
  const res = await f.api.get(`/api/v1/namespaces/${ns}/configmaps/c`).set('Accept', 'application/yaml').buffer(true).parse((r, cb) => {
    let s = ''; r.setEncoding('utf8'); r.on('data', (c: string) => { s += c; }); r.on('end', () => cb(null, s));
  });
  assert.equal(res.status, 200);
  const text = String(res.body);
  assert.ok(text.startsWith('apiVersion: v1\ndata:\n  b: "1"\nkind: ConfigMap\nmetadata:\n  creationTimestamp: "'), text);
  assert.ok(text.includes('  finalizers:\n  - example.com/a\n  labels:\n    "9": "y"\n    "10": x\n'), text);
});

test('an update that differs from the stored object only in Go zero values changes nothing', async () => {
  const ns = await f.ns('wire');
  const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
  const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 1, selector: { matchLabels: { a: 'd' } }, template: { metadata: { labels: { a: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
  const made = await f.api.post(path).send(body);
  assert.equal(made.status, 201, made.text);
  const cur = made.body;
  // The stored object without the zero values the server wrote (resources: {}, creationTimestamp: null).
  const sent = structuredClone(cur);
  delete sent.spec.template.spec.containers[0].resources;
  delete sent.spec.template.metadata.creationTimestamp;
  delete sent.status;
  const again = await f.api.put(`${path}/d`).send(sent);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.metadata.generation, cur.metadata.generation, 'generation stays');
  assert.equal(again.body.metadata.resourceVersion, cur.metadata.resourceVersion, 'nothing was written');
});

test('indented JSON for curl, Wget and browsers and for ?pretty=true (no trailing newline); /version always', async () => {
  const ns = await f.ns('wire');
  await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '<b>' } });
  const path = `/api/v1/namespaces/${ns}/configmaps/c`;
  const compact = await f.api.get(path);
  const indented = JSON.stringify(JSON.parse(compact.text), null, 2).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  assert.ok(compact.text.endsWith('}\n') && !compact.text.includes('\n '));
  assert.equal((await f.api.get(path).set('User-Agent', 'curl/8.5.0')).text, indented);
  assert.equal((await f.api.get(path).set('User-Agent', 'Wget/1.21')).text, indented);
  assert.equal((await f.api.get(`${path}?pretty=true`)).text, indented);
  assert.equal((await f.api.get(`${path}?pretty=false`).set('User-Agent', 'curl/8.5.0')).text, compact.text, 'pretty=false wins over the User-Agent');
  const list = await f.api.get(`/api/v1/namespaces/${ns}/configmaps?pretty=1`);
  assert.ok(list.text.startsWith('{\n  "kind": "ConfigMapList",\n  "apiVersion": "v1",\n  "metadata": {'), list.text.slice(0, 80));
  assert.ok(list.text.endsWith('\n}'));
  const missing = await f.api.get(`/api/v1/namespaces/${ns}/configmaps/nope`).set('User-Agent', 'curl/8.5.0');
  assert.ok(missing.text.startsWith('{\n  "kind": "Status",\n  "apiVersion": "v1",\n  "metadata": {},\n  "status": "Failure",'), missing.text);
  const version = await f.api.get('/version');
  assert.ok(version.text.startsWith('{\n  "major": "1",\n  "minor": "32",'), version.text);
});

test('discovery carries storageVersionHash as upstream computes it (storage version), none for kinds without storage', async () => {
  const core = JSON.parse((await f.api.get('/api/v1')).text);
  const byName = Object.fromEntries(core.resources.map((r: any) => [r.name, r]));
  assert.equal(byName.pods.storageVersionHash, 'xPOwRZ+Yhw8=');
  assert.equal(byName.configmaps.storageVersionHash, 'qFsyl6wFWjQ=');
  assert.equal(byName.bindings.storageVersionHash, undefined);
  assert.equal(byName['pods/status'].storageVersionHash, undefined);
  assert.deepEqual(keys(byName.pods).slice(-2), ['categories', 'storageVersionHash']);
  const apps = JSON.parse((await f.api.get('/apis/apps/v1')).text);
  assert.equal(apps.resources.find((r: any) => r.name === 'deployments').storageVersionHash, '8aSe+NMegvE=');
  const ev = JSON.parse((await f.api.get('/apis/events.k8s.io/v1')).text);
  assert.equal(ev.resources.find((r: any) => r.name === 'events').storageVersionHash, byName.events.storageVersionHash, 'stored as core/v1 Events');
});

test('answers carry Cache-Control: no-cache, private as upstream\'s WithCacheControl filter sets it', async () => {
  const ns = await f.ns('wire');
  for (const path of [`/api/v1/namespaces/${ns}/configmaps`, `/api/v1/namespaces/${ns}/configmaps/nope`, '/api/v1', '/version']) {
    assert.equal((await f.api.get(path)).headers['cache-control'], 'no-cache, private', path);
  }
});

test('a pod update that leaves out the Go zero values the server wrote is not a forbidden spec change', async () => {
  const ns = await f.ns('wire');
  const made = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } });
  assert.equal(made.status, 201, made.text);
  const sent = structuredClone(made.body);
  delete sent.spec.containers[0].resources;
  sent.spec.containers[0].image = 'nginx:2';
  const res = await f.api.put(`/api/v1/namespaces/${ns}/pods/p`).send(sent);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.spec.containers[0].image, 'nginx:2');
  assert.deepEqual(res.body.spec.containers[0].resources, {});
});

test('a watch bookmark is written as upstream writes an otherwise empty Pod', async () => {
  const ns = await f.ns('wire');
  const res = await f.api.get(`/api/v1/namespaces/${ns}/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`)
    .buffer(true).parse((r, cb) => { let s = ''; r.setEncoding('utf8'); r.on('data', (c: string) => { s += c; }); r.on('end', () => cb(null, s)); });
  assert.equal(res.status, 200);
  const line = String(res.body).split('\n').find((l) => l.startsWith('{"type":"BOOKMARK"'));
  assert.ok(line, String(res.body));
  assert.match(line!, /^\{"type":"BOOKMARK","object":\{"kind":"Pod","apiVersion":"v1","metadata":\{"resourceVersion":"\d+","creationTimestamp":null,"annotations":\{"k8s.io\/initial-events-end":"true"\}\},"spec":\{"containers":null\},"status":\{\}\}\}$/);
});
