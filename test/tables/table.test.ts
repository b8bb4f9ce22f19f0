import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable, printerFor, PRINTERS } from '../../src/api/tables/index.ts';
import { StatusError } from '../../src/errors.ts';
import { RESOURCES, findResource } from '../../src/registry/resources.ts';
import type { ResourceInfo } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const cm = findResource('', 'v1', 'configmaps')!;
const item = (): KObject => ({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns', resourceVersion: '5', creationTimestamp: '2025-01-01T11:00:00Z', labels: { a: 'b' } },
  data: { k: 'v' },
});

test('includeObject defaults to Metadata (PartialObjectMetadata)', () => {
  const t = toTable(cm, [item()], { resourceVersion: '9', continue: 'tok', remainingItemCount: 3 }, NOW);
  assert.deepEqual(t.metadata, { resourceVersion: '9', continue: 'tok', remainingItemCount: 3 });
  assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: item().metadata });
  assert.deepEqual(toTable(cm, [item()], { includeObject: 'Metadata' }, NOW).rows[0].object, t.rows[0].object);
});

test('includeObject=Object embeds the full object, None omits it', () => {
  assert.deepEqual(toTable(cm, [item()], { includeObject: 'Object' }, NOW).rows[0].object, item());
  const bare = item();
  delete bare.apiVersion; delete bare.kind;
  const o = toTable(findResource('apps', 'v1', 'deployments')!, [bare], { includeObject: 'Object' }, NOW).rows[0].object as KObject;
  assert.equal(o.apiVersion, 'apps/v1');
  assert.equal(o.kind, 'Deployment');
  const none = toTable(cm, [item()], { includeObject: 'None' }, NOW);
  assert.equal('object' in none.rows[0], false);
  assert.deepEqual(none.rows[0].cells, ['c', 1, '60m']);
});

test('unknown includeObject is a 400 BadRequest', () => {
  assert.throws(() => toTable(cm, [item()], { includeObject: 'Everything' }, NOW), (e: unknown) => e instanceof StatusError && e.status.code === 400);
});

test('unknown resources get Name + Created At', () => {
  const r: ResourceInfo = { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true, verbs: [], subresources: [] };
  const t = toTable(r, [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', creationTimestamp: '2024-12-31T00:00:00Z' } }], {}, NOW);
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(t.rows[0].cells, ['w', '2024-12-31T00:00:00Z']);
});

test('every printer: column definitions are well-formed and rows match their width, even for empty objects', () => {
  const types = new Set(['string', 'integer', 'number', 'boolean', 'date']);
  for (const r of RESOURCES) {
    const p = printerFor(r);
    for (const c of p.columns) {
      assert.ok(types.has(c.type), `${r.resource}.${c.name} type`);
      assert.ok(c.priority === 0 || c.priority === 1, `${r.resource}.${c.name} priority`);
      assert.ok(c.description.length > 0, `${r.resource}.${c.name} description`);
    }
    assert.equal(p.columns.filter((c) => c.format === 'name').length, 1, `${r.resource} has one name column`);
    const t = toTable(r, [{ metadata: { name: 'x' } }, { metadata: {}, spec: null, status: 'weird' } as unknown as KObject], {}, NOW);
    for (const row of t.rows) assert.equal(row.cells.length, t.columnDefinitions.length, `${r.resource} row width`);
  }
  // Every dedicated printer is for a resource the server actually serves.
  const served = new Set(RESOURCES.map((r) => `${r.group}/${r.resource}`));
  for (const key of PRINTERS.keys()) assert.ok(served.has(key), `printer ${key} matches a served resource`);
});

test('the table is plain JSON', () => {
  const t = toTable(findResource('', 'v1', 'pods')!, [{ metadata: { name: 'p' } }], {}, NOW);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
});
