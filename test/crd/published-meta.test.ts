// What kubectl explain and discovery clients read about a custom resource: metadata in the published
// OpenAPI (v3 wraps a $ref that has siblings in allOf, v2 keeps it bare) and the storage version hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crdOpenAPI, wrapRefs } from '../../src/schema/openapi-publish.ts';
import { defFromCRD } from '../../src/registry/custom/definition.ts';
import { ResourceTable } from '../../src/registry/resource-table.ts';
import { apiResourceList, storageVersionHash } from '../../src/api/discovery.ts';
import { widgetCRD } from './crds.ts';

const OM = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

test('wrapRefs: a $ref with siblings moves into allOf, a bare $ref and non-maps stay', () => {
  assert.deepEqual(wrapRefs({ $ref: '#/a', description: 'd' }), { description: 'd', allOf: [{ $ref: '#/a' }] });
  assert.deepEqual(wrapRefs({ $ref: '#/a' }), { $ref: '#/a' });
  assert.deepEqual(wrapRefs({ $ref: '#/a', allOf: [{ type: 'object' }] }), { allOf: [{ $ref: '#/a' }, { type: 'object' }] });
  const nested = wrapRefs({ type: 'object', properties: { x: { type: 'array', items: { $ref: '#/b', default: {} } } }, additionalProperties: { $ref: '#/c', description: 'e' } });
  assert.deepEqual(nested.properties.x.items, { default: {}, allOf: [{ $ref: '#/b' }] });
  assert.deepEqual(nested.additionalProperties, { description: 'e', allOf: [{ $ref: '#/c' }] });
  for (const v of [null, 5, 'x', [], [{ $ref: '#/a', title: 't' }]]) assert.doesNotThrow(() => wrapRefs(v));
  assert.deepEqual(wrapRefs([{ $ref: '#/a', title: 't' }]), [{ title: 't', allOf: [{ $ref: '#/a' }] }]);
  assert.deepEqual(wrapRefs({ $ref: 5, description: 'not a string ref' }), { $ref: 5, description: 'not a string ref' });
});

test('published schemas: metadata (object, list and embedded resources) in v3 and v2', () => {
  const crd = widgetCRD({ group: 'pm.example.com' }) as any;
  crd.spec.versions[0].schema.openAPIV3Schema.properties.template = { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } };
  const [pv] = crdOpenAPI(crd);
  const v3 = pv.v3.components.schemas;
  const w = v3['com.example.pm.v1.Widget'];
  assert.deepEqual(w.properties.metadata.allOf, [{ $ref: `#/components/schemas/${OM}` }]);
  assert.match(w.properties.metadata.description, /^Standard object's metadata\./);
  assert.deepEqual(w.properties.template.properties.metadata.allOf, [{ $ref: `#/components/schemas/${OM}` }]);
  assert.deepEqual(v3['com.example.pm.v1.WidgetList'].properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta' }]);
  assert.ok(v3[OM], 'the wrapped reference still pulls ObjectMeta into the document');
  const v2 = pv.v2.definitions['com.example.pm.v1.Widget'];
  assert.deepEqual(v2.properties.metadata, { $ref: `#/definitions/${OM}`, description: w.properties.metadata.description });
  // A second build is unaffected by the first (no shared, mutated schema).
  assert.deepEqual(crdOpenAPI(crd)[0].v3.components.schemas['com.example.pm.v1.Widget'], w);
});

function established(crd: any) {
  crd.metadata.uid = 'u1';
  crd.status = { conditions: [{ type: 'Established', status: 'True' }], acceptedNames: { ...crd.spec.names, listKind: `${crd.spec.names.kind}List` } };
  return defFromCRD(crd)!;
}

const hashOf = (gvk: string) => createHash('sha256').update(gvk).digest().subarray(0, 8).toString('base64');

test('storageVersionHash: a custom resource hashes its storage version, the same for every served version', () => {
  const schema = { openAPIV3Schema: { type: 'object' } };
  const crd = widgetCRD({ group: 'h.example.com', versions: [
    { name: 'v1', served: true, storage: false, schema },
    { name: 'v2', served: true, storage: true, schema },
  ] });
  const table = new ResourceTable();
  table.setCustom(established(crd));
  const want = hashOf('h.example.com/v2/Widget');
  assert.equal(want.length, 12);
  for (const v of ['v1', 'v2']) {
    const r = table.find('h.example.com', v, 'widgets')!;
    assert.equal(storageVersionHash(r), want, v);
    const list = apiResourceList('h.example.com', v, table);
    const entries = list.resources as Record<string, unknown>[];
    assert.equal(entries.find((e) => e.name === 'widgets')?.storageVersionHash, want);
    assert.equal(entries.find((e) => e.name === 'widgets/status')?.storageVersionHash, undefined, 'subresources have none');
  }
  assert.notEqual(hashOf('h.example.com/v1/Widget'), want);
  // Built-in kinds keep theirs.
  assert.equal(storageVersionHash(table.find('apps', 'v1', 'deployments')!), hashOf('apps/v1/Deployment'));
});
