import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyServerSide, setApplyClock, updateManagedFields } from '../../src/api/server-side-apply.ts';
import { FieldSet, pathString } from '../../src/patch/apply/fieldset.ts';
import { StatusError } from '../../src/errors.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const APPS = { group: 'apps', version: 'v1', kind: 'Deployment' };
const CM = { group: '', version: 'v1', kind: 'ConfigMap' };
const WIDGET = { group: 'example.com', version: 'v1', kind: 'Widget' };
let now = Date.parse('2024-05-01T10:00:00Z');
setApplyClock(() => now);

const body = (o: unknown) => Buffer.from(JSON.stringify(o));
const apply = (live: KObject | undefined, cfg: unknown, manager: string, gvk = APPS, force = false) =>
  applyServerSide(live, body(cfg), gvk, { fieldManager: manager, force });

function deploy(spec: Record<string, unknown>, meta: Record<string, unknown> = {}) {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', ...meta }, spec };
}
const containers = (...cs: Record<string, unknown>[]) => ({ template: { spec: { containers: cs } } });
const entry = (o: KObject, manager: string, operation = 'Apply') =>
  (o.metadata!.managedFields as any[]).find((e) => e.manager === manager && e.operation === operation);

function conflictOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a conflict');
}

test('FieldsV1 round trip, set algebra and path rendering', () => {
  const v1 = { 'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } } };
  const s = FieldSet.fromFieldsV1(v1);
  assert.deepEqual(s.toFieldsV1(), v1);
  const paths = s.paths().map(pathString);
  assert.deepEqual(paths, ['.spec.replicas', '.spec.template.spec.containers[name="web"]', '.spec.template.spec.containers[name="web"].image', '.spec.template.spec.containers[name="web"].name']);
  const other = FieldSet.of([['f:spec', 'f:replicas'], ['f:spec', 'f:paused']]);
  assert.deepEqual(s.intersection(other).paths().map(pathString), ['.spec.replicas']);
  assert.deepEqual(other.difference(s).paths().map(pathString), ['.spec.paused']);
  assert.equal(s.union(other).paths().length, 5);
  assert.equal(pathString(['f:x', 'v:"a"', 'k:{"containerPort":80,"protocol":"TCP"}']), '.x[="a"][containerPort=80,protocol="TCP"]');
});

test('first apply creates the Apply entry with upstream field set', () => {
  const out = apply(undefined, deploy({ replicas: 2, selector: { matchLabels: { app: 'web' } }, ...containers({ name: 'web', image: 'nginx' }) }, { labels: { app: 'web' } }), 'kubectl');
  assert.equal(out.spec.replicas, 2);
  const e = entry(out, 'kubectl');
  assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  assert.equal(e.apiVersion, 'apps/v1');
  assert.equal(e.time, '2024-05-01T10:00:00Z');
  assert.deepEqual(e.fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
    },
  });
});

test('second apply with a change updates the object and the time; a no-op apply is byte-identical', () => {
  const a = apply(undefined, deploy({ replicas: 2 }), 'kubectl');
  now += 60_000;
  const same = apply(a, deploy({ replicas: 2 }), 'kubectl');
  assert.equal(JSON.stringify(same), JSON.stringify(a));
  const b = apply(a, deploy({ replicas: 3 }), 'kubectl');
  assert.equal(b.spec.replicas, 3);
  assert.notEqual(entry(b, 'kubectl').time, entry(a, 'kubectl').time);
});

