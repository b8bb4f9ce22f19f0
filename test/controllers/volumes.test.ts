// Volumes on the fake clock: the default WaitForFirstConsumer class provisions `pvc-<uid>` once a
// pod using the claim is scheduled; static binding picks the smallest fit; reclaim policies; the
// protection finalizers; the scheduler's claim checks; and bad claims refused with 422.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import type { Cluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { StatusError } from '../../src/errors.ts';

const pvcR = findResource('', 'v1', 'persistentvolumeclaims')!;
const pvR = findResource('', 'v1', 'persistentvolumes')!;
const scR = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
const stsR = findResource('apps', 'v1', 'statefulsets')!;

const claim = (name: string, storage = '1Gi', extra: Record<string, any> = {}): KObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...extra },
});
const podWith = (name: string, claimName: string): KObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'example.com/agent' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] },
});
const volume = (name: string, storage: string, extra: Record<string, any> = {}, labels?: Record<string, string>): KObject => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, ...(labels ? { labels } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], capacity: { storage }, storageClassName: 'manual', hostPath: { path: `/mnt/${name}` }, ...extra },
});
const get = (c: Cluster, r = pvcR, ns: string | undefined = 'default', name = 'data') => c.store.tryGet(r, ns, name);
const events = async (c: Cluster, name: string) => (await c.list(R.events, 'default')).filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);

async function rejects422(p: Promise<unknown>, match: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof StatusError && e.code === 422 && match.test(e.message));
}

