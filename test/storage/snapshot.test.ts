// Storage snapshots: restore brings keys, values and revisions back, ends watches with Compacted,
// keeps working afterwards (writes, history, reopen), and refuses malformed snapshots whole.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/storage/snapshot.ts';
import type { StorageSnapshot } from '../../src/storage/snapshot.ts';
import { collect, rejectsWith, s, v } from './contract.ts';

const root = mkdtempSync(join(tmpdir(), 'skiff-snap-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

const dump = async (b: SqliteBackend) => (await b.list('/')).items.map((kv) => `${kv.key}=${s(kv.value)}@${kv.createRevision}/${kv.modRevision}`);

for (const kind of ['memory', 'file'] as const) {
  describe(`storage snapshot (${kind})`, () => {
    let n = 0;
    const open = (path = kind === 'file' ? join(root, `db-${++n}`, 'skiff.db') : ':memory:') => new SqliteBackend({ path, compactIntervalMs: 0 });

    it('restore brings back keys, values, revisions, and ends watches with Compacted', async () => {
      const b = open();
      await b.create('/a', v('a1'));
      const b1 = await b.create('/b', v('b1'));
      await b.update('/b', v('b2'), b1.modRevision);
      const snap = b.snapshot();
      const before = await dump(b);
      const w = collect(b, '/', 0);
      await b.delete('/a');
      await b.create('/c', v('c1'));
      const bNow = await b.get('/b');
      await b.update('/b', v('b3'), bNow!.modRevision);
      assert.notDeepEqual(await dump(b), before);
      await b.restore(snap);
      assert.deepEqual(await dump(b), before);
      assert.equal(b.currentRevision(), snap.revision);
      assert.equal(b.compactRevision(), snap.revision);
      assert.equal(w.closed?.code, 'Compacted');
      // History before the snapshot is gone: an older watch or read is Compacted, as after compaction.
      await rejectsWith(() => b.watch('/', { afterRevision: snap.revision - 1, onEvents: () => {} }), 'Compacted');
      await rejectsWith(b.get('/b', snap.revision - 1), 'Compacted');
      // Writes continue from the snapshot's revision, compare-and-swap on the restored revisions.
      const w2 = collect(b, '/', snap.revision);
      const b2 = (await b.get('/b'))!;
      const up = await b.update('/b', v('b4'), b2.modRevision);
      assert.equal(up.modRevision, snap.revision + 1);
      await rejectsWith(b.update('/b', v('stale'), b2.modRevision), 'Conflict');
      await rejectsWith(b.create('/a', v('again')), 'KeyExists');
      const del = await b.delete('/a');
      assert.equal(w2.events.map((e) => `${e.type} ${e.kv.key}`).join(','), 'PUT /b,DELETE /a');
      assert.equal(s(del.value), 'a1');
      // A key deleted after the snapshot and restored can be written again; /c (created after) is gone.
      assert.equal(await b.get('/c'), undefined);
      await b.create('/c', v('c2'));
      await b.compact(b.currentRevision());
      await b.close();
    });

    it('a restored file survives reopening', { skip: kind !== 'file' }, async () => {
      const path = join(root, 'reopen', 'skiff.db');
      const b = open(path);
      await b.create('/x', v('x1'));
      const snap = b.snapshot();
      await b.create('/y', v('y1'));
      await b.restore(snap);
      const want = await dump(b);
      await b.close();
      const again = open(path);
      assert.deepEqual(await dump(again), want);
      assert.equal(again.currentRevision(), snap.revision);
      await again.close();
    });

    it('writes queued before restore land and are then undone', async () => {
      const b = open();
      await b.create('/k', v('1'));
      const snap = b.snapshot();
      const pending = b.create('/queued', v('q'));
      await b.restore(snap);
      await pending;
      assert.equal(await b.get('/queued'), undefined);
      await b.close();
    });
  });
}

describe('storage snapshot bytes', () => {
  const sample = async (): Promise<StorageSnapshot> => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
    await b.create('/a', v('α'));
    await b.create('/b', new Uint8Array([0, 255, 1]));
    const snap = b.snapshot();
    await b.close();
    return snap;
  };

  it('round-trips keys, values, revisions and the header', async () => {
    const snap = await sample();
    const { snapshot, meta } = decodeSnapshot(encodeSnapshot(snap, { clockMs: 5 }));
    assert.deepEqual(meta, { clockMs: 5 });
    assert.equal(snapshot.revision, snap.revision);
    assert.deepEqual(snapshot.kvs.map((k) => [k.key, [...k.value], k.createRevision, k.modRevision]), snap.kvs.map((k) => [k.key, [...k.value], k.createRevision, k.modRevision]));
  });

  it('refuses malformed, truncated, oversized and inconsistent bytes', async () => {
    const good = encodeSnapshot(await sample());
    const bad: [string, Uint8Array][] = [
      ['empty', new Uint8Array()],
      ['bad magic', Buffer.from('NOTASNAPSHOT')],
      ['truncated', good.subarray(0, good.length - 2)],
      ['trailing bytes', Buffer.concat([good, Buffer.from([1])])],
      ['huge header length', Buffer.concat([good.subarray(0, 8), Buffer.from([0xff, 0xff, 0xff, 0xff])])],
    ];
    const header = (h: unknown) => { const j = Buffer.from(JSON.stringify(h)); const len = Buffer.alloc(4); len.writeUInt32BE(j.length); return Buffer.concat([good.subarray(0, 8), len, j]); };
    bad.push(['header not JSON', Buffer.concat([good.subarray(0, 8), Buffer.from([0, 0, 0, 2]), Buffer.from('{x')])]);
    bad.push(['wrongly typed count', header({ revision: 1, count: 'many' })]);
    bad.push(['count beyond data', header({ revision: 1, count: 3 })]);
    bad.push(['negative revision', header({ revision: -1, count: 0 })]);
    for (const [what, bytes] of bad) assert.throws(() => decodeSnapshot(bytes), (e: Error) => /^snapshot: /.test(e.message), what);
  });

  it('restore refuses an inconsistent snapshot and leaves the store as it was', async () => {
    const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
    await b.create('/keep', v('1'));
    const kv = (key: string, createRevision: number, modRevision: number) => ({ key, value: v(key), createRevision, modRevision });
    const cases: [string, StorageSnapshot][] = [
      ['unordered keys', { revision: 5, kvs: [kv('/b', 1, 1), kv('/a', 2, 2)] }],
      ['duplicate keys', { revision: 5, kvs: [kv('/a', 1, 1), kv('/a', 2, 2)] }],
      ['shared revision', { revision: 5, kvs: [kv('/a', 1, 1), kv('/b', 1, 1)] }],
      ['revision beyond the snapshot', { revision: 1, kvs: [kv('/a', 1, 2)] }],
      ['create after mod', { revision: 5, kvs: [kv('/a', 3, 2)] }],
      ['fractional revision', { revision: 1.5, kvs: [] }],
      ['not a snapshot', { revision: 1 } as unknown as StorageSnapshot],
    ];
    for (const [what, snap] of cases) await assert.rejects(b.restore(snap), /^StorageError: snapshot: |snapshot: /, what);
    assert.deepEqual((await b.list('/')).items.map((k) => k.key), ['/keep']);
    await b.close();
    await rejectsWith(b.restore({ revision: 0, kvs: [] }), 'Closed');
  });
});
