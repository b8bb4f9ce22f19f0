// Runs inside a fresh project that installed Skiff's packed tarball (see conformance/package.test.ts):
// plain JavaScript importing the package by name, as a user's test suite would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { startCluster, encodeClusterSnapshot, decodeClusterSnapshot } from 'skiff';

function call(cluster, method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const r = request(new URL(path, cluster.url), {
      method, ca: cluster.caPem, agent: false,
      headers: { Authorization: `Bearer ${cluster.token}`, 'Content-Type': 'application/json', Connection: 'close' },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve({ code: res.statusCode, body: JSON.parse(text) }));
    });
    r.on('error', reject);
    r.end(payload);
  });
}

test('startCluster from the installed package serves, snapshots, restores and stops cleanly', async () => {
  const count = () => process.getActiveResourcesInfo().reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map());
  const before = count();
  const cluster = await startCluster({ nodes: 0 });
  const cm = (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });
  assert.equal((await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', cm('fixture'))).code, 201);
  const snap = cluster.snapshot();
  assert.equal((await call(cluster, 'POST', '/api/v1/namespaces/default/configmaps', cm('later'))).code, 201);
  await cluster.restore(decodeClusterSnapshot(encodeClusterSnapshot(snap)));
  assert.equal((await call(cluster, 'GET', '/api/v1/namespaces/default/configmaps/later')).code, 404);
  assert.equal((await call(cluster, 'GET', '/api/v1/namespaces/default/configmaps/fixture')).body.data.k, 'fixture');
  await cluster.stop();
  await new Promise((r) => setImmediate(r));
  const left = [...count()].filter(([r, n]) => n > (before.get(r) ?? 0)).map(([r, n]) => `${r} x${n - (before.get(r) ?? 0)}`);
  assert.deepEqual(left, [], `handles left open after stop(): ${left.join(', ')}`);
});
