// The EndpointSlice mirroring controller: custom Endpoints of a selectorless Service are mirrored
// into EndpointSlices (create, update, delete), others are not; the `kubernetes` Service has its own
// slice from the start, matching its Endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import { desiredSlices } from '../../src/controllers/endpointslice-mirroring.ts';

const services = findResource('', 'v1', 'services')!;
const endpoints = findResource('', 'v1', 'endpoints')!;
const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

test('custom Endpoints of a selectorless Service are mirrored through create, update and delete', async () => {
  const c = await startCluster();
  try {
    await c.store.create(services, 'default', { metadata: { name: 'custom' }, spec: { ports: [{ name: 'example', port: 80 }] } });
    await c.store.create(services, 'default', { metadata: { name: 'selected' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    const ep = await c.store.create(endpoints, 'default', { metadata: { name: 'custom', labels: { team: 'a' } }, subsets: [{ ports: [{ port: 80 }], addresses: [{ ip: '10.1.2.3' }], notReadyAddresses: [{ ip: 'fd00::1' }] }] });
    await c.store.create(endpoints, 'default', { metadata: { name: 'skipped', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: [{ ports: [{ port: 1 }], addresses: [{ ip: '10.9.9.9' }] }] });
    await c.store.create(endpoints, 'default', { metadata: { name: 'no-service' }, subsets: [{ ports: [{ port: 1 }], addresses: [{ ip: '10.9.9.8' }] }] });
    const mirrored = async (name: string) => (await c.list(slices, 'default')).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === name);
    await c.until(async () => (await mirrored('custom')).length === 2, { what: 'two mirrored slices (IPv4 and IPv6)' });
    const v4 = (await mirrored('custom')).find((s: any) => s.addressType === 'IPv4') as any;
    assert.deepEqual(v4.endpoints, [{ addresses: ['10.1.2.3'], conditions: { ready: true } }]);
    assert.deepEqual(v4.ports, [{ name: '', port: 80, protocol: 'TCP' }]);
    assert.equal(v4.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.equal(v4.metadata.labels.team, 'a');
    assert.equal(v4.metadata.ownerReferences[0].kind, 'Endpoints');
    assert.equal(v4.metadata.ownerReferences[0].uid, ep.metadata.uid);
    const v6 = (await mirrored('custom')).find((s: any) => s.addressType === 'IPv6') as any;
    assert.deepEqual(v6.endpoints, [{ addresses: ['fd00::1'], conditions: { ready: false } }]);

    const cur = await c.store.get(endpoints, 'default', 'custom');
    (cur as any).subsets = [{ ports: [{ port: 80 }], addresses: [{ ip: '10.2.3.4' }] }];
    await c.store.update(endpoints, 'default', 'custom', cur);
    await c.until(async () => { const m = await mirrored('custom'); return m.length === 1 && (m[0] as any).endpoints?.[0]?.addresses?.[0] === '10.2.3.4'; }, { what: 'update mirrored, IPv6 slice gone' });
    assert.equal((await mirrored('custom'))[0].metadata.name, v4.metadata.name, 'updated in place');

    await c.store.delete(endpoints, 'default', 'custom');
    await c.until(async () => (await mirrored('custom')).length === 0, { what: 'slices deleted with the Endpoints' });
    assert.deepEqual(await mirrored('skipped'), []);
    assert.deepEqual(await mirrored('no-service'), []);
    const own = (await mirrored('selected')).filter((s) => s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] !== 'endpointslice-controller.k8s.io');
    assert.deepEqual(own, [], 'a Service with a selector is the EndpointSlice controller\'s');
  } finally { await c.close(); }
});

test('the kubernetes Service has an EndpointSlice matching its Endpoints', async () => {
  const c = await startCluster();
  try {
    const ep = await c.store.get(endpoints, 'default', 'kubernetes') as any;
    const list = (await c.list(slices, 'default')).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'kubernetes') as any[];
    assert.equal(list.length, 1);
    assert.equal(list[0].addressType, 'IPv4');
    assert.deepEqual(list[0].endpoints.flatMap((e: any) => e.addresses), ep.subsets[0].addresses.map((a: any) => a.ip));
    assert.deepEqual(list[0].ports.map((p: any) => p.port), ep.subsets[0].ports.map((p: any) => p.port));
  } finally { await c.close(); }
});

test('desiredSlices: empty or malformed subsets mirror to nothing', () => {
  assert.deepEqual(desiredSlices({ metadata: {} } as any), []);
  assert.deepEqual(desiredSlices({ metadata: {}, subsets: [{}, { addresses: [{}] }, null] } as any), []);
});
