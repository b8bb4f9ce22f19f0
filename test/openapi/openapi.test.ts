import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { RESOURCES, gvString } from '../../src/registry/resources.ts';
import { openapiV3Index, openapiV3Document, openapiV2 } from '../../src/openapi/index.ts';

const gvPath = (r: { group: string; version: string }) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`);
const parse = (b: Buffer) => JSON.parse(b.toString('utf8'));

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) refs(x, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

test('the v3 index lists every served group-version with a hash URL', () => {
  const idx = openapiV3Index();
  for (const r of RESOURCES) {
    const p = gvPath(r);
    const e = idx.paths[p];
    assert.ok(e, `index misses ${p}`);
    assert.match(e.serverRelativeURL, new RegExp(`^/openapi/v3/${p.replaceAll('.', '\\.')}\\?hash=[0-9A-F]{128}$`));
  }
  // Group-versions Skiff does not serve are not advertised.
  assert.equal(idx.paths['apis/resource.k8s.io/v1beta1'], undefined);
  assert.equal(idx.paths['apis/storagemigration.k8s.io/v1alpha1'], undefined);
});

test('every v3 document parses, hashes to its advertised hash, and all $refs resolve inside it', () => {
  const idx = openapiV3Index();
  for (const [p, { serverRelativeURL }] of Object.entries(idx.paths)) {
    const d = openapiV3Document(p);
    assert.ok(d, p);
    const body = d.body;
    assert.ok(gunzipSync(d.gzip).equals(body), `${p}: gzip variant differs`);
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
    assert.equal(d.hash, hash);
    assert.equal(d.etag, `"${hash}"`);
    assert.ok(serverRelativeURL.endsWith(`?hash=${hash}`));
    const doc = parse(body);
    assert.equal(doc.openapi, '3.0.0');
    assert.equal(doc.info.title, 'Kubernetes');
    assert.equal(typeof doc.paths, 'object');
    const schemas = doc.components?.schemas ?? {};
    for (const ref of refs(doc)) {
      assert.ok(ref.startsWith('#/components/schemas/'), `${p}: foreign ref ${ref}`);
      assert.ok(ref.slice('#/components/schemas/'.length) in schemas, `${p}: dangling ref ${ref}`);
    }
  }
  assert.equal(openapiV3Document('apis/nope/v1'), undefined);
  assert.equal(openapiV3Document('apis/apps/v1?hash=abc')?.hash, openapiV3Document('/apis/apps/v1')?.hash);
});

test('each served resource has item/collection operations, and PATCH carries GVK and fieldValidation', () => {
  const cache = new Map<string, any>();
  for (const r of RESOURCES) {
    const p = gvPath(r);
    if (!cache.has(p)) cache.set(p, parse(openapiV3Document(p)!.body));
    const doc = cache.get(p);
    const base = `/${p}/${r.namespaced ? 'namespaces/{namespace}/' : ''}${r.resource}`;
    const item = doc.paths[`${base}/{name}`];
    const coll = doc.paths[base];
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    if (r.verbs.includes('create')) assert.ok(coll?.post, `${base} post`);
    if (r.verbs.includes('list')) assert.ok(coll?.get, `${base} get`);
    if (r.verbs.includes('get')) assert.deepEqual(item?.get?.['x-kubernetes-group-version-kind'], gvk, `${base}/{name} get`);
    if (r.verbs.includes('update')) assert.ok(item?.put, `${base}/{name} put`);
    if (r.verbs.includes('delete')) assert.ok(item?.delete, `${base}/{name} delete`);
    if (r.verbs.includes('patch')) {
      const op = item?.patch;
      assert.deepEqual(op?.['x-kubernetes-group-version-kind'], gvk, `${base}/{name} patch`);
      const names = op.parameters.map((x: { name: string }) => x.name);
      for (const n of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(names.includes(n), `${base} patch lacks ${n}`);
      for (const ct of ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']) {
        assert.ok(op.requestBody.content[ct], `${base} patch lacks ${ct}`);
      }
    }
    // The kind's schema is there with its GVK.
    const kindSchema = Object.values(doc.components.schemas).find((s: any) =>
      (s['x-kubernetes-group-version-kind'] ?? []).some((g: any) => g.group === r.group && g.version === r.version && g.kind === r.kind));
    assert.ok(kindSchema, `${gvString(r)} ${r.kind} schema`);
  }
});

test('the Deployment document has the shape kubectl explain and the query-param verifier read', () => {
  const doc = parse(openapiV3Document('apis/apps/v1')!.body);
  const s = doc.components.schemas;
  const dep = s['io.k8s.api.apps.v1.Deployment'];
  assert.deepEqual(dep['x-kubernetes-group-version-kind'], [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  assert.match(dep.description, /Deployment/);
  // Refs are wrapped in allOf with a default, as upstream v3 publishes them.
  assert.deepEqual(dep.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
  assert.deepEqual(dep.properties.spec.default, {});
  const spec = s['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.deepEqual(spec.required, ['selector', 'template']);
  assert.deepEqual(spec.properties.strategy.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }]);
  assert.ok(s['io.k8s.api.apps.v1.DeploymentStrategy'].properties.rollingUpdate);
  const pod = s['io.k8s.api.core.v1.PodSpec'];
  assert.equal(pod.properties.containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(pod.properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(pod.properties.containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(pod.properties.containers['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(s['io.k8s.api.core.v1.Container'].properties.ports['x-kubernetes-patch-merge-key'], 'containerPort');
  const ios = s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(ios.format, 'int-or-string');
  // Upstream v1.32 publishes oneOf (x-kubernetes-int-or-string is the CRD structural-schema spelling).
  assert.deepEqual(ios.oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(s['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  for (const meta of ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions', 'Patch', 'Time', 'APIResourceList', 'FieldsV1', 'ManagedFieldsEntry', 'WatchEvent']) {
    assert.ok(s[`io.k8s.apimachinery.pkg.apis.meta.v1.${meta}`], meta);
  }
  assert.ok(s['io.k8s.apimachinery.pkg.runtime.RawExtension']);
  // Meta kinds advertise only served group-versions.
  const gvks = s['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind'];
  assert.ok(gvks.some((g: any) => g.group === 'apps' && g.version === 'v1'));
  assert.ok(!gvks.some((g: any) => g.group === 'resource.k8s.io'));
});

test('core v1 carries MicroTime via Event and the pod subresources', () => {
  const doc = parse(openapiV3Document('api/v1')!.body);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']);
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/log']);
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch);
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/resize'], undefined, 'not served by Skiff');
});

test('openapi v2 is a Swagger 2.0 document with resolvable definitions', () => {
  const v2 = openapiV2();
  const doc = parse(v2.body);
  assert.equal(doc.swagger, '2.0');
  assert.equal(v2.etag, `"${createHash('sha512').update(v2.body).digest('hex').toUpperCase()}"`);
  assert.ok(doc.definitions['io.k8s.api.apps.v1.Deployment']);
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  for (const ref of refs(doc)) {
    if (ref.startsWith('#/parameters/')) assert.ok(ref.slice(13) in doc.parameters, ref);
    else assert.ok(ref.slice('#/definitions/'.length) in doc.definitions, `dangling ${ref}`);
  }
  assert.equal(doc.paths['/apis/resource.k8s.io/v1beta1/'], undefined);
});
