// The backend-independent contract for src/storage/types.ts. Every backend (SQLite today, a shared
// etcd/PostgreSQL store later) runs this suite:
//
//   runBackendContract('sqlite :memory:', () => new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 }));
//
// `make` must return a fresh, empty store that does not compact on its own (the tests compact
// explicitly). `reopen`, for persistent backends, is given a store the test has already closed and
// must return a new store over the same data.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, KeyValue, WatchEvent } from '../../src/storage/types.ts';
import { StorageError, isStorageError } from '../../src/storage/types.ts';

export type MakeBackend = () => Promise<Backend> | Backend;
export type ReopenBackend = (closed: Backend) => Promise<Backend> | Backend;

const enc = new TextEncoder();
const dec = new TextDecoder();
export const v = (s: string): Uint8Array => enc.encode(s);
export const s = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : dec.decode(b));

/** Assert that `p` (or a sync throw from `fn`) fails with a StorageError of this code. */
export async function rejectsWith(p: Promise<unknown> | (() => unknown), code: StorageError['code']): Promise<StorageError> {
  let err: unknown;
  try {
    if (typeof p === 'function') await p(); else await p;
  } catch (e) { err = e; }
  assert.ok(err !== undefined, `expected a ${code} error, but the operation succeeded`);
  assert.ok(err instanceof StorageError, `expected StorageError(${code}), got ${String(err)}`);
  assert.equal((err as StorageError).code, code, `expected ${code}, got ${(err as StorageError).code}: ${(err as Error).message}`);
  return err as StorageError;
}

