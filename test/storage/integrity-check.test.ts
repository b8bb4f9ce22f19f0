// The integrity check at open (quick_check, O(database size)) runs only after an unclean shutdown or
// when asked for ('always', `skiff serve --check-db`).
import { after, it } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { StorageError } from '../../src/storage/types.ts';
import { startServer } from '../../src/server.ts';

const root = mkdtempSync(join(tmpdir(), 'skiff-integrity-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const tempPath = () => join(root, `db-${++seq}`, 'skiff.db');

async function filled(path: string): Promise<void> {
  const b = new SqliteBackend({ path, compactIntervalMs: 0 });
  for (let i = 0; i < 200; i++) await b.create(`/c/${i}`, new Uint8Array(300).fill(i & 0xff));
  await b.close();
}

/** Mark the file as not cleanly closed, as a killed process leaves it. */
function markUnclean(path: string): void {
  const raw = new Database(path);
  raw.prepare(`UPDATE meta SET value = 0 WHERE name = 'clean_shutdown'`).run();
  raw.close();
}

/**
 * Add an index on the log that no query of the backend reads (every insert writes it) and overwrite its
 * root page: damage that opening without a check never reads.
 */
function damageIndex(path: string): void {
  const raw = new Database(path);
  raw.exec('CREATE INDEX test_probe ON log(ts, key)');
  const { rootpage } = raw.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'test_probe'`).get() as { rootpage: number };
  const pageSize = Number(raw.pragma('page_size', { simple: true }));
  raw.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (rootpage - 1) * pageSize);
  closeSync(fd);
}

const corrupt = (path: string) => (e: unknown) =>
  e instanceof StorageError && e.code === 'Unavailable' && e.message.includes(path) && /corrupt/.test(e.message);

it('a new file is checked; a cleanly closed one reopens without the check; "always" checks every open', async () => {
  const path = tempPath();
  const first = new SqliteBackend({ path, compactIntervalMs: 0 });
  assert.equal(first.integrityChecked, true, 'no clean-shutdown marker yet');
  await first.create('/a', new Uint8Array([1]));
  await first.close();
  const second = new SqliteBackend({ path, compactIntervalMs: 0 });
  assert.equal(second.integrityChecked, false);
  assert.equal((await second.get('/a'))?.modRevision, 1);
  await second.close();
  const third = new SqliteBackend({ path, compactIntervalMs: 0, integrityCheck: 'always' });
  assert.equal(third.integrityChecked, true);
  await third.close();
});

it('after an unclean shutdown the check runs and finds damage; after a clean one only "always" does', async () => {
  const path = tempPath();
  await filled(path);
  damageIndex(path);
  assert.throws(() => new SqliteBackend({ path, compactIntervalMs: 0, integrityCheck: 'always' }), corrupt(path));
  markUnclean(path);
  assert.throws(() => new SqliteBackend({ path, compactIntervalMs: 0 }), corrupt(path));
});

it('a file whose last close was clean but damaged since: opens unchecked, the damage fails the write that reads it and the next open checks', async () => {
  const path = tempPath();
  await filled(path);
  damageIndex(path);
  const b = new SqliteBackend({ path, compactIntervalMs: 0 });
  try {
    assert.equal(b.integrityChecked, false);
    assert.equal((await b.get('/c/7'))?.value[0], 7, 'reads of the loaded state are served');
    await assert.rejects(b.create('/c/new', new Uint8Array([1])), corrupt(path));
  } finally { await b.close().catch(() => {}); }
  // Damage seen while open leaves the marker unset: the next open checks, and refuses the file.
  assert.throws(() => new SqliteBackend({ path, compactIntervalMs: 0 }), corrupt(path));
});

it('an unknown integrityCheck setting is refused', () => {
  assert.throws(() => new SqliteBackend({ path: tempPath(), integrityCheck: 'sometimes' as 'auto' }), (e: unknown) => e instanceof StorageError && /unknown integrityCheck "sometimes"/.test(e.message));
});

it('the server checks a cleanly closed data directory only with checkDb (skiff serve --check-db)', async () => {
  const dataDir = join(root, `server-${++seq}`);
  const checked: boolean[] = [];
  for (const checkDb of [false, false, true]) {
    const s = await startServer({ port: 0, dataDir, insecureHttp: true, kubeconfigPath: false, controllers: false, checkDb });
    checked.push((s.backend as SqliteBackend).integrityChecked);
    await s.stop();
  }
  assert.deepEqual(checked, [true, false, true], 'new file checked; clean reopen not; --check-db always');
});

it('skiff serve stopped by SIGTERM the moment it says ready closes the file cleanly', async () => {
  const dataDir = join(root, `cli-${++seq}`);
  for (let run = 0; run < 3; run++) {
    const child = spawn(process.execPath, ['src/cli.ts', '--data-dir', dataDir, '--port', '0', '--nodes', '0', '--insecure-http'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c; });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c; if (/ready at /.test(out)) child.kill('SIGTERM'); });
    assert.equal(await exit, 0, `run ${run}: the signal found a handler (${err})`);
  }
  const b = new SqliteBackend({ path: join(dataDir, 'skiff.db'), compactIntervalMs: 0 });
  assert.equal(b.integrityChecked, false, 'the last run left the clean-shutdown marker');
  await b.close();
});
