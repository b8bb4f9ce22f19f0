// RealClock's name suffixes (generateName, kube-api-access-xxxxx): n characters of upstream's
// alphabet (no vowels, no 0/1/3), spread over the whole alphabet; random bytes stay what was asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../src/clock.ts';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

test('randomString: n characters of the generateName alphabet, every character in use, names differ', () => {
  const c = new RealClock();
  assert.equal(c.randomString(0), '');
  const seen = new Set<string>();
  const names = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const s = c.randomString(5);
    assert.match(s, /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    names.add(s);
    for (const ch of s) seen.add(ch);
  }
  assert.equal(seen.size, ALPHABET.length, 'every character of the alphabet turns up in 10,000 draws');
  assert.ok(names.size > 1990, `2,000 names of 27^5 are nearly all distinct (got ${names.size})`);
  assert.equal(c.randomString(63).length, 63);
});

test('randomBytes: the number of bytes asked for, not repeating', () => {
  const c = new RealClock();
  const a = c.randomBytes(32), b = c.randomBytes(32);
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
});

test('uuid: version 4, RFC 4122 variant, lower-case hex in 8-4-4-4-12, all distinct, every hex digit in every free place', async () => {
  const { randomUuid } = await import('../../src/clock.ts');
  const c = new RealClock();
  const all = new Set<string>();
  const digits = Array.from({ length: 36 }, () => new Set<string>());
  for (let i = 0; i < 3000; i++) {
    const u = i % 2 ? c.uuid() : randomUuid();
    assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    all.add(u);
    for (let k = 0; k < 36; k++) digits[k].add(u[k]);
  }
  assert.equal(all.size, 3000);
  for (let k = 0; k < 36; k++) {
    const expected = [8, 13, 18, 23].includes(k) ? 1 : k === 14 ? 1 : k === 19 ? 4 : 16;
    assert.equal(digits[k].size, expected, `position ${k}`);
  }
});
