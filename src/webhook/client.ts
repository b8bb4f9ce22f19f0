// The one client Skiff uses to call out: admission webhooks, CRD conversion webhooks and aggregated
// API servers. It resolves a WebhookClientConfig (a URL, or a Service through its endpoints), checks
// the server's certificate against the caBundle with the server name upstream expects
// (`<service>.<namespace>.svc`), bounds the call by a timeout and the response by a size, and reports
// failures in the words upstream's REST client uses (`Post "<url>": …`, decoding errors, HTTP errors).
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import { resolveService } from './resolve.ts';
import { httpsTransport } from './https.ts';
import { DialError, isSimulatedAddress, simulatedTransport } from './transport.ts';
import type { TransportRequest, TransportResponse } from './transport.ts';

export interface ServiceReference { namespace: string; name: string; path?: string; port?: number }
export interface ClientConfig { url?: string; service?: ServiceReference; caBundle?: string }

/** A call that did not produce a usable answer; `message` is what follows `failed to call webhook: `. */
export class CallError extends Error {
  /** The HTTP status when the server answered with an error status. */
  readonly httpStatus?: number;
  constructor(message: string, httpStatus?: number) { super(message); this.httpStatus = httpStatus; }
}

export interface CallOptions {
  timeoutMs: number;
  method?: string;
  /** Path and query below the config's URL or service path (aggregation); default: the config's own path. */
  path?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer;
  /** Add `?timeout=Ns` as upstream's REST client does for a deadline. */
  timeoutParam?: boolean;
  maxBytes?: number;
  cert?: string;
  key?: string;
  /** Skip server certificate checks (APIService insecureSkipTLSVerify). */
  insecure?: boolean;
  /** Resolve once headers arrive, with the body as a stream (the timeout stops applying then). */
  stream?: boolean;
}

/** Upstream bounds webhook responses by the request body limit (3 MiB) times ten for conversion of lists. */
export const DEFAULT_MAX_BYTES = 30 * 1024 * 1024;

export interface Target { url: string; host: string; serverName: string; address: () => Promise<{ address: string; port: number }>; path: string }

export class WebhookClient {
  private readonly store: Store;
  private readonly clock: Clock;
  constructor(store: Store, clock: Clock) { this.store = store; this.clock = clock; }

  /** Where a client config points: the URL shown in errors, the TLS name, and how to find an address. */
  target(cc: ClientConfig, extraPath?: string): Target {
    if (cc.service) {
      const s = cc.service;
      const port = s.port || 443;
      const serverName = `${s.name}.${s.namespace}.svc`;
      const host = `${serverName}:${port}`;
      const path = joinPath(s.path ?? '', extraPath);
      return { url: `https://${host}${path}`, host, serverName, path, address: () => resolveService(this.store, s.namespace, s.name, port) };
    }
    if (!cc.url) throw new CallError('webhook configuration must have either service or URL');
    let u: URL;
    try { u = new URL(cc.url); } catch (e) { throw new CallError(`Unparsable URL: parse ${JSON.stringify(cc.url)}: invalid URL`); }
    const hostname = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port || 443);
    const path = joinPath(u.pathname === '/' && !cc.url.endsWith('/') ? '' : u.pathname, extraPath) + (extraPath ? '' : u.search);
    return { url: `${u.protocol}//${u.host}${path}`, host: u.host, serverName: hostname, path, address: async () => ({ address: hostname, port }) };
  }

  /** POSTs (or sends `method`) to the config's server; resolves with the HTTP answer, whatever its status. */
  async call(cc: ClientConfig, o: CallOptions): Promise<TransportResponse & { url: string }> {
    const t = this.target(cc, o.path);
    const seconds = Math.max(1, Math.ceil(o.timeoutMs / 1000));
    const sep = t.path.includes('?') ? '&' : '?';
    const path = (t.path || '/') + (o.timeoutParam === false ? '' : `${sep}timeout=${seconds}s`);
    const url = `${t.url.slice(0, t.url.length - t.path.length)}${t.path}${o.timeoutParam === false ? '' : `${sep}timeout=${seconds}s`}`;
    const method = o.method ?? 'POST';
    const verb = method[0] + method.slice(1).toLowerCase();
    const ac = new AbortController();
    const timer = this.clock.setTimeout(() => ac.abort(), o.timeoutMs);
    try {
      const { address, port } = await t.address().catch((e) => { throw e instanceof DialError ? e : new DialError(String((e as Error).message)); });
      const req: TransportRequest = {
        address, port, ca: decodeCA(cc.caBundle), serverName: t.serverName, host: t.host, path, method,
        headers: { Accept: 'application/json, */*', 'Content-Type': 'application/json', 'User-Agent': 'skiff-apiserver', ...o.headers },
        body: o.body, signal: ac.signal, maxBytes: o.maxBytes ?? DEFAULT_MAX_BYTES, cert: o.cert, key: o.key, insecure: o.insecure, stream: o.stream,
      };
      const res = await race(this.transportFor(address)(req), ac.signal);
      return { ...res, url };
    } catch (e) {
      if (e instanceof DialError || ac.signal.aborted) throw new CallError(`${verb} ${JSON.stringify(url)}: ${ac.signal.aborted ? 'context deadline exceeded' : (e as Error).message}`);
      throw e;
    } finally {
      timer.cancel();
    }
  }

  /** POSTs a JSON object and decodes a JSON object answer as upstream's REST client `Do().Into()`. */
  async postJSON(cc: ClientConfig, body: unknown, o: Omit<CallOptions, 'body'>): Promise<Record<string, any>> {
    const res = await this.call(cc, { ...o, body: Buffer.from(JSON.stringify(body)) });
    return decodeAnswer(res);
  }

  private transportFor(address: string) {
    if (!isSimulatedAddress(address)) return httpsTransport;
    const sim = simulatedTransport();
    if (sim) return sim;
    // The simulated network is not wired: the address is as unreachable as a dead pod's.
    return async (r: TransportRequest): Promise<TransportResponse> => { throw new DialError(`dial tcp ${r.address}:${r.port}: connect: no route to host`); };
  }
}

