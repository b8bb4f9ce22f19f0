// OpenAPI v2/v3 documents and strict field validation.
//
// The documents are the upstream Kubernetes v1.32.4 ones (api/openapi-spec in k8s.io/kubernetes), filtered to
// what Skiff serves by openapi/generate.ts and committed as openapi.bin (one gzip member per document) plus
// openapi.manifest.json (offsets, sizes, SHA-512 hashes). Nothing is parsed at run time except the small
// field table used by fieldProblems(); the gzip members are served as they are, and the identity bodies
// are inflated on demand behind a small byte-bounded cache.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

interface Entry { offset: number; length: number; size: number; hash: string }
interface Manifest { v3: Record<string, Entry>; v2: Entry; fields: Entry }

/** A served document: `body` is the JSON (inflated lazily), `gzip` the same bytes gzip-encoded. */
export interface OpenAPIDocument {
  readonly body: Buffer;
  readonly gzip: Buffer;
  /** The ETag header value, quoted as upstream sends it: `"<hash>"`. */
  readonly etag: string;
  /** Upper-case hex SHA-512 of `body`, as used in `?hash=` (kube-openapi handler3). */
  readonly hash: string;
}

let manifest: Manifest | undefined;
let bin: Buffer | undefined;

function load(): { manifest: Manifest; bin: Buffer } {
  if (!manifest || !bin) {
    manifest = JSON.parse(readFileSync(new URL('./openapi.manifest.json', import.meta.url), 'utf8')) as Manifest;
    bin = readFileSync(new URL('./openapi.bin', import.meta.url));
  }
  return { manifest, bin };
}

// Identity bodies are inflated on demand; keep the most recently used ones up to this many bytes.
const IDENTITY_CACHE_BYTES = 2 * 1024 * 1024;
const identity = new Map<string, Buffer>();
let identityBytes = 0;

function inflate(key: string, e: Entry): Buffer {
  const hit = identity.get(key);
  if (hit) { identity.delete(key); identity.set(key, hit); return hit; }
  const { bin } = load();
  const body = gunzipSync(bin.subarray(e.offset, e.offset + e.length));
  if (body.length <= IDENTITY_CACHE_BYTES) {
    identity.set(key, body);
    identityBytes += body.length;
    for (const [k, b] of identity) {
      if (identityBytes <= IDENTITY_CACHE_BYTES) break;
      identity.delete(k); identityBytes -= b.length;
    }
  }
  return body;
}

function doc(key: string, e: Entry): OpenAPIDocument {
  const { bin } = load();
  const gzip = bin.subarray(e.offset, e.offset + e.length);
  return {
    get body() { return inflate(key, e); },
    gzip,
    etag: `"${e.hash}"`,
    hash: e.hash,
  };
}

/** `GET /openapi/v3`: every served document path with its `?hash=` URL. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const { manifest } = load();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  // Sorted, as Go's encoding/json writes the upstream map.
  for (const [p, e] of Object.entries(manifest.v3).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${e.hash}` };
  return { paths };
}

/**
 * `GET /openapi/v3/<gvPath>`: gvPath is `api/v1`, `apis/apps/v1`, … (also `api`, `apis`, `apis/<group>`,
 * `version`); a leading `/` and a trailing `?hash=…` are ignored. undefined → 404.
 */
export function openapiV3Document(gvPath: string): OpenAPIDocument | undefined {
  const key = gvPath.replace(/[?#].*$/, '').replace(/^\/+|\/+$/g, '');
  const { manifest } = load();
  if (!Object.hasOwn(manifest.v3, key)) return undefined;
  return doc(`v3:${key}`, manifest.v3[key]);
}

/** `GET /openapi/v2` (JSON Swagger 2.0 only; the protobuf form is not served). */
export function openapiV2(): OpenAPIDocument {
  return doc('v2', load().manifest.v2);
}

// ---------------------------------------------------------------------------------------------
// Strict field validation (fieldValidation=Strict|Warn).

type FieldType = 0 | string | FieldType[] | { m: FieldType };
interface FieldTable { kinds: Record<string, string>; fields: Record<string, Record<string, FieldType>> }
let table: FieldTable | undefined;

function fieldTable(): FieldTable {
  if (!table) {
    const { manifest, bin } = load();
    const e = manifest.fields;
    table = JSON.parse(gunzipSync(bin.subarray(e.offset, e.offset + e.length)).toString('utf8')) as FieldTable;
  }
  return table;
}

const MAX_ERRORS = 100; // the upstream decoder stops collecting after 100 strict errors

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(v: unknown, t: FieldType, path: string, out: string[], fields: FieldTable['fields']): void {
  if (t === 0 || v === null || out.length >= MAX_ERRORS) return;
  if (typeof t === 'string') {
    const props = fields[t];
    if (!props || !isObject(v)) return;
    for (const k of Object.keys(v)) {
      const ft = props[k];
      if (ft === undefined) { if (out.length < MAX_ERRORS) out.push(`${path}.${k}`); }
      else walk(v[k], ft, `${path}.${k}`, out, fields);
    }
  } else if (Array.isArray(t)) {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, t[0], `${path}[${i}]`, out, fields));
  } else if (isObject(v)) {
    for (const k of Object.keys(v)) walk(v[k], t.m, `${path}.${k}`, out, fields);
  }
}

