// The HTTPS listener serves HTTP/2 to clients that negotiate it in ALPN (as kube-apiserver does) and
// HTTP/1.1 to the rest, with the same answers; upgrades (exec over WebSocket) still come over HTTP/1.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import tls from 'node:tls';
import { WebSocket } from 'ws';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { makePod } from '../streaming/helpers.ts';
import { makeCsr } from '../../src/auth/user-kubeconfig.ts';
import { parseCsr, signCsr } from '../../src/auth/csr.ts';
import { ensureTls } from '../../src/auth/certs.ts';
import { RealClock } from '../../src/clock.ts';

let s: RunningServer;
/** The CA the server takes client certificates from (--client-ca-file), and one it does not. */
let clientCa: { certPem: string; keyPem: string };
let foreignCa: { certPem: string; keyPem: string };
before(async () => {
  const clock = new RealClock();
  const [a, b] = await Promise.all([ensureTls(undefined, '127.0.0.1', clock), ensureTls(undefined, '127.0.0.1', clock)]);
  clientCa = { certPem: a.caPem, keyPem: a.caKeyPem! };
  foreignCa = { certPem: b.caPem, keyPem: b.caKeyPem! };
  s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, controllers: false, clientCaPem: clientCa.certPem });
});
after(async () => { await s.stop(); });

const CM = '/api/v1/namespaces/default/configmaps';

interface H2Answer { status: number; headers: http2.IncomingHttpHeaders; body: string }

function h2Request(session: http2.ClientHttp2Session, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': method, ':path': path, authorization: `Bearer ${s.token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers });
    let status = 0, hdrs: http2.IncomingHttpHeaders = {}, text = '';
    req.on('response', (h) => { status = Number(h[':status']); hdrs = h; });
    req.setEncoding('utf8');
    req.on('data', (c: string) => { text += c; });
    req.on('end', () => resolve({ status, headers: hdrs, body: text }));
    req.on('error', reject);
    req.end(body);
  });
}

function h1Request(method: string, path: string, body?: string): Promise<{ status: number; version: string; body: string }> {
  return h1Any(method, path, body, { accept: 'application/json', 'content-type': 'application/json' });
}

/** Watches open in the storage layer. */
const watchers = () => (s.backend as unknown as { watcherCount(): number }).watcherCount();

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
}

function alpnOf(protocols: string[] | undefined): Promise<string | false | null> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: u.hostname, port: Number(u.port), ca: s.caPem, servername: 'localhost', ...(protocols ? { ALPNProtocols: protocols } : {}) }, () => {
      const p = sock.alpnProtocol;
      sock.on('error', () => {});
      sock.destroy();
      resolve(p);
    });
    sock.once('error', reject);
  });
}

test('ALPN: h2 when the client offers it (as kube-apiserver), http/1.1 when it offers only that', async () => {
  assert.equal(await alpnOf(['h2', 'http/1.1']), 'h2');
  assert.equal(await alpnOf(['http/1.1']), 'http/1.1');
  assert.equal(await alpnOf(undefined), false);
});

