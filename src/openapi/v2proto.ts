// /openapi/v2 in its protobuf form: the gnostic `openapi.v2.Document` message (github.com/google/gnostic-models
// openapiv2/OpenAPIv2.proto), which kubectl ≤ 1.28 requests for client-side validation and `explain`.
//
// Upstream kube-openapi parses the JSON spec into gnostic's model and proto-marshals it. The model is not a 1:1
// mapping of the JSON: maps become repeated Named* pairs, `x-*` keys become `vendor_extension` entries whose
// value is YAML text, `type`/`items` become wrapper messages, parameters and responses are oneofs chosen by
// their content (`in`, `$ref`, …). This encoder walks the JSON once, following those rules, and writes the
// wire format directly with BinaryWriter; field numbers come from the generated table in v2proto-fields.ts.
// Fields of each message are written in field-number order, as Go's proto.Marshal does.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { stringify as toYaml } from 'yaml';
import { openapiV2 } from './index.ts';
import { V2_FIELDS } from './v2proto-fields.ts';
import type { FieldSpec } from './v2proto-fields.ts';

/** The media type kubectl/client-go request (`openAPIV2mimePb`), and the older dotted spelling. */
export { V2_PROTOBUF_TYPE, V2_PROTOBUF_TYPE_DOTTED } from './v2proto-types.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const REPEATED = 1, ONEOF = 2;

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function snake(k: string): string {
  return k === '$ref' ? '_ref' : k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function spec(type: string, field: string): FieldSpec {
  const s = V2_FIELDS[type]?.[field];
  if (!s) throw new Error(`openapi v2 protobuf: ${type} has no field ${field}`);
  return s;
}

/** One field occurrence waiting to be written: field number, its spec, and the JSON value (or Named pair). */
interface Pending { no: number; spec: FieldSpec; value: Json; name?: string }

/** Messages that are a JSON map turned into `repeated Named<X> additional_properties = 1`. */
const MAP_MESSAGES = new Set(['Default', 'Definitions', 'Examples', 'Headers', 'Oauth2Scopes', 'ParameterDefinitions', 'Properties', 'ResponseDefinitions', 'SecurityDefinitions', 'SecurityRequirement', 'VendorExtension']);

const NON_BODY: Record<string, string> = { header: 'header_parameter_sub_schema', formData: 'form_data_parameter_sub_schema', query: 'query_parameter_sub_schema', path: 'path_parameter_sub_schema' };
const OAUTH2_FLOW: Record<string, string> = { implicit: 'oauth2_implicit_security', password: 'oauth2_password_security', application: 'oauth2_application_security', accessCode: 'oauth2_access_code_security' };

/** The YAML text gnostic stores in `Any.yaml` (yaml.v3 Marshal of the node; here the `yaml` package, no folding). */
function yamlText(v: Json): string {
  return toYaml(v, { lineWidth: 0 });
}

/** Choose, for a message, which fields the JSON value fills (in the gnostic model's terms). */
function fieldsOf(type: string, v: Json): Pending[] {
  const out: Pending[] = [];
  const put = (field: string, value: Json, name?: string): void => { const s = spec(type, field); out.push({ no: s[0], spec: s, value, name }); };
  switch (type) {
    case 'Any': put('yaml', yamlText(v)); return out;
    case 'TypeItem': put('value', Array.isArray(v) ? v : [v]); return out;
    case 'ItemsItem': put('schema', Array.isArray(v) ? v : [v]); return out;
    case 'StringArray': put('value', Array.isArray(v) ? v : [v]); return out;
    case 'AdditionalPropertiesItem': put(typeof v === 'boolean' ? 'boolean' : 'schema', v); return out;
    case 'ParametersItem': put(isObj(v) && '$ref' in v ? 'json_reference' : 'parameter', v); return out;
    case 'ResponseValue': put(isObj(v) && '$ref' in v ? 'json_reference' : 'response', v); return out;
    case 'Parameter': put(isObj(v) && v.in === 'body' ? 'body_parameter' : 'non_body_parameter', v); return out;
    case 'NonBodyParameter': {
      const which = isObj(v) && typeof v.in === 'string' ? NON_BODY[v.in] : undefined;
      if (which) put(which, v);
      return out;
    }
    case 'SchemaItem': put(isObj(v) && v.type === 'file' ? 'file_schema' : 'schema', v); return out;
    case 'SecurityDefinitionsItem': {
      if (!isObj(v)) return out;
      const which = v.type === 'basic' ? 'basic_authentication_security' : v.type === 'apiKey' ? 'api_key_security'
        : v.type === 'oauth2' && typeof v.flow === 'string' ? OAUTH2_FLOW[v.flow] : undefined;
      if (which) put(which, v);
      return out;
    }
  }
  if (!isObj(v)) return out;
  if (MAP_MESSAGES.has(type)) {
    for (const [k, x] of Object.entries(v)) put('additional_properties', x, k);
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('x-') && V2_FIELDS[type].vendor_extension) { put('vendor_extension', x, k); continue; }
    if (type === 'Paths') { put('path', x, k); continue; }
    if (type === 'Responses') { put('response_code', x, k); continue; }
    const field = snake(k);
    // Keys outside the model (gnostic would report them as invalid) are dropped.
    if (V2_FIELDS[type][field]) put(field, x);
  }
  return out;
}

