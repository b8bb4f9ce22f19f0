// Engine integration on the fake clock: crash-loop back-off, image pull failure, init containers,
// and the kubelet events they emit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { Cluster } from '../controllers/harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const pod = (name: string, annotations: Record<string, string>, spec: Record<string, any> = {}): KObject => ({
  metadata: { name, annotations },
  spec: { containers: [{ name: 'web', image: 'nginx' }], ...spec },
});
const get = (c: Cluster, name: string) => c.store.get(R.pods, 'default', name);
const cs = async (c: Cluster, name: string) => (await get(c, name)).status?.containerStatuses?.[0];
const events = async (c: Cluster, name: string) => (await c.list(R.events, 'default'))
  .filter((e) => e.involvedObject?.name === name).map((e) => `${e.type} ${e.reason}: ${e.message}`);

test('crash-loop: exit, restartCount, CrashLoopBackOff with doubling back-off, restart, events', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('crash', { 'skiff.dev/crash-loop': 'true', 'skiff.dev/run-seconds': '2', 'skiff.dev/exit-code': '3' }));
    const uid = (await get(c, 'crash')).metadata.uid;
    await c.until(async () => (await cs(c, 'crash'))?.state?.waiting?.reason === 'CrashLoopBackOff', { what: 'first crash' });
    let s = await cs(c, 'crash');
    assert.equal(s.restartCount, 1);
    assert.equal(s.state.waiting.message, `back-off 10s restarting failed container=web pod=crash_default(${uid})`);
    assert.equal(s.lastState.terminated.exitCode, 3);
    assert.equal(s.lastState.terminated.reason, 'Error');
    assert.equal((await get(c, 'crash')).status.phase, 'Running');
    const crashedAt = c.clock.now();
    await c.until(async () => !!(await cs(c, 'crash'))?.state?.running, { what: 'restart' });
    const waited = c.clock.now() - crashedAt;
    assert.ok(waited >= 9_900 && waited <= 10_200, `restarted after ${waited} ms of simulated time`);
    await c.until(async () => (await cs(c, 'crash'))?.restartCount === 2, { what: 'second crash' });
    s = await cs(c, 'crash');
    assert.match(s.state.waiting.message, /^back-off 20s /);
    const ev = await events(c, 'crash');
    assert.ok(ev.includes(`Warning BackOff: Back-off restarting failed container web in pod crash_default(${uid})`), ev.join('\n'));
    assert.ok(ev.includes('Normal Pulled: Container image "nginx" already present on machine'), ev.join('\n'));
    assert.ok(ev.includes('Normal Started: Started container web'), ev.join('\n'));
  } finally { await c.close(); }
});

test('OnFailure with a failing exit code restarts; Never fails', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('of', { 'skiff.dev/run-seconds': '1', 'skiff.dev/exit-code': '1' }, { restartPolicy: 'OnFailure' }));
    await c.store.create(R.pods, 'default', pod('nv', { 'skiff.dev/run-seconds': '1', 'skiff.dev/exit-code': '1' }, { restartPolicy: 'Never' }));
    await c.until(async () => (await cs(c, 'of'))?.restartCount === 1 && (await get(c, 'nv')).status?.phase === 'Failed', { what: 'of restarts, nv fails' });
    assert.equal((await get(c, 'of')).status.phase, 'Running');
    assert.equal((await cs(c, 'nv')).restartCount, 0);
  } finally { await c.close(); }
});

