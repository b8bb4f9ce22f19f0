// The Endpoints controller (upstream pkg/controller/endpoint): for every Service with a selector,
// an Endpoints object of the same name whose subsets list the matching pods' addresses — ready pods
// under `addresses`, the others under `notReadyAddresses` — with the Service's ports resolved per pod
// (a named targetPort is looked up among the pod's container ports). Services without a selector and
// ExternalName Services are left alone (their Endpoints are user-managed). Deleting the Service deletes
// the Endpoints (they carry no ownerReference upstream). Nothing is written when nothing changed.
// Also holds the helpers the EndpointSlice controller shares.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Pod, Service, ServicePort } from '../types/generated.ts';
import { clone } from '../registry/codec.ts';
import { StatusError } from '../errors.ts';
import { keyOf, runController } from './runtime.ts';
import type { Controller, Informer } from './runtime.ts';
import { ignoreNotFound, isPodReady, podCondition, res } from './util.ts';

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** Upstream truncates an Endpoints object to this many addresses (ready ones kept first). */
export const MAX_ENDPOINTS_ADDRESSES = 1000;

export type { ServicePort };
export interface EndpointPort { name?: string; port: number; protocol: string; appProtocol?: string }
interface Address { ip: string; hostname?: string; nodeName?: string; targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string } }
interface Subset { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: EndpointPort[] }

/** The Service's selector, or undefined when it has none (an empty map counts as none, as after a Go round trip). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const s = svc.spec?.selector;
  return s && typeof s === 'object' && Object.keys(s).length ? s : undefined;
}
/** Services the endpoint controllers manage: a selector, and not ExternalName. */
export function managedService(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && !!serviceSelector(svc);
}
export function selectorMatches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const k in sel) if (labels?.[k] !== sel[k]) return false;
  return true;
}
export function isHeadless(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !ip || ip === 'None';
}

/** Upstream's ShouldPodBeInEndpoints: not terminal, has an IP, and (unless includeTerminating) not being deleted. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** The pod's IP of one family ('IPv4' | 'IPv6'), if it has one. */
export function podIPOfFamily(pod: Pod, family: string): string | undefined {
  const ips: string[] = (pod.status?.podIPs ?? []).map((x) => x.ip);
  if (!ips.length && pod.status?.podIP) ips.push(pod.status.podIP);
  const v6 = family === 'IPv6';
  return ips.find((ip) => ip.includes(':') === v6);
}

/** The address family the Endpoints object follows: the Service's primary family. */
export function primaryFamily(svc: Service): string {
  const f = svc.spec?.ipFamilies?.[0];
  if (f === 'IPv4' || f === 'IPv6') return f;
  return String(svc.spec?.clusterIP ?? '').includes(':') ? 'IPv6' : 'IPv4';
}

/**
 * Upstream's FindPort: a numeric targetPort is used as is; a named one is looked up among the pod's
 * container ports (and restartable init containers) by name and protocol. undefined when not found.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  const proto = sp.protocol ?? 'TCP';
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === proto) return p.containerPort;
  }
  return undefined;
}

export function endpointPort(sp: ServicePort, port: number): EndpointPort {
  const out: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
  if (sp.appProtocol) out.appProtocol = sp.appProtocol;
  return out;
}

/** Upstream's ShouldSetHostname: the pod names this Service as its subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/** When a pod last changed in a way that matters to endpoints (upstream's trigger-time source). */
export function podTriggerTime(pod: Pod): number {
  return Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? pod.metadata.creationTimestamp ?? '') || 0;
}

/**
 * Upstream's TriggerTimeTracker: per Service, remembers the trigger times it has seen; the
 * last-change trigger time of a sync is the earliest trigger that is new since the previous sync
 * (0 when nothing new).
 */
