// The schema engine's decoding step: one walk of a parsed object against its structural schema that
// prunes unknown fields (reporting their paths), checks JSON types and normalises the apimachinery types
// that serialise themselves (Quantity, IntOrString, Time, MicroTime). Built-in kinds and custom
// resources both come through here; callers decide what an unknown field or a type error means for
// their request (fieldValidation, status codes, wording).
//
// The walk is iterative (an explicit stack), so input depth cannot overflow the call stack, and it reads
// schema properties with Object.hasOwn only, so keys such as `__proto__`, `constructor` and `prototype`
// are ordinary data: unknown unless a schema declares them.
import type { FieldValidationMode, StructuralSchema } from './types.ts';
import { goTypeOf } from './gotype.ts';
import { normaliseSpecial } from './special.ts';
import { setOwn } from '../util/own.ts';

export { setOwn };

export interface SchemaTypeError {
  /** Where, with list indices and map keys: `spec.template.spec.containers[0].name`. */
  path: string;
  /** What the schema wants: `string`, `integer`, `number`, `boolean`, `object`, `array`, `int-or-string`, or a special type's name. */
  expected: string;
  /** The JSON type found: `string`, `integer` (a whole number), `number`, `boolean`, `object`, `array`, `null`. */
  got: string;
  value: unknown;
  /** Built-in kinds: the Go struct field path (`spec.template.spec.containers.name`, no indices or map keys). */
  goField?: string;
  /** Built-in kinds: the innermost Go struct (`Container`). */
  goStruct?: string;
  /** Built-in kinds: the Go type of the field (`string`, `int32`, `[]v1.LabelSelectorRequirement`). */
  goType?: string;
  /** Built-in kinds: the error encoding/json (sigs.k8s.io/json) returns when decoding a body. */
  goMessage?: string;
  /** Built-in kinds: the error runtime.DefaultUnstructuredConverter returns (strategic merge patches). */
  converterMessage?: string;
}

export interface DecodeOptions {
  mode: FieldValidationMode;
  /**
   * Go semantics (built-in kinds): `null` is a zero value anywhere, and errors carry encoding/json's and
   * the unstructured converter's wording. Defaults to true when the schema carries Go type information.
   */
  go?: boolean;
  /** Stop collecting after this many unknown fields / type errors (pruning still runs to the end). */
  maxReports?: number;
}

export interface DecodeResult { obj: any; unknown: string[]; typeErrors: SchemaTypeError[] }

/**
 * One value to visit. Paths are not built while walking (most writes have no problems to report):
 * a frame links to its parent frame and knows its key, and paths are spelled out only for a report.
 */
interface Frame {
  value: unknown;
  schema: StructuralSchema;
  up: Frame | undefined;
  /** Key in the parent object, or index in the parent list. */
  key: string | number;
  /** Whether `key` is a declared struct field (it then counts in Go's field path). */
  isField: boolean;
  /** The container holding the value, to write back a normalised one. */
  parent: Record<string, unknown> | unknown[] | undefined;
  /** A marker frame: an unknown field, reported when popped so reports follow document order. */
  unknown: boolean;
}

function pathOf(f: Frame | undefined): string {
  const parts: string[] = [];
  for (let x = f; x && x.up; x = x.up) parts.push(typeof x.key === 'number' ? `[${x.key}]` : x.up.up ? `.${x.key}` : String(x.key));
  return parts.reverse().join('');
}

/** Go's view of where a value sits: the struct-field path (no indices or map keys) and the innermost struct. */
function goPlace(f: Frame): { field: string; struct: string } {
  const fields: string[] = [];
  let struct: string | undefined;
  for (let x: Frame | undefined = f; x && x.up; x = x.up) {
    if (!x.isField) continue;
    fields.push(String(x.key));
    struct ??= x.up.schema.goStruct;
  }
  return { field: fields.reverse().join('.'), struct: struct ?? '' };
}

const hasOwn = Object.hasOwn;

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'boolean';
    case 'number': return Number.isInteger(v) ? 'integer' : 'number';
    case 'object': return 'object';
    default: return typeof v;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const INT32 = [-2147483648, 2147483647];
const INT64 = [-9223372036854775808, 9223372036854775807];

function integerFits(v: number, format: string | undefined): boolean {
  const [lo, hi] = format === 'int32' ? INT32 : INT64;
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** The `Value` of Go's UnmarshalTypeError for a JSON value decoded into `schema`. */
function goValueWord(v: unknown, schema: StructuralSchema): string {
  const t = jsonType(v);
  if (t === 'integer' || t === 'number') return schema.type === 'integer' ? `number ${goNumber(v as number)}` : 'number';
  if (t === 'boolean') return 'bool';
  return t;
}

/** A number as Go's JSON literal would most likely have read (shortest form, exponent only when JS uses one). */
export function goNumber(n: number): string {
  return String(n).replace('e+', 'e');
}

function goKind(v: unknown): string {
  switch (jsonType(v)) {
    case 'string': return 'string';
    case 'integer': return 'int64';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'object': return 'map';
    case 'array': return 'slice';
    default: return 'interface';
  }
}

function converterWording(v: unknown, schema: StructuralSchema, goType: string): string {
  if (schema.type === 'array') return `cannot restore slice from ${goKind(v)}`;
  if (schema.type === 'object') return schema.properties ? `cannot restore struct from: ${goKind(v)}` : `cannot restore map from ${goKind(v)}`;
  const t = jsonType(v);
  if (t === 'integer' && schema.type === 'string') return 'cannot convert int64 to string';
  if (t === 'number' && schema.type === 'integer') return `cannot convert float64 to ${goType}`;
  return `unrecognized type: ${goType}`;
}

function expectedOf(s: StructuralSchema): string {
  if (s.special) return s.special;
  if (s['x-kubernetes-int-or-string']) return 'int-or-string';
  return s.type ?? 'any';
}

/** Whether `v` has the JSON type `s` asks for (special types are checked by normaliseSpecial). */
function typeMatches(v: unknown, s: StructuralSchema): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case 'object': return isPlainObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'boolean': return typeof v === 'boolean';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && integerFits(v, s.format);
    default: return true;
  }
}

