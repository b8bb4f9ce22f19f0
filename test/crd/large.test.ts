// A large, several-version CRD (test/crd/large-crd.ts) is served like a small one: established,
// objects written in every version, the Ready printer column from a filtered JSONPath, field
// selection, scale, and its OpenAPI document.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { largeCRD } from './large-crd.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

test('a large CRD with three versions', { timeout: 60_000 }, async () => {
  const crd = largeCRD('big.example.com');
  assert.equal((await f.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions').send(crd)).status, 201);
  while ((await f.api.get('/apis/big.example.com/v1/bigclusters')).status !== 200) await new Promise((r) => setTimeout(r, 10));
  const ns = await f.ns('big');
  for (const v of ['v1alpha1', 'v1beta1', 'v1']) {
    const body = { apiVersion: `big.example.com/${v}`, kind: 'BigCluster', metadata: { name: `c-${v}` }, spec: { replicas: 2, section0: { field0: v, field3: [{ name: 'a', value: 1 }, { name: 'b', value: '50%' }] }, extra: { anything: { goes: [1, 2] } } } };
    const r = await f.api.post(`/apis/big.example.com/${v}/namespaces/${ns}/bigclusters`).send(body);
    assert.equal(r.status, 201, r.text);
  }
  const all = (await f.api.get(`/apis/big.example.com/v1/namespaces/${ns}/bigclusters`)).body;
  assert.deepEqual(all.items.map((i: any) => i.apiVersion), ['big.example.com/v1', 'big.example.com/v1', 'big.example.com/v1']);
  assert.deepEqual((await f.api.get(`/apis/big.example.com/v1beta1/namespaces/${ns}/bigclusters?fieldSelector=spec.section0.field0%3Dv1alpha1`)).body.items.map((i: any) => i.metadata.name), ['c-v1alpha1']);
  await f.api.patch(`/apis/big.example.com/v1/namespaces/${ns}/bigclusters/c-v1/status`).set('Content-Type', 'application/merge-patch+json')
    .send({ status: { phase: 'Running', replicas: 2, selector: 'app=big', conditions: [{ type: 'Progressing', status: 'True' }, { type: 'Ready', status: 'False' }] } });
  const t = (await f.api.get(`/apis/big.example.com/v1/namespaces/${ns}/bigclusters/c-v1`).set('Accept', 'application/json;as=Table;v=v1;g=meta.k8s.io')).body;
  assert.deepEqual(t.rows[0].cells.slice(0, 4), ['c-v1', 'Running', 'False', 2]);
  const sc = (await f.api.get(`/apis/big.example.com/v1alpha1/namespaces/${ns}/bigclusters/c-v1/scale`)).body;
  assert.deepEqual([sc.spec.replicas, sc.status.replicas, sc.status.selector], [2, 2, 'app=big']);
  const index = (await f.api.get('/openapi/v3')).body.paths;
  for (const v of ['v1alpha1', 'v1beta1', 'v1']) {
    const doc = (await f.api.get(index[`apis/big.example.com/${v}`].serverRelativeURL)).body;
    const s = doc.components.schemas[`com.example.big.${v}.BigCluster`];
    assert.equal(Object.keys(s.properties.spec.properties).length, 23);
    assert.equal(s.properties.spec.properties.section19.properties.field14.type, 'object');
  }
});

test('the large CRD validates: pruning, defaults, bounds and its CEL rules (section, list item, transition)', { timeout: 60_000 }, async () => {
  while ((await f.api.get('/apis/big.example.com/v1/bigclusters')).status !== 200) await new Promise((r) => setTimeout(r, 10));
  const ns = await f.ns('bigval');
  const base = (v: string) => `/apis/big.example.com/${v}/namespaces/${ns}/bigclusters`;
  const obj = (name: string, spec: Record<string, unknown>, v = 'v1') => ({ apiVersion: `big.example.com/${v}`, kind: 'BigCluster', metadata: { name }, spec });
  let r = await f.api.post(`${base('v1beta1')}?fieldValidation=Strict`).send(obj('s', { section7: { field3: [{ name: 'a', valuee: 1 }] } }, 'v1beta1'));
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.message, 'BigCluster in version "v1beta1" cannot be handled as a BigCluster: strict decoding error: unknown field "spec.section7.field3[0].valuee"');
  r = await f.api.post(base('v1')).send(obj('ok', { replicas: 3, section0: { field0: 'keep', field1: 5, field3: [{ name: 'a', value: 'x' }] }, section19: { field4: { k: 'v' } } }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.spec.paused, false, 'default applied');
  r = await f.api.post(base('v1')).send(obj('bad', { replicas: 5000, section4: { field1: 200000, field2: 'yes' }, section0: { field3: [{ name: 'reserved' }] } }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.details.causes.map((c: any) => `${c.field}: ${c.message}`), [
    'spec.section4.field2: Invalid value: "string": spec.section4.field2 in body must be of type boolean: "string"',
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  ]);
  r = await f.api.post(base('v1')).send(obj('bad', { replicas: 5000, section4: { field1: 200000 }, section0: { field3: [{ name: 'reserved' }] } }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.details.causes.map((c: any) => `${c.field}: ${c.message}`).sort(), [
    'spec.section0.field3[0]: Invalid value: the name reserved is reserved',
    'spec.section4.field1: Invalid value: section4.field1 is 200000, more than 100000',
    'spec: Forbidden: at most 1000 replicas',
  ]);
  r = await f.api.patch(`${base('v1')}/ok`).set('Content-Type', 'application/merge-patch+json').send({ spec: { section0: { field0: 'changed' } } });
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.message, /spec.section0.field0: Invalid value: "changed": field0 of section 0 is immutable/);
  r = await f.api.patch(`${base('v1')}/ok`).set('Content-Type', 'application/merge-patch+json').send({ spec: { section0: { field1: 6 } } });
  assert.equal(r.status, 200, r.text);
});
