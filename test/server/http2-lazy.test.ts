// node:http2 loads on the first connection that negotiates h2 (api/http2.ts), not at start-up: the
// listening HTTPS server hands h2 connections to an HTTP/2 server made then. Its Expect handling
// reaches the server's own listeners, and stop() ends a server with an h2 connection still open.
// In a child process, so that other tests' imports of node:http2 do not count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const server = new URL('../../src/server.ts', import.meta.url).href;

const script = `
const { startServer } = await import(${JSON.stringify(server)});
const https = process.getBuiltinModule('node:https');
const loaded = () => process.moduleLoadList.includes('NativeModule http2');
const s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, controllers: false, nodes: 0 });
const out = { atStart: loaded() };
const u = new URL(s.url);
out.h1 = await new Promise((resolve) => https.get({ host: u.hostname, port: u.port, path: '/readyz', rejectUnauthorized: false },
  (res) => { res.resume(); resolve({ status: res.statusCode, alpn: res.socket.alpnProtocol }); }).on('error', (e) => resolve(String(e))));
out.afterH1 = loaded();
const http2 = process.getBuiltinModule('node:http2');
const session = http2.connect(s.url, { rejectUnauthorized: false });
const ask = (headers, body) => new Promise((resolve) => {
  const req = session.request({ authorization: 'Bearer ' + s.token, ...headers });
  let status = 0, text = '';
  req.on('response', (h) => { status = h[':status']; });
  req.setEncoding('utf8');
  req.on('data', (c) => { text += c; });
  req.on('end', () => resolve({ status, text }));
  req.on('error', (e) => resolve({ status: String(e), text }));
  req.end(body);
});
out.version = await ask({ ':path': '/version' });
out.continue = await ask({ ':method': 'POST', ':path': '/api/v1/namespaces/default/configmaps', 'content-type': 'application/json', expect: '100-continue' },
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'via-continue' } }));
out.expectOther = await ask({ ':method': 'POST', ':path': '/api/v1/namespaces/default/configmaps', 'content-type': 'application/json', expect: 'something-else' }, '{}');
out.afterH2 = loaded();
// The session stays open: stop() must still end.
await s.stop();
session.destroy();
console.log(JSON.stringify(out));
`;

test('node:http2 loads on the first h2 connection; h2 requests, 100-continue and Expect answers; stop with an h2 connection open', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.atStart, false, 'http2 loaded at start-up');
  assert.deepEqual(out.h1, { status: 200, alpn: false });
  assert.equal(out.afterH1, false, 'an HTTP/1.1 connection loaded http2');
  assert.equal(out.version.status, 200);
  assert.match(out.version.text, /"gitVersion"/);
  assert.equal(out.continue.status, 201, out.continue.text);
  assert.match(out.continue.text, /"name":"via-continue"/);
  assert.equal(out.expectOther.status, 417);
  assert.equal(out.afterH2, true);
});

test('with readyBeforeControllers (skiff serve), node:http2 loads in the work after ready', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
const { startServer } = await import(${JSON.stringify(server)});
const loaded = () => process.moduleLoadList.includes('NativeModule http2');
const s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, nodes: 0, readyBeforeControllers: true });
const atReady = loaded();
await new Promise((r) => setTimeout(r, 300));
const later = loaded();
await s.stop();
console.log(JSON.stringify({ atReady, later }));
`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { atReady: false, later: true });
});
