import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryFs } from 'just-bash';
import { programFor } from '../../src/images/index.ts';
import { httpRequest, PodNet } from '../../src/netsim/index.ts';
import { localhostCert } from '../../src/images/localhost-cert.ts';
import { convertExample } from '../../src/images/agnhost/crd-conversion-webhook.ts';
import { World, settle } from './harness.ts';

const agnhost = programFor('/agnhost')!;

async function certs(): Promise<InMemoryFs> {
  const fs = new InMemoryFs();
  await fs.writeFile('/webhook.local.config/certificates/tls.crt', localhostCert().cert);
  await fs.writeFile('/webhook.local.config/certificates/tls.key', localhostCert().key);
  return fs;
}
const flags = ['--tls-cert-file=/webhook.local.config/certificates/tls.crt', '--tls-private-key-file=/webhook.local.config/certificates/tls.key', '--port=8444'];

test('agnhost webhook: AdmissionReview answers over TLS (deny, mutate with a JSONPatch, configmap data rules)', async () => {
  const w = new World();
  const pod = w.pod('ns', 'wh', '10.0.0.2'), client = w.pod('ns', 'c', '10.0.0.3');
  const r = w.run(agnhost, pod, ['/agnhost', 'webhook', ...flags], { fs: await certs() });
  await settle();
  const from = new PodNet(w.net, client);
  const review = async (path: string, request: object, type = 'application/json') => {
    const res = await httpRequest(from, { url: `https://10.0.0.2:8444${path}`, method: 'POST', insecure: true, headers: { 'Content-Type': type }, body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', ...request } }) });
    return { status: res.status, body: res.body.length ? JSON.parse(res.body.toString()) : undefined };
  };
  const deny = await review('/always-deny', {});
  assert.deepEqual(deny.body, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u1', allowed: false, status: { metadata: {}, message: 'this webhook denies all requests' } } });
  const label = await review('/add-label', { object: { metadata: { name: 'x' } } });
  assert.equal(label.body.response.patchType, 'JSONPatch');
  assert.deepEqual(JSON.parse(Buffer.from(label.body.response.patch, 'base64').toString()), [{ op: 'add', path: '/metadata/labels', value: { 'added-label': 'yes' } }]);
  const cm = await review('/configmaps', { operation: 'CREATE', resource: { group: '', version: 'v1', resource: 'configmaps' }, object: { data: { 'webhook-e2e-test': 'webhook-disallow' } } });
  assert.equal(cm.body.response.allowed, false);
  assert.equal(cm.body.response.status.reason, 'the configmap contains unwanted key and value');
  const pods = await review('/pods', { resource: { group: '', version: 'v1', resource: 'pods' }, object: { metadata: { labels: { 'webhook-e2e-test': 'webhook-disallow' } }, spec: { containers: [{ name: 'webhook-disallow' }] } } });
  assert.equal(pods.body.response.status.message, 'the pod contains unwanted label; the pod contains unwanted container name;');
  const wrongType = await review('/always-deny', {}, 'text/plain');
  assert.equal(wrongType.status, 200);
  assert.equal(wrongType.body, undefined);
  const garbage = await httpRequest(from, { url: 'https://10.0.0.2:8444/always-deny', method: 'POST', insecure: true, headers: { 'Content-Type': 'application/json' }, body: '{not json' });
  assert.equal(garbage.status, 400);
  assert.equal((await httpRequest(from, { url: 'https://10.0.0.2:8444/readyz', insecure: true })).body.toString(), 'ok');
  r.stop();
  assert.equal(await r.done, 143);
  // Without its certificate files it fails as upstream's panic does.
  const nocert = w.run(agnhost, w.pod('ns', 'wh2', '10.0.0.4'), ['/agnhost', 'webhook', ...flags]);
  assert.equal(await nocert.done, 2);
  assert.match(nocert.stderr(), /^panic: open \/webhook\.local\.config\/certificates\/tls\.crt: no such file or directory/);
  w.close();
});

test('agnhost crd-conversion-webhook converts stable.example.com v1 <-> v2 and reports bad input', async () => {
  assert.deepEqual(convertExample({ apiVersion: 'stable.example.com/v1', hostPort: 'localhost:7070' }, 'stable.example.com/v2').obj, { apiVersion: 'stable.example.com/v2', host: 'localhost', port: '7070' });
  assert.deepEqual(convertExample({ apiVersion: 'stable.example.com/v2', host: 'h', port: '1' }, 'stable.example.com/v1').obj, { apiVersion: 'stable.example.com/v1', hostPort: 'h:1' });
  assert.equal(convertExample({ apiVersion: 'stable.example.com/v1', hostPort: 'nocolon' }, 'stable.example.com/v2').status.message, 'invalid hostPort value `nocolon`');
  assert.match(convertExample({ apiVersion: 'stable.example.com/v1' }, 'stable.example.com/v1').status.message!, /to itself/);
  const w = new World();
  const pod = w.pod('ns', 'cw', '10.0.0.2'), client = w.pod('ns', 'c', '10.0.0.3');
  const r = w.run(agnhost, pod, ['/agnhost', 'crd-conversion-webhook', ...flags], { fs: await certs() });
  await settle();
  const res = await httpRequest(new PodNet(w.net, client), { url: 'https://10.0.0.2:8444/crdconvert', method: 'POST', insecure: true, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u', desiredAPIVersion: 'stable.example.com/v2', objects: [{ apiVersion: 'stable.example.com/v1', kind: 'E2e', metadata: { name: 'x' }, hostPort: 'a:1' }] } }) });
  const body = JSON.parse(res.body.toString());
  assert.equal(body.response.uid, 'u');
  assert.equal(body.response.result.status, 'Success');
  assert.deepEqual(body.response.convertedObjects, [{ apiVersion: 'stable.example.com/v2', kind: 'E2e', metadata: { name: 'x' }, host: 'a', port: '1' }]);
  r.stop();
  await r.done;
  w.close();
});
