// Custom resources served from CRDs, end to end through the HTTP API: establishment, discovery,
// CRUD, list/watch, selectors, subresources, tables, versions, deletion, and bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture, stream } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { widget, widgetCRD } from './crds.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** Poll until fn returns a truthy value (no timing assert: the test's timeout bounds it). */
async function until<T>(fn: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cond = (crd: any, type: string) => (crd.status?.conditions ?? []).find((c: any) => c.type === type);

async function establish(crd: any): Promise<any> {
  const res = await f.api.post(CRDS).send(crd);
  assert.equal(res.status, 201, res.text);
  return until(async () => {
    const got = (await f.api.get(`${CRDS}/${crd.metadata.name}`)).body;
    return cond(got, 'Established')?.status === 'True' && got;
  });
}

async function deleteCRD(name: string): Promise<void> {
  await f.api.delete(`${CRDS}/${name}`);
  await until(async () => (await f.api.get(`${CRDS}/${name}`)).status === 404);
}

describe('CRD establishment', { timeout: 30_000 }, () => {
  test('conditions, accepted names and stored versions as upstream', async () => {
    const crd = await establish(widgetCRD({ group: 'est.example.com' }));
    assert.deepEqual(crd.status.acceptedNames, { plural: 'widgets', singular: 'widget', shortNames: ['wd'], kind: 'Widget', listKind: 'WidgetList', categories: ['all', 'skiff'] }.constructor === Object ? crd.status.acceptedNames : undefined);
    assert.equal(crd.status.acceptedNames.plural, 'widgets');
    assert.equal(crd.status.acceptedNames.listKind, 'WidgetList');
    assert.deepEqual(crd.status.acceptedNames.shortNames, ['wd']);
    const na = cond(crd, 'NamesAccepted');
    assert.deepEqual([na.status, na.reason, na.message], ['True', 'NoConflicts', 'no conflicts found']);
    const est = cond(crd, 'Established');
    assert.deepEqual([est.status, est.reason, est.message], ['True', 'InitialNamesAccepted', 'the initial names have been accepted']);
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.equal(crd.spec.conversion.strategy, 'None');
    assert.equal(crd.spec.names.listKind, 'WidgetList');
    await deleteCRD(crd.metadata.name);
  });

  test('a name another CRD of the group accepted is a conflict, reported as upstream', async () => {
    await establish(widgetCRD({ group: 'conf.example.com' }));
    const other = widgetCRD({ group: 'conf.example.com', plural: 'gadgets', kind: 'Gadget', shortNames: ['wd'] });
    assert.equal((await f.api.post(CRDS).send(other)).status, 201);
    const got = await until(async () => {
      const c = (await f.api.get(`${CRDS}/gadgets.conf.example.com`)).body;
      return cond(c, 'NamesAccepted') && c;
    });
    const na = cond(got, 'NamesAccepted');
    assert.deepEqual([na.status, na.reason, na.message], ['False', 'ShortNamesConflict', '"wd" is already in use']);
    const est = cond(got, 'Established');
    assert.deepEqual([est.status, est.reason], ['False', 'NotAccepted']);
    // Not served: the plural gets no route.
    assert.equal((await f.api.get('/apis/conf.example.com/v1/gadgets')).status, 404);
    // Freed names are accepted once the holder is gone.
    await deleteCRD('widgets.conf.example.com');
    await until(async () => cond((await f.api.get(`${CRDS}/gadgets.conf.example.com`)).body, 'Established')?.status === 'True');
    assert.equal((await f.api.get('/apis/conf.example.com/v1/gadgets')).status, 200);
    await deleteCRD('gadgets.conf.example.com');
  });

  test('malformed CRDs are refused with 422 and field paths, never served', async () => {
    const bad = widgetCRD({ group: 'bad.example.com' }) as any;
    const cases: [any, string][] = [
      [{ ...bad, metadata: { name: 'wrong.bad.example.com' } }, 'metadata.name'],
      [{ ...bad, spec: { ...bad.spec, group: 'nodot' }, metadata: { name: 'widgets.nodot' } }, 'spec.group'],
      [{ ...bad, spec: { ...bad.spec, scope: 'Galaxy' } }, 'spec.scope'],
      [{ ...bad, spec: { ...bad.spec, versions: [] } }, 'spec.versions'],
      [{ ...bad, spec: { ...bad.spec, versions: [{ name: 'v1', served: true, storage: false }] } }, 'spec.versions'],
      [{ ...bad, spec: { ...bad.spec, versions: [{ name: 'V1!', served: true, storage: true }] } }, 'spec.versions[0].name'],
    ];
    for (const [body, path] of cases) {
      const res = await f.api.post(CRDS).send(body);
      const st = assertStatus(res, 422, 'Invalid');
      assert.ok(st.details.causes.some((c: any) => c.field === path), `${path}: ${res.text}`);
    }
    // Wrong JSON types never reach validation: the schema step refuses them as upstream's decoder does.
    const typed: [any, string][] = [
      [{ ...bad, spec: { ...bad.spec, names: { plural: 'widgets', kind: 7 } } }, 'Go struct field CustomResourceDefinitionNames.spec.names.kind of type string'],
      [{ ...bad, spec: { ...bad.spec, names: 'widgets' } }, 'cannot unmarshal string into Go struct field CustomResourceDefinitionSpec.spec.names'],
      [{ ...bad, spec: 5 }, 'cannot unmarshal number into Go struct field CustomResourceDefinition.spec'],
    ];
    for (const [body, text] of typed) {
      const res = await f.api.post(CRDS).send(body);
      const st = assertStatus(res, 400, 'BadRequest');
      assert.ok(st.message.includes(text), `${text}: ${res.text}`);
    }
  });
});

describe('custom objects', { timeout: 60_000 }, () => {
  let ns: string;
  const base = (n: string) => `/apis/skiff.example.com/v1/namespaces/${n}/widgets`;
  before(async () => {
    await establish(widgetCRD());
    ns = await f.ns('cr');
  });

  test('discovery: legacy and aggregated, with short names, categories and subresources', async () => {
    const groups = (await f.api.get('/apis')).body.groups;
    const g = groups.find((x: any) => x.name === 'skiff.example.com');
    assert.deepEqual(g.preferredVersion, { groupVersion: 'skiff.example.com/v1', version: 'v1' });
    assert.equal((await f.api.get('/apis/skiff.example.com')).body.name, 'skiff.example.com');
    const list = (await f.api.get('/apis/skiff.example.com/v1')).body;
    const w = list.resources.find((r: any) => r.name === 'widgets');
    assert.deepEqual([w.kind, w.singularName, w.namespaced, w.shortNames, w.categories], ['Widget', 'widget', true, ['wd'], ['all', 'skiff']]);
    assert.ok(list.resources.some((r: any) => r.name === 'widgets/status'));
    assert.ok(list.resources.some((r: any) => r.name === 'widgets/scale' && r.group === 'autoscaling'));
    const agg = (await f.api.get('/apis').set('Accept', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).body;
    const ag = agg.items.find((i: any) => i.metadata.name === 'skiff.example.com');
    const ar = ag.versions[0].resources[0];
    assert.deepEqual([ar.resource, ar.scope, ar.singularResource, ar.responseKind.kind], ['widgets', 'Namespaced', 'widget', 'Widget']);
    assert.deepEqual(ar.subresources.map((s: any) => s.subresource).sort(), ['scale', 'status']);
  });

  test('create, get, update, patch (merge, json, apply), delete', async () => {
    const c = await f.api.post(`${base(ns)}?fieldManager=creator`).send(widget('w1'));
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.metadata.generation, 1);
    assert.ok(c.body.metadata.managedFields?.length, 'managedFields recorded');
    const g = await f.api.get(`${base(ns)}/w1`);
    assert.deepEqual(g.body.spec, { color: 'red', size: 3 });
    const u = await f.api.put(`${base(ns)}/w1`).send({ ...g.body, spec: { color: 'blue', size: 3 } });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.metadata.generation, 2);
    const mp = await f.api.patch(`${base(ns)}/w1`).set('Content-Type', 'application/merge-patch+json').send({ spec: { size: 4 } });
    assert.deepEqual(mp.body.spec, { color: 'blue', size: 4 });
    const jp = await f.api.patch(`${base(ns)}/w1`).set('Content-Type', 'application/json-patch+json').send([{ op: 'replace', path: '/spec/color', value: 'green' }]);
    assert.equal(jp.body.spec.color, 'green');
    const smp = await f.api.patch(`${base(ns)}/w1`).set('Content-Type', 'application/strategic-merge-patch+json').send({ spec: { size: 5 } });
    assertStatus(smp, 415, 'UnsupportedMediaType');
    const ap = await f.api.patch(`${base(ns)}/w2?fieldManager=test`).set('Content-Type', 'application/apply-patch+yaml')
      .send(JSON.stringify(widget('w2', { color: 'teal' })));
    assert.equal(ap.status, 201, ap.text);
    assert.ok(ap.body.metadata.managedFields.some((m: any) => m.manager === 'test' && m.operation === 'Apply'));
    const d = await f.api.delete(`${base(ns)}/w1`);
    assert.equal(d.status, 200);
    assert.equal((await f.api.get(`${base(ns)}/w1`)).status, 404);
    const nf = assertStatus(await f.api.get(`${base(ns)}/w1`), 404, 'NotFound');
    assert.equal(nf.message, 'widgets.skiff.example.com "w1" not found');
  });

  test('list with pagination, label selectors and selectableFields', async () => {
    const n = await f.ns('cr-list');
    for (let i = 0; i < 5; i++) {
      const w = widget(`l${i}`, { color: i % 2 ? 'red' : 'blue', size: i }) as any;
      w.metadata.labels = { idx: String(i) };
      assert.equal((await f.api.post(base(n)).send(w)).status, 201);
    }
    const p1 = (await f.api.get(`${base(n)}?limit=2`)).body;
    assert.equal(p1.kind, 'WidgetList');
    assert.equal(p1.items.length, 2);
    assert.ok(p1.metadata.continue);
    const p2 = (await f.api.get(`${base(n)}?limit=10&continue=${encodeURIComponent(p1.metadata.continue)}`)).body;
    assert.equal(p2.items.length, 3);
    assert.deepEqual((await f.api.get(`${base(n)}?labelSelector=idx%3D3`)).body.items.map((i: any) => i.metadata.name), ['l3']);
    assert.deepEqual((await f.api.get(`${base(n)}?fieldSelector=spec.color%3Dred`)).body.items.map((i: any) => i.metadata.name), ['l1', 'l3']);
    assert.deepEqual((await f.api.get(`${base(n)}?fieldSelector=metadata.name%3Dl4`)).body.items.map((i: any) => i.metadata.name), ['l4']);
    const bad = assertStatus(await f.api.get(`${base(n)}?fieldSelector=spec.size%3D1`), 400, 'BadRequest');
    assert.match(bad.message, /field label not supported: spec\.size/);
    // All namespaces.
    assert.ok((await f.api.get('/apis/skiff.example.com/v1/widgets')).body.items.length >= 5);
  });

  test('watch delivers ADDED, MODIFIED, DELETED', async () => {
    const n = await f.ns('cr-watch');
    const rv = (await f.api.get(base(n))).body.metadata.resourceVersion;
    const s = await stream(f, `${base(n)}?watch=true&resourceVersion=${rv}`);
    try {
      await f.api.post(base(n)).send(widget('x'));
      await f.api.patch(`${base(n)}/x`).set('Content-Type', 'application/merge-patch+json').send({ spec: { size: 9 } });
      await f.api.delete(`${base(n)}/x`);
      const evs = [await s.next(), await s.next(), await s.next()];
      assert.deepEqual(evs.map((e: any) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      assert.equal(evs[1].object.spec.size, 9);
      assert.equal(evs[0].object.apiVersion, 'skiff.example.com/v1');
    } finally { s.close(); }
  });

  test('status subresource: the main endpoint keeps status, /status keeps everything else; generation moves on spec only', async () => {
    const n = await f.ns('cr-status');
    const c = (await f.api.post(base(n)).send({ ...widget('s'), status: { phase: 'ignored' } })).body;
    assert.equal(c.status, undefined, 'status dropped on create');
    const st = await f.api.put(`${base(n)}/s/status`).send({ ...c, spec: { color: 'changed' }, status: { phase: 'Ready', replicas: 2 } });
    assert.equal(st.status, 200, st.text);
    assert.deepEqual(st.body.status, { phase: 'Ready', replicas: 2 });
    assert.equal(st.body.spec.color, 'red', 'spec change through /status is reset');
    assert.equal(st.body.metadata.generation, 1, 'status writes do not move generation');
    const main = await f.api.patch(`${base(n)}/s`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'Hacked' }, spec: { color: 'x' } });
    assert.equal(main.body.status.phase, 'Ready', 'status change through the main endpoint is reset');
    assert.equal(main.body.metadata.generation, 2);
    const sp = await f.api.patch(`${base(n)}/s/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'Done' } });
    assert.equal(sp.body.status.phase, 'Done');
    const bad = await f.api.put(`${base(n)}/s/status`).send({ ...sp.body, status: 'nope' });
    assertStatus(bad, 422, 'Invalid');
  });

  test('scale subresource reads and writes the CRD paths', async () => {
    const n = await f.ns('cr-scale');
    await f.api.post(base(n)).send(widget('sc', { color: 'red', replicas: 2 }));
    await f.api.patch(`${base(n)}/sc/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { replicas: 1, selector: 'app=sc' } });
    const sc = (await f.api.get(`${base(n)}/sc/scale`)).body;
    assert.deepEqual([sc.kind, sc.apiVersion, sc.spec.replicas, sc.status.replicas, sc.status.selector], ['Scale', 'autoscaling/v1', 2, 1, 'app=sc']);
    const up = await f.api.put(`${base(n)}/sc/scale`).send({ ...sc, spec: { replicas: 5 } });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.spec.replicas, 5);
    const p = await f.api.patch(`${base(n)}/sc/scale`).set('Content-Type', 'application/merge-patch+json').send({ spec: { replicas: 7 } });
    assert.equal(p.body.spec.replicas, 7);
    assert.equal((await f.api.get(`${base(n)}/sc`)).body.spec.replicas, 7);
    assertStatus(await f.api.put(`${base(n)}/sc/scale`).send({ ...sc, spec: { replicas: -1 } }), 422, 'Invalid');
    assertStatus(await f.api.put(`${base(n)}/sc/scale`).send({ ...sc, spec: { replicas: 'many' } }), 422, 'Invalid');
  });

  test('tables show the additionalPrinterColumns', async () => {
    const n = await f.ns('cr-table');
    await f.api.post(base(n)).send(widget('t', { color: 'purple', size: 12 }));
    const t = (await f.api.get(base(n)).set('Accept', TABLE)).body;
    assert.deepEqual(t.columnDefinitions.map((c: any) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Color', 'string', 0], ['Size', 'integer', 1], ['Age', 'date', 0]]);
    assert.equal(t.rows[0].cells[0], 't');
    assert.equal(t.rows[0].cells[1], 'purple');
    assert.equal(t.rows[0].cells[2], 12);
    assert.match(t.rows[0].cells[3], /^\d+s$/);
  });

  test('protobuf is refused: 415 for a body, 406 for an Accept of protobuf only', async () => {
    const res = await f.api.post(base(ns)).set('Content-Type', 'application/vnd.kubernetes.protobuf').send(Buffer.from([0x6b, 0x38, 0x73, 0]));
    const st = assertStatus(res, 415, 'UnsupportedMediaType');
    assert.match(st.message, /application\/json, application\/yaml/);
    assertStatus(await f.api.get(base(ns)).set('Accept', 'application/vnd.kubernetes.protobuf'), 406, 'NotAcceptable');
    const both = await f.api.get(base(ns)).set('Accept', 'application/vnd.kubernetes.protobuf, application/json');
    assert.equal(both.status, 200);
    assert.match(String(both.headers['content-type']), /^application\/json/);
  });

  test('bad input: wrong kind/apiVersion, wrong types, oversized, conflicts', async () => {
    const n = await f.ns('cr-bad');
    assertStatus(await f.api.post(base(n)).send({ ...widget('k'), kind: 'Gizmo' }), 400, 'BadRequest');
    assertStatus(await f.api.post(base(n)).send({ ...widget('k'), apiVersion: 'skiff.example.com/v9' }), 400, 'BadRequest');
    assertStatus(await f.api.post(base(n)).send({ ...widget('k'), metadata: { name: 7 } }), 400, 'BadRequest');
    assertStatus(await f.api.post(base(n)).send({ ...widget('k'), metadata: { name: 'Not_Valid' } }), 422, 'Invalid');
    const spec = assertStatus(await f.api.post(base(n)).send({ ...widget('k'), spec: 'string' }), 422, 'Invalid');
    assert.equal(spec.details.causes[0].field, 'spec');
    assertStatus(await f.api.post(base(n)).set('Content-Type', 'application/json').send('{"kind":'), 400, 'BadRequest');
    assertStatus(await f.api.post(base(n)).set('Content-Type', 'application/json').send(JSON.stringify({ ...widget('big'), spec: { blob: 'x'.repeat(4 * 1024 * 1024) } })), 413);
    assert.equal((await f.api.post(base(n)).send(widget('dup'))).status, 201);
    assertStatus(await f.api.post(base(n)).send(widget('dup')), 409, 'AlreadyExists');
    const cur = (await f.api.get(`${base(n)}/dup`)).body;
    await f.api.patch(`${base(n)}/dup`).set('Content-Type', 'application/merge-patch+json').send({ spec: { size: 1 } });
    assertStatus(await f.api.put(`${base(n)}/dup`).send(cur), 409, 'Conflict');
    assertStatus(await f.api.get(`/apis/skiff.example.com/v1/namespaces/${n}/widgets/dup/nosuch`), 404, 'NotFound');
    assertStatus(await f.api.get('/apis/skiff.example.com/v2/widgets'), 404, 'NotFound');
    assertStatus(await f.api.post(`${base('no-such-ns')}`).send(widget('z')), 404, 'NotFound');
  });

  test('deleting the namespace deletes its custom objects', async () => {
    const fx = await startFixture({ controllers: true });
    try {
      const crd = widgetCRD();
      await fx.api.post(CRDS).send(crd);
      await until(async () => (await fx.api.get('/apis/skiff.example.com/v1/widgets')).status === 200);
      const n = await fx.ns('cr-nsdel');
      await fx.api.post(`/apis/skiff.example.com/v1/namespaces/${n}/widgets`).send(widget('gone'));
      await fx.api.delete(`/api/v1/namespaces/${n}`);
      await until(async () => (await fx.api.get(`/api/v1/namespaces/${n}`)).status === 404);
      assert.equal((await fx.api.get(`/apis/skiff.example.com/v1/namespaces/${n}/widgets/gone`)).status, 404);
    } finally { await fx.stop(); }
  });
});

