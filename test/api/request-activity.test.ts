// Refused requests count as activity for the memory relief: four per request and one per 4 KiB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
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
