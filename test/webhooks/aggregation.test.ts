// Aggregated APIs: Local APIServices for built-in group-versions, and an extension API server (TLS on
// 127.0.0.1 behind a selector-less Service with a hand-made EndpointSlice) served through the aggregator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture, stream } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { startWebhookServer } from './server.ts';
import type { WebhookServer } from './server.ts';

let f: Fixture;
let ext: WebhookServer;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); await ext?.close(); });

const APIS = '/apis/apiregistration.k8s.io/v1/apiservices';
const available = (o: any) => (o.status?.conditions ?? []).find((c: any) => c.type === 'Available');

async function until<T>(fn: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) { const v = await fn(); if (v) return v; await new Promise((r) => setTimeout(r, 10)); }
}

test('built-in group-versions have Local, Available APIServices', async () => {
  // Registered before the server is ready, as upstream's readyz waits for autoregister-completion.
  const res = await f.api.get(APIS);
  assert.equal(res.status, 200);
  const names = res.body.items.map((i: any) => i.metadata.name);
  for (const n of ['v1.', 'v1.apps', 'v2.autoscaling', 'v1.autoscaling', 'v1.apiregistration.k8s.io', 'v1beta1.metrics.k8s.io']) assert.ok(names.includes(n), n);
  const apps = res.body.items.find((i: any) => i.metadata.name === 'v1.apps');
  assert.deepEqual(apps.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
  assert.equal(apps.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'onstart');
  const a = available((await f.api.get(`${APIS}/v1.apps`)).body);
  assert.deepEqual([a.status, a.reason, a.message], ['True', 'Local', 'Local APIServices are always available']);
});

test('a Service-backed APIService: unavailable with upstream\'s message, then discovered and proxied with front-proxy headers', { timeout: 30_000 }, async () => {
  const ns = await f.ns('agg');
  ext = await startWebhookServer([`ext.${ns}.svc`], { requestCert: true });
  const resources = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'wardle.example.com/v1alpha1', resources: [{ name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list', 'create'] }] };
  ext.handle('/apis/wardle.example.com/v1alpha1', () => resources);
  ext.handle(`/apis/wardle.example.com/v1alpha1/namespaces/${ns}/flunders`, (_b, req, out) => {
    if (req.url?.includes('watch=true')) {
      // A watch: one event, then the stream stays open until the client goes.
      out.writeHead(200, { 'Content-Type': 'application/json' });
      out.write(JSON.stringify({ type: 'ADDED', object: { kind: 'Flunder', apiVersion: 'wardle.example.com/v1alpha1', metadata: { name: 'f1' } } }) + '\n');
      return undefined;
    }
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    return { kind: 'FlunderList', apiVersion: 'wardle.example.com/v1alpha1', metadata: {}, items: [], user: req.headers['x-remote-user'], groups: req.headersDistinct['x-remote-group'], peerCN: peer?.subject?.CN, peerPem: peer?.raw?.toString('base64') };
  });
  let res = await f.api.post(APIS).send({ metadata: { name: 'v1alpha1.wardle.example.com' }, spec: { group: 'wardle.example.com', version: 'v1alpha1', groupPriorityMinimum: 2000, versionPriority: 200, service: { namespace: ns, name: 'ext', port: 443 }, caBundle: ext.caBundle } });
  assert.equal(res.status, 201, res.text);
  let cond = await until(async () => available((await f.api.get(`${APIS}/v1alpha1.wardle.example.com`)).body));
  assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'ServiceNotFound', `service/ext in "${ns}" is not present`]);

  await f.api.post(`/api/v1/namespaces/${ns}/services`).send({ metadata: { name: 'ext' }, spec: { ports: [{ name: 'https', port: 443 }] } });
  await f.api.post(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`).send({
    metadata: { name: 'ext-1', labels: { 'kubernetes.io/service-name': 'ext' } }, addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'] }], ports: [{ name: 'https', port: ext.port, protocol: 'TCP' }],
  });
  // A change of the APIService triggers a check at once (else the 30 s resync would).
  await f.api.patch(`${APIS}/v1alpha1.wardle.example.com`).set('Content-Type', 'application/merge-patch+json').send({ metadata: { labels: { poke: '1' } } });
  cond = await until(async () => { const c = available((await f.api.get(`${APIS}/v1alpha1.wardle.example.com`)).body); return c?.status === 'True' && c; });
  assert.deepEqual([cond.reason, cond.message], ['Passed', 'all checks passed']);

  const groups = (await f.api.get('/apis')).body.groups.map((g: any) => g.name);
  assert.ok(groups.includes('wardle.example.com'), 'discovery lists the extension group');
  res = await f.api.get(`/apis/wardle.example.com/v1alpha1/namespaces/${ns}/flunders`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.kind, 'FlunderList');
  assert.ok(res.body.user, 'X-Remote-User carries the user');
  assert.ok(Array.isArray(res.body.groups) && res.body.groups.length >= 1 && res.body.groups.every((g: string) => !g.includes(',')), `one X-Remote-Group line per group: ${JSON.stringify(res.body.groups)}`);
  assert.equal(res.body.peerCN, 'front-proxy-client', 'the aggregator presents its front-proxy client certificate');
  const auth = (await f.api.get('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication')).body.data;
  assert.deepEqual([auth['requestheader-allowed-names'], auth['requestheader-username-headers'], auth['requestheader-group-headers'], auth['requestheader-extra-headers-prefix']],
    ['["front-proxy-client"]', '["X-Remote-User"]', '["X-Remote-Group"]', '["X-Remote-Extra-"]']);
  const { X509Certificate } = await import('node:crypto');
  const client = new X509Certificate(Buffer.from(res.body.peerPem, 'base64'));
  assert.ok(client.verify(new X509Certificate(auth['requestheader-client-ca-file']).publicKey), 'the client certificate is signed by the published requestheader CA');
  const w = await stream(f, `/apis/wardle.example.com/v1alpha1/namespaces/${ns}/flunders?watch=true`);
  const ev = await w.next();
  assert.deepEqual([ev.type, ev.object.metadata.name], ['ADDED', 'f1'], 'a watch streams through the aggregator');
  w.close();
  const seen = ext.received.filter((r) => !r.path.includes('watch')).at(-1)!;
  assert.equal(seen.headers.authorization, undefined, 'the client\'s credentials are not forwarded');

  await ext.close();
  await f.api.patch(`${APIS}/v1alpha1.wardle.example.com`).set('Content-Type', 'application/merge-patch+json').send({ metadata: { labels: { poke: '2' } } });
  cond = await until(async () => { const c = available((await f.api.get(`${APIS}/v1alpha1.wardle.example.com`)).body); return c?.status === 'False' && c; });
  assert.equal(cond.reason, 'FailedDiscoveryCheck');
  assert.equal(cond.message, `failing or missing response from https://127.0.0.1:${ext.port}/apis/wardle.example.com/v1alpha1: Get "https://127.0.0.1:${ext.port}/apis/wardle.example.com/v1alpha1": dial tcp 127.0.0.1:${ext.port}: connect: connection refused`);
  res = await f.api.get(`/apis/wardle.example.com/v1alpha1/namespaces/${ns}/flunders`);
  assertStatus(res, 503);
  await f.api.delete(`${APIS}/v1alpha1.wardle.example.com`);
});

test('an APIService for a group Skiff serves itself (metrics-server\'s manifest) keeps it served in-process', { timeout: 30_000 }, async () => {
  const res = await f.api.put(`${APIS}/v1beta1.metrics.k8s.io`).send({
    ...(await f.api.get(`${APIS}/v1beta1.metrics.k8s.io`)).body,
    spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true, service: { namespace: 'kube-system', name: 'metrics-server', port: 443 } },
  });
  assert.equal(res.status, 200, res.text);
  const cond = await until(async () => { const c = available((await f.api.get(`${APIS}/v1beta1.metrics.k8s.io`)).body); return c?.reason === 'Passed' && c; });
  assert.equal(cond.status, 'True');
  const list = await f.api.get('/apis/metrics.k8s.io/v1beta1/nodes');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.kind, 'NodeMetricsList');
});
