// HTTP/2 for clients that negotiate it in TLS ALPN, as kube-apiserver offers `h2` and `http/1.1`:
// client-go and kubectl then share one connection among many requests and watches, and the frames
// of many watches leave in few socket writes. Clients that ask for HTTP/1.1 (or no ALPN at all),
// and every upgrade (exec, attach, port-forward over SPDY or WebSocket), are served by Node's
// HTTPS server that listens on the port, whose events ('upgrade', 'clientError',
// 'checkContinue', ...) reach the same handlers as before.
//
// The application sees an HTTP/2 request as it sees an HTTP/1.1 one, as Go's net/http shows both
// alike: headers without the pseudo-headers, `host` from `:authority`; and response headers that
// HTTP/2 forbids (Connection, Keep-Alive, Transfer-Encoding, Upgrade) are dropped rather than
// thrown on, as Go's HTTP/2 server drops them.
//
// node:http2 (with the `assert` module it loads, ~3.5 ms of a start's CPU) and the HTTP/2 server load
// when first needed (prepareHttp2, or the first connection that negotiates h2): the listening server
// offers h2 and http/1.1 in ALPN and hands each h2 connection to an HTTP/2 server that never listens.
import type { Http2SecureServer, Http2ServerRequest as H2ServerRequest, SecureServerOptions, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { H2Request, H2Response, isPlainExchange } from './h2-exchange.ts';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * kube-apiserver's HTTP/2 settings (k8s.io/apiserver pkg/server/secure_serving.go): at most 100
 * concurrent streams per connection (its default with --http2-max-streams-per-connection unset),
 * 256 KiB frames and per-stream receive window (the 99th percentile of request bodies), a
 * connection window of that times the stream limit, and a 90 s idle timeout.
 */
export const H2_MAX_STREAMS = 100;
const RESOURCE_BODY_99TH = 256 * 1024;
const IDLE_TIMEOUT_MS = 90_000;
/** Go's default MaxHeaderBytes (1 MiB) plus its per-field allowance, as its HTTP/2 server advertises. */
const MAX_HEADER_LIST = (1 << 20) + 32 * 10;

/** Response headers specific to an HTTP/1.x connection: not sent over HTTP/2. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

const isConnectionHeader = (name: string) => CONNECTION_HEADERS.has(name.toLowerCase());

/** The compatibility classes, made when node:http2 first loads. */
function compatClasses(http2: typeof import('node:http2')) {
  const { Http2ServerRequest, Http2ServerResponse } = http2;
  /** A request over HTTP/2 with the headers an HTTP/1.1 request of the same would have. */
  class ApiHttp2Request extends Http2ServerRequest {
    /** As IncomingMessage.headersDistinct: every header's values, in order. */
    declare readonly headersDistinct: Record<string, string[]>;
  }

  const baseHeaders = Object.getOwnPropertyDescriptor(Http2ServerRequest.prototype, 'headers')!.get!;
  interface Plain { headers: IncomingHttpHeaders; raw?: string[]; distinct?: Record<string, string[]> }
  /** The request's headers as HTTP/1.1 shows them, made on first use and kept on the request. */
  const PLAIN = Symbol('plainHeaders');
  type WithPlain = H2ServerRequest & { [PLAIN]?: Plain };

  function plainOf(req: WithPlain): Plain {
    const kept = req[PLAIN];
    if (kept) return kept;
    const all = baseHeaders.call(req) as IncomingHttpHeaders;
    const headers: IncomingHttpHeaders = {};
    const authority = all[':authority'];
    if (authority !== undefined && all.host === undefined) headers.host = authority as string;
    for (const k in all) if (k.charCodeAt(0) !== 58 /* : */) headers[k] = all[k];
    return (req[PLAIN] = { headers });
  }

  const baseRawHeaders = Object.getOwnPropertyDescriptor(Http2ServerRequest.prototype, 'rawHeaders')!.get!;

  /** The header fields as received (a repeated field stays repeated), without pseudo-headers. */
  function rawOf(req: H2ServerRequest): string[] {
    const p = plainOf(req);
    if (p.raw) return p.raw;
    const all = baseRawHeaders.call(req) as string[];
    const out: string[] = [];
    let host = false;
    for (let i = 0; i < all.length; i += 2) {
      if (all[i].charCodeAt(0) === 58 /* : */) continue;
      if (all[i] === 'host') host = true;
      out.push(all[i], all[i + 1]);
    }
    if (!host && typeof p.headers.host === 'string') out.unshift('host', p.headers.host);
    return (p.raw = out);
  }

  Object.defineProperties(ApiHttp2Request.prototype, {
    headers: { configurable: true, get(this: H2ServerRequest) { return plainOf(this).headers; }, set(this: H2ServerRequest, v: IncomingHttpHeaders) { plainOf(this).headers = v; } },
    rawHeaders: { configurable: true, get(this: H2ServerRequest) { return rawOf(this); } },
    headersDistinct: { configurable: true, get(this: H2ServerRequest) {
      const p = plainOf(this);
      if (p.distinct) return p.distinct;
      const out: Record<string, string[]> = Object.create(null); // as Node makes it: any name is a header
      const raw = rawOf(this);
      for (let i = 0; i < raw.length; i += 2) (out[raw[i]] ??= []).push(raw[i + 1]);
      return (p.distinct = out);
    } },
  });

  /** A response over HTTP/2 that drops HTTP/1.x connection headers instead of failing on them. */
  class ApiHttp2Response extends Http2ServerResponse<any> {
    override setHeader(name: string, value: number | string | readonly string[]): this {
      if (!isConnectionHeader(name)) super.setHeader(name, value);
      return this;
    }

    override appendHeader(name: string, value: string | string[]): this {
      if (!isConnectionHeader(name)) super.appendHeader(name, value);
      return this;
    }

    override writeHead(status: number, ...rest: unknown[]): this {
      const headers = rest[rest.length - 1];
      const message = typeof rest[0] === 'string' ? [rest[0]] : [];
      if (headers && typeof headers === 'object') return super.writeHead(status, ...(message as []), withoutConnectionHeaders(headers as OutgoingHttpHeaders | string[]) as OutgoingHttpHeaders);
      return super.writeHead(status, ...(message as []));
    }
  }

  // HTTP/2 has no reason phrase: one set (Go's plain answers set one) is ignored without a warning.
  Object.defineProperty(ApiHttp2Response.prototype, 'statusMessage', { configurable: true, get: () => '', set: () => {} });
  return { ApiHttp2Request, ApiHttp2Response };
}

function withoutConnectionHeaders(h: OutgoingHttpHeaders | string[]): OutgoingHttpHeaders | string[] {
  if (Array.isArray(h)) {
    const out: string[] = [];
    for (let i = 0; i < h.length; i += 2) if (!isConnectionHeader(h[i])) out.push(h[i], h[i + 1]);
    return out;
  }
  const out: OutgoingHttpHeaders = {};
  for (const k of Object.keys(h)) if (!isConnectionHeader(k)) out[k] = h[k];
  return out;
}

/** The HTTPS server: HTTP/2 where the client negotiates it, HTTP/1.1 otherwise, one handler for both. */
export function createApiSecureServer(tls: SecureServerOptions & { requireHostHeader?: boolean }, app: (req: any, res: any) => void): HttpsServer {
  const server = process.getBuiltinModule('node:https').createServer({ ...tls, ALPNProtocols: ['h2', 'http/1.1'] }, app);
  // Node's HTTP/1.1 connection listener, which https.Server adds for 'secureConnection'.
  const h1 = server.listeners('secureConnection') as ((this: HttpsServer, s: TLSSocket) => void)[];
  if (h1.length !== 1) throw new Error('https.Server without its one secureConnection listener');
  server.removeListener('secureConnection', h1[0]);
  let h2: Http2SecureServer | undefined;
  const made = () => (h2 ??= http2Server(server));
  PREPARE.set(server, made);
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol === 'h2') made().emit('secureConnection', socket);
    else h1[0].call(server, socket);
  });
  // Closing the server closes the HTTP/2 sessions too, as an HTTP/2 server's close does.
  const close = server.close;
  server.close = function (this: HttpsServer, cb?: (err?: Error) => void) {
    close.call(this, cb);
    h2?.close();
    return this;
  };
  return server;
}

