// util/lru and util/fifo: the bounded LRU the event recorder correlates with, and its write queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lru } from '../../src/util/lru.ts';
import { Fifo } from '../../src/util/fifo.ts';

test('Lru keeps at most max entries and drops the least recently used; a read refreshes, peek does not', () => {
  const l = new Lru<number>(3);
  l.set('a', 1); l.set('b', 2); l.set('c', 3);
  assert.equal(l.get('a'), 1); // a is now the most recent
  l.set('d', 4); // drops b
  assert.equal(l.size, 3);
  assert.equal(l.get('b'), undefined);
  assert.deepEqual([...l.keys()], ['d', 'a', 'c']);
  assert.equal(l.peek('c'), 3);
  l.set('e', 5); // c was least recent despite the peek
  assert.deepEqual([...l.keys()], ['e', 'd', 'a']);
  l.set('a', 10); // an update refreshes too
  l.set('f', 6);
  assert.deepEqual([...l.keys()], ['f', 'a', 'e']);
  assert.equal(l.get('a'), 10);
});

test('Lru delete unlinks from anywhere, and the bound still holds after many evictions', () => {
  const l = new Lru<string>(2);
  l.set('x', 'x'); l.set('y', 'y');
  assert.equal(l.delete('x'), true);
  assert.equal(l.delete('x'), false);
  assert.deepEqual([...l.keys()], ['y']);
  l.delete('y');
  assert.equal(l.size, 0);
  assert.deepEqual([...l.keys()], []);
  for (let i = 0; i < 10_000; i++) { l.set(`k${i}`, String(i)); l.get(`k${i - 1}`); }
  assert.equal(l.size, 2);
  assert.deepEqual([...l.keys()], ['k9998', 'k9999']);
});

test('Lru refuses a bound that is not a positive integer', () => {
  assert.throws(() => new Lru(0), RangeError);
  assert.throws(() => new Lru(1.5), RangeError);
  assert.throws(() => new Lru(Number.NaN), RangeError);
});

test('Fifo hands items back in order across its internal compaction', () => {
  const q = new Fifo<number>();
  assert.equal(q.shift(), undefined);
  let next = 0, out = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 300; i++) q.push(next++);
    for (let i = 0; i < 200; i++) assert.equal(q.shift(), out++);
  }
  assert.equal(q.length, next - out);
  while (q.length) assert.equal(q.shift(), out++);
  assert.equal(out, next);
  assert.equal(q.shift(), undefined);
});
