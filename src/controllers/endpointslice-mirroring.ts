// The EndpointSlice mirroring controller (upstream pkg/controller/endpointslicemirroring): the
// Endpoints of a Service without a selector (written by hand or by another controller) are
// mirrored into EndpointSlices labelled `kubernetes.io/service-name` and managed by
// `endpointslicemirroring-controller.k8s.io`, owned by the Endpoints (deleted with it). Endpoints
// labelled `endpointslice.kubernetes.io/skip-mirror: "true"`, those of Services with a selector
// (the EndpointSlice controller's own) and those without a Service are not mirrored, and their
// mirrored slices go. One slice per subset and address family, updated in place; no-op writes never happen.
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { EndpointSlice, Service } from '../types/generated.ts';
import { StatusError } from '../errors.ts';
import { runController } from './runtime.ts';
import type { Controller, Informer } from './runtime.ts';
import { newControllerRef, res } from './util.ts';
import { jsonEqual } from './endpoints.ts';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './endpointslices.ts';

export const MIRROR_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** Upstream's --mirroring-max-endpoints-per-subset default. */
const MAX_ENDPOINTS_PER_SUBSET = 1000;

/** The Endpoints key a mirrored slice belongs to. */
export function mirroredSliceKey(s: KObject): string[] {
  const l = s.metadata.labels;
  return l?.[MANAGED_BY_LABEL] === MIRROR_CONTROLLER_NAME && l[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${l[SERVICE_NAME_LABEL]}`] : [];
}

const family = (ip: string) => (ip.includes(':') ? 'IPv6' : 'IPv4');

/** The slices an Endpoints object mirrors to (without metadata): one per subset and address family. */
export function desiredSlices(ep: KObject): { addressType: string; endpoints: any[]; ports: any[] }[] {
  const out: { addressType: string; endpoints: any[]; ports: any[] }[] = [];
  for (const subset of (ep as any).subsets ?? []) {
    const ports = (subset?.ports ?? []).map((p: any) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
    const byFamily = new Map<string, any[]>();
    const add = (a: any, ready: boolean) => {
      if (!a?.ip) return;
      const list = byFamily.get(family(a.ip)) ?? [];
      if (list.length >= MAX_ENDPOINTS_PER_SUBSET) return;
      byFamily.set(family(a.ip), list);
      list.push({
        addresses: [a.ip], conditions: { ready },
        ...(a.hostname ? { hostname: a.hostname } : {}), ...(a.nodeName ? { nodeName: a.nodeName } : {}),
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
      });
    };
    for (const a of subset?.addresses ?? []) add(a, true);
    for (const a of subset?.notReadyAddresses ?? []) add(a, false);
    for (const [addressType, endpoints] of byFamily) out.push({ addressType, endpoints, ports });
  }
  return out;
}

export interface MirroringOptions { store: Store; clock: Clock; services: Informer<Service>; endpoints: Informer<KObject>; slices: Informer<EndpointSlice>; log?: (m: string) => void }

export function endpointSliceMirroringController(o: MirroringOptions): Controller {
  const { store, clock, services, endpoints, slices } = o;
  const slicesR = res('discovery.k8s.io', 'v1', 'endpointslices');
  const tolerate = (e: unknown) => { if (e instanceof StatusError && (e.code === 404 || e.code === 409)) return; throw e; };

  const labelsOf = (ep: KObject): Record<string, string> => {
    const l: Record<string, string> = {};
    for (const [k, v] of Object.entries(ep.metadata.labels ?? {})) if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL) l[k] = v;
    l[SERVICE_NAME_LABEL] = ep.metadata.name!;
    l[MANAGED_BY_LABEL] = MIRROR_CONTROLLER_NAME;
    return l;
  };

  async function reconcile(key: string): Promise<void> {
    const ns = key.slice(0, key.indexOf('/'));
    const ep = endpoints.get(key);
    const svc = services.get(key);
    const mirror = !!ep && !!svc && !svc.spec?.selector && ep.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true' && !ep.metadata.deletionTimestamp;
    const existing = slices.byIndexValue('mirrored', key).filter((s) => !s.metadata.deletionTimestamp);
    const want = mirror ? desiredSlices(ep!) : [];
    const labels = mirror ? labelsOf(ep!) : {};
    const owner = mirror ? { ...ep!, apiVersion: 'v1', kind: 'Endpoints' } : undefined;
    const spare = [...existing];
    for (const w of want) {
      const i = spare.findIndex((s) => s.addressType === w.addressType);
      const cur = i >= 0 ? spare.splice(i, 1)[0] : undefined;
      if (!cur) {
        await store.create(slicesR, ns, { metadata: { generateName: `${ep!.metadata.name}-`, labels, ownerReferences: [newControllerRef(owner!)] }, ...w } as unknown as KObject);
        continue;
      }
      if (jsonEqual(cur.metadata.labels ?? {}, labels) && jsonEqual(cur.endpoints ?? [], w.endpoints) && jsonEqual(cur.ports ?? [], w.ports)) continue;
      try { await store.update(slicesR, ns, cur.metadata.name!, { ...cur, metadata: { ...cur.metadata, labels }, endpoints: w.endpoints, ports: w.ports } as unknown as KObject); } catch (e) { tolerate(e); }
    }
    for (const s of spare) {
      try { await store.delete(slicesR, ns, s.metadata.name!, { preconditions: { uid: s.metadata.uid } }); } catch (e) { tolerate(e); }
    }
  }

  slices.addIndex('mirrored', mirroredSliceKey);
  return runController({
    name: 'endpointslicemirroring', clock, log: o.log, workers: 2,
    watch: [{ informer: endpoints }, { informer: services }, { informer: slices, toKeys: mirroredSliceKey }],
    reconcile,
  });
}
