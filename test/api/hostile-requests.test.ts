// Hostile requests below the resource handlers (issue 19): what Go's net/http answers itself
// (malformed request lines, a missing Host, an unknown Expect), malformed WebSocket upgrades, and
// failures that are not Status errors (a generic 500 Status, logged once, counted, no echo).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { INTERNAL_ERROR_MESSAGE } from '../../src/errors.ts';
import { cm, pod } from './fixture.ts';

let server: RunningServer;
const logs: string[] = [];
let port = 0;
before(async () => {
  server = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false, log: (m) => logs.push(m) });
  port = server.port;
  await call(`POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\n`, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hr' } }));
  await call(`POST /api/v1/namespaces/hr/configmaps HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\n`, JSON.stringify(cm('a')));
  const p: any = pod('p');
  p.spec.nodeName = 'sim-1';
  await call(`POST /api/v1/namespaces/hr/pods HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\n`, JSON.stringify(p));
});
after(async () => { await server.stop(); });

const auth = () => `Authorization: Bearer ${server.token}\r\n`;

interface Raw { statusLine: string; code: number; headers: Record<string, string>; body: string }

/** Send bytes as written and read until the server closes or the response is complete. */
function call(head: string, body = ''): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const framed = body ? `${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}` : `${head}Connection: close\r\n\r\n`;
    s.on('connect', () => s.write(framed));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) { const i = l.indexOf(':'); headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
      let rest = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') {
        let out = '';
        for (;;) { const nl = rest.indexOf('\r\n'); const n = parseInt(rest.slice(0, nl), 16); if (!n) break; out += rest.slice(nl + 2, nl + 2 + n); rest = rest.slice(nl + 4 + n); }
        rest = out;
      }
      resolve({ statusLine, code: Number(statusLine.split(' ')[1]), headers, body: rest });
    });
  });
}

function assertStatusBody(r: Raw, code: number, reason: string): any {
  assert.equal(r.code, code, `${r.statusLine} ${r.body.slice(0, 300)}`);
  assert.match(r.headers['content-type'] ?? '', /^application\/json/, r.body);
  const s = JSON.parse(r.body);
  assert.equal(s.kind, 'Status');
  assert.equal(s.apiVersion, 'v1');
  assert.equal(s.status, 'Failure');
  assert.equal(s.code, code);
  assert.equal(s.reason, reason);
  return s;
}

describe("Go's own answers, before any handler", () => {
  test('an Expect other than 100-continue is 417 with an empty body and Connection: close', async () => {
    for (const expect of ['200-ok', 'x', '100-continue-please']) {
      const r = await call(`POST /api/v1/namespaces/hr/configmaps HTTP/1.1\r\nHost: x\r\n${auth()}Expect: ${expect}\r\nContent-Type: application/json\r\n`, JSON.stringify(cm('e')));
      assert.equal(r.code, 417, r.statusLine);
      assert.equal(r.body, '');
      assert.equal(r.headers.connection, 'close');
    }
    const got = await call(`GET /api/v1/namespaces/hr/configmaps/e HTTP/1.1\r\nHost: x\r\n${auth()}`);
    assert.equal(got.code, 404, 'nothing was created');
  });

  test('100-continue still works', async () => {
    const r = await call(`GET /api/v1/namespaces/hr/configmaps/a HTTP/1.1\r\nHost: x\r\n${auth()}Expect: 100-continue\r\n`);
    assert.equal(r.code, 200);
  });

  test('an HTTP/1.1 request without a Host header, or with two, is Go\'s plain 400', async () => {
    const missing = await call(`GET /api/v1/namespaces/hr/configmaps HTTP/1.1\r\n${auth()}`);
    assert.equal(missing.code, 400);
    assert.equal(missing.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(missing.body, '400 Bad Request: missing required Host header');
    const two = await call(`DELETE /api/v1/namespaces/hr/configmaps HTTP/1.1\r\nHost: a\r\nHost: b\r\n${auth()}`);
    assert.equal(two.code, 400);
    assert.equal(two.body, '400 Bad Request: too many Host headers');
    // HTTP/1.0 needs no Host.
    const old = await call(`GET /api/v1/namespaces/hr/configmaps/a HTTP/1.0\r\n${auth()}`);
    assert.equal(old.code, 200);
    const still = await call(`GET /api/v1/namespaces/hr/configmaps/a HTTP/1.1\r\nHost: x\r\n${auth()}`);
    assert.equal(still.code, 200, 'the configmap survived the host-less DELETE');
  });

  test('a request Node cannot parse is Go\'s plain 400 Bad Request', async () => {
    for (const head of ['GET /api HTTP/1.1\r\nHost: x\r\nBad Header\r\n', 'GET /api HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n', 'GET /a b c HTTP/1.1\r\nHost: x\r\n', '\x16\x03\x01\x00\xa5\x01\r\n']) {
      const r = await call(head);
      assert.equal(r.code, 400, JSON.stringify(head));
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.headers.connection, 'close');
      assert.equal(r.body, '400 Bad Request');
    }
  });

  test('a method Go accepts but no route takes is go-restful\'s 405 Status', async () => {
    const r = await call(`FROB /api/v1/namespaces/hr/configmaps/a HTTP/1.1\r\nHost: x\r\n${auth()}`);
    const s = assertStatusBody(r, 405, 'MethodNotAllowed');
    assert.equal(s.message, 'the server does not allow this method on the requested resource');
  });

  test('headers too large are Go\'s 431', async () => {
    const r = await call(`GET /api HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n`);
    assert.equal(r.code, 431);
    assert.equal(r.body, '431 Request Header Fields Too Large');
  });
});