test('HTTP/2: GET, LIST, WATCH (an event arrives) and a POST with a bad body (Status 400) on one connection', async () => {
  const session = http2.connect(s.url, { ca: s.caPem });
  try {
    const created = await h2Request(session, 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'over-h2' }, data: { a: '1' } }));
    assert.equal(created.status, 201, created.body);
    for (const h of ['connection', 'transfer-encoding', 'keep-alive']) assert.equal(created.headers[h], undefined);
    const got = await h2Request(session, 'GET', `${CM}/over-h2`);
    assert.equal(got.status, 200);
    assert.equal(JSON.parse(got.body).data.a, '1');
    const list = await h2Request(session, 'GET', CM);
    assert.equal(list.status, 200);
    const listed = JSON.parse(list.body);
    assert.equal(listed.kind, 'ConfigMapList');
    assert.ok(listed.items.some((i: any) => i.metadata.name === 'over-h2'));

    const watchersBefore = watchers();
    // A watch from the list's revision: the update below arrives as a MODIFIED event on the stream.
    const watch = session.request({ ':path': `${CM}?watch=true&resourceVersion=${listed.metadata.resourceVersion}&fieldSelector=metadata.name%3Dover-h2`, authorization: `Bearer ${s.token}`, accept: 'application/json' });
    const event = new Promise<any>((resolve, reject) => {
      let buf = '';
      watch.setEncoding('utf8');
      watch.on('data', (c: string) => { buf += c; const nl = buf.indexOf('\n'); if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl))); });
      watch.on('error', reject);
    });
    const watchHeaders = await new Promise<http2.IncomingHttpHeaders>((resolve) => watch.on('response', resolve));
    assert.equal(watchHeaders[':status'], 200);
    assert.equal(watchHeaders['transfer-encoding'], undefined);
    const patched = await h2Request(session, 'PATCH', `${CM}/over-h2`, JSON.stringify({ data: { a: '2' } }), { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200, patched.body);
    const ev = await event;
    assert.equal(ev.type, 'MODIFIED');
    assert.equal(ev.object.data.a, '2');
    assert.equal(watchers(), watchersBefore + 1);
    // The client resetting the stream ends the watch on the server.
    watch.close();
    await until(() => watchers() === watchersBefore);

    const bad = await h2Request(session, 'POST', CM, '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": ');
    assert.equal(bad.status, 400);
    const st = JSON.parse(bad.body);
    assert.equal(st.kind, 'Status');
    assert.equal(st.code, 400);
    assert.equal(st.reason, 'BadRequest');
    // A wrongly typed field: the same 400 Status as over HTTP/1.1.
    const typed = await h2Request(session, 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed' }, data: { a: 5 } }));
    const typed1 = await h1Request('POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed' }, data: { a: 5 } }));
    assert.equal(typed.status, 400);
    assert.deepEqual(JSON.parse(typed.body), JSON.parse(typed1.body));
    // Unauthenticated over HTTP/2: 401 Status, as over HTTP/1.1.
    const anon = await new Promise<number>((resolve, reject) => {
      const r = session.request({ ':path': CM, authorization: 'Bearer wrong' });
      r.on('response', (h) => { resolve(Number(h[':status'])); r.close(); });
      r.on('error', reject);
    });
    assert.equal(anon, 401);
  } finally { session.close(); }
});

test('HTTP/1.1 clients are still served: GET, LIST and a bad body', async () => {
  const created = await h1Request('POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'over-h1' } }));
  assert.equal(created.status, 201, created.body);
  assert.equal(created.version, '1.1');
  assert.equal((await h1Request('GET', `${CM}/over-h1`)).status, 200);
  const list = await h1Request('GET', CM);
  assert.equal(JSON.parse(list.body).kind, 'ConfigMapList');
  const bad = await h1Request('POST', CM, '{not json');
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.body).kind, 'Status');
});

test('exec over WebSocket (an HTTP/1.1 upgrade) still works on the HTTPS listener', async () => {
  await makePod(s.store, 'web', { containers: [{ name: 'main', image: 'nginx:1.27' }] });
  const url = `${s.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/web/exec?command=echo&command=hello&stdout=true&stderr=true`;
  const r = await new Promise<{ protocol: string; stdout: string; status: string }>((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], { ca: s.caPem, headers: { authorization: `Bearer ${s.token}` } });
    let stdout = '', status = '';
    ws.on('message', (d: Buffer) => { if (d[0] === 1) stdout += d.subarray(1).toString(); else if (d[0] === 3) status += d.subarray(1).toString(); });
    ws.on('error', reject);
    ws.on('close', () => resolve({ protocol: ws.protocol, stdout, status }));
  });
  assert.equal(r.protocol, 'v5.channel.k8s.io');
  assert.equal(r.stdout, 'hello\n');
  assert.equal(JSON.parse(r.status).status, 'Success');
});

