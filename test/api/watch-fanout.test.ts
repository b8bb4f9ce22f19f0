// Watch fan-out: frames shared by every watcher of a representation, writes batched per watcher
// (order kept, nothing lost or repeated, bookmarks in place), and a watcher that stops reading is cut
// off instead of being buffered without end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { cm, startFixture, stream } from './fixture.ts';
import type { Fixture, Stream } from './fixture.ts';
import { watchFrameStats, watchSettings } from '../../src/api/watch.ts';
import { outboxSettings, outboxStats } from '../../src/api/watch-outbox.ts';
import { decodeWatchFrames } from '../../src/protobuf/index.ts';

let f: Fixture;
const open: Stream[] = [];
before(async () => { f = await startFixture(); });
after(async () => { for (const s of open) s.close(); await f.stop(); });

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
async function watch(path: string, headers?: Record<string, string>): Promise<Stream> {
  const s = await stream(f, path, headers);
  open.push(s);
  return s;
}
const rvOf = (ev: any) => Number(ev.object.metadata.resourceVersion);

/** A protobuf watch: `ready` once its headers arrived, `events` once `count` frames did. */
function rawFrames(path: string, accept: string, count: number): { ready: Promise<void>; events: Promise<{ type: string; object: any }[]> } {
  let ready!: () => void;
  const readyP = new Promise<void>((r) => { ready = r; });
  const events = new Promise<{ type: string; object: any }[]>((resolve, reject) => {
    const req = httpRequest(new URL(path, f.url), { headers: { Authorization: `Bearer ${f.token}`, Accept: accept } }, (res) => {
      ready();
      let buf = Buffer.alloc(0);
      const events: { type: string; object: any }[] = [];
      res.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        const d = decodeWatchFrames(buf);
        events.push(...d.events);
        buf = buf.subarray(d.consumed);
        if (events.length >= count) { req.destroy(); resolve(events); }
      });
    });
    req.on('error', (e) => { if (!String(e).includes('socket hang up')) reject(e); });
    req.end();
  });
  return { ready: readyP, events };
}

