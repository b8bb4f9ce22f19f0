// Preferred inter-pod (anti-)affinity scores through the whole control plane on the fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { normalizeMinMax } from '../../src/scheduler/score.ts';

type C = Awaited<ReturnType<typeof startCluster>>;
const HOST = 'kubernetes.io/hostname';
const pref = (kind: 'podAffinity' | 'podAntiAffinity', labels: Record<string, string>, weight = 100) =>
  ({ affinity: { [kind]: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: HOST } }] } } });
const mk = (name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): KObject =>
  ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const nodeOf = async (c: C, n: string) => (await c.store.get(R.pods, 'default', n)).spec.nodeName as string | undefined;

test('min-max normalisation as InterPodAffinity normalises', () => {
  assert.deepEqual(normalizeMinMax([-200, 0, 100]), [0, 66, 100]);
  assert.deepEqual(normalizeMinMax([5, 5]), [0, 0]);
});

test('preferred affinity draws a pod to its partner\'s node; preferred anti-affinity spreads a group', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    await c.store.create(R.pods, 'default', mk('db', { app: 'db' }, { nodeSelector: { [HOST]: 'skiff-node-2' } }));
    await c.until(async () => !!(await nodeOf(c, 'db')), { what: 'db placed' });
    for (let i = 0; i < 3; i++) {
      await c.store.create(R.pods, 'default', mk(`near${i}`, { app: 'near' }, pref('podAffinity', { app: 'db' })));
      await c.until(async () => !!(await nodeOf(c, `near${i}`)), { what: `near${i} placed` });
      assert.equal(await nodeOf(c, `near${i}`), 'skiff-node-2');
    }
    for (let i = 0; i < 3; i++) {
      await c.store.create(R.pods, 'default', mk(`apart${i}`, { app: 'apart' }, pref('podAntiAffinity', { app: 'apart' })));
      await c.until(async () => !!(await nodeOf(c, `apart${i}`)), { what: `apart${i} placed` });
    }
    const nodes = new Set([await nodeOf(c, 'apart0'), await nodeOf(c, 'apart1'), await nodeOf(c, 'apart2')]);
    assert.equal(nodes.size, 3, `preferred anti-affinity put the group on ${[...nodes]}`);
  } finally { await c.close(); }
});

test('ScheduleAnyway topology spread scores: a zone-spread group fills the emptier zones first', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const zones = ['a', 'a', 'b'];
    for (let i = 0; i < 3; i++) await c.store.guaranteedUpdate(R.nodes, undefined, `skiff-node-${i}`, (n) => { n.metadata.labels = { ...(n.metadata.labels ?? {}), 'topology.kubernetes.io/zone': zones[i] }; return n; });
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'z' } } }] };
    const perZone: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 4; i++) {
      await c.store.create(R.pods, 'default', mk(`z${i}`, { app: 'z' }, spread));
      await c.until(async () => !!(await nodeOf(c, `z${i}`)), { what: `z${i} placed` });
      perZone[zones[Number((await nodeOf(c, `z${i}`))!.split('-').pop())]]++;
    }
    assert.deepEqual(perZone, { a: 2, b: 2 }, 'two zones, two pods each (node count alone would favour zone a)');
  } finally { await c.close(); }
});
