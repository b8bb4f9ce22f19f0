// Inter-pod (anti-)affinity and host ports through the whole control plane on the fake clock:
// 3 simulated nodes (skiff-node-0..2, labelled kubernetes.io/hostname).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';

type C = Awaited<ReturnType<typeof startCluster>>;
const HOST = 'kubernetes.io/hostname';
const term = (labels: Record<string, string>, topologyKey = HOST) => ({ labelSelector: { matchLabels: labels }, topologyKey });
const mk = (name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): KObject =>
  ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const antiTo = (labels: Record<string, string>) => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(labels)] } } });
const affineTo = (labels: Record<string, string>) => ({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(labels)] } } });
const get = (c: C, n: string) => c.store.get(R.pods, 'default', n);
const nodeOf = async (c: C, n: string) => (await get(c, n)).spec.nodeName as string | undefined;
async function unschedulableMessage(c: C, n: string): Promise<string> {
  await c.until(async () => (await get(c, n)).status?.conditions?.some((x: { type: string; reason?: string }) => x.type === 'PodScheduled' && x.reason === 'Unschedulable'), { what: `${n} unschedulable` });
  return (await get(c, n)).status.conditions.find((x: { type: string }) => x.type === 'PodScheduled').message;
}

test('required anti-affinity spreads pods one per node; the fourth waits and is placed when one is deleted', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    for (const n of ['w0', 'w1', 'w2']) await c.store.create(R.pods, 'default', mk(n, { app: 'web' }, antiTo({ app: 'web' })));
    await c.until(async () => !!(await nodeOf(c, 'w0')) && !!(await nodeOf(c, 'w1')) && !!(await nodeOf(c, 'w2')), { what: 'placed' });
    const nodes = new Set([await nodeOf(c, 'w0'), await nodeOf(c, 'w1'), await nodeOf(c, 'w2')]);
    assert.equal(nodes.size, 3);
    await c.store.create(R.pods, 'default', mk('w3', { app: 'web' }, antiTo({ app: 'web' })));
    assert.equal(await unschedulableMessage(c, 'w3'), "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    const freed = await nodeOf(c, 'w1');
    await c.store.delete(R.pods, 'default', 'w1', { gracePeriodSeconds: 0 });
    await c.until(async () => (await nodeOf(c, 'w3')) === freed, { what: 'w3 placed on the freed node' });
  } finally { await c.close(); }
});

test('an existing pod\'s anti-affinity keeps matching pods off its node', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    await c.store.create(R.pods, 'default', mk('loner', { app: 'loner' }, antiTo({ app: 'noisy' })));
    await c.until(async () => !!(await nodeOf(c, 'loner')), { what: 'loner placed' });
    const lonerNode = await nodeOf(c, 'loner');
    for (let i = 0; i < 6; i++) await c.store.create(R.pods, 'default', mk(`noisy${i}`, { app: 'noisy' }));
    await c.until(async () => { for (let i = 0; i < 6; i++) if (!(await nodeOf(c, `noisy${i}`))) return false; return true; }, { what: 'noisy placed' });
    for (let i = 0; i < 6; i++) assert.notEqual(await nodeOf(c, `noisy${i}`), lonerNode);
  } finally { await c.close(); }
});

test('required pod affinity: waits for a matching pod, then joins its node', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    await c.store.create(R.pods, 'default', mk('cache', { app: 'cache' }, affineTo({ app: 'db' })));
    assert.equal(await unschedulableMessage(c, 'cache'), "0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    await c.store.create(R.pods, 'default', mk('db', { app: 'db' }, { nodeSelector: { [HOST]: 'skiff-node-2' } }));
    await c.until(async () => (await nodeOf(c, 'cache')) === 'skiff-node-2', { what: 'cache follows db' });
    // A pod with affinity to its own group may start the group anywhere.
    await c.store.create(R.pods, 'default', mk('first', { app: 'grp' }, affineTo({ app: 'grp' })));
    await c.until(async () => !!(await nodeOf(c, 'first')), { what: 'first of a group placed' });
  } finally { await c.close(); }
});

test('host ports: a fourth pod asking for the same hostPort finds no node', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const ports = { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] };
    for (let i = 0; i < 3; i++) await c.store.create(R.pods, 'default', mk(`hp${i}`, {}, ports));
    await c.store.create(R.pods, 'default', mk('hp3', {}, ports));
    assert.equal(await unschedulableMessage(c, 'hp3'), "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    const used = new Set([await nodeOf(c, 'hp0'), await nodeOf(c, 'hp1'), await nodeOf(c, 'hp2')]);
    assert.equal(used.size, 3);
  } finally { await c.close(); }
});

test('topology spread (DoNotSchedule, maxSkew 1 over hostnames) places 6 pods 2/2/2', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 's' } } }] };
    for (let i = 0; i < 6; i++) await c.store.create(R.pods, 'default', mk(`s${i}`, { app: 's' }, spread));
    await c.until(async () => { for (let i = 0; i < 6; i++) if (!(await nodeOf(c, `s${i}`))) return false; return true; }, { what: 'spread placed' });
    const per = new Map<string, number>();
    for (let i = 0; i < 6; i++) { const n = (await nodeOf(c, `s${i}`))!; per.set(n, (per.get(n) ?? 0) + 1); }
    assert.deepEqual([...per.values()], [2, 2, 2]);
  } finally { await c.close(); }
});

test('topology spread refuses a second pod pinned to the same node (nodeAffinityPolicy Ignore keeps all 3 domains)', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const spec = {
      nodeSelector: { [HOST]: 'skiff-node-0' },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule', nodeAffinityPolicy: 'Ignore', labelSelector: { matchLabels: { app: 'pin' } } }],
    };
    await c.store.create(R.pods, 'default', mk('pin0', { app: 'pin' }, spec));
    await c.until(async () => (await nodeOf(c, 'pin0')) === 'skiff-node-0', { what: 'pin0 placed' });
    await c.store.create(R.pods, 'default', mk('pin1', { app: 'pin' }, spec));
    assert.equal(await unschedulableMessage(c, 'pin1'),
      "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
  } finally { await c.close(); }
});

test('scores: preferred node affinity chooses its node; a PreferNoSchedule taint is avoided', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const pref = { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: HOST, operator: 'In', values: ['skiff-node-1'] }] } }] } } };
    await c.store.create(R.pods, 'default', mk('pref', {}, pref));
    await c.until(async () => !!(await nodeOf(c, 'pref')), { what: 'pref placed' });
    assert.equal(await nodeOf(c, 'pref'), 'skiff-node-1');
    for (const n of ['skiff-node-0', 'skiff-node-2']) {
      await c.store.guaranteedUpdate(R.nodes, undefined, n, (x) => { x.spec.taints = [...(x.spec.taints ?? []), { key: 'soft', effect: 'PreferNoSchedule' }]; return x; });
    }
    for (let i = 0; i < 3; i++) await c.store.create(R.pods, 'default', mk(`soft${i}`, {}));
    await c.until(async () => { for (let i = 0; i < 3; i++) if (!(await nodeOf(c, `soft${i}`))) return false; return true; }, { what: 'soft placed' });
    for (let i = 0; i < 3; i++) assert.equal(await nodeOf(c, `soft${i}`), 'skiff-node-1');
  } finally { await c.close(); }
});