/** Whether Skiff has a schema for this kind (built-in kinds); fieldProblems finds nothing otherwise. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return Object.hasOwn(fieldTable().kinds, `${apiVersion}/${kind}`);
}

/**
 * Unknown (and, for a raw JSON body, duplicate) fields of an object of a built-in kind, as paths with a
 * leading dot: `.spec.replicass`, `.spec.template.spec.containers[0].imagee`, `.metadata.name`.
 * (Server-side apply phrases them exactly so; strictDecodingMessage/strictWarnings drop the dot as the
 * JSON decoder does.) The walk stops at fields without a declared structure: maps of scalars, Quantity,
 * IntOrString, Time, RawExtension, FieldsV1 and anything marked x-kubernetes-preserve-unknown-fields.
 * `obj` may be the parsed object, or the raw JSON text (string/Buffer) to also get `duplicate`.
 * Kinds without a schema (custom resources) yield no problems.
 */
export function fieldProblems(apiVersion: string, kind: string, obj: unknown): { unknown: string[]; duplicate?: string[] } {
  let text: string | undefined;
  if (typeof obj === 'string') text = obj;
  else if (Buffer.isBuffer(obj)) text = obj.toString('utf8');
  if (text !== undefined) {
    try { obj = JSON.parse(text); } catch { return { unknown: [], duplicate: [] }; }
  }
  const t = fieldTable();
  const unknown: string[] = [];
  const root = t.kinds[`${apiVersion}/${kind}`];
  if (root) walk(obj, root, '', unknown, t.fields);
  if (text === undefined) return { unknown };
  // As upstream, a repeated key of an unknown struct field is reported only as unknown.
  const seen = new Set(unknown);
  const duplicate = findDuplicateFields(text).map((p) => `.${p}`).filter((p) => !seen.has(p));
  return { unknown, duplicate };
}

/**
 * Keys that occur more than once in the same JSON object, as the strict decoder names them
 * (`metadata.name`, `spec.template.spec.containers[0].name`; no leading dot), in document order,
 * each path once. Invalid JSON yields the duplicates found before the error.
 */
export function findDuplicateFields(jsonText: string): string[] {
  const s = jsonText;
  let i = 0;
  const out: string[] = [];
  const reported = new Set<string>();
  const ws = () => { while (i < s.length && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++; };
  const fail = (): never => { throw new SyntaxError('invalid JSON'); };
  const str = (): string => {
    if (s[i] !== '"') fail();
    const start = i++;
    let escaped = false;
    while (i < s.length && s[i] !== '"') { if (s[i] === '\\') { escaped = true; i++; } i++; }
    if (i >= s.length) fail();
    i++;
    const raw = s.slice(start, i);
    return escaped ? JSON.parse(raw) as string : raw.slice(1, -1);
  };
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const value = (path: string, depth: number): void => {
    if (depth > 10000) fail();
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (s[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const k = str();
        const p = join(path, k);
        if (keys.has(k)) { if (!reported.has(p)) { reported.add(p); out.push(p); } } else keys.add(k);
        ws();
        if (s[i++] !== ':') fail();
        value(p, depth + 1);
        ws();
        if (s[i] === ',') { i++; continue; }
        if (s[i] === '}') { i++; return; }
        fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') { i++; return; }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`, depth + 1);
        ws();
        if (s[i] === ',') { i++; continue; }
        if (s[i] === ']') { i++; return; }
        fail();
      }
    } else if (c === '"') {
      str();
    } else {
      const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try { value('', 0); } catch { /* report what was found before the syntax error */ }
  return out.length > MAX_ERRORS ? out.slice(0, MAX_ERRORS) : out;
}

const bare = (p: string) => (p.startsWith('.') ? p.slice(1) : p);

/** The individual upstream strict errors, e.g. `unknown field "spec.foo"` (also the `Warning` header texts for fieldValidation=Warn). */
export function strictWarnings(unknown: string[], duplicate: string[] = []): string[] {
  return [
    ...unknown.map((p) => `unknown field ${JSON.stringify(bare(p))}`),
    ...duplicate.map((p) => `duplicate field ${JSON.stringify(bare(p))}`),
  ].slice(0, MAX_ERRORS);
}

/**
 * Upstream's strict decoding message (k8s.io/apimachinery runtime.strictDecodingError):
 * `strict decoding error: unknown field "spec.replicass", duplicate field "metadata.name"`.
 * Unknown fields are listed before duplicates (upstream interleaves them in document order).
 * Paths may be given with or without the leading dot.
 */
export function strictDecodingMessage(unknown: string[], duplicate: string[] = []): string {
  return `strict decoding error: ${strictWarnings(unknown, duplicate).join(', ')}`;
}

/** Server-side apply's phrasing for an unknown field: `.spec.foo: field not declared in schema`. */
export function applyUnknownFieldMessage(path: string): string {
  return `${path.startsWith('.') ? path : '.' + path}: field not declared in schema`;
}
