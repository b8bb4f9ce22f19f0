// The SQLite log's indexes: reads by key use the (key, rev) index; a data directory made when the log
// also had UNIQUE(key, prev_rev) loses that index at open and keeps its data.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteBackend } from '../../src/storage/sqlite.ts';

const root = mkdtempSync(join(tmpdir(), 'skiff-schema-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

const INDEXES = `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log' ORDER BY name`;
const indexesOf = (db: Database.Database): string[] => (db.prepare(INDEXES).all() as { name: string }[]).map((r) => r.name);

it('a data directory with the old UNIQUE(key, prev_rev) index loses it at open; its objects and history stay readable', async () => {
  const path = join(root, 'old', 'skiff.db');
  const b = new SqliteBackend({ path, compactIntervalMs: 0 });
  const first = await b.create('/registry/configmaps/default/a', new Uint8Array([1]));
  await b.update('/registry/configmaps/default/a', new Uint8Array([2]), first.modRevision);
  await b.create('/registry/configmaps/default/b', new Uint8Array([3]));
  await b.close();
  const raw = new Database(path);
  raw.exec('CREATE UNIQUE INDEX log_key_prev ON log(key, prev_rev)');
  assert.deepEqual(indexesOf(raw), ['log_key_prev', 'log_key_rev']);
  raw.close();

  const again = new SqliteBackend({ path, compactIntervalMs: 0 });
  try {
    // The file is held with an exclusive lock: ask through the backend's own connection.
    assert.deepEqual(indexesOf((again as any).db), ['log_key_rev']);
    assert.deepEqual([...(await again.get('/registry/configmaps/default/a'))!.value], [2]);
    assert.deepEqual([...(await again.get('/registry/configmaps/default/a', first.modRevision))!.value], [1], 'an older revision is read from the log');
    const listed = await again.list('/registry/configmaps/', { revision: first.modRevision });
    assert.deepEqual(listed.items.map((kv) => kv.key), ['/registry/configmaps/default/a']);
    await again.create('/registry/configmaps/default/c', new Uint8Array([4]));
    await assert.rejects(again.create('/registry/configmaps/default/c', new Uint8Array([5])), /exists/i, 'a second create of a key is still refused');
  } finally { await again.close(); }
});

it('every read of the log by key searches the (key, rev) index; none scans the table', () => {
  const b = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  try {
    const db = (b as any).db as Database.Database;
    const stmts = (b as any).stmt as Record<string, { source: string }>;
    for (const name of ['getAt', 'listAt', 'listAtOpen']) {
      const src = stmts[name].source;
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${src}`).all(...Array((src.match(/\?/g) ?? []).length).fill(1)) as { detail: string }[]).map((r) => r.detail);
      assert.ok(plan.every((d) => !/^SCAN/.test(d)), `${name}: ${plan.join(' | ')}`);
      assert.ok(plan.some((d) => /INDEX log_key_rev \(key[=>]/.test(d)), `${name}: ${plan.join(' | ')}`);
    }
  } finally { void b.close(); }
});
