// WorkQueue shares the thread: items start only inside short event-loop slices, so a queue whose
// keys keep re-adding each other (work that never waits on I/O) still lets setImmediate callbacks,
// timers and sockets run; a key re-added while it is processed waits behind the keys already queued;
// the old guarantees (dedupe, one worker per key, back-off retries, idle()) hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { WorkQueue } from '../../src/controllers/runtime.ts';

const turn = () => new Promise<void>((r) => setImmediate(r));

test('a queue whose keys endlessly re-add each other lets setImmediate and timer callbacks run', async () => {
  let processed = 0;
  let stop = false;
  // Each key re-adds itself and its neighbour without ever awaiting I/O: the shape of an ownership
  // cycle under foreground deletion (A waits on B, B waits on A).
  const q: WorkQueue = new WorkQueue(new FakeClock(), async (k) => {
    processed++;
    if (stop) return;
    const n = Number(k.slice(1));
    q.add(`k${(n + 1) % 3}`);
    q.add(k);
  }, 8);
  q.add('k0');
  let immediates = 0;
  const startedAt = processed;
  await new Promise<void>((resolve) => setImmediate(() => { immediates++; resolve(); }));
  // A timer (real time) must fire too: before the change it never did, the microtask chain never ended.
  await new Promise<void>((resolve) => setTimeout(() => { immediates++; resolve(); }, 5));
  assert.equal(immediates, 2);
  assert.ok(processed > startedAt, 'the queue made progress meanwhile');
  stop = true;
  await q.idle();
  const settled = processed;
  await turn(); await turn();
  assert.equal(processed, settled, 'nothing runs once the keys stop re-adding');
});

test('a queue that spends every slice does not starve another queue', async () => {
  let stop = false;
  const busy: WorkQueue = new WorkQueue(new FakeClock(), async (k) => {
    const end = performance.now() + 3; // more than a whole slice of CPU per item
    while (performance.now() < end) { /* busy */ }
    if (!stop) busy.add(k);
  }, 8);
  for (let i = 0; i < 8; i++) busy.add(`b${i}`);
  await turn(); await turn();
  let ran = false;
  const other = new WorkQueue(new FakeClock(), async () => { ran = true; }, 1);
  other.add('x');
  for (let i = 0; i < 20 && !ran; i++) await turn();
  const ranWhileBusy = ran;
  stop = true;
  await busy.idle();
  assert.equal(ranWhileBusy, true, 'the second queue got a turn while the first kept every slice busy');
});

test('a key re-added while it is processed runs again only after the keys already waiting', async () => {
  const seen: string[] = [];
  let again = true;
  const q: WorkQueue = new WorkQueue(new FakeClock(), async (k) => {
    seen.push(k);
    if (k === 'a' && again) { again = false; q.add('a'); }
  }, 1);
  for (const k of ['a', 'b', 'c']) q.add(k);
  await turn();
  await q.idle();
  assert.deepEqual(seen, ['a', 'b', 'c', 'a']);
});

test('a key is never processed twice at once, and adds while queued are merged', async () => {
  let inFlight = 0, most = 0, runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const q = new WorkQueue(new FakeClock(), async () => {
    runs++; inFlight++; most = Math.max(most, inFlight);
    await gate;
    inFlight--;
  }, 4);
  q.add('x'); q.add('x');
  await turn();
  q.add('x'); q.add('x'); // while active: one more run afterwards, not two
  release();
  await q.idle();
  assert.equal(most, 1);
  assert.equal(runs, 2);
});

test('nothing starts inside add(): the first item runs on a later turn', async () => {
  const seen: string[] = [];
  const q = new WorkQueue(new FakeClock(), async (k) => { seen.push(k); }, 4);
  q.add('a');
  assert.deepEqual(seen, []);
  assert.equal(q.length, 1);
  await q.idle();
  assert.deepEqual(seen, ['a']);
  assert.equal(q.length, 0);
});

test('failures retry with back-off on the simulated clock, then succeed', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const errors: string[] = [];
  const q = new WorkQueue(clock, async () => { calls++; if (calls < 3) throw new Error(`boom ${calls}`); }, 1);
  q.onError = (_k, e) => errors.push((e as Error).message);
  q.add('k');
  await q.idle();
  assert.equal(calls, 1);
  clock.advance(9); // the first retry waits 10 ms
  await q.idle();
  assert.equal(calls, 1);
  clock.advance(1);
  await turn();
  await q.idle();
  assert.equal(calls, 2);
  clock.advance(20);
  await turn();
  await q.idle();
  assert.equal(calls, 3);
  assert.deepEqual(errors, ['boom 1', 'boom 2']);
});

test('a process function that throws synchronously is retried like a rejection', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const q = new WorkQueue(clock, ((k: string) => { calls++; if (calls === 1) throw new Error('sync'); return Promise.resolve(); }) as (k: string) => Promise<void>, 1);
  let failed = 0;
  q.onError = () => { failed++; };
  q.add('k');
  await q.idle();
  assert.equal(failed, 1);
  clock.advance(10);
  await turn();
  await q.idle();
  assert.equal(calls, 2);
});

test('a stopped queue takes no more keys', async () => {
  let calls = 0;
  const q = new WorkQueue(new FakeClock(), async () => { calls++; }, 1);
  q.stop();
  q.add('a');
  q.addAfter('b', 10);
  await turn();
  assert.equal(calls, 0);
  assert.equal(q.length, 0);
});
