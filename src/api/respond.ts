// Writing responses in the negotiated representation.
import type { ServerResponse } from 'node:http';
import { yaml } from '../util/yaml.ts';
import type { Status } from '../errors.ts';
import { jsonOf } from '../registry/codec.ts';
import type { Representation } from './negotiate.ts';
import { JSON_TYPE, PROTOBUF_TYPE, YAML_TYPE } from './negotiate.ts';

export type ProtobufEncoder = (obj: Record<string, any>) => Uint8Array;
let protobufEncoder: ProtobufEncoder | undefined;
export function setProtobufEncoder(e: ProtobufEncoder): void { protobufEncoder = e; }
export const canEncodeProtobuf = () => protobufEncoder !== undefined;

/** Send a body. `json` may be given pre-serialised to avoid a second JSON.stringify. */
export function send(res: ServerResponse, code: number, body: unknown, rep: Representation = { format: 'json' }, json?: string, contentType?: string): void {
  if (res.headersSent) { res.end(); return; }
  json ??= jsonOf(body);
  let payload: string | Uint8Array;
  let type: string;
  if (rep.format === 'yaml') {
    payload = yaml().stringify(json !== undefined ? JSON.parse(json) : body, { lineWidth: 0 });
    type = YAML_TYPE;
  } else if (rep.format === 'protobuf' && protobufEncoder) {
    payload = protobufEncoder(json !== undefined ? JSON.parse(json) : body as Record<string, any>);
    type = PROTOBUF_TYPE;
  } else {
    payload = json ?? JSON.stringify(body);
    type = JSON_TYPE;
  }
  res.statusCode = code;
  res.setHeader('Content-Type', contentType ?? type);
  res.setHeader('Content-Length', typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength);
  res.end(payload);
}

/** Send JSON already encoded as byte pieces, written as one buffer with a Content-Length. */
export function sendJsonBytes(res: ServerResponse, code: number, pieces: Uint8Array[], contentType: string = JSON_TYPE): void {
  if (res.headersSent) { res.end(); return; }
  const body = Buffer.concat(pieces);
  res.statusCode = code;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', body.byteLength);
  res.end(body);
}

export function sendStatus(res: ServerResponse, status: Status, rep?: Representation): void {
  // Errors are always answerable in JSON (upstream falls back to JSON for Status too).
  const r = rep && rep.format === 'protobuf' && !rep.as ? rep : { format: 'json' as const };
  if (status.code === 429 || status.code === 503) res.setHeader('Retry-After', String(status.details?.retryAfterSeconds ?? 1));
  send(res, status.code, status, r);
}
