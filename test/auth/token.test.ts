// The admin token: drawn from the clock's random source, kept in the data directory across restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/clock.ts';
import { loadOrCreateAdminToken } from '../../src/auth/token.ts';
import { startServer } from '../../src/server.ts';

test('a new admin token is 24 bytes of the clock\'s randomness in hex, then read back from its file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-token-'));
  try {
    const file = join(dir, 'admin.token');
    const t = loadOrCreateAdminToken(file, new FakeClock(0, 42));
    assert.equal(t, Buffer.from(new FakeClock(0, 42).randomBytes(24)).toString('hex'));
    assert.match(t, /^[0-9a-f]{48}$/);
    assert.equal(readFileSync(file, 'utf8'), t + '\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(loadOrCreateAdminToken(file, new FakeClock(0, 43)), t, 'an existing token is kept');
    assert.notEqual(loadOrCreateAdminToken(undefined, new FakeClock(0, 43)), t);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a server on a seeded fake clock gets a deterministic admin token', async () => {
  const tokens: string[] = [];
  for (const seed of [5, 5, 6]) {
    const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false, clock: new FakeClock(Date.UTC(2026, 0, 1), seed) });
    tokens.push(s.token);
    await s.stop();
  }
  assert.equal(tokens[0], tokens[1]);
  assert.notEqual(tokens[0], tokens[2]);
});

test('the admin token is compared whole: a prefix, a longer token, one changed character or a lone surrogate is not it', async () => {
  const { sameSecret, tokenUsers } = await import('../../src/auth/token.ts');
  const admin = 'ab'.repeat(24);
  const users = tokenUsers(admin);
  assert.equal((await users(admin))?.user.name, 'skiff-admin');
  for (const other of ['', admin.slice(0, -1), admin + 'a', admin.slice(0, -1) + 'c', 'c' + admin.slice(1), admin.slice(0, -1) + '\ud800']) {
    assert.equal(sameSecret(other, admin), false, JSON.stringify(other));
    assert.equal(await users(other), undefined, JSON.stringify(other));
  }
  // Two different lone surrogates are different tokens (as buffers both would read as U+FFFD).
  assert.equal(sameSecret('x\ud800', 'x\udc00'), false);
  assert.equal(sameSecret('é✓', 'é✓'), true);
});
