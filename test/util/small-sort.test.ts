// sortSmall sorts exactly as Array.prototype.sort does, by insertion on short arrays and by the
// built-in sort on long ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortSmall } from '../../src/util/small-sort.ts';

const words = (n: number, seed: number) => Array.from({ length: n }, (_, i) => `k${((i * 7919 + seed) % 1000).toString(36)}${i % 3 ? 'é' : ''}`);

test('code-unit order without a comparator, on short and long arrays', () => {
  for (const n of [0, 1, 2, 5, 16, 17, 40]) {
    const a = words(n, n);
    assert.deepEqual(sortSmall([...a]), [...a].sort(), `n=${n}`);
  }
  // Code units, not locale: upper case before lower, astral characters by their surrogates.
  assert.deepEqual(sortSmall(['b', 'B', 'a', '\u{1F600}', '\uFFFF', 'A']), ['b', 'B', 'a', '\u{1F600}', '\uFFFF', 'A'].sort());
});

test('a comparator is followed, and equal elements keep their order (stable)', () => {
  const items = Array.from({ length: 12 }, (_, i) => ({ no: i % 4, i }));
  const byNo = (x: { no: number }, y: { no: number }) => x.no - y.no;
  assert.deepEqual(sortSmall([...items], byNo), [...items].sort(byNo));
  const long = Array.from({ length: 50 }, (_, i) => ({ no: (i * 13) % 7, i }));
  assert.deepEqual(sortSmall([...long], byNo), [...long].sort(byNo));
});

test('sorts in place and returns the same array', () => {
  const a = ['c', 'a', 'b'];
  assert.equal(sortSmall(a), a);
  assert.deepEqual(a, ['a', 'b', 'c']);
});
