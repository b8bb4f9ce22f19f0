// spec.readinessGates on both simulated kubelets (the stage table and the container runtime): with its
// containers ready a pod stays Ready False (ReadinessGatesNotReady, upstream's messages) until every
// gate's condition is True, and the kubelet writes Ready again when another client changes one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { Cluster } from '../controllers/harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import type { Pod } from '../../src/types/generated.ts';
import { gatesOutOfDate, readyCondition, unmetGates } from '../../src/kubelet/readiness-gates.ts';

const withGates = (gates: string[], conditions: { type: string; status: string }[], ready?: Record<string, string>): Pod => ({
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c' }], readinessGates: gates.map((conditionType) => ({ conditionType })) },
  status: { conditions: [...conditions, { type: 'ContainersReady', status: 'True' }, ...(ready ? [{ type: 'Ready', ...ready }] : [])] },
} as Pod);

test('unmetGates: upstream messages for a missing and a not-True gate, joined with ", "', () => {
  const p = withGates(['a.example/one', 'b.example/two', 'c.example/three'], [{ type: 'b.example/two', status: 'False' }, { type: 'c.example/three', status: 'True' }]);
  assert.equal(unmetGates(p, p.status!.conditions as any),
    'corresponding condition of pod readiness gate "a.example/one" does not exist., the status of pod readiness gate "b.example/two" is not "True", but False');
  assert.equal(unmetGates(withGates([], []), []), '');
  const unknown = withGates(['x'], [{ type: 'x', status: 'Unknown' }]);
  assert.equal(unmetGates(unknown, unknown.status!.conditions as any), 'the status of pod readiness gate "x" is not "True", but Unknown');
});

