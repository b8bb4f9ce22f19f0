// Compact JWS (RFC 7515) for service-account tokens: sign a claims object, or split a token and check
// its signature. ES256 signatures are the raw r‖s form JWS requires (RFC 7518 §3.4), not DER.
import { sign, verify } from 'node:crypto';
import type { SigningKey } from './signing-key.ts';

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

function signatureOptions(key: SigningKey, k: SigningKey['privateKey'] | SigningKey['publicKey']) {
  return key.alg === 'ES256' ? { key: k, dsaEncoding: 'ieee-p1363' as const } : k;
}

export function signJwt(payload: object, key: SigningKey): string {
  const input = `${b64(JSON.stringify({ alg: key.alg, kid: key.kid }))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${sign('sha256', Buffer.from(input), signatureOptions(key, key.privateKey)).toString('base64url')}`;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function parsePart(s: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch { return undefined; }
}

/** The parts of a compact JWS, or undefined if `token` is not one (nothing is verified here). */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => p && B64URL.test(p))) return undefined;
  const header = parsePart(parts[0]);
  const payload = parsePart(parts[1]);
  if (!header || !payload) return undefined;
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

/** True if the token was signed by `key` with the key's algorithm (the header must name that algorithm). */
export function verifyJwt(jwt: DecodedJwt, key: SigningKey): boolean {
  if (jwt.header.alg !== key.alg) return false;
  if (jwt.header.kid !== undefined && jwt.header.kid !== key.kid) return false;
  try {
    return verify('sha256', Buffer.from(jwt.signingInput), signatureOptions(key, key.publicKey), jwt.signature);
  } catch { return false; }
}
