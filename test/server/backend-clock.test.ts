// The storage backend runs on the server's clock: history compaction follows simulated time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import { FakeClock } from '../../src/clock.ts';

const turn = () => new Promise<void>((r) => setImmediate(r));

test('compaction is timed by the server\'s clock: an hour of fake time drops superseded history', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1), 3);
  const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false, clock });
  try {
    let kv = await s.backend.create('/test/a', new Uint8Array([1]));
    for (let i = 2; i < 6; i++) kv = await s.backend.update('/test/a', new Uint8Array([i]), kv.modRevision);
    assert.equal(s.backend.compactRevision(), 0);
    // Past the default retention (1 hour), in compaction-interval steps (30 s).
    for (let i = 0; i < 130; i++) { clock.advance(30_000); await turn(); }
    for (let i = 0; i < 200 && s.backend.compactRevision() < kv.modRevision; i++) await turn();
    assert.equal(s.backend.compactRevision(), kv.modRevision);
    assert.deepEqual((await s.backend.get('/test/a'))?.value, new Uint8Array([5]), 'the latest value stays');
  } finally { await s.stop(); }
});
