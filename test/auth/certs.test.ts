// The CA and serving certificate written by certs.ts/der.ts: well-formed DER that Node's X509 parser
// and a real TLS handshake accept, with the names, usages and validity Skiff promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ensureTls, ipBytes } from '../../src/auth/certs.ts';
import { oid, time, tlv, uint, namedBits } from '../../src/auth/der.ts';
import { FakeClock, RealClock } from '../../src/clock.ts';

const NOW = Date.UTC(2030, 0, 2, 3, 4, 5);

test('DER primitives: lengths, integers, OIDs, bit strings, times', () => {
  assert.equal(tlv(0x04, Buffer.alloc(3)).toString('hex'), '0403000000');
  assert.equal(tlv(0x04, Buffer.alloc(200)).subarray(0, 3).toString('hex'), '0481c8');
  assert.equal(tlv(0x04, Buffer.alloc(300)).subarray(0, 4).toString('hex'), '0482012c');
  assert.equal(uint(Buffer.from([0, 0, 0x80])).toString('hex'), '02020080');
  assert.equal(uint(Buffer.from([0x7f])).toString('hex'), '02017f');
  assert.equal(oid('1.2.840.10045.4.3.2').toString('hex'), '06082a8648ce3d040302');
  assert.equal(oid('2.5.29.17').toString('hex'), '0603551d11');
  assert.equal(namedBits([0, 2]).toString('hex'), '030205a0');
  assert.equal(namedBits([0, 5, 6]).toString('hex'), '03020186');
  assert.equal(time(NOW).toString('latin1').slice(2), '300102030405Z');
  assert.equal(time(Date.UTC(2050, 0, 1)).toString('latin1').slice(2), '20500101000000Z');
  assert.equal(time(Date.UTC(2050, 0, 1))[0], 0x18);
  assert.equal(time(NOW)[0], 0x17);
});

test('IP addresses for subjectAltName', () => {
  assert.equal(ipBytes('127.0.0.1').toString('hex'), '7f000001');
  assert.equal(ipBytes('::1').toString('hex'), '0'.repeat(31) + '1');
  assert.equal(ipBytes('2001:db8::ff00:42:8329').toString('hex'), '20010db8000000000000ff0000428329');
  assert.equal(ipBytes('::ffff:192.0.2.128').toString('hex'), '00000000000000000000ffffc0000280');
  assert.equal(ipBytes('fe80::1%eth0').toString('hex'), 'fe80' + '0'.repeat(27) + '1');
});

test('generated CA and serving certificate: chain, names, usages, validity', async () => {
  const m = await ensureTls(undefined, '10.1.2.3', new FakeClock(NOW));
  const ca = new X509Certificate(m.caPem);
  const cert = new X509Certificate(m.certPem);
  assert.equal(ca.subject, 'CN=skiff-ca');
  assert.equal(ca.ca, true);
  assert.ok(ca.verify(ca.publicKey), 'CA is self-signed');
  assert.equal(cert.subject, 'CN=skiff-apiserver');
  assert.equal(cert.ca, false);
  assert.ok(cert.checkIssued(ca));
  assert.ok(cert.verify(ca.publicKey), 'serving certificate is signed by the CA');
  assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.1.2.3, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1', 'the loopback names, the bind address and the in-cluster names');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(Date.parse(cert.validFrom), NOW - 60_000);
  assert.equal(Date.parse(cert.validTo), NOW + 10 * 365 * 24 * 3600 * 1000);
  assert.notEqual(cert.serialNumber, ca.serialNumber);
  assert.match(m.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
});

test('a bind address is named as an IP address or as a host name, as it is one or the other', async () => {
  const sans = async (address: string) => new X509Certificate((await ensureTls(undefined, address, new FakeClock(NOW))).certPem).subjectAltName!.split(', ');
  assert.ok((await sans('fd00::5')).includes('IP Address:FD00:0:0:0:0:0:0:5'));
  assert.ok((await sans('::ffff:10.0.0.1')).includes('IP Address:0:0:0:0:0:FFFF:A00:1'));
  assert.ok((await sans('my-host.example')).includes('DNS:my-host.example'));
  // Four dotted numbers that are not an IPv4 address: a name.
  assert.ok((await sans('300.1.2.3')).includes('DNS:300.1.2.3'));
});

test('a TLS client trusting only the CA completes a handshake for localhost and 127.0.0.1', async () => {
  const m = await ensureTls(undefined, '127.0.0.1', new RealClock());
  const server = createServer({ cert: m.certPem, key: m.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  try {
    for (const servername of ['localhost', '127.0.0.1']) {
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca: m.caPem, servername: servername === '127.0.0.1' ? undefined : servername }, () => { resolve(s.authorized); s.end(); });
        s.on('error', reject);
      });
      assert.equal(authorized, true, servername);
    }
    // A name the certificate does not carry is refused.
    await assert.rejects(new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, ca: m.caPem, servername: 'example.com' }, () => { resolve(s.authorized); s.end(); });
      s.on('error', reject);
    }), /altnames|Hostname/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('certificate serials come from the clock\'s random source: a seeded clock gives the same serials', async () => {
  const serials = async (seed: number) => {
    const m = await ensureTls(undefined, '127.0.0.1', new FakeClock(NOW, seed));
    return [new X509Certificate(m.caPem).serialNumber, new X509Certificate(m.certPem).serialNumber];
  };
  const a = await serials(7);
  assert.deepEqual(await serials(7), a, 'same seed, same serials');
  assert.notDeepEqual(await serials(8), a, 'another seed, other serials');
  // The CA's serial is the clock's first 16 bytes, made positive with a non-zero top nibble.
  const b = Buffer.from(new FakeClock(NOW, 7).randomBytes(16));
  b[0] = (b[0] & 0x7f) | 0x10;
  assert.equal(a[0], b.toString('hex').toUpperCase());
  assert.notEqual(a[0], a[1]);
});

test('a certificate directory made before the in-cluster names is kept (the CA is not replaced); a new one has them', async () => {
  const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { generateServingCertificate } = await import('../../src/auth/certs.ts');
  const dir = mkdtempSync(join(tmpdir(), 'skiff-certs-'));
  try {
    const old = await generateServingCertificate(['localhost', '127.0.0.1', '::1'], new FakeClock(NOW));
    writeFileSync(join(dir, 'ca.crt'), old.caPem); writeFileSync(join(dir, 'apiserver.crt'), old.certPem); writeFileSync(join(dir, 'apiserver.key'), old.keyPem);
    const kept = await ensureTls(dir, '127.0.0.1', new FakeClock(NOW));
    assert.equal(kept.caPem, old.caPem);
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), old.caPem);
    const fresh = await ensureTls(join(dir, 'new'), '127.0.0.1', new FakeClock(NOW));
    assert.match(new X509Certificate(fresh.certPem).subjectAltName!, /DNS:kubernetes\.default\.svc\.cluster\.local, IP Address:10\.96\.0\.1$/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
