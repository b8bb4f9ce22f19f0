// Refused requests count as activity for the memory relief: four per request and one per 4 KiB;
// requestIdle says whether the server is answering a client right now (the relief waits for that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestActivity, requestIdle } from '../../src/api/request-activity.ts';

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

test('busy while a request is answered, idle once it ended and quietMs passed; held-open requests do not count', async () => {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => { held.push(res); res.flushHeaders(); });
  let t = 1000;
  const idle = requestIdle(server, { quietMs: 100, longMs: 60_000, now: () => t });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const open = (path: string) => new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => { res.resume(); resolve(); });
    req.on('error', reject);
    req.end();
  });
  try {
    assert.equal(idle(), true, 'no request yet');
    await open('/api/v1/namespaces/default/configmaps?watch=true');
    await open('/api/v1/watch/pods');
    await open('/api/v1/namespaces/default/pods/p/log?follow=true');
    assert.equal(idle(), true, 'watches and followed logs do not make it busy');
    await open('/api/v1/pods');
    assert.equal(idle(), false, 'a list in flight');
    t += 61_000;
    assert.equal(idle(), true, 'a request open longer than longMs counts as held open');
    t -= 61_000;
    const ended = new Promise((r) => held[3].once('close', r));
    held[3].end('{}');
    await ended;
    assert.equal(idle(), false, 'just ended: not quiet yet');
    t += 100;
    assert.equal(idle(), true);
  } finally {
    for (const r of held) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
