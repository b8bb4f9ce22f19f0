// A webhook served by an emulated pod, as upstream's e2e deploys it: agnhost's `webhook` behind a
// Service, with its certificate from a Secret volume. Skiff reaches it over the simulated network
// (src/netsim/webhook-transport.ts), checking the certificate for <svc>.<ns>.svc; no real socket is
// opened to the pod's address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { generateServingCertificate } from '../../src/auth/certs.ts';
import { RealClock } from '../../src/clock.ts';
import { WebSocket } from 'ws';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: true }); });
after(async () => { await f.stop(); });

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) { if (await cond()) return; await new Promise((r) => setTimeout(r, 50)); }
  assert.fail(`timed out waiting for ${what}`);
}

test('an admission webhook served by an emulated agnhost pod denies through its Service', { timeout: 60_000 }, async () => {
  const ns = await f.ns('whpod');
  const tls = await generateServingCertificate([`e2e-test-webhook.${ns}.svc`], new RealClock(1));
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/secrets`).send({ metadata: { name: 'certs' }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(tls.certPem), 'tls.key': b64(tls.keyPem) } })).status, 201);
  const pod = {
    metadata: { name: 'webhook', labels: { webhook: 'true' } },
    spec: {
      volumes: [{ name: 'certs', secret: { secretName: 'certs' } }],
      containers: [{
        name: 'sample-webhook', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
        // As upstream's e2e passes them, klog's flags included.
        args: ['webhook', '--tls-cert-file=/webhook.local.config/certificates/tls.crt', '--tls-private-key-file=/webhook.local.config/certificates/tls.key', '--alsologtostderr', '-v=4', '--port=8444'],
        ports: [{ containerPort: 8444 }],
        readinessProbe: { httpGet: { scheme: 'HTTPS', port: 8444, path: '/readyz' }, periodSeconds: 1 },
        volumeMounts: [{ name: 'certs', mountPath: '/webhook.local.config/certificates', readOnly: true }],
      }],
    },
  };
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod)).status, 201);
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/services`).send({ metadata: { name: 'e2e-test-webhook' }, spec: { selector: { webhook: 'true' }, ports: [{ port: 8443, targetPort: 8444 }] } })).status, 201);
  await until('the webhook pod ready behind its Service', async () => {
    const slices = (await f.api.get(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`)).body.items ?? [];
    return slices.some((s: any) => (s.endpoints ?? []).some((e: any) => e.conditions?.ready));
  });
  const vwc = {
    metadata: { name: `deny-${ns}` },
    webhooks: [{
      name: 'deny-unwanted-configmap-data.k8s.io',
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      clientConfig: { service: { namespace: ns, name: 'e2e-test-webhook', path: '/configmaps', port: 8443 }, caBundle: b64(tls.caPem) },
      sideEffects: 'None', admissionReviewVersions: ['v1', 'v1beta1'],
    }],
  };
  assert.equal((await f.api.post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations').send(vwc)).status, 201);
  // The configuration is watched: allow a moment for it to take effect.
  await until('the webhook answering', async () => (await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { generateName: 'probe-' }, data: { 'webhook-e2e-test': 'webhook-disallow' } })).status === 400);
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'fine' }, data: { a: 'b' } })).status, 201);
  const denied = assertStatus(await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'bad' }, data: { 'webhook-e2e-test': 'webhook-disallow' } }), 400);
  assert.equal(denied.message, 'admission webhook "deny-unwanted-configmap-data.k8s.io" denied the request: the configmap contains unwanted key and value');
  await f.api.delete(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/deny-${ns}`);

  // A CONNECT to pods/attach goes through admission: the webhook sees PodAttachOptions and denies.
  const attachHook = {
    metadata: { name: `deny-attach-${ns}` },
    webhooks: [{
      name: 'deny-attaching-pod.k8s.io',
      rules: [{ operations: ['CONNECT'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/attach'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      clientConfig: { service: { namespace: ns, name: 'e2e-test-webhook', path: '/pods/attach', port: 8443 }, caBundle: b64(tls.caPem) },
      sideEffects: 'None', admissionReviewVersions: ['v1', 'v1beta1'],
    }],
  };
  assert.equal((await f.api.post('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations').send(attachHook)).status, 201);
  const attach = (query: string) => new Promise<{ status: number; body: any }>((resolve, reject) => {
    const ws = new WebSocket(`${f.url.replace('http', 'ws')}/api/v1/namespaces/${ns}/pods/to-be-attached-pod/attach?${query}`, ['v5.channel.k8s.io'], { headers: { authorization: `Bearer ${f.token}` } });
    ws.on('unexpected-response', (_q, res) => { let b = ''; res.on('data', (c: Buffer) => { b += c; }); res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(b) })); });
    ws.on('open', () => { ws.close(); resolve({ status: 101, body: undefined }); });
    ws.on('error', reject);
  });
  let denied2: { status: number; body: any } = { status: 0, body: undefined };
  // The code is the webhook's (as the configmap denial above), the message what kubectl attach prints.
  await until('the attach webhook answering', async () => (denied2 = await attach('container=container1&stdin=true&stdout=true')).status === 400);
  assert.equal(denied2.body.message, 'admission webhook "deny-attaching-pod.k8s.io" denied the request: attaching to pod \'to-be-attached-pod\' is not allowed');
  const other = await attach('container=other&stdout=true');
  assert.equal(other.status, 404, 'allowed by the webhook: the missing pod is what answers');
  await f.api.delete(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/deny-attach-${ns}`);
});
