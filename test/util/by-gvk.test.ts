import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByGvk } from '../../src/util/by-gvk.ts';

test('ByGvk: made once per group/version/kind; null is kept (a kind without a schema is not asked again)', () => {
  const m = new ByGvk<string | null>();
  let made = 0;
  const make = (v: string | null) => () => { made++; return v; };
  assert.equal(m.get('', 'v1', 'Pod', make('pod')), 'pod');
  assert.equal(m.get('', 'v1', 'Pod', make('other')), 'pod');
  assert.equal(m.get('apps', 'v1', 'Pod', make('apps-pod')), 'apps-pod');
  assert.equal(m.get('', 'v2', 'Pod', make('v2-pod')), 'v2-pod');
  assert.equal(m.get('', 'v1', 'Nope', make(null)), null);
  assert.equal(m.get('', 'v1', 'Nope', make('late')), null);
  assert.equal(made, 4);
});
