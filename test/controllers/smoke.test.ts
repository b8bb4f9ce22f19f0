import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R, deployment } from './harness.ts';

test('a 3-replica Deployment rolls out: pods Running and Ready, status Available', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(R.deployments, 'default', deployment('web', 3));
    await c.until(async () => {
      const d = await c.store.get(R.deployments, 'default', 'web');
      return d.status?.availableReplicas === 3 && d.status?.updatedReplicas === 3;
    }, { what: 'deployment available' });
    const pods = await c.list(R.pods, 'default');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.equal(p.status.phase, 'Running');
      assert.match(p.status.podIP, /^10\.244\.\d+\.\d+$/);
    }
  } finally { await c.close(); }
});
