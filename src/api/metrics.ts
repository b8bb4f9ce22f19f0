// GET /metrics: Prometheus metrics under upstream kube-apiserver's names (a useful subset):
//   apiserver_request_total{verb,group,version,resource,subresource,scope,component,code}
//   apiserver_request_duration_seconds (histogram; long-running requests excluded, as upstream)
//   apiserver_current_inflight_requests{request_kind}, apiserver_longrunning_requests{verb,...}
//   apiserver_storage_objects{resource}, apiserver_storage_size_bytes, and the process_*/nodejs_*
//   defaults of prom-client.
//   skiff_event_loop_delay_seconds (histogram): how late a 10 ms real-time timer fires, i.e. how long
//   the event loop was busy before it could serve I/O again. prom-client's nodejs_eventloop_lag_*
//   gauges come from perf_hooks.monitorEventLoopDelay, which on Node 24 under-reports one long block
//   (a 150 ms block reads as ~30 ms), so starvation is measured here directly.
// prom-client costs ~40 ms to import, which start-up cannot afford: it is loaded after the server is
// ready, and the few requests answered before that are kept and replayed into it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stopwatch } from '../clock.ts';
import { errors } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { RESOURCES, storagePrefix } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { RequestInfo } from './request-info.ts';
import { servedGroupVersions } from './served-groups.ts';
import type { FlowControlConfig } from '../flowcontrol/config.ts';
import { onPaths } from './route-paths.ts';

type Labels = { verb: string; group: string; version: string; resource: string; subresource: string; scope: string; component: string };
interface Observation { labels: Labels; code: number; seconds?: number }
interface RequestState { req: IncomingMessage; longRunning: boolean; info?: RequestInfo; open?: Labels }
/** A request's timing state, kept on its response (cheaper to set and to collect than a WeakMap entry per request). */
const REQUEST_STATE = Symbol('requestMetrics');
type WithRequestState = ServerResponse & { [REQUEST_STATE]?: RequestState };
/**
 * One label set's requests, counted here rather than in prom-client (which hashes a label object on
 * every count, more than the counting costs on a busy server) and handed to it when scraped. The
 * label values are bounded (labelsFor), so is the number of series.
 */
export interface Series {
  labels: Labels;
  /** Requests by response code (apiserver_request_total). */
  codes: Map<number, number>;
  /** Durations (apiserver_request_duration_seconds): per bucket (not cumulative; above the last: none), sum, count. */
  buckets: number[];
  sum: number;
  count: number;
}
type Prom = typeof import('prom-client');

export const BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const MAX_PENDING = 10_000;
const LOOP_SAMPLE_MS = 10;
const LOOP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Sample event-loop delay: a timer due every LOOP_SAMPLE_MS of real time (not simulated time: the
 * point is how the process shares its thread) records how late it ran. Unref'd: it never keeps the
 * process alive.
 */
function watchEventLoop(h: import('prom-client').Histogram): void {
  let due = performance.now() + LOOP_SAMPLE_MS;
  const tick = () => {
    const now = performance.now();
    h.observe(Math.max(0, now - due) / 1000);
    due = now + LOOP_SAMPLE_MS;
    setTimeout(tick, LOOP_SAMPLE_MS).unref();
  };
  setTimeout(tick, LOOP_SAMPLE_MS).unref();
}

/** Upstream's verb label: the HTTP-ish verb, LIST/WATCH for collections, APPLY for server-side apply. */
function verbLabel(req: IncomingMessage, info: RequestInfo | undefined): string {
  if (!info || info.kind !== 'resource') return (req.method ?? 'GET').toUpperCase();
  switch (info.verb) {
    case 'create': return 'POST';
    case 'update': return 'PUT';
    case 'patch': return (req.headers['content-type'] ?? '').startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
    case 'get': case 'list': case 'watch': case 'delete': case 'deletecollection':
      return info.subresource && ['exec', 'attach', 'portforward', 'proxy'].includes(info.subresource) ? 'CONNECT' : info.verb.toUpperCase();
    default: return info.verb.toUpperCase();
  }
}

/** upstream's validRequestMethods (endpoints/metrics): any other verb is counted as "other". */
const VALID_VERBS = new Set(['APPLY', 'CONNECT', 'CREATE', 'DELETE', 'DELETECOLLECTION', 'GET', 'LIST', 'PATCH', 'POST', 'PROXY', 'PUT', 'UPDATE', 'WATCH', 'WATCHLIST']);

/**
 * Label values are bounded whatever a client sends (upstream's cleanVerb and its served-group
 * checks): verbs outside the known set are "other", and a group or version the server does not
 * serve is never a label value, so hostile paths cannot grow the metric series.
 */
