// Server-side apply on custom resources follows the CRD schema: list-type map merges entries by key
// between managers, set merges values, lists without a list type are atomic (a second manager
// conflicts), map-type atomic is owned whole; status belongs to the status subresource.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
const base = '/apis/ssa.example.com/v1/namespaces/default/ports';
before(async () => {
  f = await startFixture();
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ports.ssa.example.com' },
    spec: {
      group: 'ssa.example.com', scope: 'Namespaced', names: { plural: 'ports', kind: 'Port' },
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: {
        spec: { type: 'object', properties: {
          ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } } },
          tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          plain: { type: 'array', items: { type: 'string' } },
          selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
        } },
        status: { type: 'object', properties: { ok: { type: 'boolean' } } },
      } } } }],
    },
  };
  assert.equal((await f.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions').send(crd)).status, 201);
  while ((await f.api.get(base)).status !== 200) await new Promise((r) => setTimeout(r, 10));
});
after(async () => { await f.stop(); });

const apply = (name: string, manager: string, spec: unknown, extra: Record<string, unknown> = {}, force = false) =>
  f.api.patch(`${base}/${name}?fieldManager=${manager}${force ? '&force=true' : ''}`).set('Content-Type', 'application/apply-patch+yaml')
    .send(JSON.stringify({ apiVersion: 'ssa.example.com/v1', kind: 'Port', metadata: { name }, spec, ...extra }));

test('list-type map and set merge between managers; an untyped list is atomic', { timeout: 30_000 }, async () => {
  assert.equal((await apply('p', 'a', { ports: [{ name: 'http', port: 80 }], tags: ['x'], plain: ['one'] })).status, 201);
  const b = await apply('p', 'b', { ports: [{ name: 'https', port: 443 }], tags: ['y'] });
  assert.equal(b.status, 200, b.text);
  assert.deepEqual(b.body.spec.ports, [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]);
  assert.deepEqual(b.body.spec.tags, ['x', 'y']);
  const mf = b.body.metadata.managedFields.find((m: any) => m.manager === 'b');
  assert.ok(mf.fieldsV1['f:spec']['f:ports']['k:{"name":"https"}'], JSON.stringify(mf.fieldsV1));
  const conflict = await apply('p', 'b', { plain: ['two'] });
  const st = assertStatus(conflict, 409, 'Conflict');
  assert.match(st.message, /conflict with "a".*\.spec\.plain/);
  // Manager a drops its port: only its entry goes.
  const a2 = await apply('p', 'a', { tags: ['x'], plain: ['one'] });
  assert.deepEqual(a2.body.spec.ports, [{ name: 'https', port: 443 }]);
});

test('map-type atomic is owned whole; status through the main endpoint is not owned', { timeout: 30_000 }, async () => {
  assert.equal((await apply('m', 'a', { selector: { app: 'x', tier: 'web' } })).status, 201);
  assertStatus(await apply('m', 'b', { selector: { app: 'y' } }), 409, 'Conflict');
  const forced = await apply('m', 'b', { selector: { app: 'y' } }, {}, true);
  assert.deepEqual(forced.body.spec.selector, { app: 'y' });
  const withStatus = await apply('m', 'b', { selector: { app: 'y' } }, { status: { ok: true } });
  assert.equal(withStatus.status, 200, withStatus.text);
  assert.equal(withStatus.body.status, undefined, 'status is reset on the main endpoint');
  const mf = withStatus.body.metadata.managedFields.find((m: any) => m.manager === 'b' && !m.subresource);
  assert.equal(mf.fieldsV1['f:status'], undefined, 'no ownership of status through the main endpoint');
});

test('apply through the status subresource stores its managedFields entry (subresource status); conflicts there too', { timeout: 30_000 }, async () => {
  assert.equal((await apply('s', 'a', { tags: ['x'] })).status, 201);
  const applyStatus = (manager: string, ok: boolean, force = false) =>
    f.api.patch(`${base}/s/status?fieldManager=${manager}${force ? '&force=true' : ''}`).set('Content-Type', 'application/apply-patch+yaml')
      .send(JSON.stringify({ apiVersion: 'ssa.example.com/v1', kind: 'Port', metadata: { name: 's' }, status: { ok } }));
  const st = await applyStatus('ctrl', true);
  assert.equal(st.status, 200, st.text);
  assert.equal(st.body.status.ok, true);
  const entry = st.body.metadata.managedFields.find((m: any) => m.manager === 'ctrl');
  assert.ok(entry, JSON.stringify(st.body.metadata.managedFields));
  assert.equal(entry.operation, 'Apply');
  assert.equal(entry.subresource, 'status');
  assert.deepEqual(entry.fieldsV1, { 'f:status': { 'f:ok': {} } });
  // Stored, not only answered: a read shows it, and another manager now conflicts on status.ok.
  const got = await f.api.get(`${base}/s`);
  assert.ok(got.body.metadata.managedFields.some((m: any) => m.manager === 'ctrl' && m.subresource === 'status'));
  assert.ok(got.body.metadata.managedFields.some((m: any) => m.manager === 'a' && !m.subresource));
  const conflict = assertStatus(await applyStatus('other', false), 409, 'Conflict');
  assert.match(conflict.message, /conflict with "ctrl".*\.status\.ok/);
  const forced = await applyStatus('other', false, true);
  assert.equal(forced.status, 200, forced.text);
  assert.equal(forced.body.status.ok, false);
  assert.ok(!forced.body.metadata.managedFields.some((m: any) => m.manager === 'ctrl'), 'the forced-out manager owns nothing and is dropped');
});
