// Table-driven codec between Kubernetes protobuf messages and the JSON form of Kubernetes objects.
//
// The wire layout and the JSON names come from schema.generated.json (scripts/gen-proto.ts). The
// low-level varint/length-delimited work is done by @bufbuild/protobuf's BinaryReader/BinaryWriter.
// A handful of apimachinery types have a JSON form that differs from their message shape and are
// converted by hand, the way their Go MarshalJSON/UnmarshalJSON methods do:
//   metav1.Time        {seconds}         <-> "2006-01-02T15:04:05Z"   (nanos dropped, like upstream)
//   metav1.MicroTime   {seconds, nanos}  <-> "2006-01-02T15:04:05.000000Z"
//   metav1.Duration    {duration ns}     <-> "1h2m3s"
//   intstr.IntOrString {type,intVal,strVal} <-> number | string
//   resource.Quantity  {string}          <-> string
//   runtime.RawExtension / metav1.FieldsV1 / apiextensions JSON {raw JSON bytes} <-> embedded value
//   JSONSchemaPropsOrArray / OrBool / OrStringArray  <-> schema | array | bool
//   nullable wrappers (ExtraValue, Verbs) {repeated items} <-> array
// Everything else follows the table: bytes <-> base64, int64 <-> number, maps as repeated entries.
//
// Errors thrown here are plain `CodecError`s; index.ts turns them into StatusErrors.

import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { sortSmall } from '../util/small-sort.ts';
import { protoSchema } from './schema.ts';

const schema = protoSchema();

export class CodecError extends Error {}

// Wire types.
const VARINT = 0, I64 = 1, LEN = 2, I32 = 5;

const F_REPEATED = schema.flags.repeated, F_OMITEMPTY = schema.flags.omitempty, F_POINTER = schema.flags.pointer, F_INLINE = schema.flags.inline;

type Special =
  | 'time' | 'microtime' | 'duration' | 'intorstring' | 'quantity' | 'raw' | 'fieldsv1' | 'json'
  | 'orarray' | 'orbool' | 'orstringarray' | 'wrapper';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const APIEXT = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.';
const SPECIALS: Record<string, Special> = {
  [META + 'Time']: 'time',
  [META + 'MicroTime']: 'microtime',
  [META + 'Duration']: 'duration',
  [META + 'FieldsV1']: 'fieldsv1',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intorstring',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'raw',
  [APIEXT + 'JSON']: 'json',
  [APIEXT + 'JSONSchemaPropsOrArray']: 'orarray',
  [APIEXT + 'JSONSchemaPropsOrBool']: 'orbool',
  [APIEXT + 'JSONSchemaPropsOrStringArray']: 'orstringarray',
};
for (const w of schema.wrappers) SPECIALS[w] = 'wrapper';

type Scalar = 'string' | 'bool' | 'bytes' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'double' | 'float';

interface FieldDef {
  no: number;
  json: string;
  repeated: boolean;
  omitempty: boolean;
  pointer: boolean;
  inline: boolean;
  scalar?: Scalar;          // scalar field
  msg?: string;             // message field (full name)
  mapKey?: Scalar;          // map field
  mapScalar?: Scalar;       // map value when scalar
  mapMsg?: string;          // map value when message
}

export interface MessageDef {
  name: string;
  special?: Special;
  fields: FieldDef[];                     // ascending field number (upstream's encoding order)
  byNo: (FieldDef | undefined)[];
  byJson: Map<string, FieldDef>;
  hasInline: boolean;
}

