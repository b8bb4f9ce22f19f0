import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, statSync, readFileSync, openSync, writeSync, closeSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import type { SqliteOptions } from '../../src/storage/sqlite.ts';
import type { Backend, KeyValue } from '../../src/storage/types.ts';
import { StorageError } from '../../src/storage/types.ts';
import { FakeClock } from '../../src/clock.ts';
import { runBackendContract, v, s, collect, waitFor } from './contract.ts';

const root = mkdtempSync(join(tmpdir(), 'skiff-sqlite-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const tempPath = () => join(root, `db-${++seq}`, 'skiff.db');

runBackendContract('sqlite :memory:', () => new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 }));

// Small event window so that replays exercise both the in-memory window and SQLite.
const paths = new WeakMap<Backend, SqliteOptions>();
const openFile = (o: SqliteOptions) => { const b = new SqliteBackend(o); paths.set(b, o); return b; };
runBackendContract('sqlite file', () => openFile({ path: tempPath(), compactIntervalMs: 0, eventWindow: 64 }), (old) => openFile(paths.get(old)!));
runBackendContract('sqlite file durability=full', () => openFile({ path: tempPath(), compactIntervalMs: 0, durability: 'full' }), (old) => openFile(paths.get(old)!));

describe('sqlite backend specifics', () => {
  it('replays from the in-memory window and from SQLite identically', async () => {
    const path = tempPath();
    const b = new SqliteBackend({ path, compactIntervalMs: 0, eventWindow: 10 });
    await b.create('/seed', v('afterRevision 0 means "from now"'));
    let kv = await b.create('/a', v('0'));
    const first = kv.modRevision;
    await b.create('/b', v('b'));
    for (let i = 1; i <= 30; i++) kv = await b.update('/a', v(String(i)), kv.modRevision);
    await b.delete('/b');
    const fromDisk = collect(b, '/', first - 1); // older than the window: read from SQLite
    const fromWindow = collect(b, '/', b.currentRevision() - 5); // inside the window
    assert.equal(fromDisk.events.length, 33);
    assert.equal(fromWindow.events.length, 5);
    const norm = (e: (typeof fromDisk.events)[number]) => JSON.stringify({ ...e, kv: { ...e.kv, value: s(e.kv.value) }, prevKv: e.prevKv && { ...e.prevKv, value: s(e.prevKv.value) } });
    assert.deepEqual(fromDisk.events.slice(-5).map(norm), fromWindow.events.map(norm));
    fromDisk.cancel(); fromWindow.cancel();
    await b.close();
  });

  it('a failed txn in the middle of a batch does not corrupt the history links of later writes', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, eventWindow: 1 });
    await b.create('/seed', v('s'));
    const k = await b.create('/k', v('1'));
    const [del, failed, recreated] = await Promise.allSettled([
      b.delete('/k'),
      b.txn([{ op: 'create', key: '/k', value: v('txn') }, { op: 'update', key: '/missing', value: v('x'), expectedRevision: 1 }]),
      b.create('/k', v('2')),
    ]);
    assert.equal(del.status, 'fulfilled');
    assert.equal(failed.status, 'rejected');
    assert.equal(recreated.status, 'fulfilled');
    await b.create('/pad', v('push the events out of the window'));
    const w = collect(b, '/k', k.modRevision - 1); // replayed from SQLite
    assert.deepEqual(w.events.map((e) => `${e.type} ${s(e.kv.value)}@${e.kv.modRevision} prev=${e.prevKv ? s(e.prevKv.value) : '-'}`), [
      `PUT 1@${k.modRevision} prev=-`,
      `DELETE 1@${k.modRevision + 1} prev=1`,
      `PUT 2@${k.modRevision + 2} prev=-`,
    ]);
    w.cancel();
    await b.close();
  });

  it('bounds the event window by bytes as well as by count', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, eventWindow: 1000, eventWindowBytes: 64 * 1024 });
    const big = new Uint8Array(8 * 1024);
    for (let i = 0; i < 50; i++) await b.create(`/big/${i}`, big);
    const hub = (b as unknown as { hub: { stats(): { events: number; bytes: number } } }).hub;
    const st = hub.stats();
    assert.ok(st.bytes <= 64 * 1024, `window holds ${st.bytes} bytes`);
    assert.ok(st.events < 50 && st.events > 0, `window holds ${st.events} events`);
    // Replays older than the window still work (from SQLite).
    const w = collect(b, '/big/', 0 + 1);
    assert.equal(w.events.length, 49);
    w.cancel();
    await b.close();
  });

  it('a failed commit rolls back: every op in it is rejected, no revision is consumed, watchers see nothing', async () => {
    const path = tempPath();
    const b = new SqliteBackend({ path, compactIntervalMs: 0, maxPages: 40 });
    const small = await b.create('/s', v('small'));
    const w = collect(b, '/', 0);
    const rev = b.currentRevision();
    const big = new Uint8Array(400 * 1024); // more than 40 pages: the transaction hits SQLITE_FULL
    const results = await Promise.allSettled([
      b.create('/x/1', v('1')),
      b.create('/x/big', big),
      b.update('/s', v('changed'), small.modRevision),
    ]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const e = (r as PromiseRejectedResult).reason;
      assert.ok(e instanceof StorageError && e.code === 'Unavailable', String(e));
      assert.ok(e.message.includes(path), `message names the file: ${e.message}`);
      assert.match(e.message, /full/);
    }
    assert.equal(b.currentRevision(), rev);
    assert.equal(await b.get('/x/1'), undefined);
    assert.equal(s((await b.get('/s'))?.value), 'small');
    assert.equal(await b.count('/x/'), 0);
    assert.equal(w.events.length, 0);
    // Small writes still fit and continue the revision sequence without a gap.
    const next = await b.create('/x/1', v('1'));
    assert.equal(next.modRevision, rev + 1);
    w.cancel();
    await b.close();
    const again = new SqliteBackend({ path, compactIntervalMs: 0 });
    assert.equal(again.currentRevision(), rev + 1);
    assert.equal(await again.get('/x/big'), undefined);
    await again.close();
  });

  it('rejects malformed writes alone, without failing the other writes of the batch', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
    const good = b.create('/ok', v('1'));
    const bad = b.create('/bad', 'not bytes' as unknown as Uint8Array);
    await assert.rejects(bad, TypeError);
    assert.equal((await good).modRevision, 1);
    await b.close();
  });

  it('retention by count: keeps the newest retainRevisions revisions', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, retainRevisions: 10, retainMs: 0 });
    let kv = await b.create('/l', v('0'));
    for (let i = 0; i < 50; i++) kv = await b.update('/l', v(String(i)), kv.modRevision);
    await b.compact();
    assert.equal(b.compactRevision(), b.currentRevision() - 10);
    await b.close();
  });

  it('retention by age: drops history older than retainMs even when the count allows more', async () => {
    let t = 1_000_000;
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, retainRevisions: 1000, retainMs: 60_000, now: () => t });
    let kv = await b.create('/l', v('0'));
    for (let i = 0; i < 20; i++) kv = await b.update('/l', v(String(i)), kv.modRevision);
    const oldRev = kv.modRevision;
    t += 120_000; // those writes are now two minutes old
    for (let i = 0; i < 5; i++) kv = await b.update('/l', v(`new${i}`), kv.modRevision);
    await b.compact();
    assert.equal(b.compactRevision(), oldRev, 'everything written before the age limit is compacted');
    assert.equal(s((await b.get('/l', oldRev))?.value), '19');
    t += 120_000;
    await b.compact();
    assert.equal(b.compactRevision(), b.currentRevision(), 'all history is old: compacted to the head');
    assert.equal(s((await b.get('/l'))?.value), 'new4', 'the latest value is never compacted');
    await b.close();
  });

  it('compacts in the background on the clock', async () => {
    const clock = new FakeClock();
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 10_000, retainRevisions: 5, retainMs: 0, clock });
    let kv = await b.create('/l', v('0'));
    for (let i = 0; i < 30; i++) kv = await b.update('/l', v(String(i)), kv.modRevision);
    assert.equal(b.compactRevision(), 0);
    clock.advance(10_000);
    await waitFor(() => b.compactRevision() === b.currentRevision() - 5, 'background compaction');
    await b.close();
  });

  it('under steady churn of one key, rows stay bounded and the file stops growing', async () => {
    const path = tempPath();
    const b = new SqliteBackend({ path, compactIntervalMs: 0, retainRevisions: 100, retainMs: 0, compactBatch: 50 });
    const lease = new Uint8Array(600).fill(7); // about the size of a node Lease
    let kv = await b.create('/registry/leases/kube-node-lease/node-1', lease);
    const sizes: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) kv = await b.update(kv.key, lease, kv.modRevision);
      await b.compact();
      const st = b.fileStats();
      assert.ok(st.rows <= 100 + 1, `round ${round}: ${st.rows} rows in the log`);
      sizes.push(st.pageCount);
    }
    assert.equal(b.currentRevision(), 1 + 20 * 500);
    // After warm-up the page count is flat: freed pages are reused.
    const late = sizes.slice(5);
    assert.ok(Math.max(...late) <= Math.max(...sizes.slice(0, 5)) + 2, `page counts: ${sizes.join(',')}`);
    await b.close();
    const fileBytes = statSync(path).size;
    assert.ok(fileBytes < 1024 * 1024, `database file is ${fileBytes} bytes`);
  });

  it('hands free pages back to the file system after a burst of deletions', async () => {
    const path = tempPath();
    const b = new SqliteBackend({ path, compactIntervalMs: 0, retainRevisions: 0, retainMs: 0 });
    const blob = new Uint8Array(4000);
    const kvs: KeyValue[] = [];
    for (let i = 0; i < 2000; i++) kvs.push(await b.create(`/burst/${i}`, blob));
    const peak = b.fileStats().pageCount;
    await Promise.all(kvs.map((kv) => b.delete(kv.key)));
    await b.compact();
    const st = b.fileStats();
    assert.equal(st.rows, 0);
    assert.ok(st.pageCount < peak / 2, `pages ${st.pageCount} vs peak ${peak}`);
    await b.close();
  });

  it('a second store cannot open the same file while the first has it', async () => {
    const path = tempPath();
    const b = new SqliteBackend({ path, compactIntervalMs: 0 });
    await b.create('/a', v('1'));
    assert.throws(() => new SqliteBackend({ path, compactIntervalMs: 0 }), (e: unknown) => e instanceof StorageError && e.code === 'Unavailable' && e.message.includes(path) && /locked/.test(e.message));
    await b.close();
  });
});

