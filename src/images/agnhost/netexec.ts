// agnhost netexec: an HTTP(S) server (--http-port, 8080) with upstream's endpoints (/, /clientip,
// /dial, /echo, /exit, /healthz, /hostname, /hostName, /redirect, /shell, /shutdown, /upload) and a
// UDP server (--udp-port, 8081: hostname, echo <msg>, clientip) on the simulated network.
// /exit and /shutdown end the program with the asked status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgramIO } from '../types.ts';
import { forPod, httpRequest, joinHostPort } from '../../netsim/index.ts';
import { serveGo } from '../go-http.ts';
import type { PodNet } from '../../netsim/index.ts';
import { cobraFlags, goLog, goTime, hostnameOf, readText, SIGTERM_EXIT } from '../program-kit.ts';
import { parseDuration } from '../flags.ts';
import { runShell } from '../shell.ts';

interface Ctx { io: ProgramIO; net: PodNet; ready: boolean; exit(code: number): void }

export async function netexec(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost netexec', args, {
    'http-port': { type: 'int', default: 8080 }, 'udp-port': { type: 'int', default: 8081 }, 'sctp-port': { type: 'int', default: -1 },
    'tls-cert-file': { type: 'string', default: '' }, 'tls-private-key-file': { type: 'string', default: '' },
    'http-override': { type: 'string', default: '' }, 'udp-listen-addresses': { type: 'string', default: '' },
  });
  if (!f) return 1;
  const v = f.values as Record<string, any>;
  const net = forPod(io.pod);
  let finish!: (code: number) => void;
  const done = new Promise<number>((r) => { finish = r; });
  const stop = new AbortController();
  const onAbort = () => finish(SIGTERM_EXIT);
  io.signal.addEventListener('abort', onAbort, { once: true });
  const ctx: Ctx = { io, net, ready: false, exit: (code) => finish(code) };
  try {
    if (v['udp-port'] !== -1) { net.listenDatagram(v['udp-port'], (m, from) => udpCommand(ctx, m, from), stop.signal); goLog(io, `Started UDP server on port  ${v['udp-port']}`); ctx.ready = true; }
    if (v['sctp-port'] !== -1) { net.listenStream(v['sctp-port'], (s, from) => { s.once('data', async (m: Buffer) => { s.end((await udpCommand(ctx, m, from)) ?? ''); }); s.on('error', () => {}); }, stop.signal, 'SCTP'); goLog(io, 'Started SCTP server'); ctx.ready = true; }
    let tls: { cert: string; key: string } | undefined;
    if (v['tls-cert-file']) {
      const cert = await readText(io, v['tls-cert-file']), key = await readText(io, v['tls-private-key-file'] || v['tls-cert-file']);
      if (!cert || !key) { goLog(io, `open ${cert ? v['tls-private-key-file'] : v['tls-cert-file']}: no such file or directory`); stop.abort(); return 1; }
      tls = { cert, key };
    }
    const override = v['http-override'] as string;
    serveGo(net, v['http-port'], (req, res) => route(ctx, req, res, override), { signal: stop.signal, tls });
    goLog(io, `Started HTTP server on port ${v['http-port']}`);
  } catch (e) { goLog(io, (e as Error).message); stop.abort(); return 1; }
  const code = await done;
  io.signal.removeEventListener('abort', onAbort);
  stop.abort();
  return code;
}

async function udpCommand(ctx: Ctx, msg: Buffer, from: { ip: string; port: number }): Promise<string | undefined> {
  const text = msg.toString().trim().toLowerCase();
  const client = joinHostPort(from.ip, from.port);
  if (text === 'hostname') { goLog(ctx.io, 'Sending udp hostName response'); return hostnameOf(ctx.io); }
  if (text.startsWith('echo ')) { const resp = text.slice(5); goLog(ctx.io, `Echoing ${resp} to UDP client ${client}`); return resp; }
  if (text === 'clientip') { goLog(ctx.io, `Sending clientip back to UDP client ${client}`); return client; }
  if (text) goLog(ctx.io, `Unknown UDP command received from ${client}: ${text}`);
  return undefined;
}

