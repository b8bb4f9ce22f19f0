// metrics.k8s.io/v1beta1 served in-process, as metrics-server serves it through aggregation:
// get/list of PodMetrics and NodeMetrics computed from the stored pods and nodes (usage.ts).
// Only Running pods bound to simulated nodes have metrics; writes and watch are 405.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rfc3339 } from '../clock.ts';
import { errors } from '../errors.ts';
import { registerGroupVersion } from '../api/served-groups.ts';
import { negotiate } from '../api/negotiate.ts';
import { notFoundPath } from '../api/request-info.ts';
import { send } from '../api/respond.ts';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from '../api/selectors.ts';
import { findResource } from '../registry/resources.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { nodeUsage, podUsage, usageQuantities } from './usage.ts';
import { onPaths } from '../api/route-paths.ts';

const GROUP = 'metrics.k8s.io', VERSION = 'v1beta1', API_VERSION = `${GROUP}/${VERSION}`;
const POD_WINDOW = '10s', NODE_WINDOW = '20s';
const gr = (resource: string) => ({ group: GROUP, resource });

const res = (kind: string, resource: string, namespaced: boolean): ResourceInfo =>
  ({ group: GROUP, version: VERSION, kind, resource, singular: '', namespaced, verbs: ['get', 'list'], subresources: [] });
export const METRICS_RESOURCES = [res('NodeMetrics', 'nodes', false), res('PodMetrics', 'pods', true)];

let registered = false;
export function registerMetricsDiscovery(): void {
  if (registered) return;
  registered = true;
  registerGroupVersion(GROUP, VERSION, METRICS_RESOURCES);
}

function isSimulated(node: KObject | undefined): boolean {
  return !!node && node.metadata?.annotations?.['skiff.dev/simulated'] !== 'false';
}

/** Pods with metrics: Running, on a simulated node that exists. */
function hasMetrics(pod: KObject, nodes: Map<string, KObject>): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp && isSimulated(nodes.get(pod.spec?.nodeName));
}

function podMetrics(pod: KObject, now: number): object {
  return {
    kind: 'PodMetrics', apiVersion: API_VERSION,
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: rfc3339(now), ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}) },
    timestamp: rfc3339(now), window: POD_WINDOW,
    containers: podUsage(pod).map((c) => ({ name: c.name, usage: usageQuantities(c.usage) })),
  };
}

function nodeMetrics(node: KObject, pods: KObject[], now: number): object {
  return {
    kind: 'NodeMetrics', apiVersion: API_VERSION,
    metadata: { name: node.metadata.name, creationTimestamp: rfc3339(now), ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
    timestamp: rfc3339(now), window: NODE_WINDOW,
    usage: usageQuantities(nodeUsage(pods)),
  };
}

async function snapshot(store: Store): Promise<{ nodes: Map<string, KObject>; pods: KObject[] }> {
  const [nodes, pods] = await Promise.all([
    store.list(findResource('', 'v1', 'nodes')!, undefined),
    store.list(findResource('', 'v1', 'pods')!, undefined),
  ]);
  const byName = new Map(nodes.items.map((e) => [e.obj.metadata.name as string, e.obj]));
  return { nodes: byName, pods: pods.items.map((e) => e.obj).filter((p) => hasMetrics(p, byName)) };
}

function selectors(q: URLSearchParams) {
  const labels = parseLabelSelector(q.get('labelSelector') ?? undefined);
  const fields = parseFieldSelector(q.get('fieldSelector') ?? undefined);
  for (const f of fields) if (f.field !== 'metadata.name' && f.field !== 'metadata.namespace') throw errors.badRequest(`field label not supported: ${f.field}`);
  return (o: KObject) => matchLabels(labels, o.metadata?.labels)
    && matchFields(fields, (f) => (f === 'metadata.name' ? o.metadata?.name : f === 'metadata.namespace' ? o.metadata?.namespace ?? '' : undefined));
}

const PATH = /^\/apis\/metrics\.k8s\.io\/v1beta1\/(?:namespaces\/([^/]+)\/)?(pods|nodes)(?:\/([^/]+))?$/;

/** The route for buildApp's `routes`: answers metrics.k8s.io resource paths, leaves the rest. */
export function metricsRoute(store: Store) {
  registerMetricsDiscovery();
  return onPaths(['/apis/metrics.k8s.io/'], async (req: IncomingMessage, resp: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>): Promise<boolean> => {
    const path = url.pathname.replace(/\/+$/, '');
    if (!path.startsWith('/apis/metrics.k8s.io/v1beta1/')) return false;
    const m = PATH.exec(path);
    if (!m) throw notFoundPath();
    const [, ns, resource, rawName] = m;
    if (resource === 'nodes' && ns) throw notFoundPath();
    const name = rawName || undefined; // the path is already decoded (request-info.ts)
    const method = req.method ?? 'GET';
    const watching = /^(true|1)$/.test(url.searchParams.get('watch') ?? '');
    if (method !== 'GET' && method !== 'HEAD') {
      const verb = method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? (name ? 'delete' : 'deletecollection') : method;
      req.resume();
      throw errors.methodNotSupported(gr(resource), verb);
    }
    if (watching) throw errors.methodNotSupported(gr(resource), 'watch');
    const rep = negotiate(req.headers.accept, [], false);
    const now = store.clock.now();
    const { nodes, pods } = await snapshot(store);
    if (resource === 'pods') {
      if (name) {
        const pod = pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name);
        if (!pod) throw errors.notFound(gr('pods'), `${ns}/${name}`);
        send(resp, 200, podMetrics(pod, now), rep);
        return true;
      }
      const match = selectors(url.searchParams);
      const items = pods.filter((p) => (!ns || p.metadata.namespace === ns) && match(p))
        .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))
        .map((p) => podMetrics(p, now));
      send(resp, 200, { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items }, rep);
      return true;
    }
    const onNode = (n: string) => pods.filter((p) => p.spec?.nodeName === n);
    const simulated = [...nodes.values()].filter(isSimulated);
    if (name) {
      const node = simulated.find((n) => n.metadata.name === name);
      if (!node) throw errors.notFound(gr('nodes'), name);
      send(resp, 200, nodeMetrics(node, onNode(name), now), rep);
      return true;
    }
    const match = selectors(url.searchParams);
    const items = simulated.filter(match).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)))
      .map((n) => nodeMetrics(n, onNode(String(n.metadata.name)), now));
    send(resp, 200, { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items }, rep);
    return true;
  });
}
