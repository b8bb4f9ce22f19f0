import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from '../../src/api/tables/index.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { ResourceInfo } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');
const res = (g: string, v: string, r: string): ResourceInfo => {
  const info = findResource(g, v, r);
  assert.ok(info, `${g}/${v}/${r} registered`);
  return info;
};
const obj = (name: string, rest: Record<string, any> = {}, meta: Record<string, any> = {}): KObject =>
  ({ metadata: { name, namespace: 'default', creationTimestamp: ago(3600), ...meta }, ...rest });
const table = (r: ResourceInfo, o: KObject) => toTable(r, [o], {}, NOW);
const cells = (r: ResourceInfo, o: KObject) => table(r, o).rows[0].cells;
const colNames = (r: ResourceInfo) => toTable(r, [], {}, NOW).columnDefinitions.map((c) => (c.priority ? `${c.name}*` : c.name));

const template = { spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'busybox' }] } };

test('deployments', () => {
  const r = res('apps', 'v1', 'deployments');
  assert.deepEqual(colNames(r), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const d = obj('web', {
    spec: { replicas: 3, selector: { matchLabels: { app: 'web', tier: 'fe' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, template },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  });
  assert.deepEqual(cells(r, d), ['web', '2/3', 3, 2, '60m', 'web,log', 'nginx:1,busybox', 'app=web,env in (dev,prod),tier=fe']);
  assert.deepEqual(cells(r, obj('empty', { spec: { selector: { matchLabels: { a: 'b' } } } })), ['empty', '0/1', 0, 0, '60m', '', '', 'a=b']);
});

test('replicasets, statefulsets, daemonsets', () => {
  assert.deepEqual(cells(res('apps', 'v1', 'replicasets'), obj('rs', { spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template }, status: { replicas: 2, readyReplicas: 1 } })),
    ['rs', 2, 2, 1, '60m', 'web,log', 'nginx:1,busybox', 'app=x']);
  assert.deepEqual(cells(res('apps', 'v1', 'statefulsets'), obj('db', { spec: { replicas: 3, template }, status: { readyReplicas: 3 } })),
    ['db', '3/3', '60m', 'web,log', 'nginx:1,busybox']);
  const ds = obj('agent', {
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:2' }] } } },
    status: { desiredNumberScheduled: 4, currentNumberScheduled: 4, numberReady: 3, updatedNumberScheduled: 4, numberAvailable: 3 },
  });
  assert.deepEqual(cells(res('apps', 'v1', 'daemonsets'), ds), ['agent', 4, 4, 3, 4, 3, 'kubernetes.io/os=linux', '60m', 'a', 'agent:2', 'app=agent']);
  assert.deepEqual(cells(res('', 'v1', 'replicationcontrollers'), obj('rc', { spec: { replicas: 1, selector: { app: 'rc' }, template }, status: { replicas: 1 } })),
    ['rc', 1, 1, 0, '60m', 'web,log', 'nginx:1,busybox', 'app=rc']);
});

test('services', () => {
  const r = res('', 'v1', 'services');
  assert.deepEqual(colNames(r), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  assert.deepEqual(cells(r, obj('web', { spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } })),
  ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '60m', 'app=web']);
  assert.deepEqual(cells(r, obj('np', { spec: { type: 'NodePort', clusterIPs: ['10.96.0.11'], externalIPs: ['1.2.3.4', '5.6.7.8'],
    ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }] } })),
  ['np', 'NodePort', '10.96.0.11', '1.2.3.4,5.6.7.8', '80:30080/TCP,443:30443/TCP', '60m', '<none>']);
  const lb = obj('lb', { spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.12'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } });
  assert.deepEqual(cells(r, lb).slice(1, 5), ['LoadBalancer', '10.96.0.12', '<pending>', '443:31443/TCP']);
  lb.status = { loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { hostname: 'lb.example.com' }] } };
  assert.equal(cells(r, lb)[3], '203.0.113.7,lb.example.com');
  assert.deepEqual(cells(r, obj('headless', { spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' } } })),
    ['headless', 'ClusterIP', 'None', '<none>', '<none>', '60m', 'app=db']);
  assert.deepEqual(cells(r, obj('ext', { spec: { type: 'ExternalName', externalName: 'db.example.com' } })).slice(1, 5),
    ['ExternalName', '<none>', 'db.example.com', '<none>']);
});

test('nodes', () => {
  const r = res('', 'v1', 'nodes');
  assert.deepEqual(colNames(r), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
  const n = obj('cp-1', {
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'cp-1' }, { type: 'InternalIP', address: '172.18.0.2' }],
      nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Debian 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7' },
    },
  }, { namespace: undefined, labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': '' } });
  assert.deepEqual(cells(r, n), ['cp-1', 'Ready,SchedulingDisabled', 'control-plane,infra,worker', '60m', 'v1.32.4', '172.18.0.2', '<none>', 'Debian 12', '6.1.0', 'containerd://1.7']);
  const bad = obj('w-2', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
  assert.deepEqual(cells(r, bad).slice(1, 3), ['NotReady', '<none>']);
  assert.deepEqual(cells(r, obj('w-3')).slice(1, 10), ['Unknown', '<none>', '60m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

test('events (core v1)', () => {
  const r = res('', 'v1', 'events');
  assert.deepEqual(colNames(r), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  const e = obj('nginx.17a', {
    involvedObject: { kind: 'Pod', name: 'nginx', fieldPath: 'spec.containers{nginx}' },
    type: 'Normal', reason: 'Pulled', message: ' Successfully pulled image \n',
    source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(600), lastTimestamp: ago(30), count: 4,
  });
  assert.deepEqual(cells(r, e), ['30s', 'Normal', 'Pulled', 'pod/nginx', 'spec.containers{nginx}', 'kubelet, node-1', 'Successfully pulled image', '10m', 4, 'nginx.17a']);
  // New-style event: only eventTime, reporting controller, no count.
  const n = obj('x', { involvedObject: { kind: 'Node' }, type: 'Warning', reason: 'Boom', message: 'm', eventTime: '2025-01-01T11:59:00.000000Z', reportingComponent: 'ctrl' });
  assert.deepEqual(cells(r, n), ['60s', 'Warning', 'Boom', 'node', '', 'ctrl', 'm', '60s', 1, 'x']);
  const s = obj('y', { involvedObject: { kind: 'Pod', name: 'p' }, eventTime: ago(900), series: { count: 7, lastObservedTime: ago(5) } });
  assert.deepEqual([cells(r, s)[0], cells(r, s)[8]], ['5s', 7]);
});

test('jobs and cronjobs', () => {
  const r = res('batch', 'v1', 'jobs');
  assert.deepEqual(colNames(r), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']);
  const sel = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } };
  const done = obj('pi', { spec: { completions: 1, selector: sel, template }, status: { succeeded: 1, startTime: ago(3600), completionTime: ago(3590),
    conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] } });
  assert.deepEqual(cells(r, done), ['pi', 'Complete', '1/1', '10s', '60m', 'web,log', 'nginx:1,busybox', 'batch.kubernetes.io/controller-uid=u1']);
  const running = obj('run', { spec: { parallelism: 3 }, status: { startTime: ago(330) } });
  assert.deepEqual(cells(r, running).slice(1, 4), ['Running', '0/1 of 3', '5m30s']);
  assert.equal(cells(r, obj('f', { status: { conditions: [{ type: 'Failed', status: 'True' }] } }))[1], 'Failed');
  assert.equal(cells(r, obj('s', { spec: { completions: 5 }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } }))[1], 'Suspended');
  assert.deepEqual(cells(r, obj('n', { status: { conditions: [{ type: 'Complete', status: 'False' }] } })).slice(1, 4), ['Running', '0/1', '']);

  const c = res('batch', 'v1', 'cronjobs');
  assert.deepEqual(colNames(c), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*']);
  assert.deepEqual(cells(c, obj('cj', { spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } } })),
    ['cj', '*/5 * * * *', '<none>', 'False', 0, '<none>', '60m', 'web,log', 'nginx:1,busybox', '<none>']);
  assert.deepEqual(cells(c, obj('cj2', { spec: { schedule: '@daily', timeZone: 'Etc/UTC', suspend: true }, status: { active: [{ name: 'j' }], lastScheduleTime: ago(120) } })).slice(1, 6),
    ['@daily', 'Etc/UTC', 'True', 1, '2m']);
});

test('smaller core kinds', () => {
  assert.deepEqual(cells(res('', 'v1', 'namespaces'), obj('kube-system', { status: { phase: 'Active' } })), ['kube-system', 'Active', '60m']);
  assert.deepEqual(cells(res('', 'v1', 'configmaps'), obj('cm', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })), ['cm', 3, '60m']);
  assert.deepEqual(cells(res('', 'v1', 'secrets'), obj('s', { type: 'Opaque', data: { k: 'dg==' } })), ['s', 'Opaque', 1, '60m']);
  assert.deepEqual(cells(res('', 'v1', 'serviceaccounts'), obj('default')), ['default', 0, '60m']);
  const ep = res('', 'v1', 'endpoints');
  assert.deepEqual(cells(ep, obj('none')), ['none', '<none>', '60m']);
  assert.equal(cells(ep, obj('two', { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], ports: [{ port: 80 }] }] }))[1], '10.0.0.1:80,[fd00::1]:80');
  assert.equal(cells(ep, obj('many', { subsets: [{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.0.0.${i}` })), ports: [{ port: 80 }] }] }))[1],
    '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...');
  const pvc = obj('data', { spec: { volumeName: 'pv-1', storageClassName: 'standard', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] } });
  assert.deepEqual(cells(res('', 'v1', 'persistentvolumeclaims'), pvc), ['data', 'Bound', 'pv-1', '1Gi', 'RWO,RWX', 'standard', '<unset>', '60m', 'Filesystem']);
  const pv = obj('pv-1', { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'standard' }, status: { phase: 'Bound' } });
  assert.deepEqual(cells(res('', 'v1', 'persistentvolumes'), pv), ['pv-1', '1Gi', 'RWO', 'Delete', 'Bound', 'default/data', 'standard', '<unset>', '', '60m', '<unset>']);
});
