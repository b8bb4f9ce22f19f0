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
  // Signing with the KeyObject itself and converting the DER signature here takes half the time of
  // asking Node for ieee-p1363 (an options object makes it prepare the key again on every call).
  const der = sign('sha256', Buffer.from(input), key.privateKey);
  return `${input}.${(key.alg === 'ES256' ? rawEcdsaSignature(der, 32) : der).toString('base64url')}`;
}

/**
 * An ECDSA signature from DER (SEQUENCE { INTEGER r, INTEGER s }) to JWS's r‖s, each `size` bytes
 * big-endian (RFC 7518 §3.4). Throws on anything that is not such a DER signature.
 */
export function rawEcdsaSignature(der: Uint8Array, size: number): Buffer {
  const bad = () => new Error('not a DER ECDSA signature');
  if (der[0] !== 0x30) throw bad();
  let at = 2;
  if (der[1] & 0x80) at = 2 + (der[1] & 0x7f); // long-form length (not for P-256, kept for safety)
  const out = Buffer.alloc(2 * size);
  for (let part = 0; part < 2; part++) {
    if (der[at] !== 0x02) throw bad();
    const len = der[at + 1];
    let start = at + 2;
    const end = start + len;
    if (len & 0x80 || end > der.length) throw bad();
    while (start < end - 1 && der[start] === 0) start++; // INTEGER's sign padding
    if (end - start > size) throw bad();
    out.set(der.subarray(start, end), (part + 1) * size - (end - start));
    at = end;
  }
  return out;
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
