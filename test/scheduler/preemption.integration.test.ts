// Preemption on the fake-clock cluster (simulated nodes: 16 cpu each): a high-priority pod that
// fits nowhere evicts just enough lower-priority pods, honouring PDBs, and is placed once they are
// gone; preemptionPolicy Never and equal priorities preempt nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { Cluster } from '../controllers/harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const pcR = findResource('scheduling.k8s.io', 'v1', 'priorityclasses')!;
const pdbR = findResource('policy', 'v1', 'poddisruptionbudgets')!;
const NODE0 = 'skiff-node-0', NODE1 = 'skiff-node-1';

async function classes(c: Cluster): Promise<void> {
  for (const [name, value, preemptionPolicy] of [['low', 10], ['mid', 20], ['high', 1000], ['high-never', 1000, 'Never']] as const) {
    await c.store.create(pcR, undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...(preemptionPolicy ? { preemptionPolicy } : {}) });
  }
}

const pod = (name: string, cpu: string, o: { pc?: string; node?: string; labels?: Record<string, string> } = {}): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: o.labels ?? {} },
  spec: {
    ...(o.pc ? { priorityClassName: o.pc } : {}), ...(o.node ? { nodeName: o.node } : {}),
    // An image the catalogue does not know: these pods follow the stage table (victims terminate over the
    // capped grace period), which is what the preemption steps below observe.
    containers: [{ name: 'c', image: 'registry.example/app:1', resources: { requests: { cpu } } }],
  },
});

const get = (c: Cluster, name: string) => c.store.get(R.pods, 'default', name).catch(() => undefined);
const running = async (c: Cluster, names: string[]) => (await Promise.all(names.map((n) => get(c, n)))).every((p) => p?.status?.phase === 'Running');
const schedMessage = (p: KObject | undefined) => (p?.status?.conditions ?? []).find((x: { type: string }) => x.type === 'PodScheduled')?.message as string | undefined;
const events = async (c: Cluster, reason: string) => (await c.list(R.events, 'default')).filter((e) => e.reason === reason);

test('a high-priority pod evicts just enough low-priority pods and runs on their node', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await classes(c);
    for (const n of ['low-0', 'low-1', 'low-2', 'low-3']) {
      await c.store.create(R.pods, 'default', pod(n, '4', { pc: 'low' }));
      await c.until(() => running(c, [n]), { what: `${n} running` });
      c.clock.advance(1000); // distinct start times: low-0 is the most important of equals
    }
    await c.store.create(R.pods, 'default', pod('high', '6', { pc: 'high' }));
    await c.until(async () => (await get(c, 'high'))?.status?.nominatedNodeName === NODE0, { stepMs: 10, what: 'high nominated' });
    // Victims: the two least important (latest started); they carry DisruptionTarget while they terminate.
    const gone = await Promise.all(['low-2', 'low-3'].map((n) => get(c, n)));
    for (const v of gone) {
      assert.ok(v, 'victims are still terminating');
      assert.ok(v.metadata.deletionTimestamp, `${v.metadata.name} is being deleted`);
      const dt = v.status.conditions.find((x: { type: string }) => x.type === 'DisruptionTarget');
      assert.equal(dt?.reason, 'PreemptionByScheduler');
      assert.equal(dt?.message, 'default-scheduler: preempting to accommodate a higher priority pod');
    }
    assert.equal(schedMessage(await get(c, 'high')), '0/1 nodes are available: 1 Insufficient cpu.');
    // Retried while its victims terminate (a placed pod's labels change), it waits instead of preempting more.
    await c.store.guaranteedUpdate(R.pods, 'default', 'low-0', (p) => { p.metadata.labels = { touched: 'yes' }; return p; });
    await c.until(async () => schedMessage(await get(c, 'high'))?.includes('preemption: ') === true, { stepMs: 10, what: 'high retried' });
    assert.equal(schedMessage(await get(c, 'high')),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.');
    assert.ok(!(await get(c, 'low-0'))?.metadata.deletionTimestamp && !(await get(c, 'low-1'))?.metadata.deletionTimestamp);
    await c.until(async () => (await get(c, 'high'))?.spec?.nodeName === NODE0, { what: 'high placed' });
    await c.until(() => running(c, ['high']), { what: 'high running' });
    assert.equal(await get(c, 'low-2'), undefined);
    assert.equal(await get(c, 'low-3'), undefined);
    assert.ok(await running(c, ['low-0', 'low-1']), 'the two most important low pods are spared');
    const uid = (await get(c, 'high'))!.metadata.uid;
    const pre = await events(c, 'Preempted');
    assert.deepEqual(pre.map((e) => e.involvedObject.name).sort(), ['low-2', 'low-3']);
    for (const e of pre) { assert.equal(e.message, `Preempted by pod ${uid} on node ${NODE0}`); assert.equal(e.source.component, 'default-scheduler'); }
  } finally { await c.close(); }
});

