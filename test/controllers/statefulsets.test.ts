// The StatefulSet controller on the fake clock: ordered creation with stable names and claims,
// scale-down from the top, and a rolling update from the highest ordinal, one pod at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import type { Cluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const stsR = findResource('apps', 'v1', 'statefulsets')!;
const pvcR = findResource('', 'v1', 'persistentvolumeclaims')!;

function sts(name: string, replicas: number, extra: Record<string, any> = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      replicas, serviceName: name, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
      ...extra,
    },
  };
}
const livePods = async (c: Cluster, name: string) => (await c.list(R.pods, 'default')).filter((p) => p.metadata.labels?.app === name && !p.metadata.deletionTimestamp);

test('OrderedReady: pods created one by one in ordinal order, each after its predecessor is Ready; claims per pod', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    const claim = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    await c.store.create(stsR, 'default', sts('db', 3, { volumeClaimTemplates: [claim] }));
    const order: string[] = [];
    await c.until(async () => {
      for (const p of await livePods(c, 'db')) if (!order.includes(p.metadata.name!)) order.push(p.metadata.name!);
      const pods = await livePods(c, 'db');
      // Never a pod whose predecessor is not Ready yet.
      for (const p of pods) {
        const i = Number(p.metadata.name!.split('-').pop());
        if (i > 0) {
          const prev = pods.find((q) => q.metadata.name === `db-${i - 1}`);
          assert.ok(prev, `db-${i} exists without db-${i - 1}`);
        }
      }
      return (await c.store.get(stsR, 'default', 'db')).status?.readyReplicas === 3;
    }, { stepMs: 200, what: 'three ready' });
    assert.deepEqual(order, ['db-0', 'db-1', 'db-2']);
    const p1 = (await livePods(c, 'db')).find((p) => p.metadata.name === 'db-1')!;
    assert.equal(p1.spec.hostname, 'db-1');
    assert.equal(p1.spec.subdomain, 'db');
    assert.equal(p1.metadata.labels!['apps.kubernetes.io/pod-index'], '1');
    assert.equal(p1.spec.volumes.find((v: { name: string }) => v.name === 'data').persistentVolumeClaim.claimName, 'data-db-1');
    const claims = (await c.list(pvcR, 'default')).map((x) => x.metadata.name).sort();
    assert.deepEqual(claims, ['data-db-0', 'data-db-1', 'data-db-2']);
    const st = (await c.store.get(stsR, 'default', 'db')).status;
    assert.equal(st.currentRevision, st.updateRevision);
    assert.match(st.updateRevision, /^db-\w+$/);
    // Scale down to 1: db-2 then db-1 go.
    await c.store.guaranteedUpdate(stsR, 'default', 'db', (s) => { s.spec.replicas = 1; return s; });
    await c.until(async () => (await c.list(R.pods, 'default')).filter((p) => p.metadata.labels?.app === 'db').length === 1, { what: 'scale down' });
    assert.equal((await livePods(c, 'db'))[0].metadata.name, 'db-0');
  } finally { await c.close(); }
});

test('rolling update from the highest ordinal down; currentRevision follows when done', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(stsR, 'default', sts('web', 3));
    await c.until(async () => (await c.store.get(stsR, 'default', 'web')).status?.readyReplicas === 3, { what: 'ready' });
    const before = (await c.store.get(stsR, 'default', 'web')).status.currentRevision;
    await c.store.guaranteedUpdate(stsR, 'default', 'web', (s) => { s.spec.template.spec.containers[0].image = 'postgres:17'; return s; });
    const replacedOrder: string[] = [];
    await c.until(async () => {
      for (const p of await livePods(c, 'web')) if (p.spec.containers[0].image === 'postgres:17' && !replacedOrder.includes(p.metadata.name!)) replacedOrder.push(p.metadata.name!);
      const s = (await c.store.get(stsR, 'default', 'web')).status;
      return s.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision;
    }, { stepMs: 200, what: 'rolled' });
    assert.deepEqual(replacedOrder, ['web-2', 'web-1', 'web-0']);
    assert.notEqual((await c.store.get(stsR, 'default', 'web')).status.currentRevision, before);
  } finally { await c.close(); }
});

