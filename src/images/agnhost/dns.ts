// agnhost dns-suffix, dns-server-list and etc-hosts: print the container's DNS search suffixes,
// name servers (from /etc/resolv.conf) and /etc/hosts, as the DNS specs read them.
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { readText } from '../program-kit.ts';

async function resolv(io: ProgramIO): Promise<{ search: string[]; servers: string[] }> {
  const text = await readText(io, '/etc/resolv.conf');
  if (text === undefined) { const c = forPod(io.pod).resolvConf(); return { search: c.searches, servers: c.nameservers }; }
  const search: string[] = [], servers: string[] = [];
  for (const line of text.split('\n')) {
    const [k, ...v] = line.trim().split(/\s+/);
    if (k === 'search' || k === 'domain') search.push(...v);
    if (k === 'nameserver' && v[0]) servers.push(v[0]);
  }
  return { search, servers };
}

export async function dnsSuffix(io: ProgramIO): Promise<number> { io.stdout((await resolv(io)).search.join(',')); return 0; }
export async function dnsServerList(io: ProgramIO): Promise<number> { io.stdout((await resolv(io)).servers.join(',')); return 0; }
export async function etcHosts(io: ProgramIO): Promise<number> {
  const text = await readText(io, '/etc/hosts');
  if (text === undefined) { io.stderr('open /etc/hosts: no such file or directory\n'); return 1; }
  io.stdout(text);
  return 0;
}
