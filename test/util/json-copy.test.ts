// util/json-copy: the store's deep copy gives what structuredClone gives for the values the store holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonCopy } from '../../src/util/json-copy.ts';

test('a nested API object is copied deeply: equal, and no object or array is shared', () => {
  const pod = JSON.parse('{"kind":"Pod","metadata":{"name":"a","labels":{"x":"1"}},"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]},"status":{"conditions":[{"type":"Ready","lastProbeTime":null}]}}');
  const c = jsonCopy(pod);
  assert.deepEqual(c, pod);
  assert.deepEqual(c, structuredClone(pod));
  assert.notEqual(c.metadata, pod.metadata);
  assert.notEqual(c.metadata.labels, pod.metadata.labels);
  assert.notEqual(c.spec.containers, pod.spec.containers);
  assert.notEqual(c.spec.containers[0].ports[0], pod.spec.containers[0].ports[0]);
  c.spec.containers[0].ports[0].containerPort = 81;
  assert.equal(pod.spec.containers[0].ports[0].containerPort, 80);
});

test('primitives, null, undefined-valued keys and empty containers come through as structuredClone keeps them', () => {
  const v = { s: 'x', n: 1.5, b: false, z: null, u: undefined, a: [], o: {}, nested: [[1, [2]], { k: [] }] };
  const c = jsonCopy(v);
  assert.deepEqual(c, structuredClone(v));
  assert.ok(Object.hasOwn(c, 'u'));
  assert.equal(jsonCopy(null), null);
  assert.equal(jsonCopy('s'), 's');
  assert.equal(jsonCopy(3), 3);
});

test('an own "__proto__" key (as JSON.parse makes it) stays an own property and does not set the prototype', () => {
  const v = JSON.parse('{"metadata":{"__proto__":{"polluted":"yes"},"name":"a"}}');
  const c = jsonCopy(v);
  assert.equal(Object.getPrototypeOf(c.metadata), Object.prototype);
  assert.ok(Object.hasOwn(c.metadata, '__proto__'));
  assert.deepEqual(Object.getOwnPropertyDescriptor(c.metadata, '__proto__')!.value, { polluted: 'yes' });
  assert.equal((c.metadata as { polluted?: string }).polluted, undefined);
  assert.equal(({} as { polluted?: string }).polluted, undefined);
});

test('values that are not plain objects or arrays are copied as structuredClone copies them', () => {
  const d = new Date(0);
  const bytes = new Uint8Array([1, 2, 3]);
  const m = new Map([['k', { v: 1 }]]);
  const c = jsonCopy({ d, bytes, m });
  assert.ok(c.d instanceof Date && c.d.getTime() === 0 && c.d !== d);
  assert.ok(c.bytes instanceof Uint8Array && c.bytes !== bytes);
  assert.deepEqual([...c.bytes], [1, 2, 3]);
  assert.ok(c.m instanceof Map && c.m !== m && c.m.get('k')!.v === 1 && c.m.get('k') !== m.get('k'));
  const bare = Object.create(null);
  bare.k = { v: 1 };
  const cb = jsonCopy({ bare });
  assert.deepEqual({ ...cb.bare }, { k: { v: 1 } });
  assert.notEqual(cb.bare.k, bare.k);
});

test('a cycle is copied as structuredClone copies it (the walk gives up and hands it over whole)', () => {
  const a: Record<string, unknown> = { name: 'a', list: [1] };
  a.self = a;
  const c = jsonCopy(a) as Record<string, any>;
  assert.equal(c.name, 'a');
  assert.notEqual(c, a);
  assert.equal(c.self, c);
  assert.notEqual(c.list, a.list);
});

test('deep nesting is copied whole; nesting too deep for any copy fails as structuredClone fails', () => {
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 900; i++) deep = { d: deep };
  const c = jsonCopy(deep);
  assert.deepEqual(c, deep);
  assert.notEqual(c.d, deep.d);
  let deeper: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 200_000; i++) deeper = { d: deeper };
  assert.throws(() => structuredClone(deeper), RangeError);
  assert.throws(() => jsonCopy(deeper), RangeError);
});
