import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from '../../src/api/tables/index.ts';

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H, Y = 365 * D;

test('humanDuration boundaries match duration.HumanDuration', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'], [-1 * S, '0s'], [-500, '0s'], [0, '0s'], [999, '0s'],
    [45 * S, '45s'], [119 * S, '119s'], [2 * M, '2m'], [2 * M + 10 * S, '2m10s'], [5 * M + 30 * S, '5m30s'],
    [9 * M + 59 * S, '9m59s'], [10 * M, '10m'], [10 * M + 59 * S, '10m'], [179 * M, '179m'],
    [3 * H, '3h'], [3 * H + 5 * M, '3h5m'], [7 * H + 59 * M, '7h59m'], [8 * H, '8h'], [47 * H + 59 * M, '47h'],
    [48 * H, '2d'], [3 * D + 4 * H, '3d4h'], [7 * D + 23 * H, '7d23h'], [8 * D, '8d'], [729 * D, '729d'],
    [2 * Y, '2y'], [2 * Y + 45 * D, '2y45d'], [7 * Y + 364 * D, '7y364d'], [8 * Y, '8y'], [20 * Y + 100 * D, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});
