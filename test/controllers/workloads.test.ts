import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R, deployment } from './harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const livePods = async (c: Awaited<ReturnType<typeof startCluster>>) => (await c.list(R.pods, 'default')).filter((p) => !p.metadata.deletionTimestamp);
const ready = (p: KObject) => p.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True');

test('rolling update observed step by step never exceeds maxSurge or maxUnavailable', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
    await c.store.create(R.deployments, 'default', deployment('web', 4, { strategy }));
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'web')).status?.availableReplicas === 4, { what: 'initial rollout' });
    await c.store.guaranteedUpdate(R.deployments, 'default', 'web', (d) => { d.spec.template.spec.containers[0].image = 'nginx:1.27'; return d; });
    let maxTotal = 0, minReady = Infinity, steps = 0;
    await c.until(async () => {
      steps++;
      const pods = await livePods(c);
      maxTotal = Math.max(maxTotal, pods.length);
      minReady = Math.min(minReady, pods.filter(ready).length);
      const d = await c.store.get(R.deployments, 'default', 'web');
      return d.status?.updatedReplicas === 4 && d.status?.availableReplicas === 4 && d.status?.replicas === 4;
    }, { stepMs: 50, what: 'rolling update' });
    assert.ok(steps > 3, 'the update took several observed steps');
    assert.ok(maxTotal <= 5, `at most replicas+maxSurge pods at once (saw ${maxTotal})`);
    assert.ok(minReady >= 3, `at least replicas-maxUnavailable ready pods at all times (saw ${minReady})`);
    const rss = await c.list(R.rs, 'default');
    assert.equal(rss.length, 2);
    const old = rss.find((r) => r.spec.template.spec.containers[0].image === 'nginx:1.25')!;
    const nu = rss.find((r) => r.spec.template.spec.containers[0].image === 'nginx:1.27')!;
    assert.equal(old.spec.replicas, 0);
    assert.equal(nu.spec.replicas, 4);
    assert.equal(nu.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    assert.equal(nu.metadata.name, `web-${nu.metadata.labels!['pod-template-hash']}`);
    const d = await c.store.get(R.deployments, 'default', 'web');
    assert.equal(d.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
    const prog = d.status.conditions.find((x: { type: string }) => x.type === 'Progressing');
    assert.equal(prog.reason, 'NewReplicaSetAvailable');
  } finally { await c.close(); }
});

test('scale up and down; Recreate replaces all pods', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(R.deployments, 'default', deployment('app', 2, { strategy: { type: 'Recreate' } }));
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'app')).status?.availableReplicas === 2);
    await c.store.guaranteedUpdate(R.deployments, 'default', 'app', (d) => { d.spec.replicas = 5; return d; });
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'app')).status?.availableReplicas === 5 && (await livePods(c)).length === 5, { what: 'scale up' });
    await c.store.guaranteedUpdate(R.deployments, 'default', 'app', (d) => { d.spec.replicas = 1; return d; });
    await c.until(async () => (await c.list(R.pods, 'default')).length === 1, { what: 'scale down' });
    const before = (await c.list(R.pods, 'default'))[0].metadata.name;
    await c.store.guaranteedUpdate(R.deployments, 'default', 'app', (d) => { d.spec.template.spec.containers[0].image = 'nginx:2'; return d; });
    let overlap = false;
    await c.until(async () => {
      const pods = await c.list(R.pods, 'default');
      const imgs = new Set(pods.map((p) => p.spec.containers[0].image));
      if (imgs.size > 1) overlap = true;
      const d = await c.store.get(R.deployments, 'default', 'app');
      return d.status?.updatedReplicas === 1 && d.status?.availableReplicas === 1 && pods.length === 1 && pods[0].metadata.name !== before;
    }, { what: 'recreate' });
    assert.equal(overlap, false, 'Recreate never runs old and new pods together');
  } finally { await c.close(); }
});

