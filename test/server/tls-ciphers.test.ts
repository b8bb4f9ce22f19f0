// The HTTPS listener prefers AES-128-GCM (cheaper than AES-256 for large list bodies, and what Go
// clients prefer) while still accepting a client that offers only AES-256-GCM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { startServer } from '../../src/server.ts';

function cipherOf(url: string, ca: string, opts: tls.ConnectionOptions = {}): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: u.hostname, port: Number(u.port), ca, servername: 'localhost', ...opts }, () => {
      const name = sock.getCipher().name;
      sock.on('error', () => {});
      sock.destroy();
      resolve(name);
    });
    sock.once('error', reject);
  });
}

test('TLS 1.3 negotiates AES-128-GCM by server preference; AES-256-only clients still connect', async () => {
  const s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, controllers: false });
  try {
    assert.equal(await cipherOf(s.url, s.caPem!), 'TLS_AES_128_GCM_SHA256');
    assert.equal(await cipherOf(s.url, s.caPem!, { ciphers: 'TLS_AES_256_GCM_SHA384' }), 'TLS_AES_256_GCM_SHA384');
    assert.equal(await cipherOf(s.url, s.caPem!, { maxVersion: 'TLSv1.2' }), 'ECDHE-ECDSA-AES128-GCM-SHA256');
  } finally { await s.stop(); }
});
