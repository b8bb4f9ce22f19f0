import { it } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys } from '../../src/storage/sorted-keys.ts';

it('SortedKeys matches a naive sorted array under random inserts, removes, ranks and slices', () => {
  let seed = 42;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const sk = new SortedKeys();
  const naive: string[] = [];
  const lb = (x: string, strict: boolean) => naive.filter((k) => (strict ? k <= x : k < x)).length;
  for (let step = 0; step < 6000; step++) {
    const k = `/k/${rnd(3000).toString(36)}`;
    const has = naive.includes(k);
    if (rnd(3) > 0 && !has) { sk.insert(k); naive.push(k); naive.sort(); }
    else if (has) { assert.equal(sk.remove(k), true); naive.splice(naive.indexOf(k), 1); }
    else assert.equal(sk.remove(k), false);
    if (step % 500 === 0) {
      assert.equal(sk.size, naive.length);
      assert.deepEqual(sk.slice(0, naive.length + 5), naive);
      const probe = `/k/${rnd(3000).toString(36)}`;
      assert.equal(sk.rank(probe), lb(probe, false));
      assert.equal(sk.rank(probe, true), lb(probe, true));
      const start = rnd(naive.length + 1);
      assert.deepEqual(sk.slice(start, 37), naive.slice(start, start + 37));
    }
  }
  const built = new SortedKeys(naive);
  assert.deepEqual(built.slice(0, naive.length), naive);
  assert.equal(built.rank('/k/zzzz'), naive.length);
});
