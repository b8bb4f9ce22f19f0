// OpenAPI v2/v3 documents, and the text-level part of strict field validation (duplicate keys, messages).
//
// The documents are the upstream Kubernetes v1.32.4 ones (api/openapi-spec in k8s.io/kubernetes), filtered to
// what Skiff serves by openapi/generate.ts and committed as openapi.bin (one gzip member per document) plus
// openapi.manifest.json (offsets, sizes, SHA-512 hashes). The gzip members are served as they are, and the
// identity bodies are inflated on demand behind a small byte-bounded cache; src/schema/builtin.ts parses a
// group-version document when the first write of one of its kinds needs the kind's schema.

import { readFileSync } from 'node:fs';
// node:zlib is taken when a body is first inflated, not as this module loads (it loads before ready,
// for routes and strict field validation; zlib is ~0.7 ms of a start).
const gunzipSync = (b: Buffer) => process.getBuiltinModule('node:zlib').gunzipSync(b);

interface Entry { offset: number; length: number; size: number; hash: string }
interface Manifest { v3: Record<string, Entry>; v2: Entry }

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
// Strict field validation (fieldValidation=Strict|Warn): duplicate keys and upstream's messages.

// Unknown fields and wrong types are found by the schema engine (src/schema/decode.ts) against schemas
// built from these same documents (src/schema/builtin.ts); what stays here is the text-level part.

const MAX_ERRORS = 100; // the upstream decoder stops collecting after 100 strict errors

/**
 * findDuplicateFields for a body that JSON.parse already turned into `parsed` (unchanged since): JSON.parse
 * keeps one key of each repeated one, so when the text has as many object members as `parsed` has
 * keys there is no repeated key and the text need not be walked for paths (nearly every body).
 */
export function findDuplicateFieldsOf(jsonText: string, parsed: unknown): string[] {
  return memberCount(jsonText) === keyCount(parsed) ? [] : findDuplicateFields(jsonText);
}

/** The object members in JSON text: the ':' outside strings. */
function memberCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a /* : */) n++;
    else if (c === 0x22 /* " */) {
      for (i++; i < s.length; i++) {
        const d = s.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    }
  }
  return n;
}

/** The keys of every object in a parsed JSON value (iterative: bodies may nest 10,000 levels deep). */
function keyCount(root: unknown): number {
  let n = 0;
  const todo: unknown[] = [root];
  while (todo.length) {
    const v = todo.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) { for (const x of v) todo.push(x); continue; }
    for (const k in v) if (Object.hasOwn(v, k)) { n++; todo.push((v as Record<string, unknown>)[k]); }
  }
  return n;
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
