import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/errors.ts';
import { applyStrategicMergePatch, smpSchemaFor } from '../../src/patch/index.ts';
import type { SmpSchemaLookup } from '../../src/patch/index.ts';
import { decodePatched, goSprint } from '../../src/api/typed.ts';

const deploySchema = smpSchemaFor('apps', 'v1', 'Deployment')!;
const podSchema = smpSchemaFor('', 'v1', 'Pod')!;
const svcSchema = smpSchemaFor('', 'v1', 'Service')!;

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { assert.ok(e instanceof StatusError, `expected StatusError, got ${e}`); return e; }
  assert.fail('expected an error');
}
const smp = (doc: unknown, patch: unknown, schema: SmpSchemaLookup = podSchema) => applyStrategicMergePatch(doc, patch, schema) as any;

function deployment(containers: unknown[]) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } },
  };
}

test('schema lookup: known kinds have metadata, unknown kinds are undefined', () => {
  assert.ok(deploySchema);
  assert.equal(smpSchemaFor('stable.example.com', 'v1', 'CronTab'), undefined);
  assert.equal(smpSchemaFor('apps', 'v1', 'Nope'), undefined);
  const spec = podSchema.node(podSchema.field('spec')!.t);
  assert.deepEqual({ ps: spec.field('containers')!.ps, mk: spec.field('containers')!.mk }, { ps: 'merge', mk: 'name' });
  assert.equal(spec.field('tolerations')!.ps, undefined); // tolerations are replaced, not merged
  assert.equal(spec.field('volumes')!.ps, 'merge,retainKeys');
  const container = spec.node(spec.field('containers')!.t).elem();
  assert.equal(container.field('ports')!.mk, 'containerPort');
  assert.deepEqual(container.field('ports')!.lk, ['containerPort', 'protocol']);
  assert.equal(container.field('volumeMounts')!.mk, 'mountPath');
  const meta = podSchema.node(podSchema.field('metadata')!.t);
  assert.deepEqual({ ps: meta.field('finalizers')!.ps, lt: meta.field('finalizers')!.lt }, { ps: 'merge', lt: 'set' });
  assert.equal(meta.field('ownerReferences')!.mk, 'uid');
  const svcSpec = svcSchema.node(svcSchema.field('spec')!.t);
  assert.equal(svcSpec.field('ports')!.mk, 'port');
  assert.ok(smpSchemaFor('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'));
  assert.ok(smpSchemaFor('apiregistration.k8s.io', 'v1', 'APIService'));
  assert.ok(smpSchemaFor('autoscaling', 'v1', 'Scale'));
});

test('kubectl apply (2nd): $setElementOrder + changed image merges the container by name', () => {
  const live = deployment([{ name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
  const patch = { metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":1}' } }, spec: { replicas: 3, template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'nginx:1.26', name: 'web' }] } } } };
  const out = smp(live, patch, deploySchema);
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'web', image: 'nginx:1.26', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
  assert.equal(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], '{"new":1}');
  assert.equal(JSON.stringify(out).includes('$setElementOrder'), false);
  // input untouched
  assert.equal((live.spec.template.spec.containers[0] as any).image, 'nginx:1.25');
});

test('kubectl apply: removing a container via $patch: delete, order from $setElementOrder', () => {
  const live = deployment([{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }, { name: 'c', image: 'z' }]);
  const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ $patch: 'delete', name: 'b' }] } } } };
  const out = smp(live, patch, deploySchema);
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['c', 'a']);
});

test('kubectl apply: removing an env var', () => {
  const live = { spec: { containers: [{ name: 'web', image: 'x', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] } };
  const patch = { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }] }] } };
  assert.deepEqual(smp(live, patch).spec.containers[0].env, [{ name: 'A', value: '1' }]);
});

test('kubectl apply: removing a label via null', () => {
  const live = { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } } };
  assert.deepEqual(smp(live, { metadata: { labels: { tier: null } } }).metadata.labels, { app: 'web' });
});