function labelsFor(req: IncomingMessage, info: RequestInfo | undefined): Labels {
  const r = info?.kind === 'resource' ? info : undefined;
  const served = info?.kind === 'discovery' ? servedGroupVersions().find((g) => g.group === info.group) : undefined;
  const gv = served && info?.kind === 'discovery' ? info : undefined;
  const verb = verbLabel(req, info);
  return {
    verb: VALID_VERBS.has(verb) ? verb : 'other',
    group: r?.resource.group ?? gv?.group ?? '',
    version: r?.resource.version ?? (gv && served!.versions.includes(gv.version) ? gv.version : ''),
    resource: r?.resource.resource ?? '',
    subresource: r?.subresource ?? '',
    scope: !r ? '' : r.name !== undefined ? 'resource' : r.namespace !== undefined ? 'namespace' : 'cluster',
    component: 'apiserver',
  };
}

/** The `resource` label of apiserver_storage_objects: `pods`, `deployments.apps`. */
function storageResourceName(r: ResourceInfo): string { return r.group ? `${r.resource}.${r.group}` : r.resource; }

export class ApiMetrics {
  private prom?: { registry: import('prom-client').Registry; longRunning: import('prom-client').Gauge };
  private pending: Observation[] = [];
  private readonly series = new Map<string, Series>();
  private loading?: Promise<void>;

  /** Handler failures that were not a StatusError (skiff_internal_errors_total). */
  private internalErrors = 0;
  private readonly store: Store;
  private readonly inFlight: () => { readOnly: number; mutating: number };
  private readonly flowControl?: FlowControlConfig;
  constructor(store: Store, inFlight: () => { readOnly: number; mutating: number }, flowControl?: FlowControlConfig) {
    this.store = store;
    this.inFlight = inFlight;
    this.flowControl = flowControl;
  }

  /** Load prom-client and build the registry (idempotent). */
  load(): Promise<void> {
    this.loading ??= import('prom-client').then((prom) => { this.build(prom); });
    return this.loading;
  }

