// Overload: beyond the in-flight limits requests get 429 TooManyRequests with Retry-After, watches
// are not counted, and the server recovers once the load is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { buildApp } from '../../src/api/app.ts';
import { buildExtensions } from '../../src/wiring.ts';
import { bootstrap } from '../../src/bootstrap.ts';

test('requests beyond the mutating in-flight limit get 429 with Retry-After; watches do not count', async () => {
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  const store = new Store({ backend, clock: new FakeClock(), strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const app = buildApp({ store, ext: buildExtensions(store), maxMutatingRequestsInFlight: 2, maxRequestsInFlight: 2 });
  const server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // Two watches stay open and must not use up the read-only budget.
    const ac = new AbortController();
    const w1 = await fetch(`${base}/api/v1/namespaces/default/configmaps?watch=true`, { signal: ac.signal });
    const w2 = await fetch(`${base}/api/v1/namespaces/default/configmaps?watch=true`, { signal: ac.signal });
    assert.equal(w1.status, 200); assert.equal(w2.status, 200);
    assert.equal((await fetch(`${base}/api/v1/namespaces`)).status, 200);

    // Hold two creates open by sending their bodies slowly; the third is refused.
    const http = await import('node:http');
    let arrived = 0;
    let onArrive = () => {};
    const bothArrived = new Promise<void>((r) => { onArrive = r; });
    server.on('request', (req) => { if (req.method === 'POST' && ++arrived === 2) onArrive(); });
    const open = [0, 1].map((i) => {
      const req = http.request(`${base}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' } });
      req.write(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held-${i}"}`);
      return req;
    });
    await bothArrived; // the app has counted both (it listens before this handler)
    const refused = await fetch(`${base}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"third"}}' });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    const body = await refused.json();
    assert.equal(body.reason, 'TooManyRequests');
    assert.equal(body.kind, 'Status');
    // Finish the held requests; capacity comes back.
    const results = await Promise.all(open.map((req) => new Promise<number>((resolve) => { req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); }); req.end('}'); })));
    assert.deepEqual(results, [201, 201]);
    const again = await fetch(`${base}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"third"}}' });
    assert.equal(again.status, 201);
    // Nothing refused was stored.
    const list = await (await fetch(`${base}/api/v1/namespaces/default/configmaps`)).json();
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(), ['held-0', 'held-1', 'third']);
    ac.abort();
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await backend.close();
  }
});
