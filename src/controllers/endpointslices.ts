// The EndpointSlice controller (upstream pkg/controller/endpointslice, discovery.k8s.io/v1): for every
// Service with a selector (not ExternalName), slices per address family named `<svc>-<5 chars>`, labelled
// `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by`, controlled by the Service
// (so the garbage collector removes them with it). Endpoints are grouped by their resolved port set,
// at most MAX_ENDPOINTS_PER_SLICE per slice; existing slices keep their endpoints where possible so a
// pod change touches one slice. A Service with no endpoints keeps one empty placeholder slice.
// Terminating pods stay listed (serving/terminating conditions) as upstream. No-op writes never happen.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { EndpointSlice, Node, Pod, Service } from '../types/generated.ts';
import { StatusError } from '../errors.ts';
import { runController } from './runtime.ts';
import type { Controller, Informer } from './runtime.ts';
import { controllerRef, isPodReady, newControllerRef, res } from './util.ts';
import {
  HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker, endpointPort, findPort, jsonEqual, managedService,
  podIPOfFamily, selectorMatches, serviceSelector, servicesForPod, shouldPodBeInEndpoints, shouldSetHostname,
} from './endpoints.ts';
import type { EndpointPort, ServicePort } from './endpoints.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** Upstream's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
const ZONE_LABEL = 'topology.kubernetes.io/zone';

interface Endpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string; nodeName?: string; zone?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