function joinPath(base: string, extra?: string): string {
  if (!extra) return base;
  return base.replace(/\/$/, '') + (extra.startsWith('/') ? extra : `/${extra}`);
}

function decodeCA(b64?: string): string | undefined {
  if (!b64) return undefined;
  return Buffer.from(b64, 'base64').toString('latin1');
}

function race<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DialError('context deadline exceeded'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DialError('context deadline exceeded'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

/** A response as upstream's REST client turns it into an object or an error. */
export function decodeAnswer(res: TransportResponse): Record<string, any> {
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status > 206) {
    const st = parseJSON(text);
    if (st && st.kind === 'Status' && typeof st.message === 'string' && st.message) throw new CallError(st.message, res.status);
    throw new CallError(genericResponseMessage(res.status, text), res.status);
  }
  const obj = parseJSON(text);
  if (obj === undefined) throw new CallError(`couldn't get version/kind; json parse error: ${goJsonError(text)}`);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new CallError(`couldn't get version/kind; json parse error: json: cannot unmarshal ${goKind(obj)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  return obj;
}

function parseJSON(text: string): any {
  try { return JSON.parse(text); } catch { return undefined; }
}

const goKind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'bool');

/** encoding/json's syntax error for text JSON.parse refused. */
export function goJsonError(text: string): string {
  const t = text.trimStart();
  if (!t) return 'unexpected end of JSON input';
  const c = t[0];
  if (!'{["-0123456789tfn'.includes(c)) return `invalid character '${c}' looking for beginning of value`;
  return 'unexpected end of JSON input';
}

/** apimachinery's NewGenericServerResponse wording for an error status without a Status body. */
export function genericResponseMessage(code: number, body: string): string {
  const trimmed = body.trim();
  switch (code) {
    case 409: return 'the server reported a conflict';
    case 404: return 'the server could not find the requested resource';
    case 400: return 'the server rejected our request for an unknown reason';
    case 401: return 'the server has asked for the client to provide credentials';
    case 403: return 'the server does not allow access to the requested resource';
    case 405: return 'the server does not allow this method on the requested resource';
    case 406: return 'the server was unable to respond with a content type that the client supports';
    case 410: return 'the server has asked for the client to provide credentials';
    case 413: return 'the server has rejected the request because the request body is too large';
    case 415: return 'the server was unable to handle the media type requested';
    case 422: return 'the server rejected our request due to an error in our request';
    case 429: return 'the server has received too many requests and has asked us to try again later';
    case 503: return 'the server is currently unable to handle the request';
    case 504: return 'the server was unable to return a response in the time allotted, but may still be processing the request';
    default:
      if (code >= 500) return `an error on the server (${JSON.stringify(trimmed || 'unknown')}) has prevented the request from succeeding`;
      return `the server responded with the status code ${code} but did not return more information`;
  }
}