test('a volumeClaimTemplate without a name gives the Go zero value in claim names, never "undefined"', async () => {
  const { statefulPod } = await import('../../src/controllers/statefulset.ts');
  const sts = {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: { selector: { matchLabels: { a: 'b' } }, serviceName: 'svc', template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      volumeClaimTemplates: [{ metadata: {} }, { metadata: { name: 'data' } }] },
  };
  const pod = statefulPod(sts as never, 0, 'rev');
  const claims = (pod.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName);
  assert.deepEqual(claims, ['-web-0', 'data-web-0']);
  assert.equal(pod.spec?.hostname, 'web-0');
  assert.equal(pod.spec?.subdomain, 'svc');
});

test('a stateful pod the kubelet refuses (hostPort held) is deleted and recreated until it runs', async () => {
  const c = await startCluster();
  try {
    const node = (await c.list(R.nodes))[0].metadata.name!;
    const hostPort = { containerPort: 21017, hostPort: 21017, name: 'conflict' };
    await c.store.create(R.pods, 'default', { metadata: { name: 'holder' }, spec: { nodeName: node, containers: [{ name: 'web', image: 'nginx', ports: [hostPort] }] } });
    await c.until(async () => (await c.store.get(R.pods, 'default', 'holder')).status?.phase === 'Running', { what: 'holder running' });
    const set = sts('web', 1);
    set.spec.template.spec.nodeName = node;
    set.spec.template.spec.containers[0].ports = [hostPort];
    await c.store.create(stsR, 'default', set);
    // The controller replaces each refused (Failed) pod at once: several uids go by, none runs.
    const uids = new Set<string>();
    await c.until(async () => {
      const p = await c.store.tryGet(R.pods, 'default', 'web-0');
      if (p) { assert.notEqual(p.status?.phase, 'Running', 'never runs while the port is held'); uids.add(p.metadata.uid!); }
      return uids.size >= 3;
    }, { what: 'refused pod recreated' });
    const refusals = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.name === 'web-0' && e.reason === 'NodePorts');
    assert.ok(refusals.length >= 2, `NodePorts events: ${refusals.length}`);
    await c.store.delete(R.pods, 'default', 'holder', { gracePeriodSeconds: 0 });
    await c.until(async () => {
      const p = await c.store.tryGet(R.pods, 'default', 'web-0');
      return p?.status?.phase === 'Running' && !uids.has(p.metadata.uid!);
    }, { what: 'web-0 runs once the port is free' });
    const ev = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.kind === 'StatefulSet').map((e) => e.reason);
    assert.ok(ev.includes('SuccessfulDelete') && ev.includes('SuccessfulCreate'), ev.join(','));
  } finally { await c.close(); }
});

