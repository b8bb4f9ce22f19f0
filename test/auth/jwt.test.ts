// The JWS layer under service-account tokens, and the signing key kept in the data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, rawEcdsaSignature, signJwt, verifyJwt } from '../../src/auth/jwt.ts';
import { ensureSigningKey, generateSigningKey, signingKeyFrom } from '../../src/auth/signing-key.ts';

test('an ES256 token verifies with its key and with the published JWK; raw r‖s signature', async () => {
  const key = await generateSigningKey();
  const token = signJwt({ sub: 'x', n: 1 }, key);
  const jwt = decodeJwt(token)!;
  assert.deepEqual(jwt.header, { alg: 'ES256', kid: key.kid });
  assert.deepEqual(jwt.payload, { sub: 'x', n: 1 });
  assert.equal(jwt.signature.length, 64);
  assert.ok(verifyJwt(jwt, key));
  const fromJwk = createPublicKey({ key: key.jwk as any, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(jwt.signingInput), { key: fromJwk, dsaEncoding: 'ieee-p1363' }, jwt.signature));
});

test('tampered payloads, other keys, alg none and malformed tokens are refused', async () => {
  const key = await generateSigningKey();
  const other = await generateSigningKey();
  const token = signJwt({ sub: 'a' }, key);
  const [h, , s] = token.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'b' })).toString('base64url')}.${s}`;
  assert.equal(verifyJwt(decodeJwt(forged)!, key), false);
  assert.equal(verifyJwt(decodeJwt(token)!, other), false);
  const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${token.split('.')[1]}.${s}`;
  assert.equal(verifyJwt(decodeJwt(none)!, key), false);
  for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', `${h}.!!.${s}`, `${h}..${s}`, `${h}.${Buffer.from('[1]').toString('base64url')}.${s}`]) {
    assert.equal(decodeJwt(bad), undefined, bad);
  }
});

test('an RSA key signs RS256', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = signingKeyFrom(privateKey);
  assert.equal(key.alg, 'RS256');
  assert.equal(key.jwk.kty, 'RSA');
  assert.ok(verifyJwt(decodeJwt(signJwt({ a: 1 }, key))!, key));
  assert.throws(() => signingKeyFrom(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), /ECDSA P-256 or RSA/);
});

test('the signing key is created once in the data directory (mode 0600) and reloaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sakey-'));
  try {
    const a = await ensureSigningKey(dir);
    assert.equal(statSync(join(dir, 'sa.key')).mode & 0o777, 0o600);
    const b = await ensureSigningKey(dir);
    assert.equal(b.kid, a.kid);
    assert.ok(verifyJwt(decodeJwt(signJwt({ a: 1 }, a))!, b), 'a token from before a restart still verifies');
    assert.notEqual((await ensureSigningKey(undefined)).kid, a.kid, 'no directory: a fresh key in memory');
    writeFileSync(join(dir, 'sa.key'), 'not a key');
    await assert.rejects(ensureSigningKey(dir), /cannot use the service-account signing key .*sa\.key/);
    assert.equal(readFileSync(join(dir, 'sa.key'), 'utf8'), 'not a key', 'a bad key file is reported, not overwritten');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('ES256 signatures are r‖s of 64 bytes that Node verifies as ieee-p1363, over many signatures (short r or s included)', async () => {
  const key = await generateSigningKey();
  for (let i = 0; i < 300; i++) {
    const jwt = decodeJwt(signJwt({ i }, key))!;
    assert.equal(jwt.signature.length, 64);
    assert.ok(verify('sha256', Buffer.from(jwt.signingInput), { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, jwt.signature), `signature ${i}`);
    assert.ok(verifyJwt(jwt, key));
  }
});

test('rawEcdsaSignature: sign padding is dropped, short integers are left-padded, anything else is refused', () => {
  const r = Buffer.alloc(32, 0xab), s = Buffer.from([0x01, 0x02]);
  // r with its 0x00 sign byte (its top bit is set), s short.
  const der = Buffer.from([0x30, 4 + 33 + 2, 0x02, 33, 0x00, ...r, 0x02, 2, ...s]);
  const raw = rawEcdsaSignature(der, 32);
  assert.equal(raw.length, 64);
  assert.deepEqual(raw.subarray(0, 32), r);
  assert.deepEqual(raw.subarray(32), Buffer.concat([Buffer.alloc(30), s]));
  assert.throws(() => rawEcdsaSignature(Buffer.from([0x31, 0x00]), 32), /not a DER ECDSA signature/);
  assert.throws(() => rawEcdsaSignature(Buffer.from([0x30, 6, 0x02, 1, 0x01, 0x03, 1, 0x01]), 32), /not a DER/, 'second part not an INTEGER');
  assert.throws(() => rawEcdsaSignature(Buffer.from([0x30, 6, 0x02, 9, 0x01]), 32), /not a DER/, 'length past the end');
  assert.throws(() => rawEcdsaSignature(Buffer.from([0x30, 38, 0x02, 34, ...Buffer.alloc(34, 0x7f), 0x02, 1, 1]), 32), /not a DER/, 'integer too large');
});
