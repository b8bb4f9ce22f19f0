// busybox nc over the simulated network: `nc [-v] [-z] [-u] [-w SEC] HOST PORT` sends stdin and
// prints what comes back; -z only checks that the port accepts; `nc -l [-p] PORT` (with -k, keep
// listening) serves one connection: prints what it receives, answers with stdin.
import type { ProgramIO } from '../types.ts';
import type { Duplex } from 'node:stream';
import { codeOf, podNet, readStdin, seconds } from './common.ts';
import { stopped } from '../program-kit.ts';

interface Opts { verbose: boolean; zero: boolean; udp: boolean; listen: boolean; keep: boolean; waitMs?: number; port?: number; host?: string; rest: string[] }

function parse(args: string[]): Opts | string {
  const o: Opts = { verbose: false, zero: false, udp: false, listen: false, keep: false, rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (/^-[a-zA-Z]+$/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (f === 'v') o.verbose = true; else if (f === 'z') o.zero = true; else if (f === 'u') o.udp = true;
        else if (f === 'l') o.listen = true; else if (f === 'k' || f === 'n' || f === 't') o.keep = o.keep || f === 'k';
        else if (f === 'w' || f === 'p' || f === 'i' || f === 'q' || f === 's') {
          const v = a.slice(j + 1) || args[++i];
          if (v === undefined) return `option requires an argument -- '${f}'`;
          if (f === 'w') { const ms = seconds(v); if (ms === undefined) return `invalid number '${v}'`; o.waitMs = ms; }
          if (f === 'p') { if (!/^\d+$/.test(v)) return `bad port '${v}'`; o.port = Number(v); }
          break;
        } else return `invalid option -- '${f}'`;
      }
    } else o.rest.push(a);
  }
  return o;
}

export async function nc(io: ProgramIO): Promise<number> {
  const o = parse(io.argv.slice(1));
  if (typeof o === 'string') { io.stderr(`nc: ${o}\n`); return 1; }
  return o.listen ? listen(io, o) : dial(io, o);
}

async function dial(io: ProgramIO, o: Opts): Promise<number> {
  if (o.rest.length < 2) { io.stderr('BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n'); return 1; }
  const [host, portText] = o.rest;
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) { io.stderr(`nc: bad port '${portText}'\n`); return 1; }
  const port = Number(portText);
  const net = podNet(io);
  let ip: string;
  try { ip = net.lookup(host).addresses[0]; if (!ip) throw new Error(); } catch { io.stderr(`nc: bad address '${host}'\n`); return 1; }
  const peer = `${host} (${ip}:${port})`;
  if (o.udp) {
    const msg = o.zero ? Buffer.alloc(0) : await readStdin(io);
    try {
      const reply = await net.datagram(ip, port, msg, { timeoutMs: o.waitMs ?? 5000, sleep: io.sleep, signal: io.signal });
      if (o.verbose) io.stderr(`${peer} open\n`);
      if (!o.zero) io.stdout(reply);
      return 0;
    } catch (e) {
      if (codeOf(e) === 'ETIMEDOUT') { if (o.verbose) io.stderr(`${peer} open\n`); return 0; } // UDP has no answer to wait for
      io.stderr(`nc: ${o.verbose ? `${peer}: ` : ''}Connection refused\n`);
      return 1;
    }
  }
  let socket: Duplex;
  try { socket = (await net.connect(ip, port, { timeoutMs: o.waitMs, sleep: io.sleep, signal: io.signal })).socket; } catch (e) {
    io.stderr(codeOf(e) === 'ETIMEDOUT' ? `nc: ${o.verbose ? `${peer}: ` : ''}Connection timed out\n` : `nc: ${o.verbose ? `${peer}: ` : 'can\'t connect to remote host: '}Connection refused\n`);
    return 1;
  }
  if (o.verbose) io.stderr(`${peer} open\n`);
  if (o.zero) { socket.destroy(); return 0; }
  return pump(io, socket, o.waitMs);
}

/** Copy stdin to the socket and the socket to stdout until the peer closes (or -w idle time passes after stdin ends). */
async function pump(io: ProgramIO, socket: Duplex, waitMs?: number): Promise<number> {
  const closed = new Promise<void>((resolve) => { socket.on('data', (c: Buffer) => io.stdout(c)); socket.on('end', () => resolve()); socket.on('close', () => resolve()); socket.on('error', () => resolve()); });
  void (async () => { const input = await readStdin(io); if (input.length) socket.write(input); if (waitMs !== undefined) socket.end(); })();
  const stop = new AbortController();
  const waits: Promise<unknown>[] = [closed, stopped(io)];
  if (waitMs !== undefined) waits.push(io.sleep(waitMs, stop.signal));
  await Promise.race(waits);
  stop.abort();
  socket.destroy();
  return 0;
}

async function listen(io: ProgramIO, o: Opts): Promise<number> {
  const port = o.port ?? (o.rest.length ? Number(o.rest[o.rest.length - 1]) : NaN);
  if (!Number.isInteger(port) || port < 1 || port > 65535) { io.stderr('nc: bad port\n'); return 1; }
  const net = podNet(io);
  const stop = new AbortController();
  io.signal.addEventListener('abort', () => stop.abort(), { once: true });
  const input = readStdin(io);
  let served!: () => void;
  const one = new Promise<void>((r) => { served = r; });
  try {
    if (o.udp) {
      net.listenDatagram(port, async (msg) => { io.stdout(msg); const out = await input; if (!o.keep) served(); return out.length ? out : undefined; }, stop.signal);
    } else {
      net.listenStream(port, (s, from) => {
        if (o.verbose) io.stderr(`connect to [${net.ip}]:${port} from [${from.ip}]:${from.port}\n`);
        s.on('data', (c: Buffer) => io.stdout(c));
        s.on('error', () => {});
        void input.then((b) => { if (b.length) s.write(b); if (!o.keep) s.end(); });
        s.on('close', () => { if (!o.keep) served(); });
      }, stop.signal);
    }
  } catch (e) { io.stderr(`nc: bind: ${(e as Error).message.includes('in use') ? 'Address already in use' : (e as Error).message}\n`); return 1; }
  if (o.verbose) io.stderr(`listening on [::]:${port} ...\n`);
  await Promise.race([one, stopped(io)]);
  stop.abort();
  return 0;
}
