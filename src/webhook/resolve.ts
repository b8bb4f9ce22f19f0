// A Service reference → an endpoint address, as upstream's endpoint service resolver does it
// (k8s.io/apiserver/pkg/util/proxy ResolveEndpoint): the Service's port numbered `port`, then a ready
// endpoint of that port's name in the Service's EndpointSlices (hand-made ones too), or else in its
// Endpoints. Skiff has no kube-proxy, so a Service's cluster IP is never the answer.
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { findResource } from '../registry/resources.ts';
import { parseLabelSelector } from '../api/selectors.ts';
import { DialError } from './transport.ts';

export interface Endpoint { address: string; port: number }

const services = () => findResource('', 'v1', 'services')!;
const slices = () => findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const endpoints = () => findResource('', 'v1', 'endpoints')!;

/** Picks one of `n` (round robin across calls, so concurrent calls spread over endpoints). */
let turn = 0;
const pick = <T>(xs: T[]): T => xs[(turn++) % xs.length];

export async function resolveService(store: Store, namespace: string, name: string, port: number): Promise<Endpoint> {
  if (!name || !namespace || !port) throw new DialError('cannot resolve an empty service name or namespace or port');
  const svc = await store.tryGet(services(), namespace, name);
  if (!svc) throw new DialError(`service "${name}" not found`);
  const type = svc.spec?.type ?? 'ClusterIP';
  if (type === 'ExternalName') return { address: String(svc.spec.externalName ?? ''), port };
  if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) throw new DialError(`unsupported service type "${type}"`);
  const svcPort = (svc.spec?.ports ?? []).find((p: any) => p?.port === port);
  if (!svcPort) throw new DialError(`no service port ${port} found for service "${name}"`);
  const portName = svcPort.name ?? '';
  const found = await fromSlices(store, namespace, name, portName) ?? await fromEndpoints(store, namespace, name, portName);
  if (!found?.length) throw new DialError(`no endpoints available for service "${name}"`);
  return pick(found);
}

async function fromSlices(store: Store, namespace: string, name: string, portName: string): Promise<Endpoint[] | undefined> {
  const list = await store.list(slices(), namespace, { labelSelector: parseLabelSelector(`kubernetes.io/service-name=${name}`) });
  if (!list.items.length) return undefined;
  const out: Endpoint[] = [];
  for (const { obj } of list.items) {
    const p = (obj.ports ?? []).find((x: any) => (x?.name ?? '') === portName && (x?.protocol ?? 'TCP') === 'TCP');
    if (!p || typeof p.port !== 'number') continue;
    for (const ep of obj.endpoints ?? []) {
      if (ep?.conditions?.ready === false) continue;
      const address = ep?.addresses?.[0];
      if (typeof address === 'string' && address) out.push({ address, port: p.port });
    }
  }
  return out;
}

async function fromEndpoints(store: Store, namespace: string, name: string, portName: string): Promise<Endpoint[] | undefined> {
  const eps: KObject | undefined = await store.tryGet(endpoints(), namespace, name);
  if (!eps) return undefined;
  const out: Endpoint[] = [];
  for (const ss of eps.subsets ?? []) {
    const p = (ss?.ports ?? []).find((x: any) => (x?.name ?? '') === portName);
    if (!p) continue;
    for (const a of ss.addresses ?? []) if (a?.ip) out.push({ address: a.ip, port: p.port });
  }
  return out;
}
