// Objects in the shape upstream's JSON encoder writes them (encoding/json over the Go types of k8s.io/api).
//
// - Fields in Go struct declaration order: `kind, apiVersion` (TypeMeta) first, then the struct's fields;
//   nested structs in their own order. The order comes from src/protobuf/schema.generated.json, whose
//   messages list fields as generated.proto does, i.e. in struct order (src/patch/smp-meta.generated.json,
//   read from the Go struct tags directly, agrees on every type both hold).
// - Map keys sorted (encoding/json sorts map keys): labels, annotations, data, resource lists...
// - Zero values as Go writes them: a struct field that is not a pointer is always written, `omitempty`
//   or not (`resources: {}`, a Service's `status: {loadBalancer: {}}`, a template's
//   `metadata.creationTimestamp: null`); a field without `omitempty` is written even when zero; an
//   `omitempty` field holding "", 0, false, an empty list or an empty map is left out.
// - Kinds that are not built in (custom resources) are maps to upstream (unstructured): every object's
//   keys sorted, at every level.
// Unknown fields of built-in kinds (the schema step drops them on write) stay, after the known ones.
// Values of the wrong JSON type are kept as they are: this only orders, it never refuses.
import { setOwn } from '../util/own.ts';
import { sortSmall } from '../util/small-sort.ts';
import { protoKinds, protoSchema } from '../protobuf/schema.ts';
import { jsonCopy } from '../util/json-copy.ts';