test('default class: the claim waits for its first consumer, then a volume is provisioned on the pod\'s node and bound', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    const sc = await c.store.get(scR, undefined, 'standard');
    assert.equal(sc.metadata.annotations!['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    const created = await c.store.create(pvcR, 'default', claim('data'));
    assert.equal(created.spec.storageClassName, 'standard');
    assert.equal(created.spec.volumeMode, 'Filesystem');
    assert.deepEqual(created.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    await c.settle();
    c.clock.advance(1000);
    await c.settle();
    assert.equal((await get(c))!.status.phase, 'Pending');
    assert.ok((await events(c, 'data')).includes('WaitForFirstConsumer: waiting for first consumer to be created before binding'));
    assert.equal((await c.list(pvR)).length, 0);

    await c.store.create(R.pods, 'default', podWith('app', 'data'));
    await c.until(async () => (await get(c))?.status.phase === 'Bound', { what: 'claim bound' });
    const pvc = (await get(c))!;
    const pod = (await get(c, R.pods, 'default', 'app'))!;
    const pvName = `pvc-${pvc.metadata.uid}`;
    assert.equal(pvc.spec.volumeName, pvName);
    assert.equal(pvc.metadata.annotations!['volume.kubernetes.io/selected-node'], pod.spec.nodeName);
    assert.equal(pvc.metadata.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal(pvc.metadata.annotations!['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
    assert.deepEqual(pvc.status.capacity, { storage: '1Gi' });
    assert.deepEqual(pvc.status.accessModes, ['ReadWriteOnce']);
    const pv = (await get(c, pvR, undefined, pvName))!;
    assert.equal(pv.status.phase, 'Bound');
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec.storageClassName, 'standard');
    assert.deepEqual(pv.spec.capacity, { storage: '1Gi' });
    assert.equal(pv.spec.claimRef.uid, pvc.metadata.uid);
    assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
    assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: [pod.spec.nodeName] });
    assert.ok((await events(c, 'data')).includes(`ProvisioningSucceeded: Successfully provisioned volume ${pvName}`));
    await c.until(async () => (await get(c, R.pods, 'default', 'app'))?.status?.phase === 'Running', { what: 'pod running' });

    // In use: deleting the claim leaves it terminating until the pod is gone; then the volume goes too.
    await c.store.delete(pvcR, 'default', 'data');
    await c.settle();
    assert.ok((await get(c))?.metadata.deletionTimestamp, 'claim kept while the pod uses it');
    assert.ok(await get(c, pvR, undefined, pvName));
    await c.store.delete(R.pods, 'default', 'app', { gracePeriodSeconds: 0 });
    await c.until(async () => !(await get(c)) && !(await get(c, pvR, undefined, pvName)), { what: 'claim and volume gone' });
  } finally { await c.close(); }
});

test('static binding: smallest matching Available volume, selector and class respected; Retain keeps a Released volume', async () => {
  const c = await startCluster();
  try {
    await c.store.create(scR, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner' });
    await c.store.create(pvR, undefined, volume('big', '10Gi'));
    await c.store.create(pvR, undefined, volume('small', '2Gi'));
    await c.store.create(pvR, undefined, volume('tiny', '500Mi'));
    await c.store.create(pvR, undefined, volume('fast', '1Gi', {}, { tier: 'fast' }));
    await c.until(async () => (await c.list(pvR)).every((v) => v.status?.phase === 'Available'), { what: 'available' });
    await c.store.create(pvcR, 'default', claim('data', '1500Mi', { storageClassName: 'manual' }));
    await c.store.create(pvcR, 'default', claim('sel', '1Gi', { storageClassName: 'manual', selector: { matchLabels: { tier: 'fast' } } }));
    await c.until(async () => (await get(c))?.status.phase === 'Bound' && (await get(c, pvcR, 'default', 'sel'))?.status.phase === 'Bound', { what: 'bound' });
    assert.equal((await get(c))!.spec.volumeName, 'small');
    assert.equal((await get(c, pvcR, 'default', 'sel'))!.spec.volumeName, 'fast');
    const small = (await get(c, pvR, undefined, 'small'))!;
    assert.equal(small.status.phase, 'Bound');
    assert.equal(small.metadata.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.equal((await get(c, pvR, undefined, 'big'))!.status.phase, 'Available');
    // No volume big enough and no provisioner: the claim stays Pending.
    await c.store.create(pvcR, 'default', claim('huge', '50Gi', { storageClassName: 'manual' }));
    await c.settle();
    assert.equal((await get(c, pvcR, 'default', 'huge'))!.status.phase, 'Pending');
    // Retain (the default for a hand-made volume): the claim goes, the volume stays Released.
    await c.store.delete(pvcR, 'default', 'data');
    await c.until(async () => (await get(c, pvR, undefined, 'small'))?.status.phase === 'Released', { what: 'released' });
    assert.ok(!(await get(c)));
    c.clock.advance(5000);
    await c.settle();
    assert.equal((await get(c, pvR, undefined, 'small'))?.status.phase, 'Released');
    // A claim naming a volume (spec.volumeName) binds to it, unless it cannot serve the claim.
    await c.store.create(pvcR, 'default', claim('pick', '5Gi', { storageClassName: 'manual', volumeName: 'big' }));
    await c.store.create(pvcR, 'default', claim('toobig', '20Gi', { storageClassName: 'manual', volumeName: 'tiny' }));
    await c.until(async () => (await get(c, pvcR, 'default', 'pick'))?.status.phase === 'Bound', { what: 'pre-bound claim bound' });
    assert.equal((await get(c, pvR, undefined, 'big'))!.spec.claimRef.name, 'pick');
    assert.ok((await events(c, 'toobig')).includes('VolumeMismatch: Cannot bind to requested volume "tiny": requested PV is too small'));
    assert.equal((await get(c, pvcR, 'default', 'toobig'))!.status.phase, 'Pending');
  } finally { await c.close(); }
});

test('scheduler: a pod naming a missing claim is unschedulable until the claim exists; a bound volume pins the node', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(R.pods, 'default', podWith('app', 'later'));
    await c.until(async () => {
      const p = await get(c, R.pods, 'default', 'app');
      return p?.status?.conditions?.some((x: any) => x.type === 'PodScheduled' && x.status === 'False');
    }, { what: 'unschedulable' });
    const cond = (await get(c, R.pods, 'default', 'app'))!.status.conditions.find((x: any) => x.type === 'PodScheduled');
    assert.equal(cond.message, '0/2 nodes are available: persistentvolumeclaim "later" not found. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    await c.store.create(pvcR, 'default', claim('later'));
    await c.until(async () => !!(await get(c, R.pods, 'default', 'app'))?.spec.nodeName && (await get(c, pvcR, 'default', 'later'))?.status.phase === 'Bound', { what: 'scheduled and bound' });
    const node = (await get(c, R.pods, 'default', 'app'))!.spec.nodeName;
    // A second pod on the same (node-local) volume must land on the same node.
    for (let i = 0; i < 4; i++) await c.store.create(R.pods, 'default', podWith(`again-${i}`, 'later'));
    await c.until(async () => {
      const ps = await Promise.all([0, 1, 2, 3].map((i) => get(c, R.pods, 'default', `again-${i}`)));
      return ps.every((p) => p?.spec.nodeName);
    }, { what: 'scheduled again' });
    for (let i = 0; i < 4; i++) assert.equal((await get(c, R.pods, 'default', `again-${i}`))!.spec.nodeName, node);
  } finally { await c.close(); }
});

test('StatefulSet volumeClaimTemplates: every claim Bound, each to its own provisioned volume', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(stsR, 'default', {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' },
      spec: {
        replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } }],
      },
    });
    await c.until(async () => (await c.list(pvcR, 'default')).filter((x) => x.status.phase === 'Bound').length === 2, { stepMs: 200, what: 'claims bound' });
    const pvs = await c.list(pvR);
    assert.equal(pvs.length, 2);
    for (const pvc of await c.list(pvcR, 'default')) {
      assert.equal(pvc.spec.storageClassName, 'standard');
      assert.ok(pvs.some((v) => v.metadata.name === pvc.spec.volumeName && v.spec.claimRef.name === pvc.metadata.name && v.spec.capacity.storage === '2Gi'));
    }
  } finally { await c.close(); }
});

