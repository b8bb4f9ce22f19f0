// HTTP over the simulated network with Node's own HTTP machinery: a client request runs over a
// dialled in-memory connection (TLS wrapped around it for https), and a server is Node's http(s)
// server fed with accepted in-memory connections. Nothing here resolves or dials for real.
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { PodNet } from './pod-net.ts';
import { NetError } from './types.ts';
import type { DialOptions, Listening } from './types.ts';
import type { Connection } from './network.ts';

// Not an ESM import: that reads every export of node:http, and its lazy WebSocket/EventSource getters
// load undici (20+ ms of start-up; see server.ts).
const { request: httpRequestRaw, createServer: createHttpServer } = process.getBuiltinModule('node:http');

export interface HttpRequestOptions extends DialOptions {
  url: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  /** Accept any server certificate (curl -k); otherwise `ca` must sign it. */
  insecure?: boolean;
  ca?: string | Buffer;
  /** The name the server's certificate must carry (default: the URL's host when it is a name). */
  servername?: string;
  /** Stop reading the body after this many bytes (the response is cut short, not an error). */
  maxBody?: number;
}

export interface HttpResponse {
  status: number; statusText: string; httpVersion: string;
  headers: IncomingHttpHeaders; rawHeaders: string[]; body: Buffer;
}

/** Something that can open a connection: a pod's handle, or the API server's dialer. */
export interface Dialing { connect(host: string, port: number, opts?: DialOptions): Promise<Connection> }

function parseUrl(raw: string): URL {
  let u: URL;
  try { u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`); } catch { throw new NetError('EINVAL', `parse ${JSON.stringify(raw)}: invalid URL`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new NetError('EINVAL', `unsupported protocol scheme ${JSON.stringify(u.protocol.slice(0, -1))}`);
  return u;
}

/** One HTTP exchange over the simulated network; the timeout (simulated) covers dial and answer. */
export async function httpRequest(from: Dialing, o: HttpRequestOptions): Promise<HttpResponse> {
  const u = parseUrl(o.url);
  const tls = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : tls ? 443 : 80;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const timer = o.timeoutMs !== undefined && o.sleep ? deadline(o.timeoutMs, o) : undefined;
  try {
    const work = (async () => {
      const conn = await from.connect(host, port, o);
      let socket: Duplex = conn.socket;
      if (tls) socket = await handshake(socket, host, o);
      return exchange(socket, u, o);
    })();
    return await (timer ? Promise.race([work, timer.promise]) : work);
  } finally { timer?.cancel(); }
}

function deadline(ms: number, o: DialOptions): { promise: Promise<never>; cancel(): void } {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const promise = o.sleep!(ms, ac.signal).then(() => { throw new NetError('ETIMEDOUT', 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'); });
  promise.catch(() => {});
  return { promise, cancel: () => { o.signal?.removeEventListener('abort', onAbort); ac.abort(); } };
}

function handshake(raw: Duplex, host: string, o: HttpRequestOptions): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ socket: raw, servername: o.servername ?? (/^[\d.:]+$/.test(host) ? undefined : host), rejectUnauthorized: !o.insecure, ca: o.ca });
    s.once('secureConnect', () => resolve(s));
    s.once('error', (e) => reject(new NetError('EINVAL', `tls: ${e.message}`)));
  });
}

function exchange(socket: Duplex, u: URL, o: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequestRaw({
      method: o.method ?? 'GET', host: u.hostname, port: u.port || undefined, path: `${u.pathname}${u.search}`,
      headers: o.headers, createConnection: () => socket as any,
    }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (o.maxBody !== undefined && size >= o.maxBody) return;
        chunks.push(c); size += c.length;
      });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', httpVersion: res.httpVersion,
        headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks),
      }));
      res.on('error', (e) => reject(new NetError('ECONNREFUSED', `read: ${e.message}`)));
    });
    req.on('error', (e: NodeJS.ErrnoException) => reject(new NetError('ECONNREFUSED', e.code === 'ECONNRESET' ? 'EOF' : e.message)));
    const abort = () => req.destroy();
    o.signal?.addEventListener('abort', abort, { once: true });
    req.on('close', () => o.signal?.removeEventListener('abort', abort));
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export interface ServeOptions { signal?: AbortSignal; tls?: { cert: string | Buffer; key: string | Buffer } }

/** Serve HTTP(S) on a port of the pod until `signal` aborts; the server is Node's, fed in-memory connections. */
export function serveHttp(net: PodNet, port: number, handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>, o: ServeOptions = {}): { listening: Listening; server: Server } {
  const listener: RequestListener = (req, res) => {
    Promise.resolve(handler(req, res)).catch((e) => {
      if (!res.headersSent) { res.statusCode = 500; res.end(String((e as Error)?.message ?? e)); } else res.destroy();
    });
  };
  const server: Server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, listener) as unknown as Server : createHttpServer(listener);
  const sockets = new Set<Duplex>();
  const listening = net.listenStream(port, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    server.emit('connection', socket);
  }, o.signal);
  o.signal?.addEventListener('abort', () => { for (const s of sockets) s.destroy(); sockets.clear(); }, { once: true });
  return { listening, server };
}
