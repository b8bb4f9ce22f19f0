// crdOpenAPI(): the schemas and paths a CRD publishes for kubectl explain and client-side validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crdOpenAPI, definitionName, mergeOpenAPIV3 } from '../../src/schema/openapi-publish.ts';

type J = Record<string, any>;
const crd = (over: (c: J) => void = () => {}): J => {
  const c: J = {
    spec: {
      group: 'example.com', scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        { name: 'v1', served: true, storage: true, subresources: { status: {} }, selectableFields: [{ jsonPath: '.spec.color' }],
          schema: { openAPIV3Schema: { type: 'object', description: 'A widget', properties: {
            spec: { type: 'object', required: ['opt', 'color'], properties: {
              color: { type: 'string', enum: ['red', 'blue'] }, replicas: { type: 'integer', default: 1, minimum: 0 },
              port: { 'x-kubernetes-int-or-string': true }, opt: { type: 'string', nullable: true },
              any: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
              tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
              list: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
            } },
          } } } },
        { name: 'v0', served: false, storage: false },
      ],
    },
  };
  over(c);
  return c;
};

test('one entry per served version; definition names reverse the group', () => {
  const out = crdOpenAPI(crd());
  assert.deepEqual(out.map((p) => `${p.group}/${p.version}`), ['example.com/v1']);
  assert.equal(definitionName('stable.example.com', 'v1', 'CronTab'), 'com.example.stable.v1.CronTab');
});

test('v3: the kind schema with TypeMeta, ObjectMeta ref, GVK and selectable fields; refs resolve in the document', () => {
  const [p] = crdOpenAPI(crd());
  const s = p.v3.components.schemas['com.example.v1.Widget'];
  assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  assert.deepEqual(s['x-kubernetes-selectable-fields'], [{ fieldPath: 'spec.color' }]);
  assert.equal(s.description, 'A widget');
  // A $ref with a description beside it is wrapped in allOf, as upstream's v3 builder does.
  assert.deepEqual(s.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  assert.equal(s.properties.apiVersion.type, 'string');
  assert.deepEqual(s.properties.spec.properties.replicas, { default: 1, minimum: 0, type: 'integer' });
  assert.deepEqual(s.properties.spec.properties.port.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(s.properties.spec.properties.tpl.required, ['kind', 'apiVersion']);
  assert.deepEqual(s.properties.spec.properties.tpl.properties.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
  const list = p.v3.components.schemas['com.example.v1.WidgetList'];
  assert.equal(list.properties.items.items.$ref, '#/components/schemas/com.example.v1.Widget');
  assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'WidgetList', version: 'v1' }]);
  const text = JSON.stringify(p.v3);
  for (const m of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(p.v3.components.schemas[m[1]], `dangling ref ${m[1]}`);
  assert.ok(!text.includes('Deployment'), 'nothing of the template kind leaks');
});

test('v3 paths: namespaced routes, status subresource, operation ids, content types', () => {
  const [p] = crdOpenAPI(crd());
  assert.deepEqual(Object.keys(p.v3.paths), [
    '/apis/example.com/v1/namespaces/{namespace}/widgets', '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}',
    '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status', '/apis/example.com/v1/widgets']);
  const item = p.v3.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'];
  assert.equal(item.get.operationId, 'readExampleComV1NamespacedWidget');
  assert.equal(item.delete.description, 'delete a Widget');
  assert.deepEqual(item.get.tags, ['exampleCom_v1']);
  assert.deepEqual(Object.keys(item.patch.requestBody.content), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
  assert.deepEqual(Object.keys(item.get.responses['200'].content), ['application/json', 'application/yaml']);
  assert.equal(item.parameters.find((x: J) => x.name === 'name').description, 'name of the Widget');
  assert.equal(p.v3.paths['/apis/example.com/v1/widgets'].get.operationId, 'listExampleComV1WidgetForAllNamespaces');
  assert.equal(p.v3.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status'].put.operationId, 'replaceExampleComV1NamespacedWidgetStatus');
});

test('cluster scope: no namespace in paths or parameters', () => {
  const [p] = crdOpenAPI(crd((c) => { c.spec.scope = 'Cluster'; c.spec.names.kind = 'Item'; }));
  assert.deepEqual(Object.keys(p.v3.paths), ['/apis/example.com/v1/widgets', '/apis/example.com/v1/widgets/{name}', '/apis/example.com/v1/widgets/{name}/status']);
  assert.ok(!JSON.stringify(p.v3.paths).includes('{namespace}'));
  assert.equal(p.v3.paths['/apis/example.com/v1/widgets/{name}'].delete.description, 'delete an Item');
  assert.equal(p.v3.paths['/apis/example.com/v1/widgets/{name}'].get.operationId, 'readExampleComV1Item');
});

test('v2: value validations, defaults and nullable types dropped; nullable fields not required', () => {
  const [p] = crdOpenAPI(crd());
  const s = p.v2.definitions['com.example.v1.Widget'];
  assert.equal(s.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const spec = s.properties.spec;
  assert.deepEqual(spec.required, ['color']);
  assert.deepEqual(spec.properties.opt, {});
  assert.deepEqual(spec.properties.port, { 'x-kubernetes-int-or-string': true });
  assert.deepEqual(spec.properties.replicas, { minimum: 0, type: 'integer' });
  assert.deepEqual(spec.properties.any, { 'x-kubernetes-preserve-unknown-fields': true });
  const post = p.v2.paths['/apis/example.com/v1/namespaces/{namespace}/widgets'].post;
  assert.equal(post.parameters[0].schema.$ref, '#/definitions/com.example.v1.Widget');
  assert.deepEqual(post.produces, ['application/json', 'application/yaml']);
});

test('no schema, a preserve-unknown-fields root or a non-structural schema publish a bare object', () => {
  for (const f of [(c: J) => { delete c.spec.versions[0].schema; }, (c: J) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.color.type = 'color'; }]) {
    const [p] = crdOpenAPI(crd(f));
    assert.deepEqual(p.v3.components.schemas['com.example.v1.Widget'], { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Widget', version: 'v1' }], 'x-kubernetes-selectable-fields': [{ fieldPath: 'spec.color' }] });
  }
  const [p] = crdOpenAPI(crd((c) => { c.spec.versions[0].schema.openAPIV3Schema['x-kubernetes-preserve-unknown-fields'] = true; }));
  assert.equal(p.v2.definitions['com.example.v1.Widget'].properties, undefined);
  assert.ok(p.v3.components.schemas['com.example.v1.Widget'].properties.spec);
});

test('merging two CRDs of one group-version keeps both kinds', () => {
  const [a] = crdOpenAPI(crd());
  const [b] = crdOpenAPI(crd((c) => { c.spec.names = { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' }; }));
  const m = mergeOpenAPIV3([a.v3, b.v3])!;
  assert.ok(m.components.schemas['com.example.v1.Widget'] && m.components.schemas['com.example.v1.Gadget']);
  assert.ok(m.paths['/apis/example.com/v1/gadgets'] && m.paths['/apis/example.com/v1/widgets']);
});

test('malformed CRDs publish nothing rather than throw', () => {
  for (const bad of [null, 1, {}, { spec: 1 }, { spec: { versions: [null, 1, { served: true }] } }]) assert.doesNotThrow(() => crdOpenAPI(bad));
});
