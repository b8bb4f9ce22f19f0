// Refused requests count as activity for the memory relief: four per request and one per 4 KiB;
// idle() says whether the server is answering a client right now (the relief waits for that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestActivity } from '../../src/api/request-activity.ts';

test('requests and received bytes add up, on open and on closed connections', async () => {
  const server = createServer((req, res) => { req.resume(); req.on('end', () => { res.statusCode = 400; res.end('no'); }); });
  const activity = requestActivity(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  assert.equal(activity(), 0);
  const body = Buffer.alloc(40 * 1024, 'x');
  for (let i = 0; i < 10; i++) {
    await new Promise<void>((resolve, reject) => {
      const r = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'Content-Length': body.length, Connection: i % 2 ? 'close' : 'keep-alive' }, agent: false }, (res) => { res.resume(); res.on('end', () => resolve()); });
      r.on('error', reject);
      r.end(body);
    });
  }
  // 10 requests (40 units) + 400 KiB of bodies (100 units), whether the connections are still open or closed.
  assert.ok(activity() >= 140, `activity ${activity()}`);
  assert.ok(activity() < 160, `activity ${activity()}`);
  await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
});

test('idle: no request since the last look and none being answered; watches and followed logs do not count', async () => {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => { held.push(res); res.flushHeaders(); });
  const { idle } = requestActivity(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const open = (path: string) => new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => { res.resume(); resolve(); });
    req.on('error', reject);
    req.end();
  });
  try {
    idle();
    assert.equal(idle(), true, 'no request yet');
    await open('/api/v1/namespaces/default/configmaps?watch=true');
    await open('/api/v1/watch/pods');
    await open('/api/v1/namespaces/default/pods/p/log?follow=true');
    assert.equal(idle(), false, 'requests arrived since the last look');
    assert.equal(idle(), true, 'watches and followed logs held open do not make it busy');
    await open('/api/v1/pods');
    idle();
    assert.equal(idle(), false, 'a list being answered');
    const ended = new Promise((r) => held[3].once('finish', r));
    held[3].end('{}');
    await ended;
    assert.equal(idle(), true, 'answered, and nothing new arrived');
  } finally {
    for (const r of held) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