export class TriggerTimeTracker {
  private readonly state = new Map<string, { svc: number; pods: Map<string, number> }>();
  compute(key: string, svc: Service, pods: Pod[]): number {
    const prev = this.state.get(key);
    const svcT = Date.parse(svc.metadata.creationTimestamp ?? '') || 0;
    let min = 0;
    const note = (t: number) => { if (t && (!min || t < min)) min = t; };
    if (!prev || prev.svc !== svcT) note(svcT);
    const next = new Map<string, number>();
    for (const p of pods) {
      const t = podTriggerTime(p);
      next.set(p.metadata.name!, t);
      if (prev?.pods.get(p.metadata.name!) !== t) note(t);
    }
    this.state.set(key, { svc: svcT, pods: next });
    return min;
  }
  forget(key: string): void { this.state.delete(key); }
}

/** Index pods and services by namespace so pod events map to the services selecting them. */
export function servicesForPod(services: Informer<Service>): (pod: Pod) => string[] {
  return (pod) => {
    const out: string[] = [];
    for (const s of services.byIndexValue('namespace', pod.metadata.namespace!)) {
      const sel = serviceSelector(s);
      if (sel && selectorMatches(sel, pod.metadata.labels)) out.push(keyOf(s));
    }
    return out;
  };
}

const portKey = (p: EndpointPort) => `${p.name}\u0000${p.port}\u0000${p.protocol}\u0000${p.appProtocol ?? ''}`;
const addrKey = (a: Address) => `${a.ip}\u0000${a.targetRef.uid}`;
const byAddr = (a: Address, b: Address) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.targetRef.uid < b.targetRef.uid ? -1 : a.targetRef.uid > b.targetRef.uid ? 1 : 0);

/** The desired subsets for a Service (upstream's per-pod subsets, then RepackSubsets, then sorted). */
export function desiredSubsets(svc: Service, pods: Pod[]): Subset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const family = primaryFamily(svc);
  const ports: ServicePort[] = svc.spec?.ports ?? [];
  const headless = svc.spec?.clusterIP === 'None';
  // Per address: ready or not, and the set of ports it serves.
  const entries = new Map<string, { addr: Address; ready: boolean; ports: Map<string, EndpointPort> }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ip = podIPOfFamily(pod, family);
    if (!ip) continue;
    const addr: Address = {
      ip, nodeName: pod.spec?.nodeName ?? '',
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
    };
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec?.hostname;
    const resolved: EndpointPort[] = [];
    if (!ports.length) {
      if (!headless) continue; // only a headless Service may have endpoints without ports
    } else {
      for (const sp of ports) {
        const n = findPort(pod, sp);
        if (n !== undefined) resolved.push(endpointPort(sp, n));
      }
      if (!resolved.length) continue;
    }
    const ready = publishNotReady || isPodReady(pod);
    const k = `${ready ? 'r' : 'n'}\u0000${addrKey(addr)}`;
    let e = entries.get(k);
    if (!e) entries.set(k, e = { addr, ready, ports: new Map() });
    for (const p of resolved) e.ports.set(portKey(p), p);
  }
  // Group addresses that serve exactly the same ports.
  const groups = new Map<string, Subset>();
  for (const e of entries.values()) {
    const ps = [...e.ports.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const gk = ps.map(([k]) => k).join('\u0001');
    let g = groups.get(gk);
    if (!g) {
      groups.set(gk, g = {});
      if (ps.length) g.ports = ps.map(([, p]) => p);
    }
    if (e.ready) (g.addresses ??= []).push(e.addr);
    else (g.notReadyAddresses ??= []).push(e.addr);
  }
  const out = [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, s]) => s);
  for (const s of out) { s.addresses?.sort(byAddr); s.notReadyAddresses?.sort(byAddr); }
  return out;
}

/** Keep at most `max` addresses, ready ones first (upstream's truncateEndpoints). true when truncated. */
function truncate(subsets: Subset[], max: number): boolean {
  let total = 0, ready = 0;
  for (const s of subsets) { total += (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0); ready += s.addresses?.length ?? 0; }
  if (total <= max) return false;
  let budgetReady = Math.min(ready, max), budgetNot = max - budgetReady;
  for (const s of subsets) {
    if (s.addresses) { s.addresses = s.addresses.slice(0, budgetReady); budgetReady -= s.addresses.length; if (!s.addresses.length) delete s.addresses; }
    if (s.notReadyAddresses) { s.notReadyAddresses = s.notReadyAddresses.slice(0, budgetNot); budgetNot -= s.notReadyAddresses.length; if (!s.notReadyAddresses.length) delete s.notReadyAddresses; }
  }
  return true;
}

