// ControllerRevision validation: data required, revision non-negative, data immutable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, update } from './helpers.ts';

test('controllerrevision: data is mandatory, revision >= 0, data immutable but revision may change', () => {
  const good = create('apps', 'ControllerRevision', { metadata: { name: 'web-abc' }, data: { spec: { template: { $patch: 'replace' } } }, revision: 1 });
  assert.deepEqual(good.errors, []);
  assert.deepEqual(create('apps', 'ControllerRevision', { metadata: { name: 'web-abc' }, revision: -1 }).errors,
    ['data: Required value: data is mandatory', 'revision: Invalid value: -1: must be greater than or equal to 0']);
  const renumbered = structuredClone(good.obj); renumbered.revision = 3;
  assert.deepEqual(update('apps', 'ControllerRevision', renumbered, good.obj).errors, []);
  const changed = structuredClone(good.obj); changed.data = { spec: {} };
  assert.deepEqual(update('apps', 'ControllerRevision', changed, good.obj).errors, ['data: Invalid value: {"spec":{}}: field is immutable']);
});