/** The Service key a managed slice belongs to (namespace/service-name), or none. */
export function sliceServiceKey(s: KObject): string[] {
  const l = s.metadata.labels;
  return l?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && l[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${l[SERVICE_NAME_LABEL]}`] : [];
}

const portsKey = (ports: { name?: string; port?: number; protocol?: string; appProtocol?: string }[]) => ports.map((p) => `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol}\u0000${p.appProtocol ?? ''}`).sort().join('\u0001');
const epKey = (e: Endpoint) => `${e.targetRef.uid}\u0000${e.addresses[0]}`;
const byAddress = (a: Endpoint, b: Endpoint) => (a.addresses[0] < b.addresses[0] ? -1 : a.addresses[0] > b.addresses[0] ? 1 : epKey(a) < epKey(b) ? -1 : 1);
const sortPorts = (ports: EndpointPort[]) => [...ports].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : a.port - b.port));

export interface EndpointSliceControllerOptions {
  store: Store; clock: Clock; services: Informer<Service>; pods: Informer<Pod>; slices: Informer<EndpointSlice>; nodes?: Informer<Node>; log?: (m: string) => void;
}

export function endpointSliceController(o: EndpointSliceControllerOptions): Controller {
  const { store, clock, services, pods, slices, nodes } = o;
  const slicesR = res('discovery.k8s.io', 'v1', 'endpointslices');
  const tracker = new TriggerTimeTracker();
  // Writes this controller made that the informer may not show yet (upstream's endpointSliceTracker):
  // svc key → slice name → resourceVersion written, or 'deleted'.
  const expected = new Map<string, Map<string, string>>();
  const expect = (key: string, name: string, v: string) => { let m = expected.get(key); if (!m) expected.set(key, m = new Map()); m.set(name, v); };
  const cacheIsStale = (key: string): boolean => {
    const m = expected.get(key);
    if (!m) return false;
    for (const [name, v] of m) {
      const cur = slices.get(`${key.slice(0, key.indexOf('/'))}/${name}`);
      const seen = v === 'deleted' ? !cur : !!cur && Number(cur.metadata.resourceVersion) >= Number(v);
      if (seen) m.delete(name);
    }
    if (!m.size) { expected.delete(key); return false; }
    return true;
  };

  const toEndpoint = (pod: Pod, svc: Service, ip: string): Endpoint => {
    const serving = isPodReady(pod);
    const terminating = !!pod.metadata.deletionTimestamp;
    const ep: Endpoint = {
      addresses: [ip],
      // For compatibility, ready is never true for a terminating pod unless publishNotReadyAddresses.
      conditions: { ready: svc.spec?.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
    };
    if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec?.hostname;
    if (pod.spec?.nodeName) {
      ep.nodeName = pod.spec.nodeName;
      const zone = nodes?.get(pod.spec.nodeName)?.metadata.labels?.[ZONE_LABEL];
      if (zone) ep.zone = zone;
    }
    return ep;
  };

  const sliceLabels = (svc: Service): Record<string, string> => {
    const l: Record<string, string> = {};
    for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL) l[k] = v;
    if (svc.spec?.clusterIP === 'None') l[HEADLESS_LABEL] = ''; else delete l[HEADLESS_LABEL];
    l[SERVICE_NAME_LABEL] = svc.metadata.name!;
    l[MANAGED_BY_LABEL] = CONTROLLER_NAME;
    return l;
  };

  async function reconcile(key: string): Promise<void> {
    const ns = key.slice(0, key.indexOf('/'));
    const svc = services.get(key);
    if (!svc) { tracker.forget(key); expected.delete(key); return; } // slices go with the Service (ownerReference, GC)
    if (!managedService(svc)) return;
    if (cacheIsStale(key)) return; // the informer event for our own write re-queues this key
    const sel = serviceSelector(svc)!;
    const matching = pods.byIndexValue('namespace', ns).filter((p) => selectorMatches(sel, p.metadata.labels));
    const trigger = tracker.compute(key, svc, matching);
    const labels = sliceLabels(svc);
    const families: string[] = (svc.spec?.ipFamilies ?? []).filter((f) => f === 'IPv4' || f === 'IPv6');
    if (!families.length) families.push('IPv4');
    const svcPorts: ServicePort[] = svc.spec?.ports ?? [];

    const toCreate: EndpointSlice[] = [];
    const toUpdate: EndpointSlice[] = [];
    const toDelete: EndpointSlice[] = [];
    const existingAll = slices.byIndexValue('service', key);
    for (const s of existingAll) {
      // Slices of a former Service of the same name, or of a family no longer served, go.
      if (controllerRef(s)?.uid !== svc.metadata.uid || !families.includes(s.addressType)) toDelete.push(s);
    }
    const newSlice = (family: string, ports: EndpointPort[], eps: Endpoint[]): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { generateName: `${svc.metadata.name}-`, namespace: ns, labels, ownerReferences: [newControllerRef(svc)] },
      addressType: family, endpoints: eps, ports,
    });

    for (const family of families) {
      // Desired endpoints, grouped by resolved port set.
      const groups = new Map<string, { ports: EndpointPort[]; eps: Map<string, Endpoint> }>();
      for (const pod of matching) {
        if (!shouldPodBeInEndpoints(pod, true)) continue;
        const ip = podIPOfFamily(pod, family);
        if (!ip) continue;
        const ports: EndpointPort[] = [];
        for (const sp of svcPorts) { const n = findPort(pod, sp); if (n !== undefined) ports.push(endpointPort(sp, n)); }
        const gk = portsKey(ports);
        let g = groups.get(gk);
        if (!g) groups.set(gk, g = { ports: sortPorts(ports), eps: new Map() });
        const ep = toEndpoint(pod, svc, ip);
        g.eps.set(epKey(ep), ep);
      }
      const existing = existingAll.filter((s) => !toDelete.includes(s) && s.addressType === family);
      const mine: EndpointSlice[] = [];
      for (const [gk, g] of groups) {
        const forGroup = existing.filter((s) => portsKey(s.ports ?? []) === gk);
        const remaining = g.eps;
        const kept: { slice: EndpointSlice; eps: Endpoint[] }[] = [];
        // 1. Existing slices keep the endpoints they already hold (with fresh values).
        for (const s of forGroup) {
          const eps: Endpoint[] = [];
          for (const e of (s.endpoints ?? []) as Endpoint[]) { // `null` when empty, as Go writes a nil slice
            const k = epKey(e);
            const d = remaining.get(k);
            if (d && eps.length < MAX_ENDPOINTS_PER_SLICE) { eps.push(d); remaining.delete(k); }
          }
          kept.push({ slice: s, eps });
        }
        // 2. The rest fills the fullest slices with room first, then new slices.
        const rest = [...remaining.values()].sort(byAddress);
        for (const k of [...kept].sort((a, b) => b.eps.length - a.eps.length)) {
          while (rest.length && k.eps.length < MAX_ENDPOINTS_PER_SLICE) k.eps.push(rest.shift()!);
        }
        for (const k of kept) {
          if (!k.eps.length) { toDelete.push(k.slice); continue; }
          const next = { ...k.slice, metadata: { ...k.slice.metadata }, endpoints: k.eps.sort(byAddress), ports: g.ports };
          mine.push(next);
          if (!sameSlice(k.slice, next, labels)) toUpdate.push(next);
        }
        while (rest.length) {
          const s = newSlice(family, g.ports, rest.splice(0, MAX_ENDPOINTS_PER_SLICE));
          mine.push(s); toCreate.push(s);
        }
      }
      for (const s of existing) if (!groups.has(portsKey(s.ports ?? []))) toDelete.push(s);
      // 3. No endpoints at all: one empty placeholder slice (an existing one is kept).
      if (!mine.length) {
        const ph = existing.find((s) => !(s.endpoints ?? []).length && !(s.ports ?? []).length);
        if (ph) {
          toDelete.splice(toDelete.indexOf(ph), 1);
          if (!sameSlice(ph, ph, labels)) toUpdate.push({ ...ph, metadata: { ...ph.metadata } });
        } else toCreate.push(newSlice(family, [], []));
      }
    }

    const annotate = (s: KObject) => {
      const ann: Record<string, string> = { ...(s.metadata.annotations ?? {}) };
      if (trigger) ann[LAST_CHANGE_TRIGGER_TIME] = rfc3339(trigger); else delete ann[LAST_CHANGE_TRIGGER_TIME];
      if (Object.keys(ann).length) s.metadata.annotations = ann; else delete s.metadata.annotations;
      s.metadata.labels = labels;
      if (!(s.endpoints ?? []).length) s.endpoints = null;
      if (!(s.ports ?? []).length) s.ports = null;
      return s;
    };
    const conflictOk = (e: unknown) => { if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return; throw e; };
    // Creates first, then updates, then deletes: the Service never has fewer endpoints than it should.
    for (const s of toCreate) {
      const created = await store.create(slicesR, ns, annotate(s));
      expect(key, created.metadata.name!, created.metadata.resourceVersion!);
    }
    for (const s of toUpdate) {
      try {
        const { obj } = await store.update(slicesR, ns, s.metadata.name!, annotate(s));
        expect(key, obj.metadata.name!, obj.metadata.resourceVersion!);
      } catch (e) { conflictOk(e); } // a stale cache: the newer slice's event re-queues us
    }
    for (const s of toDelete) {
      try {
        await store.delete(slicesR, ns, s.metadata.name!, { preconditions: { uid: s.metadata.uid } });
        expect(key, s.metadata.name!, 'deleted');
      } catch (e) { conflictOk(e); }
    }
  }

  return runController({
    name: 'endpointslice', clock, log: o.log, workers: 4,
    watch: [
      { informer: services },
      { informer: pods, toKeys: servicesForPod(services) },
      { informer: slices, toKeys: sliceServiceKey },
    ],
    reconcile,
  });
}

function sameSlice(cur: EndpointSlice, next: EndpointSlice, labels: Record<string, string>): boolean {
  return jsonEqual(cur.metadata.labels ?? {}, labels)
    && jsonEqual(cur.endpoints ?? [], next.endpoints ?? [])
    && jsonEqual(cur.ports ?? [], next.ports ?? []);
}
