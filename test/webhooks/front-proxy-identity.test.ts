// The aggregator's front-proxy CA and client certificate are kept in the data directory (made once,
// reused on restart, remade when expired) and made afresh in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frontProxyIdentity } from '../../src/aggregator/front-proxy.ts';
import { RealClock } from '../../src/clock.ts';

test('kept in the data directory: the same identity on restart, a new one once expired; fresh in memory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-front-proxy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new RealClock(1);
  const first = await frontProxyIdentity(clock, dir);
  assert.equal(new X509Certificate(first.certPem).subject, 'CN=front-proxy-client');
  assert.ok(new X509Certificate(first.certPem).checkIssued(new X509Certificate(first.caPem)));
  assert.equal(readFileSync(join(dir, 'front-proxy-client.crt'), 'utf8'), first.certPem);
  assert.equal(statSync(join(dir, 'front-proxy-client.key')).mode & 0o777, 0o600);
  assert.deepEqual(await frontProxyIdentity(clock, dir), first, 'a restart reuses it');

  const later = { ...clock, now: () => Date.now() + 11 * 365 * 24 * 3600 * 1000, randomBytes: (n: number) => clock.randomBytes(n) } as unknown as RealClock;
  const renewed = await frontProxyIdentity(later, dir);
  assert.notEqual(renewed.certPem, first.certPem, 'an expired certificate is remade');
  assert.equal(readFileSync(join(dir, 'front-proxy-ca.crt'), 'utf8'), renewed.caPem);

  const a = await frontProxyIdentity(clock), b = await frontProxyIdentity(clock);
  assert.notEqual(a.caPem, b.caPem, 'in memory: made afresh each time');
});
