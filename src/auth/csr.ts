// PKCS#10 certificate requests (RFC 2986): read just enough DER to know the subject (common name,
// organizations), the public key, the requested subject alternative names and whether the request is
// signed by its own key; and the certificate a signer issues for one with the cluster CA.
import { createPrivateKey, createPublicKey, verify, X509Certificate } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { ctx, namedBits, oid, seq } from './der.ts';
import { certificate, ext, keyId, KU, toPem } from './certs.ts';

interface Tlv { tag: number; start: number; end: number; headerStart: number }

/** One tag-length-value at `off` (definite lengths only); throws on truncation. */
function readTlv(b: Buffer, off: number): Tlv {
  if (off + 2 > b.length) throw new Error('truncated');
  const tag = b[off];
  let len = b[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > b.length) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  if (start + len > b.length) throw new Error('truncated');
  return { tag, start, end: start + len, headerStart: off };
}

function children(b: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = t.start; off < t.end;) { const c = readTlv(b, off); out.push(c); off = c.end; }
  return out;
}

const raw = (b: Buffer, t: Tlv) => b.subarray(t.headerStart, t.end);
const OID = (b: Buffer, t: Tlv) => raw(b, t).toString('hex');
const hexOid = (dotted: string) => oid(dotted).toString('hex');
const CN = hexOid('2.5.4.3'), O = hexOid('2.5.4.10');
const EXT_REQUEST = hexOid('1.2.840.113549.1.9.14');
const SAN = hexOid('2.5.29.17');
const SIG_HASH: Record<string, string | null> = {
  [hexOid('1.2.840.10045.4.3.2')]: 'sha256', [hexOid('1.2.840.10045.4.3.3')]: 'sha384', [hexOid('1.2.840.10045.4.3.4')]: 'sha512',
  [hexOid('1.2.840.113549.1.1.11')]: 'sha256', [hexOid('1.2.840.113549.1.1.12')]: 'sha384', [hexOid('1.2.840.113549.1.1.13')]: 'sha512',
  [hexOid('1.3.101.112')]: null,
};

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  subjectDer: Buffer;
  spki: Buffer;
  /** The raw subjectAltName extension, and counts of its name kinds. */
  san?: Buffer;
  dnsNames: number; ipAddresses: number; emails: number; uris: number;
  keyType: string;
}

/** The first PEM block labelled CERTIFICATE REQUEST; throws with upstream's wording when absent. */
function pemBody(pem: string): Buffer {
  const m = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  return Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
}

/** Parse and check the self-signature; throws an Error with a short reason on anything malformed. */
export function parseCsr(pem: string): ParsedCsr {
  const b = pemBody(pem);
  let top: Tlv, info: Tlv[], outer: Tlv[];
  try {
    top = readTlv(b, 0);
    outer = children(b, top);
    info = children(b, outer[0]);
  } catch { throw new Error('asn1: structure error'); }
  if (outer.length !== 3 || info.length < 3) throw new Error('asn1: structure error');
  const [, subject, spkiT, attrs] = info;
  const out: ParsedCsr = { commonName: '', organizations: [], subjectDer: raw(b, subject), spki: raw(b, spkiT), dnsNames: 0, ipAddresses: 0, emails: 0, uris: 0, keyType: '' };
  try {
    for (const rdn of children(b, subject)) {
      for (const atv of children(b, rdn)) {
        const [type, value] = children(b, atv);
        const text = b.subarray(value.start, value.end).toString(value.tag === 0x1e ? 'utf16le' : 'utf8');
        if (OID(b, type) === CN) out.commonName = text;
        else if (OID(b, type) === O) out.organizations.push(text);
      }
    }
    if (attrs && attrs.tag === 0xa0) {
      for (const attr of children(b, attrs)) {
        const [type, values] = children(b, attr);
        if (OID(b, type) !== EXT_REQUEST) continue;
        for (const exts of children(b, values)) {
          for (const e of children(b, exts)) {
            const parts = children(b, e);
            if (OID(b, parts[0]) !== SAN) continue;
            const value = parts[parts.length - 1];
            const names = readTlv(b, value.start);
            out.san = Buffer.from(b.subarray(value.start, value.end));
            for (const n of children(b, names)) {
              const kind = n.tag & 0x1f;
              if (kind === 2) out.dnsNames++; else if (kind === 7) out.ipAddresses++; else if (kind === 1) out.emails++; else if (kind === 6) out.uris++;
            }
          }
        }
      }
    }
  } catch { throw new Error('asn1: structure error'); }
  let key;
  try { key = createPublicKey({ key: out.spki, format: 'der', type: 'spki' }); } catch { throw new Error('x509: unsupported public key type'); }
  out.keyType = key.asymmetricKeyType ?? '';
  const algOid = OID(b, children(b, outer[1])[0]);
  if (!(algOid in SIG_HASH)) throw new Error('x509: cannot verify signature: algorithm unimplemented');
  const sig = b.subarray(outer[2].start + 1, outer[2].end); // BIT STRING: skip the unused-bits byte
  if (!verify(SIG_HASH[algOid], raw(b, outer[0]), key, sig)) throw new Error(out.keyType === 'rsa' ? 'crypto/rsa: verification error' : out.keyType === 'ec' ? 'x509: ECDSA verification failure' : 'x509: signature verification failure');
  return out;
}

const USAGE_BITS: Record<string, number> = { 'digital signature': KU.digitalSignature, 'key encipherment': KU.keyEncipherment, 'cert sign': KU.keyCertSign, 'crl sign': KU.cRLSign };
const EXT_USAGES: Record<string, string> = { 'client auth': '1.3.6.1.5.5.7.3.2', 'server auth': '1.3.6.1.5.5.7.3.1', 'code signing': '1.3.6.1.5.5.7.3.3', 'email protection': '1.3.6.1.5.5.7.3.4' };

/**
 * Issue a certificate for `csr` with the CA (upstream's csrsigning with its permissive policy): the
 * request's subject and SANs, the requested usages, valid from five minutes ago for `ttlMs` but never
 * past the CA's own expiry. Returns PEM.
 */
export function signCsr(csr: ParsedCsr, usages: string[], ttlMs: number, ca: { certPem: string; keyPem: string }, clock: Pick<Clock, 'now' | 'randomBytes'>): string {
  const caCert = new X509Certificate(ca.certPem);
  const now = clock.now();
  const notAfter = Math.min(now + ttlMs, Date.parse(caCert.validTo));
  const caSpki = caCert.publicKey.export({ type: 'spki', format: 'der' });
  const bitsOn = usages.map((u) => USAGE_BITS[u]).filter((x) => x !== undefined);
  const ekus = usages.map((u) => EXT_USAGES[u]).filter(Boolean);
  const extensions = [
    ...(bitsOn.length ? [ext('2.5.29.15', true, namedBits(bitsOn))] : []),
    ...(ekus.length ? [ext('2.5.29.37', false, seq(...ekus.map(oid)))] : []),
    ext('2.5.29.19', true, seq()),
    ext('2.5.29.35', false, seq(ctx(0, keyId(caSpki), false))),
    ...(csr.san ? [ext('2.5.29.17', false, csr.san)] : []),
  ];
  const der = certificate(clock, {
    subject: csr.subjectDer, issuer: caCert.subject.replace(/^CN=/, ''), notBefore: now - 5 * 60_000, notAfter, spki: csr.spki,
    extensions, signer: createPrivateKey(ca.keyPem),
  });
  return toPem(der, 'CERTIFICATE');
}