describe('sqlite backend: unusable files give Unavailable naming the file and the cause', () => {
  const expectUnavailable = (path: string, cause: RegExp) => (e: unknown) => {
    assert.ok(e instanceof StorageError, `expected StorageError, got ${String(e)}`);
    assert.equal(e.code, 'Unavailable');
    assert.ok(e.message.includes(path), `message should name ${path}: ${e.message}`);
    assert.match(e.message, cause);
    return true;
  };

  it('a file that is not a database', () => {
    const dir = join(root, `bad-${++seq}`); mkdirSync(dir);
    const path = join(dir, 'skiff.db');
    writeFileSync(path, 'this is a text file, not a database\n'.repeat(200));
    assert.throws(() => new SqliteBackend({ path }), expectUnavailable(path, /not a SQLite database/));
    assert.match(readFileSync(path, 'utf8'), /^this is a text file/, 'the file is left untouched');
  });

  it('a corrupt database', async () => {
    const path = tempPath();
    const b = new SqliteBackend({ path, compactIntervalMs: 0 });
    for (let i = 0; i < 300; i++) await b.create(`/c/${i}`, new Uint8Array(500).fill(i & 0xff));
    await b.close();
    // Overwrite interior pages (keep the header) with garbage.
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    const junk = Buffer.alloc(4096 * 4, 0x5a);
    for (let off = 4096 * 2; off + junk.length < size; off += 4096 * 8) writeSync(fd, junk, 0, junk.length, off);
    closeSync(fd);
    assert.throws(() => new SqliteBackend({ path }), expectUnavailable(path, /corrupt|not a SQLite database/));
  });

  it('a file where the data directory should be', () => {
    const blocker = join(root, `blocker-${++seq}`);
    writeFileSync(blocker, 'x');
    const path = join(blocker, 'data', 'skiff.db');
    assert.throws(() => new SqliteBackend({ path }), expectUnavailable(path, /not a directory|a file exists/));
  });

  it('a directory where the database file should be', () => {
    const path = join(root, `dirdb-${++seq}`);
    mkdirSync(path);
    assert.throws(() => new SqliteBackend({ path }), expectUnavailable(path, /cannot be opened|directory|I\/O/));
  });

  it('an unwritable journal (the WAL path is taken by a directory)', () => {
    const path = tempPath();
    mkdirSync(`${path}-wal`, { recursive: true });
    assert.throws(() => new SqliteBackend({ path }), expectUnavailable(path, /cannot be opened|I\/O|read-only/));
  });

  it('a read-only file', async (t) => {
    if (process.getuid?.() === 0) {
      t.skip('running as root: file permissions do not deny root, so a read-only file cannot be simulated with chmod');
      return;
    }
    const path = tempPath();
    const b = new SqliteBackend({ path });
    await b.create('/a', v('1'));
    await b.close();
    chmodSync(path, 0o444);
    assert.throws(() => new SqliteBackend({ path }), expectUnavailable(path, /read-only|cannot be opened|permission/));
  });

  it('an unknown durability setting', () => {
    assert.throws(() => new SqliteBackend({ path: ':memory:', durability: 'sometimes' as 'full' }), expectUnavailable(':memory:', /durability/));
  });
});