  /**
   * Start timing a request. The caller calls the returned function when the response finishes or
   * the connection closes (the first call records the request; later ones do nothing).
   */
  begin(req: IncomingMessage, res: ServerResponse, longRunning: boolean): () => void {
    const elapsed = stopwatch();
    const state: RequestState = { req, longRunning };
    (res as WithRequestState)[REQUEST_STATE] = state;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (state.open) this.prom?.longRunning.dec(state.open);
      this.record({ labels: labelsFor(req, state.info), code: res.statusCode, seconds: longRunning ? undefined : elapsed() / 1000 });
    };
  }

  /** Count one handler failure that was not a StatusError (answered with a generic 500). */
  internalError(): void { this.internalErrors++; }

  /** Called by the request pipeline once it knows what a request addresses. */
  describe(res: ServerResponse, info: RequestInfo): void {
    const state = (res as WithRequestState)[REQUEST_STATE];
    if (!state) return;
    state.info = info;
    if (state.longRunning && this.prom) {
      state.open = labelsFor(state.req, info);
      this.prom.longRunning.inc(state.open);
    }
  }

  private record(o: Observation): void {
    if (!this.prom) {
      if (this.pending.length < MAX_PENDING) this.pending.push(o);
      return;
    }
    const l = o.labels;
    const key = `${l.verb} ${l.group} ${l.version} ${l.resource} ${l.subresource} ${l.scope} ${l.component}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, s = { labels: l, codes: new Map(), buckets: new Array(BUCKETS.length).fill(0), sum: 0, count: 0 });
    s.codes.set(o.code, (s.codes.get(o.code) ?? 0) + 1);
    if (o.seconds === undefined) return;
    let i = 0;
    while (i < BUCKETS.length && o.seconds > BUCKETS[i]) i++;
    if (i < BUCKETS.length) s.buckets[i]++;
    s.sum += o.seconds;
    s.count++;
  }

  private build(prom: Prom): void {
    const registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: registry });
    const names = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
    const series = this.series;
    new prom.Counter({
      name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.', labelNames: [...names, 'code'], registers: [registry],
      collect() { this.reset(); for (const s of series.values()) for (const [code, n] of s.codes) this.inc({ ...s.labels, code: String(code) }, n); },
    });
    registry.registerMetric(durationHistogram(series) as unknown as import('prom-client').Metric);
    const longRunning = new prom.Gauge({ name: 'apiserver_longrunning_requests', help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.', labelNames: [...names], registers: [registry] });
    const inFlight = this.inFlight;
    new prom.Gauge({
      name: 'apiserver_current_inflight_requests', help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.', labelNames: ['request_kind'], registers: [registry],
      collect() { const n = inFlight(); this.set({ request_kind: 'readOnly' }, n.readOnly); this.set({ request_kind: 'mutating' }, n.mutating); },
    });
    const self = this;
    new prom.Counter({
      name: 'skiff_internal_errors_total', help: 'Requests that failed with an error that was not a Kubernetes Status (answered 500 with a generic message; the error and its stack are in the server log).', registers: [registry],
      collect() { this.reset(); this.inc(self.internalErrors); },
    });
    const store = this.store;
    const stored = RESOURCES.filter((r, i, all) => all.findIndex((o) => storagePrefix(o) === storagePrefix(r)) === i);
    new prom.Gauge({
      name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind.', labelNames: ['resource'], registers: [registry],
      async collect() {
        const counts: [string, number][] = [];
        for (const r of stored) counts.push([storageResourceName(r), await store.backend.count(storagePrefix(r))]);
        // Custom resources of this server's CRDs, once per CRD (all its versions share one prefix).
        const seen = new Set<string>();
        for (const r of store.resources.customResources()) {
          if (seen.has(r.custom!.def.crdName)) continue;
          seen.add(r.custom!.def.crdName);
          counts.push([r.custom!.def.crdName, await store.backend.count(storagePrefix(r))]);
        }
        // Reset first, so a deleted CRD's series goes away.
        this.reset();
        for (const [resource, n] of counts) this.set({ resource }, n);
      },
    });
    new prom.Gauge({
      name: 'apiserver_storage_size_bytes', help: 'Size of the storage database file physically allocated in bytes.', labelNames: ['storage_cluster_id'], registers: [registry],
      collect() {
        const stats = (store.backend as { fileStats?: () => { pageCount: number; pageSize: number } }).fileStats?.();
        if (stats) this.set({ storage_cluster_id: 'skiff' }, stats.pageCount * stats.pageSize);
      },
    });
    if (this.flowControl) flowControlMetrics(prom, registry, this.flowControl);
    watchEventLoop(new prom.Histogram({
      name: 'skiff_event_loop_delay_seconds', buckets: LOOP_BUCKETS, registers: [registry],
      help: `How late a timer due every ${LOOP_SAMPLE_MS} ms ran: the time the event loop was busy before it could serve I/O.`,
    }));
    this.prom = { registry, longRunning };
    for (const o of this.pending) this.record(o);
    this.pending = [];
  }

  /** The /metrics route (authenticated like every non-public path). */
  readonly route = onPaths(['/metrics'], async (req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>): Promise<boolean> => {
    if (url.pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotSupported({ group: '', resource: '' }, req.method ?? '');
    await this.load();
    const body = await this.prom!.registry.metrics();
    res.statusCode = 200;
    res.setHeader('Content-Type', this.prom!.registry.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  });
}

/**
 * apiserver_request_duration_seconds from the counts kept per series (see Series), as a metric of
 * prom-client's registry: the same exposition as a prom-client Histogram (`le` first, cumulative
 * buckets, then +Inf, _sum and _count).
 */
export function durationHistogram(series: Map<string, Series>) {
  const name = 'apiserver_request_duration_seconds';
  const help = 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.';
  const values = () => {
    const out: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const s of series.values()) {
      if (s.count === 0) continue; // long-running requests only: no observation, no series (as prom-client)
      let acc = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        acc += s.buckets[i];
        out.push({ labels: { le: BUCKETS[i], ...s.labels }, value: acc, metricName: `${name}_bucket` });
      }
      out.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${name}_bucket` });
      out.push({ labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` });
      out.push({ labels: { ...s.labels }, value: s.count, metricName: `${name}_count` });
    }
    return out;
  };
  return {
    name, help, type: 'histogram', aggregator: 'sum',
    get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: values() }),
    reset: () => { for (const s of series.values()) { s.buckets.fill(0); s.sum = 0; s.count = 0; } },
  };
}

/** API Priority and Fairness gauges, per priority level, under upstream's names. */
function flowControlMetrics(prom: Prom, registry: import('prom-client').Registry, fc: FlowControlConfig): void {
  const perLevel = (name: string, help: string, value: (l: import('../flowcontrol/config.ts').Level) => number) => new prom.Gauge({
    name, help, labelNames: ['priority_level'], registers: [registry],
    collect() { this.reset(); for (const l of fc.levels.values()) this.set({ priority_level: l.name }, value(l)); },
  });
  perLevel('apiserver_flowcontrol_nominal_limit_seats', 'Nominal number of execution seats configured for each priority level', (l) => fc.nominalLimit(l));
  perLevel('apiserver_flowcontrol_current_executing_requests', 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem', (l) => l.queues?.executing ?? 0);
  perLevel('apiserver_flowcontrol_current_inqueue_requests', 'Number of requests currently pending in queues of the API Priority and Fairness subsystem', (l) => l.queues?.waiting ?? 0);
  new prom.Counter({
    name: 'apiserver_flowcontrol_rejected_requests_total', help: 'Number of requests rejected by API Priority and Fairness subsystem', labelNames: ['priority_level', 'reason'], registers: [registry],
    collect() { this.reset(); for (const l of fc.levels.values()) for (const [reason, n] of l.rejected) this.inc({ priority_level: l.name, reason }, n); },
  });
}
