// releaseMemory() hands SQLite's page cache back without changing what the store holds: history
// (read from SQLite, not from memory) and new writes work after it, and after close it does nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../../src/storage/sqlite.ts';

test('releaseMemory keeps every revision readable and the store writable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-release-'));
  const b = new SqliteBackend({ path: join(dir, 'skiff.db'), compactIntervalMs: 0 });
  try {
    const first = await b.create('/k/a', Buffer.from('v1'));
    const second = await b.update('/k/a', Buffer.from('v2'), first.modRevision);
    b.releaseMemory();
    assert.equal(Buffer.from((await b.get('/k/a', first.modRevision))!.value).toString(), 'v1');
    assert.equal(Buffer.from((await b.get('/k/a'))!.value).toString(), 'v2');
    const third = await b.update('/k/a', Buffer.from('v3'), second.modRevision);
    assert.equal(third.modRevision, second.modRevision + 1);
    assert.deepEqual((await b.list('/k/', { revision: second.modRevision })).items.map((kv) => Buffer.from(kv.value).toString()), ['v2']);
  } finally {
    await b.close();
    b.releaseMemory(); // closed: nothing to do, no throw
    rmSync(dir, { recursive: true, force: true });
  }
});

test('releaseMemory on an in-memory database leaves its data alone', async () => {
  const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  try {
    const kv = await b.create('/k/a', Buffer.from('v1'));
    await b.update('/k/a', Buffer.from('v2'), kv.modRevision);
    b.releaseMemory();
    assert.equal(Buffer.from((await b.get('/k/a', kv.modRevision))!.value).toString(), 'v1');
  } finally { await b.close(); }
});
