// The upstream e2e subset CI runs (conformance/upstream/ci.ts): every listed spec is one that
// passed in the recorded full run (RESULTS.md) in under 10 s, none twice; and the check of a run's
// summary names each listed spec that failed, was skipped or did not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CI_SPECS, problems } from '../../conformance/upstream/ci.ts';

test('the CI specs are distinct, passed in the recorded run and took under 10 s each', () => {
  assert.equal(new Set(CI_SPECS).size, CI_SPECS.length);
  assert.ok(CI_SPECS.length >= 20 && CI_SPECS.length <= 40, `${CI_SPECS.length} specs`);
  const rows = new Map(readFileSync(new URL('../../conformance/upstream/RESULTS.md', import.meta.url), 'utf8').split('\n')
    .filter((l) => l.startsWith('| ['))
    .map((l) => { const cells = l.slice(2, -2).split(' | '); return [cells[0], { result: cells[1], seconds: Number(cells[2]) }] as const; }));
  for (const name of CI_SPECS) {
    const row = rows.get(name);
    assert.ok(row, `not in RESULTS.md: ${name}`);
    assert.equal(row.result, 'passed', name);
    assert.ok(row.seconds < 10, `${name}: ${row.seconds} s`);
  }
  const areas = new Set(CI_SPECS.map((s) => /^\[sig-([a-z-]+)\]/.exec(s)![1]));
  assert.deepEqual([...areas].sort(), ['api-machinery', 'apps', 'auth', 'node', 'storage']);
});

test('a run is judged by every listed spec: failed, skipped and missing ones are named', () => {
  const specs = ['[sig-a] one [Conformance]', '[sig-a] two [Conformance]', '[sig-b] three [Conformance]', '[sig-b] four [Conformance]'];
  const spec = (name: string, state: string, message?: string) => ({ name, state, ginkgoState: state, seconds: 1, message }) as any;
  assert.deepEqual(problems({ specs: specs.map((n) => spec(n, 'passed')) }, specs), []);
  const out = problems({ specs: [spec(specs[0], 'passed'), spec(specs[1], 'failed', 'boom\nstack'), spec(specs[2], 'skipped'), spec('[sig-c] other', 'passed')] }, specs);
  assert.deepEqual(out, [
    'failed: [sig-a] two [Conformance]\n    boom',
    'skipped: [sig-b] three [Conformance]',
    'did not run (renamed upstream, or not linked into e2e-subset.test?): [sig-b] four [Conformance]',
  ]);
});
