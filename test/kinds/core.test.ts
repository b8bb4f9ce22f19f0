import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, update, ctxFor, resourceOf } from './helpers.ts';
import { Allocators } from '../../src/registry/allocators.ts';
import { strategyFor } from '../../src/registry/kinds/index.ts';

const svc = (spec: Record<string, any>, name = 'web') => ({ metadata: { name }, spec });

test('service defaults and allocation', () => {
  const alloc = new Allocators();
  const services = alloc.services();
  const { obj, errors } = create('', 'Service', svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }), { services });
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, {
    selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], type: 'ClusterIP', sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster', clusterIP: obj.spec.clusterIP, clusterIPs: [obj.spec.clusterIP], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
  });
  assert.match(obj.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
  assert.deepEqual(obj.status, { loadBalancer: {} });
  const np = create('', 'Service', svc({ type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] }, 'np'), { services });
  assert.deepEqual(np.errors, []);
  assert.equal(np.obj.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(np.obj.spec.ports[0].nodePort, 30080);
  // The same node port again conflicts; the first Service keeps it.
  const clash = create('', 'Service', svc({ type: 'NodePort', ports: [{ port: 81, nodePort: 30080 }] }, 'np2'), { services });
  assert.deepEqual(clash.errors, ['spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated']);
  strategyFor('', 'Service').afterDelete!(clash.obj, ctxFor(resourceOf('', 'Service'), services));
  assert.equal(typeof alloc.allocateNodePort(30080), 'object', 'port 30080 must still be held by np');
  // Deleting a Service releases what it holds.
  strategyFor('', 'Service').afterDelete!(obj, ctxFor(resourceOf('', 'Service'), services));
  assert.equal(alloc.allocateClusterIP(obj.spec.clusterIP), obj.spec.clusterIP);
  const headless = create('', 'Service', svc({ clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }, 'db'), { services });
  assert.deepEqual(headless.errors, []);
  assert.deepEqual(headless.obj.spec.clusterIPs, ['None']);
});

test('service validation', () => {
  assert.deepEqual(create('', 'Service', svc({ ports: [{ port: 80 }, { port: 443 }] })).errors,
    ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(create('', 'Service', svc({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 80 }] })).errors,
    ['spec.ports[1].name: Duplicate value: "a"', 'spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}']);
  // targetPort defaults to port, so both are reported (as upstream).
  assert.deepEqual(create('', 'Service', svc({ ports: [{ port: 0 }] })).errors, ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive']);
  assert.deepEqual(create('', 'Service', svc({})).errors, ['spec.ports: Required value']);
  assert.deepEqual(create('', 'Service', svc({ type: 'Magic', ports: [{ port: 1 }] })).errors,
    ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
  assert.deepEqual(create('', 'Service', svc({ ports: [{ port: 80, nodePort: 30001 }] })).errors, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  assert.match(create('', 'Service', svc({ ports: [{ port: 80 }] }, '1abc')).errors[0], /^metadata\.name: Invalid value: "1abc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
  assert.deepEqual(create('', 'Service', svc({ type: 'ExternalName', externalName: 'example.com' })).errors, []);
});

test('service update keeps allocations and clusterIP is immutable', () => {
  const services = new Allocators().services();
  const old = create('', 'Service', svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] }), { services }).obj;
  const put = update('', 'Service', svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] }), old, { services });
  assert.deepEqual(put.errors, []);
  assert.deepEqual(put.obj.spec, old.spec);
  const moved = structuredClone(old); moved.spec.clusterIP = '10.96.5.5'; moved.spec.clusterIPs = ['10.96.5.5'];
  assert.deepEqual(update('', 'Service', moved, old, { services }).errors, ['spec.clusterIPs[0]: Invalid value: ["10.96.5.5"]: may not change once set']);
});