test('pods of lower priority do not take the room freed for a nominated pod', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await classes(c);
    await c.store.create(R.pods, 'default', pod('low-0', '12', { pc: 'low' }));
    await c.until(() => running(c, ['low-0']), { what: 'low-0 running' });
    await c.store.create(R.pods, 'default', pod('high', '12', { pc: 'high' }));
    await c.until(async () => (await get(c, 'high'))?.status?.nominatedNodeName === NODE0, { stepMs: 10, what: 'high nominated' });
    await c.store.create(R.pods, 'default', pod('mid', '8', { pc: 'mid' })); // would fit once low-0 is gone
    await c.until(async () => (await get(c, 'high'))?.spec?.nodeName === NODE0, { what: 'high placed' });
    await c.until(async () => !!schedMessage(await get(c, 'mid')), { what: 'mid unschedulable' });
    assert.equal((await get(c, 'mid'))?.spec?.nodeName, undefined);
    assert.equal(schedMessage(await get(c, 'mid')),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  } finally { await c.close(); }
});

test('preemptionPolicy Never and equal priority preempt nothing', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await classes(c);
    await c.store.create(R.pods, 'default', pod('low-0', '12', { pc: 'low' }));
    await c.store.create(R.pods, 'default', pod('high-0', '4', { pc: 'high' }));
    await c.until(() => running(c, ['low-0', 'high-0']), { what: 'fillers running' });
    await c.store.create(R.pods, 'default', pod('never', '8', { pc: 'high-never' }));
    await c.store.create(R.pods, 'default', pod('peer', '8', { pc: 'low' }));
    await c.until(async () => !!schedMessage(await get(c, 'never')) && !!schedMessage(await get(c, 'peer')), { what: 'both unschedulable' });
    assert.equal(schedMessage(await get(c, 'never')), '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
    assert.equal(schedMessage(await get(c, 'peer')),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    // A pod that needs more than the lower-priority pods free does not evict them either.
    await c.store.create(R.pods, 'default', pod('big', '14', { pc: 'high' }));
    await c.until(async () => !!schedMessage(await get(c, 'big')), { what: 'big unschedulable' });
    assert.equal(schedMessage(await get(c, 'big')),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.');
    for (let i = 0; i < 20; i++) { c.clock.advance(100); await c.settle(); }
    assert.ok(await running(c, ['low-0', 'high-0']));
    assert.equal((await events(c, 'Preempted')).length, 0);
    assert.equal((await get(c, 'never'))?.status?.nominatedNodeName, undefined);
  } finally { await c.close(); }
});

test('victims are chosen so that PodDisruptionBudgets are not violated, within a node and between nodes', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await classes(c);
    // skiff-node-0: two low pods, the later-started one guarded by a PDB that allows no disruption.
    await c.store.create(R.pods, 'default', pod('free-0', '8', { pc: 'low', node: NODE0 }));
    await c.until(() => running(c, ['free-0']), { what: 'free-0 running' });
    c.clock.advance(1000);
    await c.store.create(R.pods, 'default', pod('guarded-0', '8', { pc: 'low', node: NODE0, labels: { app: 'guarded' } }));
    // skiff-node-1: mid-priority pods (a worse choice by priority), one of them also guarded.
    await c.store.create(R.pods, 'default', pod('mid-1', '8', { pc: 'mid', node: NODE1 }));
    await c.store.create(R.pods, 'default', pod('guarded-1', '8', { pc: 'mid', node: NODE1, labels: { app: 'guarded' } }));
    await c.store.create(pdbR, 'default', { metadata: { name: 'guarded' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'guarded' } } } });
    await c.until(async () => (await c.store.get(pdbR, 'default', 'guarded')).status?.currentHealthy === 2, { what: 'pdb status' });
    assert.equal((await c.store.get(pdbR, 'default', 'guarded')).status.disruptionsAllowed, 0);

    await c.store.create(R.pods, 'default', pod('high', '8', { pc: 'high' }));
    await c.until(async () => (await get(c, 'high'))?.spec?.nodeName !== undefined, { what: 'high placed' });
    // Both nodes can make room without a PDB violation; node-0's victims have the lower priority.
    // Within node-0 the guarded pod is reprieved first, although free-0 started earlier.
    assert.equal((await get(c, 'high'))!.spec.nodeName, NODE0);
    assert.equal(await get(c, 'free-0'), undefined);
    assert.ok(await running(c, ['guarded-0', 'mid-1', 'guarded-1']));

    // Now every way to make room on either node violates the PDB or takes mid pods: the
    // next high pod takes the node where the budget holds (node-1: mid-1), not guarded-0.
    await c.store.create(R.pods, 'default', pod('high-2', '8', { pc: 'high' }));
    await c.until(async () => (await get(c, 'high-2'))?.spec?.nodeName !== undefined, { what: 'high-2 placed' });
    assert.equal((await get(c, 'high-2'))!.spec.nodeName, NODE1);
    assert.equal(await get(c, 'mid-1'), undefined);
    await c.until(() => running(c, ['guarded-0', 'guarded-1', 'high']), { what: 'others running' });
  } finally { await c.close(); }
});

