// CRD conversion webhooks end to end: a two-version CRD whose webhook (TLS on 127.0.0.1) renames a
// field between versions; objects read, listed, watched and written at both versions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture, stream } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { startWebhookServer } from './server.ts';
import type { WebhookServer } from './server.ts';

let f: Fixture;
let wh: WebhookServer;
before(async () => { [f, wh] = await Promise.all([startFixture(), startWebhookServer()]); });
after(async () => { await f.stop(); await wh.close(); });

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const schema = (prop: string) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { [prop]: { type: 'string' } } } } } });

/** v1 has spec.host, v2 spec.hostname. */
function convert(obj: any, to: string): any {
  const out = structuredClone(obj);
  out.apiVersion = to;
  if (to.endsWith('/v2') && out.spec?.host !== undefined) { out.spec.hostname = out.spec.host; delete out.spec.host; }
  if (to.endsWith('/v1') && out.spec?.hostname !== undefined) { out.spec.host = out.spec.hostname; delete out.spec.hostname; }
  return out;
}

async function until<T>(fn: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) { const v = await fn(); if (v) return v; await new Promise((r) => setTimeout(r, 10)); }
}

test('a conversion webhook converts reads, lists, watches and writes; failures are upstream\'s messages', { timeout: 60_000 }, async () => {
  let mode: 'ok' | 'fail' | 'uid' = 'ok';
  const calls: number[] = [];
  wh.handle('/convert', (b) => {
    calls.push(b.request.objects.length);
    const base = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' };
    if (mode === 'fail') return { ...base, response: { uid: b.request.uid, result: { status: 'Failure', message: 'cannot' } } };
    if (mode === 'uid') return { ...base, response: { uid: 'other', result: { status: 'Success' }, convertedObjects: [] } };
    return { ...base, response: { uid: b.request.uid, result: { status: 'Success' }, convertedObjects: b.request.objects.map((o: any) => convert(o, b.request.desiredAPIVersion)) } };
  });
  const crd = {
    metadata: { name: 'hosts.conv.example.com' },
    spec: {
      group: 'conv.example.com', scope: 'Namespaced', names: { plural: 'hosts', singular: 'host', kind: 'Host', listKind: 'HostList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: schema('host') }, { name: 'v2', served: true, storage: false, schema: schema('hostname') }],
      conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: wh.url('/convert'), caBundle: wh.caBundle } } },
    },
  };
  let res = await f.api.post(CRDS).send(crd);
  assert.equal(res.status, 201, res.text);
  await until(async () => (await f.api.get(`${CRDS}/${crd.metadata.name}`)).body.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True'));
  const ns = await f.ns('conv');
  const v1 = `/apis/conv.example.com/v1/namespaces/${ns}/hosts`;
  const v2 = `/apis/conv.example.com/v2/namespaces/${ns}/hosts`;

  res = await f.api.post(v2).send({ apiVersion: 'conv.example.com/v2', kind: 'Host', metadata: { name: 'a' }, spec: { hostname: 'alpha' } });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec, { hostname: 'alpha' }, 'the create answers in the version written');
  res = await f.api.get(`${v1}/a`);
  assert.deepEqual([res.body.apiVersion, res.body.spec], ['conv.example.com/v1', { host: 'alpha' }], 'stored as v1');
  await f.api.post(v1).send({ apiVersion: 'conv.example.com/v1', kind: 'Host', metadata: { name: 'b' }, spec: { host: 'beta' } });
  calls.length = 0;
  res = await f.api.get(v2);
  assert.deepEqual(res.body.items.map((i: any) => i.spec.hostname), ['alpha', 'beta']);
  assert.deepEqual(calls, [2], 'a list page is converted in one review');

  const w = await stream(f, `${v2}?watch=true&resourceVersion=${res.body.metadata.resourceVersion}`);
  await f.api.put(`${v1}/b`).send({ ...(await f.api.get(`${v1}/b`)).body, spec: { host: 'beta2' } });
  const ev = await w.next();
  assert.equal(ev.type, 'MODIFIED');
  assert.deepEqual([ev.object.apiVersion, ev.object.spec], ['conv.example.com/v2', { hostname: 'beta2' }]);
  w.close();

  await f.api.post(v1).send({ apiVersion: 'conv.example.com/v1', kind: 'Host', metadata: { name: 'd' }, spec: { host: 'delta' } });
  mode = 'fail';
  res = await f.api.get(`${v2}/d`);
  let st = assertStatus(res, 500, 'InternalError');
  assert.equal(st.message, "Internal error occurred: conversion webhook for conv.example.com/v1, Kind=Host failed: response.result.status was 'Failure', not 'Success'");
  mode = 'uid';
  res = await f.api.post(v2).send({ apiVersion: 'conv.example.com/v2', kind: 'Host', metadata: { name: 'c' }, spec: { hostname: 'c' } });
  st = assertStatus(res, 500, 'InternalError');
  assert.match(st.message, /^Internal error occurred: conversion webhook for conv.example.com\/v2, Kind=Host failed: expected response.uid="[^"]+", got "other"$/);
  assert.equal((await f.api.get(`${v1}/c`)).status, 404, 'nothing written');
  mode = 'ok';
  res = await f.api.get(`${v1}/a`);
  assert.equal(res.status, 200, 'reads of the storage version need no webhook');
});