describe('watch fan-out', { timeout: 60_000 }, () => {
  test('a burst of concurrent writes reaches every watcher once each, in revision order', async () => {
    const ns = await f.ns('fan-burst');
    const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
    const watchers = await Promise.all(Array.from({ length: 8 }, () => watch(`${cms(ns)}?watch=true&resourceVersion=${rv}`)));
    const N = 60;
    const created = await Promise.all(Array.from({ length: N }, (_, i) => f.api.post(cms(ns)).send(cm(`c${i}`))));
    const want = created.map((r) => Number(r.body.metadata.resourceVersion)).sort((a, b) => a - b);
    for (const w of watchers) {
      const got: number[] = [];
      for (let i = 0; i < N; i++) { const ev = await w.next(); assert.equal(ev.type, 'ADDED'); got.push(rvOf(ev)); }
      assert.deepEqual(got, want, 'every create once, in revision order');
    }
    // Nothing more was queued for them: the next event is the next write.
    await f.api.delete(`${cms(ns)}/c0`);
    for (const w of watchers) assert.deepEqual([(await w.next()).type, w.buffered().length], ['DELETED', 0]);
  });

  test('bookmarks keep their place among batched events', async () => {
    const saved = watchSettings.bookmarkIntervalMs;
    watchSettings.bookmarkIntervalMs = 1;
    try {
      const ns = await f.ns('fan-bm');
      const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
      const w = await watch(`${cms(ns)}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
      await f.api.post(cms(ns)).send(cm('x', { n: '0' }));
      for (let round = 0; round < 5; round++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => f.api.post(cms(ns)).send(cm(`r${round}-${i}`))));
      }
      let last = 0, seen = 0;
      while (seen < 51) {
        const ev = await w.next();
        if (ev.type === 'BOOKMARK') { assert.ok(rvOf(ev) >= last, `bookmark ${rvOf(ev)} after event ${last}`); last = rvOf(ev); continue; }
        assert.equal(ev.type, 'ADDED');
        assert.ok(rvOf(ev) > last, `event ${rvOf(ev)} after ${last}`);
        last = rvOf(ev); seen++;
      }
      // Bookmarks keep coming after the writes stop, never going back.
      let ev;
      do { ev = await w.next(); } while (ev.type !== 'BOOKMARK');
      assert.ok(rvOf(ev) >= last);
    } finally {
      watchSettings.bookmarkIntervalMs = saved;
    }
  });

  test('each event is encoded once per representation, whatever the number of watchers', async () => {
    const ns = await f.ns('fan-reps');
    await f.api.post(cms(ns)).send(cm('x'));
    const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
    const q = `${cms(ns)}?watch=true&resourceVersion=${rv}`;
    const table = 'application/json;as=Table;v=v1;g=meta.k8s.io';
    const meta = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io';
    const json = await Promise.all([1, 2, 3].map(() => watch(q)));
    const tables = await Promise.all([1, 2, 3].map(() => watch(q, { Accept: table })));
    const metas = await Promise.all([1, 2, 3].map(() => watch(q, { Accept: meta })));
    const pbs = [1, 2, 3].map(() => rawFrames(q, 'application/vnd.kubernetes.protobuf', 1));
    const pbMetas = [1, 2, 3].map(() => rawFrames(q, 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', 1));
    await Promise.all([...pbs, ...pbMetas].map((p) => p.ready));
    const before = watchFrameStats.built;
    await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '2' }));
    for (const s of json) { const ev = await s.next(); assert.equal(ev.type, 'MODIFIED'); assert.deepEqual(ev.object.data, { a: '2' }); }
    for (const s of tables) { const ev = await s.next(); assert.equal(ev.object.kind, 'Table'); assert.equal(ev.object.rows[0].cells[0], 'x'); }
    for (const s of metas) { const ev = await s.next(); assert.equal(ev.object.kind, 'PartialObjectMetadata'); assert.equal(ev.object.data, undefined); }
    for (const p of pbs) { const [ev] = await p.events; assert.equal(ev.type, 'MODIFIED'); assert.deepEqual(ev.object.data, { a: '2' }); }
    for (const p of pbMetas) { const [ev] = await p.events; assert.equal(ev.type, 'MODIFIED'); assert.equal(ev.object.kind, 'PartialObjectMetadata'); }
    // JSON, Table, metadata JSON, protobuf, metadata protobuf: five frames for fifteen watchers.
    assert.equal(watchFrameStats.built - before, 5);
  });

  test('writes are paced: the events of the gap after a round leave together, in order, in the next round', async () => {
    const saved = { ...outboxSettings };
    try {
      const ns = await f.ns('fan-pace');
      const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
      const watchers = await Promise.all(Array.from({ length: 4 }, () => watch(`${cms(ns)}?watch=true&resourceVersion=${rv}`)));
      // Every round is followed by the longest gap: a few seconds, whatever its writing took.
      outboxSettings.pace = 1e9;
      outboxSettings.maxGapMs = 3000;
      const first = (await f.api.post(cms(ns)).send(cm('p0'))).body;
      for (const w of watchers) assert.equal((await w.next()).object.metadata.name, 'p0');
      const rounds = outboxStats.rounds;
      const later: number[] = [];
      for (let i = 1; i <= 5; i++) later.push(Number((await f.api.post(cms(ns)).send(cm(`p${i}`))).body.metadata.resourceVersion));
      for (const w of watchers) {
        const got: number[] = [];
        for (let i = 1; i <= 5; i++) got.push(rvOf(await w.next()));
        assert.deepEqual(got, later, 'every event once, in order');
      }
      assert.equal(outboxStats.rounds - rounds, 1, 'the five events written during the gap went out in one round');
      assert.ok(Number(first.metadata.resourceVersion) < later[0]);
    } finally {
      Object.assign(outboxSettings, saved);
    }
  });

  test('a watcher that reads slowly but drains is not cut off', async () => {
    const saved = { ...outboxSettings };
    outboxSettings.maxBacklogEvents = 3;
    outboxSettings.stallMs = 60_000;
    try {
      const ns = await f.ns('fan-patient');
      await f.api.post(cms(ns)).send(cm('big', { v: '0' }));
      const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
      // Paused while 20 large updates go out (its connection backs up), then read to the end.
      const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const req = httpRequest(new URL(`${cms(ns)}?watch=true&resourceVersion=${rv}`, f.url), { headers: { Authorization: `Bearer ${f.token}` } }, (r) => { r.pause(); resolve(r); });
        req.on('error', reject);
        req.end();
      });
      const reader = await watch(`${cms(ns)}?watch=true&resourceVersion=${rv}`);
      const big = 'x'.repeat(500_000);
      for (let i = 1; i <= 20; i++) await f.api.put(`${cms(ns)}/big`).send(cm('big', { v: String(i), pad: big }));
      for (let i = 1; i <= 20; i++) await reader.next();
      let text = '';
      res.setEncoding('utf8');
      const all = new Promise<string[]>((resolve) => {
        res.on('data', (c: string) => {
          text += c;
          const lines = text.split('\n').filter(Boolean);
          if (lines.length >= 20 && text.endsWith('\n')) resolve(lines);
        });
        res.on('end', () => resolve(text.split('\n').filter(Boolean)));
      });
      res.resume();
      const vs = (await all).map((l) => JSON.parse(l).object.data.v);
      assert.deepEqual(vs, Array.from({ length: 20 }, (_, i) => String(i + 1)), 'every update, in order: it was not cut off');
      res.destroy();
    } finally {
      Object.assign(outboxSettings, saved);
    }
  });

  test('a watcher that stops reading is cut off; the others keep up', async () => {
    const saved = { ...outboxSettings };
    outboxSettings.maxBacklogEvents = 3;
    outboxSettings.stallMs = 0;
    try {
      const ns = await f.ns('fan-slow');
      await f.api.post(cms(ns)).send(cm('big', { v: '0' }));
      const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
      const path = `${cms(ns)}?watch=true&resourceVersion=${rv}`;
      const reader = await watch(path);
      // The slow watcher: reads its headers, then nothing until the updates are done.
      let slowEnded = false;
      const slowBody: Buffer[] = [];
      const slow = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const req = httpRequest(new URL(path, f.url), { headers: { Authorization: `Bearer ${f.token}` } }, (res) => { res.pause(); resolve(res); });
        req.on('error', reject);
        req.end();
      });
      slow.on('data', (c: Buffer) => slowBody.push(c));
      slow.on('end', () => { slowEnded = true; });
      const UPDATES = 60;
      const big = 'x'.repeat(500_000);
      for (let i = 1; i <= UPDATES; i++) await f.api.put(`${cms(ns)}/big`).send(cm('big', { v: String(i), pad: big }));
      for (let i = 1; i <= UPDATES; i++) assert.equal((await reader.next()).object.data.v, String(i));
      // Now read what the slow watcher was sent: a prefix of the updates, in order, then the end.
      const ended = new Promise<void>((r) => (slowEnded ? r() : slow.once('end', () => r())));
      slow.resume();
      await ended;
      const lines = Buffer.concat(slowBody).toString('utf8').split('\n').filter(Boolean);
      const vs = lines.map((l) => JSON.parse(l).object.data.v);
      assert.ok(vs.length < UPDATES, `cut off before the end (got ${vs.length} of ${UPDATES})`);
      assert.deepEqual(vs, vs.map((_, i) => String(i + 1)), 'what it got is a gap-free prefix');
      // The reader is unaffected.
      await f.api.delete(`${cms(ns)}/big`);
      assert.equal((await reader.next()).type, 'DELETED');
    } finally {
      Object.assign(outboxSettings, saved);
    }
  });
});
