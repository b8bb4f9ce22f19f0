import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import type { Cluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const SVC = findResource('', 'v1', 'services')!;
const EP = findResource('', 'v1', 'endpoints')!;
const SLICE = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

function pod(name: string, labels: Record<string, string>, opts: { notReady?: boolean; ports?: { name?: string; containerPort: number }[] } = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels, ...(opts.notReady ? { annotations: { 'skiff.dev/never-ready': 'true' } } : {}) },
    spec: { containers: [{ name: 'c', image: 'nginx', ...(opts.ports ? { ports: opts.ports } : {}) }] },
  };
}
function service(name: string, selector: Record<string, string> | undefined, ports: Record<string, unknown>[] = [{ name: 'http', port: 80, targetPort: 8080 }], extra: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { tier: 'web' } }, spec: { ...(selector ? { selector } : {}), ports, ...extra } };
}
const podIP = async (c: Cluster, name: string) => (await c.store.get(R.pods, 'default', name)).status?.podIP as string | undefined;
const readyIPs = (ep: KObject | undefined) => (ep?.subsets ?? []).flatMap((s: { addresses?: { ip: string }[] }) => (s.addresses ?? []).map((a) => a.ip)).sort();
const notReadyIPs = (ep: KObject | undefined) => (ep?.subsets ?? []).flatMap((s: { notReadyAddresses?: { ip: string }[] }) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort();
const slicesOf = async (c: Cluster, svc: string) => (await c.list(SLICE, 'default')).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc);
const sliceIPs = (slices: KObject[], ready: boolean) => slices.flatMap((s) => (s.endpoints ?? []).filter((e: { conditions: { ready: boolean } }) => e.conditions.ready === ready).map((e: { addresses: string[] }) => e.addresses[0])).sort();

async function runningPods(c: Cluster, names: string[]): Promise<string[]> {
  await c.until(async () => (await Promise.all(names.map((n) => podIP(c, n)))).every(Boolean), { what: 'pods have IPs' });
  return (await Promise.all(names.map((n) => podIP(c, n)))).map(String).sort();
}

test('a Service over 3 running pods lists exactly their IPs (Endpoints and EndpointSlice)', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    for (const n of ['a', 'b', 'c']) await c.store.create(R.pods, 'default', pod(n, { app: 'web' }));
    await c.store.create(R.pods, 'default', pod('other', { app: 'db' }));
    await c.store.create(SVC, 'default', service('web', { app: 'web' }));
    const ips = await runningPods(c, ['a', 'b', 'c']);
    await c.until(async () => readyIPs(await c.store.tryGet(EP, 'default', 'web')).length === 3, { what: 'endpoints ready' });
    const ep = await c.store.get(EP, 'default', 'web');
    assert.deepEqual(readyIPs(ep), ips);
    assert.deepEqual(notReadyIPs(ep), []);
    assert.equal(ep.subsets.length, 1);
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const a = ep.subsets[0].addresses.find((x: { targetRef: { name: string } }) => x.targetRef.name === 'a');
    const pa = await c.store.get(R.pods, 'default', 'a');
    assert.deepEqual(a, { ip: pa.status.podIP, nodeName: pa.spec.nodeName, targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: pa.metadata.uid } });
    assert.equal(ep.metadata.labels!.tier, 'web', 'Endpoints carry the Service labels');
    assert.equal(ep.metadata.ownerReferences, undefined, 'Endpoints have no ownerReference upstream');
    assert.ok(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

    await c.until(async () => sliceIPs(await slicesOf(c, 'web'), true).length === 3, { what: 'slice ready' });
    const slices = await slicesOf(c, 'web');
    assert.equal(slices.length, 1);
    const s = slices[0];
    const svc = await c.store.get(SVC, 'default', 'web');
    assert.match(s.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.equal(s.addressType, 'IPv4');
    assert.equal(s.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(s.metadata.labels!.tier, 'web');
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(sliceIPs(slices, true), ips);
    const e = s.endpoints.find((x: { targetRef: { name: string } }) => x.targetRef.name === 'a');
    assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(e.nodeName, pa.spec.nodeName);
  } finally { await c.close(); }
});

