// pods/log over a WebSocket, as upstream's e2e framework reads it (binary.k8s.io): the log as
// messages, then a normal close; base64.binary.k8s.io sends base64 text; errors stay plain HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { makePod } from './helpers.ts';
import { isLogWebSocket } from '../../src/streaming/logs-ws.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';

// The whole server (its upgrade listener, authentication): the log request goes through the ordinary pipeline.
let env: RunningServer;
before(async () => {
  env = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false });
  await makePod(env.store, 'custom', { annotations: { 'skiff.dev/logs': 'container is alive\n' } });
});
after(async () => { await env.stop(); });

function readWs(path: string, protocols: string[]): Promise<{ protocol: string; messages: (Buffer | string)[]; code: number } | { status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${env.url.replace('http', 'ws')}${path}`, protocols, { headers: { Authorization: `Bearer ${env.token}` } });
    const messages: (Buffer | string)[] = [];
    ws.on('message', (d: Buffer, binary: boolean) => messages.push(binary ? d : d.toString()));
    ws.on('unexpected-response', (_q, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
    });
    ws.on('error', reject);
    ws.on('close', (code) => resolve({ protocol: ws.protocol, messages, code }));
  });
}

test('binary.k8s.io: the log as binary messages, then a normal close', async () => {
  const r = await readWs('/api/v1/namespaces/default/pods/custom/log?container=main', ['binary.k8s.io']);
  assert.ok('messages' in r);
  assert.equal(r.protocol, 'binary.k8s.io');
  assert.equal(r.code, 1000);
  assert.equal(Buffer.concat(r.messages.map((m) => Buffer.from(m))).toString(), 'container is alive\n');
  assert.ok(r.messages.every((m) => Buffer.isBuffer(m)));
});

test('base64.binary.k8s.io: base64 text messages', async () => {
  const r = await readWs('/api/v1/namespaces/default/pods/custom/log', ['base64.binary.k8s.io']);
  assert.ok('messages' in r);
  assert.equal(r.protocol, 'base64.binary.k8s.io');
  assert.equal(r.messages.map((m) => Buffer.from(String(m), 'base64').toString()).join(''), 'container is alive\n');
});

test('a missing pod, a bad parameter and an unknown container answer as plain HTTP with their Status', async () => {
  const missing = await readWs('/api/v1/namespaces/default/pods/nope/log', ['binary.k8s.io']);
  assert.ok('status' in missing);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.reason, 'NotFound');
  const bad = await readWs('/api/v1/namespaces/default/pods/custom/log?tailLines=abc', ['binary.k8s.io']);
  assert.ok('status' in bad);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.kind, 'Status');
  const noContainer = await readWs('/api/v1/namespaces/default/pods/custom/log?container=other', ['binary.k8s.io']);
  assert.ok('status' in noContainer);
  assert.equal(noContainer.status, 400);
});

test('only pods/log with Upgrade: websocket takes this path', () => {
  const req = (upgrade?: string) => ({ headers: upgrade ? { upgrade } : {} }) as any;
  assert.equal(isLogWebSocket('/api/v1/namespaces/a/pods/p/log', req('websocket')), true);
  assert.equal(isLogWebSocket('/api/v1/namespaces/a/pods/p/log', req('SPDY/3.1')), false);
  assert.equal(isLogWebSocket('/api/v1/namespaces/a/pods/p/exec', req('websocket')), false);
  assert.equal(isLogWebSocket('/api/v1/namespaces/a/pods/p/log/extra', req('websocket')), false);
});
