import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOn } from '../../src/util/listen.ts';
import { startServer } from '../../src/server.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const serve = () => createServer((_q, r) => r.end('ok'));
const close = (s: ReturnType<typeof serve>) => new Promise<void>((r) => s.close(() => r()));

test('listenOn: an IPv4 literal listens on that address and a free port; requests are answered', async () => {
  const s = serve();
  await listenOn(s, 0, '127.0.0.1');
  const a = s.address() as AddressInfo;
  assert.equal(a.address, '127.0.0.1');
  assert.ok(a.port > 0);
  assert.equal(await (await fetch(`http://127.0.0.1:${a.port}/`)).text(), 'ok');
  await close(s);
});

test('listenOn: a host name takes the lookup path and still listens', async () => {
  const s = serve();
  await listenOn(s, 0, 'localhost');
  assert.ok((s.address() as AddressInfo).port > 0);
  await close(s);
});

test('listenOn: a port in use rejects with EADDRINUSE, and the server can listen elsewhere afterwards', async () => {
  const first = serve();
  await listenOn(first, 0, '127.0.0.1');
  const port = (first.address() as AddressInfo).port;
  const second = serve();
  await assert.rejects(listenOn(second, port, '127.0.0.1'), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
  assert.equal(second.listening, false);
  await listenOn(second, 0, '127.0.0.1');
  assert.ok(second.listening);
  await Promise.all([close(first), close(second)]);
});

test('listenOn: an address that is no IP and resolves to nothing is reported, not thrown synchronously', async () => {
  const s = serve();
  await assert.rejects(listenOn(s, 0, '300.1.2.3'), (e: NodeJS.ErrnoException) => typeof e.code === 'string');
  assert.equal(s.listening, false);
});

test('startServer on a port another server holds fails with one line naming the port', async () => {
  const holder = serve();
  await listenOn(holder, 0, '127.0.0.1');
  const port = (holder.address() as AddressInfo).port;
  await assert.rejects(startServer({ port, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false }),
    { message: `port ${port} on 127.0.0.1 is already in use` });
  await close(holder);
});

test('startServer that cannot listen closes the data directory it opened: the next start on it succeeds', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-listen-'));
  const holder = serve();
  await listenOn(holder, 0, '127.0.0.1');
  const port = (holder.address() as AddressInfo).port;
  try {
    const opts = { dataDir: dir, insecureHttp: true, kubeconfigPath: false as const, controllers: false };
    await assert.rejects(startServer({ ...opts, port }), { message: `port ${port} on 127.0.0.1 is already in use` });
    // The failed start's SQLite connection (with its exclusive lock) must be gone.
    const s = await startServer({ ...opts, port: 0 });
    await s.stop();
  } finally {
    await close(holder);
    rmSync(dir, { recursive: true, force: true });
  }
});
