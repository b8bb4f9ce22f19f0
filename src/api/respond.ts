// Writing responses in the negotiated representation.
import type { ServerResponse } from 'node:http';
import { yaml } from '../util/yaml.ts';
import type { Status } from '../errors.ts';
import { jsonOf } from '../registry/codec.ts';
import { apiObjectJson } from '../registry/wire-form.ts';
import { GO_YAML_OPTIONS } from './yaml-order.ts';
import { indentJson, wantsPretty } from './pretty.ts';
import type { JsonListBody } from '../registry/codec.ts';
import type { Representation } from './negotiate.ts';
import { JSON_TYPE, PROTOBUF_TYPE, YAML_TYPE } from './negotiate.ts';

export type ProtobufEncoder = (obj: Record<string, any>) => Uint8Array;
let protobufEncoder: ProtobufEncoder | undefined;
export function setProtobufEncoder(e: ProtobufEncoder): void { protobufEncoder = e; }
export const canEncodeProtobuf = () => protobufEncoder !== undefined;
/** Encodes a list whose items are the store's shared per-revision objects (their encodings are reused). */
export type ProtobufListEncoder = (list: { apiVersion: string; kind: string; metadata: Record<string, any> }, items: readonly Record<string, any>[]) => Uint8Array;
let protobufListEncoder: ProtobufListEncoder | undefined;
export function setProtobufListEncoder(e: ProtobufListEncoder): void { protobufListEncoder = e; }

/** Send a protobuf list of the store's objects, if protobuf is loaded; false if it is not. */
export function sendProtobufList(res: ServerResponse, list: { apiVersion: string; kind: string; metadata: Record<string, any> }, items: readonly Record<string, any>[]): boolean {
  if (!protobufListEncoder) return false;
  if (res.headersSent) { res.end(); return true; }
  const body = protobufListEncoder(list, items);
  res.statusCode = 200;
  noCache(res);
  res.setHeader('Content-Type', PROTOBUF_TYPE);
  res.setHeader('Content-Length', body.byteLength);
  res.end(body);
  return true;
}

/**
 * The JSON body of an API object as upstream's encoder writes it: struct order for built-in kinds
 * (objects the store handed out are already in it) and a trailing newline (json.Encoder.Encode).
 * Bodies that are not API objects (no kind) are written as given.
 */
export function apiJson(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return JSON.stringify(body);
  const o = body as Record<string, unknown>;
  if (typeof o.kind !== 'string') return JSON.stringify(body);
  return `${apiObjectJson(o)}\n`;
}

/** Upstream's WithCacheControl filter: every answer is `Cache-Control: no-cache, private` unless a handler chose otherwise. */
function noCache(res: ServerResponse): void {
  if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-cache, private');
}

const isApiObject = (body: unknown) => body !== null && typeof body === 'object' && typeof (body as { kind?: unknown }).kind === 'string';

/**
 * Send a body. `json` may be given pre-serialised (an object's stored JSON, without the trailing newline).
 * API objects go out as json.Encoder writes them, or indented for curl/Wget/browsers and ?pretty=true
 * (pretty.ts); other bodies (/version) are always indented, as upstream's WriteRawJSON writes them.
 */
export function send(res: ServerResponse, code: number, body: unknown, rep: Representation = { format: 'json' }, json?: string, contentType?: string): void {
  if (res.headersSent) { res.end(); return; }
  let payload: string | Uint8Array;
  let type: string;
  if (rep.format === 'protobuf' && protobufEncoder) {
    // An object the store handed out is encoded as it is (its JSON is not needed); a body given
    // only as JSON is read from it.
    payload = protobufEncoder(json !== undefined && (body === null || typeof body !== 'object') ? JSON.parse(json) : body as Record<string, any>);
    type = PROTOBUF_TYPE;
    finish(res, code, payload, contentType ?? type);
    return;
  }
  json ??= jsonOf(body);
  const text = json !== undefined ? `${json}\n` : apiJson(body);
  if (rep.format === 'yaml') {
    // Upstream converts its JSON to YAML through a generic map, so YAML keys come out sorted (yaml-order.ts).
    payload = yaml().stringify(JSON.parse(text), GO_YAML_OPTIONS);
    type = YAML_TYPE;
  } else {
    payload = json === undefined && !isApiObject(body) ? indentJson(text) : wantsPretty(res.req) ? indentJson(text) : text;
    type = JSON_TYPE;
  }
  finish(res, code, payload, contentType ?? type);
}

function finish(res: ServerResponse, code: number, payload: string | Uint8Array, type: string): void {
  res.statusCode = code;
  noCache(res);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength);
  res.end(payload);
}

const LIST_CHUNK = 256 * 1024;
/**
 * Chunk buffers for list bodies, reused once the socket is done with them: fresh memory for every
 * 23 MB list costs more in page faults than the copying itself. A list with back-pressure has a chunk
 * or two in flight, so a few buffers serve all concurrent lists; more are allocated and dropped.
 */
const chunkPool: Buffer[] = [];
const CHUNK_POOL_MAX = 8;

/**
 * Send a JSON list body with its Content-Length, chunk by chunk as it is laid out and as the socket
 * takes it, so the first bytes are on the wire (and being decrypted by the client) while the rest are
 * still to be copied, and a slow reader holds a chunk or two in memory rather than the whole list.
 */
export function sendJsonList(res: ServerResponse, body: JsonListBody, contentType: string = JSON_TYPE): void {
  if (res.headersSent) { res.end(); return; }
  if (wantsPretty(res.req)) { sendIndentedList(res, body, contentType); return; }
  res.statusCode = 200;
  noCache(res);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', body.length);
  const socket = res.socket;
  const pump = (): void => {
    for (;;) {
      if (res.destroyed) return; // the client went away: stop producing
      const buf = chunkPool.pop() ?? Buffer.allocUnsafeSlow(LIST_CHUNK);
      const chunk = body.next(buf);
      if (!chunk) { chunkPool.push(buf); res.end(); return; }
      const lent = chunk.buffer === buf.buffer;
      if (!lent) chunkPool.push(buf);
      // The buffer goes back to the pool only once the stream reports this chunk written.
      const more = res.write(chunk, lent ? (err) => { if (!err && chunkPool.length < CHUNK_POOL_MAX) chunkPool.push(buf); } : undefined);
      // ServerResponse corks the socket on a tick's first write until the next tick; send this chunk now.
      while (socket && socket.writableCorked > 0) socket.uncork();
      if (!more) { res.once('drain', pump); return; }
    }
  };
  pump();
}

/** A list for a client that gets indented JSON: laid out whole, then indented (as upstream's MarshalIndent). */
function sendIndentedList(res: ServerResponse, body: JsonListBody, contentType: string): void {
  const parts: Buffer[] = [];
  const buf = Buffer.allocUnsafe(LIST_CHUNK);
  for (let c = body.next(buf); c; c = body.next(buf)) parts.push(Buffer.from(c));
  const payload = indentJson(Buffer.concat(parts).toString('utf8'));
  res.statusCode = 200;
  noCache(res);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}

export function sendStatus(res: ServerResponse, status: Status, rep?: Representation): void {
  // Errors are always answerable in JSON (upstream falls back to JSON for Status too).
  const r = rep && rep.format === 'protobuf' && !rep.as ? rep : { format: 'json' as const };
  if (status.code === 429 || status.code === 503) res.setHeader('Retry-After', String(status.details?.retryAfterSeconds ?? 1));
  send(res, status.code, status, r);
}
