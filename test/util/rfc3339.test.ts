// clock.rfc3339 (metav1.Time's form, second precision): remembering the last second formatted gives the
// same text as formatting afresh, across seconds, back in time, and before 1970.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339 } from '../../src/clock.ts';

test('rfc3339 truncates to the second and agrees with a fresh format in any order of calls', () => {
  const fresh = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const times = [0, 999, 1000, 1999, 500, -1, -1000, -1001, Date.UTC(2026, 0, 1, 12, 0, 5, 500), Date.UTC(2026, 0, 1, 12, 0, 5, 999), Date.UTC(2026, 0, 1, 12, 0, 6), 1000];
  for (const t of times) assert.equal(rfc3339(t), fresh(t), `at ${t}`);
  assert.equal(rfc3339(Date.UTC(2026, 0, 1, 12, 0, 5, 500)), '2026-01-01T12:00:05Z');
  assert.equal(rfc3339(-1), '1969-12-31T23:59:59Z');
});

test('rfc3339 of an invalid time still throws, also right after a valid one', () => {
  rfc3339(0);
  assert.throws(() => rfc3339(Number.NaN), RangeError);
  assert.throws(() => rfc3339(Number.NaN), RangeError);
  assert.equal(rfc3339(0), '1970-01-01T00:00:00Z');
});