test('a list of objects stored in two versions (storage version changed in between) converts each to the version asked for', { timeout: 60_000 }, async () => {
  // As upstream's e2e "should be able to convert a non homogeneous list of CRs": top-level fields,
  // v1 hostPort "host:port", v2 host and port.
  wh.handle('/hp', (b) => {
    const to = b.request.desiredAPIVersion;
    const objects = b.request.objects.map((o: any) => {
      const out = { ...o, apiVersion: to };
      if (to.endsWith('/v2') && 'hostPort' in out) { [out.host, out.port] = String(out.hostPort).split(':'); delete out.hostPort; }
      if (to.endsWith('/v1') && 'host' in out) { out.hostPort = `${out.host}:${out.port}`; delete out.host; delete out.port; }
      return out;
    });
    return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', response: { uid: b.request.uid, result: { status: 'Success' }, convertedObjects: objects } };
  });
  const sch = (props: string[]) => ({ openAPIV3Schema: { type: 'object', properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])) } });
  const versions = (storage: 'v1' | 'v2') => [
    { name: 'v1', served: true, storage: storage === 'v1', schema: sch(['hostPort']) },
    { name: 'v2', served: true, storage: storage === 'v2', schema: sch(['host', 'port']) },
  ];
  const crd = {
    metadata: { name: 'hps.conv.example.com' },
    spec: {
      group: 'conv.example.com', scope: 'Namespaced', names: { plural: 'hps', singular: 'hp', kind: 'HP', listKind: 'HPList' }, versions: versions('v1'),
      conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: wh.url('/hp'), caBundle: wh.caBundle } } },
    },
  };
  let res = await f.api.post(CRDS).send(crd);
  assert.equal(res.status, 201, res.text);
  await until(async () => (await f.api.get(`${CRDS}/${crd.metadata.name}`)).body.status?.conditions?.some((c: any) => c.type === 'Established' && c.status === 'True'));
  const ns = await f.ns('hp');
  const v1 = `/apis/conv.example.com/v1/namespaces/${ns}/hps`;
  const v2 = `/apis/conv.example.com/v2/namespaces/${ns}/hps`;
  res = await f.api.post(v1).send({ apiVersion: 'conv.example.com/v1', kind: 'HP', metadata: { name: 'cr-1' }, hostPort: 'localhost:8080' });
  assert.equal(res.status, 201, res.text);
  const cur = (await f.api.get(`${CRDS}/${crd.metadata.name}`)).body;
  res = await f.api.put(`${CRDS}/${crd.metadata.name}`).send({ ...cur, spec: { ...cur.spec, versions: versions('v2') } });
  assert.equal(res.status, 200, res.text);
  res = await f.api.post(v1).send({ apiVersion: 'conv.example.com/v1', kind: 'HP', metadata: { name: 'cr-2' }, hostPort: 'localhost:8080' });
  assert.equal(res.status, 201, res.text);
  // Internal readers (the garbage collector's informer) read every object as stored, with no webhook;
  // what they decode must not be served to the API's readers.
  const { storedAsIs } = await import('../../src/registry/custom/definition.ts');
  const asIs = storedAsIs(f.server.store.resources.customDefs().find((d) => d.crdName === crd.metadata.name)!)!;
  assert.equal((await f.server.store.list(asIs, ns)).items.length, 2);
  for (const [url, want] of [[v1, { hostPort: 'localhost:8080' }], [v2, { host: 'localhost', port: '8080' }]] as const) {
    res = await f.api.get(url);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items.map((o: any) => o.metadata.name).sort(), ['cr-1', 'cr-2']);
    for (const o of res.body.items) {
      const { apiVersion, kind, metadata, ...rest } = o;
      assert.deepEqual([apiVersion, rest], [`conv.example.com/${url === v1 ? 'v1' : 'v2'}`, want], `${url}: ${metadata.name}`);
    }
  }
});
