// Fills the HTTP layer's extension points (tables, patch, body decoding, subresources, virtual kinds)
// and the strategies' services (IP and port allocators).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from './errors.ts';
import { findResource } from './registry/resources.ts';
import type { Store } from './registry/store.ts';
import type { StrategyServices } from './registry/strategy.ts';
import type { Extensions, SubresourceHandler } from './api/extensions.ts';
import { applyPatch } from './api/apply-patch.ts';
import { decodeWithValidation, openapiRoute } from './api/openapi-routes.ts';
import { customOpenapiRoute } from './api/custom-openapi-route.ts';
import { SUCCESS_201, bindingHandler, bindPod, ephemeralContainersHandler, evictionHandler, finalizeHandler, notYet, scaleHandler, statusHandler } from './api/subresources.ts';
import { reviewHandlers } from './auth/reviews.ts';
import { Allocators } from './registry/allocators.ts';
import { toTable } from './api/tables/index.ts';
import { metricsRoute } from './metrics/api.ts';

export type Route = (req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>) => Promise<boolean> | boolean;

/**
 * A handler whose module is imported on its first request: the streaming subresources (with ws, SPDY
 * and the simulated network) and the proxy are ~70 modules that answering /readyz does not need.
 */
function onFirstUse(load: () => Promise<SubresourceHandler>): SubresourceHandler {
  let handler: Promise<SubresourceHandler> | undefined;
  return async (r) => (await (handler ??= load()))(r);
}

const logHandler = onFirstUse(async () => (await import('./streaming/logs.ts')).logHandler);
const execHandler = onFirstUse(async () => (await import('./streaming/exec.ts')).execHandler);
const attachHandler = onFirstUse(async () => (await import('./streaming/exec.ts')).attachHandler);
const portForwardHandler = onFirstUse(async () => (await import('./streaming/portforward.ts')).portForwardHandler);
const proxyHandler = onFirstUse(async () => (await import('./proxy/handler.ts')).proxyHandler);

export function buildExtensions(store: Store): Extensions & { routes: Route[] } {
  const subresources = new Map<string, SubresourceHandler>([
    ['*/status', statusHandler],
    ['*/scale', scaleHandler],
    ['/pods/binding', bindingHandler],
    ['/pods/eviction', evictionHandler],
    ['/namespaces/finalize', finalizeHandler],
  ]);
  subresources.set('/pods/log', logHandler);
  subresources.set('/pods/exec', execHandler);
  subresources.set('/pods/attach', attachHandler);
  subresources.set('/pods/portforward', portForwardHandler);
  subresources.set('/pods/ephemeralcontainers', ephemeralContainersHandler);
  for (const r of ['pods', 'services', 'nodes']) subresources.set(`/${r}/proxy`, proxyHandler);
  subresources.set('/serviceaccounts/token', notYet); // startServer replaces it: the TokenRequest handler needs the signing key
  subresources.set('certificates.k8s.io/certificatesigningrequests/approval', statusHandler);

  const virtualCreate = reviewHandlers();
  // POST /api/v1/namespaces/{ns}/bindings: the older way to bind a pod.
  virtualCreate.set('/Binding', async (body, ctx) => {
    const name = body.metadata?.name;
    if (!name) throw errors.invalid('', 'Binding', '', [{ type: 'FieldValueRequired', field: 'metadata.name' }]);
    await bindPod(store, ctx.namespace, body, name, false);
    return SUCCESS_201;
  });

  return {
    tableContentType: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    toTable: (r, items, opts) => toTable(r, items, opts, store.clock.now()),
    patchTypes: ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'],
    applyPatch,
    decodeBody: decodeWithValidation,
    subresources,
    virtualCreate,
    routes: [customOpenapiRoute(store.resources), openapiRoute, metricsRoute(store)],
  };
}

/**
 * The cluster IP and node port allocators. With `shared` storage (several servers on one etcd), each
 * server starts allocating at a random place in the ranges and reserves what the other servers allocate
 * as their Services appear (it does not release on their deletions: a late event could otherwise free
 * an address this server has just handed out again). Two Services created at the same instant through
 * two servers can still, rarely, be given the same address: upstream guards allocation with a
 * compare-and-swap in etcd, which Skiff's per-server allocator does not.
 */
export async function strategyServices(store: Store, opts: { shared?: boolean } = {}): Promise<StrategyServices> {
  const alloc = new Allocators({ randomStart: opts.shared ? store.clock.random() : undefined });
  const services = findResource('', 'v1', 'services')!;
  const { items, resourceVersion } = await store.list(services, undefined);
  for (const e of items) alloc.reserveExisting(e.obj);
  if (opts.shared) {
    await store.watch(services, undefined, { resourceVersion }, (events) => {
      for (const ev of events) if (ev.type !== 'DELETED') alloc.reserveExisting(ev.entry.obj);
    });
  }
  return alloc.services();
}
