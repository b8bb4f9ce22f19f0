// Parsed-object retention: values under an unretained prefix are parsed per read and not cached
// against their KeyValue; everything else is parsed once. Both give the same JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, jsonBytes, jsonOf, prime, retains, setUnretained } from '../../src/registry/codec.ts';
import { wireForm } from '../../src/registry/wire-form.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const kv = (key: string, obj: KObject, rev: number) => ({ key, value: encode(obj), createRevision: rev, modRevision: rev });
// As the store writes it (wire form: struct order, Go zero values).
const ev = (): KObject => wireForm({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'd' }, reason: 'Started', count: 1 } as KObject);

test('an unretained key is parsed on every read; a retained one once', (t) => {
  setUnretained(['/registry/events/']);
  t.after(() => setUnretained([]));
  const cold = kv('/registry/events/d/e', ev(), 5);
  const hot = kv('/registry/pods/d/p', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' } } as KObject, 6);
  assert.equal(retains(cold), false);
  assert.equal(retains(hot), true);
  const a = decode(cold), b = decode(cold);
  assert.notEqual(a.obj, b.obj, 'a second read parses again');
  assert.deepEqual(a.obj, b.obj);
  assert.equal(a.obj.metadata.resourceVersion, '5');
  assert.equal(decode(hot).obj, decode(hot).obj, 'a retained key is parsed once');
  assert.equal(a.json, b.json);
  assert.deepEqual(Buffer.concat(jsonBytes(a)), Buffer.from(a.json));
  assert.equal(jsonOf(a.obj), a.json, 'the object still finds its JSON while it is held');
});

test('a written unretained value is not cached either, but its result keeps its JSON', (t) => {
  setUnretained(['/registry/events/']);
  t.after(() => setUnretained([]));
  const obj = ev();
  const k = kv('/registry/events/d/e', obj, 9);
  const e = prime(k, obj);
  assert.equal(e.obj, obj);
  assert.notEqual(decode(k).obj, obj, 'the next read parses the bytes');
  assert.equal(jsonOf(obj), '{"kind":"Event","apiVersion":"v1","metadata":{"name":"e","namespace":"d","resourceVersion":"9","creationTimestamp":null},"involvedObject":{},"reason":"Started","source":{},"firstTimestamp":null,"lastTimestamp":null,"count":1,"eventTime":null,"reportingComponent":"","reportingInstance":""}');
});

test('setUnretained([]) retains everything again', () => {
  setUnretained([]);
  const k = kv('/registry/events/d/e', ev(), 3);
  assert.equal(decode(k).obj, decode(k).obj);
});