test('bad claims are refused with 422; spec is immutable except a bound claim growing where its class allows expansion (else 403); "" opts out of the default class', async () => {
  const c = await startCluster();
  try {
    await rejects422(c.store.create(pvcR, 'default', claim('neg', '-1Gi')), /spec\.resources\[storage\]: Invalid value: "-1Gi": must be greater than zero/);
    await rejects422(c.store.create(pvcR, 'default', claim('zero', '0')), /must be greater than zero/);
    await rejects422(c.store.create(pvcR, 'default', { metadata: { name: 'nomodes' }, spec: { resources: { requests: { storage: '1Gi' } } } }), /spec\.accessModes: Required value/);
    await rejects422(c.store.create(pvcR, 'default', { metadata: { name: 'nosize' }, spec: { accessModes: ['ReadWriteOnce'] } }), /spec\.resources\[storage\]: Required value/);
    const none = await c.store.create(pvcR, 'default', claim('none', '1Gi', { storageClassName: '' }));
    assert.equal(none.spec.storageClassName, '');
    await c.store.create(pvcR, 'default', claim('data'));
    await rejects422(c.store.guaranteedUpdate(pvcR, 'default', 'data', (x) => { x.spec.accessModes = ['ReadWriteMany']; return x; }), /spec: Forbidden: spec is immutable after creation/);
    // Unbound: the size may not change either.
    await rejects422(c.store.guaranteedUpdate(pvcR, 'default', 'data', (x) => { x.spec.resources.requests.storage = '2Gi'; return x; }), /spec is immutable/);
    await c.store.create(R.pods, 'default', podWith('app', 'data'));
    await c.until(async () => (await get(c))?.status.phase === 'Bound', { what: 'bound' });
    // The default class does not allow expansion (as kind's): 403 from admission.
    await assert.rejects(c.store.guaranteedUpdate(pvcR, 'default', 'data', (x) => { x.spec.resources.requests.storage = '2Gi'; return x; }),
      (e: unknown) => e instanceof StatusError && e.code === 403 && e.message === 'persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    assert.equal((await get(c))!.spec.resources.requests.storage, '1Gi', 'nothing stored is lost');
    // A class that allows it: the claim grows, then the volume and status.capacity follow.
    await c.store.create(scR, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'grow' }, provisioner: 'rancher.io/local-path', allowVolumeExpansion: true });
    await c.store.create(pvcR, 'default', claim('big', '1Gi', { storageClassName: 'grow' }));
    await c.until(async () => (await get(c, pvcR, 'default', 'big'))?.status.phase === 'Bound', { what: 'big bound' });
    const grown = await c.store.guaranteedUpdate(pvcR, 'default', 'big', (x) => { x.spec.resources.requests.storage = '2Gi'; return x; });
    assert.equal(grown.spec.resources.requests.storage, '2Gi');
    await c.until(async () => (await get(c, pvcR, 'default', 'big'))?.status.capacity?.storage === '2Gi', { what: 'expanded' });
    assert.equal((await get(c, pvR, undefined, (await get(c, pvcR, 'default', 'big'))!.spec.volumeName))!.spec.capacity.storage, '2Gi');
    assert.ok((await events(c, 'big')).includes('VolumeResizeSuccessful: Resize volume succeeded'));
    await rejects422(c.store.guaranteedUpdate(pvcR, 'default', 'big', (x) => { x.spec.resources.requests.storage = '1Gi'; return x; }), /spec\.resources\.requests\.storage: Forbidden: field can not be less than previous value/);
    assert.equal((await get(c, pvcR, 'default', 'big'))!.spec.resources.requests.storage, '2Gi', 'nothing stored is lost');
  } finally { await c.close(); }
});