test('conflict with another Apply manager, then force takes ownership', () => {
  const a = apply(undefined, deploy({ replicas: 2, paused: false }), 'alice');
  const err = conflictOf(() => apply(a, deploy({ replicas: 5 }), 'bob'));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(err.status.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
  const forced = apply(a, deploy({ replicas: 5 }), 'bob', APPS, true);
  assert.equal(forced.spec.replicas, 5);
  assert.deepEqual(entry(forced, 'alice').fieldsV1, { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(entry(forced, 'bob').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('conflicts with an Update manager name it with its apiVersion; several conflicts are listed per manager', () => {
  const created = updateManagedFields(undefined, deploy({ replicas: 1, paused: true }) as KObject, 'kubectl-create', 'Update', APPS);
  assert.deepEqual(entry(created, 'kubectl-create', 'Update').fieldsV1, { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
  const one = conflictOf(() => apply(created, deploy({ replicas: 3 }), 'kubectl'));
  assert.equal(one.message, 'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas');
  const two = conflictOf(() => apply(created, deploy({ replicas: 3, paused: false }), 'kubectl'));
  assert.equal(two.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.paused\n- .spec.replicas');
  assert.deepEqual(two.status.details?.causes?.map((c) => c.field), ['.spec.paused', '.spec.replicas']);
  assert.ok(two.status.details?.causes?.every((c) => c.message === 'conflict with "kubectl-create" using apps/v1' && c.reason === 'FieldManagerConflict'));
});

test('applying the same value as another manager makes both co-owners', () => {
  const a = apply(undefined, deploy({ replicas: 2 }), 'alice');
  const b = apply(a, deploy({ replicas: 2 }), 'bob');
  assert.deepEqual(entry(b, 'alice').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(entry(b, 'bob').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  // alice stops applying it: bob still owns it, so it stays.
  const c = apply(b, deploy({ paused: true }), 'alice');
  assert.equal(c.spec.replicas, 2);
});

test('a field the manager stops applying is removed when nobody else owns it', () => {
  const a = apply(undefined, deploy({ replicas: 2, paused: true }, { labels: { app: 'web', tier: 'fe' } }), 'kubectl');
  const b = apply(a, deploy({ replicas: 2 }, { labels: { app: 'web' } }), 'kubectl');
  assert.equal(b.spec.paused, undefined);
  assert.deepEqual(b.metadata!.labels, { app: 'web' });
  assert.deepEqual(entry(b, 'kubectl').fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } });
});

test('map-list merge: two managers each own a container', () => {
  const a = apply(undefined, deploy(containers({ name: 'web', image: 'nginx' })), 'alice');
  const b = apply(a, deploy(containers({ name: 'sidecar', image: 'envoy' })), 'bob');
  assert.deepEqual(b.spec.template.spec.containers.map((c: any) => c.name), ['web', 'sidecar']);
  assert.deepEqual(Object.keys(entry(b, 'bob').fieldsV1['f:spec']['f:template']['f:spec']['f:containers']), ['k:{"name":"sidecar"}']);
  // bob changing alice's container image conflicts at the element field.
  const err = conflictOf(() => apply(b, deploy(containers({ name: 'web', image: 'httpd' })), 'bob'));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.template.spec.containers[name="web"].image');
  // bob dropping its container removes it, alice's stays.
  const c = apply(b, deploy({ replicas: 1 }), 'bob');
  assert.deepEqual(c.spec.template.spec.containers.map((x: any) => x.name), ['web']);
});

test('ports use the defaulted protocol in their key', () => {
  const a = apply(undefined, deploy(containers({ name: 'web', ports: [{ containerPort: 80 }] })), 'kubectl');
  const c = entry(a, 'kubectl').fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}'];
  assert.deepEqual(Object.keys(c['f:ports']), ['k:{"containerPort":80,"protocol":"TCP"}']);
});

test('set-list: finalizers merge by value', () => {
  const a = apply(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['a/x'] } }, 'alice', CM);
  const b = apply(a, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['b/y'] } }, 'bob', CM);
  assert.deepEqual(b.metadata!.finalizers, ['a/x', 'b/y']);
  assert.deepEqual(entry(b, 'bob').fieldsV1, { 'f:metadata': { 'f:finalizers': { 'v:"b/y"': {} } } });
});

test('atomic list: command is replaced whole and owned as one field', () => {
  const a = apply(undefined, deploy(containers({ name: 'web', command: ['a', 'b'] })), 'kubectl');
  const b = apply(a, deploy(containers({ name: 'web', command: ['c'] })), 'kubectl');
  assert.deepEqual(b.spec.template.spec.containers[0].command, ['c']);
  const c = entry(b, 'kubectl').fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}'];
  assert.deepEqual(c['f:command'], {});
  const err = conflictOf(() => apply(b, deploy(containers({ name: 'web', command: ['d'] })), 'other'));
  assert.match(err.message, /containers\[name="web"\]\.command$/);
});

test('custom kinds: lists are atomic, objects granular', () => {
  const w = (spec: unknown) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
  const a = apply(undefined, w({ items: [1, 2], size: 'L' }), 'alice', WIDGET);
  assert.deepEqual(entry(a, 'alice').fieldsV1, { 'f:spec': { 'f:items': {}, 'f:size': {} } });
  const b = apply(a, w({ color: 'red' }), 'bob', WIDGET);
  assert.deepEqual(b.spec, { items: [1, 2], size: 'L', color: 'red' });
  const err = conflictOf(() => apply(b, w({ items: [3] }), 'bob', WIDGET));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.items');
});

test('updateManagedFields assigns changed fields to the updater and takes them from others', () => {
  const a = apply(undefined, deploy({ replicas: 2, paused: false }), 'kubectl');
  now += 1000;
  const edited = structuredClone(a);
  edited.spec.replicas = 7;
  const u = updateManagedFields(a, edited, 'kubectl-edit', 'Update', APPS);
  assert.deepEqual(entry(u, 'kubectl').fieldsV1, { 'f:spec': { 'f:paused': {} } });
  const e = entry(u, 'kubectl-edit', 'Update');
  assert.deepEqual(e.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.equal(e.apiVersion, 'apps/v1');
  assert.deepEqual((u.metadata!.managedFields as any[]).map((x) => x.operation), ['Apply', 'Update']);
  // a no-op write leaves managedFields byte-identical
  now += 1000;
  const again = updateManagedFields(u, structuredClone(u), 'kubectl-edit', 'Update', APPS);
  assert.equal(JSON.stringify(again.metadata!.managedFields), JSON.stringify(u.metadata!.managedFields));
  // a write through the status subresource is recorded as such and owns only status
  const st = structuredClone(u); st.status = { replicas: 7 }; st.spec.replicas = 1;
  const s = updateManagedFields(u, st, 'ctrl', 'Update', APPS, 'status');
  const se = entry(s, 'ctrl', 'Update');
  assert.equal(se.subresource, 'status');
  assert.deepEqual(se.fieldsV1, { 'f:status': { 'f:replicas': {} } });
  assert.equal(s.spec.replicas, 1); // the engine records ownership only; resetting spec is the strategy's job
});

test('updateManagedFields: labels map added on update gets its own member; [] resets', () => {
  const base = updateManagedFields(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } } as KObject, 'kubectl-create', 'Update', CM);
  assert.deepEqual(entry(base, 'kubectl-create', 'Update').fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });
  const next = structuredClone(base); next.metadata!.labels = { x: 'y' };
  const u = updateManagedFields(base, next, 'kubectl-label', 'Update', CM);
  assert.deepEqual(entry(u, 'kubectl-label', 'Update').fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } });
  const reset = structuredClone(u); reset.metadata!.managedFields = [{}];
  const r = updateManagedFields(u, reset, 'm', 'Update', CM);
  assert.equal(r.metadata!.managedFields, undefined);
});

