// buildApp: the request pipeline, separate from listening so tests can drive it without a port.
//   request → authn → route (health, version, discovery, openapi, resources) → handler → Status on error
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, StatusError, toStatus } from '../errors.ts';
import { KUBE_VERSION } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import { aggregatedDiscovery, AGGREGATED_DISCOVERY_TYPE, apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './discovery.ts';
import { handleResource } from './handlers.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Extensions } from './extensions.ts';
import { negotiate, parseAccept } from './negotiate.ts';
import { checkRoute, classifyRequest, methodNotAllowed, notFoundPath, parseRequestTarget } from './request-info.ts';
import type { RequestUrl } from './request-info.ts';
import { isVirtualResource } from './served-groups.ts';
import { send, sendStatus } from './respond.ts';
import { goBadRequest, refusedLikeGo } from './go-http.ts';
import { protobufFor } from './protobuf-loader.ts';
import { isStorageError } from '../storage/types.ts';
import { asUser } from '../util/request-scope.ts';
import type { User } from '../auth/user.ts';
import type { Authorizer } from '../auth/rbac/index.ts';
import { secureRequest } from '../auth/request-auth.ts';
import { mayAnswer } from './route-paths.ts';

export interface Authenticator {
  /** The user for this request, or undefined if unauthenticated. Throws (rejects with) 401 for bad credentials. */
  authenticate(req: IncomingMessage): User | undefined | Promise<User | undefined>;
}

export interface AppDeps {
  store: Store;
  ext: Extensions;
  auth?: Authenticator;
  /** Who may do what (--authorization-mode); absent: every authenticated request is allowed. */
  authz?: Authorizer;
  /** Requests without credentials are system:anonymous (--anonymous-auth, default true) rather than 401. */
  anonymous?: boolean;
  /** Extra non-resource routes (openapi, admin endpoints): path → handler. Return false if not handled. */
  routes?: ((req: IncomingMessage, res: ServerResponse, url: RequestUrl) => Promise<boolean> | boolean)[];
  /** Routes answered before authentication (the web view's static files): they must serve no cluster data. */
  publicRoutes?: ((req: IncomingMessage, res: ServerResponse, url: RequestUrl) => Promise<boolean> | boolean)[];
  serverAddress?: string;
  ready?: () => boolean;
  log?: (msg: string) => void;
  /** Concurrent non-long-running requests before 429 (upstream's defaults: 400 read-only, 200 mutating). */
  maxRequestsInFlight?: number;
  maxMutatingRequestsInFlight?: number;
  /**
   * API Priority and Fairness (src/flowcontrol): when set, it classifies and admits each request after
   * authentication, replacing the in-flight limits above. Returns false when it answered the request.
   */
  flowControl?: { admit(req: IncomingMessage, res: ServerResponse, user: User | undefined, path: string, query: URLSearchParams, longRunning: boolean): boolean | Promise<boolean> };
  /** Request metrics for /metrics; given the in-flight counters when the app is built. */
  metrics?: (inFlight: () => { readOnly: number; mutating: number }) => ApiMetrics;
}

const PUBLIC = new Set(['/version', '/healthz', '/livez', '/readyz']);

export function versionInfo() {
  return {
    major: KUBE_VERSION.major, minor: KUBE_VERSION.minor, gitVersion: KUBE_VERSION.gitVersion,
    gitCommit: 'skiff', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.8', compiler: 'gc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/** Requests that stay open by design and are not counted against the in-flight limits. */
function isLongRunning(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return /[?&]watch=(true|1)(&|$)/.test(url) || /[?&]follow=(true|1)(&|$)/.test(url)
    || /\/(exec|attach|portforward|proxy)(\/|\?|$)/.test(url);
}

export function buildApp(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const ready = deps.ready ?? (() => true);
  // Overload protection as upstream's max-in-flight filter: beyond the limits a request gets 429
  // with Retry-After instead of queueing without bound.
  const limits = { readOnly: deps.maxRequestsInFlight ?? 400, mutating: deps.maxMutatingRequestsInFlight ?? 200 };
  const inFlight = { readOnly: 0, mutating: 0 };
  const metrics = deps.metrics?.(() => inFlight);
  return (req, res) => {
    const longRunning = isLongRunning(req);
    // One pair of listeners ends the request's bookkeeping (its in-flight seat, its metrics) on
    // whichever of 'finish' and 'close' comes first.
    const recorded = metrics?.begin(req, res, longRunning);
    if (!longRunning) {
      const kind = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' ? 'readOnly' : 'mutating';
      if (!deps.flowControl && inFlight[kind] >= limits[kind] && !PUBLIC.has((req.url ?? '').split('?')[0])) {
        if (recorded) { res.once('finish', recorded); res.once('close', recorded); }
        req.resume();
        sendStatus(res, errors.tooManyRequests('Too many requests, please try again later.', 1).status);
        return;
      }
      inFlight[kind]++;
      let done = false;
      const release = () => { if (!done) { done = true; inFlight[kind]--; } recorded?.(); };
      res.on('finish', release);
      res.on('close', release);
    } else if (recorded) {
      res.once('finish', recorded);
      res.once('close', recorded);
    }
    void handle(deps, req, res, ready, metrics, longRunning).catch((err) => {
      // Storage out of reach wherever the request met it (etcd lost): upstream's timeout, not a panic.
      if (isStorageError(err, 'Unavailable')) err = errors.timeout(`Timeout: request did not complete within requested timeout - ${err.message}`);
      const status = toStatus(err);
      if (!(err instanceof StatusError)) reportInternalError(err, req, deps.log, metrics);
      try {
        if (res.headersSent) { res.end(); return; }
        sendStatus(res, status);
      } catch { /* connection gone */ }
    });
  };
}

/**
 * A failure that is not a StatusError: logged once with its stack (and a bounded excerpt of the
 * request line), counted, and answered by the caller with toStatus's generic 500.
 */
export function reportInternalError(err: unknown, req: IncomingMessage, log?: (msg: string) => void, metrics?: { internalError(): void }): void {
  metrics?.internalError();
  const target = (req.url ?? '').length > 256 ? `${req.url!.slice(0, 256)}...` : req.url;
  log?.(`internal error on ${req.method} ${target}: ${(err as Error)?.stack ?? String(err).slice(0, 1024)}`);
}

async function handle(deps: AppDeps, req: IncomingMessage, res: ServerResponse, ready: () => boolean, metrics?: ApiMetrics, longRunning = false): Promise<void> {
  // The raw target, read as Go reads it: no dot-segment resolution (request-info.ts).
  if (refusedLikeGo(req, res)) return;
  const url = parseRequestTarget(req.url ?? '/');
  if (!url) { req.resume(); goBadRequest(res); return; }
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;

  for (const pub of deps.publicRoutes ?? []) {
    const handled = pub(req, res, url);
    if (handled === true || (handled !== false && await handled)) return;
  }
  // Authentication, impersonation and authorization (auth/request-auth.ts); the health and version
  // paths need no credentials when anonymous requests are off.
  const user = await secureRequest(deps, req, url.pathname, url.searchParams, PUBLIC.has(path));
  if (deps.flowControl) {
    const admitted = deps.flowControl.admit(req, res, user, url.pathname, url.searchParams, longRunning);
    if (admitted !== true && !(await admitted)) return;
  }
  // Code below the HTTP layer (admission) reads who is asking from the request scope.
  if (user) return asUser(user, () => route(deps, req, res, url, path, ready, metrics));
  return route(deps, req, res, url, path, ready, metrics);
}

async function route(deps: AppDeps, req: IncomingMessage, res: ServerResponse, url: RequestUrl, path: string, ready: () => boolean, metrics?: ApiMetrics): Promise<void> {
  switch (path) {
    case '/version':
      // A go-restful GET route: other methods are its generic 405.
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
      send(res, 200, versionInfo());
      return;
    case '/healthz': case '/livez': case '/readyz': {
      // As upstream's healthz handler: 200 "ok" (or the checks when verbose); a failure is always
      // verbose, plain text with a 500 (http.Error), the failing check's reason withheld.
      const ok = path !== '/readyz' || ready();
      res.statusCode = ok ? 200 : 500;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (url.searchParams.has('verbose') || !ok) {
        const checks = ['ping', 'log', 'etcd', 'poststarthook/start-apiextensions-controllers', ...(path === '/readyz' ? ['informer-sync', 'shutdown'] : [])];
        const line = (c: string) => (ok || c !== 'informer-sync' ? `[+]${c} ok` : `[-]${c} failed: reason withheld`);
        res.end(checks.map(line).join('\n') + `\n${path.slice(1)} check ${ok ? 'passed\n' : 'failed\n'}`);
      } else res.end('ok');
      return;
    }
  }

  if (metrics && mayAnswer(metrics.route, url.pathname) && await metrics.route(req, res, url)) return;
  const pb = protobufFor(req);
  if (pb) await pb;
  // Classified before the extension routes run, so requests they answer (metrics.k8s.io) are
  // labelled with their verb, group, resource and scope too.
  const info = classifyRequest(req.method ?? 'GET', url.pathname, url.searchParams, deps.store.resources);
  metrics?.describe(res, info);
  checkRoute(req.method ?? 'GET', info);
  for (const route of deps.routes ?? []) {
    if (!mayAnswer(route, url.pathname)) continue;
    // Most routes decline synchronously: only an answer that is a promise is waited for.
    const handled = route(req, res, url);
    if (handled === true || (handled !== false && await handled)) return;
  }

  if (info.kind === 'nonResource') throw notFoundPath();
  // A resource of a group an extension serves that no route answered (none today): never the store.
  if (info.kind === 'resource' && isVirtualResource(info.resource)) throw notFoundPath();
  if (info.kind === 'discovery') {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
    serveDiscovery(deps, req, res, info);
    return;
  }
  await handleResource(deps, req, res, info, url.searchParams);
}

function serveDiscovery(deps: AppDeps, req: IncomingMessage, res: ServerResponse, info: { level: string; group: string; version: string }): void {
  if (info.level === 'api' || info.level === 'apis') {
    const wantsAggregated = parseAccept(req.headers.accept).some((m) => m.params['as'] === 'APIGroupDiscoveryList' && m.params['g'] === 'apidiscovery.k8s.io' && m.params['v'] === 'v2');
    if (wantsAggregated) {
      send(res, 200, aggregatedDiscovery(info.level === 'api', deps.store.resources), { format: 'json' }, undefined, AGGREGATED_DISCOVERY_TYPE);
      return;
    }
    negotiate(req.headers.accept, [], false);
    send(res, 200, info.level === 'api' ? apiVersions(deps.serverAddress ?? '127.0.0.1:6443') : apiGroupList(deps.store.resources));
    return;
  }
  if (info.level === 'group') {
    const g = apiGroupDoc(info.group, deps.store.resources);
    if (!g) throw notFoundPath();
    send(res, 200, g);
    return;
  }
  send(res, 200, apiResourceList(info.group, info.version, deps.store.resources));
}