type Row = [number, string, string, number];
interface Tables {
  messages: Record<string, Row[]>;
  kinds: Record<string, string>;
  metaKinds: Record<string, string>;
  wrappers: Set<string>;
  /** Messages of kinds: their objects start with TypeMeta. */
  kindMessages: Set<string>;
}
let tables: Tables | undefined;
/** The protobuf table's messages and kinds, read on the first object ordered (not as this module loads). */
function protoTables(): Tables {
  if (tables) return tables;
  const schema = protoSchema();
  const kinds = schema.kinds as Record<string, string>, metaKinds = schema.metaKinds as Record<string, string>;
  return tables = {
    messages: schema.messages as unknown as Record<string, Row[]>, kinds, metaKinds, wrappers: new Set(schema.wrappers),
    kindMessages: new Set([...Object.values(kinds), ...Object.values(metaKinds),
      'k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata', 'k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList']),
  };
}
const F_REPEATED = 1, F_OMITEMPTY = 2, F_POINTER = 4, F_INLINE = 8;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
/** Hand-coded types: what their zero value encodes to (a struct with a MarshalJSON of its own). */
const SPECIAL_ZERO: Record<string, unknown> = {
  [`${META}.Time`]: null,
  [`${META}.MicroTime`]: null,
  [`${META}.Duration`]: '0s',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': '0',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 0,
};
/** Types whose JSON is kept exactly as given (raw JSON, or hand-coded encodings). */
const RAW = new Set([
  `${META}.Timestamp`, `${META}.FieldsV1`, `${META}.Fields`,
  'k8s.io.apimachinery.pkg.runtime.RawExtension', 'k8s.io.apimachinery.pkg.runtime.Unknown',
  'k8s.io.apimachinery.pkg.api.resource.QuantityValue',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

const T = { Scalar: 0, Message: 1, Special: 2, Raw: 3 } as const;
type T = (typeof T)[keyof typeof T];
interface Field {
  json: string;
  t: T;
  /** Scalar: its Go zero value; Special: what its zero encodes to. */
  zero: unknown;
  msg?: Message;
  repeated: boolean;
  map: boolean;
  omitempty: boolean;
  pointer: boolean;
  /** absent(f) is undefined: a value without this field is in wire form. */
  omittedWhenAbsent: boolean;
}
interface Message {
  name: string;
  fields: Field[];
  byName: Map<string, Field>;
  /** A kind's struct (it embeds TypeMeta, which the protobuf table leaves out). */
  kind: boolean;
}

const compiled = new Map<string, Message>();

function scalarZero(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  if (type === 'bytes') return null;
  return 0;
}

/** A field's type: a scalar, a message, a special or a raw type; maps are described by their values. */
function fieldOf(json: string, type: string, flags: number): Field {
  const m = /^map<[^,]+,(.+)>$/.exec(type);
  const valueType = m ? m[1] : type;
  const f: Field = {
    json, t: T.Scalar, zero: undefined, repeated: (flags & F_REPEATED) !== 0, map: m !== null,
    omitempty: (flags & F_OMITEMPTY) !== 0, pointer: (flags & F_POINTER) !== 0, omittedWhenAbsent: false,
  };
  if (valueType in SPECIAL_ZERO) { f.t = T.Special; f.zero = SPECIAL_ZERO[valueType]; }
  else if (RAW.has(valueType) || protoTables().wrappers.has(valueType)) f.t = T.Raw;
  else if (protoTables().messages[valueType]) { f.t = T.Message; f.msg = message(valueType); }
  else f.zero = scalarZero(valueType);
  // As absent() decides: a message or special value that is not a pointer is always written.
  f.omittedWhenAbsent = f.omitempty && (f.repeated || f.map || f.pointer || (f.t !== T.Message && f.t !== T.Special));
  return f;
}

/** The compiled field list of a message, inline members flattened in place (memoised; recursion-safe). */
function message(name: string): Message {
  let msg = compiled.get(name);
  if (msg) return msg;
  msg = { name, fields: [], byName: new Map(), kind: protoTables().kindMessages.has(name) };
  compiled.set(name, msg);
  for (const [, json, type, flags] of protoTables().messages[name] ?? []) {
    if (flags & F_INLINE) {
      for (const f of message(type).fields) msg.fields.push(f);
    } else msg.fields.push(fieldOf(json, type, flags));
  }
  for (const f of msg.fields) msg.byName.set(f.json, f);
  return msg;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether Go's omitempty leaves this (non-pointer) value out. */
function goEmpty(v: unknown): boolean {
  if (v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) { for (const _ in v) return false; return true; }
  return false;
}

/** The encoding of an absent (or null) field, or undefined if the field is left out. */
function absent(f: Field): unknown {
  if (f.repeated || f.map || f.pointer) return f.omitempty ? undefined : null;
  if (f.t === T.Message) return encodeMessage(f.msg!, {});
  if (f.t === T.Special) return f.zero;
  if (f.t === T.Raw) return f.omitempty ? undefined : null;
  return f.omitempty ? undefined : f.zero;
}

/**
 * Copy mode (wireFormCopy): values that wireForm passes through as they are (lists of scalars, raw
 * JSON, unknown members, values of the wrong type) are deep-copied, so the result shares nothing.
 */
let copying = false;
const leaf = (v: unknown): unknown => (copying && typeof v === 'object' && v !== null ? jsonCopy(v) : v);

function encodeValue(f: Field, v: unknown): unknown {
  if (f.t === T.Message) return isPlainObject(v) ? encodeMessage(f.msg!, v) : leaf(v);
  return leaf(v);
}

function encodeField(f: Field, v: unknown): unknown {
  if (v === undefined || v === null) return absent(f);
  if (f.repeated) {
    if (!Array.isArray(v)) return leaf(v);
    if (v.length === 0 && f.omitempty) return undefined;
    return f.t === T.Message ? v.map((x) => encodeValue(f, x)) : leaf(v);
  }
  if (f.map) {
    if (!isPlainObject(v)) return leaf(v);
    const keys = Object.keys(v);
    if (keys.length === 0 && f.omitempty) return undefined;
    sortSmall(keys);
    const out: Record<string, unknown> = {};
    for (const k of keys) setOwn(out, k, encodeValue(f, v[k]));
    return out;
  }
  if (f.t === T.Scalar && f.omitempty && !f.pointer && goEmpty(v)) return undefined;
  return encodeValue(f, v);
}

function encodeMessage(msg: Message, v: Record<string, unknown>, out: Record<string, unknown> = {}): Record<string, unknown> {
  if (reusing && settled(msg, v, out)) return v;
  // A value already in wire form only needs copying (the walk costs less than building it again).
  if (copying && settled(msg, v, out)) return jsonCopy(v);
  const keys = Object.keys(v);
  let known = 0;
  // A kind's struct starts with TypeMeta (inline, omitempty): kind and apiVersion first when set.
  if (msg.kind) {
    if (typeof v.kind === 'string' && v.kind !== '' && !('kind' in out)) { out.kind = v.kind; known++; }
    if (typeof v.apiVersion === 'string' && v.apiVersion !== '' && !('apiVersion' in out)) { out.apiVersion = v.apiVersion; known++; }
  }
  for (const f of msg.fields) {
    const x = v[f.json];
    if (x !== undefined) known++;
    const e = encodeField(f, x);
    if (e !== undefined) out[f.json] = e;
  }
  // Fields this type does not have, after the known ones, as given.
  if (known < keys.length) {
    for (const k of keys) {
      if (msg.byName.has(k) || Object.hasOwn(out, k) || v[k] === undefined) continue;
      if (msg.kind && (k === 'kind' || k === 'apiVersion')) continue; // empty TypeMeta members are omitted
      setOwn(out, k, leaf(v[k]));
    }
  }
  return out;
}

/**
 * Reuse mode (wireFormReusing): a message value already in wire form is returned as it is instead of
 * being rebuilt, so only the parts of a tree that are not in wire form are built again.
 */
let reusing = false;

/** Whether the encoding of a message field's value is the value itself (nothing dropped, added or reordered below it). */
function fieldSettled(f: Field, x: unknown): boolean {
  if (x === undefined) return false;
  if (x === null) return absent(f) === null;
  if (f.repeated) {
    if (!Array.isArray(x)) return true;
    if (x.length === 0) return !f.omitempty;
    if (f.t !== T.Message) return true;
    for (const e of x) if (isPlainObject(e) && !settled(f.msg!, e)) return false;
    return true;
  }
  if (f.map) {
    if (!isPlainObject(x)) return true;
    let prev: string | undefined;
    for (const k in x) {
      if (!Object.hasOwn(x, k)) return false;
      if (prev !== undefined && !(prev < k)) return false;
      prev = k;
      const e = x[k];
      if (f.t === T.Message && isPlainObject(e) && !settled(f.msg!, e)) return false;
    }
    return prev !== undefined || !f.omitempty;
  }
  if (f.t === T.Scalar) return !(f.omitempty && !f.pointer && goEmpty(x));
  if (f.t === T.Message) return !isPlainObject(x) || settled(f.msg!, x);
  return true;
}

/**
 * Whether encodeMessage(msg, v, out) would produce v exactly: the same keys in the same order with the
 * same values (only an empty `out` qualifies). Walks without allocating; false at the first difference.
 */
function settled(msg: Message, v: Record<string, unknown>, out: Record<string, unknown>): boolean;
function settled(msg: Message, v: Record<string, unknown>): boolean;
function settled(msg: Message, v: Record<string, unknown>, out?: Record<string, unknown>): boolean {
  if (out !== undefined) { for (const _ in out) return false; }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  const fields = msg.fields;
  let j = 0;
  let typeMeta = msg.kind ? 0 : 2; // kind, then apiVersion, lead a kind's struct when set
  let unknown = false;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) return false;
    const x = v[k];
    if (x === undefined) return false;
    if (typeMeta < 2) {
      if (typeMeta === 0 && k === 'kind') { typeMeta = 1; if (typeof x !== 'string' || x === '') return false; continue; }
      typeMeta = 2;
      if (k === 'apiVersion') { if (typeof x !== 'string' || x === '') return false; continue; }
    }
    if (msg.kind && (k === 'kind' || k === 'apiVersion')) return false;
    // Known fields come in struct order, unknown ones after them: a known field that is not found
    // ahead of the last one matched is out of order.
    if (unknown) { if (msg.byName.has(k)) return false; continue; }
    // Fields before this key are absent from the value (found out of order otherwise), so they must encode to nothing.
    while (j < fields.length && fields[j].json !== k) { if (!fields[j].omittedWhenAbsent) return false; j++; }
    if (j === fields.length) { if (msg.byName.has(k)) return false; unknown = true; continue; }
    if (!fieldSettled(fields[j], x)) return false;
    j++;
  }
  for (; j < fields.length; j++) if (!fields[j].omittedWhenAbsent) return false;
  return true;
}

/** Every object's keys sorted, at every level (how encoding/json writes a map[string]interface{}). */
export function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of sortSmall(Object.keys(v))) if (v[k] !== undefined) setOwn(out, k, sortedKeys(v[k]));
  return out;
}

