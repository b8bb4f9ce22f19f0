// The service-account token signing key: generated on first start (ECDSA P-256, for ES256) and kept in
// the data directory as sa.key (PKCS #8 PEM, mode 0600) next to the CA, so tokens stay valid across
// restarts. An RSA key placed there instead is used with RS256. No directory: the key lives in memory.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type JwsAlgorithm = 'ES256' | 'RS256';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  alg: JwsAlgorithm;
  /** As upstream: base64url(SHA-256(DER SubjectPublicKeyInfo)). */
  kid: string;
  /** The public key as a JWK for /openid/v1/jwks. */
  jwk: Record<string, unknown> & { kid: string; alg: JwsAlgorithm; use: 'sig' };
}

export const SIGNING_KEY_FILE = 'sa.key';

function algorithmOf(key: KeyObject): JwsAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`the service-account signing key must be ECDSA P-256 or RSA (got ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''})`.trim());
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const alg = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  const kid = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
  return { privateKey, publicKey, alg, kid, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

export function generateSigningKey(): Promise<SigningKey> {
  // Synchronous, as the certificates' keys (auth/certs.ts): cheaper than a thread-pool round trip.
  return Promise.resolve().then(() => signingKeyFrom(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey));
}

/** Load `<dir>/sa.key`, creating it if absent. `dir` undefined: a fresh key in memory. */
export async function ensureSigningKey(dir: string | undefined): Promise<SigningKey> {
  if (!dir) return generateSigningKey();
  const file = join(dir, SIGNING_KEY_FILE);
  if (existsSync(file)) {
    try {
      return signingKeyFrom(createPrivateKey(readFileSync(file, 'utf8')));
    } catch (e) {
      throw new Error(`cannot use the service-account signing key ${file}: ${(e as Error).message}`);
    }
  }
  const key = await generateSigningKey();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  return key;
}