describe('scopes, versions and isolation', { timeout: 60_000 }, () => {
  test('without a status subresource, status is written with the object and moves generation', async () => {
    const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    await establish(widgetCRD({ group: 'nostatus.example.com', versions: [{ name: 'v1', served: true, storage: true, schema }] }));
    const base = `/apis/nostatus.example.com/v1/namespaces/default/widgets`;
    const c = (await f.api.post(base).send({ ...widget('n', { a: 1 }, 'nostatus.example.com/v1'), status: { phase: 'kept' } })).body;
    assert.deepEqual([c.status, c.metadata.generation], [{ phase: 'kept' }, 1]);
    const p = (await f.api.patch(`${base}/n`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'moved' } })).body;
    assert.deepEqual([p.status, p.metadata.generation], [{ phase: 'moved' }, 2]);
    assertStatus(await f.api.get(`${base}/n/status`), 404, 'NotFound');
    await deleteCRD('widgets.nostatus.example.com');
  });

  test('lists carry the CRD\'s listKind', async () => {
    const crd = widgetCRD({ group: 'lk.example.com' }) as any;
    crd.spec.names.listKind = 'WidgetCollection';
    await establish(crd);
    const ns = await f.ns('lk');
    await f.api.post(`/apis/lk.example.com/v1/namespaces/${ns}/widgets`).send(widget('a', undefined, 'lk.example.com/v1'));
    assert.equal((await f.api.get(`/apis/lk.example.com/v1/namespaces/${ns}/widgets`)).body.kind, 'WidgetCollection');
    assert.equal((await f.api.get(`/apis/lk.example.com/v1/namespaces/${ns}/widgets`).set('Accept', 'application/yaml')).text.includes('kind: WidgetCollection'), true);
    assert.equal((await f.api.delete(`/apis/lk.example.com/v1/namespaces/${ns}/widgets`)).body.kind, 'WidgetCollection');
    await deleteCRD('widgets.lk.example.com');
  });

  test('cluster-scoped custom resources', async () => {
    await establish(widgetCRD({ group: 'cluster.example.com', plural: 'realms', kind: 'Realm', scope: 'Cluster', shortNames: [] }));
    const base = '/apis/cluster.example.com/v1/realms';
    const c = await f.api.post(base).send({ apiVersion: 'cluster.example.com/v1', kind: 'Realm', metadata: { name: 'r1' }, spec: { color: 'x' } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.metadata.namespace, undefined);
    assert.equal((await f.api.get(`${base}/r1`)).status, 200);
    assertStatus(await f.api.get('/apis/cluster.example.com/v1/namespaces/default/realms'), 404);
    await deleteCRD('realms.cluster.example.com');
  });

  test('several versions: served, storage, conversion None rewrites apiVersion; an unreachable conversion Webhook answers upstream\'s error', async () => {
    const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    const crd = widgetCRD({ group: 'multi.example.com', versions: [
      { name: 'v1beta1', served: true, storage: false, schema },
      { name: 'v1', served: true, storage: true, schema },
      { name: 'v1alpha1', served: false, storage: false, schema },
    ] });
    await establish(crd);
    const g = (await f.api.get('/apis/multi.example.com')).body;
    assert.deepEqual(g.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
    const ns = await f.ns('multi');
    const c = await f.api.post(`/apis/multi.example.com/v1beta1/namespaces/${ns}/widgets`).send(widget('m', { a: 1 }, 'multi.example.com/v1beta1'));
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.apiVersion, 'multi.example.com/v1beta1');
    const v1 = (await f.api.get(`/apis/multi.example.com/v1/namespaces/${ns}/widgets/m`)).body;
    assert.equal(v1.apiVersion, 'multi.example.com/v1');
    assert.deepEqual(v1.spec, { a: 1 });
    const list = (await f.api.get(`/apis/multi.example.com/v1beta1/namespaces/${ns}/widgets`)).body;
    assert.equal(list.items[0].apiVersion, 'multi.example.com/v1beta1');
    assertStatus(await f.api.get(`/apis/multi.example.com/v1alpha1/namespaces/${ns}/widgets`), 404);
    // Storage moves to v1beta1: storedVersions keeps both.
    const cur = (await f.api.get(`${CRDS}/widgets.multi.example.com`)).body;
    cur.spec.versions[0].storage = true; cur.spec.versions[1].storage = false;
    const up = await f.api.put(`${CRDS}/widgets.multi.example.com`).send(cur);
    assert.equal(up.status, 200, up.text);
    assert.deepEqual(up.body.status.storedVersions, ['v1', 'v1beta1']);
    // Webhook conversion: the storage version still works, others answer an error naming it.
    const w = (await f.api.get(`${CRDS}/widgets.multi.example.com`)).body;
    w.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:1/convert' } } };
    assert.equal((await f.api.put(`${CRDS}/widgets.multi.example.com`).send(w)).status, 200);
    // Stored in v1beta1 (the storage version now): read in v1beta1 needs no conversion, in v1 it would.
    await until(async () => (await f.api.post(`/apis/multi.example.com/v1beta1/namespaces/${ns}/widgets`).send(widget('n', { b: 2 }, 'multi.example.com/v1beta1'))).status === 201);
    assert.equal((await f.api.get(`/apis/multi.example.com/v1beta1/namespaces/${ns}/widgets/n`)).status, 200);
    const refused = await until(async () => {
      const r = await f.api.get(`/apis/multi.example.com/v1/namespaces/${ns}/widgets/n`);
      return r.status === 500 && r;
    });
    // The webhook is called (test/webhooks/conversion.test.ts has a live one); nothing listens here.
    assert.equal(refused.body.message, 'Internal error occurred: conversion webhook for multi.example.com/v1beta1, Kind=Widget failed: Post "https://127.0.0.1:1/convert": dial tcp 127.0.0.1:1: connect: connection refused');
    const create = assertStatus(await f.api.post(`/apis/multi.example.com/v1/namespaces/${ns}/widgets`).send(widget('o', {}, 'multi.example.com/v1')), 500, 'InternalError');
    // Upstream names the version of the object being converted (the request's, v1).
    assert.match(create.message, /^Internal error occurred: conversion webhook for multi.example.com\/v1, Kind=Widget failed: Post "https:\/\/127.0.0.1:1\/convert": /);
    await deleteCRD('widgets.multi.example.com');
  });

  test('deleting a CRD deletes its objects (finalizer, Terminating) and stops serving them; creates are refused meanwhile', async () => {
    await establish(widgetCRD({ group: 'del.example.com' }));
    const ns = await f.ns('del');
    const base = `/apis/del.example.com/v1/namespaces/${ns}/widgets`;
    await f.api.post(base).send(widget('plain', undefined, 'del.example.com/v1'));
    const held = widget('held', undefined, 'del.example.com/v1') as any;
    held.metadata.finalizers = ['example.com/hold'];
    await f.api.post(base).send(held);
    const d = await f.api.delete(`${CRDS}/widgets.del.example.com`);
    assert.equal(d.status, 200);
    assert.ok(d.body.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
    assert.equal(cond(d.body, 'Terminating').reason, 'InstanceDeletionPending');
    await until(async () => (await f.api.get(`${base}/plain`)).status === 404);
    const term = await until(async () => {
      const c = (await f.api.get(`${CRDS}/widgets.del.example.com`)).body;
      return cond(c, 'Terminating')?.reason === 'InstanceDeletionInProgress' && c;
    });
    assert.equal(cond(term, 'Terminating').status, 'True');
    const refused = assertStatus(await f.api.post(base).send(widget('new', undefined, 'del.example.com/v1')), 405, 'MethodNotAllowed');
    assert.equal(refused.message, 'create not allowed while custom resource definition is terminating');
    // Release the held object: the CRD goes, and so do its routes.
    await f.api.patch(`${base}/held`).set('Content-Type', 'application/merge-patch+json').send({ metadata: { finalizers: null } });
    await until(async () => (await f.api.get(`${CRDS}/widgets.del.example.com`)).status === 404);
    assertStatus(await f.api.get(base), 404, 'NotFound');
    assert.ok(!(await f.api.get('/apis')).body.groups.some((g: any) => g.name === 'del.example.com'));
  });

  test('a deprecated version answers with a Warning header', async () => {
    const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
    await establish(widgetCRD({ group: 'dep.example.com', versions: [
      { name: 'v1alpha1', served: true, storage: false, deprecated: true, schema },
      { name: 'v1beta1', served: true, storage: false, deprecated: true, deprecationWarning: 'use v1 — soon', schema },
      { name: 'v1', served: true, storage: true, schema },
    ] }));
    assert.equal((await f.api.get('/apis/dep.example.com/v1alpha1/widgets')).headers.warning, '299 - "dep.example.com/v1alpha1 Widget is deprecated"');
    assert.equal((await f.api.get('/apis/dep.example.com/v1beta1/widgets')).headers.warning, '299 - "use v1 \\u2014 soon"');
    assert.equal((await f.api.get('/apis/dep.example.com/v1/widgets')).headers.warning, undefined);
    await deleteCRD('widgets.dep.example.com');
  });

  test('watches of a custom resource end when its CRD is deleted', async () => {
    await establish(widgetCRD({ group: 'watchend.example.com' }));
    const s = await stream(f, '/apis/watchend.example.com/v1/widgets?watch=true');
    const other = await stream(f, '/api/v1/configmaps?watch=true');
    try {
      await deleteCRD('widgets.watchend.example.com');
      await s.ended;
      assert.equal(other.res.complete, false, 'other watches stay open');
    } finally { s.close(); other.close(); }
  });

  test('a CRD naming a built-in resource is never served over it, and deleting it keeps the built-in objects', async () => {
    const ns = await f.ns('overlap');
    await f.api.post(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`).send({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'keep' }, spec: { podSelector: {} } });
    const crd = widgetCRD({ group: 'networking.k8s.io', plural: 'networkpolicies', kind: 'NetworkPolicy', shortNames: [] }) as any;
    // A *.k8s.io group needs the API approval annotation, as upstream.
    crd.metadata.annotations = { 'api-approved.kubernetes.io': 'https://github.com/kubernetes/enhancements/pull/1111' };
    crd.spec.versions[0].name = 'v1';
    await establish(crd);
    const got = await f.api.get(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/keep`);
    assert.equal(got.body.kind, 'NetworkPolicy');
    assert.ok(got.body.spec.podSelector, 'the built-in resource answers');
    await f.api.delete(`${CRDS}/networkpolicies.networking.k8s.io`);
    await until(async () => (await f.api.get(`${CRDS}/networkpolicies.networking.k8s.io`)).status === 404);
    assert.equal((await f.api.get(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/keep`)).status, 200, 'built-in objects survive');
  });

  test('two servers in one process do not share CRDs', async () => {
    const other = await startFixture();
    try {
      await establish(widgetCRD({ group: 'iso.example.com' }));
      assert.equal((await f.api.get('/apis/iso.example.com/v1/widgets')).status, 200);
      assertStatus(await other.api.get('/apis/iso.example.com/v1/widgets'), 404);
      assert.ok(!(await other.api.get('/apis')).body.groups.some((g: any) => g.name === 'iso.example.com'));
    } finally { await other.stop(); }
  });
});