test('not-ready pods are notReadyAddresses / ready:false; named targetPort resolves per pod', async () => {
  const c = await startCluster();
  try {
    const ports = [{ name: 'web', containerPort: 9376 }];
    await c.store.create(R.pods, 'default', pod('r', { app: 'x' }, { ports }));
    await c.store.create(R.pods, 'default', pod('n', { app: 'x' }, { ports, notReady: true }));
    await c.store.create(R.pods, 'default', pod('noport', { app: 'x' })); // has no port named "web": not listed
    await c.store.create(SVC, 'default', service('x', { app: 'x' }, [{ name: 'h', port: 80, targetPort: 'web' }]));
    await runningPods(c, ['r', 'n', 'noport']);
    const r = await podIP(c, 'r'), n = await podIP(c, 'n');
    await c.until(async () => { const ep = await c.store.tryGet(EP, 'default', 'x'); return readyIPs(ep).length === 1 && notReadyIPs(ep).length === 1; }, { what: 'endpoints' });
    const ep = await c.store.get(EP, 'default', 'x');
    assert.deepEqual(readyIPs(ep), [r]);
    assert.deepEqual(notReadyIPs(ep), [n]);
    assert.deepEqual(ep.subsets, [{ addresses: ep.subsets[0].addresses, notReadyAddresses: ep.subsets[0].notReadyAddresses, ports: [{ name: 'h', port: 9376, protocol: 'TCP' }] }]);
    await c.until(async () => (await slicesOf(c, 'x')).some((s) => (s.endpoints ?? []).length === 2), { what: 'slice' });
    // As upstream, a pod without the named port lands in a slice of its own with no ports.
    const slices = await slicesOf(c, 'x');
    const withPort = slices.filter((s) => (s.ports ?? []).length);
    assert.equal(withPort.length, 1);
    assert.deepEqual(withPort[0].ports, [{ name: 'h', port: 9376, protocol: 'TCP' }]);
    assert.deepEqual(sliceIPs(withPort, true), [r]);
    assert.deepEqual(sliceIPs(withPort, false), [n]);
    const noPort = slices.filter((s) => !(s.ports ?? []).length);
    assert.deepEqual(noPort.flatMap((s) => s.endpoints.map((e: { targetRef: { name: string } }) => e.targetRef.name)), ['noport']);
  } finally { await c.close(); }
});

test('deleting a pod removes its address; deleting the Service removes Endpoints and slices', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    for (const n of ['p1', 'p2']) await c.store.create(R.pods, 'default', pod(n, { app: 'd' }));
    await c.store.create(SVC, 'default', service('d', { app: 'd' }));
    await runningPods(c, ['p1', 'p2']);
    await c.until(async () => readyIPs(await c.store.tryGet(EP, 'default', 'd')).length === 2, { what: 'two endpoints' });
    const keep = await podIP(c, 'p2');
    await c.store.delete(R.pods, 'default', 'p1');
    // Terminating pods leave Endpoints at once and stay in the slice as terminating until gone.
    await c.until(async () => readyIPs(await c.store.tryGet(EP, 'default', 'd')).join() === keep, { what: 'address removed' });
    assert.deepEqual(notReadyIPs(await c.store.get(EP, 'default', 'd')), []);
    await c.until(async () => !(await c.store.tryGet(R.pods, 'default', 'p1')), { what: 'pod gone' });
    await c.until(async () => { const s = await slicesOf(c, 'd'); return s.length === 1 && (s[0].endpoints ?? []).length === 1; }, { what: 'slice shrinks' });
    assert.deepEqual(sliceIPs(await slicesOf(c, 'd'), true), [keep]);

    await c.store.delete(SVC, 'default', 'd');
    await c.until(async () => !(await c.store.tryGet(EP, 'default', 'd')) && (await slicesOf(c, 'd')).length === 0, { what: 'endpoints and slices gone' });
  } finally { await c.close(); }
});

