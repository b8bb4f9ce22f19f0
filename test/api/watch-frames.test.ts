// The shared watch-frame cache keeps only recent revisions' frames, bounded by count and bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameCache } from '../../src/api/watch-frames.ts';
import { chunked } from '../../src/api/watch-outbox.ts';

const frame = (n: number) => chunked(Buffer.alloc(n, 0x61));

test('a frame is built once per revision and key, and shared', () => {
  const c = new FrameCache({ maxEntries: 4, maxBytes: 1 << 20 });
  const e = {};
  let builds = 0;
  const f1 = c.get(e, 'ADDED json', () => { builds++; return frame(10); });
  const f2 = c.get(e, 'ADDED json', () => { builds++; return frame(10); });
  assert.equal(f1, f2);
  c.get(e, 'ADDED pb', () => { builds++; return frame(10); });
  assert.equal(builds, 2);
  assert.equal(c.built, 2);
  assert.deepEqual(c.stats().entries, 1);
});

test('past maxEntries revisions the oldest revision\'s frames go (built again if asked)', () => {
  const c = new FrameCache({ maxEntries: 3, maxBytes: 1 << 20 });
  const es = [{}, {}, {}, {}, {}];
  for (const e of es) c.get(e, 'k', () => frame(10));
  assert.equal(c.stats().entries, 3);
  let rebuilt = 0;
  c.get(es[0], 'k', () => { rebuilt++; return frame(10); });
  c.get(es[4], 'k', () => { rebuilt++; return frame(10); });
  assert.equal(rebuilt, 1, 'the oldest was dropped, the newest kept');
  assert.equal(c.stats().entries, 3);
});

test('past maxBytes the oldest revisions go, never the newest', () => {
  const c = new FrameCache({ maxEntries: 100, maxBytes: 100 });
  const a = {}, b = {}, big = {};
  c.get(a, 'k', () => frame(30));
  c.get(b, 'k', () => frame(30));
  assert.equal(c.stats().entries, 2);
  const f = c.get(big, 'k', () => frame(500));
  assert.equal(c.stats().entries, 1);
  assert.equal(c.get(big, 'k', () => { throw new Error('rebuilt'); }), f);
  assert.ok(c.stats().bytes >= 500);
});

test('limits must be positive', () => {
  assert.throws(() => new FrameCache({ maxEntries: 0, maxBytes: 10 }), RangeError);
  assert.throws(() => new FrameCache({ maxEntries: 1, maxBytes: NaN }), RangeError);
});

test('the cache does not keep a revision\'s entry (nor its frames) alive', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const c = new FrameCache({ maxEntries: 10, maxBytes: 1 << 20 });
  let collected = 0;
  const registry = new FinalizationRegistry(() => { collected++; });
  (() => {
    for (let i = 0; i < 3; i++) {
      const e = { revision: i };
      registry.register(e, i);
      const f = c.get(e, 'k', () => frame(10));
      registry.register(f, -1);
    }
  })();
  const kept = {};
  const f = c.get(kept, 'k', () => frame(10));
  for (let i = 0; i < 10 && collected < 6; i++) { gc(); await new Promise((r) => setImmediate(r)); }
  assert.equal(collected, 6, 'the entries nobody refers to went, with their frames');
  assert.equal(c.get(kept, 'k', () => { throw new Error('rebuilt'); }), f, 'an entry still referred to keeps its frames');
  // The ring slots of collected entries are reused as new revisions come.
  for (let i = 0; i < 20; i++) c.get({}, 'k', () => frame(10));
  assert.equal(c.stats().entries, 10);
});
