// The proxy subresources of pods, Services and nodes through the HTTP API, against emulated servers
// registered on the simulated network (as the container runtime's programs register them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { networkOf, PodNet, serveHttp } from '../../src/netsim/index.ts';
import { localhostCert } from '../../src/images/localhost-cert.ts';

let f: Fixture;
let ns: string;
const stop = new AbortController();

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) { const v = await fn(); if (v !== undefined) return v; await new Promise((r) => setTimeout(r, 25)); }
  throw new Error(`timed out waiting for ${what}`);
}

async function runningPod(name: string, labels: Record<string, string>, ports: object[]): Promise<any> {
  const r = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', ports }] } });
  assert.equal(r.status, 201, r.text);
  return until(`pod ${name} running`, async () => { const g = await f.api.get(`/api/v1/namespaces/${ns}/pods/${name}`); return g.body.status?.podIP && g.body.status.phase === 'Running' ? g.body : undefined; });
}

/** An echoing server on the pod: method, path, query and a header come back in the body. */
function echo(pod: any, port: number, tls = false) {
  serveHttp(new PodNet(networkOf(f.server.store)!, pod), port, async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    res.setHeader('X-Backend', pod.metadata.name);
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.url === '/go-away') { res.statusCode = 302; res.setHeader('Location', '/landing?x=1'); res.end(); return; }
    res.end(JSON.stringify({ method: req.method, url: req.url, body, auth: req.headers.authorization ?? null, xff: req.headers['x-forwarded-for'] ?? null }));
  }, { signal: stop.signal, tls: tls ? localhostCert() : undefined });
}

before(async () => {
  f = await startFixture({ controllers: true });
  ns = await f.ns('proxy');
  const a = await runningPod('web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }, { name: 'tls', containerPort: 8443 }]);
  echo(a, 8080);
  echo(a, 8443, true);
  const svc = (name: string, spec: object) => f.api.post(`/api/v1/namespaces/${ns}/services`).send({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
  assert.equal((await svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'tls', port: 443, targetPort: 8443 }] })).status, 201);
  assert.equal((await svc('empty', { selector: { app: 'nothing' }, ports: [{ port: 80 }] })).status, 201);
  await until('endpoints of web', async () => ((await f.api.get(`/api/v1/namespaces/${ns}/endpoints/web`)).body.subsets?.[0]?.addresses?.length ? true : undefined));
});
after(async () => { stop.abort(); await f.stop(); });

test('pod proxy reaches the emulated server: port by number or first declared, path, query, methods, body', async () => {
  const r = await f.api.get(`/api/v1/namespaces/${ns}/pods/web:8080/proxy/some/path?x=1&y=2`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['x-backend'], 'web');
  const b = JSON.parse(r.text);
  assert.equal(b.url, '/some/path?x=1&y=2');
  assert.equal(b.auth, null, 'the bearer token is not passed on to the pod');
  assert.ok(b.xff, 'X-Forwarded-For names the client');
  assert.equal(JSON.parse((await f.api.get(`/api/v1/namespaces/${ns}/pods/web/proxy/`)).text).url, '/');
  // Nothing after /proxy: GET and HEAD are redirected to .../proxy/ (upstream's 301), other methods go through.
  const redirect = await f.api.get(`/api/v1/namespaces/${ns}/pods/http:web:8080/proxy?a=b`).redirects(0);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, `/api/v1/namespaces/${ns}/pods/http:web:8080/proxy/?a=b`);
  assert.equal(JSON.parse((await f.api.post(`/api/v1/namespaces/${ns}/pods/web:8080/proxy?method=POST`).send('x')).text).url, '/?method=POST');
  for (const m of ['post', 'put', 'patch', 'delete', 'options'] as const) {
    const x = await (f.api as any)[m](`/api/v1/namespaces/${ns}/pods/web:8080/proxy/m`).set('Content-Type', 'text/plain').send('payload');
    assert.equal(x.status, 200, `${m}: ${x.text}`);
    const got = JSON.parse(x.text);
    assert.equal(got.method, m.toUpperCase());
    assert.equal(got.body, 'payload');
  }
  const head = await f.api.head(`/api/v1/namespaces/${ns}/pods/web:8080/proxy/`);
  assert.equal(head.headers['access-control-allow-origin'], undefined, 'CORS headers of the target are dropped');
  assert.equal(head.status, 200);
  const tls = await f.api.get(`/api/v1/namespaces/${ns}/pods/https:web:8443/proxy/secure`);
  assert.equal(JSON.parse(tls.text).url, '/secure');
});

test('hostile proxy paths stay on the target: dot segments, encoded dots, double slashes', async () => {
  for (const [p, want] of [['/a/../../../b', '/b'], ['/%2e%2e/%2E%2E/etc/passwd', '/etc/passwd'], ['//x//y/', '/x/y/'], ['/./', '/']]) {
    const r = await f.api.get(`/api/v1/namespaces/${ns}/pods/web:8080/proxy${p}`);
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    assert.equal(JSON.parse(r.text).url, want, p);
  }
});

