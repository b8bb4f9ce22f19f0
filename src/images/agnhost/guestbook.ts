// agnhost guestbook: the guestbook e2e application without Redis. A primary keeps a key-value
// store served on --http-port (/get, /set, /register); a replica (--replicaof HOST) registers with
// the primary on --backend-port and receives its store and every later /set; the frontend's
// /guestbook?cmd=set|get proxies to the agnhost-primary or agnhost-replica Service. All over the
// simulated network, on simulated time.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgramIO } from '../types.ts';
import { forPod, httpRequest, joinHostPort } from '../../netsim/index.ts';
import type { PodNet } from '../../netsim/index.ts';
import { serveGo } from '../go-http.ts';
import { cobraFlags, goLog, SIGTERM_EXIT, stopped } from '../program-kit.ts';

const REGISTER_TIMEOUT_MS = 15_000;
const RETRY_MS = 1000;
const CLIENT_TIMEOUT_MS = 5000;

interface State { io: ProgramIO; net: PodNet; backendPort: string; store: Record<string, unknown>; replicas: string[] }

export async function guestbook(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost guestbook', args, {
    'http-port': { type: 'string', default: '80' }, 'backend-port': { type: 'string', default: '6379' }, replicaof: { type: 'string', default: '' },
  });
  if (!f) return 1;
  const v = f.values as Record<string, string>;
  const port = Number(v['http-port']);
  if (!Number.isInteger(port) || port < 1 || port > 65535) { goLog(io, `listen tcp: address ${v['http-port']}: invalid port`); return 1; }
  const s: State = { io, net: forPod(io.pod), backendPort: v['backend-port'], store: {}, replicas: [] };
  try { serveGo(s.net, port, (req, res) => route(s, req, res), { signal: io.signal }); } catch (e) { goLog(io, (e as Error).message); return 1; }
  let fatal: number | undefined;
  if (v.replicaof) void register(s, v.replicaof).then((ok) => { if (!ok) fatal = 1; });
  await Promise.race([stopped(io), waitFatal(() => fatal, io)]);
  return fatal ?? SIGTERM_EXIT;
}

async function waitFatal(get: () => number | undefined, io: ProgramIO): Promise<void> {
  while (get() === undefined && !io.signal.aborted) await io.sleep(RETRY_MS, io.signal);
}

function dial(s: State, hostPort: string, request: string): Promise<string> {
  return httpRequest(s.net, { url: `http://${hostPort}/${request}`, timeoutMs: CLIENT_TIMEOUT_MS, sleep: s.io.sleep, signal: s.io.signal }).then((r) => r.body.toString());
}

/** A replica registers with its primary (retrying for 15 s) and takes the primary's store. */
async function register(s: State, primary: string): Promise<boolean> {
  const hostPort = joinHostPort(primary, Number(s.backendPort));
  const until = s.io.now() + REGISTER_TIMEOUT_MS;
  while (s.io.now() < until && !s.io.signal.aborted) {
    try {
      s.net.lookup(primary);
      // Upstream takes the local address of a UDP socket towards the primary: the pod's IP. Until the
      // network knows it, that is retried as getIP's failure is (never registered as loopback: the
      // primary would then propagate each /set to itself, without end).
      const own = s.net.ip;
      if (own === '127.0.0.1' || own === '::1') throw new Error(`unable to get IP ${hostPort}: the pod has no address yet`);
      const request = `register?host=${own}`;
      goLog(s.io, `Registering to primary: ${hostPort}/${request}`);
      const data = JSON.parse(await dial(s, hostPort, request))?.data;
      if (!data || typeof data !== 'object') { goLog(s.io, `Could not cast responseJSON: ${JSON.stringify(data)}`); return false; }
      s.store = data;
      goLog(s.io, `Registered to node: ${primary}`);
      return true;
    } catch (e) {
      goLog(s.io, `encountered error while registering to primary: ${(e as Error).message}. Retrying in 1s.`);
      await s.io.sleep(RETRY_MS, s.io.signal);
    }
  }
  if (!s.io.signal.aborted) goLog(s.io, 'Timed out while registering to primary.');
  return s.io.signal.aborted;
}

function fail(res: ServerResponse, code: number, msg: string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(`${msg}\n`);
}

async function route(s: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://x');
  const q = u.searchParams;
  switch (u.pathname) {
    case '/register': {
      const ip = q.get('host') ?? '';
      goLog(s.io, `GET /register?host=${ip}`);
      res.end(JSON.stringify({ data: s.store }));
      s.replicas.push(ip);
      goLog(s.io, `Node '${ip}' registered.`);
      return;
    }
    case '/get': {
      const key = q.get('key') ?? '';
      goLog(s.io, `GET /get?key=${key}`);
      res.end(JSON.stringify({ data: key === '' ? s.store : Object.hasOwn(s.store, key) ? s.store[key] : '' }));
      return;
    }
    case '/set': {
      const key = q.get('key') ?? '', value = q.get('value') ?? '';
      goLog(s.io, `GET /set?key=${key}&value=${value}`);
      if (!key) { fail(res, 400, 'cannot set with empty key.'); return; }
      s.store[key] = value;
      for (const replica of s.replicas) {
        try { await dial(s, joinHostPort(replica, Number(s.backendPort)), `set?key=${encodeURIComponent(key)}&value=${encodeURIComponent(value)}`); } catch (e) {
          fail(res, 417, `encountered error while propagating to replica '${replica}': ${(e as Error).message}`);
          return;
        }
      }
      res.end(JSON.stringify({ message: 'Updated' }));
      return;
    }
    case '/guestbook': {
      const cmd = (q.get('cmd') ?? '').toLowerCase(), key = q.get('key') ?? '', value = q.get('value') ?? '';
      goLog(s.io, `GET /guestbook?cmd=${cmd}&key=${key}&value=${value}`);
      if (cmd !== 'get' && cmd !== 'set') { fail(res, 400, `unsupported cmd: '${cmd}'`); return; }
      if (cmd === 'set' && !key) { fail(res, 400, 'cannot set with empty key.'); return; }
      const host = cmd === 'get' ? 'agnhost-replica' : 'agnhost-primary';
      try { s.net.lookup(host); } catch (e) { fail(res, 400, `host and/or port param are invalid. ${(e as Error).message}`); return; }
      try { res.end(await dial(s, joinHostPort(host, Number(s.backendPort)), `${cmd}?key=${encodeURIComponent(key)}&value=${encodeURIComponent(value)}`)); } catch (e) {
        fail(res, 417, `encountered error: ${(e as Error).message}`);
      }
      return;
    }
    default: fail(res, 404, '404 page not found');
  }
}