// Pods whose readiness the test switches: a busybox container ready while /tmp/ready exists.
function probed(name: string, replicas: number, policy?: 'Parallel'): KObject {
  const set = sts(name, replicas, policy ? { podManagementPolicy: policy } : {});
  set.spec.template.spec.containers = [{
    name: 'main', image: 'busybox:1.36', command: ['sh', '-c', 'touch /tmp/ready; sleep 3600'],
    readinessProbe: { exec: { command: ['test', '-e', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
  }];
  return set;
}
async function setReady(c: Cluster, pod: string, ready: boolean): Promise<void> {
  const { workerFor } = await import('../../src/kubelet/containers/workers.ts');
  const fs = workerFor((await c.store.get(R.pods, 'default', pod)).metadata.uid)!.slots[0].current!.fs;
  if (ready) await fs.writeFile('/tmp/ready', ''); else await fs.rm('/tmp/ready', { force: true });
}
const status = async (c: Cluster, name: string) => (await c.store.get(stsR, 'default', name)).status ?? {};
const scale = (c: Cluster, name: string, n: number) => c.store.guaranteedUpdate(stsR, 'default', name, (s) => { s.spec.replicas = n; return s; });
const podNames = async (c: Cluster, name: string) => (await c.list(R.pods, 'default')).filter((p) => p.metadata.labels?.app === name).map((p) => p.metadata.name!).sort();

test('OrderedReady halts scaling up and down while a pod is unhealthy, then scales in order', async () => {
  const c = await startCluster();
  try {
    await c.store.create(stsR, 'default', probed('oh', 1));
    await c.until(async () => (await status(c, 'oh')).readyReplicas === 1, { what: 'oh-0 ready' });
    await setReady(c, 'oh-0', false);
    await c.until(async () => !(await status(c, 'oh')).readyReplicas, { what: 'oh-0 unready' });
    await scale(c, 'oh', 3);
    for (let i = 0; i < 100; i++) { c.clock.advance(100); await c.settle(); assert.deepEqual(await podNames(c, 'oh'), ['oh-0'], 'scale-up halts'); }
    await setReady(c, 'oh-0', true);
    const created: string[] = [];
    await c.until(async () => {
      for (const n of await podNames(c, 'oh')) if (!created.includes(n)) created.push(n);
      return (await status(c, 'oh')).readyReplicas === 3;
    }, { what: 'three ready' });
    assert.deepEqual(created, ['oh-0', 'oh-1', 'oh-2']);
    for (const p of ['oh-0', 'oh-1', 'oh-2']) await setReady(c, p, false);
    await c.until(async () => !(await status(c, 'oh')).readyReplicas, { what: 'all unready' });
    await scale(c, 'oh', 0);
    for (let i = 0; i < 100; i++) { c.clock.advance(100); await c.settle(); assert.equal((await c.list(R.pods, 'default')).filter((p) => p.metadata.labels?.app === 'oh' && !p.metadata.deletionTimestamp).length, 3, 'scale-down halts'); }
    for (const p of ['oh-0', 'oh-1', 'oh-2']) await setReady(c, p, true);
    const gone: string[] = [];
    await c.until(async () => {
      const left = await podNames(c, 'oh');
      for (const n of ['oh-2', 'oh-1', 'oh-0']) if (!left.includes(n) && !gone.includes(n)) gone.push(n);
      return left.length === 0;
    }, { what: 'scaled to zero' });
    assert.deepEqual(gone, ['oh-2', 'oh-1', 'oh-0']);
  } finally { await c.close(); }
});

test('Parallel scales up and down to completion even with unhealthy pods', async () => {
  const c = await startCluster();
  try {
    await c.store.create(stsR, 'default', probed('bu', 1, 'Parallel'));
    await c.until(async () => (await status(c, 'bu')).readyReplicas === 1, { what: 'bu-0 ready' });
    await setReady(c, 'bu-0', false);
    await c.until(async () => !(await status(c, 'bu')).readyReplicas, { what: 'bu-0 unready' });
    await scale(c, 'bu', 3);
    await c.until(async () => (await podNames(c, 'bu')).length === 3, { what: 'three pods despite the unhealthy one' });
    await c.until(async () => (await status(c, 'bu')).readyReplicas === 2, { what: 'the new two ready' });
    for (const p of ['bu-1', 'bu-2']) await setReady(c, p, false);
    await c.until(async () => !(await status(c, 'bu')).readyReplicas, { what: 'all unready' });
    await scale(c, 'bu', 0);
    await c.until(async () => (await podNames(c, 'bu')).length === 0, { what: 'all gone' });
    await c.until(async () => !(await status(c, 'bu')).replicas, { what: 'status.replicas 0' });
  } finally { await c.close(); }
});
