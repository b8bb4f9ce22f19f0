import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from '../../src/api/tables/index.ts';
import { findResource } from '../../src/registry/resources.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');

test('controllerrevisions: name, controller as kind.group/name, revision, age', () => {
  const r = findResource('apps', 'v1', 'controllerrevisions')!;
  const meta = { namespace: 'default', creationTimestamp: '2025-01-01T11:00:00Z' };
  const t = toTable(r, [
    { metadata: { name: 'agent-5d8f', ...meta, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }, revision: 3 },
    { metadata: { name: 'loose', ...meta }, revision: 1 },
  ], {}, NOW);
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Controller', 'Revision', 'Age']);
  assert.deepEqual(t.rows.map((x) => x.cells), [['agent-5d8f', 'daemonset.apps/agent', 3, '60m'], ['loose', '<none>', 1, '60m']]);
});