test('image pull failure: ErrImagePull, then ImagePullBackOff, with Failed and BackOff events', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('pull', { 'skiff.dev/image-pull-error': 'true' }, { containers: [{ name: 'web', image: 'nope:1' }] }));
    await c.until(async () => (await cs(c, 'pull'))?.state?.waiting?.reason === 'ErrImagePull', { what: 'ErrImagePull' });
    assert.match((await cs(c, 'pull')).state.waiting.message, /failed to pull and unpack image "docker.io\/library\/nope:1"/);
    await c.until(async () => (await cs(c, 'pull'))?.state?.waiting?.reason === 'ImagePullBackOff', { what: 'ImagePullBackOff' });
    assert.equal((await cs(c, 'pull')).state.waiting.message, 'Back-off pulling image "nope:1"');
    assert.equal((await get(c, 'pull')).status.phase, 'Pending');
    const ev = await events(c, 'pull');
    for (const want of ['Normal Pulling: Pulling image "nope:1"', 'Warning Failed: Error: ErrImagePull', 'Normal BackOff: Back-off pulling image "nope:1"', 'Warning Failed: Error: ImagePullBackOff']) {
      assert.ok(ev.includes(want), `${want} missing from\n${ev.join('\n')}`);
    }
    // It stays there.
    c.clock.advance(60_000); await c.settle();
    assert.equal((await cs(c, 'pull')).state.waiting.reason, 'ImagePullBackOff');
  } finally { await c.close(); }
});

test('init containers are Completed before the app containers run', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('init', {}, { initContainers: [{ name: 'setup', image: 'busybox' }] }));
    await c.until(async () => (await get(c, 'init')).status?.phase === 'Running', { what: 'running' });
    const st = (await get(c, 'init')).status;
    assert.equal(st.initContainerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal(st.containerStatuses[0].state.running !== undefined, true);
    assert.equal(st.conditions.find((x: { type: string }) => x.type === 'Initialized').status, 'True');
  } finally { await c.close(); }
});

test('deletion: containers stop (Killing), the pod goes terminal, and a finalizer keeps it until removed', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', { metadata: { name: 'fin', finalizers: ['example.com/keep'] }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    await c.store.create(R.pods, 'default', pod('plain', {}));
    await c.until(async () => (await get(c, 'fin')).status?.phase === 'Running' && (await get(c, 'plain')).status?.phase === 'Running', { what: 'running' });
    await c.store.delete(R.pods, 'default', 'fin', {});
    await c.store.delete(R.pods, 'default', 'plain', {});
    await c.until(async () => (await get(c, 'fin')).status?.phase === 'Succeeded', { what: 'terminal' });
    await c.until(async () => !(await c.list(R.pods, 'default')).some((p) => p.metadata.name === 'plain'), { what: 'plain removed' });
    const rv = (await get(c, 'fin')).metadata.resourceVersion;
    for (let i = 0; i < 30; i++) { c.clock.advance(100); await c.settle(); }
    const held = await get(c, 'fin');
    assert.equal(held.metadata.resourceVersion, rv, 'the kubelet leaves a finalizer-held pod alone');
    assert.equal(held.status.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.ok((await events(c, 'fin')).includes('Normal Killing: Stopping container web'));
    await c.store.update(R.pods, 'default', 'fin', { ...held, metadata: { ...held.metadata, finalizers: [] } });
    await c.until(async () => !(await c.list(R.pods, 'default')).some((p) => p.metadata.name === 'fin'), { what: 'fin removed' });
  } finally { await c.close(); }
});

test('readiness flapping: ready, Unhealthy and unready after the period, ready again', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('flap', { 'skiff.dev/readiness-flap-seconds': '5' }));
    const ready = async () => (await cs(c, 'flap'))?.ready === true;
    await c.until(ready, { what: 'ready' });
    const t0 = c.clock.now();
    await c.until(async () => !(await ready()), { what: 'unready' });
    const t1 = c.clock.now();
    assert.ok(t1 - t0 >= 4_900 && t1 - t0 <= 5_200, `unready after ${t1 - t0} ms`);
    assert.equal((await get(c, 'flap')).status.conditions.find((x: { type: string }) => x.type === 'Ready').status, 'False');
    await c.until(ready, { what: 'ready again' });
    assert.ok(c.clock.now() - t1 >= 4_900, `ready again after ${c.clock.now() - t1} ms`);
    assert.ok((await events(c, 'flap')).includes('Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503'));
  } finally { await c.close(); }
});
