// Kubelet housekeeping: pods being deleted are looked at again on a period, without any change to
// them, as upstream's HandlePodCleanups does every 2 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { Stage } from '../../src/kubelet/stages.ts';

test('a deletion the kubelet could not act on when it came is finished by housekeeping, not left Terminating', async () => {
  // What the removal waits for lies outside the pod (as a pod worker still starting its containers):
  // when it clears, no informer event says so.
  let workerDone = false;
  const stages: Stage[] = [{ name: 'remove', when: (p) => !!p.metadata.deletionTimestamp && workerDone, delay: () => 0, delete: true }];
  const c = await startCluster({ stages });
  try {
    await c.store.create(R.pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    await c.until(async () => !!(await c.store.get(R.pods, 'default', 'p')).spec?.nodeName, { what: 'bound' });
    await c.store.delete(R.pods, 'default', 'p', { gracePeriodSeconds: 30 });
    await c.until(async () => !!(await c.store.get(R.pods, 'default', 'p')).metadata.deletionTimestamp, { what: 'terminating' });
    workerDone = true;
    const gone = async () => (await c.store.tryGet(R.pods, 'default', 'p')) === undefined;
    await c.until(gone, { what: 'removed by housekeeping', maxSteps: 50 });
    assert.ok(await gone());
  } finally { await c.close(); }
});