function writeValue(w: BinaryWriter, no: number, t: string, oneof: boolean, v: Json, name?: string): void {
  switch (t) {
    case 'string':
      if (typeof v === 'string' && (v !== '' || oneof)) w.tag(no, WireType.LengthDelimited).string(v);
      return;
    case 'bool':
      if (typeof v === 'boolean' && (v || oneof)) w.tag(no, WireType.Varint).bool(v);
      return;
    case 'double':
      if (typeof v === 'number' && (v !== 0 || oneof)) w.tag(no, WireType.Bit64).double(v);
      return;
    case 'int64':
      if (typeof v === 'number' && Number.isInteger(v) && (v !== 0 || oneof)) w.tag(no, WireType.Varint).int64(v);
      return;
  }
  w.tag(no, WireType.LengthDelimited).fork();
  if (name !== undefined) {
    // A Named<X> pair: name = 1, value = 2 (a string for NamedString, otherwise a message).
    w.tag(1, WireType.LengthDelimited).string(name);
    const vs = spec(t, 'value');
    writeValue(w, vs[0], vs[1], false, v);
  } else {
    writeMessage(w, t, v);
  }
  w.join();
}

function writeMessage(w: BinaryWriter, type: string, v: Json): void {
  const fields = fieldsOf(type, v).sort((a, b) => a.no - b.no); // stable: keeps JSON order within a repeated field
  for (const f of fields) {
    const [no, t, flags] = f.spec;
    if (flags & REPEATED && f.name === undefined && Array.isArray(f.value)) {
      for (const x of f.value) writeValue(w, no, t, false, x);
    } else {
      writeValue(w, no, t, (flags & ONEOF) !== 0, f.value, f.name);
    }
  }
}

/** Encode a JSON Swagger 2.0 document as a gnostic `openapi.v2.Document` protobuf message. */
export function encodeOpenAPIV2(doc: unknown): Uint8Array {
  if (!isObj(doc as Json)) throw new Error('openapi v2 protobuf: the document is not a JSON object');
  const w = new BinaryWriter();
  writeMessage(w, 'Document', doc as Json);
  return w.finish();
}

/** The served protobuf document: body, its gzip form, and the same ETag/hash as the JSON document (as kube-openapi). */
export interface OpenAPIV2Protobuf {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly etag: string;
  readonly hash: string;
  /** Upper-case hex SHA-512 of the protobuf bytes. */
  readonly protoHash: string;
}

let cached: { body: Buffer; gzip?: Buffer; etag: string; hash: string; protoHash: string } | undefined;

/** `GET /openapi/v2` as protobuf: encoded on first use from openapiV2(), then kept. */
export function openapiV2Protobuf(): OpenAPIV2Protobuf {
  if (!cached) {
    const json = openapiV2();
    const body = Buffer.from(encodeOpenAPIV2(JSON.parse(json.body.toString('utf8'))));
    cached = { body, etag: json.etag, hash: json.hash, protoHash: createHash('sha512').update(body).digest('hex').toUpperCase() };
  }
  const c = cached;
  return {
    body: c.body,
    get gzip() { return (c.gzip ??= gzipSync(c.body)); },
    etag: c.etag,
    hash: c.hash,
    protoHash: c.protoHash,
  };
}