/** Structural equality of JSON-like values (undefined members ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

const emptyToUndef = (m: Record<string, string> | undefined) => (m && Object.keys(m).length ? m : undefined);

export interface EndpointsControllerOptions {
  store: Store; clock: Clock; services: Informer<Service>; pods: Informer<Pod>; endpoints: Informer; log?: (m: string) => void;
}

export function endpointsController(o: EndpointsControllerOptions): Controller {
  const { store, clock, services, pods, endpoints } = o;
  const endpointsR = res('', 'v1', 'endpoints');
  const tracker = new TriggerTimeTracker();

  async function reconcile(key: string): Promise<void> {
    const [ns, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const svc = services.get(key);
    if (!svc) {
      tracker.forget(key);
      // The Service is gone: so are its Endpoints (whoever made them, as upstream).
      if (endpoints.get(key)) await store.delete(endpointsR, ns, name).catch(ignoreNotFound);
      return;
    }
    if (!managedService(svc)) return;
    const sel = serviceSelector(svc)!;
    const matching = pods.byIndexValue('namespace', ns).filter((p) => selectorMatches(sel, p.metadata.labels));
    const subsets = desiredSubsets(svc, matching);
    const trigger = tracker.compute(key, svc, matching);
    const overCapacity = truncate(subsets, MAX_ENDPOINTS_ADDRESSES);

    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    const cur = endpoints.get(key);
    if (cur) {
      const curLabels = { ...(cur.metadata.labels ?? {}) };
      delete curLabels[HEADLESS_LABEL];
      const capOk = (cur.metadata.annotations?.[OVER_CAPACITY] === 'truncated') === overCapacity;
      // Compare ignoring targetRef resourceVersions (upstream ignores them too).
      if (jsonEqual(stripRV(cur.subsets ?? []), subsets) && jsonEqual(emptyToUndef(curLabels), emptyToUndef(labels)) && capOk) return;
    }
    if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
    const apply = (ep: KObject): KObject => {
      ep.metadata.labels = labels;
      const ann: Record<string, string> = { ...(ep.metadata.annotations ?? {}) };
      if (trigger) ann[LAST_CHANGE_TRIGGER_TIME] = rfc3339(trigger); else delete ann[LAST_CHANGE_TRIGGER_TIME];
      if (overCapacity) ann[OVER_CAPACITY] = 'truncated'; else delete ann[OVER_CAPACITY];
      if (Object.keys(ann).length) ep.metadata.annotations = ann; else delete ep.metadata.annotations;
      if (subsets.length) ep.subsets = clone(subsets); else delete ep.subsets;
      return ep;
    };
    try {
      if (!cur) await store.create(endpointsR, ns, apply({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns } }));
      else await store.update(endpointsR, ns, name, apply(clone(cur)));
    } catch (e) {
      // A stale cache (409: exists already or changed): the informer event for the newer object re-queues this key.
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }

  const c = runController({
    name: 'endpoints', clock, log: o.log, workers: 4,
    watch: [{ informer: services }, { informer: pods, toKeys: servicesForPod(services) }],
    reconcile,
  });
  // Endpoints of Services we manage are re-checked when they change (someone edited or deleted them,
  // or our own write arrived). Endpoints of other names are not ours to judge.
  const ours = (ep: KObject) => { const k = keyOf(ep); const s = services.get(k); if (s && managedService(s)) c.queue.add(k); };
  endpoints.on({ add: ours, update: ours, delete: ours });
  return c;
}

function stripRV(subsets: Subset[]): Subset[] {
  const s = clone(subsets) as Subset[];
  for (const x of s) for (const a of [...(x.addresses ?? []), ...(x.notReadyAddresses ?? [])]) delete (a.targetRef as { resourceVersion?: string }).resourceVersion;
  return s;
}
