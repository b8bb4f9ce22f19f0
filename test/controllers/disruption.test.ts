import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R, deployment } from './harness.ts';
import { pdbStatus } from '../../src/controllers/disruption.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const pdbR = findResource('policy', 'v1', 'poddisruptionbudgets')!;
const pod = (name: string, ready: boolean, extra: Record<string, any> = {}): KObject => ({
  metadata: { name, namespace: 'default', labels: { app: 'x' }, ...extra },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('pdbStatus: minAvailable, maxUnavailable (percent), unready, deleting and disrupted pods', async () => {
  const c = await startCluster({ nodes: 0 });
  try {
    const now = c.clock.now();
    const pods = [pod('a', true), pod('b', true), pod('c', true), pod('d', false), pod('e', true, { deletionTimestamp: new Date(now).toISOString() })];
    const pdb = (spec: Record<string, unknown>, status?: Record<string, unknown>): KObject => ({ metadata: { name: 'p', namespace: 'default', generation: 2 }, spec: { selector: { matchLabels: { app: 'x' } }, ...spec }, status });
    let s = pdbStatus(c.store, pdb({ minAvailable: 2 }), pods, now);
    assert.deepEqual([s.expectedPods, s.currentHealthy, s.desiredHealthy, s.disruptionsAllowed, s.observedGeneration], [5, 3, 2, 1, 2]);
    assert.equal(s.conditions[0].reason, 'SufficientPods');
    s = pdbStatus(c.store, pdb({ maxUnavailable: '20%' }), pods, now);
    assert.deepEqual([s.desiredHealthy, s.disruptionsAllowed], [4, 0]);
    assert.equal(s.conditions[0].reason, 'InsufficientPods');
    s = pdbStatus(c.store, pdb({ minAvailable: 2 }, { disruptedPods: { a: new Date(now - 1000).toISOString(), b: new Date(now - 200_000).toISOString() } }), pods, now);
    assert.deepEqual([s.currentHealthy, s.disruptionsAllowed], [2, 0], 'a recently disrupted pod is not healthy');
    assert.deepEqual(Object.keys(s.disruptedPods), ['a'], 'expired entries are dropped');
  } finally { await c.close(); }
});

test('the disruption controller keeps a PDB status current as pods come and go', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await c.store.create(R.deployments, 'default', deployment('web', 3));
    await c.store.create(pdbR, 'default', { metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    await c.until(async () => (await c.store.get(pdbR, 'default', 'web')).status?.disruptionsAllowed === 1, { what: 'pdb allows 1' });
    await c.store.guaranteedUpdate(R.deployments, 'default', 'web', (d) => { d.spec.replicas = 1; return d; });
    await c.until(async () => {
      const s = (await c.store.get(pdbR, 'default', 'web')).status;
      return s.expectedPods === 1 && s.disruptionsAllowed === 0;
    }, { what: 'pdb allows 0 after scale-down' });
  } finally { await c.close(); }
});