test('deleting a Deployment removes its ReplicaSets and pods (background GC); orphan keeps them', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.deployments, 'default', deployment('a', 2));
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'a')).status?.availableReplicas === 2);
    await c.store.delete(R.deployments, 'default', 'a', { propagationPolicy: 'Background' });
    await c.until(async () => (await c.list(R.rs, 'default')).length === 0 && (await c.list(R.pods, 'default')).length === 0, { what: 'gc' });

    await c.store.create(R.deployments, 'default', deployment('b', 2));
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'b')).status?.availableReplicas === 2);
    await c.store.delete(R.deployments, 'default', 'b', { propagationPolicy: 'Orphan' });
    await c.until(async () => !(await c.store.tryGet(R.deployments, 'default', 'b')), { what: 'orphaned owner gone' });
    const rss = await c.list(R.rs, 'default');
    assert.equal(rss.length, 1);
    assert.equal(rss[0].metadata.ownerReferences, undefined);
    assert.equal((await c.list(R.pods, 'default')).length, 2);
  } finally { await c.close(); }
});

test('foreground deletion: dependents go first, then the owner', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.deployments, 'default', deployment('f', 2));
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'f')).status?.availableReplicas === 2);
    await c.store.delete(R.deployments, 'default', 'f', { propagationPolicy: 'Foreground' });
    const d = await c.store.get(R.deployments, 'default', 'f');
    assert.ok(d.metadata.deletionTimestamp);
    assert.deepEqual(d.metadata.finalizers, ['foregroundDeletion']);
    let ownerGoneWhileDependents = false;
    await c.until(async () => {
      const owner = await c.store.tryGet(R.deployments, 'default', 'f');
      const deps = (await c.list(R.rs, 'default')).length + (await c.list(R.pods, 'default')).length;
      if (!owner && deps > 0) ownerGoneWhileDependents = true;
      return !owner && deps === 0;
    }, { what: 'foreground' });
    assert.equal(ownerGoneWhileDependents, false);
  } finally { await c.close(); }
});

test('a pod that fits nowhere is Unschedulable with upstream message and a FailedScheduling event, and is placed when room appears', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const pod = { metadata: { name: 'big' }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100' } } }] } };
    await c.store.create(R.pods, 'default', pod);
    await c.until(async () => (await c.store.get(R.pods, 'default', 'big')).status?.conditions?.length > 0, { what: 'condition' });
    const p = await c.store.get(R.pods, 'default', 'big');
    const cond = p.status.conditions.find((x: { type: string }) => x.type === 'PodScheduled');
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
    const evs = await c.list(R.events, 'default');
    assert.ok(evs.some((e) => e.reason === 'FailedScheduling' && e.type === 'Warning' && e.involvedObject.name === 'big' && e.source.component === 'default-scheduler'));
    // A bigger node joins: the pod is retried and placed there.
    await c.store.guaranteedUpdate(R.nodes, undefined, 'skiff-node-2', (n) => { n.status.allocatable.cpu = '200'; return n; }, { subresource: 'status' });
    await c.until(async () => (await c.store.get(R.pods, 'default', 'big')).spec.nodeName === 'skiff-node-2', { what: 'rescheduled' });
  } finally { await c.close(); }
});

test('pod lifecycle: Pending/ContainerCreating → Running → Ready after readinessProbe.initialDelaySeconds; events', async () => {
  const c = await startCluster();
  try {
    // The stage table's lifecycle (an image the catalogue does not know; emulated images are covered in test/kubelet/containers).
    await c.store.create(R.pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'registry.example/web:1', readinessProbe: { initialDelaySeconds: 5, httpGet: { port: 80 } } }] } });
    await c.until(async () => !!(await c.store.get(R.pods, 'default', 'p')).status?.containerStatuses, { stepMs: 1, what: 'pending' });
    let p = await c.store.get(R.pods, 'default', 'p');
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
    assert.equal(p.spec.nodeName, 'skiff-node-0');
    await c.until(async () => (await c.store.get(R.pods, 'default', 'p')).status?.phase === 'Running', { what: 'running' });
    p = await c.store.get(R.pods, 'default', 'p');
    const started = Date.parse(p.status.containerStatuses[0].state.running.startedAt);
    assert.equal(ready(p), false);
    assert.ok(p.status.podIP && p.status.hostIP);
    assert.deepEqual(p.status.podIPs, [{ ip: p.status.podIP }]);
    await c.until(async () => ready(await c.store.get(R.pods, 'default', 'p')), { what: 'ready' });
    assert.ok(c.clock.now() >= started + 5000, 'not ready before the initial delay');
    p = await c.store.get(R.pods, 'default', 'p');
    for (const t of ['PodScheduled', 'PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']) {
      assert.equal(p.status.conditions.find((x: { type: string }) => x.type === t)?.status, 'True', t);
    }
    const cs = p.status.containerStatuses[0];
    assert.equal(cs.ready, true); assert.equal(cs.started, true); assert.equal(cs.restartCount, 0);
    assert.match(cs.containerID, /^containerd:\/\//); assert.match(cs.imageID, /@sha256:/);
    const reasons = new Set((await c.list(R.events, 'default')).filter((e) => e.involvedObject.name === 'p').map((e) => e.reason));
    for (const r of ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']) assert.ok(reasons.has(r), r);
    // Deleted: Terminating with a deletionTimestamp, then gone after the (capped) grace period.
    await c.store.delete(R.pods, 'default', 'p');
    assert.ok((await c.store.get(R.pods, 'default', 'p')).metadata.deletionTimestamp);
    await c.until(async () => !(await c.store.tryGet(R.pods, 'default', 'p')), { what: 'deleted' });
  } finally { await c.close(); }
});

