// jsonBytes(): the byte pieces a list is written from equal the entry's JSON text, UTF-8 encoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, entryFor, jsonBytes, prime } from '../../src/registry/codec.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const kv = (value: Uint8Array, rev: number) => ({ key: '/k', value, createRevision: rev, modRevision: rev });
const bytesOf = (e: Parameters<typeof jsonBytes>[0]) => Buffer.concat(jsonBytes(e));

test('a stored canonical object: pieces equal its JSON with the resourceVersion spliced in', () => {
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'é-ü', labels: { 'x': '日本' } }, data: { k: '💡 "q" \\ \n' } } as KObject;
  const e = decode(kv(encode(obj), 42));
  assert.ok(jsonBytes(e).length > 1, 'stored bytes are reused, not re-encoded');
  assert.deepEqual(bytesOf(e), Buffer.from(e.json));
  assert.equal(JSON.parse(bytesOf(e).toString('utf8')).metadata.resourceVersion, '42');
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
