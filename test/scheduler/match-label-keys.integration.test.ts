// Through the whole control plane on the fake clock (3 simulated nodes): pod affinity
// matchLabelKeys are folded in at creation, so the scheduler honours them; malformed scheduling
// fields are refused at creation (422) and the scheduler keeps placing pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import { StatusError } from '../../src/errors.ts';
import type { KObject } from '../../src/registry/strategy.ts';

type C = Awaited<ReturnType<typeof startCluster>>;
const HOST = 'kubernetes.io/hostname';
const mk = (name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): KObject =>
  ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const antiPerVersion = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: HOST, matchLabelKeys: ['version'] }] } } };
const nodeOf = async (c: C, n: string) => (await c.store.get(R.pods, 'default', n)).spec.nodeName as string | undefined;

test('anti-affinity with matchLabelKeys [version]: one pod per node per version', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    for (const n of ['v1a', 'v1b', 'v1c']) await c.store.create(R.pods, 'default', mk(n, { app: 'web', version: 'v1' }, antiPerVersion));
    await c.until(async () => !!(await nodeOf(c, 'v1a')) && !!(await nodeOf(c, 'v1b')) && !!(await nodeOf(c, 'v1c')), { what: 'v1 placed' });
    assert.equal(new Set([await nodeOf(c, 'v1a'), await nodeOf(c, 'v1b'), await nodeOf(c, 'v1c')]).size, 3);
    // A fourth v1 pod has nowhere to go; a v2 pod (a new rollout revision) is not repelled by v1 pods.
    await c.store.create(R.pods, 'default', mk('v1d', { app: 'web', version: 'v1' }, antiPerVersion));
    await c.store.create(R.pods, 'default', mk('v2a', { app: 'web', version: 'v2' }, antiPerVersion));
    await c.until(async () => !!(await nodeOf(c, 'v2a')), { what: 'v2a placed' });
    await c.until(async () => (await c.store.get(R.pods, 'default', 'v1d')).status?.conditions?.some((x: { reason?: string }) => x.reason === 'Unschedulable'), { what: 'v1d unschedulable' });
    assert.equal(await nodeOf(c, 'v1d'), undefined);
  } finally { await c.close(); }
});

test('malformed scheduling fields never reach the scheduler', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const bad: Array<Record<string, unknown>> = [
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [null] }] } } } },
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: 'all' } } } },
      { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: 'x' }, topologyKey: HOST }] } } },
      { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1e9, podAffinityTerm: { topologyKey: HOST } }] } } },
      { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: 7 } }] },
      { topologySpreadConstraints: [{ maxSkew: '1', topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule' }] },
      { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 'x' }] },
      { tolerations: 'all' },
    ];
    for (const [i, spec] of bad.entries()) {
      await assert.rejects(c.store.create(R.pods, 'default', mk(`bad${i}`, { app: 'bad' }, spec)),
        (e: unknown) => e instanceof StatusError && e.status.code === 422 && e.status.reason === 'Invalid', JSON.stringify(spec));
    }
    assert.equal((await c.list(R.pods, 'default')).filter((p) => (p.metadata.name ?? '').startsWith('bad')).length, 0);
    await c.store.create(R.pods, 'default', mk('fine', { app: 'fine' }, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [null, { matchExpressions: [{ key: HOST, operator: 'In', values: ['skiff-node-1'] }] }] } } } }));
    await c.until(async () => (await nodeOf(c, 'fine')) === 'skiff-node-1', { what: 'fine placed on skiff-node-1' });
  } finally { await c.close(); }
});
