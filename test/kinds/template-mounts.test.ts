// Volume mounts in workload templates: a Deployment's must name a volume of its pod (422 'volume not
// found'); a StatefulSet's are not checked, as upstream's ValidatePodTemplateSpecForStatefulSet leaves
// the template's volumes alone (claim templates become volumes only in the pods). Upstream's
// StatefulSet "rolling updates and roll backs" conformance spec relies on that.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: false }); });
after(async () => { await f.stop(); });

const template = (mount: string) => ({
  metadata: { labels: { app: 'm' } },
  spec: { containers: [{ name: 'c', image: 'nginx', volumeMounts: [{ name: mount, mountPath: '/data' }] }] },
});

test('a Deployment whose container mounts an unknown volume is refused; a StatefulSet\'s template is not checked', async () => {
  const ns = await f.ns('mounts');
  const dep = await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`)
    .send({ metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'm' } }, template: template('nowhere') } });
  assert.equal(dep.status, 422, dep.text);
  assert.match(dep.body.message, /spec\.template\.spec\.containers\[0\]\.volumeMounts\[0\]\.name: Invalid value: "nowhere": volume not found/);
  const sts = await f.api.post(`/apis/apps/v1/namespaces/${ns}/statefulsets`)
    .send({ metadata: { name: 's' }, spec: { serviceName: 's', selector: { matchLabels: { app: 'm' } }, template: template('datadir') } });
  assert.equal(sts.status, 201, sts.text);
  const upd = await f.api.patch(`/apis/apps/v1/namespaces/${ns}/statefulsets/s`).set('Content-Type', 'application/merge-patch+json')
    .send(JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2', volumeMounts: [{ name: 'other', mountPath: '/o' }] }] } } } }));
  assert.equal(upd.status, 200, upd.text);
});