test('HTTP/2: a client certificate authenticates (CN, O), one from another CA is 401', async () => {
  const issue = (ca: { certPem: string; keyPem: string }) => {
    const { csrPem, keyPem } = makeCsr({ user: 'h2-alice', groups: ['team-h2'] });
    return { cert: signCsr(parseCsr(csrPem), ['client auth'], 3600_000, ca, new RealClock()), key: keyPem };
  };
  const review = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  const who = async (cred: { cert: string; key: string }) => {
    const session = http2.connect(s.url, { ca: s.caPem, ...cred });
    try {
      return await new Promise<H2Answer>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/apis/authentication.k8s.io/v1/selfsubjectreviews', 'content-type': 'application/json' });
        let status = 0, text = '';
        req.on('response', (h) => { status = Number(h[':status']); });
        req.setEncoding('utf8');
        req.on('data', (c: string) => { text += c; });
        req.on('end', () => resolve({ status, headers: {}, body: text }));
        req.on('error', reject);
        req.end(review);
      });
    } finally { session.close(); }
  };
  const good = await who(issue(clientCa));
  assert.equal(good.status, 201, good.body);
  assert.deepEqual(JSON.parse(good.body).status.userInfo, { username: 'h2-alice', groups: ['team-h2', 'system:authenticated'] });
  const forged = await who(issue(foreignCa));
  assert.equal(forged.status, 401);
  assert.equal(JSON.parse(forged.body).kind, 'Status');
});

test('HTTP/2 hostile input: oversized body 413, impersonation headers, a wrongly typed body and a bad path get Status answers', async () => {
  const session = http2.connect(s.url, { ca: s.caPem });
  try {
    const huge = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } });
    const big = await h2Request(session, 'POST', CM, huge);
    assert.equal(big.status, 413);
    assert.equal(JSON.parse(big.body).reason, 'RequestEntityTooLarge');
    // The connection is still usable after a refused body.
    assert.equal((await h2Request(session, 'GET', `${CM}?limit=1`)).status, 200);
    // Impersonation reads every value of its headers (headersDistinct) over HTTP/2 as over HTTP/1.1.
    const asCarl = await h2Request(session, 'GET', CM, undefined, { 'impersonate-user': 'carl', 'impersonate-group': 'team-c' });
    assert.equal(asCarl.status, 403);
    assert.match(JSON.parse(asCarl.body).message, /User "carl" cannot list resource "configmaps"/);
    // Repeated header fields stay distinct values (client-go sends one field per group and extra value).
    const review = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    const who = await h2Request(session, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', review,
      { 'impersonate-user': 'dana', 'impersonate-group': ['g1', 'g2'] as unknown as string, 'impersonate-extra-scopes': ['a', 'b'] as unknown as string });
    assert.equal(who.status, 201, who.body);
    assert.deepEqual(JSON.parse(who.body).status.userInfo, { username: 'dana', groups: ['g1', 'g2', 'system:authenticated'], extra: { scopes: ['a', 'b'] } });
    const conflicting = await h2Request(session, 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'wrong-kind' } }));
    assert.equal(conflicting.status, 400);
    assert.equal(JSON.parse(conflicting.body).kind, 'Status');
    const nowhere = await h2Request(session, 'GET', '/api/v1/namespaces/default/nosuchthings');
    assert.equal(nowhere.status, 404);
    assert.equal(JSON.parse(nowhere.body).kind, 'Status');
  } finally { session.close(); }
});

test('HTTP/2: a body in many DATA frames is read whole; a stream reset mid-body creates nothing and the connection serves on', async () => {
  const session = http2.connect(s.url, { ca: s.caPem });
  try {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'in-pieces' }, data: { a: 'y'.repeat(100_000) } });
    const created = await new Promise<H2Answer>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': CM, authorization: `Bearer ${s.token}`, accept: 'application/json', 'content-type': 'application/json' });
      let status = 0, body = '';
      req.on('response', (h) => { status = Number(h[':status']); });
      req.setEncoding('utf8');
      req.on('data', (c: string) => { body += c; });
      req.on('end', () => resolve({ status, headers: {}, body }));
      req.on('error', reject);
      // Pieces written on separate turns, so they leave as separate frames.
      let at = 0;
      const next = () => { if (at >= text.length) { req.end(); return; } req.write(text.slice(at, at += 7_000)); setImmediate(next); };
      next();
    });
    assert.equal(created.status, 201, created.body);
    assert.equal(JSON.parse(created.body).data.a.length, 100_000);

    // Half a body, then RST_STREAM: nothing is created.
    const half = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'never-finished' } });
    await new Promise<void>((resolve) => {
      const req = session.request({ ':method': 'POST', ':path': CM, authorization: `Bearer ${s.token}`, 'content-type': 'application/json', 'content-length': String(half.length) });
      req.on('error', () => {});
      req.write(half.slice(0, 20), () => setTimeout(() => { req.close(http2.constants.NGHTTP2_CANCEL); resolve(); }, 50));
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await h2Request(session, 'GET', `${CM}/never-finished`)).status, 404);
    assert.equal((await h2Request(session, 'GET', `${CM}/in-pieces`)).status, 200);
  } finally { session.close(); }
});