const PREPARE = new WeakMap<object, () => unknown>();

/**
 * Make the HTTP/2 server of a server from createApiSecureServer now rather than on the first h2
 * connection (after ready, so that kubectl's first request does not wait for node:http2 to load).
 */
export function prepareHttp2(server: object): void {
  PREPARE.get(server)?.();
}

/**
 * The HTTP/2 server the listening server hands h2 connections to: its requests, and its
 * 100-continue and Expect checks, reach the listening server's listeners.
 */
function http2Server(outer: HttpsServer): Http2SecureServer {
  const http2 = process.getBuiltinModule('node:http2');
  const { ApiHttp2Request, ApiHttp2Response } = compatClasses(http2);
  const server = http2.createSecureServer<any, any, any, any>({
    Http2ServerRequest: ApiHttp2Request,
    Http2ServerResponse: ApiHttp2Response,
    maxHeaderListPairs: 2000, // Node's HTTP/1.1 limit (maxHeadersCount); its HTTP/2 default is 128
    maxSessionMemory: 64,
    settings: { maxConcurrentStreams: H2_MAX_STREAMS, maxFrameSize: RESOURCE_BODY_99TH, initialWindowSize: RESOURCE_BODY_99TH, maxHeaderListSize: MAX_HEADER_LIST },
  }, (req: unknown, res: unknown) => { outer.emit('request', req, res); });
  for (const event of ['checkContinue', 'checkExpectation']) {
    if (outer.listenerCount(event) > 0) server.on(event, (req: unknown, res: unknown) => { outer.emit(event, req, res); });
  }
  servePlainExchanges(server);
  server.on('session', configureSession);
  // A session's protocol error ends that session; the server carries on.
  server.on('sessionError', () => {});
  return server;
}

/**
 * Streams of plain requests (h2-exchange.ts) get a light request/response pair; the rest go to
 * Node's compatibility layer as before. Both reach the server's 'request' listeners.
 */
function servePlainExchanges(server: Http2SecureServer): void {
  // The compatibility layer's own 'stream' listener, added when the request handler was.
  const compat = server.listeners('stream') as ((...a: unknown[]) => void)[];
  if (compat.length !== 1) return; // not the layout this relies on: leave it all to the compatibility layer
  server.removeListener('stream', compat[0]);
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
    if (!isPlainExchange(headers)) { compat[0].call(server, stream, headers, flags, rawHeaders); return; }
    const req = new H2Request(stream, headers, rawHeaders);
    server.emit('request', req, new H2Response(req));
  });
}

function configureSession(session: ServerHttp2Session): void {
  session.setLocalWindowSize(RESOURCE_BODY_99TH * H2_MAX_STREAMS);
  // Idle as Go's IdleTimeout counts it: no stream open. A connection with open watches is not idle.
  let open = 0;
  session.on('stream', (stream) => { open++; stream.once('close', () => { open--; }); });
  session.setTimeout(IDLE_TIMEOUT_MS, () => { if (open === 0) session.close(); });
  session.on('error', () => {});
}