test('configmap and secret', () => {
  assert.deepEqual(create('', 'ConfigMap', { metadata: { name: 'c' }, data: { 'a b': 'x', ok: 'y' } }).errors,
    [`data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`]);
  const cm = create('', 'ConfigMap', { metadata: { name: 'c' }, data: { a: '1' }, immutable: true }).obj;
  assert.deepEqual(update('', 'ConfigMap', { ...cm, data: { a: '2' } }, cm).errors, ['data: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(update('', 'ConfigMap', { ...cm, immutable: false }, cm).errors, ['immutable: Forbidden: field is immutable when `immutable` is set']);
  assert.deepEqual(create('', 'ConfigMap', { metadata: { name: 'c' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } }).errors, [': Too long: may not be more than 1048576 bytes']);
  const s = create('', 'Secret', { metadata: { name: 's' }, stringData: { password: 'hunter2' }, data: { user: 'YWRtaW4=' } });
  assert.deepEqual(s.errors, []);
  assert.equal(s.obj.type, 'Opaque');
  assert.equal(s.obj.stringData, undefined);
  assert.deepEqual(s.obj.data, { user: 'YWRtaW4=', password: 'aHVudGVyMg==' });
  assert.deepEqual(update('', 'Secret', { ...s.obj, type: 'kubernetes.io/tls' }, s.obj).errors,
    ['data[tls.crt]: Required value', 'data[tls.key]: Required value', 'type: Invalid value: "kubernetes.io/tls": field is immutable']);
  assert.deepEqual(create('', 'Secret', { metadata: { name: 't' }, type: 'kubernetes.io/service-account-token' }).errors, ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
  assert.throws(() => create('', 'Secret', { metadata: { name: 'b' }, data: { k: 'not base64!' } }), (e: any) => e.code === 400 && /Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3/.test(e.message));
});

test('namespace', () => {
  const { obj, errors } = create('', 'Namespace', { metadata: { name: 'team-a' } });
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(obj.status, { phase: 'Active' });
  assert.deepEqual(obj.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.match(create('', 'Namespace', { metadata: { name: 'a.b' } }).errors[0], /^metadata\.name: Invalid value: "a\.b": must not contain dots$/);
  const up = update('', 'Namespace', { metadata: { labels: { x: 'y' } }, spec: { finalizers: [] } }, obj);
  assert.deepEqual(up.errors, []);
  assert.deepEqual(up.obj.spec.finalizers, ['kubernetes']);
  assert.deepEqual(up.obj.metadata.labels, { x: 'y', 'kubernetes.io/metadata.name': 'team-a' });
});

test('rbac', () => {
  assert.deepEqual(create('rbac.authorization.k8s.io', 'ClusterRole', { metadata: { name: 'system:reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }).errors, []);
  assert.deepEqual(create('rbac.authorization.k8s.io', 'Role', { metadata: { name: 'r' }, rules: [{ resources: ['pods'] }, { nonResourceURLs: ['/healthz'], verbs: ['get'] }] }).errors, [
    'rules[0].verbs: Required value: verbs must contain at least one value',
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
  ]);
  const rb = create('rbac.authorization.k8s.io', 'RoleBinding', { metadata: { name: 'b' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'default' }] });
  assert.deepEqual(rb.errors, []);
  assert.equal(rb.obj.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.obj.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(rb.obj.subjects[1].apiGroup, '');
  const changed = structuredClone(rb.obj); changed.roleRef.name = 'other';
  assert.deepEqual(update('rbac.authorization.k8s.io', 'RoleBinding', changed, rb.obj).errors,
    ['roleRef: Invalid value: {"kind":"Role","name":"other","apiGroup":"rbac.authorization.k8s.io"}: cannot change roleRef']);
  assert.deepEqual(create('rbac.authorization.k8s.io', 'ClusterRoleBinding', { metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'x' }] }).errors, [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value',
  ]);
});

test('ingress, pvc, priorityclass, hpa, lease', () => {
  const ing = (paths: any[]) => create('networking.k8s.io', 'Ingress', { metadata: { name: 'i' }, spec: { rules: [{ host: 'example.com', http: { paths } }] } });
  assert.deepEqual(ing([{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }]).errors, []);
  assert.deepEqual(ing([{ path: 'x', backend: { service: { name: 'web' } } }]).errors, [
    'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
  ]);
  assert.deepEqual(ing([{ path: 'x', pathType: 'Exact', backend: {} }]).errors, [
    'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
    'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required',
  ]);
  const pvc = create('', 'PersistentVolumeClaim', { metadata: { name: 'p' }, spec: {} });
  assert.deepEqual(pvc.errors, ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
  const good = create('', 'PersistentVolumeClaim', { metadata: { name: 'p' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  assert.deepEqual(good.errors, []);
  assert.equal(good.obj.spec.volumeMode, 'Filesystem');
  assert.deepEqual(good.obj.status, { phase: 'Pending' });
  assert.deepEqual(create('scheduling.k8s.io', 'PriorityClass', { metadata: { name: 'high' }, value: 2000000000 }).errors, ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  const hpa = create('autoscaling', 'HorizontalPodAutoscaler', { metadata: { name: 'h' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } }, { version: 'v2' });
  assert.deepEqual(hpa.errors, []);
  assert.equal(hpa.obj.spec.minReplicas, 1);
  assert.deepEqual(hpa.obj.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.deepEqual(create('coordination.k8s.io', 'Lease', { metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } }).errors, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
});

test('field selectors for nodes and events', () => {
  const node = strategyFor('', 'Node').fieldSelectors!;
  assert.equal(node['spec.unschedulable']({ metadata: {}, spec: { unschedulable: true } }), 'true');
  assert.equal(node['spec.unschedulable']({ metadata: {} }), 'false');
  const ev = strategyFor('', 'Event').fieldSelectors!;
  const e = { metadata: {}, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u' }, reason: 'Scheduled', type: 'Normal', source: { component: 'default-scheduler' } };
  assert.equal(ev['involvedObject.kind'](e), 'Pod');
  assert.equal(ev['involvedObject.name'](e), 'web');
  assert.equal(ev['source'](e), 'default-scheduler');
  assert.equal(ev['type'](e), 'Normal');
  for (const k of ['involvedObject.namespace', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent']) assert.ok(k in ev, k);
});

test('service type change: fields the old type needed, sent back unchanged, are dropped (upstream dropTypeDependentFields)', () => {
  const alloc = new Allocators();
  const services = alloc.services();
  const old = create('', 'Service', svc({ type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] }, 'to-ext'), { services }).obj;
  assert.ok(old.spec.clusterIP && old.spec.ports[0].nodePort, 'allocated');
  // A read-modify-write to ExternalName keeps everything else as it was read.
  const ext = update('', 'Service', { ...old, spec: { ...old.spec, type: 'ExternalName', externalName: 'example.com' } }, old, { services });
  assert.deepEqual(ext.errors, []);
  assert.equal(ext.obj.spec.clusterIP, undefined);
  assert.equal(ext.obj.spec.clusterIPs, undefined);
  assert.equal(ext.obj.spec.ipFamilies, undefined);
  assert.equal(ext.obj.spec.ports[0].nodePort, undefined);
  // An address the client changed is not silently dropped: it is refused as upstream refuses it.
  const changed = update('', 'Service', { ...old, spec: { ...old.spec, type: 'ExternalName', externalName: 'example.com', clusterIP: '10.96.7.7', clusterIPs: ['10.96.7.7'] } }, old, { services });
  assert.ok(changed.errors.some((e) => e.includes('may not be set for ExternalName services')), changed.errors.join('; '));
});

test('service sessionAffinity None drops sessionAffinityConfig (ClientIP → None by update), ClientIP defaults its timeout', () => {
  const services = new Allocators().services();
  const sticky = create('', 'Service', svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }, 'sticky'), { services });
  assert.deepEqual(sticky.errors, []);
  assert.deepEqual(sticky.obj.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const none = structuredClone(sticky.obj);
  none.spec.sessionAffinity = 'None';
  const put = update('', 'Service', none, sticky.obj, { services });
  assert.deepEqual(put.errors, []);
  assert.equal(put.obj.spec.sessionAffinityConfig, undefined);
  const created = create('', 'Service', svc({ sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } }, ports: [{ port: 80 }] }, 'plain'), { services });
  assert.deepEqual(created.errors, []);
  assert.equal(created.obj.spec.sessionAffinityConfig, undefined);
  const bad = create('', 'Service', svc({ sessionAffinity: 'Sometimes', ports: [{ port: 80 }] }, 'bad'), { services });
  assert.deepEqual(bad.errors, ['spec.sessionAffinity: Unsupported value: "Sometimes": supported values: "ClientIP", "None"']);
});

test('dynamic cluster IPs skip the static band (kube-dns 10.96.0.10 stays free) until the rest is full', () => {
  const a = new Allocators();
  const first = a.allocateClusterIP(undefined);
  assert.equal(first, '10.96.1.0', 'the first dynamic address is above the 256-address static band of a /12');
  assert.equal(a.allocateClusterIP('10.96.0.10'), '10.96.0.10', 'a static request in the band succeeds');
  const small = new Allocators({ serviceCIDR: '10.0.0.0/28' }); // 16 addresses: band of 14 (all usable)
  const got = new Set<string>();
  for (let i = 0; i < 14; i++) got.add(String(small.allocateClusterIP(undefined)));
  assert.equal(got.size, 14, 'a small range still hands out every usable address');
  assert.equal(typeof small.allocateClusterIP(undefined), 'object', 'then reports the range full');
  const mid = new Allocators({ serviceCIDR: '10.0.0.0/24' }); // band min(max(16, 16), 256) = 16
  assert.equal(mid.allocateClusterIP(undefined), '10.0.0.16');
  const spread = new Allocators({ randomStart: 0 });
  assert.equal(spread.allocateClusterIP(undefined), '10.96.1.0', 'a random start never lands in the static band');
});
