// The scheduler's index of placed pods follows the cluster: a relabelled pod, a deleted pod, a
// relabelled node and a relabelled namespace change where affinity lets the next pod go, through
// the whole control plane on the fake clock (3 simulated nodes skiff-node-0..2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';

type C = Awaited<ReturnType<typeof startCluster>>;
const HOST = 'kubernetes.io/hostname', ZONE = 'topology.kubernetes.io/zone';
const term = (labels: Record<string, string>, topologyKey = HOST, extra: Record<string, unknown> = {}) => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const mk = (name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}): KObject =>
  ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const on = (node: string) => ({ nodeSelector: { [HOST]: node } });
const anti = (...terms: unknown[]) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const nodeOf = async (c: C, n: string, ns = 'default') => (await c.store.get(R.pods, ns, n)).spec.nodeName as string | undefined;
const placed = (c: C, n: string, node: string, ns = 'default') => c.until(async () => (await nodeOf(c, n, ns)) === node, { what: `${n} on ${node}` });
async function unschedulableMessage(c: C, n: string): Promise<string> {
  const cond = async () => ((await c.store.get(R.pods, 'default', n)).status?.conditions ?? []).find((x: { type: string; reason?: string }) => x.type === 'PodScheduled' && x.reason === 'Unschedulable');
  await c.until(async () => !!(await cond()), { what: `${n} unschedulable` });
  return (await cond()).message;
}
const relabel = (c: C, name: string, labels: Record<string, string>) =>
  c.store.guaranteedUpdate(R.pods, 'default', name, (p) => { p.metadata.labels = labels; return p; });

test('a placed pod relabelled out of a selector stops counting; relabelled back it counts again', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    for (let i = 0; i < 3; i++) await c.store.create(R.pods, 'default', mk(`web${i}`, { app: 'web' }, on(`skiff-node-${i}`)));
    for (let i = 0; i < 3; i++) await placed(c, `web${i}`, `skiff-node-${i}`);
    await c.store.create(R.pods, 'default', mk('avoid', { app: 'avoid' }, { affinity: anti(term({ app: 'web' })) }));
    assert.equal(await unschedulableMessage(c, 'avoid'), "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    await relabel(c, 'web1', { app: 'old' });
    await placed(c, 'avoid', 'skiff-node-1');
    // Back in the selector: a second pod avoiding web pods finds no node again.
    await relabel(c, 'web1', { app: 'web' });
    await c.store.create(R.pods, 'default', mk('avoid2', { app: 'avoid' }, { affinity: anti(term({ app: 'web' })) }));
    assert.equal(await unschedulableMessage(c, 'avoid2'), "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
  } finally { await c.close(); }
});

test('a deleted pod\'s anti-affinity stops guarding its node', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    await c.store.create(R.pods, 'default', mk('loner', { app: 'loner' }, { ...on('skiff-node-0'), affinity: anti(term({ app: 'noisy' })) }));
    await placed(c, 'loner', 'skiff-node-0');
    await c.store.create(R.pods, 'default', mk('noisy', { app: 'noisy' }, on('skiff-node-0')));
    assert.equal(await unschedulableMessage(c, 'noisy'),
      "0/3 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
    await c.store.delete(R.pods, 'default', 'loner', { gracePeriodSeconds: 0 });
    await placed(c, 'noisy', 'skiff-node-0');
  } finally { await c.close(); }
});

test('a relabelled node takes its pods to its new topology domain', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const zones = ['z1', 'z1', 'z2'];
    for (let i = 0; i < 3; i++) await c.store.guaranteedUpdate(R.nodes, undefined, `skiff-node-${i}`, (n) => { n.metadata.labels = { ...n.metadata.labels, [ZONE]: zones[i] }; return n; });
    await c.store.create(R.pods, 'default', mk('db', { app: 'db' }, on('skiff-node-0')));
    await placed(c, 'db', 'skiff-node-0');
    // skiff-node-0 alone in z3 now: a pod that must share db's zone can only go there (a stale
    // index would still count db in z1 and send it to skiff-node-1).
    await c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-0', (n) => { n.metadata.labels = { ...n.metadata.labels, [ZONE]: 'z3' }; return n; });
    await c.settle();
    for (const name of ['cache0', 'cache1']) {
      await c.store.create(R.pods, 'default', mk(name, { app: 'cache' }, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, ZONE)] } } }));
      await placed(c, name, 'skiff-node-0');
    }
  } finally { await c.close(); }
});

test('a relabelled namespace changes what a namespaceSelector term counts', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    await c.store.create(R.namespaces, undefined, { metadata: { name: 'other' } });
    await c.store.create(R.pods, 'other', mk('web', { app: 'web' }, on('skiff-node-0')));
    await placed(c, 'web', 'skiff-node-0', 'other');
    const avoidTeamA = { ...on('skiff-node-0'), affinity: anti(term({ app: 'web' }, HOST, { namespaceSelector: { matchLabels: { team: 'a' } } })) };
    await c.store.create(R.pods, 'default', mk('x1', { app: 'x' }, avoidTeamA));
    await placed(c, 'x1', 'skiff-node-0'); // "other" is not team a yet
    await c.store.guaranteedUpdate(R.namespaces, undefined, 'other', (n) => { n.metadata.labels = { ...n.metadata.labels, team: 'a' }; return n; });
    await c.settle();
    await c.store.create(R.pods, 'default', mk('x2', { app: 'x' }, avoidTeamA));
    assert.equal(await unschedulableMessage(c, 'x2'),
      "0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
  } finally { await c.close(); }
});

test('a terminating pod stops counting for topology spread as soon as it is deleted', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const spread = (node: string) => ({
      ...on(node),
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule', nodeAffinityPolicy: 'Ignore', labelSelector: { matchLabels: { app: 's' } } }],
    });
    for (let i = 0; i < 3; i++) await c.store.create(R.pods, 'default', mk(`s${i}`, { app: 's' }, spread(`skiff-node-${i}`)));
    for (let i = 0; i < 3; i++) await placed(c, `s${i}`, `skiff-node-${i}`);
    // s0 is Terminating for its grace period; it no longer counts, so skiff-node-1 (1 pod) is 2 ahead.
    await c.store.delete(R.pods, 'default', 's0', { gracePeriodSeconds: 30 });
    await c.store.create(R.pods, 'default', mk('s3', { app: 's' }, spread('skiff-node-1')));
    assert.equal(await unschedulableMessage(c, 's3'),
      "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.");
    assert.ok((await c.store.get(R.pods, 'default', 's0')).metadata.deletionTimestamp, 's0 still terminating');
  } finally { await c.close(); }
});