test('kubectl rollout restart: annotation on the pod template', () => {
  const live = deployment([{ name: 'web', image: 'x' }]);
  const out = smp(live, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } }, deploySchema);
  assert.deepEqual(out.spec.template.metadata, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } });
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'web', image: 'x' }]);
});

test('kubectl set image: a container list patch merges by name and keeps the others', () => {
  const live = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  assert.deepEqual(smp(live, { spec: { containers: [{ name: 'b', image: 'y2' }] } }).spec.containers, [{ name: 'a', image: 'x' }, { name: 'b', image: 'y2' }]);
});

test('new list items are appended; ports merge by containerPort', () => {
  const live = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] } };
  const out = smp(live, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 443, name: 'https' }, { containerPort: 80, protocol: 'TCP' }] }, { name: 'z', image: 'new' }] } });
  assert.deepEqual(out.spec.containers[0].ports, [{ containerPort: 443, name: 'https' }, { containerPort: 80, name: 'http', protocol: 'TCP' }]);
  assert.deepEqual(out.spec.containers.map((c: any) => c.name), ['a', 'z']);
});

test('service ports merge by port', () => {
  const live = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] } };
  const out = smp(live, { spec: { ports: [{ port: 443, targetPort: 9443 }] } }, svcSchema);
  assert.deepEqual(out.spec.ports, [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 9443 }]);
});

test('lists without merge strategy are replaced (tolerations, args)', () => {
  const live = { spec: { tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'c', args: ['1', '2'] }] } };
  const out = smp(live, { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'c', args: ['3'] }] } });
  assert.deepEqual(out.spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
  assert.deepEqual(out.spec.containers[0].args, ['3']);
});

test('finalizers: primitive merge list adds, deduplicates and deletes via $deleteFromPrimitiveList', () => {
  const live = { metadata: { finalizers: ['a', 'b'] } };
  assert.deepEqual(smp(live, { metadata: { finalizers: ['b', 'c'] } }).metadata.finalizers, ['a', 'b', 'c']);
  assert.deepEqual(smp(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers, ['b']);
});

// upstream "delete an item in a list of primitives and preserve order"
test('upstream case: $setElementOrder with $deleteFromPrimitiveList', () => {
  const live = { metadata: { finalizers: ['1', '2', '3'] } };
  const out = smp(live, { metadata: { '$setElementOrder/finalizers': ['2', '1'], '$deleteFromPrimitiveList/finalizers': ['3'] } });
  assert.deepEqual(out.metadata.finalizers, ['2', '1']);
});

// upstream "set elements order in a list with server-only items" (2 and 3)
test('upstream cases: $setElementOrder interleaves server-only items', () => {
  const c = (n: string, extra: object = {}) => ({ name: n, ...extra });
  let live = { spec: { containers: [c('1', { other: 'a' }), c('3', { value: '3' }), c('4', { value: '4' }), c('2', { value: '2' }), c('9')] } };
  let out = smp(live, { spec: { '$setElementOrder/containers': [c('4'), c('2'), c('3'), c('1')] } });
  assert.deepEqual(out.spec.containers.map((x: any) => x.name), ['4', '2', '3', '1', '9']);
  live = { spec: { containers: [c('1', { other: 'a' }), c('2'), c('9'), c('3'), c('4')] } };
  out = smp(live, { spec: { '$setElementOrder/containers': [c('2'), c('1'), c('4'), c('3')] } });
  assert.deepEqual(out.spec.containers.map((x: any) => x.name), ['2', '1', '9', '4', '3']);
  live = { spec: { containers: [c('1'), c('2'), c('7'), c('9'), c('8'), c('3'), c('4')] } };
  out = smp(live, { spec: { '$setElementOrder/containers': [c('2'), c('1'), c('4'), c('3')] } });
  assert.deepEqual(out.spec.containers.map((x: any) => x.name), ['2', '1', '7', '9', '8', '4', '3']);
});

test('$setElementOrder rejects a patch list whose order does not match', () => {
  const live = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  const e = statusOf(() => smp(live, { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', image: 'x' }] } }));
  assert.equal(e.code, 400);
  assert.match(e.status.message!, /doesn't match \$setElementOrder list/);
});

test('$patch: replace on a map replaces it wholesale', () => {
  const live = { metadata: { labels: { a: '1', b: '2' } } };
  assert.deepEqual(smp(live, { metadata: { labels: { $patch: 'replace', c: '3' } } }).metadata.labels, { c: '3' });
});

test('$patch: delete on a map removes its content', () => {
  const live = { spec: { securityContext: { runAsUser: 1 }, nodeName: 'n' } };
  assert.deepEqual(smp(live, { spec: { securityContext: { $patch: 'delete' } } }).spec, { securityContext: {}, nodeName: 'n' });
});

test('$patch: replace in a merge list replaces the whole list', () => {
  const live = { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } };
  assert.deepEqual(smp(live, { spec: { containers: [{ name: 'c', image: 'z' }, { $patch: 'replace' }] } }).spec.containers, [{ name: 'c', image: 'z' }]);
});

test('deleting a missing list item is a no-op', () => {
  const live = { spec: { containers: [{ name: 'a' }] } };
  assert.deepEqual(smp(live, { spec: { containers: [{ name: 'zz', $patch: 'delete' }] } }).spec.containers, [{ name: 'a' }]);
});

test('retainKeys: deployment strategy switch clears rollingUpdate', () => {
  const live = deployment([{ name: 'web' }]) as any;
  live.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  const out = smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, deploySchema);
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
});

// upstream "retainKeys map should clear defaulted field"
test('retainKeys: fields not listed are cleared, listed ones merged', () => {
  const live = { spec: { volumes: [{ name: 'v', emptyDir: {} }] } };
  const out = smp(live, { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }] } });
  assert.deepEqual(out.spec.volumes, [{ name: 'v', configMap: { name: 'cm' } }]);
});

