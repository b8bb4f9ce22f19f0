// wireForm(): upstream's JSON encoding of built-in kinds (struct order, Go zero values, sorted maps) and
// of custom kinds (keys sorted); rvOffset(): where the resourceVersion goes in stored bytes of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson, wireForm } from '../../src/registry/wire-form.ts';
import { decode, encode, jsonBytes } from '../../src/registry/codec.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const kv = (value: Uint8Array, rev: number) => ({ key: '/k', value, createRevision: rev, modRevision: rev });

test('a bookmark Pod is written as upstream writes an empty Pod', () => {
  assert.equal(goJson(wireForm({ apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '7' } })),
    '{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"7","creationTimestamp":null},"spec":{"containers":null},"status":{}}');
});

test('Status: details before code; absent optional members left out', () => {
  assert.equal(goJson(wireForm({ code: 404, details: { kind: 'pods', name: 'x' }, reason: 'NotFound', message: 'm', status: 'Failure', metadata: {}, apiVersion: 'v1', kind: 'Status' })),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"m","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}');
});

test('an Event: non-pointer times null, strings without omitempty written empty, inline and unknown fields', () => {
  const out: Record<string, any> = wireForm({ kind: 'Event', apiVersion: 'v1', metadata: { name: 'e' }, zzz: 1, count: 0, reason: 'R' });
  assert.deepEqual(Object.keys(out), ['kind', 'apiVersion', 'metadata', 'involvedObject', 'reason', 'source', 'firstTimestamp', 'lastTimestamp', 'eventTime', 'reportingComponent', 'reportingInstance', 'zzz']);
  assert.equal(out.firstTimestamp, null);
  assert.equal(out.reportingComponent, '');
  // A Volume's VolumeSource is inline: its members sit beside name.
  const pod = wireForm({ kind: 'Pod', apiVersion: 'v1', metadata: {}, spec: { volumes: [{ emptyDir: {}, name: 'v' }], containers: [] } });
  assert.deepEqual(Object.keys(pod.spec.volumes[0]), ['name', 'emptyDir']);
});

test('values of the wrong JSON type are kept, never thrown on', () => {
  const out = wireForm({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: 7, spec: { selector: { matchExpressions: 7 }, template: 'x', replicas: 'two' } } as any);
  assert.equal(out.metadata, 7);
  assert.equal(out.spec.selector.matchExpressions, 7);
  assert.equal(out.spec.template, 'x');
  assert.equal(out.spec.replicas, 'two');
});

test('custom kinds: every level sorted, as upstream encodes unstructured maps', () => {
  const cr = { kind: 'Widget', apiVersion: 'example.com/v1', metadata: { uid: 'u', name: 'w', creationTimestamp: 't', generation: 1 }, spec: { z: [{ b: 1, a: 2 }], a: null } };
  assert.equal(goJson(wireForm(cr)), '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"creationTimestamp":"t","generation":1,"name":"w","uid":"u"},"spec":{"a":null,"z":[{"a":2,"b":1}]}}');
});

test('resourceVersion goes in sorted position for custom kinds, after uid for typed ones', () => {
  const cr = wireForm({ kind: 'Widget', apiVersion: 'example.com/v1', metadata: { uid: 'u', name: 'w', managedFields: [{ manager: 'm"}{' }], namespace: 'n' }, data: { metadata: {} } } as KObject);
  const e = decode(kv(encode(cr), 12));
  const text = Buffer.concat(jsonBytes(e)).toString('utf8');
  assert.equal(text, '{"apiVersion":"example.com/v1","data":{"metadata":{}},"kind":"Widget","metadata":{"managedFields":[{"manager":"m\\"}{"}],"name":"w","namespace":"n","resourceVersion":"12","uid":"u"}}');
  assert.equal(e.json, text);
  const last = decode(kv(encode(wireForm({ kind: 'Widget', apiVersion: 'example.com/v1', metadata: { name: 'w' } } as KObject)), 3));
  assert.equal(last.json, '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","resourceVersion":"3"}}');
  const typed = decode(kv(encode(wireForm({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', uid: 'u', labels: { a: 'b' } } } as KObject)), 4));
  assert.equal(Buffer.concat(jsonBytes(typed)).toString('utf8'), '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","uid":"u","resourceVersion":"4","creationTimestamp":null,"labels":{"a":"b"}}}');
});

test('bytes stored by an older version (apiVersion first) are answered in wire form', () => {
  const old = decode(kv(Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u"},"data":{"b":"1","a":"2"}}'), 5));
  assert.equal(old.json, '{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","uid":"u","resourceVersion":"5","creationTimestamp":null},"data":{"a":"2","b":"1"}}');
  assert.equal(Buffer.concat(jsonBytes(old)).toString('utf8'), old.json);
});

test('list envelopes: typed lists in struct order; custom lists as upstream writes an unstructured list', async () => {
  const { listEnvelope } = await import('../../src/api/handlers.ts');
  const { findResource } = await import('../../src/registry/resources.ts');
  const cms = findResource('', 'v1', 'configmaps')!;
  assert.deepEqual(listEnvelope(cms, { resourceVersion: '5', continue: 'c' }), ['{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5","continue":"c"},"items":[', ']}\n']);
  const widget = { ...cms, group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget' };
  assert.deepEqual(listEnvelope(widget, { resourceVersion: '5' }), ['{"apiVersion":"example.com/v1","items":[', '],"kind":"WidgetList","metadata":{"continue":"","resourceVersion":"5"}}\n']);
});

test('a typed list body leaves out each item\'s kind and apiVersion, stored or converted, at every chunk size', async () => {
  const { jsonListBody, entryFor } = await import('../../src/registry/codec.ts');
  const stored = [1, 2, 3].map((i) => decode(kv(encode(wireForm({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: `c${i}`, uid: `u${i}` }, data: { k: 'v'.repeat(i * 40) } } as KObject)), i)));
  const converted = entryFor(wireForm({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '9' } } as KObject), 9);
  const items = [...stored, converted];
  const strip = (j: string) => `{${j.slice('{"kind":"ConfigMap","apiVersion":"v1",'.length)}`;
  const want = `[${items.map((e) => strip(e.json)).join(',')}]`;
  for (const size of [8, 64, 100, 4096]) {
    const body = jsonListBody('[', items, ']', { withoutTypeMeta: true });
    const parts: Buffer[] = [];
    for (let c = body.next(Buffer.alloc(size)); c; c = body.next(Buffer.alloc(size))) parts.push(Buffer.from(c));
    const text = Buffer.concat(parts).toString('utf8');
    assert.equal(text, want, `chunk size ${size}`);
    assert.equal(body.length, Buffer.byteLength(want));
  }
  // Without the option (custom kinds' lists), items go whole.
  const whole = jsonListBody('[', stored, ']');
  const out: Buffer[] = [];
  for (let c = whole.next(Buffer.alloc(4096)); c; c = whole.next(Buffer.alloc(4096))) out.push(Buffer.from(c));
  assert.equal(Buffer.concat(out).toString('utf8'), `[${stored.map((e) => e.json).join(',')}]`);
});