/** The message of a built-in kind (by apiVersion and kind), or undefined. */
export function messageOfKind(apiVersion: unknown, kind: unknown): string | undefined {
  if (typeof kind !== 'string') return undefined;
  if (typeof apiVersion === 'string') {
    const m = protoKinds().kinds[`${apiVersion}/${kind}`];
    if (m) return m;
  } else if (apiVersion !== undefined) return undefined;
  // meta/v1 kinds (Status, discovery documents, PartialObjectMetadata) under v1, meta.k8s.io/v1, or with
  // the apiVersion stripped (legacy discovery).
  if (apiVersion !== undefined && apiVersion !== 'v1' && apiVersion !== 'meta.k8s.io/v1') return undefined;
  return Object.hasOwn(protoKinds().metaKinds, kind) || META_OBJECT_KINDS.has(kind) ? `${META}.${kind}` : undefined;
}

/** meta/v1 object kinds that are not registered into every group version. */
const META_OBJECT_KINDS = new Set(['PartialObjectMetadata', 'PartialObjectMetadataList']);

/** Whether objects of this apiVersion/kind are typed (struct order) rather than unstructured (sorted). */
export function isBuiltInKind(apiVersion: unknown, kind: unknown): boolean { return messageOfKind(apiVersion, kind) !== undefined; }