test('inter-pod anti-affinity is resolved by preempting the lower-priority pods it concerns', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await classes(c);
    const anti = (app: string) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: 'kubernetes.io/hostname' }] } });
    // The incoming pod's own anti-affinity: only the matching low pod goes.
    await c.store.create(R.pods, 'default', pod('db', '1', { pc: 'low', labels: { app: 'db' } }));
    await c.store.create(R.pods, 'default', pod('other', '1', { pc: 'low', labels: { app: 'other' } }));
    await c.until(() => running(c, ['db', 'other']), { what: 'low pods running' });
    const loner = pod('loner', '1', { pc: 'high', labels: { app: 'web' } });
    loner.spec.affinity = anti('db');
    await c.store.create(R.pods, 'default', loner);
    await c.until(async () => (await get(c, 'loner'))?.spec?.nodeName === NODE0, { what: 'loner placed' });
    assert.equal(await get(c, 'db'), undefined);
    // A placed pod's anti-affinity against the incoming pod: that placed pod goes.
    const picky = pod('picky', '1', { pc: 'low', labels: { app: 'picky' } });
    picky.spec.affinity = anti('api');
    await c.store.create(R.pods, 'default', picky);
    await c.until(() => running(c, ['picky']), { what: 'picky running' });
    await c.store.create(R.pods, 'default', pod('api', '1', { pc: 'high', labels: { app: 'api' } }));
    await c.until(async () => (await get(c, 'api'))?.spec?.nodeName === NODE0, { what: 'api placed' });
    assert.equal(await get(c, 'picky'), undefined);
    assert.ok(await running(c, ['other', 'loner']));
  } finally { await c.close(); }
});

test('topology spread skew is resolved by preempting matching lower-priority pods', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await classes(c);
    const s = { app: 's' };
    // node-0: two low app=s pods; node-1: one mid app=s pod using all its cpu.
    await c.store.create(R.pods, 'default', pod('s-0', '4', { pc: 'low', node: NODE0, labels: s }));
    await c.store.create(R.pods, 'default', pod('s-1', '4', { pc: 'low', node: NODE0, labels: s }));
    await c.store.create(R.pods, 'default', pod('s-big', '16', { pc: 'mid', node: NODE1, labels: s }));
    await c.until(() => running(c, ['s-0', 's-1', 's-big']), { what: 'fillers running' });
    const spread = pod('s-high', '1', { pc: 'high', labels: s });
    spread.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: s } }];
    await c.store.create(R.pods, 'default', spread);
    // node-0 fails on skew (2+1-1), node-1 on cpu; one low pod off node-0 beats the mid pod off node-1.
    await c.until(async () => (await get(c, 's-high'))?.spec?.nodeName !== undefined, { what: 's-high placed' });
    assert.equal((await get(c, 's-high'))!.spec.nodeName, NODE0);
    const left = (await Promise.all(['s-0', 's-1'].map((n) => get(c, n)))).filter(Boolean);
    assert.equal(left.length, 1, 'exactly one low pod was preempted');
    assert.ok(await running(c, ['s-big']));
  } finally { await c.close(); }
});

test('a higher-priority preemptor takes over the node and clears a lower nominated pod', async () => {
  const c = await startCluster({ nodes: 1 });
  try {
    await classes(c);
    await c.store.create(R.pods, 'default', pod('low-0', '12', { pc: 'low' }));
    await c.until(() => running(c, ['low-0']), { what: 'low-0 running' });
    await c.store.create(R.pods, 'default', pod('mid', '8', { pc: 'mid' }));
    await c.until(async () => (await get(c, 'mid'))?.status?.nominatedNodeName === NODE0, { stepMs: 10, what: 'mid nominated' });
    await c.store.create(R.pods, 'default', pod('high', '10', { pc: 'high' }));
    await c.until(async () => (await get(c, 'high'))?.status?.nominatedNodeName === NODE0, { stepMs: 10, what: 'high nominated' });
    assert.equal((await get(c, 'mid'))?.status?.nominatedNodeName, undefined);
    await c.until(async () => (await get(c, 'high'))?.spec?.nodeName === NODE0, { what: 'high placed' });
    await c.until(async () => schedMessage(await get(c, 'mid'))?.includes('preemption: 0/1') === true, { what: 'mid retried' });
    assert.equal((await get(c, 'mid'))?.spec?.nodeName, undefined);
  } finally { await c.close(); }
});
