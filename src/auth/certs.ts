// A cluster CA and a serving certificate, generated on first start and kept in the data directory.
// Node's crypto makes the ECDSA P-256 keys and signatures; the certificates' DER framing is written
// by der.ts (a general X.509 library cost 100–250 ms of start-up to import). Reading an existing
// certificate uses Node's own X509Certificate.
import { createHash, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { Clock } from '../clock.ts';
import { bits, bool, ctx, int, namedBits, octets, oid, seq, set, time, uint, utf8 } from './der.ts';

export interface TlsMaterial { caPem: string; certPem: string; keyPem: string; /** The CA's key, when this server holds it (it signs approved CertificateSigningRequests). */ caKeyPem?: string }
/** What certificate generation needs from the clock: the time (validity) and random bytes (serials). */
export type CertClock = Pick<Clock, 'now' | 'randomBytes'>;

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
export const KU = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** A positive 128-bit serial number. */
export function serial(clock: CertClock): Buffer {
  const b = Buffer.from(clock.randomBytes(16));
  b[0] = (b[0] & 0x7f) | 0x10;
  return uint(b);
}

export const cn = (name: string) => seq(set(seq(oid('2.5.4.3'), utf8(name))));
export const ext = (id: string, critical: boolean, value: Uint8Array) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (the last BIT STRING of the SPKI). */
export function keyId(spki: Buffer): Buffer {
  const point = spki.subarray(spki.length - 65); // uncompressed P-256 point, 0x04 || X || Y
  return createHash('sha1').update(point).digest();
}

/**
 * 4 or 6 for an IP address, 0 for a host name, as net.isIP answers; without asking it about names
 * that cannot be addresses or about ::1, since its first IPv6 test builds a large regular expression
 * (~3 ms of a start that generates certificates).
 */
function ipVersion(host: string): number {
  if (host === '::1') return 6;
  return host.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? isIP(host) : 0;
}

/** The 4- or 16-byte form of an IP address for a subjectAltName iPAddress. */
export function ipBytes(ip: string): Buffer {
  if (ipVersion(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  let text = ip.split('%')[0]; // no zone in a certificate
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text); // IPv4-embedded form: last 32 bits dotted
  if (quad) {
    const [x, y, z, w] = quad.slice(1).map(Number);
    text = text.slice(0, quad.index) + ((x << 8) | y).toString(16) + ':' + ((z << 8) | w).toString(16);
  }
  const hex = (s: string) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const [head, tail] = text.split('::');
  const a = hex(head);
  const b = tail === undefined ? [] : hex(tail);
  const groups = tail === undefined ? a : [...a, ...Array(8 - a.length - b.length).fill(0), ...b];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** A certificate signed by `signer` (ECDSA P-256); subject and issuer are a common name or a DER Name. */
export function certificate(clock: CertClock, o: { subject: string | Buffer; issuer: string; notBefore: number; notAfter: number; spki: Buffer; extensions: Buffer[]; signer: KeyObject }): Buffer {
  const tbs = seq(
    ctx(0, int(2)), // v3
    serial(clock), ECDSA_SHA256, cn(o.issuer), seq(time(o.notBefore), time(o.notAfter)), typeof o.subject === 'string' ? cn(o.subject) : o.subject, o.spki,
    ctx(3, seq(...o.extensions)),
  );
  return seq(tbs, ECDSA_SHA256, bits(sign('sha256', tbs, o.signer)));
}

// Synchronous: a P-256 key takes ~0.1 ms, less than a round trip through the thread pool (which, on a
// busy machine, waits for a thread to be scheduled: start-up made five of them in a row).
const ecKeys = async (): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** A self-signed CA named `name` and a key pair for one certificate it will sign (ten years from a minute ago). */
async function newCa(name: string, clock: CertClock) {
  const notBefore = clock.now() - 60_000;
  const notAfter = notBefore + 60_000 + 10 * 365 * 24 * 3600 * 1000;
  const [caKeys, keys] = await Promise.all([ecKeys(), ecKeys()]);
  const caSpki = caKeys.publicKey.export({ type: 'spki', format: 'der' });
  const spki = keys.publicKey.export({ type: 'spki', format: 'der' });
  const caId = keyId(caSpki);
  const ca = certificate(clock, {
    subject: name, issuer: name, notBefore, notAfter, spki: caSpki, signer: caKeys.privateKey,
    extensions: [
      ext('2.5.29.19', true, seq(bool(true))), // basicConstraints: CA
      ext('2.5.29.15', true, namedBits([KU.digitalSignature, KU.keyCertSign, KU.cRLSign])),
      ext('2.5.29.14', false, octets(caId)), // subjectKeyIdentifier
    ],
  });
  return { notBefore, notAfter, caKeys, keys, spki, caId, ca };
}

async function generate(hosts: string[], clock: CertClock): Promise<TlsMaterial & { caKeyPem: string }> {
  const { notBefore, notAfter, caKeys, keys, spki, caId, ca } = await newCa('skiff-ca', clock);
  const names = [...new Set(hosts)].map((h) => (ipVersion(h) ? ctx(7, ipBytes(h), false) : ctx(2, Buffer.from(h, 'latin1'), false)));
  const cert = certificate(clock, {
    subject: 'skiff-apiserver', issuer: 'skiff-ca', notBefore, notAfter, spki, signer: caKeys.privateKey,
    extensions: [
      ext('2.5.29.19', true, seq()), // basicConstraints: not a CA
      ext('2.5.29.15', true, namedBits([KU.digitalSignature, KU.keyEncipherment])),
      ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      ext('2.5.29.17', false, seq(...names)), // subjectAltName
      ext('2.5.29.35', false, seq(ctx(0, caId, false))), // authorityKeyIdentifier
    ],
  });
  return {
    caPem: toPem(ca, 'CERTIFICATE'),
    certPem: toPem(cert, 'CERTIFICATE'),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    caKeyPem: caKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/**
 * The names in-cluster clients use for the API server (the kubernetes Service's DNS names and cluster
 * IP), as kube-apiserver's serving certificate carries them. New certificates get them; one made
 * before them is still accepted (regenerating it would also replace the CA).
 */
export const IN_CLUSTER_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '10.96.0.1'];

/**
 * Load the CA and serving certificate from `dir`, creating them if absent or if the serving
 * certificate does not cover `hosts`. `dir` undefined: generate in memory (nothing written).
 */
export async function ensureTls(dir: string | undefined, bindAddress: string, clock: CertClock): Promise<TlsMaterial> {
  const hosts = ['localhost', '127.0.0.1', '::1', ...(bindAddress && bindAddress !== '0.0.0.0' && bindAddress !== '::' ? [bindAddress] : [])];
  if (!dir) return generate([...hosts, ...IN_CLUSTER_NAMES], clock);
  const p = (f: string) => join(dir, f);
  if (existsSync(p('ca.crt')) && existsSync(p('apiserver.crt')) && existsSync(p('apiserver.key'))) {
    const certPem = readFileSync(p('apiserver.crt'), 'utf8');
    const cert = new X509Certificate(certPem);
    const covered = new Set((cert.subjectAltName ?? '').split(',').map((x) => x.trim().replace(/^(DNS|IP Address):/, '').toLowerCase()));
    const norm = (h: string) => (h === '::1' ? '0:0:0:0:0:0:0:1' : h);
    if (hosts.every((h) => covered.has(h) || covered.has(norm(h))) && Date.parse(cert.validTo) > clock.now()) {
      const caKeyPem = existsSync(p('ca.key')) ? readFileSync(p('ca.key'), 'utf8') : undefined;
      return { caPem: readFileSync(p('ca.crt'), 'utf8'), certPem, keyPem: readFileSync(p('apiserver.key'), 'utf8'), caKeyPem };
    }
  }
  const m = await generate([...hosts, ...IN_CLUSTER_NAMES], clock);
  mkdirSync(dir, { recursive: true });
  writeFileSync(p('ca.crt'), m.caPem);
  writeFileSync(p('ca.key'), m.caKeyPem, { mode: 0o600 });
  writeFileSync(p('apiserver.crt'), m.certPem);
  writeFileSync(p('apiserver.key'), m.keyPem, { mode: 0o600 });
  return m;
}

/** A fresh CA and a serving certificate for `hosts` (webhook and extension servers in tests and conformance). */
export function generateServingCertificate(hosts: string[], clock: CertClock): Promise<TlsMaterial & { caKeyPem: string }> {
  return generate(hosts, clock);
}

/**
 * A CA and a client certificate signed by it (`commonName`, extKeyUsage clientAuth): the aggregator's
 * front-proxy identity, which extension API servers trust through requestheader-client-ca-file.
 */
export async function generateClientCertificate(commonName: string, caName: string, clock: CertClock): Promise<TlsMaterial> {
  const { notBefore, notAfter, caKeys, keys, spki, caId, ca } = await newCa(caName, clock);
  const cert = certificate(clock, {
    subject: commonName, issuer: caName, notBefore, notAfter, spki, signer: caKeys.privateKey,
    extensions: [
      ext('2.5.29.19', true, seq()),
      ext('2.5.29.15', true, namedBits([KU.digitalSignature, KU.keyEncipherment])),
      ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.2'))), // extKeyUsage: clientAuth
      ext('2.5.29.35', false, seq(ctx(0, caId, false))),
    ],
  });
  return { caPem: toPem(ca, 'CERTIFICATE'), certPem: toPem(cert, 'CERTIFICATE'), keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
