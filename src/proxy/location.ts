// Where a proxy subresource leads, as upstream's ResourceLocation functions decide it
// (pkg/registry/core/{pod,service,node}): "name", "name:port" or "scheme:name:port"; pods by their
// IP and the named or first declared port; Services through their Endpoints (a random ready address
// of a pod, by port name); nodes to the kubelet port unless another port is asked for.
import { errors } from '../errors.ts';
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { isIP } from 'node:net';

export interface Location { scheme: 'http' | 'https'; host: string; port: string; /** The node's own kubelet (answered in process). */ kubelet?: KObject }

/** utilnet.SplitSchemeNamePort. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '', name = '', port = '';
  if (parts.length === 1) [name] = parts;
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  return name && (scheme === '' || scheme === 'http' || scheme === 'https') ? { scheme, name, port } : undefined;
}

/** Whether an address may be proxied to (a global unicast IP). */
function globalUnicast(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return !(a === 0 || a === 127 || a >= 224 || (a === 169 && b === 254) || ip === '255.255.255.255');
  }
  if (isIP(ip) === 6) { const l = ip.toLowerCase(); return !(l === '::' || l === '::1' || /^f[ef]/.test(l)); }
  return false;
}

const res = (r: string) => findResource('', 'v1', r)!;

export async function podLocation(store: Store, namespace: string, id: string): Promise<Location> {
  const p = splitSchemeNamePort(id);
  if (!p) throw errors.badRequest(`invalid pod request ${JSON.stringify(id)}`);
  const pod = await store.get(res('pods'), namespace, p.name) as any;
  let port = p.port;
  if (port === '') for (const c of pod.spec?.containers ?? []) if (c?.ports?.length) { port = String(c.ports[0].containerPort); break; }
  const ip = String(pod.status?.podIP ?? '');
  if (!globalUnicast(ip)) throw errors.badRequest('address not allowed');
  return { scheme: p.scheme === 'https' ? 'https' : 'http', host: ip, port };
}

export async function serviceLocation(store: Store, namespace: string, id: string, random: () => number): Promise<Location> {
  const p = splitSchemeNamePort(id);
  if (!p) throw errors.badRequest(`invalid service request ${JSON.stringify(id)}`);
  let portName = p.port;
  if (/^[+-]?\d+$/.test(portName)) {
    const svc = await store.get(res('services'), namespace, p.name) as any;
    const found = (svc.spec?.ports ?? []).find((sp: any) => Number(sp?.port) === Number(portName));
    if (!found) throw errors.serviceUnavailable(`no service port ${Number(portName)} found for service ${JSON.stringify(p.name)}`);
    portName = String(found.name ?? '');
  }
  const eps = await store.get(res('endpoints'), namespace, p.name) as any;
  const subsets: any[] = eps.subsets ?? [];
  if (!subsets.length) throw errors.serviceUnavailable(`no endpoints available for service ${JSON.stringify(p.name)}`);
  const start = Math.floor(random() * subsets.length);
  for (let i = 0; i < subsets.length; i++) {
    const ss = subsets[(start + i) % subsets.length];
    const addrs: any[] = ss.addresses ?? [];
    if (!addrs.length) continue;
    for (const port of ss.ports ?? []) {
      if (String(port?.name ?? '') !== portName) continue;
      const seed = Math.floor(random() * addrs.length);
      for (let t = 0; t < addrs.length; t++) {
        const a = addrs[(seed + t) % addrs.length];
        if (await isPodAddress(store, a)) return { scheme: p.scheme === 'https' ? 'https' : 'http', host: String(a.ip), port: String(port.port) };
      }
    }
  }
  throw errors.serviceUnavailable(`no endpoints available for service ${JSON.stringify(id)}`);
}

/** Only addresses of pods are proxied to (upstream isValidAddress). */
async function isPodAddress(store: Store, a: any): Promise<boolean> {
  const ref = a?.targetRef;
  if (!ref || ref.kind !== 'Pod') return false;
  try {
    const pod = await store.get(res('pods'), ref.namespace, ref.name) as any;
    const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((x: any) => x?.ip)];
    return ips.includes(a.ip);
  } catch { return false; }
}

export async function nodeLocation(store: Store, id: string): Promise<Location> {
  const p = splitSchemeNamePort(id);
  if (!p) throw errors.badRequest(`invalid node request ${JSON.stringify(id)}`);
  const node = await store.get(res('nodes'), undefined, p.name) as any;
  const addrs: any[] = node.status?.addresses ?? [];
  const host = String((['InternalIP', 'ExternalIP', 'Hostname'].map((t) => addrs.find((a) => a?.type === t)?.address).find(Boolean)) ?? p.name);
  const kubeletPort = String(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250);
  if (p.port === '' || p.port === kubeletPort) return { scheme: 'https', host, port: kubeletPort, kubelet: node };
  return { scheme: p.scheme === 'https' ? 'https' : 'http', host, port: p.port };
}
