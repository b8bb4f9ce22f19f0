// The memory relief runs one memory-reducing GC when a burst of writes has ended, and not otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { BurstWatch, collectReducingMemory, startMemoryRelief } from '../../src/util/memory-relief.ts';

const rule = { minBurst: 1000, quietRatio: 0.25, quietSamples: 1, minIntervalMs: 60_000 };

test('a burst that falls to a quarter of its peak ends: relief once, then not again until another burst', () => {
  const w = new BurstWatch(rule);
  const seq = [100, 1500, 3000, 2000, 800, 700, 100, 90, 5000, 100];
  const at = (i: number) => 10_000 + i * 30_000;
  assert.deepEqual(seq.map((n, i) => w.observe(n, at(i))), [false, false, false, false, false, true, false, false, false, true]);
});

test('steady writes below the burst size, or a burst that does not calm down, never trigger relief', () => {
  const steady = new BurstWatch(rule);
  assert.ok(Array.from({ length: 50 }, (_, i) => steady.observe(i % 2 ? 999 : 10, i * 2000)).every((x) => !x));
  const busy = new BurstWatch(rule);
  assert.ok(Array.from({ length: 50 }, (_, i) => busy.observe(i % 2 ? 4000 : 1100, i * 2000)).every((x) => !x));
});

test('two bursts closer than minIntervalMs get one relief; the second waits for the spacing', () => {
  const w = new BurstWatch(rule);
  assert.equal(w.observe(5000, 0), false);
  assert.equal(w.observe(10, 2000), true);
  assert.equal(w.observe(5000, 4000), false);
  assert.equal(w.observe(10, 6000), false); // 4 s after the first relief
  assert.equal(w.observe(10, 62_000), true); // the burst's peak is remembered until relief ran
});

test('with quietSamples 2, a one-interval dip inside a burst is not its end; two quiet intervals are', () => {
  const w = new BurstWatch({ ...rule, quietSamples: 2 });
  const seq = [5000, 600, 5000, 5000, 600, 500, 400];
  assert.deepEqual(seq.map((n, i) => w.observe(n, i * 2000)), [false, false, false, false, false, true, false]);
});

test('startMemoryRelief samples the revision on the clock and collects after a burst; stop() ends it', () => {
  const clock = new FakeClock();
  let rev = 0, collected = 0;
  const relief = startMemoryRelief({ clock, revision: () => rev, collect: () => { collected++; }, intervalMs: 2000, rule });
  for (const writes of [50, 3000, 4000, 200]) { rev += writes; clock.advance(2000); }
  assert.equal(collected, 1);
  assert.equal(relief.reliefs, 1);
  relief.stop();
  for (const writes of [100_000, 0]) { rev += writes; clock.advance(70_000); }
  assert.equal(collected, 1);
});

test('collectReducingMemory frees unreachable objects without --expose-gc', async () => {
  const ref = new WeakRef({ big: new Array(1000).fill(1) });
  await new Promise((r) => setImmediate(r)); // a new WeakRef keeps its target until the job ends
  collectReducingMemory();
  assert.equal(ref.deref(), undefined);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

test('a due relief waits for an idle moment, then runs once', () => {
  const clock = new FakeClock();
  let rev = 0, collected = 0, idle = false;
  const relief = startMemoryRelief({ clock, revision: () => rev, collect: () => { collected++; }, intervalMs: 2000, rule, idle: () => idle, maxDeferMs: 60_000 });
  for (const writes of [3000, 4000, 200]) { rev += writes; clock.advance(2000); }
  assert.equal(collected, 0, 'due, but a request is in flight');
  for (let i = 0; i < 5; i++) { rev += 10; clock.advance(2000); }
  assert.equal(collected, 0, 'still busy');
  idle = true;
  clock.advance(2000);
  assert.equal(collected, 1);
  for (let i = 0; i < 10; i++) { rev += 10; clock.advance(2000); }
  assert.equal(collected, 1, 'once per burst');
  relief.stop();
});

test('a due relief that never finds an idle moment runs after maxDeferMs', () => {
  const clock = new FakeClock();
  let rev = 0, collected = 0;
  const relief = startMemoryRelief({ clock, revision: () => rev, collect: () => { collected++; }, intervalMs: 2000, rule, idle: () => false, maxDeferMs: 10_000 });
  for (const writes of [3000, 4000, 200]) { rev += writes; clock.advance(2000); }
  const due = clock.now();
  while (collected === 0 && clock.now() - due < 60_000) { rev += 10; clock.advance(2000); }
  assert.equal(collected, 1);
  assert.ok(clock.now() - due >= 10_000, 'not before the longest deferral');
  relief.stop();
});
