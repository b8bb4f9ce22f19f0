// Structural sharing between revisions: unchanged parts of the new revision become the previous one's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shareUnchanged } from '../../src/util/share-equal.ts';

test('unchanged members are taken from the previous revision, changed ones stay the new ones', () => {
  const prev = { spec: { containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v' }] }, status: { phase: 'Pending', conditions: [{ type: 'A', status: 'True' }] } };
  const next = JSON.parse(JSON.stringify(prev));
  next.status.phase = 'Running';
  next.status.conditions.push({ type: 'B', status: 'False' });
  assert.equal(shareUnchanged(next, prev), false);
  assert.equal(next.spec, prev.spec, 'the whole unchanged spec is shared');
  assert.notEqual(next.status, prev.status);
  assert.equal(next.status.conditions[0], prev.status.conditions[0], 'an unchanged element of a changed array');
  assert.notEqual(next.status.conditions, prev.status.conditions);
  assert.deepEqual(next.status, { phase: 'Running', conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }] });
  assert.deepEqual(prev.status, { phase: 'Pending', conditions: [{ type: 'A', status: 'True' }] }, 'the previous revision is not changed');
});

test('equality needs the same keys in the same order, and the same types', () => {
  const prev = { a: { x: 1, y: 2 }, b: { x: 1 }, c: [1, 2], d: { x: null }, e: { x: 1 }, f: ['1'] };
  const next = { a: { y: 2, x: 1 }, b: { x: 1, z: 3 }, c: [1, 2, 3], d: { x: 0 }, e: [1], f: [1] } as Record<string, unknown>;
  assert.equal(shareUnchanged(next, prev), false);
  for (const k of Object.keys(prev)) assert.notEqual(next[k], (prev as Record<string, unknown>)[k], k);
  assert.deepEqual(Object.keys(next.a as object), ['y', 'x'], 'the new key order is kept');
  assert.equal(shareUnchanged({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(shareUnchanged({ a: 1, b: undefined }, { a: 1 }), false);
  assert.equal(shareUnchanged([], {}), false);
  assert.equal(shareUnchanged({}, []), false);
  assert.equal(shareUnchanged(null, {}), false);
});

test('a wholly equal value reports so, and its members are shared', () => {
  const prev = { m: { labels: { a: 'b' } }, list: [{ k: 'v' }] };
  const next = { m: { labels: { a: 'b' } }, list: [{ k: 'v' }] };
  assert.equal(shareUnchanged(next, prev), true);
  assert.equal(next.m, prev.m);
  assert.equal(next.list, prev.list);
});
