// A data directory survives a restart: same CA, token and objects; start-up bootstrap is idempotent.
import { test } from 'node:test';
import https from 'node:https';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server.ts';
import { findResource } from '../../src/registry/resources.ts';

test('restarting on the same data directory keeps objects, credentials and the kubernetes Service', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-restart-'));
  try {
    const first = await startServer({ port: 0, dataDir: dir, nodes: 1 });
    const cms = findResource('', 'v1', 'configmaps')!;
    await first.store.create(cms, 'default', { metadata: { name: 'kept' }, data: { a: 'b' } });
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const token = first.token;
    await first.stop();

    const second = await startServer({ port: 0, dataDir: dir, nodes: 1 });
    try {
      assert.equal(second.token, token);
      assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), ca);
      assert.equal((await second.store.get(cms, 'default', 'kept')).data.a, 'b');
      const svc = await second.store.get(findResource('', 'v1', 'services')!, 'default', 'kubernetes');
      assert.equal(svc.spec.clusterIP, '10.96.0.1');
      // Restarted on another port: the Service and its endpoints name the new one.
      assert.notEqual(second.port, first.port);
      assert.equal(svc.spec.ports[0].targetPort, second.port);
      assert.equal((await second.store.get(findResource('', 'v1', 'endpoints')!, 'default', 'kubernetes')).subsets[0].ports[0].port, second.port);
      assert.equal((await second.store.get(findResource('discovery.k8s.io', 'v1', 'endpointslices')!, 'default', 'kubernetes')).ports[0].port, second.port);
      // The kubeconfig's CA and token still work over HTTPS after the restart.
      const body = await new Promise<string>((resolve, reject) => {
        https.get(`${second.url}/api/v1/namespaces/default/configmaps/kept`, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
          let b = ''; res.setEncoding('utf8').on('data', (c) => { b += c; }).on('end', () => (res.statusCode === 200 ? resolve(b) : reject(new Error(`${res.statusCode} ${b}`))));
        }).on('error', reject);
      });
      assert.equal(JSON.parse(body).data.a, 'b');
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
