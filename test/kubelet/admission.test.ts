// The kubelet's admission of pods bound straight to a node: a hostPort another admitted pod holds
// gets the pod refused (Failed, NodePorts, a Warning event) as upstream's predicate admit handler
// does; a free port, another protocol or a disjoint hostIP is admitted; a refused pod can be deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { Cluster } from '../controllers/harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { admissionFailure } from '../../src/kubelet/admission.ts';

const port = (hostPort: number, extra: Record<string, unknown> = {}) => ({ containerPort: hostPort, hostPort, ...extra });
const pod = (name: string, node: string, ports: Record<string, unknown>[]): KObject => ({
  metadata: { name },
  spec: { nodeName: node, containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10', ports }] },
});
const get = (c: Cluster, name: string) => c.store.get(R.pods, 'default', name);
const phase = async (c: Cluster, name: string) => (await get(c, name)).status?.phase;
const firstNode = async (c: Cluster) => (await c.list(R.nodes))[0].metadata.name!;

test('admissionFailure: clashes only on the same port, protocol and an overlapping hostIP', () => {
  const p = (uid: string, ports: Record<string, unknown>[], status?: Record<string, unknown>) =>
    ({ metadata: { uid, name: uid }, spec: { containers: [{ name: 'c', ports }] }, status }) as any;
  const held = [p('a', [port(80)]), p('b', [port(53, { protocol: 'UDP', hostIP: '10.0.0.1' })])];
  assert.deepEqual(admissionFailure(p('x', [port(80)]), held), { reason: 'NodePorts', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" });
  assert.equal(admissionFailure(p('x', [port(80, { protocol: 'UDP' })]), held), undefined);
  assert.equal(admissionFailure(p('x', [port(81)]), held), undefined);
  assert.equal(admissionFailure(p('x', [port(53, { protocol: 'UDP', hostIP: '10.0.0.2' })]), held), undefined);
  assert.ok(admissionFailure(p('x', [port(53, { protocol: 'UDP' })]), held), '0.0.0.0 overlaps every address');
  assert.equal(admissionFailure(p('x', [{ containerPort: 80 }]), held), undefined, 'no hostPort, nothing to clash');
  assert.equal(admissionFailure(p('a', [port(80)]), held), undefined, 'a pod never clashes with itself');
  // Init containers' host ports count too; malformed entries (no ports list, hostPort 0) are ignored.
  const init = { metadata: { uid: 'i', name: 'i' }, spec: { initContainers: [{ name: 'i', ports: [port(80)] }], containers: [{ name: 'c', ports: [{ hostPort: 0 }] }, { name: 'd' }] } } as any;
  assert.ok(admissionFailure(init, held));
  assert.equal(admissionFailure({ metadata: { uid: 'e' }, spec: {} } as any, held), undefined);
});

test('a pod asking for a hostPort held on its node is refused: Failed, NodePorts, Warning event', async () => {
  const c = await startCluster();
  try {
    const node = await firstNode(c);
    await c.store.create(R.pods, 'default', pod('holder', node, [port(21017)]));
    await c.until(async () => (await phase(c, 'holder')) === 'Running', { what: 'holder running' });
    await c.store.create(R.pods, 'default', pod('clash', node, [port(21017)]));
    await c.store.create(R.pods, 'default', pod('udp', node, [port(21017, { protocol: 'UDP' })]));
    await c.until(async () => (await phase(c, 'clash')) === 'Failed' && (await phase(c, 'udp')) === 'Running', { what: 'clash refused, udp running' });
    const st = (await get(c, 'clash')).status;
    assert.equal(st.reason, 'NodePorts');
    assert.equal(st.message, "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
    assert.equal(st.qosClass, 'BestEffort');
    assert.equal(st.containerStatuses, undefined, 'nothing ran');
    const ev = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.name === 'clash');
    assert.deepEqual(ev.map((e) => `${e.type} ${e.reason}: ${e.message}`), ["Warning NodePorts: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"]);
    // It stays refused; deleting it removes it.
    c.clock.advance(30_000); await c.settle();
    assert.equal(await phase(c, 'clash'), 'Failed');
    await c.store.delete(R.pods, 'default', 'clash', {});
    await c.until(async () => !(await c.store.tryGet(R.pods, 'default', 'clash')), { what: 'refused pod removed' });
    // Once the holder is gone the port is free again.
    await c.store.delete(R.pods, 'default', 'holder', { gracePeriodSeconds: 0 });
    await c.until(async () => !(await c.store.tryGet(R.pods, 'default', 'holder')), { what: 'holder gone' });
    await c.store.create(R.pods, 'default', pod('clash', node, [port(21017)]));
    await c.until(async () => (await phase(c, 'clash')) === 'Running', { what: 'second try runs' });
  } finally { await c.close(); }
});

test('two pods with the same hostPort arriving together: the first admitted runs, the second is refused', async () => {
  const c = await startCluster();
  try {
    const node = await firstNode(c);
    await Promise.all([c.store.create(R.pods, 'default', pod('a', node, [port(8080)])), c.store.create(R.pods, 'default', pod('b', node, [port(8080)]))]);
    await c.until(async () => !!(await phase(c, 'a')) && ['Running', 'Failed'].includes(await phase(c, 'b')) && ['Running', 'Failed'].includes(await phase(c, 'a')), { what: 'both settled' });
    const phases = [await phase(c, 'a'), await phase(c, 'b')].sort();
    assert.deepEqual(phases, ['Failed', 'Running']);
  } finally { await c.close(); }
});

test('a terminal pod no longer holds its hostPort', async () => {
  const c = await startCluster();
  try {
    const node = await firstNode(c);
    await c.store.create(R.pods, 'default', { ...pod('done', node, [port(9090)]), metadata: { name: 'done', annotations: { 'skiff.dev/run-seconds': '1' } }, spec: { ...pod('done', node, [port(9090)]).spec, restartPolicy: 'Never' } });
    await c.until(async () => (await phase(c, 'done')) === 'Succeeded', { what: 'done succeeded' });
    await c.store.create(R.pods, 'default', pod('next', node, [port(9090)]));
    await c.until(async () => (await phase(c, 'next')) === 'Running', { what: 'next running' });
  } finally { await c.close(); }
});
