// Reading and decoding request bodies: size limit, JSON, YAML and (via the protobuf module) protobuf.
import type { IncomingMessage } from 'node:http';
import { yaml } from '../util/yaml.ts';
import { errors } from '../errors.ts';

export const MAX_BODY = 3 * 1024 * 1024; // upstream's limit for request bodies

export function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) { req.resume(); reject(errors.tooLarge()); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) { failed = true; reject(errors.tooLarge()); req.resume(); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(errors.badRequest(`error reading request body: ${e.message}`)); } });
  });
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export type ProtobufDecoder = (buf: Uint8Array) => { apiVersion: string; kind: string; object: Record<string, any> };
let protobufDecoder: ProtobufDecoder | undefined;
export function setProtobufDecoder(d: ProtobufDecoder): void { protobufDecoder = d; }

/** Decode an object body (create/update). JSON, YAML or protobuf. */
export function decodeObjectBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (buf.length === 0) throw errors.badRequest('the request body is empty: expected an object');
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(buf);
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return parseYamlBody(buf);
  if (type === 'application/vnd.kubernetes.protobuf') {
    if (!protobufDecoder) throw errors.unsupportedMediaType(contentType ?? '');
    return protobufDecoder(buf).object;
  }
  throw errors.unsupportedMediaType(contentType ?? '');
}

export function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

export function parseYamlBody(buf: Buffer): unknown {
  try {
    return yaml().parse(buf.toString('utf8'), { maxAliasCount: 100 });
  } catch (e) {
    throw errors.badRequest(`error decoding YAML request body: ${(e as Error).message}`);
  }
}

export function requireObject(v: unknown, what = 'the request body'): Record<string, any> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw errors.badRequest(`${what} must be a JSON object`);
  return v as Record<string, any>;
}
