// Wiring: the only place that builds the object graph and listens.
import { serveApiServer } from './netsim/registry.ts';
import type { Server } from 'node:http';
import { mkdirSync, accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { RealClock } from './clock.ts';
import type { Clock } from './clock.ts';
import { SqliteBackend } from './storage/sqlite.ts';
import type { EtcdBackendOptions } from './storage/etcd.ts';
import { startElection } from './controllers/leader.ts';
import { flushQuotaAccounts } from './admission/quota/accounts.ts';
import type { Election } from './controllers/leader.ts';
import { hostname } from 'node:os';
import type { Durability, SqliteOptions } from './storage/sqlite.ts';
import { freshImage } from './bootstrap-image.ts';
import type { BootstrapImageStore } from './bootstrap-image.ts';
import type { Backend } from './storage/types.ts';
import { Store } from './registry/store.ts';
import { buildApp } from './api/app.ts';
import { requestActivity } from './api/request-activity.ts';
import { answerClientError, answerExpectationFailed, continueLikeGo } from './api/go-http.ts';
import { upgradeHandler } from './api/upgrades.ts';
import { createApiSecureServer, prepareHttp2 } from './api/http2.ts';
import { ApiMetrics } from './api/metrics.ts';

/**
 * How long after ready `skiff serve` (readyBeforeControllers) corrects the `kubernetes` Service's port
 * and starts the controllers, scheduler and kubelets.
 */
const AFTER_READY_MS = 50;

/**
 * TLS 1.3 suites in the server's order of preference: AES-128-GCM first (what Go clients prefer, and
 * cheaper than AES-256 for large lists), then Node's defaults.
 */
const TLS_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305'].join(':');
import { loadProtobuf } from './api/protobuf-loader.ts';
import { ensureTls } from './auth/certs.ts';
import { loadOrCreateAdminToken, tokenAuthenticator, tokenUsers } from './auth/token.ts';
import { ensureSigningKey } from './auth/signing-key.ts';
import { ServiceAccountTokens } from './auth/sa-tokens.ts';
import { tokenRequestHandler } from './auth/token-request.ts';
import { oidcRoute } from './auth/oidc.ts';
import { reviewHandlers, tokenReviewHandler } from './auth/reviews.ts';
import { createAuthorizer } from './auth/rbac/index.ts';
import type { Authorizer, AuthorizationMode } from './auth/rbac/index.ts';
import { rbacWriteGuard } from './auth/rbac/escalation.ts';
import { reconcileBootstrapPolicy } from './auth/rbac/bootstrap.ts';
import { approvalHandler, stampRequester } from './auth/csr-approval.ts';
import { withClientCertificates } from './auth/x509.ts';
import { statusHandler } from './api/subresources.ts';
import { clusterRoleAggregationController } from './controllers/clusterrole-aggregation.ts';
import { csrSigningController } from './controllers/csr-signing.ts';
import { Informer } from './controllers/runtime.ts';
import type { Controller } from './controllers/runtime.ts';
import { writeKubeconfig, kubeconfigYaml } from './kubeconfig.ts';
import { buildExtensions, strategyServices } from './wiring.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from './registry/kinds-adapter.ts';
import { bootstrap, reconcileApiServerPort } from './bootstrap.ts';
import { setApplyClock, updateManagedFields } from './api/server-side-apply.ts';
import type { Gvk } from './patch/apply/managed.ts';
import { findResource } from './registry/resources.ts';
import { preloadSchemaEngine } from './api/typed.ts';
import { registerAdmissionPlugins } from './admission/plugins.ts';
import { setSimulatedTransport } from './webhook/transport.ts';
import { WebhookClient } from './webhook/client.ts';
import { setConversionWebhookCaller } from './registry/custom/conversion-webhook.ts';
import { Aggregator } from './aggregator/index.ts';
import { FRONT_PROXY_CA_KEY, frontProxyIdentity } from './aggregator/front-proxy.ts';
import { CrdController } from './registry/custom/crd-controller.ts';
import { installCRDs, readCRDs } from './registry/custom/load.ts';
import type { KObject } from './registry/strategy.ts';
import { collectReducingMemory, startMemoryRelief } from './util/memory-relief.ts';
import { clockRoute } from './api/clock-route.ts';
import { uiLink, uiRoute } from './ui/route.ts';
import type { NodePool } from './kubelet/pools.ts';
import type { Stage } from './kubelet/stages.ts';
import type { AdjustableClock } from './api/clock-route.ts';
import type { Controllers } from './controllers/index.ts';
import { createPrivateKey } from 'node:crypto';
import { signingKeyFrom } from './auth/signing-key.ts';
import { restoreSnapshot, takeSnapshot } from './snapshot/cluster.ts';
import type { ClusterSnapshot, SnapshotDeps } from './snapshot/cluster.ts';
import { snapshotRoute } from './snapshot/route.ts';
import { FlowControlConfig } from './flowcontrol/config.ts';
import { FlowControlFilter } from './flowcontrol/filter.ts';
import { phase } from './util/startup-trace.ts';
import { listenOn } from './util/listen.ts';

// An ESM import of node:http reads every export, and its lazy WebSocket/CloseEvent/MessageEvent
// getters load undici (40–150 ms of start-up); the CommonJS module object has no such cost.
const { createServer: createHttpServer } = process.getBuiltinModule('node:http');

export interface ServerOptions {
  port?: number;            // default 6443; 0 = any free port
  address?: string;         // default 127.0.0.1
  dataDir?: string;         // default ./.skiff
  inMemory?: boolean;       // keep the database in memory (nothing but the kubeconfig, and a bootstrapImage when given one, is written unless kubeconfigPath is false)
  kubeconfigPath?: string | false; // default <dataDir>/kubeconfig
  insecureHttp?: boolean;   // plain HTTP
  durability?: Durability;
  /** Check the database file at open even when it was closed cleanly (default: only after an unclean shutdown). */
  checkDb?: boolean;
  timeScale?: number;
  /** Number of simulated nodes (default 1). */
  nodes?: number;
  /** Heterogeneous node pools (--node-config); replaces `nodes`. */
  nodePools?: NodePool[];
  /** The simulated pod lifecycle (--stages FILE); default: stages.default.yaml. */
  stages?: Stage[];
  /** Create the default StorageClass `standard` at start-up (default true). */
  defaultStorageClass?: boolean;
  /** Start controllers (default true). */
  controllers?: boolean;
  /**
   * Ready (and startServer resolved) before the controllers, scheduler and kubelets start and before
   * the FlowSchema status writes, as upstream's readyz does not wait for kube-controller-manager,
   * kube-scheduler or kubelets (`skiff serve`). Default false: the server that startServer hands back
   * has its nodes registered and owes no start-up writes (tests, startCluster's snapshots).
   */
  readyBeforeControllers?: boolean;
  clock?: Clock;
  log?: (msg: string) => void;
  /** One memory-reducing GC when a burst of writes ends (default true; see util/memory-relief.ts). */
  memoryRelief?: boolean;
  /**
   * CustomResourceDefinitions to install at start (envtest's CRDDirectoryPaths): paths of YAML/JSON
   * files or directories, or CRD objects. The server is ready once all of them are Established.
   */
  crds?: (string | KObject)[];
  /** Keep objects in etcd instead of SQLite (--storage etcd); certificates and keys stay in dataDir. */
  etcd?: EtcdBackendOptions;
  /**
   * Run the controllers, scheduler and kubelets only while this server holds the kube-controller-manager
   * and kube-scheduler Leases (default: with etcd, where several servers may share one cluster).
   */
  leaderElect?: boolean;
  /** Lease duration, renew deadline and retry period in ms (default 15 s, 10 s, 2 s as upstream). */
  leaderElection?: { leaseMs: number; renewDeadlineMs: number; retryMs: number };
  /** Serve with this certificate and key (PEM) instead of Skiff's own (envtest's --cert-dir). */
  servingCert?: { certPem: string; keyPem: string; caPem?: string };
  /** Authenticate client certificates signed by this CA (PEM; kube-apiserver's --client-ca-file). */
  clientCaPem?: string;
  /** Sign service-account tokens with this private key (PEM; --service-account-signing-key-file). */
  serviceAccountKeyPem?: string;
  /** --authorization-mode: RBAC (default) or AlwaysAllow. */
  authorizationMode?: AuthorizationMode;
  /** --anonymous-auth: requests without credentials are system:anonymous (default true; off under AlwaysAllow, as upstream). */
  anonymousAuth?: boolean;
  /** --max-requests-inflight and --max-mutating-requests-inflight: their sum is the concurrency API Priority and Fairness shares out (default 400 + 200). */
  maxRequestsInFlight?: number;
  maxMutatingRequestsInFlight?: number;
  /**
   * In memory (without etcd or CRDs to install): start from the image of the state start-up writes
   * when this store has one, and leave one there when it has none (bootstrap-image.ts; `skiff serve`).
   */
  bootstrapImage?: BootstrapImageStore;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  caPem?: string;
  kubeconfig: string;
  kubeconfigPath?: string;
  /** The web view, signed in as the admin: /skiff/ui/#token=… (the fragment never reaches the server). */
  uiUrl: string;
  store: Store;
  backend: Backend;
  /** Every object, the revision counter and the clock, as of now (cheap: shares immutable values). */
  snapshot(): ClusterSnapshot;
  /** Back to a snapshot: objects, revisions and clock; open watches end with 410 Expired. */
  restore(snapshot: ClusterSnapshot): Promise<void>;
  /** The authorizer (--authorization-mode): `authorize(user, attributes)` for admission (ValidatingAdmissionPolicy's `authorizer`). */
  authorizer: Authorizer;
  /** API Priority and Fairness: its configuration and the filter (tests hold requests with `onAdmitted`). */
  flowControl: FlowControlFilter;
  stop(): Promise<void>;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? (() => {});
  const address = opts.address ?? '127.0.0.1';
  const dataDir = resolve(opts.dataDir ?? '.skiff');
  const persistDir = opts.inMemory ? undefined : dataDir;
  if (persistDir) {
    try {
      mkdirSync(persistDir, { recursive: true });
      accessSync(persistDir, constants.W_OK);
    } catch (e) {
      throw new Error(`data directory ${persistDir} is not writable: ${(e as Error).message}`);
    }
  }
  const clock = opts.clock ?? new RealClock(opts.timeScale ?? 1);
  // In memory, with nothing installed before ready but what start-up writes: from its image when there is one.
  const images = !persistDir && !opts.etcd && !opts.crds?.length ? opts.bootstrapImage : undefined;
  // This start's front-proxy identity goes into the image's objects as they are opened (the ConfigMap
  // that publishes its CA then needs no write: ~8 ms of CPU, the first write through the write path).
  const image = images?.read();
  const frontProxy = image ? await frontProxyIdentity(clock) : undefined;
  const sqlite = opts.etcd ? undefined
    : openSqlite({ path: persistDir ? join(persistDir, 'skiff.db') : ':memory:', durability: opts.durability, integrityCheck: opts.checkDb ? 'always' : 'auto', clock }, image, log,
      frontProxy && { [FRONT_PROXY_CA_KEY]: frontProxy.caPem });
  const backend: Backend & { releaseMemory?(): void; healthy?(): boolean } = sqlite?.backend ?? await openEtcd(opts.etcd!);
  phase('storage open');

  // Admin token, kept with the data so kubeconfigs stay valid across restarts.
  const token = loadOrCreateAdminToken(persistDir ? join(persistDir, 'admin.token') : undefined, clock);

  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  store.services = await strategyServices(store, { shared: !!opts.etcd });
  // The authorizer (--authorization-mode) exists before admission: ValidatingAdmissionPolicy's
  // `authorizer` and its paramKind checks ask it.
  const authorizationMode = opts.authorizationMode ?? 'RBAC';
  const authz = createAuthorizer(store, authorizationMode);
  await registerAdmissionPlugins({ store, clock, authorize: async (r) => {
    const out = await authz.authorize(r.user, { verb: r.verb, resourceRequest: r.resourceRequest, path: r.path, apiGroup: r.group, apiVersion: r.version, resource: r.resource, subresource: r.subresource, namespace: r.namespace, name: r.name });
    return { decision: out.decision === 'allow' ? 'allow' : out.decision === 'deny' ? 'deny' : 'noopinion', reason: out.reason };
  } });
  // Webhooks and extension servers that run as emulated pods are reached over the simulated network,
  // loaded on the first such call.
  setSimulatedTransport(async (r) => (await import('./netsim/webhook-transport.ts')).webhookTransport(store)(r));
  // CRD conversion webhooks call out through the same client as admission webhooks.
  const webhookClient = new WebhookClient(store, clock);
  setConversionWebhookCaller((cc, review, timeoutMs) => webhookClient.postJSON(cc, review, { timeoutMs, timeoutParam: false }), () => clock.uuid());
  // APIServices: Local for what Skiff serves, proxied to extension API servers behind a Service.
  const aggregator = new Aggregator(store, clock, webhookClient, log, persistDir, frontProxy);
  setApplyClock(() => clock.now());
  store.managedFields = (old, next, manager, r, subresource) => {
    // Custom resources carry their CRD schema, so ownership follows its list and map types.
    const gvk: Gvk = { group: r.group, version: r.version, kind: r.kind, schema: r.custom?.version.schema, statusSubresource: r.custom ? r.custom.version.status : undefined };
    return updateManagedFields(old, next, manager, 'Update', gvk, subresource);
  };
  phase('wiring');
  const [tls, signingKey] = await Promise.all([
    opts.insecureHttp ? undefined : opts.servingCert ?? ensureTls(persistDir, address, clock),
    opts.serviceAccountKeyPem ? signingKeyFrom(createPrivateKey(opts.serviceAccountKeyPem)) : ensureSigningKey(persistDir),
  ]);
  const caPem = tls?.caPem;
  phase('keys and certificates');
  const saTokens = new ServiceAccountTokens(store, clock, signingKey);
  const ext = buildExtensions(store);
  ext.virtualCreate.set('authentication.k8s.io/TokenReview', tokenReviewHandler(tokenUsers(token, saTokens)));
  ext.subresources.set('/serviceaccounts/token', tokenRequestHandler(saTokens));
  let ready = false;
  let metrics: ApiMetrics | undefined;
  let url = '';
  // Authorization (auth/rbac): the chain for --authorization-mode, escalation checks on RBAC writes,
  // the requester stamped into CertificateSigningRequests, reviews answered by the authorizer.
  const anonymous = opts.anonymousAuth ?? authorizationMode !== 'AlwaysAllow';
  const guard = rbacWriteGuard(authz);
  store.userAdmission = async (r, obj, old, user) => {
    await guard(r, obj, old, user);
    if (!old && r.resource === 'certificatesigningrequests' && r.group === 'certificates.k8s.io') stampRequester(obj, user);
  };
  for (const [k, h] of reviewHandlers(authz)) ext.virtualCreate.set(k, h);
  ext.subresources.set('certificates.k8s.io/certificatesigningrequests/approval', approvalHandler(authz, statusHandler));
  const auth = withClientCertificates(tokenAuthenticator(token, saTokens));
  const snapshots: SnapshotDeps = { backend, clock, afterRestore: async () => { store.services = await strategyServices(store); },
    settled: () => Promise.all([afterReady, flowConfig.statusSettled()]).then(() => {}) };
  // API Priority and Fairness: the server's concurrency shared among priority levels (src/flowcontrol).
  const flowConfig = new FlowControlConfig(store, clock, (opts.maxRequestsInFlight ?? 400) + (opts.maxMutatingRequestsInFlight ?? 200), log);
  const flowControl = new FlowControlFilter(flowConfig);
  const app = buildApp({
    store, ext, auth, authz, anonymous, ready: () => ready && (backend.healthy?.() ?? true), log, flowControl,
    metrics: (inFlight) => (metrics = new ApiMetrics(store, inFlight, flowConfig)),
    publicRoutes: [uiRoute()],
    routes: [...ext.routes, aggregator.route(), oidcRoute(saTokens, () => url), ...('advance' in clock ? [clockRoute(clock as AdjustableClock)] : []), snapshotRoute(snapshots)], serverAddress: `${address}:${opts.port ?? 6443}`,
  });

  // HTTPS: HTTP/2 for clients that negotiate it, HTTP/1.1 (and upgrades) for the rest (api/http2.ts).
  const server: Server = tls
    ? createApiSecureServer({ cert: tls.certPem, key: tls.keyPem, ca: opts.clientCaPem ?? caPem, ciphers: TLS_CIPHERS, honorCipherOrder: true, requireHostHeader: false,
      // Client certificates are asked for and verified against the cluster CA (or envtest's
      // --client-ca-file); a connection without one (or with one that fails) still proceeds, and
      // authentication decides (auth/x509.ts).
      requestCert: true, rejectUnauthorized: false }, app) as unknown as Server
    : createHttpServer({ requireHostHeader: false }, app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0; // watches are long-lived
  // Requests Node cannot parse are answered as Go's net/http answers them (go-http.ts); a missing
  // Host header is refused in the app (api/app.ts) with Go's text rather than Node's empty 400.
  server.on('clientError', answerClientError);
  // An Expect other than 100-continue: Go's 417 with an empty body and Connection: close.
  server.on('checkExpectation', answerExpectationFailed);
  server.on('checkContinue', continueLikeGo(app));
  // Requests with an Upgrade header bypass the request handler (api/upgrades.ts).
  const pods = findResource('', 'v1', 'pods')!;
  server.on('upgrade', upgradeHandler({ app, auth, authz, anonymous, resolvePod: (ns, n) => store.get(pods, ns, n), clock, log, metrics: () => metrics,
    admitConnect: (ns, n, sub, options) => store.admitConnect(pods, ns, n, sub, options) }));
  const activity = requestActivity(server);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  const secureEvent = tls ? 'secureConnection' : 'connection';
  void secureEvent;
  phase('HTTP app');

  await listenOn(server, opts.port ?? 6443, address).catch(async (e: NodeJS.ErrnoException) => {
    // Nothing has started yet but what the wiring made: stop it and close the storage (and its lock).
    authz.stop(); flowConfig.stop();
    await backend.close().catch(() => {});
    throw new Error(e.code === 'EADDRINUSE' ? `port ${opts.port ?? 6443} on ${address} is already in use` : `cannot listen on ${address}:${opts.port ?? 6443}: ${e.message}`);
  });
  const port = (server.address() as AddressInfo).port;
  const host = address.includes(':') ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
  url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  // In-cluster clients (emulated pods dialling the kubernetes Service) reach this server in process.
  serveApiServer(store, (socket) => server.emit('connection', socket));
  phase('listen');

  let controllers: Controllers | undefined;
  let election: Election | undefined;
  let aggregation: Controller | undefined;
  let stopRoles = () => {};
  // With readyBeforeControllers: the start-up work that follows ready (stop and snapshots wait for it).
  let afterReady: Promise<void> = Promise.resolve();
  let stopped = false;
  const crdController = new CrdController(store, clock, log);
  // With readyBeforeControllers: what runs a moment after ready, in order (see AFTER_READY_MS).
  const postReady: (() => Promise<void>)[] = [];
  try {
    // A start from an image (bootstrap-image.ts) holds the state this same build's start-up left, with
    // the same settings: the bootstrap objects, the RBAC policy and the APF configuration exactly as
    // these passes would leave them (they depend on nothing else but the port, corrected below), so
    // it skips them (~7 ms). The APF ensurer still runs every minute.
    const fromImage = !!sqlite?.fromImage;
    if (!fromImage) await bootstrap(store, port, { defaultStorageClass: opts.defaultStorageClass });
    const early = opts.readyBeforeControllers === true;
    // Upstream corrects the `kubernetes` Service's port once it is ready; so does `skiff serve`.
    const reconcilePort = () => reconcileApiServerPort(store, port).catch((e) => log(`kubernetes Service port not corrected: ${(e as Error).message}`));
    // node:http2 and the HTTP/2 server (api/http2.ts): after ready, before a client's first h2 connection.
    if (early && tls) postReady.push(async () => { prepareHttp2(server); });
    if (early) postReady.push(reconcilePort);
    else await reconcilePort();
    phase('bootstrap objects');
    if (!fromImage) await reconcileBootstrapPolicy(store);
    phase('RBAC bootstrap policy');
    // The first in-memory start that leaves an image waits for the FlowSchema statuses too, so that
    // the image holds them and a start from it owes none of those writes (they would run beside its
    // first requests).
    await flowConfig.start({ awaitStatus: !early || (!!images && !!sqlite && !fromImage), ensured: fromImage });
    phase('flow control');
    await authz.start();
    // Aggregated ClusterRoles (admin, edit, view) are part of the policy, so their controller runs
    // even without the others; the first pass completes before the server is ready.
    const roles = authz.rbac?.clusterRoleInformer ?? new Informer(store, findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!);
    if (!authz.rbac) { await roles.start(); stopRoles = () => roles.stop(); }
    aggregation = clusterRoleAggregationController(store, clock, roles, log);
    await aggregation.queue.idle();
    // The built-in CSR signers need the CA's key, which only a server that made its CA holds.
    // (Not with a serving certificate handed in, as envtest's --cert-dir: there is no CA key then.)
    const caKeyPem = tls && 'caKeyPem' in tls ? tls.caKeyPem : undefined;
    if (caKeyPem && tls?.caPem) {
      const csrs = new Informer(store, findResource('certificates.k8s.io', 'v1', 'certificatesigningrequests')!);
      await csrs.start();
      const signing = csrSigningController(store, clock, csrs, { certPem: tls.caPem, keyPem: caKeyPem }, log);
      const prev = stopRoles;
      stopRoles = () => { prev(); signing.stop(); csrs.stop(); };
    }
    phase('authorizer and role aggregation');
    await crdController.start();
    await aggregator.start();
    phase('CRD and APIService controllers');
    if (opts.crds?.length) {
      const objects = [...readCRDs(opts.crds.filter((c): c is string => typeof c === 'string')), ...opts.crds.filter((c): c is KObject => typeof c !== 'string')];
      await crdController.waitEstablished(await installCRDs(store, objects));
    }
    // The controllers, scheduler, kubelets and the simulated network (~450 KB of code) load when they
    // start: for `skiff serve`, after ready.
    const components = async () => {
      const [{ startControllers }, { poolTemplates }] = await Promise.all([import('./controllers/index.ts'), import('./kubelet/nodes.ts')]);
      return startControllers({ store, clock, nodes: opts.nodes ?? 1, nodeTemplates: opts.nodePools ? poolTemplates(opts.nodePools) : undefined, caPem, stages: opts.stages, saTokens, log });
    };
    if (opts.controllers !== false && (opts.leaderElect ?? !!opts.etcd)) {
      election = startElection({
        // Leases are timed in real time, as between separate processes, whatever the simulated clock does.
        store, clock: new RealClock(1), log, leases: ['kube-controller-manager', 'kube-scheduler'], identity: `${hostname()}_${clock.uuid()}`, timing: opts.leaderElection,
        onStartedLeading: async () => { controllers = await components(); },
        onStoppedLeading: async () => { const c = controllers; controllers = undefined; await c?.stop(); },
      });
    } else if (opts.controllers !== false) {
      // As kube-controller-manager and kube-scheduler come up beside a ready kube-apiserver.
      if (early) postReady.push(() => components().then((c) => { controllers = c; }, (e) => log(`controllers did not start: ${(e as Error).message}`)));
      else controllers = await components();
    }
    phase('controllers, scheduler, kubelets');
  } catch (e) {
    // Never leave a half-started server behind: close what was opened, then report.
    stopped = true;
    await controllers?.stop();
    crdController.stop();
    aggregation?.stop(); stopRoles(); authz.stop(); flowConfig.stop();
    await new Promise<void>((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); });
    await backend.close();
    throw new Error(`start-up failed: ${(e as Error).message}`);
  }

  const kcInput = { server: url, caPem, token };
  const kubeconfig = kubeconfigYaml(kcInput);
  const kubeconfigPath = opts.kubeconfigPath === false ? undefined : resolve(opts.kubeconfigPath ?? join(dataDir, 'kubeconfig'));
  if (kubeconfigPath) writeKubeconfig(kubeconfigPath, kcInput);
  ready = true;
  phase('kubeconfig');
  // A moment after ready, so that the first requests (a client that polled /readyz) are not queued
  // behind ~15 ms of start-up work; none of it if the server stops first.
  if (postReady.length) {
    afterReady = new Promise<void>((r) => setTimeout(r, AFTER_READY_MS)).then(async () => {
      for (const work of postReady) if (!stopped) await work();
    });
  }
  // The first in-memory start without an image leaves one: the state start-up wrote, as of ready,
  // before any request (~1 ms, once).
  if (images && sqlite && !sqlite.fromImage) images.write(sqlite.backend.image());
  // Shortly after ready, clear of the first requests (a client polling /readyz must not wait behind a
  // module load): the schema engine every write goes through, the metrics library (not needed to
  // answer /readyz) and the kubelet's default stage table. A request that needs one sooner loads it.
  const warm = setTimeout(() => {
    preloadSchemaEngine().catch((e) => log(`schema engine preload: ${(e as Error).message}`));
    void metrics?.load().catch((e) => log(`metrics unavailable: ${(e as Error).message}`));
    if (controllers) setImmediate(() => {
      import('./kubelet/stages.ts').then((m) => m.defaultStages()).catch((e) => log(`stage table: ${(e as Error).message}`));
      // The container runtime's interpreter (~100-150 ms to load), which the first pod on a simulated
      // node needs: loaded here it does not stall the event loop in the middle of the first pods' start.
      if (opts.nodes !== 0) setImmediate(() => {
        import('./kubelet/containers/shell.ts').then((m) => m.loadJustBash()).catch((e) => log(`container runtime: ${(e as Error).message}`));
      });
    });
  }, 100);
  warm.unref();
  // Protobuf loads half a second after ready, clear of start-up and the first requests; a request
  // naming protobuf before then waits for it (see api/protobuf-loader.ts).
  const preload = clock.setTimeout(() => void loadProtobuf(), 500);
  // After a burst of writes, one memory-reducing GC hands the heap's slack back (util/memory-relief.ts).
  const relief = opts.memoryRelief === false ? undefined : startMemoryRelief({
    // Writes, and request traffic: a burst of refused requests stores nothing but grows memory as much.
    clock, revision: () => backend.currentRevision() + activity(), collect: () => { backend.releaseMemory?.(); collectReducingMemory(); },
    // Its GC pauses the process: it waits (up to 30 s) for a moment no client request is in flight.
    idle: activity.idle,
  });

  return {
    url, port, token, caPem, kubeconfig, kubeconfigPath, uiUrl: uiLink(url, token), store, backend, authorizer: authz, flowControl,
    snapshot: () => takeSnapshot(snapshots),
    restore: (snap) => restoreSnapshot(snapshots, snap),
    async stop() {
      if (stopped) return;
      stopped = true;
      ready = false;
      preload.cancel();
      clearTimeout(warm);
      serveApiServer(store, undefined);
      relief?.stop();
      await afterReady;
      await election?.stop();
      await controllers?.stop();
      crdController.stop();
      aggregator.stop();
      aggregation?.stop(); stopRoles(); authz.stop(); flowConfig.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
      // Quota charges admitted but not yet written to their quotas' status (admission/quota/accounts.ts).
      await flushQuotaAccounts(store).catch((e) => log(`quota usage not written at stop: ${(e as Error).message}`));
      await backend.close();
    },
  };
}

/**
 * The SQLite backend; in memory from `image` when given (bootstrap-image.ts). An image that does not
 * open (damaged, or from an incompatible build) is ignored: the start writes everything, as without one.
 */
function openSqlite(o: SqliteOptions, image: Uint8Array | undefined, log: (m: string) => void, own?: Record<string, string>): { backend: SqliteBackend; fromImage: boolean } {
  if (image) {
    try {
      const fresh = freshImage(o.clock!, own);
      return { backend: new SqliteBackend({ ...o, image: { bytes: image, rewrite: fresh.rewrite, inPlace: fresh.inPlace } }), fromImage: true };
    } catch (e) {
      log(`bootstrap image not used (a new one replaces it): ${(e as Error).message}`);
    }
  }
  return { backend: new SqliteBackend(o), fromImage: false };
}

/** The etcd backend, loaded (with its gRPC client) only when asked for. */
async function openEtcd(o: EtcdBackendOptions) {
  const { EtcdBackend } = await import('./storage/etcd.ts');
  try {
    return await EtcdBackend.open(o);
  } catch (e) {
    throw new Error(`cannot use etcd at ${o.endpoints.join(',')}: ${(e as Error).message.split('\n')[0].replace(/\s*Resolution note:.*$/, '')}`);
  }
}
