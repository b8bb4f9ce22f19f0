// A cluster CA and a serving certificate, generated on first start and kept in the data directory.
// @peculiar/x509 builds the certificates (Node's crypto can make keys but not certificates); it is
// loaded only when a certificate must be made, since it costs ~100 ms to import. Reading an existing
// certificate uses Node's own X509Certificate.
import { webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';

async function loadX509() {
  await import('reflect-metadata'); // required by @peculiar/x509's dependency injection
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  return x509;
}

export interface TlsMaterial { caPem: string; certPem: string; keyPem: string }

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function serial(): string { return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'); }

async function generate(hosts: string[], now: number): Promise<TlsMaterial & { caKeyPem: string }> {
  const x509 = await loadX509();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + 10 * 365 * 24 * 3600 * 1000);
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: 'CN=skiff-ca', notBefore, notAfter, keys: caKeys, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as CryptoKeyPair;
  const names = [...new Set(hosts)].map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: 'CN=skiff-apiserver', issuer: ca.subject, notBefore, notAfter,
    publicKey: keys.publicKey, signingKey: caKeys.privateKey, signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  return {
    caPem: ca.toString('pem') + '\n',
    certPem: cert.toString('pem') + '\n',
    keyPem: toPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
    caKeyPem: toPem(await webcrypto.subtle.exportKey('pkcs8', caKeys.privateKey), 'PRIVATE KEY'),
  };
}

/**
 * Load the CA and serving certificate from `dir`, creating them if absent or if the serving
 * certificate does not cover `hosts`. `dir` undefined: generate in memory (nothing written).
 */
export async function ensureTls(dir: string | undefined, bindAddress: string, now: number): Promise<TlsMaterial> {
  const hosts = ['localhost', '127.0.0.1', '::1', ...(bindAddress && bindAddress !== '0.0.0.0' && bindAddress !== '::' ? [bindAddress] : [])];
  if (!dir) return generate(hosts, now);
  const p = (f: string) => join(dir, f);
  if (existsSync(p('ca.crt')) && existsSync(p('apiserver.crt')) && existsSync(p('apiserver.key'))) {
    const certPem = readFileSync(p('apiserver.crt'), 'utf8');
    const cert = new X509Certificate(certPem);
    const covered = new Set((cert.subjectAltName ?? '').split(',').map((x) => x.trim().replace(/^(DNS|IP Address):/, '').toLowerCase()));
    const norm = (h: string) => (h === '::1' ? '0:0:0:0:0:0:0:1' : h);
    if (hosts.every((h) => covered.has(h) || covered.has(norm(h))) && Date.parse(cert.validTo) > now) {
      return { caPem: readFileSync(p('ca.crt'), 'utf8'), certPem, keyPem: readFileSync(p('apiserver.key'), 'utf8') };
    }
  }
  const m = await generate(hosts, now);
  mkdirSync(dir, { recursive: true });
  writeFileSync(p('ca.crt'), m.caPem);
  writeFileSync(p('ca.key'), m.caKeyPem, { mode: 0o600 });
  writeFileSync(p('apiserver.crt'), m.certPem);
  writeFileSync(p('apiserver.key'), m.keyPem, { mode: 0o600 });
  return m;
}