test('retainKeys: a patch field missing from the list is 400', () => {
  const live = { spec: { strategy: { type: 'RollingUpdate' } } };
  const e = statusOf(() => smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: {} } } }, deploySchema));
  assert.equal(e.code, 400);
  assert.equal(e.status.message, 'invalid patch format of retainKeys');
});

test('null for a field that does not exist is ignored; nulls in new subtrees are discarded', () => {
  const out = smp({ metadata: { name: 'p' } }, { metadata: { labels: { a: null, b: 'x' }, annotations: null } });
  assert.deepEqual(out.metadata, { name: 'p', labels: { b: 'x' } });
});

test('new subtrees are taken verbatim, minus directive items and directive keys', () => {
  const out = smp({ spec: {} }, { spec: { containers: [{ name: 'a', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E' }] }, { name: 'b', $patch: 'delete' }], strategy: { $retainKeys: ['type'] } } }, podSchema);
  assert.deepEqual(out.spec.containers, [{ name: 'a', env: [{ name: 'E' }] }]);
  assert.deepEqual(out.spec.strategy, {});
});

test('maps inside untyped fields merge (no schema: maps merge, lists replace)', () => {
  const crdLike = { spec: { unknownField: { a: 1, list: [1, 2] } } };
  assert.deepEqual(smp(crdLike, { spec: { unknownField: { b: 2, list: [3] } } }).spec.unknownField, { a: 1, b: 2, list: [3] });
});

test('bad input: patch body not an object is 400', () => {
  for (const p of [[], 'x', 1, null]) assert.equal(statusOf(() => smp({}, p)).code, 400);
  assert.equal(statusOf(() => smp({}, [])).status.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
});

test('bad input: unknown $patch directive is 400 with upstream wording', () => {
  const e = statusOf(() => smp({ metadata: { labels: {} } }, { metadata: { labels: { $patch: 'frob' } } }));
  assert.equal(e.code, 400);
  assert.equal(e.status.message, 'unknown patch type: frob in map: map[$patch:frob]');
  assert.equal(statusOf(() => smp({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ name: 'a', $patch: 'merge' }] } })).code, 400);
});

test('bad input: merge list item without merge key is 400', () => {
  const e = statusOf(() => smp({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ image: 'x' }] } }));
  assert.equal(e.code, 400);
  assert.equal(e.status.message, 'map: map[image:x] does not contain declared merge key: name');
});

