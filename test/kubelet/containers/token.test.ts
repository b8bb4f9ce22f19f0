// The kubelet's token manager (containers/token.ts): a projected service account token is kept until it
// is due for renewal (80% of its lifetime, or 24 hours, less up to 10 s of jitter), per pod, service
// account, audience and lifetime, as upstream's pkg/kubelet/token does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.ts';
import { SqliteBackend } from '../../../src/storage/sqlite.ts';
import { Store } from '../../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../../src/bootstrap.ts';
import { findResource } from '../../../src/registry/resources.ts';
import { dueForRenewal, tokenIssuer } from '../../../src/kubelet/containers/token.ts';
import type { KObject } from '../../../src/registry/strategy.ts';
import { ServiceAccountTokens } from '../../../src/auth/sa-tokens.ts';
import { generateSigningKey } from '../../../src/auth/signing-key.ts';
import { decodeJwt, verifyJwt } from '../../../src/auth/jwt.ts';

async function setup() {
  const clock = new FakeClock();
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now(), clock });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  await store.create(findResource('', 'v1', 'serviceaccounts')!, 'default', { metadata: { name: 'default' } });
  const pod = (name: string, sa?: string): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { ...(sa ? { serviceAccountName: sa } : {}) } });
  const issuer = tokenIssuer(store, clock);
  const issue = async (p: KObject, audience: string | undefined, seconds: number) => (await issuer(p, audience, seconds)).value();
  return { clock, store, pod, issuer, issue, close: () => backend.close() };
}
const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString());

test('a token is handed out again until 80% of its lifetime (less the jitter) has passed, then renewed', async () => {
  const s = await setup();
  try {
    const p = s.pod('a');
    const first = await s.issue(p, undefined, 3600);
    s.clock.advance(60_000);
    assert.equal(await s.issue(p, undefined, 3600), first, 'a refresh a minute later gets the same token');
    s.clock.advance(2869_000 - 60_000); // 80% is at 2,880 s: 11 s before it, more than the largest jitter
    assert.equal(await s.issue(p, undefined, 3600), first);
    s.clock.advance(12_000); // past 80% of the lifetime
    const renewed = await s.issue(p, undefined, 3600);
    assert.notEqual(renewed, first);
    assert.ok(claims(renewed).iat > claims(first).iat);
    assert.equal(claims(renewed).exp - claims(renewed).iat, 3600);
  } finally { await s.close(); }
});

test('tokens are kept apart per pod, audience and lifetime', async () => {
  const s = await setup();
  try {
    const a = s.pod('a'), b = s.pod('b');
    const ta = await s.issue(a, undefined, 3600);
    const tb = await s.issue(b, undefined, 3600);
    assert.notEqual(ta, tb);
    assert.equal(claims(tb)['kubernetes.io'].pod.name, 'b');
    const vault = await s.issue(a, 'vault', 3600);
    assert.notEqual(vault, ta);
    assert.deepEqual(claims(vault).aud, ['vault']);
    const short = await s.issue(a, undefined, 600);
    assert.notEqual(short, ta);
    assert.equal(claims(short).exp - claims(short).iat, 600);
    assert.equal(await s.issue(a, 'vault', 3600), vault);
    assert.equal(await s.issue(a, undefined, 3600), ta);
  } finally { await s.close(); }
});

test('a missing service account is still refused, and nothing is kept for it', async () => {
  const s = await setup();
  try {
    const p = s.pod('c', 'nobody');
    await assert.rejects(s.issue(p, undefined, 3600), /serviceaccounts "nobody" not found/);
    await s.store.create(findResource('', 'v1', 'serviceaccounts')!, 'default', { metadata: { name: 'nobody' } });
    const t = await s.issue(p, undefined, 3600);
    assert.equal(claims(t).sub, 'system:serviceaccount:default:nobody');
  } finally { await s.close(); }
});

test('dueForRenewal: 80% of the lifetime, and 24 hours for long-lived tokens, each less the jitter', () => {
  const h = 3600_000;
  const hour = { token: 't', issuedAt: 0, expiresAt: h };
  assert.equal(dueForRenewal(hour, 0.8 * h - 1, 0), false);
  assert.equal(dueForRenewal(hour, 0.8 * h + 1, 0), true);
  assert.equal(dueForRenewal(hour, 0.8 * h - 5_000, 10_000), true, 'the jitter brings renewal forward');
  const year = { token: 't', issuedAt: 0, expiresAt: 365 * 24 * h };
  assert.equal(dueForRenewal(year, 24 * h - 1, 0), false);
  assert.equal(dueForRenewal(year, 24 * h + 1, 0), true);
});

test('a token\'s claims are fixed when it is issued; it is signed only when first read, then kept (ES256 signatures differ each time)', async () => {
  const s = await setup();
  try {
    const p = s.pod('d');
    const signed: number[] = [];
    const sign = ServiceAccountTokens.prototype.prepare;
    const tokens = new ServiceAccountTokens(s.store, s.clock, await generateSigningKey());
    tokens.prepare = function (...args) {
      const t = sign.apply(this, args);
      return { ...t, sign: () => { signed.push(s.clock.now()); return t.sign(); } };
    };
    const issuer = tokenIssuer(s.store, s.clock, tokens);
    const issuedAt = s.clock.now();
    const lazy = await issuer(p, undefined, 3600);
    assert.equal(signed.length, 0, 'nothing is signed at issue');
    assert.match(lazy.id, /^token /);
    s.clock.advance(5_000);
    const t = lazy.value();
    assert.equal(claims(t).iat, Math.floor(issuedAt / 1000), 'iat is the issue time, not the first read');
    assert.equal(claims(t)['kubernetes.io'].pod.name, 'd');
    assert.equal(lazy.value(), t);
    assert.equal((await issuer(p, undefined, 3600)).value(), t, 'a refresh hands out the same token');
    assert.equal(signed[0], issuedAt + 5_000, 'signed at the first read');
    assert.ok(verifyJwt(decodeJwt(t)!, tokens.key), 'the signature holds');
  } finally { await s.close(); }
});