const rawMessages = schema.messages as unknown as Record<string, [number, string, string, number][]>;
const compiled = new Map<string, MessageDef>();
const SCALARS = new Set(['string', 'bool', 'bytes', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);

export function messageDef(name: string): MessageDef {
  let d = compiled.get(name);
  if (d) return d;
  const rows = rawMessages[name];
  if (!rows) throw new CodecError(`no protobuf message ${name} in schema`);
  const fields: FieldDef[] = rows.map(([no, json, type, flags]) => {
    const f: FieldDef = {
      no, json, repeated: (flags & F_REPEATED) !== 0, omitempty: (flags & F_OMITEMPTY) !== 0,
      pointer: (flags & F_POINTER) !== 0, inline: (flags & F_INLINE) !== 0,
    };
    const m = /^map<([\w.]+),([\w.]+)>$/.exec(type);
    if (m) {
      f.mapKey = m[1] as Scalar;
      if (SCALARS.has(m[2])) f.mapScalar = m[2] as Scalar; else f.mapMsg = m[2];
    } else if (SCALARS.has(type)) f.scalar = type as Scalar;
    else f.msg = type;
    return f;
  }).sort((a, b) => a.no - b.no);
  const byNo: (FieldDef | undefined)[] = [];
  for (const f of fields) byNo[f.no] = f;
  const byJson = new Map<string, FieldDef>();
  for (const f of fields) if (!f.inline) byJson.set(f.json, f);
  d = { name, special: SPECIALS[name], fields, byNo, byJson, hasInline: fields.some((f) => f.inline) };
  compiled.set(name, d);
  return d;
}

export const hasMessage = (name: string): boolean => name in rawMessages;

// ---------------------------------------------------------------------------------------------
// time and duration helpers

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** The last timestamp parsed: the times of one object (and of a burst of writes) repeat within a second. */
let lastTime: { text: string; t: { readonly seconds: number; readonly nanos: number } } | undefined;

/** Parses an RFC 3339 timestamp into Unix seconds and nanoseconds (the result is shared: read it only). */
export function parseTime(s: unknown): { readonly seconds: number; readonly nanos: number } {
  if (lastTime !== undefined && s === lastTime.text) return lastTime.t;
  const t = parseTimeText(s);
  lastTime = { text: s as string, t };
  return t;
}

function parseTimeText(s: unknown): { seconds: number; nanos: number } {
  const m = typeof s === 'string' ? RFC3339.exec(s) : null;
  if (!m) throw new CodecError(`invalid timestamp ${JSON.stringify(s)}: want RFC 3339`);
  let seconds = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  if (+m[1] < 100) seconds = new Date(Date.UTC(2000, +m[2] - 1, +m[3], +m[4], +m[5], +m[6])).setUTCFullYear(+m[1]) / 1000;
  if (m[9]) seconds -= (m[9] === '-' ? -1 : 1) * (+m[10] * 3600 + +m[11] * 60);
  const nanos = m[7] ? Number((m[7] + '000000000').slice(0, 9)) : 0;
  return { seconds, nanos };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function formatTime(seconds: number, micros?: number): string {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new CodecError(`timestamp out of range: ${seconds}`);
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  return micros === undefined ? `${base}Z` : `${base}.${pad(micros, 6)}Z`;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, to nanoseconds. */
export function parseDuration(s: unknown): number {
  if (typeof s !== 'string') throw new CodecError(`invalid duration ${JSON.stringify(s)}`);
  let rest = s, sign = 1;
  if (rest[0] === '-' || rest[0] === '+') { if (rest[0] === '-') sign = -1; rest = rest.slice(1); }
  if (rest === '0') return 0;
  if (rest === '') throw new CodecError(`invalid duration ${JSON.stringify(s)}`);
  let total = 0;
  const re = /^(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest) {
    const m = re.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') throw new CodecError(`invalid duration ${JSON.stringify(s)}`);
    total += Number(m[1]) * UNIT_NS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** Go's time.Duration.String. */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = BigInt(Math.abs(Math.trunc(ns)));
  const frac = (v: bigint, digits: number): string => {
    const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
    return s ? `.${s}` : '';
  };
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${u / 1000n}${frac(u % 1000n, 3)}µs`;
    else out = `${u / 1_000_000n}${frac(u % 1_000_000n, 6)}ms`;
  } else {
    const secFrac = frac(u % 1_000_000_000n, 9);
    u /= 1_000_000_000n;
    const h = u / 3600n, m = (u / 60n) % 60n, sec = u % 60n;
    out = `${h > 0n ? `${h}h` : ''}${h > 0n || m > 0n ? `${m}m` : ''}${sec}${secFrac}s`;
  }
  return neg ? `-${out}` : out;
}

// ---------------------------------------------------------------------------------------------
// encoding

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8');

function fail(path: string, what: string): never {
  throw new CodecError(`${path || '<root>'}: ${what}`);
}

function toInt(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return fail(path, `expected an integer, got ${JSON.stringify(v)}`);
}

function writeScalar(w: BinaryWriter, t: Scalar, no: number, v: unknown, path: string): void {
  switch (t) {
    case 'string':
      if (typeof v !== 'string') fail(path, `expected a string, got ${JSON.stringify(v)}`);
      w.tag(no, LEN).string(v as string); return;
    case 'bool':
      if (typeof v !== 'boolean') fail(path, `expected a boolean, got ${JSON.stringify(v)}`);
      w.tag(no, VARINT).bool(v as boolean); return;
    case 'bytes':
      if (typeof v !== 'string') fail(path, `expected base64 bytes, got ${JSON.stringify(v)}`);
      w.tag(no, LEN).bytes(Buffer.from(v as string, 'base64')); return;
    case 'int32': w.tag(no, VARINT).int32(toInt(v, path)); return;
    case 'int64': w.tag(no, VARINT).int64(toInt(v, path)); return;
    case 'uint32': w.tag(no, VARINT).uint32(toInt(v, path)); return;
    case 'uint64': w.tag(no, VARINT).uint64(toInt(v, path)); return;
    case 'double':
      if (typeof v !== 'number') fail(path, `expected a number, got ${JSON.stringify(v)}`);
      w.tag(no, I64).double(v as number); return;
    case 'float':
      if (typeof v !== 'number') fail(path, `expected a number, got ${JSON.stringify(v)}`);
      w.tag(no, I32).float(v as number); return;
  }
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Writes `v` (JSON form) as the body of message `def`. */
export function encodeBody(w: BinaryWriter, def: MessageDef, v: any, path: string): void {
  switch (def.special) {
    case undefined: break;
    case 'time': {
      if (v === null) return;
      const t = parseTime(v);
      w.tag(1, VARINT).int64(t.seconds).tag(2, VARINT).int32(0);
      return;
    }
    case 'microtime': {
      if (v === null) return;
      const t = parseTime(v);
      w.tag(1, VARINT).int64(t.seconds).tag(2, VARINT).int32(t.nanos - (t.nanos % 1000));
      return;
    }
    case 'duration': w.tag(1, VARINT).int64(parseDuration(v)); return;
    case 'intorstring':
      if (typeof v === 'number' && Number.isInteger(v)) w.tag(1, VARINT).int64(0).tag(2, VARINT).int32(v).tag(3, LEN).string('');
      else if (typeof v === 'string') w.tag(1, VARINT).int64(1).tag(2, VARINT).int32(0).tag(3, LEN).string(v);
      else fail(path, `expected an integer or a string, got ${JSON.stringify(v)}`);
      return;
    case 'quantity':
      if (typeof v !== 'string' && typeof v !== 'number') fail(path, `expected a quantity, got ${JSON.stringify(v)}`);
      w.tag(1, LEN).string(String(v));
      return;
    case 'raw': case 'fieldsv1': case 'json':
      if (v === null && def.special !== 'json') return;
      w.tag(1, LEN).bytes(utf8.encode(JSON.stringify(v)));
      return;
    case 'wrapper':
      if (!Array.isArray(v)) fail(path, `expected an array, got ${JSON.stringify(v)}`);
      for (const s of v) writeScalar(w, 'string', 1, s, path);
      return;
    case 'orarray': {
      const props = messageDef(APIEXT + 'JSONSchemaProps');
      if (Array.isArray(v)) {
        v.forEach((s, i) => { w.tag(2, LEN).fork(); encodeBody(w, props, s, `${path}[${i}]`); w.join(); });
      } else if (isObject(v)) { w.tag(1, LEN).fork(); encodeBody(w, props, v, path); w.join(); }
      else fail(path, `expected a schema or an array of schemas, got ${JSON.stringify(v)}`);
      return;
    }
    case 'orbool': {
      if (typeof v === 'boolean') { w.tag(1, VARINT).bool(v); return; }
      if (!isObject(v)) fail(path, `expected a schema or a boolean, got ${JSON.stringify(v)}`);
      w.tag(1, VARINT).bool(true).tag(2, LEN).fork();
      encodeBody(w, messageDef(APIEXT + 'JSONSchemaProps'), v, path);
      w.join();
      return;
    }
    case 'orstringarray': {
      if (Array.isArray(v)) { for (const s of v) writeScalar(w, 'string', 2, s, path); return; }
      if (!isObject(v)) fail(path, `expected a schema or an array of strings, got ${JSON.stringify(v)}`);
      w.tag(1, LEN).fork();
      encodeBody(w, messageDef(APIEXT + 'JSONSchemaProps'), v, path);
      w.join();
      return;
    }
  }
  if (!isObject(v)) fail(path, `expected an object, got ${JSON.stringify(v)}`);
  // Visit only the keys the object has (far fewer than the schema's fields for most objects), in field-number order.
  let fields = def.fields;
  if (!def.hasInline) {
    // In field-number order by insertion (an object's keys mostly come in that order already, and
    // Array.prototype.sort would copy).
    fields = [];
    for (const k in v) {
      const f = def.byJson.get(k);
      if (!f) continue;
      let i = fields.length;
      while (i > 0 && fields[i - 1].no > f.no) { fields[i] = fields[i - 1]; i--; }
      fields[i] = f;
    }
  }
  for (const f of fields) {
    if (f.inline) {
      w.tag(f.no, LEN).fork();
      encodeBody(w, messageDef(f.msg!), v, path);
      w.join();
      continue;
    }
    const fv = v[f.json];
    const fpath = path ? `${path}.${f.json}` : f.json;
    if (fv === undefined) continue;
    if (fv === null) {
      // A JSON null leaves a Go value at its zero: only a non-pointer Time keeps its (empty) field.
      if (!f.pointer && !f.repeated && f.msg && (SPECIALS[f.msg] === 'time' || SPECIALS[f.msg] === 'microtime')) w.tag(f.no, LEN).bytes(new Uint8Array(0));
      continue;
    }
    if (f.mapKey) {
      if (!isObject(fv)) fail(fpath, `expected a map, got ${JSON.stringify(fv)}`);
      for (const key of sortSmall(Object.keys(fv))) {
        const val = fv[key];
        w.tag(f.no, LEN).fork();
        writeScalar(w, f.mapKey, 1, key, fpath);
        if (f.mapScalar) { if (val !== null) writeScalar(w, f.mapScalar, 2, val, `${fpath}[${key}]`); }
        else { w.tag(2, LEN).fork(); if (val !== null) encodeBody(w, messageDef(f.mapMsg!), val, `${fpath}[${key}]`); w.join(); }
        w.join();
      }
      continue;
    }
    if (f.repeated) {
      if (!Array.isArray(fv)) fail(fpath, `expected an array, got ${JSON.stringify(fv)}`);
      for (let i = 0; i < fv.length; i++) {
        const el = fv[i];
        if (f.scalar) writeScalar(w, f.scalar, f.no, el, `${fpath}[${i}]`);
        else { w.tag(f.no, LEN).fork(); if (el !== null) encodeBody(w, messageDef(f.msg!), el, `${fpath}[${i}]`); w.join(); }
      }
      continue;
    }
    if (f.scalar) writeScalar(w, f.scalar, f.no, fv, fpath);
    else { w.tag(f.no, LEN).fork(); encodeBody(w, messageDef(f.msg!), fv, fpath); w.join(); }
  }
}

/**
 * A writer whose buffer has already grown to the size of a typical object, kept between encodings
 * (a new BinaryWriter starts at 128 bytes and doubles, copying, on every object). takeWriter hands it
 * out (or a new one when it is in use); finishWriter returns the bytes and keeps the writer unless
 * its buffer grew large (a big list's buffer is not held on to).
 */
let spareWriter: BinaryWriter | undefined;
const SPARE_WRITER_MAX = 64 * 1024;

export function takeWriter(): BinaryWriter {
  const w = spareWriter ?? new BinaryWriter();
  spareWriter = undefined;
  return w;
}

export function finishWriter(w: BinaryWriter): Uint8Array {
  const out = w.finish();
  if (out.length <= SPARE_WRITER_MAX) spareWriter = w;
  return out;
}

/** Encodes `v` as message `name`, without any envelope. */
export function encodeMessage(name: string, v: unknown): Uint8Array {
  const w = takeWriter();
  encodeBody(w, messageDef(name), v, '');
  return finishWriter(w);
}

// ---------------------------------------------------------------------------------------------
// decoding

const MAX_DEPTH = 100;

/** Hook for RawExtension bytes that carry a nested protobuf envelope (set by index.ts). */
let nestedEnvelope: ((raw: Uint8Array, depth: number) => unknown) | undefined;
export function setNestedEnvelopeDecoder(fn: (raw: Uint8Array, depth: number) => unknown): void { nestedEnvelope = fn; }

function parseJsonBytes(b: Uint8Array, path: string): unknown {
  if (b.length === 0) return null;
  try { return JSON.parse(fromUtf8.decode(b)); } catch { return fail(path, 'raw field does not hold valid JSON'); }
}

/** Reads a length prefix and returns the end offset, checked against the enclosing end. */
function lenEnd(r: BinaryReader, end: number, path: string): number {
  const len = r.uint32();
  const e = r.pos + len;
  if (r.pos > end || e > end) fail(path, 'length exceeds the enclosing message (truncated or corrupt data)');
  return e;
}

function readScalar(r: BinaryReader, t: Scalar, wt: number, end: number, path: string): unknown {
  switch (t) {
    case 'string': wantWire(wt, LEN, path); { const e = lenEnd(r, end, path); const s = utf8Slice(rbuf(r), r.pos, e); r.pos = e; return s; }
    case 'bytes': wantWire(wt, LEN, path); { const e = lenEnd(r, end, path); const s = Buffer.from(rbuf(r).buffer, rbuf(r).byteOffset + r.pos, e - r.pos).toString('base64'); r.pos = e; return s; }
    case 'bool': wantWire(wt, VARINT, path); return r.bool();
    case 'int32': wantWire(wt, VARINT, path); return r.int32();
    case 'uint32': wantWire(wt, VARINT, path); return r.uint32();
    case 'int64': wantWire(wt, VARINT, path); return Number(r.int64());
    case 'uint64': wantWire(wt, VARINT, path); return Number(r.uint64());
    case 'double': wantWire(wt, I64, path); return r.double();
    case 'float': wantWire(wt, I32, path); return r.float();
  }
}

/** UTF-8 decode with a fast path for the short ASCII strings that dominate Kubernetes objects. */
function utf8Slice(b: Uint8Array, start: number, end: number): string {
  if (end - start < 48) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c >= 0x80) return fromUtf8.decode(b.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return fromUtf8.decode(b.subarray(start, end));
}

// BinaryReader keeps its buffer private; we read strings and bytes straight from it (no copy).
const rbuf = (r: BinaryReader): Uint8Array => (r as unknown as { buf: Uint8Array }).buf;

function wantWire(got: number, want: number, path: string): void {
  if (got !== want) fail(path, `wrong wire type ${got} (want ${want})`);
}

/**
 * The next field tag, as BinaryReader.tag() reads and checks it (same errors), packed as
 * fieldNo << 3 | wireType (unsigned) instead of a new two-element array per field.
 */
export function readTag(r: BinaryReader): number {
  const start = r.pos;
  const tag = r.uint32();
  const bytesRead = r.pos - start;
  if (bytesRead > 5 || (bytesRead === 5 && rbuf(r)[r.pos - 1] > 0x0f)) throw new Error('illegal tag: varint overflows uint32');
  const fieldNo = tag >>> 3;
  const wireType = tag & 7;
  if (fieldNo <= 0 || wireType > 5) throw new Error('illegal tag: field no ' + fieldNo + ' wire type ' + wireType);
  return tag;
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false;

/** Decodes the message body between r.pos and end. */
export function decodeBody(r: BinaryReader, def: MessageDef, end: number, path: string, depth: number): any {
  if (depth > MAX_DEPTH) fail(path, 'message nesting too deep');
  switch (def.special) {
    case undefined: break;
    case 'time': case 'microtime': {
      if (r.pos === end) { return null; }
      const t = readFields(r, end, path, depth, { 1: 'int64', 2: 'int32' });
      const seconds = (t[1] as number) ?? 0, nanos = (t[2] as number) ?? 0;
      return def.special === 'time' ? formatTime(seconds) : formatTime(seconds, Math.floor(nanos / 1000));
    }
    case 'duration': {
      const t = readFields(r, end, path, depth, { 1: 'int64' });
      return formatDuration((t[1] as number) ?? 0);
    }
    case 'intorstring': {
      const t = readFields(r, end, path, depth, { 1: 'int64', 2: 'int32', 3: 'string' });
      return t[1] === 1 ? (t[3] ?? '') : (t[2] ?? 0);
    }
    case 'quantity': {
      const t = readFields(r, end, path, depth, { 1: 'string' });
      return t[1] ?? '0';
    }
    case 'raw': case 'fieldsv1': case 'json': {
      let raw: Uint8Array | undefined;
      while (r.pos < end) {
        const t = readTag(r), no = t >>> 3, wt = t & 7;
        if (no === 1 && wt === LEN) { const e = lenEnd(r, end, path); raw = rbuf(r).subarray(r.pos, e); r.pos = e; }
        else r.skip(wt, no);
      }
      checkEnd(r, end, path);
      if (!raw || raw.length === 0) return null;
      if (def.special === 'raw' && raw.length >= 4 && raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0 && nestedEnvelope) {
        return nestedEnvelope(raw, depth + 1);
      }
      return parseJsonBytes(raw, path);
    }
    case 'wrapper': {
      const items: unknown[] = [];
      while (r.pos < end) {
        const t = readTag(r), no = t >>> 3, wt = t & 7;
        if (no === 1) items.push(readScalar(r, 'string', wt, end, path));
        else r.skip(wt, no);
      }
      checkEnd(r, end, path);
      return items;
    }
    case 'orarray': case 'orbool': case 'orstringarray': {
      const props = messageDef(APIEXT + 'JSONSchemaProps');
      let schemaV: unknown, allows = false;
      const list: unknown[] = [];
      while (r.pos < end) {
        const t = readTag(r), no = t >>> 3, wt = t & 7;
        const sub = def.special === 'orbool' ? 2 : 1;
        if (no === sub && wt === LEN) { const e = lenEnd(r, end, path); schemaV = decodeBody(r, props, e, path, depth + 1); checkEnd(r, e, path); }
        else if (def.special === 'orbool' && no === 1) allows = readScalar(r, 'bool', wt, end, path) as boolean;
        else if (def.special === 'orarray' && no === 2 && wt === LEN) { const e = lenEnd(r, end, path); list.push(decodeBody(r, props, e, path, depth + 1)); checkEnd(r, e, path); }
        else if (def.special === 'orstringarray' && no === 2) list.push(readScalar(r, 'string', wt, end, path));
        else r.skip(wt, no);
      }
      checkEnd(r, end, path);
      if (def.special === 'orbool') return schemaV !== undefined ? schemaV : allows;
      if (list.length > 0) return list;
      return schemaV ?? null;
    }
  }
  const out: Record<string, any> = {};
  while (r.pos < end) {
    const t = readTag(r), no = t >>> 3, wt = t & 7;
    const f = def.byNo[no];
    if (!f) { r.skip(wt, no); continue; }
    const fpath = path ? `${path}.${f.json || '(inline)'}` : f.json;
    if (f.mapKey) {
      wantWire(wt, LEN, fpath);
      const e = lenEnd(r, end, fpath);
      let key: unknown, val: unknown;
      while (r.pos < e) {
        const kt = readTag(r), kno = kt >>> 3, kwt = kt & 7;
        if (kno === 1) key = readScalar(r, f.mapKey, kwt, e, fpath);
        else if (kno === 2) {
          if (f.mapScalar) val = readScalar(r, f.mapScalar, kwt, e, fpath);
          else { wantWire(kwt, LEN, fpath); const ve = lenEnd(r, e, fpath); val = decodeBody(r, messageDef(f.mapMsg!), ve, fpath, depth + 1); checkEnd(r, ve, fpath); }
        } else r.skip(kwt, kno);
      }
      checkEnd(r, e, fpath);
      if (val === undefined) val = f.mapScalar ? (f.mapScalar === 'string' || f.mapScalar === 'bytes' ? '' : f.mapScalar === 'bool' ? false : 0) : decodeBody(r, messageDef(f.mapMsg!), r.pos, fpath, depth + 1);
      (out[f.json] ??= {})[String(key ?? (f.mapKey === 'string' ? '' : 0))] = val;
      continue;
    }
    if (f.scalar) {
      if (f.repeated) {
        const arr: unknown[] = (out[f.json] ??= []);
        if (wt === LEN && f.scalar !== 'string' && f.scalar !== 'bytes') {
          const e = lenEnd(r, end, fpath); // packed
          while (r.pos < e) arr.push(readScalar(r, f.scalar, f.scalar === 'double' ? I64 : f.scalar === 'float' ? I32 : VARINT, e, fpath));
          checkEnd(r, e, fpath);
        } else arr.push(readScalar(r, f.scalar, wt, end, fpath));
        continue;
      }
      const v = readScalar(r, f.scalar, wt, end, fpath);
      if (f.omitempty && !f.pointer && isZero(v)) { delete out[f.json]; continue; }
      out[f.json] = v;
      continue;
    }
    wantWire(wt, LEN, fpath);
    const e = lenEnd(r, end, fpath);
    const v = decodeBody(r, messageDef(f.msg!), e, fpath, depth + 1);
    checkEnd(r, e, fpath);
    if (f.inline) { Object.assign(out, v); continue; }
    if (f.repeated) { (out[f.json] ??= []).push(v); continue; }
    // Go's omitempty never drops a struct; only the slice-typed wrappers (ExtraValue, Verbs) can be empty.
    if (f.omitempty && !f.pointer && Array.isArray(v) && v.length === 0) { delete out[f.json]; continue; }
    out[f.json] = v;
  }
  checkEnd(r, end, path);
  return out;
}

function checkEnd(r: BinaryReader, end: number, path: string): void {
  if (r.pos !== end) fail(path, 'message overruns its length (truncated or corrupt data)');
}

/** Reads a small all-scalar message given as field number → type. */
function readFields(r: BinaryReader, end: number, path: string, _depth: number, types: Record<number, Scalar>): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  while (r.pos < end) {
    const tag = readTag(r), no = tag >>> 3, wt = tag & 7;
    const t = types[no];
    if (t) out[no] = readScalar(r, t, wt, end, path); else r.skip(wt, no);
  }
  checkEnd(r, end, path);
  return out;
}

/** Decodes a whole buffer as message `name`, without any envelope. */
export function decodeMessage(name: string, buf: Uint8Array, depth = 0): any {
  const r = new BinaryReader(buf);
  return decodeBody(r, messageDef(name), buf.length, '', depth);
}