test('bad input: a wrongly typed result is 422 Invalid from the schema step every patched object goes through', () => {
  const live = deployment([{ name: 'web' }]);
  const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
  const check = (patch: Record<string, unknown>) => statusOf(() => decodePatched(smp(live, patch, deploySchema) as any, gvk, 'Strict', 'strategic', () => goSprint(patch)));
  const e = check({ spec: { template: [] } });
  assert.equal(e.code, 422);
  assert.equal(e.reason, 'Invalid');
  assert.equal(e.status.message, ' "" is invalid: patch: Invalid value: "map[spec:map[template:[]]]": cannot restore struct from: slice');
  assert.equal(check({ spec: { replicas: 'three' } }).code, 422);
  assert.equal(check({ spec: { template: { spec: { containers: { name: 'x' } } } } }).code, 422);
});

test('bad input: malformed directives are 400', () => {
  assert.equal(statusOf(() => smp({ spec: { strategy: {} } }, { spec: { strategy: { $retainKeys: 'type' } } }, deploySchema)).code, 400);
  assert.equal(statusOf(() => smp({ metadata: {} }, { metadata: { '$setElementOrder/finalizers': 'x' } })).code, 400);
  assert.equal(statusOf(() => smp({ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ name: 'a' }, 'b'] } })).code, 400);
  assert.equal(statusOf(() => smp({ spec: { containers: [[1]] } }, { spec: { containers: [[2]] } })).code, 422);
});

test('applying the same patch twice is idempotent', () => {
  const live = deployment([{ name: 'web', image: 'nginx:1.25' }]);
  const patch = { spec: { replicas: 3, template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'nginx:1.26', name: 'web' }] } } } };
  const once = smp(live, patch, deploySchema);
  assert.deepEqual(smp(once, patch, deploySchema), once);
});

// Verified against k8s.io/apimachinery v0.32.4: upstream edits the live list in place, so a new
// item that reuses the slot of a deleted one is ordered after a server-only item.
test('$setElementOrder with a deletion and an addition orders server-only items as upstream', () => {
  const live = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'x' }] } };
  const patch = { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'new' }], containers: [{ name: 'new', image: 'n' }, { name: 'b', $patch: 'delete' }] } };
  assert.deepEqual(smp(live, patch).spec.containers.map((c: any) => c.name), ['a', 'x', 'new']);
  const live2 = { spec: { containers: [{ name: 'a' }, { name: 'x' }] } };
  const patch2 = { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'new' }], containers: [{ name: 'new', image: 'n' }] } };
  assert.deepEqual(smp(live2, patch2).spec.containers.map((c: any) => c.name), ['a', 'new', 'x']);
});

test('free-form values (a ControllerRevision\'s data) keep their $patch keys through a patch elsewhere; typed fields still lose stray directives', () => {
  const cr = smpSchemaFor('apps', 'v1', 'ControllerRevision');
  const data = { spec: { template: { $patch: 'replace', metadata: { labels: { a: 'b' } } } } };
  const out = smp({ metadata: { name: 'r' }, data, revision: 1 }, { metadata: { labels: { x: 'y' } } }, cr);
  assert.deepEqual(out.data, data);
  assert.deepEqual(out.metadata.labels, { x: 'y' });
  const typed = smp({ metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } }, { spec: { nodeSelector: { $retainKeys: ['a'], a: 'b' } } });
  assert.deepEqual(typed.spec.nodeSelector, { a: 'b' });
});