test('PreBind: a pod waits for its WaitForFirstConsumer claim to be Bound before it is bound to the node, and gives up after 10 minutes', async () => {
  const c = await startCluster();
  try {
    // Without the PV controller the claim gets the selected node but the pod waits, then goes back to the queue.
    c.ctl.controllers.find((x) => x.name === 'persistentvolume')!.stop();
    await c.store.create(pvcR, 'default', claim('stuck'));
    await c.store.create(R.pods, 'default', podWith('waits', 'stuck'));
    await c.until(async () => !!(await get(c, pvcR, 'default', 'stuck'))?.metadata.annotations?.['volume.kubernetes.io/selected-node'], { what: 'selected node' });
    c.clock.advance(300_000);
    await c.settle();
    assert.equal((await get(c, R.pods, 'default', 'waits'))!.spec.nodeName, undefined);
    await c.until(async () => (await events(c, 'waits')).includes('FailedScheduling: running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded'), { stepMs: 10_000, maxSteps: 60, what: 'PreBind timeout' });
    assert.equal((await get(c, R.pods, 'default', 'waits'))!.spec.nodeName, undefined);
  } finally { await c.close(); }
});

test('deleting a namespace removes its pods, then its claims (protection lifted), then their Delete volumes', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.namespaces, undefined, { metadata: { name: 'team' } });
    await c.store.create(pvcR, 'team', claim('data'));
    await c.store.create(R.pods, 'team', podWith('app', 'data'));
    await c.until(async () => (await get(c, pvcR, 'team'))?.status.phase === 'Bound', { what: 'bound' });
    const pvName = (await get(c, pvcR, 'team'))!.spec.volumeName;
    await c.store.delete(R.namespaces, undefined, 'team');
    await c.until(async () => !(await get(c, R.namespaces, undefined, 'team')) && !(await get(c, pvR, undefined, pvName)), { what: 'namespace and volume gone' });
  } finally { await c.close(); }
});

test('generic ephemeral volumes: the pod gets its own claim <pod>-<volume>, Bound, deleted with the pod; a foreign claim of that name blocks it', async () => {
  const c = await startCluster();
  try {
    const eph = (name: string): KObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: {
        containers: [{ name: 'c', image: 'example.com/agent' }],
        volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { metadata: { labels: { kind: 'scratch' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '3Gi' } } } } } }],
      },
    });
    const created = await c.store.create(R.pods, 'default', eph('job'));
    assert.equal(created.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.volumeMode, 'Filesystem');
    await c.until(async () => (await get(c, pvcR, 'default', 'job-scratch'))?.status.phase === 'Bound' && !!(await get(c, R.pods, 'default', 'job'))?.spec.nodeName, { what: 'ephemeral claim bound' });
    const pvc = (await get(c, pvcR, 'default', 'job-scratch'))!;
    assert.equal(pvc.metadata.labels!.kind, 'scratch');
    assert.equal(pvc.metadata.ownerReferences![0].uid, created.metadata.uid);
    const pvName = pvc.spec.volumeName;
    await c.store.delete(R.pods, 'default', 'job', { gracePeriodSeconds: 0 });
    await c.until(async () => !(await get(c, pvcR, 'default', 'job-scratch')) && !(await get(c, pvR, undefined, pvName)), { what: 'claim and volume gone with the pod' });

    // A claim of the same name that the pod does not own.
    await c.store.create(pvcR, 'default', claim('other-scratch'));
    await c.store.create(R.pods, 'default', eph('other'));
    await c.until(async () => (await get(c, R.pods, 'default', 'other'))?.status?.conditions?.some((x: any) => x.type === 'PodScheduled' && x.status === 'False'), { what: 'unschedulable' });
    const cond = (await get(c, R.pods, 'default', 'other'))!.status.conditions.find((x: any) => x.type === 'PodScheduled');
    assert.equal(cond.message, '0/1 nodes are available: PVC default/other-scratch was not created for pod default/other (pod is not owner). preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');

    // A bad template is refused with the pod.
    const bad = eph('bad');
    bad.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests.storage = '-1';
    await rejects422(c.store.create(R.pods, 'default', bad), /spec\.volumes\[0\]\.ephemeral\.volumeClaimTemplate\.spec\.resources\[storage\]: Invalid value/);
  } finally { await c.close(); }
});

