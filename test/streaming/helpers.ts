// A Store on a FakeClock plus a tiny HTTP server that routes pods/log and pods/exec to the
// streaming handlers the way the API layer will (errors become metav1.Status bodies).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { strategyServices } from '../../src/wiring.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { findResource } from '../../src/registry/resources.ts';
import { toStatus } from '../../src/errors.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import type { Extensions, SubresourceHandler } from '../../src/api/extensions.ts';
import { logHandler } from '../../src/streaming/logs.ts';
import { execHandler, attachHandler, handleUpgrade } from '../../src/streaming/exec.ts';

export const START = Date.UTC(2026, 0, 1, 12, 0, 0);
export const pods = () => findResource('', 'v1', 'pods')!;

export interface Env { clock: FakeClock; store: Store; url: string; server: Server; stop(): Promise<void> }

export async function startEnv(): Promise<Env> {
  const clock = new FakeClock(START);
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  store.services = await strategyServices(store);
  await bootstrap(store, 6443);
  const handlers: Record<string, SubresourceHandler> = { log: logHandler, exec: execHandler, attach: attachHandler };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const h = m && handlers[m[3]];
    if (!m || !h) { res.statusCode = 404; res.end(); return; }
    const verb = req.method === 'GET' ? 'get' : req.method === 'POST' ? 'create' : req.method!.toLowerCase();
    h({ req, res, info: { verb, resource: pods(), namespace: m[1], name: m[2], subresource: m[3] }, query: url.searchParams, store, ext: {} as Extensions })
      .catch((e) => {
        const st = toStatus(e);
        if (res.headersSent) { res.destroy(); return; }
        res.statusCode = st.code;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(st));
      });
  });
  server.on('upgrade', (req, socket, head) => {
    void handleUpgrade(req, socket, head, (ns, name) => store.get(pods(), ns, name), clock);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    clock, store, url, server,
    stop: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Create a pod, bind it to a node and give it a status (as the simulated kubelet would). */
export async function makePod(store: Store, name: string, opts: {
  containers?: { name: string; image?: string; env?: { name: string; value: string }[] }[];
  annotations?: Record<string, string>;
  /** Per container: running since `startedAt`, waiting with a reason, or terminated. */
  states?: Record<string, any>;
  restartCount?: number;
  lastState?: Record<string, any>;
  nodeName?: string | null;
} = {}): Promise<KObject> {
  const containers = opts.containers ?? [{ name: 'main', image: 'nginx:1.27' }];
  const created = await store.create(pods(), 'default', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: opts.annotations },
    spec: { containers, ...(opts.nodeName === null ? {} : { nodeName: opts.nodeName ?? 'node-1' }) },
  } as KObject);
  if (opts.nodeName === null) return created;
  const status = {
    phase: 'Running',
    containerStatuses: containers.map((c) => ({
      name: c.name, image: c.image, imageID: '', ready: true, restartCount: opts.restartCount ?? 0,
      containerID: `containerd://${c.name}-${opts.restartCount ?? 0}`,
      state: opts.states?.[c.name] ?? { running: { startedAt: iso(START) } },
      lastState: opts.lastState?.[c.name] ?? {},
    })),
  };
  const { obj } = await store.update(pods(), 'default', name, { ...created, status } as KObject, { subresource: 'status' });
  return obj;
}

export { iso };
