import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDuplicateFields, strictDecodingMessage, strictWarnings, applyUnknownFieldMessage } from '../../src/openapi/index.ts';
import { builtinSchema } from '../../src/schema/builtin.ts';
import { decodeThroughSchema } from '../../src/schema/decode.ts';

// Unknown fields as the schema engine finds them (with a leading dot, as server-side apply spells them);
// a realistic object must also have no type errors.
function fieldProblems(apiVersion: string, kind: string, obj: unknown): { unknown: string[]; typeErrors?: string[] } {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const schema = builtinSchema(group, version, kind);
  if (!schema) return { unknown: [] };
  const r = decodeThroughSchema(structuredClone(obj), schema, { mode: 'Strict' });
  const out: { unknown: string[]; typeErrors?: string[] } = { unknown: r.unknown.map((p) => `.${p}`) };
  if (r.typeErrors.length) out.typeErrors = r.typeErrors.map((e) => e.path);
  return out;
}

const meta = {
  name: 'web', namespace: 'default', uid: '5b7f2c1e-0000-4000-8000-000000000001', resourceVersion: '42', generation: 3,
  creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web' },
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}' },
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u', controller: true, blockOwnerDeletion: true }],
  finalizers: ['example.com/f'],
  managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: '2025-01-01T00:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'k:{"name":"web"}': { '.': {} } } } } } }],
};

const podSpec = {
  containers: [{
    name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', args: ['-g', 'daemon off;'],
    ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
    env: [{ name: 'A', value: '1' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.1 } },
    readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
    livenessProbe: { tcpSocket: { port: 80 } },
    volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
    securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
  }],
  initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'] }],
  volumes: [{ name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a' }] } }, { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
  affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } }] } },
  restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default',
};

const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta,
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    template: { metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } }, spec: podSpec },
    revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
  },
  status: { observedGeneration: 3, replicas: 2, readyReplicas: 2, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'MinimumReplicasAvailable', message: 'ok' }] },
};

test('realistic Deployment, Pod, Service and ConfigMap have no unknown fields', () => {
  assert.deepEqual(fieldProblems('apps/v1', 'Deployment', deployment), { unknown: [] });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, generateName: 'web-' }, spec: { ...podSpec, nodeName: 'node-1' },
    status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], hostIP: '192.168.0.2', startTime: '2025-01-01T00:00:00Z', qosClass: 'Burstable',
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }],
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: 'sha', containerID: 'containerd://x', started: true,
        state: { running: { startedAt: '2025-01-01T00:00:00Z' } }, lastState: {} }] } };
  assert.deepEqual(fieldProblems('v1', 'Pod', pod), { unknown: [] });
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }],
      clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None' },
    status: { loadBalancer: {} } };
  assert.deepEqual(fieldProblems('v1', 'Service', svc), { unknown: [] });
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { a: 'b' } }, data: { 'a.txt': 'x' }, binaryData: { b: 'AAEC' }, immutable: false };
  assert.deepEqual(fieldProblems('v1', 'ConfigMap', cm), { unknown: [] });
});

test('unknown fields are reported by path, including metadata and nested arrays', () => {
  const bad = structuredClone(deployment) as any;
  bad.spec.replicass = 3;
  bad.metadata.unknownMeta = 'x';
  bad.spec.template.spec.containers[0].imagee = 'nginx';
  bad.spec.template.spec.containers[0].ports[0].hostPortt = 1;
  bad.spec.template.spec.volumes[1].emptyDir.foo = true;
  const { unknown } = fieldProblems('apps/v1', 'Deployment', bad);
  assert.deepEqual(unknown.sort(), [
    '.metadata.unknownMeta',
    '.spec.replicass',
    '.spec.template.spec.containers[0].imagee',
    '.spec.template.spec.containers[0].ports[0].hostPortt',
    '.spec.template.spec.volumes[1].emptyDir.foo',
  ]);
  assert.equal(strictDecodingMessage(['.spec.replicass']), 'strict decoding error: unknown field "spec.replicass"');
  assert.equal(applyUnknownFieldMessage('.spec.replicass'), '.spec.replicass: field not declared in schema');
});

test('opaque and preserve-unknown fields stop the walk', () => {
  // ControllerRevision.data is a RawExtension.
  assert.deepEqual(fieldProblems('apps/v1', 'ControllerRevision', { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { anything: { goes: 1 } } }), { unknown: [] });
  // CRD schemas: JSONSchemaProps is walked, but default/example (JSON) are preserve-unknown.
  const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'foos.example.com' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'foos', kind: 'Foo' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
        properties: { spec: { type: 'object', default: { whatever: 1 }, properties: { n: { type: 'integer', typo: 1 } } } } } } }] } };
  assert.deepEqual(fieldProblems('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd).unknown,
    ['.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.n.typo']);
  // Wrong value types are type errors, not unknown fields; kinds without a built-in schema yield nothing.
  assert.deepEqual(fieldProblems('apps/v1', 'Deployment', { spec: 'nope', metadata: [1] }), { unknown: [], typeErrors: ['spec', 'metadata'] });
  assert.deepEqual(fieldProblems('example.com/v1', 'Foo', { spec: { x: 1 } }), { unknown: [] });
});

test('duplicate fields in a raw JSON body', () => {
  const body = `{
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "a", "labels": {"x": "1", "x": "2"}, "name": "b"},
    "spec": {"unknownField": "foo", "replicas": 2, "replicas": 3,
      "template": {"spec": {"containers": [{"name": "c", "image": "i"}, {"name": "d", "name": "e\\"q"}]}}}
  }`;
  assert.deepEqual(findDuplicateFields(body), ['metadata.labels.x', 'metadata.name', 'spec.replicas', 'spec.template.spec.containers[1].name']);
  const p = fieldProblems('apps/v1', 'Deployment', JSON.parse(body));
  assert.deepEqual(p.unknown, ['.spec.unknownField']);
  // The message asserted by the upstream conformance test "should detect unknown and duplicate fields of a typed object".
  assert.ok(strictDecodingMessage(p.unknown, ['.spec.replicas']).includes('strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"'));
  assert.deepEqual(strictWarnings([], ['metadata.name']), ['duplicate field "metadata.name"']);
  // Escaped keys compare by value; keys in different objects are not duplicates.
  assert.deepEqual(findDuplicateFields('{"a":{"k":1},"b":{"k":1},"\\u0061":0}'), ['a']);
  assert.deepEqual(findDuplicateFields('[{"a":1,"a":2},{"a":1}]'), ['[0].a']);
  assert.deepEqual(findDuplicateFields('{"a":1}'), []);
  // Invalid JSON: whatever was found before the error, no exception.
  assert.deepEqual(findDuplicateFields('{"a":1,"a":2,'), ['a']);
  assert.deepEqual(findDuplicateFields('not json'), []);
});
