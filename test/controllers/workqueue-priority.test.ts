// WorkQueue with a priority function: waiting keys come out highest priority first, then in the
// order they were added (upstream's PrioritySort); without one it stays FIFO.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { WorkQueue } from '../../src/controllers/runtime.ts';

async function order(prio: Record<string, number> | undefined, keys: string[]): Promise<string[]> {
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const q = new WorkQueue(new FakeClock(), async (k) => { seen.push(k); if (k === 'first') await gate; }, 1, prio ? (k) => prio[k] ?? 0 : undefined);
  q.add('first'); // occupies the only worker while the others queue up
  await new Promise((r) => setImmediate(r));
  for (const k of keys) q.add(k);
  release();
  await q.idle();
  return seen.slice(1);
}

test('priority order, ties in arrival order; FIFO without a priority function', async () => {
  const keys = ['low-a', 'high-a', 'mid', 'low-b', 'high-b', 'none'];
  const prio = { 'low-a': -5, 'low-b': -5, mid: 100, 'high-a': 2000, 'high-b': 2000 };
  assert.deepEqual(await order(prio, keys), ['high-a', 'high-b', 'mid', 'none', 'low-a', 'low-b']);
  assert.deepEqual(await order(undefined, keys), keys);
});

test('keys added in one synchronous batch to an idle queue are still taken in priority order', async () => {
  const seen: string[] = [];
  const q = new WorkQueue(new FakeClock(), async (k) => { seen.push(k); }, 1, (k) => Number(k.slice(1)));
  for (const k of ['p1', 'p5', 'p3']) q.add(k);
  await new Promise((r) => setImmediate(r));
  await q.idle();
  assert.deepEqual(seen, ['p5', 'p3', 'p1']);
});

test('many keys: the heap keeps the order', async () => {
  const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
  const prio = Object.fromEntries(keys.map((k, i) => [k, (i * 7919) % 13]));
  const got = await order(prio, keys);
  const want = [...keys].sort((a, b) => prio[b] - prio[a] || keys.indexOf(a) - keys.indexOf(b));
  assert.deepEqual(got, want);
});
