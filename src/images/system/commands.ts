// Commands whose answers depend on the container's identity and kernel settings: `id`, `whoami`,
// `sysctl` (the pod's securityContext.sysctls over a few kernel defaults), `ip link add` (refused
// unless privileged, as an unprivileged container lacks CAP_NET_ADMIN) and `ip addr`, and the
// nonewprivs image's `nnp` (its setuid-root binary: effective uid 0 unless allowPrivilegeEscalation is false).
import type { ProgramIO } from '../types.ts';
import { identityOf, userName } from './identity.ts';

const named = (id: number) => (userName(id) ? `${id}(${userName(id)})` : String(id));

export async function id(io: ProgramIO): Promise<number> {
  const me = identityOf(io);
  const args = io.argv.slice(1);
  const nameOnly = args.includes('-n');
  const opt = args.find((a) => a !== '-n');
  if (opt !== undefined && !['-u', '-g', '-G'].includes(opt)) { io.stderr(`id: unrecognized option '${opt}'\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: id [-ugGnr] [USER]\n`); return 1; }
  const show = (n: number) => (nameOnly ? userName(n) ?? String(n) : String(n));
  if (opt === '-u') io.stdout(`${show(me.uid)}\n`);
  else if (opt === '-g') io.stdout(`${show(me.gid)}\n`);
  else if (opt === '-G') io.stdout(`${me.groups.map(show).join(' ')}\n`);
  else io.stdout(`uid=${named(me.uid)} gid=${named(me.gid)} groups=${me.groups.map(named).join(',')}\n`);
  return 0;
}

export async function whoami(io: ProgramIO): Promise<number> {
  const { uid } = identityOf(io);
  const name = userName(uid);
  if (!name) { io.stderr(`whoami: unknown uid ${uid}\n`); return 1; }
  io.stdout(`${name}\n`);
  return 0;
}

/** Kernel defaults the emulated kernel reports for sysctls the pod does not set. */
const DEFAULTS: Record<string, string> = {
  'kernel.shm_rmid_forced': '0', 'kernel.shmmax': '18446744073692774399', 'kernel.msgmax': '8192',
  'net.core.somaxconn': '4096', 'net.ipv4.ip_forward': '1', 'net.ipv4.ip_local_port_range': '32768\t60999', 'net.ipv4.ping_group_range': '0\t2147483647',
};

export async function sysctl(io: ProgramIO): Promise<number> {
  const set: Record<string, string> = {};
  for (const s of (io.pod as any)?.spec?.securityContext?.sysctls ?? []) if (s && typeof s.name === 'string') set[s.name.replaceAll('/', '.')] = String(s.value ?? '');
  const values = { ...DEFAULTS, ...set };
  const args = io.argv.slice(1);
  const valueOnly = args.includes('-n');
  if (args.includes('-a')) { for (const k of Object.keys(values).sort()) io.stdout(valueOnly ? `${values[k]}\n` : `${k} = ${values[k]}\n`); return 0; }
  const names = args.filter((a) => !a.startsWith('-'));
  if (args.some((a) => a === '-w' || a.includes('='))) { io.stderr('sysctl: setting keys is not supported in Skiff\'s emulated containers (set them in the pod\'s securityContext.sysctls)\n'); return 1; }
  if (!names.length) { io.stderr('BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: sysctl [-enq] { -a | -w VAR=VAL... | VAR... }\n'); return 1; }
  let code = 0;
  for (const raw of names) {
    const key = raw.replaceAll('/', '.');
    if (!(key in values)) { io.stderr(`sysctl: error: '${raw}' is an unknown key\n`); code = 1; continue; }
    io.stdout(valueOnly ? `${values[key]}\n` : `${key} = ${values[key]}\n`);
  }
  return code;
}

export async function ip(io: ProgramIO): Promise<number> {
  const args = io.argv.slice(1).filter((a) => a !== '-4' && a !== '-6');
  const obj = args[0] ?? '';
  if ((obj === 'link' || obj === 'l') && ['add', 'delete', 'del', 'set'].includes(args[1] ?? '')) {
    if (identityOf(io).privileged) return 0;
    io.stderr('ip: RTNETLINK answers: Operation not permitted\n');
    return 2;
  }
  if (['addr', 'address', 'a'].includes(obj) && (args.length === 1 || args[1] === 'show')) {
    const podIP = String((io.pod as any)?.status?.podIP ?? '');
    io.stdout('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n');
    if (podIP) io.stdout(`2: eth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue\n    link/ether 0a:58:0a:f4:00:02 brd ff:ff:ff:ff:ff:ff\n    inet ${podIP}/24 brd ${podIP.replace(/\.\d+$/, '.255')} scope global eth0\n       valid_lft forever preferred_lft forever\n`);
    return 0;
  }
  io.stderr(`ip: '${args.join(' ')}' is not emulated in Skiff's containers (emulated: ip addr, ip link add|delete|set)\n`);
  return 1;
}

export async function nnp(io: ProgramIO): Promise<number> {
  const me = identityOf(io);
  io.stdout(`Effective uid: ${me.allowPrivilegeEscalation === false ? me.uid : 0}\n`);
  return 0;
}