test('readyCondition and gatesOutOfDate', () => {
  const open = withGates(['x'], [{ type: 'x', status: 'True' }]);
  assert.deepEqual(readyCondition(open, open.status!.conditions as any, 'T'), { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: 'T' });
  const shut = withGates(['x'], []);
  assert.equal(readyCondition(shut, shut.status!.conditions as any, 'T').reason, 'ReadinessGatesNotReady');
  // Ready True while the gate is missing: out of date; Ready False with the same message: up to date.
  assert.equal(gatesOutOfDate(withGates(['x'], [], { status: 'True' })), true);
  assert.equal(gatesOutOfDate(withGates(['x'], [], { status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "x" does not exist.' })), false);
  // The gate went from False to missing: the message differs, so Ready is written again.
  assert.equal(gatesOutOfDate(withGates(['x'], [], { status: 'False', reason: 'ReadinessGatesNotReady', message: 'the status of pod readiness gate "x" is not "True", but False' })), true);
  assert.equal(gatesOutOfDate(withGates(['x'], [{ type: 'x', status: 'True' }], { status: 'True' })), false);
  // No gates, or containers not ready: never.
  assert.equal(gatesOutOfDate(withGates([], [], { status: 'False' })), false);
  const notReady = withGates(['x'], [], { status: 'True' });
  notReady.status!.conditions!.find((c) => c.type === 'ContainersReady')!.status = 'False';
  assert.equal(gatesOutOfDate(notReady), false);
});

const cond = async (c: Cluster, name: string, type: string) =>
  ((await c.store.get(R.pods, 'default', name)).status?.conditions ?? []).find((x: { type: string }) => x.type === type);

/** Set (or remove, status undefined) condition `type` through pods/status, as a gate's controller does. */
async function setGate(c: Cluster, name: string, type: string, status: string | undefined): Promise<void> {
  await c.store.guaranteedUpdate(R.pods, 'default', name, (cur: KObject) => {
    const conds = (cur.status.conditions ?? []).filter((x: { type: string }) => x.type !== type);
    if (status) conds.push({ type, status, lastProbeTime: null, lastTransitionTime: new Date(c.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z') });
    cur.status.conditions = conds;
    delete cur.metadata.resourceVersion; // retried on a conflict with the kubelet's own writes
    return cur;
  }, { subresource: 'status' });
}

for (const [kubelet, containers] of [
  ['stage table', [{ name: 'web', image: 'example.com/app:1' }]],
  ['container runtime', [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }]],
] as const) {
  test(`${kubelet}: Ready follows the readiness gates once the containers are ready`, async () => {
    const c = await startCluster();
    try {
      await c.store.create(R.pods, 'default', { metadata: { name: 'gated' }, spec: { containers, readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] } });
      await c.until(async () => (await cond(c, 'gated', 'ContainersReady'))?.status === 'True', { what: 'containers ready' });
      let ready = await cond(c, 'gated', 'Ready');
      assert.equal(ready.status, 'False');
      assert.equal(ready.reason, 'ReadinessGatesNotReady');
      assert.equal(ready.message, 'corresponding condition of pod readiness gate "example.com/lb" does not exist., corresponding condition of pod readiness gate "example.com/dns" does not exist.');

      await setGate(c, 'gated', 'example.com/lb', 'True');
      await setGate(c, 'gated', 'example.com/dns', 'False');
      await c.until(async () => (await cond(c, 'gated', 'Ready'))?.message === 'the status of pod readiness gate "example.com/dns" is not "True", but False', { what: 'one gate unmet' });
      assert.equal((await cond(c, 'gated', 'Ready')).status, 'False');

      await setGate(c, 'gated', 'example.com/dns', 'True');
      await c.until(async () => (await cond(c, 'gated', 'Ready'))?.status === 'True', { what: 'Ready' });
      ready = await cond(c, 'gated', 'Ready');
      assert.equal(ready.reason, undefined);
      assert.equal(ready.message, undefined);
      // The gates' own conditions are kept as the other controller wrote them.
      assert.equal((await cond(c, 'gated', 'example.com/lb')).status, 'True');

      await setGate(c, 'gated', 'example.com/lb', undefined);
      await c.until(async () => (await cond(c, 'gated', 'Ready'))?.status === 'False', { what: 'Ready False again' });
      assert.equal((await cond(c, 'gated', 'Ready')).message, 'corresponding condition of pod readiness gate "example.com/lb" does not exist.');
      assert.equal((await cond(c, 'gated', 'ContainersReady')).status, 'True');
    } finally { await c.close(); }
  });
}

test('a pod without readiness gates is Ready as before', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', { metadata: { name: 'plain' }, spec: { containers: [{ name: 'web', image: 'example.com/app:1' }] } });
    await c.until(async () => (await cond(c, 'plain', 'Ready'))?.status === 'True', { what: 'Ready' });
    assert.equal((await cond(c, 'plain', 'Ready')).reason, undefined);
  } finally { await c.close(); }
});

// (Wrongly typed gates are refused by the API's schema step before the store: conformance/suites/lifecycle.ts.)
test('bad readiness gates are refused as upstream refuses them: not a qualified name (422 with the field path)', async () => {
  const c = await startCluster();
  try {
    const create = (readinessGates: unknown) => c.store.create(R.pods, 'default', { metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'x' }], readinessGates } });
    const refused = async (readinessGates: unknown) => {
      try { await create(readinessGates); } catch (e) { return (e as { status: { code: number; message: string } }).status; }
      assert.fail(`created with readinessGates ${JSON.stringify(readinessGates)}`);
    };
    let st = await refused([{ conditionType: 'example.com/ok' }, { conditionType: 'bad type!' }]);
    assert.equal(st.code, 422);
    assert.match(st.message, /^Pod "bad" is invalid: spec\.readinessGates\[1\]\.conditionType: Invalid value: "bad type!": name part must consist of alphanumeric characters/);
    st = await refused([{ conditionType: 'a/b/c' }]);
    assert.equal(st.code, 422);
    assert.match(st.message, /spec\.readinessGates\[0\]\.conditionType: Invalid value: "a\/b\/c": a qualified name must consist/);
    st = await refused([{ conditionType: '' }]);
    assert.match(st.message, /spec\.readinessGates\[0\]\.conditionType: Invalid value: "": name part must be non-empty/);
    await assert.rejects(c.store.get(R.pods, 'default', 'bad'), /not found/);
  } finally { await c.close(); }
});
