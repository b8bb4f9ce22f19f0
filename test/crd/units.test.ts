// Pure pieces of CRD serving: the JSONPath subset, name acceptance, version priority, the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPathValues, isSupportedJsonPath } from '../../src/registry/custom/jsonpath.ts';
import { acceptNames } from '../../src/registry/custom/names.ts';
import { compareKubeVersions, ResourceTable } from '../../src/registry/resource-table.ts';
import { defFromCRD } from '../../src/registry/custom/definition.ts';
import { widgetCRD } from './crds.ts';

test('JSONPath subset: fields, indexes, quoted keys, wildcards, filters; bad paths match nothing', () => {
  const o = { spec: { 'a.b': 1, list: [{ name: 'x', v: 1 }, { name: 'y', v: 2 }], n: null }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }] } };
  assert.deepEqual(jsonPathValues(o, '.spec.list[1].name'), ['y']);
  assert.deepEqual(jsonPathValues(o, '.spec.list[-1].v'), [2]);
  assert.deepEqual(jsonPathValues(o, "{.spec['a.b']}"), [1]);
  assert.deepEqual(jsonPathValues(o, '.spec.list[*].name'), ['x', 'y']);
  assert.deepEqual(jsonPathValues(o, '.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(jsonPathValues(o, ".status.conditions[?(@.type!='Ready')].type"), ['Synced']);
  assert.deepEqual(jsonPathValues(o, '.spec.n'), [null]);
  assert.deepEqual(jsonPathValues(o, '.spec.missing.deeper'), []);
  assert.deepEqual(jsonPathValues(o, '.spec.list[7]'), []);
  for (const bad of ['.spec[', 'spec..[?(@.x>1)]', '.a[?(@.x~1)]', '..a']) {
    assert.deepEqual(jsonPathValues(o, bad), [], bad);
  }
  assert.equal(isSupportedJsonPath('.spec.x'), true);
  assert.equal(isSupportedJsonPath('.spec[unclosed'), false);
  assert.deepEqual(jsonPathValues('not an object', '.a'), []);
});

test('name acceptance: conflicts per name kind, own names kept, group scoped', () => {
  const accepted = (plural: string, kind: string, extra: Record<string, unknown> = {}) => ({ metadata: { name: `${plural}.g.io` }, spec: { group: 'g.io', names: { plural, kind } }, status: { acceptedNames: { plural, kind, singular: kind.toLowerCase(), listKind: `${kind}List`, ...extra } } });
  const others = [accepted('foos', 'Foo', { shortNames: ['f'] })];
  const mk = (names: Record<string, unknown>, group = 'g.io') => ({ metadata: { name: 'x' }, spec: { group, names } });
  assert.deepEqual(acceptNames(mk({ plural: 'foos', kind: 'Bar' }) as any, others as any).condition, { type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: '"foos" is already in use' });
  assert.equal(acceptNames(mk({ plural: 'bars', singular: 'foo', kind: 'Bar' }) as any, others as any).condition.reason, 'SingularConflict');
  assert.equal(acceptNames(mk({ plural: 'bars', kind: 'Foo' }) as any, others as any).condition.reason, 'KindConflict');
  assert.equal(acceptNames(mk({ plural: 'bars', kind: 'Bar', listKind: 'FooList' }) as any, others as any).condition.reason, 'ListKindConflict');
  assert.deepEqual(acceptNames(mk({ plural: 'bars', kind: 'Bar', shortNames: ['f', 'foos'] }) as any, others as any).condition.message, '["f" is already in use, "foos" is already in use]');
  assert.equal(acceptNames(mk({ plural: 'foos', kind: 'Foo' }, 'other.io') as any, others as any).condition.status, 'True', 'other groups do not conflict');
  const ok = acceptNames(mk({ plural: 'bars', kind: 'Bar', shortNames: ['b'], categories: ['all'] }) as any, others as any);
  assert.deepEqual(Object.keys(ok.names), ['plural', 'shortNames', 'kind', 'categories']);
  // Malformed names never throw.
  assert.equal(acceptNames({ metadata: {}, spec: { names: 7 } } as any, []).condition.status, 'True');
});

test('version priority and the per-server table', () => {
  assert.deepEqual(['v1alpha1', 'v2', 'v1beta2', 'foo', 'v1', 'v1beta1', 'v10', 'bar'].sort(compareKubeVersions), ['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'bar', 'foo']);
  const crd = widgetCRD({ group: 't.example.com' }) as any;
  assert.equal(defFromCRD(crd), undefined, 'not served before it is Established');
  crd.metadata.uid = 'u1';
  crd.status = { conditions: [{ type: 'Established', status: 'True' }], acceptedNames: { plural: 'widgets', kind: 'Widget', listKind: 'WidgetList' } };
  const def = defFromCRD(crd)!;
  const a = new ResourceTable(), b = new ResourceTable();
  let changes = 0;
  a.onChange(() => changes++);
  a.setCustom(def);
  assert.equal(changes, 1);
  assert.equal(a.find('t.example.com', 'v1', 'widgets')?.kind, 'Widget');
  assert.equal(a.findKind('t.example.com', 'v1', 'Widget')?.resource, 'widgets');
  assert.equal(b.find('t.example.com', 'v1', 'widgets'), undefined, 'tables do not share CRDs');
  assert.ok(a.groupVersions().some((g) => g.group === 't.example.com'));
  assert.ok(!b.groupVersions().some((g) => g.group === 't.example.com'));
  assert.equal(a.find('', 'v1', 'pods')?.kind, 'Pod', 'built-in resources stay');
  a.removeCustom(def.crdName);
  assert.equal(a.find('t.example.com', 'v1', 'widgets'), undefined);
  // A malformed CRD is never served and never throws.
  for (const bad of [{ metadata: { name: 'x' } }, { metadata: { name: 'x' }, spec: 5, status: crd.status }, { metadata: { name: 'x' }, spec: { group: 'g', versions: 'v1' }, status: crd.status }]) {
    assert.equal(defFromCRD(bad as any), undefined);
  }
});
