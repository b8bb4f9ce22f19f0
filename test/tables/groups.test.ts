import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from '../../src/api/tables/index.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const CREATED = '2025-01-01T10:00:00Z';
const obj = (name: string, rest: Record<string, any> = {}, meta: Record<string, any> = {}): KObject =>
  ({ metadata: { name, creationTimestamp: CREATED, ...meta }, ...rest });
const cells = (g: string, v: string, r: string, o: KObject) => {
  const info = findResource(g, v, r);
  assert.ok(info, `${g}/${v}/${r}`);
  return toTable(info, [o], {}, NOW).rows[0].cells;
};

test('leases, ingresses, HPAs', () => {
  assert.deepEqual(cells('coordination.k8s.io', 'v1', 'leases', obj('kube-scheduler', { spec: { holderIdentity: 'cp-1_abc' } })), ['kube-scheduler', 'cp-1_abc', '120m']);
  const ing = obj('web', { spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'] }],
    rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, { host: 'c.example.com' }, { host: 'd.example.com' }] },
  status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } });
  assert.deepEqual(cells('networking.k8s.io', 'v1', 'ingresses', ing), ['web', 'nginx', 'a.example.com,b.example.com,c.example.com + 1 more...', '192.0.2.1', '80, 443', '120m']);
  assert.deepEqual(cells('networking.k8s.io', 'v1', 'ingresses', obj('bare', { spec: {} })), ['bare', '<none>', '*', '', '80', '120m']);
  const hpa = obj('web', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
  status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42 } } }] } });
  assert.deepEqual(cells('autoscaling', 'v2', 'horizontalpodautoscalers', hpa), ['web', 'Deployment/web', 'cpu: 42%/80%', '2', 10, 3, '120m']);
  delete hpa.status.currentMetrics;
  assert.equal(cells('autoscaling', 'v2', 'horizontalpodautoscalers', hpa)[2], 'cpu: <unknown>/80%');
});

test('rbac', () => {
  assert.deepEqual(cells('rbac.authorization.k8s.io', 'v1', 'clusterroles', obj('admin')), ['admin', CREATED]);
  const rb = obj('rb', { roleRef: { kind: 'ClusterRole', name: 'edit' }, subjects: [
    { kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', namespace: 'ci', name: 'bot' },
  ] });
  assert.deepEqual(cells('rbac.authorization.k8s.io', 'v1', 'rolebindings', rb), ['rb', 'ClusterRole/edit', '120m', 'alice, bob', 'devs', 'ci:bot']);
});

test('scheduling, storage, policy, discovery, apiextensions', () => {
  assert.deepEqual(cells('scheduling.k8s.io', 'v1', 'priorityclasses', obj('system-node-critical', { value: 2000001000 })),
    ['system-node-critical', 2000001000, false, '120m', 'PreemptLowerPriority']);
  assert.deepEqual(cells('storage.k8s.io', 'v1', 'storageclasses', obj('standard', { provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
    { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } })),
  ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', 'false', '120m']);
  assert.deepEqual(cells('policy', 'v1', 'poddisruptionbudgets', obj('pdb', { spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } })),
    ['pdb', '50%', 'N/A', 1, '120m']);
  assert.deepEqual(cells('discovery.k8s.io', 'v1', 'endpointslices', obj('web-abc', { addressType: 'IPv4', ports: [{ port: 80 }, { name: 'x' }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }] })),
  ['web-abc', 'IPv4', '80,<unset>', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '120m']);
  assert.deepEqual(cells('discovery.k8s.io', 'v1', 'endpointslices', obj('empty', { addressType: 'IPv6' })), ['empty', 'IPv6', '<unset>', '<unset>', '120m']);
  assert.deepEqual(cells('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', obj('widgets.example.com')), ['widgets.example.com', CREATED]);
});