/** Go's r.FormValue: the query, and for POST/PUT/PATCH form bodies the body too. */
async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  if (['POST', 'PUT', 'PATCH'].includes(req.method ?? '') && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    let body = '';
    for await (const c of req) body += c;
    for (const [k, val] of new URLSearchParams(body)) q.append(k, val);
  }
  return q;
}

async function route(ctx: Ctx, req: IncomingMessage, res: ServerResponse, override: string): Promise<void> {
  const target = override || req.url || '/';
  const u = new URL(target, 'http://x');
  const q = override ? u.searchParams : await formOf(req);
  const { io } = ctx;
  switch (u.pathname) {
    case '/clientip': goLog(io, 'GET /clientip'); res.end(`${req.socket.remoteAddress}:${req.socket.remotePort}`); return;
    case '/echo': {
      const msg = q.get('msg') ?? '', code = q.get('code') ?? '';
      goLog(io, `GET /echo?msg=${msg}&code=${code}`);
      if (code) {
        if (!/^[+-]?\d+$/.test(code)) { res.end(`argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n`); return; }
        res.statusCode = Number(code);
      }
      res.end(msg); return;
    }
    case '/hostname': goLog(io, 'GET /hostname'); res.end(hostnameOf(io)); return;
    case '/hostName': goLog(io, 'GET /hostName'); res.end(hostnameOf(io)); return;
    case '/healthz': goLog(io, 'GET /healthz'); res.statusCode = ctx.ready ? 200 : 412; res.end(); return;
    case '/shutdown': goLog(io, 'GET /shutdown'); res.end(); ctx.exit(0); return;
    case '/exit': return exit(ctx, q, res);
    case '/dial': return dial(ctx, u.searchParams, res);
    case '/redirect': {
      const location = q.get('location') ?? '', code = q.get('code') ?? '';
      goLog(io, `${req.method} /redirect?msg=${location}&code=${code}`);
      if (code && !/^[+-]?\d+$/.test(code)) { res.end(`argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n`); return; }
      res.statusCode = code ? Number(code) : 302;
      res.setHeader('Location', location);
      if (req.method === 'GET' || req.method === 'HEAD') { res.setHeader('Content-Type', 'text/html; charset=utf-8'); res.end(`<a href="${location}">${statusText(res.statusCode)}</a>.\n\n`); } else res.end();
      return;
    }
    case '/shell': {
      const cmd = q.get('shellCommand') || q.get('cmd') || '';
      goLog(io, `GET /shell?cmd=${cmd}`);
      const r = await runShell(io, cmd);
      const out: Record<string, string> = {};
      if (r.output) out.output = r.output;
      if (r.exitCode !== 0) out.error = `exit status ${r.exitCode}`;
      res.end(JSON.stringify(out)); return;
    }
    case '/upload': return upload(ctx, req, res);
    default: goLog(io, 'GET /'); res.end(`NOW: ${goTime(io.now())}`);
  }
}

