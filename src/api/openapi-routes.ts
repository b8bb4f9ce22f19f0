// Serving /openapi/v2 and /openapi/v3 (index and per group-version documents) with ETags, gzip and
// immutable caching for hashed URLs, as kube-openapi does; and fieldValidation for request bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { gvString } from '../registry/resources.ts';
import { findDuplicateFieldsOf, openapiV2, openapiV3Document, openapiV3Index } from '../openapi/index.ts';
import { decodeBodyObject, validationMode } from './typed.ts';
import type { OpenAPIDocument } from '../openapi/index.ts';
import { decodeObjectBody, mediaType, yamlBodyDuplicates } from './body.ts';
import { parseAccept } from './negotiate.ts';
// The gnostic protobuf form of /openapi/v2 (v2proto.ts, with @bufbuild/protobuf) loads when first asked for.
import { V2_PROTOBUF_TYPE, V2_PROTOBUF_TYPE_DOTTED } from '../openapi/v2proto-types.ts';
import { onPaths } from './route-paths.ts';

/** An OpenAPI document with its ETag (304 on a match), gzip when accepted, and no body for HEAD. */
export function sendDoc(req: IncomingMessage, res: ServerResponse, doc: OpenAPIDocument, immutable: boolean, contentType = 'application/json'): void {
  res.setHeader('ETag', doc.etag);
  res.appendHeader('Vary', 'Accept-Encoding');
  res.setHeader('Cache-Control', immutable ? 'public, immutable' : 'no-cache, private');
  if (req.headers['if-none-match'] === doc.etag) { res.statusCode = 304; res.end(); return; }
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? doc.gzip : doc.body;
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

export async function openapiRoute(req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>): Promise<boolean> {
  const p = url.pathname.replace(/\/+$/, '');
  if (!p.startsWith('/openapi/')) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotSupported({ group: '', resource: '' }, req.method ?? '');
  if (p === '/openapi/v2') {
    // JSON, or the gnostic protobuf form kubectl ≤ 1.28 asks for; the first acceptable range (by q) wins. As
    // kube-openapi: both protobuf spellings are answered with the dotted type, and both forms share one ETag.
    res.setHeader('Vary', 'Accept');
    for (const m of parseAccept(req.headers.accept)) {
      if (m.type === V2_PROTOBUF_TYPE || m.type === V2_PROTOBUF_TYPE_DOTTED) { sendDoc(req, res, (await import('../openapi/v2proto.ts')).openapiV2Protobuf(), false, V2_PROTOBUF_TYPE_DOTTED); return true; }
      if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*') { sendDoc(req, res, openapiV2(), false); return true; }
    }
    throw errors.notAcceptable(`only application/json, ${V2_PROTOBUF_TYPE} and ${V2_PROTOBUF_TYPE_DOTTED} are served for /openapi/v2`);
  }
  if (p === '/openapi/v3') {
    const body = JSON.stringify(openapiV3Index());
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
    return true;
  }
  if (p.startsWith('/openapi/v3/')) {
    const doc = openapiV3Document(p.slice('/openapi/v3/'.length));
    if (!doc) throw errors.notFound({ group: '', resource: '' }, p);
    sendHashedDoc(req, res, p, doc, url.searchParams.get('hash'));
    return true;
  }
  return false;
}

onPaths(['/openapi/'], openapiRoute);

/** A per group-version document: an outdated `?hash=` is redirected to the current one, as kube-openapi does. */
export function sendHashedDoc(req: IncomingMessage, res: ServerResponse, path: string, doc: OpenAPIDocument, hash: string | null): void {
  if (hash && hash !== doc.hash) {
    res.statusCode = 301;
    res.setHeader('Location', `${path}?hash=${doc.hash}`);
    res.end();
    return;
  }
  sendDoc(req, res, doc, !!hash);
}

/**
 * Decode a create/update body and put it through the kind's schema (typed.ts): unknown fields dropped,
 * warned about or refused per fieldValidation (default Warn, as upstream), wrong types refused.
 */
export function decodeWithValidation(body: Buffer, contentType: string | undefined, r: ResourceInfo, q: URLSearchParams, res: ServerResponse): unknown {
  const mode = validationMode(q);
  const obj = decodeObjectBody(body, contentType, r.kind);
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const type = mediaType(contentType);
  // Repeated keys are only visible in the JSON text (the strict decoder reports them too).
  const dup = mode !== 'Ignore' && (type === '' || type === 'application/json') ? findDuplicateFieldsOf(body.toString('utf8'), obj) : [];
  checkTypeMeta(obj as Record<string, unknown>, r);
  return decodeBodyObject(obj as Record<string, any>, r, mode, res, dup, undefined, yamlBodyDuplicates(body, contentType, mode));
}

/** apiVersion and kind, when given, must name the endpoint's kind (checked before the schema step, as upstream). */
function checkTypeMeta(obj: Record<string, unknown>, r: ResourceInfo): void {
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== r.kind) {
    throw errors.badRequest(`the kind in the request body (${String(obj.kind)}) does not match the expected kind (${r.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== gvString(r)) {
    throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${gvString(r)})`);
  }
}