const EMBEDDED_KEYS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * Decodes `obj` (a freshly parsed value the caller owns: it is pruned and normalised in place) through
 * `schema`. Unknown fields are always removed from the result and listed in `unknown` (paths like
 * `spec.replicass`, `spec.template.spec.containers[0].imagee`); the caller applies fieldValidation.
 * Type errors are returned, never thrown; a value of the wrong type is left as it was.
 */
export function decodeThroughSchema(obj: unknown, schema: StructuralSchema, opts: DecodeOptions): DecodeResult {
  const go = opts.go ?? schema.goType !== undefined;
  const max = opts.maxReports ?? 1000;
  const unknown: string[] = [];
  const typeErrors: SchemaTypeError[] = [];
  const stack: Frame[] = [{ value: obj, schema, up: undefined, key: '', isField: false, parent: undefined, unknown: false }];

  const typeError = (f: Frame, expected: string, goMessage?: string, converterMessage?: string) => {
    if (typeErrors.length >= max) return;
    const e: SchemaTypeError = { path: pathOf(f), expected, got: jsonType(f.value), value: f.value };
    if (go) {
      const goType = goTypeOf(f.schema);
      const { field, struct } = goPlace(f);
      e.goField = field; e.goStruct = struct; e.goType = goType;
      e.goMessage = goMessage ?? (struct || field
        ? `json: cannot unmarshal ${goValueWord(f.value, f.schema)} into Go struct field ${struct}.${field} of type ${goType}`
        : `json: cannot unmarshal ${goValueWord(f.value, f.schema)} into Go value of type ${goType}`);
      e.converterMessage = converterMessage ?? converterWording(f.value, f.schema, goType);
    }
    typeErrors.push(e);
  };

  while (stack.length) {
    const f = stack.pop()!;
    if (f.unknown) { if (unknown.length < max) unknown.push(pathOf(f)); continue; }
    const s = f.schema;
    const v = f.value;
    if (v === null) {
      if (go || s.nullable || (s['x-kubernetes-preserve-unknown-fields'] && s.type === undefined)) continue;
      // Custom resources: a null object field that may not be null is dropped (or, with a default, left
      // for defaulting to fill), as apiextensions prunes non-nullable nulls; a null list item is a type error.
      if (f.parent !== undefined && !Array.isArray(f.parent)) { if (s.default === undefined) delete f.parent[f.key as string]; }
      else typeError(f, expectedOf(s));
      continue;
    }
    if (s.special) {
      const r = normaliseSpecial(s.special, v);
      if (r.error !== undefined) typeError(f, s.special, r.error, r.error);
      else if (r.value !== v && f.parent !== undefined) {
        if (Array.isArray(f.parent)) f.parent[f.key as number] = r.value;
        else setOwn(f.parent, f.key as string, r.value);
      } else if (r.value !== v) obj = r.value;
      continue;
    }
    if (s.type === undefined && !s['x-kubernetes-int-or-string']) continue; // any value
    if (!typeMatches(v, s)) { typeError(f, expectedOf(s)); continue; }
    if (s.type === 'array') {
      const items = s.items;
      if (!items) continue;
      const list = v as unknown[];
      for (let i = list.length - 1; i >= 0; i--) {
        stack.push({ value: list[i], schema: items, up: f, key: i, isField: false, parent: list, unknown: false });
      }
      continue;
    }
    if (s.type !== 'object') continue;
    const o = v as Record<string, unknown>;
    const props = s.properties;
    const addl = s.additionalProperties;
    const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
    const embedded = s['x-kubernetes-embedded-resource'] === true;
    const keys = Object.keys(o);
    // Pushed last key first, so that keys are visited (and unknown ones reported) in document order.
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      if (props !== undefined && hasOwn(props, k)) {
        stack.push({ value: o[k], schema: props[k], up: f, key: k, isField: true, parent: o, unknown: false });
      } else if (addl !== undefined && addl !== false) {
        if (addl !== true) stack.push({ value: o[k], schema: addl, up: f, key: k, isField: false, parent: o, unknown: false });
      } else if (!preserve && !(embedded && EMBEDDED_KEYS.has(k))) {
        stack.push({ value: undefined, schema: s, up: f, key: k, isField: false, parent: undefined, unknown: true });
        delete o[k];
      }
    }
  }
  return { obj, unknown, typeErrors };
}
