// Interning the strings of parsed objects changes no value: objects, arrays, nesting, odd keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internString, internStrings } from '../../src/util/intern.ts';

test('interned objects keep every value, key and shape', () => {
  const text = JSON.stringify({ a: 'True', b: ['x', 'y', { c: 'True', d: null, e: 1, f: true }], g: { h: { i: 'registry.k8s.io/pause:3.10' } }, long: 'z'.repeat(500), empty: '', n: [[['deep']]] });
  const o = JSON.parse(text);
  internStrings(o);
  assert.equal(JSON.stringify(o), text);
  assert.deepEqual(o, JSON.parse(text));
});

test('an own "__proto__" key stays an own property with its value; the prototype is untouched', () => {
  const o = JSON.parse('{"__proto__":"s","x":{"__proto__":{"y":"True"}}}');
  internStrings(o);
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.ok(Object.hasOwn(o, '__proto__'));
  assert.equal(JSON.stringify(o), '{"__proto__":"s","x":{"__proto__":{"y":"True"}}}');
});

test('internString gives equal strings, past the table bound too', () => {
  for (let i = 0; i < 40_000; i++) assert.equal(internString(`v-${i}`), `v-${i}`);
  assert.equal(internString('True'), 'True');
  const long = 'q'.repeat(1000);
  assert.equal(internString(long), long);
});