function statusText(code: number): string { return ({ 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' } as Record<number, string>)[code] ?? ''; }

async function exit(ctx: Ctx, q: URLSearchParams, res: ServerResponse): Promise<void> {
  const wait = q.get('wait') ?? '', timeout = q.get('timeout') ?? '', code = q.get('code') ?? '';
  goLog(ctx.io, `GET /exit?code=${code}&timeout=${timeout}&wait=${wait}`);
  const t = timeout ? parseDuration(timeout) : 0, w = wait ? parseDuration(wait) : 0;
  if (t === undefined) { res.end(`argument 'timeout' must be a valid golang duration or empty, got ${JSON.stringify(timeout)}\n`); return; }
  if (w === undefined) { res.end(`argument 'wait' must be a valid golang duration or empty, got ${JSON.stringify(wait)}\n`); return; }
  if (code && !/^[+-]?\d+$/.test(code)) { res.end(`argument 'code' must be an integer [0-127] or empty, got ${JSON.stringify(code)}\n`); return; }
  const n = code ? Number(code) : 0;
  goLog(ctx.io, `Will begin shutdown in ${wait || '0s'}, allowing ${timeout || '0s'} for connections to close, then will exit with ${n}`);
  if (w > 0) await ctx.io.sleep(w, ctx.io.signal);
  if (t > 0) res.end();
  else res.destroy();
  ctx.exit(n);
}

async function dial(ctx: Ctx, q: URLSearchParams, res: ServerResponse): Promise<void> {
  const host = q.get('host') ?? '', port = q.get('port') ?? '', request = q.get('request') ?? '', protocol = (q.get('protocol') ?? '').toLowerCase(), triesRaw = q.get('tries') ?? '';
  goLog(ctx.io, `GET /dial?host=${host}&protocol=${protocol}&port=${port}&request=${request}&tries=${triesRaw}`);
  const fail = (msg: string) => { res.statusCode = 400; res.setHeader('Content-Type', 'text/plain; charset=utf-8'); res.setHeader('X-Content-Type-Options', 'nosniff'); res.end(`${msg}\n`); };
  if (triesRaw && !/^[+-]?\d+$/.test(triesRaw)) return fail(`tries parameter is invalid. strconv.Atoi: parsing ${JSON.stringify(triesRaw)}: invalid syntax`);
  const tries = triesRaw ? Number(triesRaw) : 1;
  if (!request) return fail('request parameter not specified. <nil>');
  if (!['', 'http', 'udp', 'sctp'].includes(protocol)) return fail(`unsupported protocol. ${protocol}`);
  if (!/^\d+$/.test(port) || Number(port) > 65535) return fail(`host and/or port param are invalid. ${port ? `address ${port}: invalid port` : `missing port in address`}`);
  const responses: string[] = [], errors: string[] = [];
  let last = '';
  for (let i = 0; i < tries; i++) {
    try {
      if (protocol === 'udp') last = (await ctx.net.datagram(host, Number(port), request, { timeoutMs: 5000, sleep: ctx.io.sleep })).toString();
      else if (protocol === 'sctp') last = await sctpOnce(ctx, host, Number(port), request);
      else last = (await httpRequest(ctx.net, { url: `http://${joinHostPort(host, port)}/${request}`, timeoutMs: 5000, sleep: ctx.io.sleep })).body.toString();
      responses.push(last);
    } catch (e) {
      last = '';
      errors.push(protocol === 'udp' ? `reading from udp connection failed. err:'${(e as Error).message}'` : (e as Error).message);
    }
  }
  const out: Record<string, string[]> = {};
  if (last) out.responses = responses;
  if (errors.length) out.errors = errors;
  res.end(JSON.stringify(out));
}

async function sctpOnce(ctx: Ctx, host: string, port: number, request: string): Promise<string> {
  const c = await ctx.net.connect(host, port, { proto: 'SCTP', timeoutMs: 5000, sleep: ctx.io.sleep });
  c.socket.end(request);
  let out = '';
  for await (const chunk of c.socket) out += chunk;
  return out;
}

async function upload(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  goLog(ctx.io, 'GET /upload');
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('latin1');
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(String(req.headers['content-type'] ?? ''));
  const boundary = m?.[1] ?? m?.[2];
  const part = boundary ? body.split(`--${boundary}`).find((p) => /name="file"/.test(p)) : undefined;
  if (!part) { res.end(JSON.stringify({ error: 'Unable to upload file.' })); return; }
  const content = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '');
  const name = `/uploads/upload${String(Math.floor(ctx.io.now() % 1e9)).padStart(9, '0')}`;
  try {
    await ctx.io.fs.mkdir('/uploads', { recursive: true });
    await ctx.io.fs.writeFile(name, Buffer.from(content, 'latin1'));
    await ctx.io.fs.chmod(name, 0o700);
  } catch { res.end(JSON.stringify({ error: 'Unable to open file for write' })); return; }
  goLog(ctx.io, `Wrote upload to ${name}`);
  res.statusCode = 201;
  res.end(JSON.stringify({ output: name }));
}
