// Field ownership on create records what the client sent plus scheme defaults, as upstream's create
// handler does (field manager before mutating admission): fields that the pod strategy and admission
// plugins add afterwards (service account and its token volume, default tolerations, priority,
// status) belong to no manager, so a later apply of them does not conflict and pods stay small.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
let ns: string;
before(async () => { f = await startFixture(); ns = await f.ns('mf-intent'); });
after(async () => { await f.stop(); });

test('a created pod\'s managedFields hold the client\'s fields and scheme defaults, not what admission added', async () => {
  const res = await f.api.post(`/api/v1/namespaces/${ns}/pods?fieldManager=kubectl-client-side-apply`)
    .send({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  assert.equal(res.status, 201, res.text);
  const pod = res.body;
  // Admission and the strategy did their work on the object...
  assert.equal(pod.spec.serviceAccountName, 'default');
  assert.ok(pod.spec.tolerations?.length, 'default tolerations added');
  assert.ok(pod.spec.volumes?.some((v: any) => v.name.startsWith('kube-api-access-')));
  assert.equal(pod.status.phase, 'Pending');
  // ...but field ownership recorded only the request and its defaults.
  const entries = pod.metadata.managedFields;
  assert.equal(entries.length, 1);
  assert.equal(entries[0].manager, 'kubectl-client-side-apply');
  assert.equal(entries[0].operation, 'Update');
  const f1 = entries[0].fieldsV1;
  assert.ok(f1['f:metadata']['f:labels']['f:app'], JSON.stringify(f1));
  const spec = f1['f:spec'];
  assert.ok(spec['f:containers']['k:{"name":"c"}']['f:image'], JSON.stringify(spec));
  assert.ok(spec['f:containers']['k:{"name":"c"}']['f:terminationMessagePath'], 'scheme defaults are owned (as upstream)');
  assert.ok(spec['f:dnsPolicy'] && spec['f:restartPolicy'] && spec['f:schedulerName']);
  for (const added of ['f:serviceAccountName', 'f:serviceAccount', 'f:tolerations', 'f:volumes', 'f:priority', 'f:preemptionPolicy']) {
    assert.equal(spec[added], undefined, `${added} was added after field ownership was recorded`);
  }
  assert.equal(spec['f:containers']['k:{"name":"c"}']['f:volumeMounts'], undefined);
  assert.equal(f1['f:status'], undefined);
});

test('a Deployment (no separate scheme-defaulting step) still records its defaulted spec', async () => {
  const res = await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments?fieldManager=me`).send({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  assert.equal(res.status, 201, res.text);
  const spec = res.body.metadata.managedFields[0].fieldsV1['f:spec'];
  assert.ok(spec['f:replicas'] && spec['f:strategy'] && spec['f:revisionHistoryLimit'], JSON.stringify(spec));
});
