// The name-service files the kubelet writes into every container, as upstream's kubelet writes them
// (pkg/kubelet/kubelet_pods.go managedHostsFileContent, pkg/kubelet/network/dns): for the container
// runtime to put at /etc/hosts and /etc/resolv.conf, consistent with the simulated DNS.
import type { KObject } from '../registry/strategy.ts';
import { CLUSTER_DOMAIN, resolvConf } from './dns.ts';
import { podIPs } from './cluster-index.ts';

/** /etc/hosts of a pod (not host-network). */
/** A simulated node's own /etc/hosts (what a hostPath of /etc/hosts shows, and host-network pods see). */
export const NODE_ETC_HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';

export function etcHostsFile(pod: KObject): string {
  const spec = (pod as any).spec ?? {};
  const host = String(spec.hostname ?? pod.metadata.name ?? '');
  const domain = spec.subdomain ? `${spec.subdomain}.${pod.metadata.namespace}.svc.${CLUSTER_DOMAIN}` : '';
  // A host-network pod gets the node's file (and its host aliases), not a kubelet-managed one.
  let out = spec.hostNetwork ? NODE_ETC_HOSTS : '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  if (!spec.hostNetwork) for (const ip of podIPs(pod)) out += domain ? `${ip}\t${host}.${domain}\t${host}\n` : `${ip}\t${host}\n`;
  const aliases = (spec.hostAliases ?? []).filter((a: any) => a?.ip);
  if (aliases.length) {
    out += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  }
  return out;
}

/** /etc/resolv.conf of a pod: search path, name servers and options per dnsPolicy and dnsConfig. */
export function resolvConfFile(pod: KObject): string {
  const spec = (pod as any).spec ?? {};
  const c = resolvConf(pod);
  const lines: string[] = [];
  if (c.searches.length) lines.push(`search ${c.searches.join(' ')}`);
  for (const ns of c.nameservers.length ? c.nameservers : ['10.96.0.10']) lines.push(`nameserver ${ns}`);
  const opts = new Map<string, string | undefined>();
  const cluster = String(spec.dnsPolicy ?? 'ClusterFirst') !== 'None' && String(spec.dnsPolicy ?? 'ClusterFirst') !== 'Default';
  if (cluster && (!spec.hostNetwork || spec.dnsPolicy === 'ClusterFirstWithHostNet')) opts.set('ndots', '5');
  for (const o of spec.dnsConfig?.options ?? []) if (o?.name) opts.set(String(o.name), o.value === undefined ? undefined : String(o.value));
  if (opts.size) lines.push(`options ${[...opts].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