test('kubectl migration: last-applied annotation is rewritten and kubectl-last-applied applies without conflict', () => {
  const LA = 'kubectl.kubernetes.io/last-applied-configuration';
  const csa = updateManagedFields(undefined, deploy({ replicas: 2 }, { annotations: { [LA]: '{"old":true}' } }) as KObject, 'kubectl-client-side-apply', 'Update', APPS);
  const ssa = apply(csa, deploy({ replicas: 2 }), 'kubectl');
  const la = JSON.parse(ssa.metadata!.annotations![LA]);
  assert.deepEqual(la, deploy({ replicas: 2 }));
  const second = apply(ssa, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', annotations: { [LA]: ssa.metadata!.annotations![LA] } } }, 'kubectl-last-applied');
  const e = entry(second, 'kubectl-last-applied');
  assert.deepEqual(e.fieldsV1, { 'f:metadata': { 'f:annotations': { [`f:${LA}`]: {} } } });
  assert.equal(e.time, undefined);
});

test('objects without managedFields: existing fields belong to before-first-apply', () => {
  const live = deploy({ replicas: 1 }) as KObject;
  const err = conflictOf(() => apply(live, deploy({ replicas: 4 }), 'kubectl'));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

test('bad apply bodies are 400s', () => {
  assert.throws(() => apply(undefined, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', managedFields: [{ manager: 'x' }] } }, 'k'), (e: any) => e instanceof StatusError && e.code === 400);
  assert.throws(() => applyServerSide(undefined, body(deploy({})), APPS, {}), (e: any) => e instanceof StatusError && e.code === 400);
});

test('apply through the status subresource records subresource and owns only status', () => {
  const a = apply(undefined, deploy({ replicas: 2 }), 'kubectl');
  const st = applyServerSide(a, body({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 2 } }), APPS, { fieldManager: 'ctrl', subresource: 'status' });
  const e = entry(st, 'ctrl');
  assert.equal(e.subresource, 'status');
  assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:replicas': {} } });
  assert.deepEqual(Object.keys(e).at(-1), 'subresource');
  assert.deepEqual(entry(st, 'kubectl').fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('updateManagedFields leaves the old and the new object as they were', () => {
  const gvk = { group: '', version: 'v1', kind: 'ConfigMap' };
  const old = updateManagedFields(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { k: 'v' } } as KObject, 'first', 'Update', gvk);
  const next = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '2' }, managedFields: old.metadata.managedFields }, data: { k: 'w', n: 'x' } } as KObject;
  const oldBefore = structuredClone(old), nextBefore = structuredClone(next);
  const out = updateManagedFields(old, next, 'second', 'Update', gvk);
  assert.deepEqual(old, oldBefore);
  assert.deepEqual(next, nextBefore);
  assert.deepEqual(out.metadata.managedFields!.map((e: any) => e.manager), ['first', 'second']);
  assert.notEqual(out.metadata, next.metadata, 'the result has its own metadata');
});