test('a selector-less Service: user Endpoints untouched, no slices of the EndpointSlice controller (only the mirrored one); no write when nothing changes', async () => {
  const c = await startCluster();
  try {
    await c.store.create(SVC, 'default', service('ext', undefined));
    const mine = await c.store.create(EP, 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80, protocol: 'TCP' }] }] });
    await c.store.create(R.pods, 'default', pod('q', { app: 'q' }));
    await c.store.create(SVC, 'default', service('q', { app: 'q' }));
    await runningPods(c, ['q']);
    await c.until(async () => readyIPs(await c.store.tryGet(EP, 'default', 'q')).length === 1, { what: 'q endpoints' });
    await c.until(async () => sliceIPs(await slicesOf(c, 'q'), true).length === 1, { what: 'q slice' });
    const ext = await c.store.get(EP, 'default', 'ext');
    assert.equal(ext.metadata.resourceVersion, mine.metadata.resourceVersion);
    // The EndpointSlice controller makes none; the mirroring controller mirrors the user's Endpoints.
    await c.until(async () => (await slicesOf(c, 'ext')).length === 1, { what: 'mirrored slice' });
    const ext1 = (await slicesOf(c, 'ext'))[0] as any;
    assert.equal(ext1.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.deepEqual(ext1.endpoints.map((e: any) => e.addresses[0]), ['192.0.2.1']);

    const epRV = (await c.store.get(EP, 'default', 'q')).metadata.resourceVersion;
    const sliceRV = (await slicesOf(c, 'q'))[0].metadata.resourceVersion;
    // Changes that do not matter to endpoints (a pod annotation, the Service's annotations) and time passing.
    await c.store.guaranteedUpdate(R.pods, 'default', 'q', (p) => { p.metadata.annotations = { ...(p.metadata.annotations ?? {}), note: 'x' }; return p; });
    await c.store.guaranteedUpdate(SVC, 'default', 'q', (s) => { s.metadata.annotations = { note: 'y' }; return s; });
    for (let i = 0; i < 20; i++) { await c.settle(); c.clock.advance(500); }
    await c.settle();
    assert.equal((await c.store.get(EP, 'default', 'q')).metadata.resourceVersion, epRV);
    assert.equal((await slicesOf(c, 'q'))[0].metadata.resourceVersion, sliceRV);
    // A change that matters (a Service label) is written.
    await c.store.guaranteedUpdate(SVC, 'default', 'q', (s) => { s.metadata.labels = { tier: 'api' }; return s; });
    await c.until(async () => (await c.store.get(EP, 'default', 'q')).metadata.labels?.tier === 'api', { what: 'label follows' });
    await c.until(async () => (await slicesOf(c, 'q'))[0].metadata.labels?.tier === 'api', { what: 'slice label follows' });
  } finally { await c.close(); }
});

test('a Service with no matching pods gets empty Endpoints and one placeholder slice; headless label', async () => {
  const c = await startCluster();
  try {
    await c.store.create(SVC, 'default', service('h', { app: 'none' }, [{ name: 'p', port: 80 }], { clusterIP: 'None' }));
    await c.until(async () => !!(await c.store.tryGet(EP, 'default', 'h')) && (await slicesOf(c, 'h')).length === 1, { what: 'objects' });
    const ep = await c.store.get(EP, 'default', 'h');
    assert.equal(ep.subsets, undefined);
    assert.equal(ep.metadata.labels!['service.kubernetes.io/headless'], '');
    const [s] = await slicesOf(c, 'h');
    assert.equal((s.endpoints ?? []).length, 0);
    assert.equal(s.metadata.labels!['service.kubernetes.io/headless'], '');
  } finally { await c.close(); }
});

test('more than 100 endpoints spread over several slices', async () => {
  const c = await startCluster({ nodes: 3 });
  try {
    const names = Array.from({ length: 130 }, (_, i) => `m${i}`);
    for (const n of names) await c.store.create(R.pods, 'default', pod(n, { app: 'm' }));
    await c.store.create(SVC, 'default', service('m', { app: 'm' }));
    const ips = await runningPods(c, names);
    await c.until(async () => sliceIPs(await slicesOf(c, 'm'), true).length === 130, { what: 'all in slices', maxSteps: 4000 });
    const slices = await slicesOf(c, 'm');
    assert.equal(slices.length, 2);
    assert.ok(slices.every((s) => s.endpoints.length <= 100));
    assert.deepEqual(sliceIPs(slices, true), ips);
    assert.deepEqual(readyIPs(await c.store.get(EP, 'default', 'm')), ips);
  } finally { await c.close(); }
});
