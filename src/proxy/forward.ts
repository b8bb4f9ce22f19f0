// The proxy's round trip: the client's request (method, headers, body, query) goes to the emulated
// server over the simulated network and its answer streams back unchanged but for hop-by-hop
// headers and CORS headers, HTML links and redirects rewritten under the proxy path (rewrite.ts).
// A failed dial is upstream's 503 "error trying to reach service: ...".
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { errors } from '../errors.ts';
import type { Network } from '../netsim/index.ts';
import { joinHostPort } from '../netsim/index.ts';
import type { Location } from './location.ts';
import { pathPrepend, rewriteHtml, rewriteUrl } from './rewrite.ts';
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';

// Not an ESM import of node:http, which would load undici at start-up (see server.ts).
const { request: httpRequestRaw } = process.getBuiltinModule('node:http');

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization']);
/** Where the API server's proxied connections come from in the simulated network. */
export const APISERVER_SOURCE_IP = '172.18.0.1';
/** Upstream's proxy transport gives a dial 30 s. */
const DIAL_TIMEOUT_MS = 30_000;

const WELL_KNOWN: Record<string, number> = { http: 80, https: 443, www: 80, 'http-alt': 8080 };

/** A Location's port as a number, or the error Go's dialer gives for it. */
export function dialPort(loc: Location): number {
  const raw = loc.port;
  if (raw === '') return loc.scheme === 'https' ? 443 : 80;
  if (/^\d+$/.test(raw)) {
    if (Number(raw) > 65535) throw errors.serviceUnavailable(`error trying to reach service: dial tcp: address ${raw}: invalid port`);
    return Number(raw);
  }
  if (WELL_KNOWN[raw] !== undefined) return WELL_KNOWN[raw];
  throw errors.serviceUnavailable(`error trying to reach service: dial tcp: address tcp/${raw}: unknown port`);
}

/** Dial the target; 503 with the dial error when nothing answers there. */
export async function dialTarget(net: Network | undefined, loc: Location, port: number): Promise<Duplex> {
  const target = joinHostPort(loc.host, port);
  if (!net) throw errors.serviceUnavailable(`error trying to reach service: dial tcp ${target}: connect: connection refused`);
  try {
    const c = await net.dial({ ip: APISERVER_SOURCE_IP }, loc.host, port, 'TCP', { timeoutMs: DIAL_TIMEOUT_MS });
    if (loc.scheme !== 'https') return c.socket;
    return await new Promise<Duplex>((resolve, reject) => {
      const s = tlsConnect({ socket: c.socket, rejectUnauthorized: false });
      s.once('secureConnect', () => resolve(s));
      s.once('error', (e) => reject(errors.serviceUnavailable(`error trying to reach service: ${e.message}`)));
    });
  } catch (e) {
    if ((e as any)?.status) throw e;
    throw errors.serviceUnavailable(`error trying to reach service: ${(e as Error).message}`);
  }
}

const CORS = ['access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods', 'access-control-allow-origin'];

/** Send the request on and stream the answer back (HTML and Location rewritten under the proxy path). */
export async function roundTrip(socket: Duplex, loc: Location, port: number, target: { path: string; rawQuery: string; requestPath: string }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path, rawQuery } = target;
  const prefix = pathPrepend(target.requestPath, path);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k) && !k.startsWith('impersonate-')) headers[k] = v;
  const fwd = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = fwd ? `${fwd}, ${req.socket.remoteAddress ?? ''}` : String(req.socket.remoteAddress ?? '');
  headers['x-forwarded-uri'] = forwardedUri(prefix, path);
  headers.host = joinHostPort(loc.host, port);
  const requestHost = String(req.headers.host ?? '');
  await new Promise<void>((resolve, reject) => {
    const out = httpRequestRaw({ method: req.method, path: `${path}${rawQuery ? `?${rawQuery}` : ''}`, headers, createConnection: () => socket as any }, (up) => {
      res.statusCode = up.statusCode ?? 502;
      if (up.statusMessage) res.statusMessage = up.statusMessage;
      const location = up.headers.location;
      const html = !location && String(up.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() === 'text/html';
      for (let i = 0; i < up.rawHeaders.length; i += 2) {
        const k = up.rawHeaders[i], lk = k.toLowerCase();
        if (HOP.has(lk) || CORS.includes(lk) || (html && lk === 'content-length')) continue;
        res.appendHeader(k, lk === 'location' ? rewriteUrl(up.rawHeaders[i + 1], prefix, requestHost) : up.rawHeaders[i + 1]);
      }
      up.on('error', () => { res.destroy(); resolve(); });
      if (!html) { up.pipe(res); up.on('end', () => resolve()); return; }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = rewriteBody(Buffer.concat(chunks), String(up.headers['content-encoding'] ?? ''), prefix, requestHost);
        res.setHeader('Content-Length', body.length);
        res.end(req.method === 'HEAD' ? undefined : body);
        resolve();
      });
    });
    out.on('error', (e) => {
      if (res.headersSent) { res.destroy(); resolve(); return; }
      reject(errors.serviceUnavailable(`error trying to reach service: ${e.message === 'socket hang up' ? 'EOF' : e.message}`));
    });
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
}

function forwardedUri(prefix: string, path: string): string {
  const joined = `/${`${prefix}/${path}`.split('/').filter(Boolean).join('/')}`;
  return path.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined;
}

/** Rewrite an HTML body, through its gzip/deflate encoding when it has one (others pass unchanged). */
function rewriteBody(body: Buffer, encoding: string, prefix: string, host: string): Buffer {
  const enc = encoding.trim().toLowerCase();
  try {
    if (enc === 'gzip') return gzipSync(Buffer.from(rewriteHtml(gunzipSync(body).toString('latin1'), prefix, host), 'latin1'));
    if (enc === 'deflate') return deflateSync(Buffer.from(rewriteHtml(inflateSync(body).toString('latin1'), prefix, host), 'latin1'));
    if (enc && enc !== 'identity') return body;
    return Buffer.from(rewriteHtml(body.toString('latin1'), prefix, host), 'latin1');
  } catch { return body; }
}
