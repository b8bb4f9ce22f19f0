// stop() releases every handle startCluster() took: no server, socket, timer or file left behind, even
// with a watch open, a simulated node running pods, and a client connection kept alive. Checked with
// Node's own process.getActiveResourcesInfo(), by kind, against what was open before the cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';

const count = () => process.getActiveResourcesInfo().reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map<string, number>());

function call(c: Cluster, agent: Agent, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request(new URL(path, c.url), { method, agent, ca: c.caPem, headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' } }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    });
    r.on('error', reject);
    r.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('startCluster().stop() leaves no active handles behind', async () => {
  const before = count();
  const c = await startCluster({ nodes: 1 });
  const agent = new Agent({ keepAlive: true });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  assert.equal(await call(c, agent, 'POST', '/api/v1/namespaces/default/pods', pod), 201);
  // A watch held open across stop().
  const watchEnded = new Promise<void>((resolve) => {
    request(new URL('/api/v1/namespaces/default/pods?watch=1', c.url), { ca: c.caPem, headers: { Authorization: `Bearer ${c.token}` } }, (res) => {
      res.resume().on('end', resolve).on('error', () => resolve());
    }).on('error', () => resolve()).end();
  });
  const during = count();
  assert.ok([...during].some(([k, n]) => n > (before.get(k) ?? 0)), 'the cluster holds handles while running (else this test proves nothing)');
  await c.stop();
  await watchEnded;
  agent.destroy();
  // Sockets destroyed by either side finish closing over a few turns of the event loop.
  const leftover = () => [...count()].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k, n]) => `${k} x${n - (before.get(k) ?? 0)}`);
  let left = leftover();
  for (let i = 0; i < 50 && left.length; i++) { await new Promise((r) => setImmediate(r)); left = leftover(); }
  assert.deepEqual(left, [], `handles left after stop(): ${left.join(', ')}`);
});
