// Writes to the status of Jobs, CronJobs, Services and Ingresses keep the labels and annotations they
// carry, as upstream's status strategies for these reset only the spec (upstream's "apply changes to a
// job status", "CronJob API operations", "should complete a service status lifecycle" and "Ingress API"
// conformance specs patch an annotation through /status).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: false }); });
after(async () => { await f.stop(); });

const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };
const merge = (body: unknown) => ({ body, type: 'application/merge-patch+json' });

const cases: [kind: string, group: string, path: string, spec: Record<string, unknown>, changed: (o: any) => boolean][] = [
  ['Job', '/apis/batch/v1', 'jobs', { template }, (o) => o.spec.suspend === true],
  ['CronJob', '/apis/batch/v1', 'cronjobs', { schedule: '*/1 * * * *', jobTemplate: { spec: { template } } }, (o) => o.spec.suspend === true],
  ['Service', '/api/v1', 'services', { ports: [{ port: 80 }] }, (o) => o.spec.sessionAffinity === 'ClientIP'],
  ['Ingress', '/apis/networking.k8s.io/v1', 'ingresses', { defaultBackend: { service: { name: 's', port: { number: 80 } } } }, (o) => o.spec.ingressClassName === 'other'],
];
const specChange: Record<string, object> = { Job: { suspend: true }, CronJob: { suspend: true }, Service: { sessionAffinity: 'ClientIP' }, Ingress: { ingressClassName: 'other' } };

for (const [kind, group, path, spec, changed] of cases) {
  test(`${kind}: a status patch keeps its annotation; the spec it carries is ignored; a wrongly typed annotation is 422`, async () => {
    const ns = await f.ns('batchst');
    const base = `${group}/namespaces/${ns}/${path}`;
    const created = await f.api.post(base).send({ metadata: { name: 'x' }, spec });
    assert.equal(created.status, 201, created.text);
    const p = merge({ metadata: { annotations: { patchedstatus: 'true' } }, spec: specChange[kind], status: {} });
    const res = await f.api.patch(`${base}/x/status`).set('Content-Type', p.type).send(JSON.stringify(p.body));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.metadata.annotations?.patchedstatus, 'true');
    const got = await f.api.get(`${base}/x`);
    assert.equal(got.body.metadata.annotations?.patchedstatus, 'true');
    assert.equal(changed(got.body), false, 'the spec is not changed through /status');
    const bad = await f.api.patch(`${base}/x/status`).set('Content-Type', p.type).send(JSON.stringify({ metadata: { annotations: { a: 5 } } }));
    assert.ok(bad.status === 400 || bad.status === 422, `${bad.status} ${bad.text}`);
    assert.equal(bad.body.kind, 'Status');
  });
}

test('Namespace: a status patch keeps its annotation and the name label; the finalizers it carries are ignored; a wrongly typed annotation is 422', async () => {
  const ns = await f.ns('nsst');
  const p = merge({ metadata: { annotations: { 'e2e-patched-ns-status': ns } }, spec: { finalizers: [] }, status: { conditions: [{ type: 'StatusPatch', status: 'True', reason: 'E2E', message: 'Patched by an e2e test' }] } });
  const res = await f.api.patch(`/api/v1/namespaces/${ns}/status`).set('Content-Type', p.type).send(JSON.stringify(p.body));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.metadata.annotations?.['e2e-patched-ns-status'], ns);
  assert.equal(res.body.metadata.labels?.['kubernetes.io/metadata.name'], ns);
  assert.equal(res.body.status.conditions.at(-1).reason, 'E2E');
  assert.deepEqual(res.body.spec.finalizers, ['kubernetes'], 'the spec is not changed through /status');
  const bad = await f.api.patch(`/api/v1/namespaces/${ns}/status`).set('Content-Type', p.type).send(JSON.stringify({ metadata: { annotations: { a: 5 } } }));
  assert.ok(bad.status === 400 || bad.status === 422, `${bad.status} ${bad.text}`);
  assert.equal(bad.body.kind, 'Status');
});