describe('every other refusal is a Status', () => {
  test('unknown URLs, health endpoints and unauthenticated requests', async () => {
    assertStatusBody(await call(`GET /nope HTTP/1.1\r\nHost: x\r\n${auth()}`), 404, 'NotFound');
    assertStatusBody(await call(`GET /apis/nope.example.com HTTP/1.1\r\nHost: x\r\n${auth()}`), 404, 'NotFound');
    // No credentials: system:anonymous (anonymous auth on, as upstream), whom RBAC refuses.
    assertStatusBody(await call('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n'), 403, 'Forbidden');
    assertStatusBody(await call('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n'), 401, 'Unauthorized');
    const healthy = await call('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    assert.equal(healthy.code, 200);
    for (const p of ['/version', '/api', '/apis/apps/v1']) {
      const s = assertStatusBody(await call(`POST ${p} HTTP/1.1\r\nHost: x\r\n${auth()}`), 405, 'MethodNotAllowed');
      assert.equal(s.message, 'the server does not allow this method on the requested resource');
    }
  });

  test('malformed WebSocket upgrades on exec, attach and portforward answer a Status, not ws\'s text/html', async () => {
    const base = `GET /api/v1/namespaces/hr/pods/p/exec?command=ls&stdout=1 HTTP/1.1\r\nHost: x\r\n${auth()}Upgrade: websocket\r\nConnection: Upgrade\r\n`;
    const cases: [string, number, RegExp][] = [
      [base, 400, /Sec-WebSocket-Key/],
      [`${base}Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n`, 400, /Sec-WebSocket-Key/],
      [`${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n`, 400, /Sec-WebSocket-Version/],
      [`${base}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a b, ,\r\n`, 400, /Sec-WebSocket-Protocol/],
      [base.replace('Upgrade: websocket', 'Upgrade: h2c'), 400, /unsupported upgrade protocol/],
      [base.replace('/pods/p/exec', '/pods/../exec'), 400, /Name parameter invalid/],
      [base.replace('/pods/p/exec', '/pods/nope/exec') + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n', 404, /not found/],
      [base.replace('/exec?command=ls&stdout=1', '/attach?stdout=1'), 400, /Sec-WebSocket-Key/],
      [base.replace('/exec?command=ls&stdout=1', '/portforward?ports=80'), 400, /Sec-WebSocket-Key/],
      [base.replace(auth(), ''), 403, /pods "p" is forbidden: User "system:anonymous" cannot get resource "pods\/exec"/],
      // An Upgrade on a path that takes none is ignored, as Go's server ignores it: /nope is a 404.
      [base.replace('/api/v1/namespaces/hr/pods/p/exec', '/nope'), 404, /the server could not find the requested resource/],
      [base.replace('/api/v1/namespaces/hr/pods/p/exec', '/nope').replace(auth(), ''), 403, /forbidden: User "system:anonymous" cannot get path "\/nope"/],
      [base.replace('/pods/p/exec?command=ls&stdout=1', '/configmaps/..'), 400, /Name parameter invalid/],
    ];
    for (const [head, code, message] of cases) {
      const r = await call(head);
      assert.equal(r.code, code, `${head.split('\r\n')[0]}: ${r.statusLine} ${r.body}`);
      assert.match(r.headers['content-type'] ?? '', /^application\/json/, r.body);
      const s = JSON.parse(r.body);
      assert.equal(s.kind, 'Status');
      assert.equal(s.code, code);
      assert.match(s.message, message);
    }
  });

  test('a failing /readyz is upstream\'s plain-text 500, always verbose, the reason withheld', async () => {
    const { buildApp } = await import('../../src/api/app.ts');
    const { createServer } = await import('node:http');
    const app = buildApp({ store: undefined as never, ext: undefined as never, ready: () => false });
    const s = createServer(app);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await fetch(`http://127.0.0.1:${(s.address() as import('node:net').AddressInfo).port}/readyz`);
      assert.equal(r.status, 500);
      assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
      const text = await r.text();
      assert.match(text, /^\[\+\]ping ok\n/);
      assert.match(text, /\n\[-\]informer-sync failed: reason withheld\n/);
      assert.match(text, /\nreadyz check failed\n$/);
      const live = await fetch(`http://127.0.0.1:${(s.address() as import('node:net').AddressInfo).port}/livez`);
      assert.equal(live.status, 200);
      assert.equal(await live.text(), 'ok');
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });

  test('an Upgrade header on an ordinary request is ignored, as Go ignores it', async () => {
    const list = await call(`GET /api/v1/namespaces/hr/configmaps HTTP/1.1\r\nHost: x\r\n${auth()}Upgrade: websocket\r\nConnection: Upgrade\r\n`);
    assert.equal(list.code, 200);
    assert.equal(JSON.parse(list.body).kind, 'ConfigMapList');
    const health = await call('GET /healthz HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n');
    assert.equal(health.code, 200);
    assert.equal(health.body, 'ok');
  });

  test('a malformed escape in an upgrade target is Go\'s plain 400', async () => {
    const r = await call(`GET /api/v1/namespaces/hr/pods/%zz/exec?command=ls HTTP/1.1\r\nHost: x\r\n${auth()}Upgrade: websocket\r\nConnection: Upgrade\r\n`);
    assert.equal(r.code, 400);
    assert.equal(r.body, '400 Bad Request');
  });
});

describe('failures that are not a StatusError', () => {
  test('answer a generic 500 Status with no message, stack or input echo; logged once and counted', async () => {
    const store = server.store;
    const original = store.list.bind(store);
    const marker = 'SECRET-INPUT-' + 'z'.repeat(50);
    (store as any).list = async () => { throw new TypeError(`cannot read ${marker} of undefined`); };
    const before = logs.length;
    try {
      const r = await call(`GET /api/v1/namespaces/hr/configmaps?labelSelector=${marker} HTTP/1.1\r\nHost: x\r\n${auth()}`);
      const s = assertStatusBody(r, 500, 'InternalError');
      assert.equal(s.message, INTERNAL_ERROR_MESSAGE);
      assert.ok(!r.body.includes(marker), 'no input echo');
      assert.ok(!/\bat \S+ \(|\.ts:\d+/.test(r.body), 'no stack');
      assert.ok(!r.body.includes('TypeError'), 'no error class');
    } finally {
      (store as any).list = original;
    }
    const logged = logs.slice(before).filter((l) => l.includes('internal error'));
    assert.equal(logged.length, 1, 'logged exactly once');
    assert.match(logged[0], /TypeError: cannot read SECRET-INPUT/);
    assert.match(logged[0], /\n\s+at /, 'with its stack');
    const metrics = await call(`GET /metrics HTTP/1.1\r\nHost: x\r\n${auth()}`);
    assert.match(metrics.body, /^skiff_internal_errors_total 1$/m);
    assert.match(metrics.body, /apiserver_request_total\{[^}]*resource="configmaps"[^}]*code="500"\} 1/);
  });
});

describe('metric labels stay bounded whatever the path', () => {
  test('hostile groups, versions and methods never become label values', async () => {
    for (let i = 0; i < 20; i++) {
      await call(`GET /apis/hostile-${i}.example.com HTTP/1.1\r\nHost: x\r\n${auth()}`);
      await call(`GET /apis/apps/v${i}x HTTP/1.1\r\nHost: x\r\n${auth()}`);
      await call(`PROPFIND /hostile-${i} HTTP/1.1\r\nHost: x\r\n${auth()}`);
    }
    const metrics = await call(`GET /metrics HTTP/1.1\r\nHost: x\r\n${auth()}`);
    assert.doesNotMatch(metrics.body, /hostile-|v\d+x|PROPFIND/);
    assert.match(metrics.body, /apiserver_request_total\{verb="other"[^}]*code="404"\}/);
  });
});