/** Wait until `cond()` holds (polling), failing after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

interface Collected { events: WatchEvent[]; closed?: StorageError; cancel(): void }
export function collect(b: Backend, prefix: string, afterRevision: number): Collected {
  const c: Collected = { events: [], cancel: () => {} };
  const w = b.watch(prefix, {
    afterRevision,
    onEvents: (es) => { for (const e of es) c.events.push(e); },
    onClose: (r) => { c.closed = r; },
  });
  c.cancel = () => w.cancel();
  return c;
}

const summary = (e: WatchEvent) => `${e.type} ${e.kv.key}@${e.kv.modRevision}=${s(e.kv.value)} prev=${e.prevKv ? `${s(e.prevKv.value)}@${e.prevKv.modRevision}` : '-'}`;
const revs = (es: WatchEvent[]) => es.map((e) => e.kv.modRevision);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

export function runBackendContract(name: string, make: MakeBackend, reopen?: ReopenBackend): void {
  const withStore = (fn: (b: Backend) => Promise<void>) => async () => {
    const b = await make();
    try { await fn(b); } finally { await b.close(); }
  };

  describe(`storage contract: ${name}`, () => {
    it('create assigns the next revision and get returns it', withStore(async (b) => {
      const r0 = b.currentRevision();
      const kv = await b.create('/registry/pods/default/a', v('one'));
      assert.equal(kv.key, '/registry/pods/default/a');
      assert.equal(kv.modRevision, r0 + 1);
      assert.equal(kv.createRevision, r0 + 1);
      assert.equal(b.currentRevision(), r0 + 1);
      const got = await b.get('/registry/pods/default/a');
      assert.equal(s(got?.value), 'one');
      assert.equal(got?.modRevision, r0 + 1);
      assert.equal(await b.get('/registry/pods/default/missing'), undefined);
    }));

    it('create of a live key fails with KeyExists and the current value', withStore(async (b) => {
      const kv = await b.create('/k', v('1'));
      const err = await rejectsWith(b.create('/k', v('2')), 'KeyExists');
      assert.equal(err.current?.modRevision, kv.modRevision);
      assert.equal(s((await b.get('/k'))?.value), '1');
      assert.equal(b.currentRevision(), kv.modRevision, 'a failed create must not consume a revision');
    }));

    it('update is compare-and-swap: Conflict carries the current value, NotFound for absent keys', withStore(async (b) => {
      const a = await b.create('/k', v('1'));
      const u = await b.update('/k', v('2'), a.modRevision);
      assert.equal(u.modRevision, a.modRevision + 1);
      assert.equal(u.createRevision, a.modRevision);
      const err = await rejectsWith(b.update('/k', v('3'), a.modRevision), 'Conflict');
      assert.equal(err.current?.modRevision, u.modRevision);
      assert.equal(s(err.current?.value), '2');
      await rejectsWith(b.update('/nope', v('x'), 1), 'NotFound');
      assert.equal(s((await b.get('/k'))?.value), '2');
    }));

    it('delete is guarded, writes a tombstone, and a re-create starts a new life', withStore(async (b) => {
      const a = await b.create('/k', v('1'));
      await rejectsWith(b.delete('/k', a.modRevision + 100), 'Conflict');
      await rejectsWith(b.delete('/nope'), 'NotFound');
      const w = collect(b, '/k', b.currentRevision());
      const d = await b.delete('/k', a.modRevision);
      assert.equal(d.modRevision, a.modRevision + 1, 'the tombstone takes the next revision');
      assert.equal(s(d.value), '1', 'delete returns the deleted value');
      assert.equal(await b.get('/k'), undefined);
      await rejectsWith(b.delete('/k'), 'NotFound');
      const c = await b.create('/k', v('again'));
      assert.equal(c.createRevision, c.modRevision);
      await waitFor(() => w.events.length >= 2, 'delete and re-create events');
      assert.deepEqual(w.events.map(summary), [
        `DELETE /k@${d.modRevision}=1 prev=1@${a.modRevision}`,
        `PUT /k@${c.modRevision}=again prev=-`,
      ]);
      w.cancel();
      // Unconditional delete.
      await b.delete('/k');
      assert.equal(await b.get('/k'), undefined);
    }));

    it('get and list read as of a past revision', withStore(async (b) => {
      const a1 = await b.create('/p/a', v('a1'));
      const bb = await b.create('/p/b', v('b1'));
      const a2 = await b.update('/p/a', v('a2'), a1.modRevision);
      const del = await b.delete('/p/b');
      await b.create('/p/c', v('c1'));
      assert.equal(s((await b.get('/p/a', a1.modRevision))?.value), 'a1');
      assert.equal(s((await b.get('/p/a', a2.modRevision))?.value), 'a2');
      assert.equal(s((await b.get('/p/b', del.modRevision - 1))?.value), 'b1');
      assert.equal(await b.get('/p/b', del.modRevision), undefined);
      assert.equal(await b.get('/p/c', bb.modRevision), undefined, 'not yet created at that revision');
      const old = await b.list('/p/', { revision: bb.modRevision });
      assert.equal(old.revision, bb.modRevision);
      assert.deepEqual(old.items.map((i) => `${i.key}=${s(i.value)}@${i.modRevision}`), [`/p/a=a1@${a1.modRevision}`, `/p/b=b1@${bb.modRevision}`]);
      const now = await b.list('/p/');
      assert.equal(now.revision, b.currentRevision());
      assert.deepEqual(now.items.map((i) => `${i.key}=${s(i.value)}`), ['/p/a=a2', '/p/c=c1']);
    }));

    it('list is ordered by key and respects prefix boundaries', withStore(async (b) => {
      const keys = ['/registry/pods/ab/x', '/registry/pods/a/2', '/registry/pods/a/1', '/registry/pods/a', '/registry/pods/b/1', '/registry/podsx/a/1', '/registry/pod/a'];
      for (const k of keys) await b.create(k, v(k));
      const l = await b.list('/registry/pods/a/');
      assert.deepEqual(l.items.map((i) => i.key), ['/registry/pods/a/1', '/registry/pods/a/2']);
      const all = await b.list('/registry/pods/');
      assert.deepEqual(all.items.map((i) => i.key), ['/registry/pods/a', '/registry/pods/a/1', '/registry/pods/a/2', '/registry/pods/ab/x', '/registry/pods/b/1']);
      assert.equal(await b.count('/registry/pods/a/'), 2);
      assert.equal(await b.count('/registry/pods/'), 5);
      assert.equal(await b.count('/registry/'), 7);
      assert.equal(await b.count('/none/'), 0);
      // The same boundaries at a past revision.
      const rev = b.currentRevision();
      await b.create('/registry/pods/a/3', v('x'));
      const past = await b.list('/registry/pods/a/', { revision: rev });
      assert.deepEqual(past.items.map((i) => i.key), ['/registry/pods/a/1', '/registry/pods/a/2']);
      const everything = await b.list('');
      assert.equal(everything.items.length, 8);
      assert.deepEqual(everything.items.map((i) => i.key), [...everything.items.map((i) => i.key)].sort());
    }));

    it('paginates with limit and startAfter, reporting more and remaining', withStore(async (b) => {
      for (let i = 0; i < 25; i++) await b.create(`/p/k${String(i).padStart(2, '0')}`, v(String(i)));
      await b.create('/q/other', v('x'));
      const first = await b.list('/p/', { limit: 10 });
      assert.equal(first.items.length, 10);
      assert.equal(first.more, true);
      assert.equal(first.remaining, 15);
      const rev = first.revision;
      // Writes between pages must not disturb pagination at the first page's revision.
      await b.delete('/p/k12');
      await b.create('/p/k10a', v('new'));
      const seen: string[] = first.items.map((i) => i.key);
      let page = first;
      while (page.more) {
        page = await b.list('/p/', { limit: 10, startAfter: page.items[page.items.length - 1].key, revision: rev });
        assert.equal(page.revision, rev);
        seen.push(...page.items.map((i) => i.key));
      }
      assert.deepEqual(seen, range(0, 24).map((i) => `/p/k${String(i).padStart(2, '0')}`));
      assert.equal(page.remaining ?? 0, 0);
      const last = await b.list('/p/', { limit: 5, startAfter: '/p/k22', revision: rev });
      assert.deepEqual(last.items.map((i) => i.key), ['/p/k23', '/p/k24']);
      assert.equal(last.more, false);
      const exact = await b.list('/p/', { limit: 2, startAfter: '/p/k22', revision: rev });
      assert.equal(exact.more, false, 'a page that ends exactly at the last key has no more');
      const latest = await b.list('/p/', { limit: 100 });
      assert.equal(latest.items.length, 25);
      assert.ok(latest.items.some((i) => i.key === '/p/k10a'));
      assert.ok(!latest.items.some((i) => i.key === '/p/k12'));
      const before = await b.list('/p/', { startAfter: '/a' });
      assert.equal(before.items.length, 25, 'startAfter before the prefix starts at the prefix');
      const after = await b.list('/p/', { startAfter: '/z' });
      assert.deepEqual(after.items, []);
      assert.equal(after.more, false);
    }));

    it('txn is all-or-nothing and numbers its writes as the backend declares', withStore(async (b) => {
      const a = await b.create('/t/a', v('a'));
      const r0 = b.currentRevision();
      const w = collect(b, '/t/', r0);
      await rejectsWith(b.txn([
        { op: 'create', key: '/t/b', value: v('b') },
        { op: 'update', key: '/t/a', value: v('a2'), expectedRevision: a.modRevision + 5 },
      ]), 'Conflict');
      assert.equal(b.currentRevision(), r0, 'a failed txn consumes no revision');
      assert.equal(await b.get('/t/b'), undefined, 'a failed txn leaves no trace');
      if (b.txnRevisions === 'shared') {
        // One revision for the whole transaction (etcd), each key written once.
        const c = await b.create('/t/c', v('c'));
        const r1 = b.currentRevision();
        const out = await b.txn([
          { op: 'create', key: '/t/b', value: v('b') },
          { op: 'update', key: '/t/a', value: v('a2'), expectedRevision: a.modRevision },
          { op: 'delete', key: '/t/c', expectedRevision: c.modRevision },
        ]);
        assert.deepEqual(out.map((kv) => kv.modRevision), [r1 + 1, r1 + 1, r1 + 1]);
        assert.equal(s((await b.get('/t/b'))?.value), 'b');
        assert.equal(s((await b.get('/t/a'))?.value), 'a2');
        assert.equal(await b.get('/t/c'), undefined);
        await rejectsWith(b.txn([{ op: 'create', key: '/t/d', value: v('d') }, { op: 'update', key: '/t/d', value: v('d2'), expectedRevision: r1 + 2 }]), 'Conflict');
        assert.deepEqual(await b.txn([]), []);
        await waitFor(() => w.events.length >= 4, 'txn events');
        assert.deepEqual(revs(w.events), [r1, r1 + 1, r1 + 1, r1 + 1]);
        w.cancel();
        return;
      }
      const out = await b.txn([
        { op: 'create', key: '/t/b', value: v('b') },
        { op: 'update', key: '/t/a', value: v('a2'), expectedRevision: a.modRevision },
        { op: 'update', key: '/t/b', value: v('b2'), expectedRevision: r0 + 1 },
        { op: 'delete', key: '/t/a' },
      ]);
      assert.deepEqual(out.map((kv) => kv.modRevision), [r0 + 1, r0 + 2, r0 + 3, r0 + 4]);
      assert.equal(s((await b.get('/t/b'))?.value), 'b2');
      assert.equal(await b.get('/t/a'), undefined);
      assert.deepEqual(await b.txn([]), []);
      await waitFor(() => w.events.length >= 4, 'txn events');
      assert.deepEqual(revs(w.events), range(r0 + 1, r0 + 4));
      w.cancel();
    }));

    it('concurrent writes, including failing ones, leave no revision gaps', withStore(async (b) => {
      const r0 = b.currentRevision();
      await b.create('/c/dup', v('x'));
      const ops: Promise<KeyValue | string>[] = [];
      for (let i = 0; i < 200; i++) {
        const p = i % 7 === 0 ? b.create('/c/dup', v('y')) : i % 11 === 0 ? b.update('/c/dup', v('z'), 999_999) : b.create(`/c/k${i}`, v(String(i)));
        ops.push(p.catch((e: unknown) => (isStorageError(e) ? e.code : String(e))));
      }
      const results = await Promise.all(ops);
      const ok = results.filter((r): r is KeyValue => typeof r !== 'string');
      const failed = results.filter((r) => typeof r === 'string');
      assert.ok(failed.every((f) => f === 'KeyExists' || f === 'Conflict'), `unexpected errors: ${failed.join(',')}`);
      assert.deepEqual(ok.map((kv) => kv.modRevision).sort((x, y) => x - y), range(r0 + 2, r0 + 1 + ok.length));
      assert.equal(b.currentRevision(), r0 + 1 + ok.length);
    }));

    it('watch replays history then delivers live events in order, filtered by prefix', withStore(async (b) => {
      await b.create('/seed', v('afterRevision 0 means "from now", so history needs a revision before it'));
      const a = await b.create('/w/a', v('1'));
      await b.create('/x/other', v('o'));
      await b.update('/w/a', v('2'), a.modRevision);
      const w = collect(b, '/w/', a.modRevision - 1);
      await waitFor(() => w.events.length >= 2, 'history');
      assert.deepEqual(w.events.map(summary), [
        `PUT /w/a@${a.modRevision}=1 prev=-`,
        `PUT /w/a@${a.modRevision + 2}=2 prev=1@${a.modRevision}`,
      ]);
      const c = await b.create('/w/b', v('b'));
      await b.create('/x/again', v('o'));
      const d = await b.delete('/w/a');
      await waitFor(() => w.events.length >= 4, 'live events');
      assert.deepEqual(w.events.slice(2).map(summary), [
        `PUT /w/b@${c.modRevision}=b prev=-`,
        `DELETE /w/a@${d.modRevision}=2 prev=2@${a.modRevision + 2}`,
      ]);
      w.cancel();
      await b.create('/w/after-cancel', v('x'));
      assert.equal(w.events.length, 4, 'a cancelled watch gets nothing more');
      // afterRevision 0: live only.
      const live = collect(b, '/w/', 0);
      const e = await b.create('/w/live', v('l'));
      await waitFor(() => live.events.length >= 1, 'live-only event');
      assert.deepEqual(revs(live.events), [e.modRevision]);
      live.cancel();
    }));

    it('a watch registered while writes are in flight sees every revision exactly once', withStore(async (b) => {
      await b.create('/seed', v('seed'));
      const r0 = b.currentRevision();
      const pending: Promise<KeyValue>[] = [];
      let w: Collected | undefined;
      for (let i = 0; i < 300; i++) {
        pending.push(b.create(`/f/${i}`, v(String(i))));
        if (i === 150) {
          await pending[40];
          // Some writes are committed, some are queued: replay from r0 and continue live.
          w = collect(b, '/f/', r0);
        }
      }
      await Promise.all(pending);
      await waitFor(() => w!.events.length >= 300, 'all 300 events');
      assert.deepEqual(revs(w!.events), range(r0 + 1, r0 + 300));
      // A watch opened from inside another watch's callback gets no duplicates either.
      const nested: WatchEvent[] = [];
      let inner: { cancel(): void } | undefined;
      const outer = b.watch('/g/', {
        afterRevision: 0,
        onEvents: () => { inner ??= b.watch('/g/', { afterRevision: r0 + 300, onEvents: (es) => nested.push(...es) }); },
      });
      await Promise.all([b.create('/g/1', v('1')), b.create('/g/2', v('2'))]);
      await b.create('/g/3', v('3'));
      await waitFor(() => nested.length >= 3, 'nested watch events');
      assert.deepEqual(revs(nested), range(r0 + 301, r0 + 303));
      outer.cancel(); inner?.cancel(); w!.cancel();
    }));

    it('a watcher that throws is ended without disturbing the others', withStore(async (b) => {
      const good = collect(b, '/e/', 0);
      let badClosed: StorageError | undefined;
      let badCalls = 0;
      b.watch('/e/', { afterRevision: 0, onEvents: () => { badCalls++; throw new Error('boom'); }, onClose: (r) => { badClosed = r; } });
      await b.create('/e/1', v('1'));
      await b.create('/e/2', v('2'));
      await waitFor(() => good.events.length >= 2, 'events for the healthy watcher');
      assert.equal(badCalls, 1, 'the throwing watcher is not called again');
      assert.ok(badClosed instanceof StorageError, 'the throwing watcher is told why it ended');
      assert.match(badClosed.message, /boom/);
      good.cancel();
    }));

    it('history from far back matches history from recent revisions (window vs durable log)', withStore(async (b) => {
      await b.create('/seed', v('seed'));
      const r0 = b.currentRevision();
      let kv = await b.create('/h/x', v('0'));
      for (let i = 1; i <= 300; i++) kv = await b.update('/h/x', v(String(i)), kv.modRevision);
      const far = collect(b, '/h/', r0);
      const near = collect(b, '/h/', kv.modRevision - 5);
      await waitFor(() => far.events.length >= 301 && near.events.length >= 5, 'replays');
      assert.deepEqual(revs(far.events), range(r0 + 1, r0 + 301));
      assert.deepEqual(far.events.slice(-5).map(summary), near.events.map(summary));
      far.cancel(); near.cancel();
    }));

    it('compaction: reads and watches below the compact revision fail with Compacted', withStore(async (b) => {
      let kv = await b.create('/z/a', v('0'));
      const early = kv.modRevision;
      for (let i = 1; i <= 20; i++) kv = await b.update('/z/a', v(String(i)), kv.modRevision);
      const gone = await b.create('/z/gone', v('g'));
      await b.delete('/z/gone');
      const mid = b.currentRevision();
      for (let i = 21; i <= 25; i++) kv = await b.update('/z/a', v(String(i)), kv.modRevision);
      await b.compact(mid);
      assert.equal(b.compactRevision(), mid);
      const e = await rejectsWith(b.get('/z/a', early), 'Compacted');
      assert.equal(e.compactRevision, mid);
      await rejectsWith(b.list('/z/', { revision: mid - 1 }), 'Compacted');
      await rejectsWith(() => b.watch('/z/', { afterRevision: mid - 1, onEvents: () => {} }), 'Compacted');
      // At and above the compact revision everything still reads.
      assert.equal(s((await b.get('/z/a', mid))?.value), '20');
      assert.equal(await b.get('/z/gone', mid), undefined);
      assert.equal(await b.get('/z/gone', gone.modRevision + 5), undefined);
      const l = await b.list('/z/', { revision: mid });
      assert.deepEqual(l.items.map((i) => `${i.key}=${s(i.value)}`), ['/z/a=20']);
      const w = collect(b, '/z/', mid);
      await waitFor(() => w.events.length >= 5, 'events after the compact revision');
      assert.deepEqual(w.events.map((x) => s(x.kv.value)), ['21', '22', '23', '24', '25']);
      assert.equal(s(w.events[0].prevKv?.value), '20', 'prevKv survives compaction');
      w.cancel();
      assert.equal(s((await b.get('/z/a'))?.value), '25');
      // Compacting to an older revision is a no-op.
      await b.compact(early);
      assert.equal(b.compactRevision(), mid);
    }));

    it('revisions in the future fail with FutureRevision', withStore(async (b) => {
      await b.create('/k', v('1'));
      const future = b.currentRevision() + 10;
      await rejectsWith(b.get('/k', future), 'FutureRevision');
      await rejectsWith(b.list('/', { revision: future }), 'FutureRevision');
      await rejectsWith(() => b.watch('/', { afterRevision: future, onEvents: () => {} }), 'FutureRevision');
    }));

    it('close ends watches and rejects further operations with Closed; queued writes land', async () => {
      const b = await make();
      const w = collect(b, '/', 0);
      const queued = b.create('/queued', v('q'));
      await b.close();
      const kv = await queued;
      assert.ok(kv.modRevision > 0);
      await waitFor(() => w.closed !== undefined, 'the watch to be closed');
      assert.equal(w.closed?.code, 'Closed');
      await rejectsWith(b.get('/queued'), 'Closed');
      await rejectsWith(b.list('/'), 'Closed');
      await rejectsWith(b.count('/'), 'Closed');
      await rejectsWith(b.create('/x', v('x')), 'Closed');
      await rejectsWith(b.update('/queued', v('x'), kv.modRevision), 'Closed');
      await rejectsWith(b.delete('/queued'), 'Closed');
      await rejectsWith(b.txn([{ op: 'create', key: '/y', value: v('y') }]), 'Closed');
      await rejectsWith(() => b.watch('/', { afterRevision: 0, onEvents: () => {} }), 'Closed');
      await b.close(); // idempotent
    });

    if (reopen) {
      it('reopen after close keeps data, history and revision continuity', async () => {
        let b = await make();
        await b.create('/seed', v('seed'));
        const a = await b.create('/r/a', v('1'));
        const a2 = await b.update('/r/a', v('2'), a.modRevision);
        await b.create('/r/b', v('b'));
        await b.delete('/r/b');
        const rev = b.currentRevision();
        await b.close();
        b = await reopen(b);
        try {
          assert.equal(b.currentRevision(), rev);
          assert.equal(s((await b.get('/r/a'))?.value), '2');
          assert.equal((await b.get('/r/a'))?.modRevision, a2.modRevision);
          assert.equal((await b.get('/r/a'))?.createRevision, a.modRevision);
          assert.equal(await b.get('/r/b'), undefined);
          assert.equal(s((await b.get('/r/a', a.modRevision))?.value), '1');
          const w = collect(b, '/r/', a.modRevision - 1);
          await waitFor(() => w.events.length >= 4, 'history after reopen');
          assert.deepEqual(w.events.map((e) => `${e.type} ${e.kv.key}`), ['PUT /r/a', 'PUT /r/a', 'PUT /r/b', 'DELETE /r/b']);
          w.cancel();
          const next = await b.create('/r/c', v('c'));
          assert.equal(next.modRevision, rev + 1);
          await rejectsWith(b.update('/r/a', v('3'), a.modRevision), 'Conflict');
        } finally { await b.close(); }
      });

      it('revision continuity survives compaction of the newest rows (a trailing tombstone)', async () => {
        let b = await make();
        const kv = await b.create('/r/x', v('1'));
        await b.update('/r/x', v('2'), kv.modRevision);
        const d = await b.delete('/r/x');
        await b.compact(d.modRevision);
        assert.equal(b.compactRevision(), d.modRevision);
        await b.close();
        b = await reopen(b);
        try {
          assert.equal(b.currentRevision(), d.modRevision);
          assert.equal(b.compactRevision(), d.modRevision);
          assert.equal(await b.get('/r/x'), undefined);
          const again = await b.create('/r/x', v('3'));
          assert.equal(again.modRevision, d.modRevision + 1, 'no revision is reused after reopen');
          await rejectsWith(b.get('/r/x', d.modRevision - 1), 'Compacted');
        } finally { await b.close(); }
      });
    }

    it('snapshot/restore: keys, values and revisions come back, history goes, watches end with Compacted', withStore(async (b) => {
      await b.create('/snap/seed', v('so that revision - 1 is not 0, which means "from now"'));
      const a = await b.create('/snap/a', v('a1'));
      if (b.name === 'etcd') {
        // etcd's revisions never go back: a snapshot can be taken (it holds what the server has seen),
        // a restore is refused, naming why.
        await waitFor(() => b.snapshot().kvs.some((kv) => kv.key === '/snap/a'), 'the snapshot to hold the write');
        const got = b.snapshot().kvs.find((kv) => kv.key === '/snap/a')!;
        assert.equal(s(got.value), 'a1');
        assert.equal(got.modRevision, a.modRevision);
        const e = await rejectsWith(b.restore(b.snapshot()), 'Unsupported');
        assert.match(e.message, /not supported with --storage etcd/);
        assert.equal(s((await b.get('/snap/a'))?.value), 'a1', 'nothing changed');
        return;
      }
      const snap = b.snapshot();
      const w = collect(b, '/snap/', a.modRevision);
      await b.update('/snap/a', v('a2'), a.modRevision);
      await b.create('/snap/b', v('b1'));
      await b.restore(snap);
      assert.equal(w.closed?.code, 'Compacted');
      assert.equal(b.currentRevision(), snap.revision);
      const got = await b.get('/snap/a');
      assert.equal(s(got?.value), 'a1');
      assert.equal(got?.modRevision, a.modRevision);
      assert.equal(await b.get('/snap/b'), undefined);
      await rejectsWith(() => b.watch('/snap/', { afterRevision: snap.revision - 1, onEvents: () => {} }), 'Compacted');
      const next = await b.update('/snap/a', v('a3'), a.modRevision);
      assert.equal(next.modRevision, snap.revision + 1);
    }));
  });
}
