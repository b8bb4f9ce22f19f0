// Cluster DNS as CoreDNS's kubernetes plugin answers it, read from the cluster index:
//   <svc>.<ns>.svc.<zone>              ClusterIP, or a headless Service's ready endpoint addresses,
//                                      or an ExternalName's CNAME
//   <host>.<svc>.<ns>.svc.<zone>       a headless Service's endpoint with that hostname (pod hostname/subdomain)
//   <a-b-c-d>.<ns>.pod.<zone>          the address itself
// plus the pod's own /etc/hosts (localhost, its hostname and FQDN) and its resolv.conf search path
// (ClusterFirst: <ns>.svc.<zone> svc.<zone> <zone>, ndots 5; dnsConfig adds searches and options).
import type { KObject } from '../registry/strategy.ts';
import type { ClusterIndex } from './cluster-index.ts';
import { podIPs } from './cluster-index.ts';
import { dashedIp, isIp } from './ip.ts';
import { NetError } from './types.ts';

export const CLUSTER_DOMAIN = 'cluster.local';
/** The cluster DNS Service address written in pods' resolv.conf (kube-dns in kube-system). */
export const DNS_SERVER = '10.96.0.10';

export interface Answer { addresses: string[]; cname?: string; name: string }

/** The search path and ndots of a pod's resolv.conf. */
export function resolvConf(pod: KObject | undefined): { searches: string[]; ndots: number; nameservers: string[] } {
  const spec = (pod as any)?.spec ?? {};
  const ns = String(pod?.metadata?.namespace ?? 'default');
  const policy = String(spec.dnsPolicy ?? 'ClusterFirst');
  const cluster = policy === 'ClusterFirst' && !spec.hostNetwork || policy === 'ClusterFirstWithHostNet';
  const searches = cluster ? [`${ns}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN] : [];
  for (const s of spec.dnsConfig?.searches ?? []) if (typeof s === 'string' && !searches.includes(s)) searches.push(s);
  let ndots = cluster ? 5 : 1;
  for (const o of spec.dnsConfig?.options ?? []) if (o?.name === 'ndots' && /^\d+$/.test(String(o.value ?? ''))) ndots = Number(o.value);
  const extra: string[] = (spec.dnsConfig?.nameservers ?? []).filter((n: unknown) => typeof n === 'string');
  const nameservers = [...new Set([...(cluster ? [DNS_SERVER] : []), ...extra])].slice(0, 3);
  return { searches, ndots, nameservers };
}

/** The pod's own names from /etc/hosts: its hostname and, with a subdomain, its FQDN. */
function ownNames(pod: KObject | undefined): string[] {
  if (!pod) return [];
  const spec = (pod as any).spec ?? {};
  const host = String(spec.hostname ?? pod.metadata.name ?? '').toLowerCase();
  const out = [host];
  if (spec.subdomain) out.push(`${host}.${spec.subdomain}.${pod.metadata.namespace}.svc.${CLUSTER_DOMAIN}`);
  return out;
}

export class Dns {
  private readonly index: ClusterIndex;
  constructor(index: ClusterIndex) { this.index = index; }

  /** Resolve `name` as a resolver inside `pod` would (undefined pod: the API server, no search path). */
  lookup(rawName: string, pod?: KObject): Answer {
    const absolute = rawName.endsWith('.');
    const name = rawName.replace(/\.$/, '').toLowerCase();
    if (!name || name.length > 253) throw new NetError('ENOTFOUND', `lookup ${rawName}: no such host`);
    if (isIp(name)) return { addresses: [name], name };
    if (name === 'localhost') return { addresses: ['127.0.0.1'], name };
    if (ownNames(pod).includes(name)) return { addresses: pod ? podIPs(pod) : [], name };
    const conf = resolvConf(pod);
    const dots = name.split('.').length - 1;
    const searched = conf.searches.map((s) => `${name}.${s}`);
    const candidates = absolute ? [name] : dots >= conf.ndots ? [name, ...searched] : [...searched, name];
    for (const fqdn of candidates) {
      const a = this.answer(fqdn, 0);
      if (a) return a;
    }
    const server = conf.nameservers[0] ?? DNS_SERVER;
    throw new NetError('ENOTFOUND', `lookup ${name} on ${server}:53: no such host`);
  }

  /** The records for one fully qualified name, or undefined (NXDOMAIN). */
  private answer(fqdn: string, depth: number): Answer | undefined {
    const suffix = `.${CLUSTER_DOMAIN}`;
    if (!fqdn.endsWith(suffix)) return undefined;
    const labels = fqdn.slice(0, -suffix.length).split('.');
    if (labels.length === 3 && labels[2] === 'pod') {
      const ip = dashedIp(labels[0]);
      return ip ? { addresses: [ip], name: fqdn } : undefined;
    }
    if (labels.length === 3 && labels[2] === 'svc') return this.service(labels[1], labels[0], fqdn, depth);
    if (labels.length === 4 && labels[3] === 'svc') return this.endpointHost(labels[2], labels[1], labels[0], fqdn);
    return undefined;
  }

  private service(ns: string, name: string, fqdn: string, depth: number): Answer | undefined {
    const svc = this.index.get('services', ns, name) as any;
    if (!svc) return undefined;
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      const target = String(spec.externalName ?? '').replace(/\.$/, '').toLowerCase();
      const inner = depth < 8 ? this.answer(target, depth + 1) : undefined;
      return { addresses: inner?.addresses ?? [], cname: target, name: fqdn };
    }
    if (spec.clusterIP && spec.clusterIP !== 'None') return { addresses: spec.clusterIPs?.length ? [...spec.clusterIPs] : [spec.clusterIP], name: fqdn };
    const addrs = this.endpointAddresses(ns, name, Boolean(spec.publishNotReadyAddresses)).map((e) => e.address);
    return addrs.length ? { addresses: [...new Set(addrs)], name: fqdn } : undefined;
  }

  private endpointHost(ns: string, svcName: string, host: string, fqdn: string): Answer | undefined {
    const svc = this.index.get('services', ns, svcName) as any;
    if (!svc) return undefined;
    const all = this.endpointAddresses(ns, svcName, Boolean(svc.spec?.publishNotReadyAddresses));
    let addrs = all.filter((e) => e.hostname === host).map((e) => e.address);
    if (!addrs.length) { const ip = dashedIp(host); if (ip && all.some((e) => e.address === ip)) addrs = [ip]; }
    if (!addrs.length && svc.spec?.clusterIP === 'None') {
      // A pod with this hostname and subdomain whose slice has not been written yet.
      addrs = this.index.by('pods', 'hostsub', `${ns}/${svcName}/${host}`).flatMap(podIPs);
    }
    return addrs.length ? { addresses: [...new Set(addrs)], name: fqdn } : undefined;
  }

  /** SRV records of `_port._proto.<svc>.<ns>.svc.<zone>` (or of every named port for `<svc>...`). */
  srv(rawName: string, pod?: KObject): { name: string; records: { priority: number; weight: number; port: number; target: string }[] } {
    const name = rawName.replace(/\.$/, '').toLowerCase();
    const conf = resolvConf(pod);
    const searched = conf.searches.map((s) => `${name}.${s}`);
    const candidates = rawName.endsWith('.') ? [name] : name.split('.').length - 1 >= conf.ndots ? [name, ...searched] : [...searched, name];
    for (const fqdn of candidates) {
      const m = /^(?:_([^.]+)\._(tcp|udp|sctp)\.)?([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(fqdn);
      if (!m) continue;
      const svc = this.index.get('services', m[4], m[3]) as any;
      if (!svc) continue;
      const ports = (svc.spec?.ports ?? []).filter((p: any) => p?.name && (!m[1] || (p.name === m[1] && String(p.protocol ?? 'TCP').toLowerCase() === m[2])));
      if (!ports.length) continue;
      const base = `${m[3]}.${m[4]}.svc.${CLUSTER_DOMAIN}`;
      const records: { priority: number; weight: number; port: number; target: string }[] = [];
      for (const p of ports) {
        if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') { records.push({ priority: 0, weight: 100, port: Number(p.port), target: `${base}.` }); continue; }
        const eps = this.endpointAddresses(m[4], m[3], Boolean(svc.spec?.publishNotReadyAddresses));
        for (const e of eps) records.push({ priority: 0, weight: Math.floor(100 / eps.length), port: Number(p.port), target: `${e.hostname ?? e.address.replace(/[.:]/g, '-')}.${base}.` });
      }
      if (records.length) return { name: fqdn, records };
    }
    throw new NetError('ENOTFOUND', `lookup ${name}: no such host`);
  }

  /** PTR: a Service's cluster IP names the Service; an endpoint of a headless Service its hostname there. */
  ptr(ip: string): string[] {
    const out: string[] = [];
    for (const svc of this.index.by('services', 'clusterip', ip)) out.push(`${svc.metadata.name}.${svc.metadata.namespace}.svc.${CLUSTER_DOMAIN}.`);
    for (const pod of this.index.by('pods', 'ip', ip) as any[]) {
      const sub = pod.spec?.subdomain, host = pod.spec?.hostname;
      if (sub && host && (this.index.get('services', pod.metadata.namespace, sub) as any)?.spec?.clusterIP === 'None') out.push(`${host}.${sub}.${pod.metadata.namespace}.svc.${CLUSTER_DOMAIN}.`);
    }
    if (!out.length) throw new NetError('ENOTFOUND', `lookup ${ip}: no such host`);
    return out;
  }

  /** Addresses of a Service's endpoints that DNS publishes (ready ones, or all with publishNotReadyAddresses). */
  private endpointAddresses(ns: string, svc: string, notReadyToo: boolean): { address: string; hostname?: string }[] {
    const out: { address: string; hostname?: string }[] = [];
    for (const slice of this.index.by('endpointslices', 'service', `${ns}/${svc}`) as any[]) {
      for (const ep of slice.endpoints ?? []) {
        if (!notReadyToo && ep?.conditions?.ready === false) continue;
        for (const a of ep?.addresses ?? []) out.push({ address: String(a), hostname: ep.hostname });
      }
    }
    return out;
  }
}
