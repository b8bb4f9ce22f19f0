// Every served kind's list, as JSON, is in upstream's wire form: the envelope in ListMeta's order and
// each item a fixed point of wireForm() (struct order, Go zero values, sorted maps), with a running
// cluster's own objects (nodes, system pods, services, RBAC, leases, events...) as the sample.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';
import { RESOURCES, gvString } from '../../src/registry/resources.ts';
import { goJson, wireForm, withoutTypeMeta } from '../../src/registry/wire-form.ts';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: true }); });
after(async () => { await f.stop(); });

const pathOf = (r: (typeof RESOURCES)[number], ns?: string) => `${r.group ? `/apis/${r.group}` : '/api'}/${r.version}${ns ? `/namespaces/${ns}` : ''}/${r.resource}`;

test('every list and a GET of one of its items are byte-identical to their wire form', async () => {
  const ns = await f.ns('kinds');
  // A few objects of kinds the cluster does not make by itself.
  await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 1, selector: { matchLabels: { a: 'd' } }, template: { metadata: { labels: { a: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
  await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { z: '1', a: '2' } }, data: { b: 'x', a: 'y' } });
  await f.api.post(`/apis/batch/v1/namespaces/${ns}/jobs`).send({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } });
  let checked = 0;
  for (const r of RESOURCES) {
    if (!r.verbs.includes('list')) continue;
    const res = await f.api.get(pathOf(r));
    assert.equal(res.status, 200, `${pathOf(r)}: ${res.text}`);
    const body = JSON.parse(res.text);
    // Items carry no kind/apiVersion, as upstream's typed lists write them.
    assert.ok(body.items.every((i: any) => i.kind === undefined && i.apiVersion === undefined), `${pathOf(r)} items carry TypeMeta`);
    const item = (i: any) => goJson(withoutTypeMeta(wireForm({ kind: r.kind, apiVersion: gvString(r), ...i })));
    const expected = `{"kind":"${r.kind}List","apiVersion":"${gvString(r)}","metadata":${goJson(body.metadata)},"items":[${body.items.map(item).join(',')}]}\n`;
    assert.equal(res.text, expected, `${pathOf(r)} is not in wire form`);
    const first = body.items[0];
    if (first && r.verbs.includes('get')) {
      const one = await f.api.get(`${pathOf(r, r.namespaced ? first.metadata.namespace : undefined)}/${first.metadata.name}`);
      // Controllers may have written it since the list: compare with its own wire form, not the list's copy.
      assert.equal(one.status, 200, one.text);
      assert.equal(one.text, `${goJson(wireForm(JSON.parse(one.text)))}\n`, `GET ${r.resource}/${first.metadata.name} is in wire form`);
      checked++;
    }
  }
  assert.ok(checked >= 15, `only ${checked} kinds had objects to compare`);
});