test('events for claims that cannot be served: no class, an unknown class, a class without a provisioner', async () => {
  const c = await startCluster();
  try {
    await c.store.create(scR, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner' });
    await c.store.create(pvcR, 'default', claim('none', '1Gi', { storageClassName: '' }));
    await c.store.create(pvcR, 'default', claim('ghost', '1Gi', { storageClassName: 'ghost' }));
    await c.store.create(pvcR, 'default', claim('local', '1Gi', { storageClassName: 'local' }));
    await c.settle();
    assert.deepEqual(await events(c, 'none'), ['FailedBinding: no persistent volumes available for this claim and no storage class is set']);
    assert.deepEqual(await events(c, 'ghost'), ['ProvisioningFailed: storageclass.storage.k8s.io "ghost" not found']);
    assert.deepEqual(await events(c, 'local'), ['ProvisioningFailed: no volume plugin matched name: kubernetes.io/no-provisioner']);
    for (const n of ['none', 'ghost', 'local']) assert.equal((await get(c, pvcR, 'default', n))!.status.phase, 'Pending');
    // A pod using an unbound claim of an Immediate class waits for it.
    await c.store.create(R.pods, 'default', podWith('app', 'local'));
    await c.until(async () => (await get(c, R.pods, 'default', 'app'))?.status?.conditions?.some((x: any) => x.type === 'PodScheduled' && x.status === 'False'), { what: 'unschedulable' });
    assert.equal((await get(c, R.pods, 'default', 'app'))!.status.conditions.find((x: any) => x.type === 'PodScheduled').message, '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
    // A volume appears: the claim binds and the pod is scheduled.
    await c.store.create(pvR, undefined, volume('disk', '1Gi', { storageClassName: 'local' }));
    await c.until(async () => !!(await get(c, R.pods, 'default', 'app'))?.spec.nodeName, { what: 'scheduled' });
    assert.equal((await get(c, pvcR, 'default', 'local'))!.spec.volumeName, 'disk');
  } finally { await c.close(); }
});

test('ReadWriteOncePod: a second pod using the claim stays Pending while the first one runs', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(pvcR, 'default', { ...claim('solo'), spec: { accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '1Gi' } } } });
    await c.store.create(R.pods, 'default', podWith('first', 'solo'));
    await c.until(async () => !!(await get(c, R.pods, 'default', 'first'))?.spec.nodeName, { what: 'first scheduled' });
    await c.store.create(R.pods, 'default', podWith('second', 'solo'));
    await c.until(async () => (await get(c, R.pods, 'default', 'second'))?.status?.conditions?.some((x: any) => x.type === 'PodScheduled' && x.status === 'False'), { what: 'second unschedulable' });
    assert.match((await get(c, R.pods, 'default', 'second'))!.status.conditions.find((x: any) => x.type === 'PodScheduled').message,
      /^0\/2 nodes are available: node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode\./);
    await c.store.delete(R.pods, 'default', 'first', { gracePeriodSeconds: 0 });
    await c.until(async () => !!(await get(c, R.pods, 'default', 'second'))?.spec.nodeName, { stepMs: 1000, maxSteps: 120, what: 'second scheduled after the first is gone' });
  } finally { await c.close(); }
});