/** Any request over HTTP/1.1 (its own connection), with its headers and body as sent. */
function h1Any(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; version: string; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: u.hostname, port: u.port, path, method, ca: s.caPem, agent: false, ALPNProtocols: ['http/1.1'],
      headers: { authorization: `Bearer ${s.token}`, ...headers } } as https.RequestOptions, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, version: res.httpVersion, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('HTTP/2 writes (create, update with a Warning, patch, delete, conflicts, dry run) answer as over HTTP/1.1: status, headers, body bytes', async () => {
  const session = http2.connect(s.url, { ca: s.caPem });
  try {
    const steps = (n: string): [string, string, string | undefined, Record<string, string>][] => [
      ['POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `same-${n}`, labels: { a: 'b' } }, data: { k: 'v' } }), { 'content-type': 'application/json' }],
      ['POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `same-${n}` } }), { 'content-type': 'application/json' }],
      ['PUT', `${CM}/same-${n}`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `same-${n}` }, data: { k: 'w' }, bogus: 1, other: 2 }), { 'content-type': 'application/json' }],
      ['PATCH', `${CM}/same-${n}`, JSON.stringify({ data: { k2: 'x' } }), { 'content-type': 'application/merge-patch+json' }],
      ['PATCH', `${CM}/missing-${n}`, JSON.stringify({ data: { k2: 'x' } }), { 'content-type': 'application/merge-patch+json' }],
      ['POST', `${CM}?dryRun=All`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `dry-${n}` } }), { 'content-type': 'application/json' }],
      ['POST', `${CM}?dryRun=Some`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `dry-${n}` } }), { 'content-type': 'application/json' }],
      ['DELETE', `${CM}/same-${n}`, undefined, {}],
      ['DELETE', `${CM}/same-${n}`, undefined, {}],
      ['PUT', `${CM}/same-${n}`, '{"not json', { 'content-type': 'application/json' }],
    ];
    // Names, uids, versions and times differ between the two runs; everything else must not.
    const plain = (t: string) => t.replace(/-h[12]\b/g, '-N').replace(/"(uid|resourceVersion|creationTimestamp|time)":"[^"]*"/g, '"$1":"*"');
    const one = steps('h1'), two = steps('h2');
    for (let i = 0; i < one.length; i++) {
      const [method, path, body, headers] = one[i];
      const a = await h1Any(method, path, body, { accept: 'application/json', ...headers });
      const b = await h2Request(session, two[i][0], two[i][1], two[i][2], { accept: 'application/json', ...two[i][3] });
      const what = `${method} ${path}`;
      assert.equal(b.status, a.status, what);
      assert.equal(plain(b.body), plain(a.body), what);
      assert.ok(b.body.endsWith('\n'), what);
      assert.equal(b.headers['content-length'], String(Buffer.byteLength(b.body)), what);
      assert.equal(a.headers['content-length'], String(Buffer.byteLength(a.body)), what);
      for (const h of ['content-type', 'cache-control', 'warning', 'audit-id'] as const) {
        if (h === 'audit-id') { assert.equal(b.headers[h] === undefined, a.headers[h] === undefined, `${what}: ${h}`); continue; }
        assert.deepEqual(b.headers[h], a.headers[h], `${what}: ${h}`);
      }
      assert.ok(b.headers.date, `${what}: date`);
      assert.equal(b.headers.connection, undefined);
    }
  } finally { session.close(); }
});
