// The create path of field ownership (addedFields) must record exactly what the general comparison
// records for an object compared with nothing: checked over realistic objects of many kinds, a custom
// resource's untyped objects, and edge values (nulls, empty containers, repeated list keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addedFields, compare } from '../../src/patch/apply/typed.ts';
import { schemaForGvk } from '../../src/patch/apply/managed.ts';
import { updateManagedFields } from '../../src/api/server-side-apply.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { corpus } from '../protobuf/corpus.ts';

const gvkOf = (o: Record<string, any>) => {
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
  return { group, version, kind: String(o.kind) };
};

const edge: Record<string, Record<string, any>> = {
  nulls: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: null, annotations: {} }, spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80 }], env: null, command: [] }], volumes: [], nodeSelector: {} }, status: null },
  repeatedKeys: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, protocol: 'TCP' }, { port: 80 }, { port: 81, protocol: 'UDP' }], selector: { a: 'b' } } },
  unknownFields: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { app: 'load' } }, data: { key: 'value', index: '1' }, extra: { deep: { x: 1 } }, list: [1, 2] },
  emptyObject: { apiVersion: 'v1', kind: 'ConfigMap' },
  scalarsWhereObjectsGo: { apiVersion: 'v1', kind: 'Pod', metadata: 'x', spec: [1, { a: 1 }] },
  custom: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3, items: [{ a: 1 }, { b: {} }], nested: { deeper: { x: null } }, empty: {} } },
};

for (const [name, obj] of Object.entries({ ...corpus, ...edge })) {
  test(`addedFields equals compare(nothing, object).added: ${name}`, () => {
    const s = schemaForGvk(gvkOf(obj));
    const expected = compare(s, {}, obj).added;
    const got = addedFields(s, obj);
    assert.deepEqual(got.paths(), expected.paths());
    assert.ok(got.equals(expected));
  });
}

test('a create records the same managedFields with or without prior owners sent', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', labels: { app: 'load' } }, data: { key: 'value', index: '1' } } as KObject;
  const gvk = { group: '', version: 'v1', kind: 'ConfigMap' };
  const fast = updateManagedFields(undefined, cm, 'load', 'Update', gvk);
  // A reset request ([{}]) takes the general path with no managers: the same result.
  const general = updateManagedFields(undefined, { ...cm, metadata: { ...cm.metadata, managedFields: [{}] } } as KObject, 'load', 'Update', gvk);
  assert.deepEqual(fast.metadata.managedFields, general.metadata.managedFields);
  assert.deepEqual(fast.metadata.managedFields![0].fieldsV1, { 'f:data': { '.': {}, 'f:index': {}, 'f:key': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } });
  assert.equal(cm.metadata.managedFields, undefined, 'the input is not changed');
});

test('a create that sends managedFields of other managers: they lose the fields it sets and keep the rest', () => {
  const gvk = { group: '', version: 'v1', kind: 'ConfigMap' };
  const other = { manager: 'other', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:key': {}, 'f:gone': {} } } };
  const taken = { manager: 'taken', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:more': {} } } };
  const out = updateManagedFields(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [other, taken] }, data: { key: 'v', more: 'w' } } as unknown as KObject, 'load', 'Update', gvk);
  const byManager = Object.fromEntries(out.metadata.managedFields!.map((m) => [m.manager, m.fieldsV1]));
  assert.deepEqual(Object.keys(byManager).sort(), ['load', 'other']);
  assert.deepEqual(byManager.other, { 'f:data': { 'f:gone': {} } });
  assert.deepEqual(byManager.load, { 'f:data': { '.': {}, 'f:key': {}, 'f:more': {} } });
});
