// hostname as busybox/net-tools print it in a pod: the pod's hostname; -s short, -f the FQDN
// (hostname.subdomain.ns.svc.cluster.local with a subdomain), -d the domain, -i the pod's addresses.
import type { ProgramIO } from '../types.ts';
import { CLUSTER_DOMAIN } from '../../netsim/index.ts';
import { podNet } from './common.ts';
import { hostnameOf } from '../program-kit.ts';

export async function hostname(io: ProgramIO): Promise<number> {
  const args = io.argv.slice(1);
  const host = hostnameOf(io);
  const spec = (io.pod as any)?.spec ?? {};
  const domain = spec.subdomain ? `${spec.subdomain}.${io.pod.metadata.namespace}.svc.${CLUSTER_DOMAIN}` : '';
  const flag = args.find((a) => a.startsWith('-'));
  if (args.some((a) => !a.startsWith('-'))) { io.stderr('hostname: you must be root to change the host name\n'); return 1; }
  switch (flag) {
    case undefined: io.stdout(`${host}\n`); return 0;
    case '-s': case '--short': io.stdout(`${host.split('.')[0]}\n`); return 0;
    case '-f': case '--fqdn': case '--long': io.stdout(`${domain ? `${host}.${domain}` : host}\n`); return 0;
    case '-d': case '--domain': io.stdout(`${domain}\n`); return 0;
    case '-i': case '--ip-address': case '-I': case '--all-ip-addresses': {
      const net = podNet(io);
      const ips = net.network.addressesOf(io.pod);
      io.stdout(`${(ips.length ? ips : [net.ip]).join(' ')}${flag === '-I' || flag === '--all-ip-addresses' ? ' ' : ''}\n`);
      return 0;
    }
    default: io.stderr(`hostname: invalid option -- '${flag.replace(/^-+/, '')}'\n`); return 1;
  }
}