test('pod proxy errors are upstream\'s: bad ids, unknown or out-of-range ports, nothing listening, missing pod, no address', async () => {
  assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/a:b:c:d/proxy/`), 400, 'BadRequest');
  assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/pods/a:b:c:d/proxy/`)).body.message, 'invalid pod request "a:b:c:d"');
  assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/pods/ftp:web:80/proxy/`)).body.message, 'invalid pod request "ftp:web:80"');
  const unknownPort = assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/web:nosuchport/proxy/`), 503, 'ServiceUnavailable');
  assert.equal(unknownPort.message, 'error trying to reach service: dial tcp: address tcp/nosuchport: unknown port');
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/web:70000/proxy/`), 503).message, 'error trying to reach service: dial tcp: address 70000: invalid port');
  const pod = (await f.api.get(`/api/v1/namespaces/${ns}/pods/web`)).body;
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/web:9999/proxy/`), 503).message, `error trying to reach service: dial tcp ${pod.status.podIP}:9999: connect: connection refused`);
  const missing = assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/ghost/proxy/`), 404, 'NotFound');
  assert.equal(missing.message, 'pods "ghost" not found');
  const pending = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending' }, spec: { nodeSelector: { nowhere: 'x' }, containers: [{ name: 'c', image: 'busybox' }] } });
  assert.equal(pending.status, 201);
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/pending/proxy/`), 400).message, 'address not allowed');
  assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/${'x'.repeat(300)}/proxy/`), 404);
  assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/pods/..%2f/proxy/`), 404);
});

test('service proxy goes through the Endpoints by port number or name; upstream\'s errors otherwise', async () => {
  for (const id of ['web:80', 'web:http', 'http:web:80']) {
    const r = await f.api.get(`/api/v1/namespaces/${ns}/services/${id}/proxy/hello`);
    assert.equal(r.status, 200, `${id}: ${r.text}`);
    assert.equal(JSON.parse(r.text).url, '/hello');
  }
  assert.equal(JSON.parse((await f.api.get(`/api/v1/namespaces/${ns}/services/https:web:443/proxy/`)).text).url, '/');
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/services/web:81/proxy/`), 503).message, 'no service port 81 found for service "web"');
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/services/web:nope/proxy/`), 503).message, 'no endpoints available for service "web:nope"');
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/services/empty:80/proxy/`), 503).message, 'no endpoints available for service "empty"');
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/services/ghost:80/proxy/`), 404).message, 'services "ghost" not found');
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/services/ghost/proxy/`), 404).message, 'endpoints "ghost" not found');
  assert.equal(assertStatus(await f.api.get(`/api/v1/namespaces/${ns}/services/a:b:c:d/proxy/`), 400).message, 'invalid service request "a:b:c:d"');
});

test('node proxy answers for the simulated kubelet; other ports go through node ports', async () => {
  const nodes = (await f.api.get('/api/v1/nodes')).body.items;
  const node = nodes[0].metadata.name;
  const hz = await f.api.get(`/api/v1/nodes/${node}/proxy/healthz`);
  assert.equal(hz.status, 200);
  assert.equal(hz.text, 'ok');
  const pods = await f.api.get(`/api/v1/nodes/${node}:10250/proxy/pods`);
  assert.equal(pods.status, 200);
  assert.ok(JSON.parse(pods.text).items.some((p: any) => p.metadata.name === 'web'));
  assert.equal((await f.api.get(`/api/v1/nodes/${node}/proxy/nope`)).status, 404);
  assert.equal(assertStatus(await f.api.get('/api/v1/nodes/ghost/proxy/healthz'), 404).message, 'nodes "ghost" not found');
  assertStatus(await f.api.get(`/api/v1/nodes/${node}:31999/proxy/`), 503, 'ServiceUnavailable');
  assert.equal(assertStatus(await f.api.get('/api/v1/nodes/a:b:c:d/proxy/'), 400).message, 'invalid node request "a:b:c:d"');
});

test('HTML links and redirects of the target are rewritten under the proxy path (the e2e porter table)', async () => {
  const pod = (await f.api.get(`/api/v1/namespaces/${ns}/pods/web`)).body;
  const stopPorter = new AbortController();
  const { programFor } = await import('../../src/images/index.ts');
  const { InMemoryFs } = await import('just-bash');
  void programFor('/agnhost')!({
    argv: ['/agnhost', 'porter'], env: { SERVE_PORT_80: '<a href="/rewriteme">test</a>', SERVE_PORT_160: 'foo', SERVE_TLS_PORT_443: '<a href="/tlsrewriteme">test</a>' },
    cwd: '/', fs: new InMemoryFs(), stdout: () => {}, stderr: () => {}, signal: stopPorter.signal, pod, container: 'c',
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now(),
  });
  await new Promise((r) => setTimeout(r, 50));
  try {
    const base = `/api/v1/namespaces/${ns}/pods`;
    const html = await f.api.get(`${base}/web:80/proxy/`);
    assert.equal(html.status, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    assert.equal(html.text, `<a href="${base}/web:80/proxy/rewriteme">test</a>`);
    assert.equal((await f.api.get(`${base}/https:web:443/proxy/`)).text, `<a href="${base}/https:web:443/proxy/tlsrewriteme">test</a>`);
    assert.equal((await f.api.get(`${base}/web:160/proxy/`)).text, 'foo');
    const moved = await f.api.get(`${base}/web:8080/proxy/go-away`).redirects(0);
    assert.equal(moved.status, 302);
    assert.equal(moved.headers.location, `${base}/web:8080/proxy/landing?x=1`);
  } finally { stopPorter.abort(); }
});
