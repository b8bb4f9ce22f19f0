// OpenAPI publishing of CRD schemas: v3 per custom group-version (listed in the index, hashed URLs),
// v2 merged; documents change when CRDs do and stay per server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { widgetCRD } from './crds.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

async function served(path: string): Promise<void> {
  while ((await f.api.get(path)).status !== 200) await new Promise((r) => setTimeout(r, 10));
}

test('v3: index entry, document with kind, list and meta schemas, hash redirects', { timeout: 30_000 }, async () => {
  const before = (await f.api.get('/openapi/v3')).body.paths;
  assert.equal(before['apis/oa.example.com/v1'], undefined);
  await f.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions').send(widgetCRD({ group: 'oa.example.com' }));
  await served('/apis/oa.example.com/v1/widgets');
  const index = (await f.api.get('/openapi/v3')).body.paths;
  const entry = index['apis/oa.example.com/v1'];
  assert.match(entry.serverRelativeURL, /^\/openapi\/v3\/apis\/oa.example.com\/v1\?hash=[0-9A-F]{128}$/);
  assert.ok(index['api/v1'], 'built-in entries stay');
  const doc = (await f.api.get(entry.serverRelativeURL)).body;
  const w = doc.components.schemas['com.example.oa.v1.Widget'];
  assert.deepEqual(w['x-kubernetes-group-version-kind'], [{ group: 'oa.example.com', kind: 'Widget', version: 'v1' }]);
  assert.equal(w.properties.spec.properties.color.type, 'string');
  // v3: a $ref with siblings is wrapped in allOf (kubectl explain ignores a bare $ref's siblings).
  assert.deepEqual(w.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.equal(w.properties.metadata.$ref, undefined);
  assert.match(w.properties.metadata.description, /^Standard object's metadata\. More info: /);
  const list = doc.components.schemas['com.example.oa.v1.WidgetList'];
  assert.deepEqual(list.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }]);
  assert.match(list.properties.metadata.description, /^Standard list metadata\. /);
  assert.deepEqual(list.properties.items.items, { $ref: '#/components/schemas/com.example.oa.v1.Widget' }, 'a bare $ref stays bare');
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'referenced schemas are in the document');
  assert.equal(doc.paths['/apis/oa.example.com/v1/namespaces/{namespace}/widgets/{name}'].get['x-kubernetes-action'], 'get');
  const stale = await f.api.get('/openapi/v3/apis/oa.example.com/v1?hash=0000').redirects(0);
  assert.equal(stale.status, 301);
  assert.equal(stale.headers.location, entry.serverRelativeURL);
  assert.equal((await f.api.get('/openapi/v3/apis/oa.example.com/v9')).status, 404);
});

test('v2: the custom definitions merged into the built-in document', { timeout: 30_000 }, async () => {
  await f.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions').send(widgetCRD({ group: 'oa2.example.com' }));
  await served('/apis/oa2.example.com/v1/widgets');
  const v2 = (await f.api.get('/openapi/v2').set('Accept', 'application/json')).body;
  assert.ok(v2.definitions['io.k8s.api.core.v1.Pod'], 'built-in definitions stay');
  const w = v2.definitions['com.example.oa2.v1.Widget'];
  // v2 keeps upstream's bare $ref with a description beside it.
  assert.equal(w.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.match(w.properties.metadata.description, /^Standard object's metadata\./);
  assert.equal(w.properties.metadata.allOf, undefined);
  assert.ok(v2.paths['/apis/oa2.example.com/v1/namespaces/{namespace}/widgets']);
  const etag = (await f.api.get('/openapi/v2').set('Accept', 'application/json')).headers.etag;
  assert.equal((await f.api.get('/openapi/v2').set('Accept', 'application/json').set('If-None-Match', etag)).status, 304);
});

test('metrics: apiserver_storage_objects counts custom objects per CRD, and forgets a deleted CRD', { timeout: 30_000 }, async () => {
  await f.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions').send(widgetCRD({ group: 'm.example.com' }));
  await served('/apis/m.example.com/v1/widgets');
  for (const n of ['a', 'b']) await f.api.post('/apis/m.example.com/v1/namespaces/default/widgets').send({ apiVersion: 'm.example.com/v1', kind: 'Widget', metadata: { name: n } });
  const scrape = async () => (await f.api.get('/metrics').buffer(true).parse((r, cb) => { let b = ''; r.setEncoding('utf8'); r.on('data', (c: string) => { b += c; }); r.on('end', () => cb(null, b)); })).body as string;
  assert.match(await scrape(), /^apiserver_storage_objects\{resource="widgets\.m\.example\.com"\} 2$/m);
  await f.api.delete('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.m.example.com');
  while ((await f.api.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.m.example.com')).status !== 404) await new Promise((r) => setTimeout(r, 10));
  const after = await scrape();
  assert.doesNotMatch(after, /resource="widgets\.m\.example\.com"/);
  assert.match(after, /^apiserver_storage_objects\{resource="configmaps"\} \d+$/m);
});