test('restartPolicy Never pods complete: Succeeded with exit code 0, or Failed with the annotated code', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', { metadata: { name: 'ok', annotations: { 'skiff.dev/run-seconds': '3' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
    await c.store.create(R.pods, 'default', { metadata: { name: 'bad', annotations: { 'skiff.dev/exit-code': '3' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } });
    await c.until(async () => (await c.store.get(R.pods, 'default', 'ok')).status?.phase === 'Succeeded' && (await c.store.get(R.pods, 'default', 'bad')).status?.phase === 'Failed', { what: 'complete' });
    const ok = await c.store.get(R.pods, 'default', 'ok');
    assert.equal(ok.status.containerStatuses[0].state.terminated.exitCode, 0);
    assert.equal(ok.status.containerStatuses[0].state.terminated.reason, 'Completed');
    const bad = await c.store.get(R.pods, 'default', 'bad');
    assert.equal(bad.status.containerStatuses[0].state.terminated.exitCode, 3);
    assert.equal(bad.status.containerStatuses[0].state.terminated.reason, 'Error');
  } finally { await c.close(); }
});

test('ReplicaSet adopts matching orphans, creates with ownerReferences, and records events', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', { metadata: { name: 'orphan', labels: { app: 'r' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const rs = await c.store.create(R.rs, 'default', { metadata: { name: 'r' }, spec: { replicas: 3, selector: { matchLabels: { app: 'r' } }, template: { metadata: { labels: { app: 'r' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    await c.until(async () => (await c.store.get(R.rs, 'default', 'r')).status?.availableReplicas === 3, { what: 'rs available' });
    const pods = await c.list(R.pods, 'default');
    assert.equal(pods.length, 3);
    for (const p of pods) assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.ok(pods.some((p) => p.metadata.name === 'orphan'));
    const st = (await c.store.get(R.rs, 'default', 'r')).status;
    assert.equal(st.replicas, 3); assert.equal(st.fullyLabeledReplicas, 3); assert.equal(st.readyReplicas, 3); assert.equal(st.observedGeneration, 1);
    const evs = (await c.list(R.events, 'default')).filter((e) => e.reason === 'SuccessfulCreate');
    assert.equal(evs.length, 2);
    assert.match(evs[0].message, /^Created pod: r-/);
    assert.equal(evs[0].source.component, 'replicaset-controller');
  } finally { await c.close(); }
});

test('nodes register with capacity, labels, conditions and a renewed Lease', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    const n = await c.store.get(R.nodes, undefined, 'skiff-node-1');
    assert.equal(n.status.allocatable.cpu, '16');
    assert.equal(n.spec.podCIDR, '10.244.1.0/24');
    assert.equal(n.metadata.labels!['kubernetes.io/hostname'], 'skiff-node-1');
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.4');
    assert.equal(n.status.conditions.find((x: { type: string }) => x.type === 'Ready').status, 'True');
    const l1 = await c.store.get(R.leases, 'kube-node-lease', 'skiff-node-1');
    await c.until(async () => (await c.store.get(R.leases, 'kube-node-lease', 'skiff-node-1')).spec.renewTime !== l1.spec.renewTime, { stepMs: 1000, maxSteps: 20, what: 'lease renewed' });
  } finally { await c.close(); }
});
