// When room appears for one of several waiting pods, the scheduler's queue hands it to the pod
// with the highest priority (PrioritySort), not to the one that has waited longest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import { findResource } from '../../src/registry/resources.ts';

const pcR = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
// An image the catalogue does not know: the pods follow the stage table on the fake clock alone.
const pod = (name: string, cpu: string, priorityClassName?: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { ...(priorityClassName ? { priorityClassName } : {}), containers: [{ name: 'c', image: 'registry.example/app:1', resources: { requests: { cpu } } }] },
});

test('the higher-priority pod gets the freed room even though it queued last', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await c.store.create(pcR, undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
    await c.store.create(R.pods, 'default', pod('filler', '15'));
    await c.until(async () => !!(await c.store.get(R.pods, 'default', 'filler')).spec.nodeName, { what: 'filler placed' });
    await c.store.create(R.pods, 'default', pod('low', '12'));
    await c.settle();
    await c.store.create(R.pods, 'default', pod('high', '12', 'high'));
    await c.until(async () => {
      const ps = await Promise.all(['low', 'high'].map((n) => c.store.get(R.pods, 'default', n)));
      return ps.every((p) => p.status?.conditions?.some((x: { type: string; reason?: string }) => x.type === 'PodScheduled' && x.reason === 'Unschedulable'));
    }, { what: 'both unschedulable' });
    await c.store.delete(R.pods, 'default', 'filler', { gracePeriodSeconds: 0 });
    await c.until(async () => !!(await c.store.get(R.pods, 'default', 'high')).spec.nodeName, { what: 'high placed' });
    assert.equal((await c.store.get(R.pods, 'default', 'low')).spec.nodeName, undefined);
  } finally { await c.close(); }
});
