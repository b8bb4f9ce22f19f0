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

let s: RunningServer;
before(async () => { s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, controllers: false }); });
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
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: u.hostname, port: u.port, path, method, ca: s.caPem, agent: false, ALPNProtocols: ['http/1.1'],
      headers: { authorization: `Bearer ${s.token}`, accept: 'application/json', 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, version: res.httpVersion, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
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
    watch.close();

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
