// Name lookups in the container, over the simulated cluster DNS: busybox nslookup, getent hosts and a
// dig that covers what scripts use (+short, +search, +noall +answer, +tcp/+notcp, A, AAAA, SRV, PTR, -x).
import type { ProgramIO } from '../types.ts';
import { DNS_SERVER } from '../../netsim/index.ts';
import type { Answer } from '../../netsim/index.ts';
import { podNet } from './common.ts';

const TTL = 30;

export async function nslookup(io: ProgramIO): Promise<number> {
  const args = io.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (!args.length) { io.stderr('BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n'); return 1; }
  const net = podNet(io);
  const server = args[1] ?? net.resolvConf().nameservers[0] ?? DNS_SERVER;
  io.stdout(`Server:\t\t${server}\nAddress:\t${server}:53\n\n`);
  let a: Answer;
  try { a = net.lookup(args[0]); } catch {
    const last = net.resolvConf().searches.at(-1);
    io.stdout(`** server can't find ${args[0]}${args[0].includes('.') || !last ? '' : `.${last}`}: NXDOMAIN\n\n`);
    return 1;
  }
  if (a.cname) io.stdout(`${a.name}\tcanonical name = ${a.cname}\n`);
  for (const ip of a.addresses) io.stdout(`Name:\t${a.cname ?? a.name}\nAddress: ${ip}\n`);
  io.stdout('\n');
  return 0;
}

export async function getent(io: ProgramIO): Promise<number> {
  const [db, ...keys] = io.argv.slice(1);
  if (db !== 'hosts' && db !== 'ahosts' && db !== 'ahostsv4') { io.stderr(`Unknown database: ${db ?? ''}\n`); return 1; }
  if (!keys.length) { io.stderr('getent: enumerating hosts is not supported by the simulated resolver\n'); return 1; }
  const net = podNet(io);
  let missing = false;
  for (const k of keys) {
    try {
      const a = net.lookup(k);
      if (!a.addresses.length) throw new Error();
      if (db === 'hosts') io.stdout(`${a.addresses[0].padEnd(15)} ${a.name}\n`);
      else for (const ip of a.addresses) for (const t of ['STREAM', 'DGRAM', 'RAW']) io.stdout(`${ip.padEnd(15)} ${t.padEnd(6)} ${t === 'STREAM' ? a.name : ''}\n`.replace(/ +\n$/, '\n'));
    } catch { missing = true; }
  }
  return missing ? 2 : 0;
}

export async function dig(io: ProgramIO): Promise<number> {
  let short = false, search = false, answerOnly = false, type = 'A', reverse = false;
  const names: string[] = [];
  const args = io.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('@')) continue;
    if (a === '+short') short = true;
    else if (a === '+search') search = true;
    else if (a === '+noall') answerOnly = true;
    else if (a.startsWith('+')) continue;
    else if (a === '-x') { reverse = true; type = 'PTR'; }
    else if (a === '-t') type = String(args[++i] ?? 'A').toUpperCase();
    else if (/^(A|AAAA|SRV|PTR|CNAME|ANY)$/i.test(a)) type = a.toUpperCase();
    else names.push(a);
  }
  const net = podNet(io);
  const name = names[0] ?? '.';
  const records: string[][] = [];
  let qname = name.endsWith('.') ? name : `${name}.`;
  try {
    if (type === 'PTR') {
      const ip = reverse ? name : name.replace(/\.in-addr\.arpa\.?$/, '').split('.').reverse().join('.');
      qname = `${ip.split('.').reverse().join('.')}.in-addr.arpa.`;
      for (const t of net.ptr(ip)) records.push([qname, String(TTL), 'IN', 'PTR', t]);
    } else if (type === 'SRV') {
      const s = net.srv(search || name.endsWith('.') ? name : `${name}.`);
      qname = `${s.name}.`;
      for (const r of s.records) records.push([qname, String(TTL), 'IN', 'SRV', `${r.priority} ${r.weight} ${r.port} ${r.target}`]);
    } else {
      // Without +search dig asks the name as given (absolute).
      const a = net.lookup(search ? name : name.endsWith('.') ? name : `${name}.`);
      qname = `${a.name}.`;
      if (a.cname) records.push([qname, String(TTL), 'IN', 'CNAME', `${a.cname}.`]);
      const want = type === 'CNAME' ? [] : a.addresses.filter((ip) => (type === 'AAAA' ? ip.includes(':') : type === 'A' ? !ip.includes(':') : true));
      for (const ip of want) records.push([a.cname ? `${a.cname}.` : qname, String(TTL), 'IN', ip.includes(':') ? 'AAAA' : 'A', ip]);
    }
  } catch { /* NXDOMAIN: no answer records */ }
  if (short) { for (const r of records) io.stdout(`${r[4]}\n`); return 0; }
  const lines = records.map((r) => `${r[0]}\t\t${r[1]}\tIN\t${r[3]}\t${r[4]}\n`).join('');
  if (answerOnly) { io.stdout(lines); return 0; }
  const server = net.resolvConf().nameservers[0] ?? DNS_SERVER;
  io.stdout(`\n; <<>> DiG 9.18 <<>> ${args.join(' ')}\n;; global options: +cmd\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${records.length ? 'NOERROR' : 'NXDOMAIN'}, id: 1\n;; flags: qr aa rd; QUERY: 1, ANSWER: ${records.length}, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;${qname}\t\t\tIN\t${type}\n\n${records.length ? `;; ANSWER SECTION:\n${lines}\n` : ''};; SERVER: ${server}#53(${server}) (UDP)\n\n`);
  return 0;
}