/**
 * `obj` as upstream writes it: a new object tree (obj is not changed; leaves and raw values are shared).
 * Typed kinds in struct order with Go's zero-value rules; other kinds with every level's keys sorted.
 */
export function wireForm<T extends Record<string, any>>(obj: T): T {
  const name = messageOfKind(obj.apiVersion, obj.kind);
  if (!name) return sortedKeys(obj) as T;
  if (!protoTables().messages[name]) return leaf(obj) as T;
  const out: Record<string, unknown> = {};
  if (obj.kind !== undefined) out.kind = obj.kind;
  if (obj.apiVersion !== undefined) out.apiVersion = obj.apiVersion;
  const rest: Record<string, unknown> = { ...obj };
  delete rest.kind; delete rest.apiVersion;
  // The items of a typed list carry no TypeMeta: upstream converts each item without setting its kind
  // (PartialObjectMetadataList sets it on every item).
  if (Array.isArray(rest.items) && name.endsWith('List') && !name.endsWith('.PartialObjectMetadataList')) rest.items = rest.items.map(withoutTypeMeta);
  return encodeMessage(message(name), rest, out) as T;
}

/**
 * wireForm(obj), reusing every part of `obj` that is already in wire form (the result and obj may
 * share objects, or be the same object). The JSON text is the same as wireForm's. For objects that
 * belong to the caller only, e.g. a write's object after it was brought into wire form once and then
 * changed in a few places.
 */
