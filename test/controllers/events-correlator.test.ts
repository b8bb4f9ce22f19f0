// The event recorder correlates as upstream's client-go recorder does: duplicates bump count, the 10th
// distinct message with the same reason about an object within 10 minutes is folded into a
// "(combined from similar events)" Event, and a source gets 25 events per object in a burst, then one
// per 5 minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { eventRecorder } from '../../src/controllers/events.ts';
import { inSlice } from '../../src/controllers/turns.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const EVENTS = findResource('', 'v1', 'events')!;

async function setup() {
  const clock = new FakeClock();
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const rec = eventRecorder(store, clock, 'replicaset-controller');
  const list = async () => (await store.list(EVENTS, 'default')).items.map((e) => e.obj).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  return { clock, rec, list, store, close: () => backend.close() };
}

const rs = (name: string, uid: string): KObject => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', uid } } as KObject);

test('the same event again bumps count; nine distinct messages stay separate, the tenth is combined', async () => {
  const { clock, rec, list, close } = await setup();
  const o = rs('web', 'u1');
  rec.event(o, 'Normal', 'Scaled', 'same'); clock.advance(1000);
  rec.event(o, 'Normal', 'Scaled', 'same');
  for (let i = 0; i < 9; i++) rec.event(o, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`);
  await rec.flush();
  let evs = await list();
  assert.equal(evs.length, 10, '1 deduplicated + 9 distinct');
  assert.equal(evs.find((e) => e.reason === 'Scaled')!.count, 2);
  rec.event(o, 'Normal', 'SuccessfulCreate', 'Created pod: web-9');
  rec.event(o, 'Normal', 'SuccessfulCreate', 'Created pod: web-10');
  rec.event(o, 'Normal', 'SuccessfulCreate', 'Created pod: web-11');
  await rec.flush();
  evs = await list();
  const combined = evs.filter((e) => e.message.startsWith('(combined from similar events): '));
  assert.equal(combined.length, 1, 'one combined Event');
  assert.equal(combined[0].count, 3);
  assert.equal(combined[0].message, '(combined from similar events): Created pod: web-11');
  assert.equal(evs.length, 11);
  await close();
});

test('messages are combined only within 10 minutes of the last similar one', async () => {
  const { clock, rec, list, close } = await setup();
  const o = rs('slow', 'u2');
  for (let i = 0; i < 12; i++) { rec.event(o, 'Warning', 'FailedCreate', `attempt ${i}`); clock.advance(601_000); }
  await rec.flush();
  const evs = await list();
  assert.equal(evs.length, 12);
  assert.ok(evs.every((e) => !e.message.startsWith('(combined')), 'spread out, never combined');
  await close();
});

test('a source gets 25 events about one object in a burst, then one per 5 minutes; other objects are not limited', async () => {
  const { clock, rec, list, close } = await setup();
  const o = rs('spam', 'u3');
  for (let i = 0; i < 40; i++) rec.event(o, 'Warning', `Reason${i}`, 'm'); // distinct reasons: no aggregation
  await rec.flush();
  assert.equal((await list()).length, 25, 'the burst');
  rec.event(o, 'Warning', 'Later', 'm');
  clock.advance(299_000);
  rec.event(o, 'Warning', 'Later2', 'm');
  await rec.flush();
  assert.equal((await list()).length, 25, 'no token yet');
  clock.advance(2_000);
  rec.event(o, 'Warning', 'Later3', 'm');
  rec.event(o, 'Warning', 'Later4', 'm');
  await rec.flush();
  const names = (await list()).map((e) => e.reason);
  assert.equal(names.length, 26, 'one token after 5 minutes');
  assert.ok(names.includes('Later3'));
  rec.event(rs('other', 'u4'), 'Normal', 'Fine', 'm');
  await rec.flush();
  assert.equal((await list()).length, 27, 'another object has its own bucket');
  await close();
});

test('writes start on a later event-loop turn (background slices), keep the recording time, and all arrive; objects without a uid are keyed by kind, namespace and name', async () => {
  const { clock, rec, list, store, close } = await setup();
  const o = rs('web', 'u1');
  const at = clock.now();
  let creates = 0;
  const create = store.create.bind(store);
  store.create = (...a: Parameters<typeof store.create>) => { creates++; return create(...a); };
  // Recorded outside any background slice: a slice set-up's work started counts as one for SLICE_MS of
  // real time, and a write may start at once inside it.
  while (inSlice()) await new Promise((r) => setTimeout(r, 1));
  for (let i = 0; i < 40; i++) rec.event(o, 'Normal', 'SuccessfulCreate', `Created pod: web-${i}`); // more than in flight at once
  clock.advance(5000);
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.equal(creates, 0, 'no write started before the next turn');
  await rec.flush();
  const evs = await list();
  assert.equal(evs.length, 10, 'nine distinct, then one combined');
  assert.equal(evs.find((e) => /^\(combined/.test(e.message))!.count, 16, 'the burst of 25 allowed, less the nine');
  for (const e of evs) assert.equal(Date.parse(e.firstTimestamp), Math.floor(at / 1000) * 1000, 'stamped when recorded, not when written');
  // Without a uid: two objects of the same name but different kinds are separate sources of events.
  const noUid = (kind: string): KObject => ({ apiVersion: 'v1', kind, metadata: { name: 'same', namespace: 'default' } } as KObject);
  rec.event(noUid('ConfigMap'), 'Normal', 'Touched', 'x');
  rec.event(noUid('Secret'), 'Normal', 'Touched', 'x');
  rec.event(noUid('Secret'), 'Normal', 'Touched', 'x');
  await rec.flush();
  const touched = (await list()).filter((e) => e.reason === 'Touched').map((e) => `${e.involvedObject.kind}:${e.count}`).sort();
  assert.deepEqual(touched, ['ConfigMap:1', 'Secret:2']);
  await close();
});
