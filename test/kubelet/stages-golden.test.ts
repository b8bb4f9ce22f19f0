// The default stage file reproduces the TypeScript table it replaced: every scenario pod walks
// through the same stages, delays, statuses and events as recorded in fixtures/stages-golden.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultStages } from '../../src/kubelet/stages.ts';
import { SCENARIOS, walk } from './stages-walk.ts';

const golden = JSON.parse(readFileSync(new URL('./fixtures/stages-golden.json', import.meta.url), 'utf8'));

for (const p of SCENARIOS) {
  test(`default stages golden: ${p.metadata.name}`, () => {
    assert.deepEqual(JSON.parse(JSON.stringify(walk(defaultStages(), p))), golden[p.metadata.name!]);
  });
}

test('the golden walk covers every default stage', () => {
  const seen = new Set(Object.values(golden).flatMap((steps) => (steps as { stage: string }[]).map((s) => s.stage)));
  assert.deepEqual(defaultStages().map((s) => s.name).filter((n) => !seen.has(n)), []);
});