export function wireFormReusing<T extends Record<string, any>>(obj: T): T {
  const name = messageOfKind(obj.apiVersion, obj.kind);
  if (!name || !protoTables().messages[name] || Array.isArray(obj.items)) return wireForm(obj);
  const msg = message(name);
  if (settled(msg, obj)) return obj;
  reusing = true;
  try {
    return wireForm(obj);
  } finally {
    reusing = false;
  }
}

/** wireForm(obj) as a deep copy: the result shares no object or array with obj (sortedKeys already copies). */
export function wireFormCopy<T extends Record<string, any>>(obj: T): T {
  copying = true;
  try {
    return wireForm(obj);
  } finally {
    copying = false;
  }
}

/** An object without kind and apiVersion (a typed list's item). */
export function withoutTypeMeta(item: unknown): unknown {
  if (!isPlainObject(item) || (item.kind === undefined && item.apiVersion === undefined)) return item;
  const { kind: _k, apiVersion: _a, ...rest } = item;
  return rest;
}

/** A typed object of the given message (for bodies that carry no kind), in struct order. */
export function wireFormOf<T extends Record<string, any>>(messageName: string, obj: T): T {
  return encodeMessage(message(messageName), obj) as T;
}

const GO_ESCAPED = /[<>&\u2028\u2029]/;
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;
const goEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON text as Go's encoding/json writes it (no trailing newline): JSON.stringify, then `<`, `>`, `&`,
 * U+2028 and U+2029 escaped as \u003c... (Go's default HTML-safe escaping; they only occur inside strings).
 */
export function goJson(v: unknown): string {
  const s = JSON.stringify(v);
  return GO_ESCAPED.test(s) ? s.replace(GO_ESCAPED_ALL, goEscape) : s;
}

/** An API object's JSON as upstream writes it, without the trailing newline: wire form for built-in kinds. */
export function apiObjectJson(o: Record<string, unknown>): string {
  return goJson(responseForm(o));
}

/**
 * A response body in upstream's form: built-in kinds in wire form; a Table (hand-coded upstream, no
 * table entry) keeps its order but its rows' objects are in wire form; other bodies as given.
 */
export function responseForm(o: Record<string, unknown>): Record<string, unknown> {
  if (isBuiltInKind(o.apiVersion, o.kind)) return wireForm(o);
  if (o.kind === 'Table' && (o.apiVersion === 'meta.k8s.io/v1' || o.apiVersion === 'meta.k8s.io/v1beta1')) return tableForm(o);
  return o;
}

/**
 * metav1.Table in struct order (TypeMeta, ListMeta, columnDefinitions, rows). A row's object is a
 * RawExtension, which Go writes even when empty: `"object":null` for includeObject=None.
 */
function tableForm(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: o.kind, apiVersion: o.apiVersion };
  out.metadata = isPlainObject(o.metadata) ? wireFormOf(`${META}.ListMeta`, o.metadata) : o.metadata ?? {};
  out.columnDefinitions = Array.isArray(o.columnDefinitions)
    ? o.columnDefinitions.map((c) => (isPlainObject(c) ? { name: c.name ?? '', type: c.type ?? '', format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 } : c))
    : o.columnDefinitions ?? null;
  out.rows = Array.isArray(o.rows) ? o.rows.map(tableRowForm) : o.rows ?? null;
  for (const k of Object.keys(o)) if (!Object.hasOwn(out, k) && o[k] !== undefined) setOwn(out, k, o[k]);
  return out;
}

function tableRowForm(row: unknown): unknown {
  if (!isPlainObject(row)) return row;
  const out: Record<string, unknown> = { cells: row.cells ?? null };
  if (Array.isArray(row.conditions) && row.conditions.length) out.conditions = row.conditions;
  const obj = row.object;
  out.object = isPlainObject(obj) && typeof obj.kind === 'string' ? responseForm(obj) : obj ?? null;
  for (const k of Object.keys(row)) if (!Object.hasOwn(out, k) && row[k] !== undefined) setOwn(out, k, row[k]);
  return out;
}
