// Reading and decoding request bodies: size limit, JSON, YAML and (via the protobuf module) protobuf.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { yaml, yamlDuplicateKeys } from '../util/yaml.ts';
import { errors } from '../errors.ts';

export const MAX_BODY = 3 * 1024 * 1024; // upstream's limit for request bodies
/** The nesting limit of Go's JSON scanner (encoding/json and sigs.k8s.io/json: maxNestingDepth). */
export const MAX_DEPTH = 10000;

/**
 * Scans JSON text for nesting deeper than `max` without parsing it: returns the bracket that went one
 * level too deep (`{` or `[`), or undefined. Brackets inside strings do not count. Runs before
 * JSON.parse so that no later recursive step (cloning, patching, encoding) sees such a document.
 */
export function jsonTooDeep(buf: Uint8Array, max = MAX_DEPTH): string | undefined {
  if (buf.length <= max) return undefined; // too short to open more than `max` brackets
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) { if (++depth > max) return c === 0x7b ? '{' : '['; }
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/** Go's scanner error for a document nested too deeply. */
export function depthMessage(bracket: string): string {
  return `invalid character '${bracket}' exceeded max depth`;
}

/** upstream's summarizeData: the first 30 bytes of a body for error messages. */
function summarize(buf: Buffer): string {
  if (buf.length === 0) return '<empty>';
  const max = 30;
  if (buf[0] === 0x7b) return buf.length > max ? `${buf.subarray(0, max).toString('utf8')} ...` : buf.toString('utf8');
  return buf.length > max ? `${buf.subarray(0, max).toString('hex')} ...` : buf.toString('hex');
}

/**
 * The create/update decoder's answer to a body too deeply nested to read its kind (upstream: the JSON
 * serializer's Interpret step fails, and transformDecodeError phrases it).
 */
export function unrecognizedObject(kind: string, reason: string, buf: Buffer): never {
  throw errors.badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${reason} (${summarize(buf)})`);
}

/**
 * Where a request's body comes from: over HTTP/2 the stream itself, as Node's compatibility request
 * would only pass each chunk on through a second stream of its own.
 */
function bodySource(req: IncomingMessage): Readable {
  const stream = req.httpVersionMajor === 2 ? (req as { stream?: Readable }).stream : undefined;
  return stream ?? req;
}

export function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const src = bodySource(req);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) { src.resume(); reject(errors.tooLarge()); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    src.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) { failed = true; reject(errors.tooLarge()); src.resume(); return; }
      chunks.push(c);
    });
    src.on('end', () => { if (!failed) { failed = true; resolve(Buffer.concat(chunks)); } });
    src.on('error', (e) => { if (!failed) { failed = true; reject(errors.badRequest(`error reading request body: ${e.message}`)); } });
    // An HTTP/2 stream the client reset ends without 'end': the body is incomplete.
    if (src !== req) src.on('close', () => { if (!failed) { failed = true; reject(errors.badRequest('error reading request body: the client closed the stream before the body was complete')); } });
  });
}

export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

export type ProtobufDecoder = (buf: Uint8Array) => { apiVersion: string; kind: string; object: Record<string, any> };
let protobufDecoder: ProtobufDecoder | undefined;
export function setProtobufDecoder(d: ProtobufDecoder): void { protobufDecoder = d; }

/**
 * Decode an object body (create/update). JSON, YAML or protobuf. With `kind`, a JSON body nested
 * deeper than MAX_DEPTH is refused with the create/update decoder's wording for that kind.
 */
export function decodeObjectBody(buf: Buffer, contentType: string | undefined, kind?: string): unknown {
  const type = mediaType(contentType);
  if (buf.length === 0) throw errors.badRequest('the request body is empty: expected an object');
  if (type === '' || type === 'application/json' || type === '*/*') {
    const deep = kind ? jsonTooDeep(buf) : undefined;
    if (deep) unrecognizedObject(kind!, depthMessage(deep), buf);
    return parseJson(buf);
  }
  // As upstream's YAML-to-JSON step, a repeated key keeps its last value; callers that check
  // fieldValidation report repeated keys with yamlBodyDuplicates.
  if (isYamlType(type)) return parseYamlBody(buf, undefined, true);
  if (type === 'application/vnd.kubernetes.protobuf') {
    if (!protobufDecoder) throw errors.unsupportedMediaType(contentType ?? '');
    return protobufDecoder(buf).object;
  }
  throw errors.unsupportedMediaType(contentType ?? '');
}

export function isYamlType(type: string): boolean {
  return type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml';
}

/**
 * Repeated keys of a YAML create/update body as upstream's strict YAML pass finds them
 * (`line N: key "k" already set in map`); none for other media types or under fieldValidation=Ignore.
 */
export function yamlBodyDuplicates(buf: Buffer, contentType: string | undefined, mode: string): string[] {
  return mode !== 'Ignore' && isYamlType(mediaType(contentType)) ? yamlDuplicateKeys(buf.toString('utf8')) : [];
}

/** Parses JSON text; nesting deeper than MAX_DEPTH is a 400 (`tooDeep` gives its message). */
export function parseJson(buf: Buffer, tooDeep?: (reason: string) => string): unknown {
  const deep = jsonTooDeep(buf);
  if (deep) throw errors.badRequest(tooDeep ? tooDeep(depthMessage(deep)) : `error decoding request body: ${depthMessage(deep)}`);
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

/**
 * Parses a YAML body. The yaml library is recursive: a document nested deeper than it can follow (flow
 * collections a few hundred levels deep, far below MAX_DEPTH) is refused with go-yaml's depth message
 * rather than a stack trace. Repeated keys are refused unless allowDuplicateKeys (the caller then
 * reports them per fieldValidation, see yamlDuplicateKeys).
 */
export function parseYamlBody(buf: Buffer, prefix = 'error decoding YAML request body: ', allowDuplicateKeys = false): unknown {
  try {
    if (jsonTooDeep(buf)) throw new RangeError('Maximum call stack size exceeded');
    // With allowDuplicateKeys, a repeated key keeps its last value (go-yaml's non-strict decoding).
    return yaml().parse(buf.toString('utf8'), { maxAliasCount: 100, uniqueKeys: !allowDuplicateKeys });
  } catch (e) {
    const msg = (e as Error).message;
    if (e instanceof RangeError || /Maximum call stack size exceeded/.test(msg)) throw errors.badRequest(`${prefix}yaml: exceeded max depth of ${MAX_DEPTH}`);
    throw errors.badRequest(`${prefix}${msg}`);
  }
}

export function requireObject(v: unknown, what = 'the request body'): Record<string, any> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw errors.badRequest(`${what} must be a JSON object`);
  return v as Record<string, any>;
}
