// Serving /openapi/v2 and /openapi/v3 (index and per group-version documents) with ETags, gzip and
// immutable caching for hashed URLs, as kube-openapi does; and fieldValidation for request bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { gvString } from '../registry/resources.ts';
import { fieldProblems, findDuplicateFields, hasSchema, openapiV2, openapiV3Document, openapiV3Index, strictDecodingMessage, strictWarnings } from '../openapi/index.ts';
import type { OpenAPIDocument } from '../openapi/index.ts';
import { decodeObjectBody, mediaType } from './body.ts';
import { parseAccept } from './negotiate.ts';
// The gnostic protobuf form of /openapi/v2 (v2proto.ts, with @bufbuild/protobuf) loads when first asked for.
import { V2_PROTOBUF_TYPE, V2_PROTOBUF_TYPE_DOTTED } from '../openapi/v2proto-types.ts';

function sendDoc(req: IncomingMessage, res: ServerResponse, doc: OpenAPIDocument, immutable: boolean, contentType = 'application/json'): void {
  res.setHeader('ETag', doc.etag);
  res.appendHeader('Vary', 'Accept-Encoding');
  res.setHeader('Cache-Control', immutable ? 'public, immutable' : 'no-cache, private');
  if (req.headers['if-none-match'] === doc.etag) { res.statusCode = 304; res.end(); return; }
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) { res.setHeader('Content-Encoding', 'gzip'); res.setHeader('Content-Length', doc.gzip.length); res.end(doc.gzip); return; }
  const body = doc.body;
  res.setHeader('Content-Length', body.length);
  res.end(body);
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
    const hash = url.searchParams.get('hash');
    if (hash && hash !== doc.hash) {
      // An outdated hash: redirect to the current one, as kube-openapi does.
      res.statusCode = 301;
      res.setHeader('Location', `${p}?hash=${doc.hash}`);
      res.end();
      return true;
    }
    sendDoc(req, res, doc, !!hash);
    return true;
  }
  return false;
}

const VALIDATION = ['Ignore', 'Warn', 'Strict'];

/** Decode a create/update body and apply fieldValidation (default Warn, as upstream). */
export function decodeWithValidation(body: Buffer, contentType: string | undefined, r: ResourceInfo, q: URLSearchParams, res: ServerResponse): unknown {
  const mode = q.get('fieldValidation') ?? 'Warn';
  if (!VALIDATION.includes(mode)) throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(mode)}: supported values: "Ignore", "Warn", "Strict"`);
  const obj = decodeObjectBody(body, contentType);
  const type = mediaType(contentType);
  if (mode === 'Ignore' || type === 'application/vnd.kubernetes.protobuf') return obj;
  const apiVersion = gvString(r);
  if (!hasSchema(apiVersion, r.kind)) return obj;
  const dup = type === '' || type === 'application/json' ? findDuplicateFields(body.toString('utf8')) : [];
  const { unknown } = fieldProblems(apiVersion, r.kind, obj);
  if (!unknown.length && !dup.length) return obj;
  if (mode === 'Strict') throw errors.badRequest(strictDecodingMessage(unknown, dup));
  // Header values must be Latin-1: escape anything else as \uXXXX (as Go's strconv.Quote would).
  for (const w of strictWarnings(unknown, dup)) res.appendHeader('Warning', `299 - ${JSON.stringify(w).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`);
  return obj;
}
