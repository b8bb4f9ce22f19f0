// jsonBytes(): the byte pieces a list is written from equal the entry's JSON text, UTF-8 encoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, entryFor, jsonBytes, prime } from '../../src/registry/codec.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const kv = (value: Uint8Array, rev: number) => ({ key: '/k', value, createRevision: rev, modRevision: rev });
const bytesOf = (e: Parameters<typeof jsonBytes>[0]) => Buffer.concat(jsonBytes(e));

test('a stored canonical object: pieces equal its JSON with the resourceVersion spliced in', () => {
  const obj = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'é-ü', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z', labels: { 'x': '日本' } }, data: { k: '💡 "q" \\ \n' } } as KObject;
  const e = decode(kv(encode(obj), 42));
  assert.ok(jsonBytes(e).length > 1, 'stored bytes are reused, not re-encoded');
  assert.deepEqual(bytesOf(e), Buffer.from(e.json));
  assert.equal(JSON.parse(bytesOf(e).toString('utf8')).metadata.resourceVersion, '42');
  // ObjectMeta's struct order: resourceVersion after uid, before creationTimestamp.
  assert.match(bytesOf(e).toString('utf8'), /^\{"kind":"ConfigMap","apiVersion":"v1","metadata":\{"name":"é-ü","uid":"u","resourceVersion":"42","creationTimestamp":/);
});

test('empty metadata gets no trailing comma', () => {
  const e = decode(kv(Buffer.from('{"apiVersion":"v1","kind":"X","metadata":{},"spec":{"metadata":{"a":1}}}'), 7));
  assert.equal(bytesOf(e).toString('utf8'), '{"apiVersion":"v1","kind":"X","metadata":{"resourceVersion":"7"},"spec":{"metadata":{"a":1}}}');
  assert.deepEqual(bytesOf(e), Buffer.from(e.json));
});

test('non-canonical stored bytes and converted entries fall back to the cached text', () => {
  const odd = decode(kv(Buffer.from('{"kind":"X","apiVersion":"v1","metadata":{"name":"n"}}'), 3));
  assert.deepEqual(bytesOf(odd), Buffer.from(odd.json));
  const conv = entryFor({ apiVersion: 'v2', kind: 'X', metadata: { name: 'ñ', resourceVersion: '9' } } as KObject, 9);
  assert.deepEqual(bytesOf(conv), Buffer.from(conv.json));
});

test('a primed entry (the result of a write) gives the same bytes', () => {
  const obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'Zm9v' } } as KObject;
  const e = prime(kv(encode(obj), 11), obj);
  assert.deepEqual(bytesOf(e), Buffer.from(e.json));
  assert.match(e.json, /"resourceVersion":"11"/);
});

// jsonListBody(): the list body laid out in chunks equals the envelope around the items' JSON text,
// whatever the size of the buffers lent to it (chunk boundaries fall inside and between items).
import { jsonListBody } from '../../src/registry/codec.ts';

const drain = (body: ReturnType<typeof jsonListBody>, size: number) => {
  const out: Buffer[] = [];
  for (let c = body.next(Buffer.alloc(size)); c; c = body.next(Buffer.alloc(size))) {
    assert.ok(c.length > 0, 'no empty chunks');
    out.push(Buffer.from(c)); // copied: the caller may reuse the buffer it lent
  }
  return Buffer.concat(out);
};

test('a list body equals the joined JSON for every chunk size, with its exact length known first', () => {
  const items = [
    decode(kv(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'é-ü' }, data: { k: '💡 "q" \\ \n' } } as KObject), 7)),
    decode(kv(Buffer.from('{"apiVersion":"v1","kind":"X","metadata":{},"spec":{"metadata":{"a":1}}}'), 1234567)),
    decode(kv(Buffer.from('{"kind":"X","apiVersion":"v1","metadata":{"name":"odd"}}'), 3)),
    entryFor({ apiVersion: 'v2', kind: 'X', metadata: { name: 'ñ', resourceVersion: '9' } } as KObject, 9),
    decode(kv(encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'x'.repeat(5000) } } as KObject), 10)),
  ];
  const head = '{"kind":"XList","apiVersion":"v1","metadata":{"resourceVersion":"99"},"items":[';
  const want = Buffer.from(`${head}${items.map((e) => e.json).join(',')}]}`);
  for (const size of [1, 2, 60, 97, 200, 4096, 1 << 18]) {
    const body = jsonListBody(head, items, ']}');
    assert.equal(body.length, want.length, `length with ${size}-byte chunks`);
    assert.deepEqual(drain(body, size), want, `body with ${size}-byte chunks`);
    assert.equal(body.next(Buffer.alloc(size)), undefined, 'stays done');
  }
  JSON.parse(want.toString('utf8'));
});

test('an empty list body is the envelope alone', () => {
  const body = jsonListBody('{"items":[', [], ']}');
  assert.equal(body.length, 12);
  assert.equal(drain(body, 4).toString(), '{"items":[]}');
});

test('a list body copes with an entry whose stored revision is not its own (converted entries)', () => {
  const stale = { ...decode(kv(encode({ apiVersion: 'v1', kind: 'X', metadata: { name: 'n' } } as KObject), 5)), rev: 6, json: '{"apiVersion":"v1","kind":"X","metadata":{"name":"n","resourceVersion":"6"}}' };
  assert.equal(drain(jsonListBody('[', [stale], ']'), 16).toString(), `[${stale.json}]`);
});
