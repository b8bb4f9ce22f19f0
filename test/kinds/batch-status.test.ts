// Writes to jobs/status and cronjobs/status keep the labels and annotations they carry, as upstream's
// status strategies for both reset only the spec (upstream's "apply changes to a job status" and
// "CronJob API operations" conformance specs patch an annotation through /status).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: false }); });
after(async () => { await f.stop(); });

const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };
const merge = (body: unknown) => ({ body, type: 'application/merge-patch+json' });

for (const [kind, path, spec] of [
  ['Job', 'jobs', { template }],
  ['CronJob', 'cronjobs', { schedule: '*/1 * * * *', jobTemplate: { spec: { template } } }],
] as const) {
  test(`${kind}: a status patch keeps its annotation; the spec it carries is ignored; a wrongly typed annotation is 422`, async () => {
    const ns = await f.ns('batchst');
    const base = `/apis/batch/v1/namespaces/${ns}/${path}`;
    const created = await f.api.post(base).send({ metadata: { name: 'x' }, spec });
    assert.equal(created.status, 201, created.text);
    const p = merge({ metadata: { annotations: { patchedstatus: 'true' } }, spec: { suspend: true }, status: {} });
    const res = await f.api.patch(`${base}/x/status`).set('Content-Type', p.type).send(JSON.stringify(p.body));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.metadata.annotations?.patchedstatus, 'true');
    const got = await f.api.get(`${base}/x`);
    assert.equal(got.body.metadata.annotations?.patchedstatus, 'true');
    assert.notEqual(got.body.spec.suspend, true, 'the spec is not changed through /status');
    const bad = await f.api.patch(`${base}/x/status`).set('Content-Type', p.type).send(JSON.stringify({ metadata: { annotations: { a: 5 } } }));
    assert.ok(bad.status === 400 || bad.status === 422, `${bad.status} ${bad.text}`);
    assert.equal(bad.body.kind, 'Status');
  });
}
