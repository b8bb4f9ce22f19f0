// OpenAPI v3 value validation of custom objects, as upstream runs it: kube-openapi's schema validator
// (k8s.io/kube-openapi/pkg/validation/validate) with its messages, turned into field errors the way
// apiextensions' kubeOpenAPIResultToFieldErrors does, then the embedded-resource metadata checks and
// the x-kubernetes-list-type uniqueness checks. With `old`, validation ratchets as upstream's
// CRDValidationRatcheting (on by default since 1.30): errors inside a value that did not change from
// the old object are not reported.
import type { FieldError } from '../errors.ts';
import type { StructuralSchema } from './types.ts';
import { goErrorValue, goFloat, goJSON, goQuote } from './gofmt.ts';
import { formatCheck } from './formats.ts';
import { compilePattern, patternMatches } from './regex.ts';
import { validateListSetsAndMaps } from './listtype.ts';
import { validateEmbeddedResources } from './embedded.ts';
import { correlateIndex, deepEqual } from './correlate.ts';

export interface ValidateOptions {
  /** A field path every reported path is put under (upstream: `status` for the status subresource). */
  path?: string;
  /** The object before the update: unchanged invalid values are not reported (ratcheting). */
  old?: unknown;
}

const IN = 'body';
type Kind = 'null' | 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return Number.isInteger(v) ? 'integer' : 'number';
    case 'boolean': return 'boolean';
    case 'object': return 'object';
    default: return 'null';
  }
}

/** Validate a value against a structural schema; never throws. */
export function validateValue(schema: StructuralSchema | undefined, value: unknown, opts?: string | ValidateOptions): FieldError[] {
  const o: ValidateOptions = typeof opts === 'string' ? { path: opts } : (opts ?? {});
  if (!schema) return [];
  const ratchet = o.old !== undefined;
  try {
    const v = new Validator(o.path ?? '');
    const errs = v.node(schema, value, '', ratchet ? { value: o.old } : undefined, true);
    errs.push(...validateEmbeddedResources(schema, value, o.path ?? ''));
    if (!ratchet || validateListSetsAndMaps(schema, o.old, o.path ?? '').length === 0) {
      errs.push(...validateListSetsAndMaps(schema, value, o.path ?? ''));
    }
    return errs;
  } catch (e) {
    if (e instanceof RangeError) return [{ type: 'FieldValueInvalid', field: o.path || '<nil>', value: '', detail: 'object nesting is too deep to validate' }];
    throw e;
  }
}

/** Only the kube-openapi part (upstream's ValidateCustomResource): no list-type or embedded checks. */
export function validateOpenAPI(schema: StructuralSchema, value: unknown, path = ''): FieldError[] {
  return new Validator(path).node(schema, value, '', undefined, true);
}

/** The kube-openapi part with ratcheting against a correlated old value (upstream's ValidateCustomResourceUpdate). */
export function validateOpenAPIRatcheting(schema: StructuralSchema, value: unknown, path: string, old: { value: unknown } | undefined): FieldError[] {
  try {
    return new Validator(path).node(schema, value, '', old, true);
  } catch (e) {
    if (e instanceof RangeError) return [{ type: 'FieldValueInvalid', field: path || '<nil>', value: '', detail: 'object nesting is too deep to validate' }];
    throw e;
  }
}

/** The old value correlated with the node being validated (ratcheting), if any. */
interface Old { value: unknown }

const isJSONInteger = (f: number): boolean => {
  if (!Number.isFinite(f)) return false;
  if (Number.isInteger(f)) return true;
  const g = Math.trunc(f);
  return Math.abs(f - g) / (Math.abs(f) + Math.abs(g)) < 1e-9;
};

class Validator {
  private readonly prefix: string;
  constructor(prefix: string) { this.prefix = prefix; }

  // ---- how kube-openapi errors become field errors (kubeOpenAPIResultToFieldErrors) ----

  private at(name: string): string {
    const n = name.startsWith('.') ? name.slice(1) : name;
    if (n === '' || n === '.') return this.prefix || '<nil>';
    return this.prefix ? `${this.prefix}.${n}` : n;
  }
  private invalid(name: string, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field: this.at(name), value: value ?? '', detail, rendered: goErrorValue(value) };
  }
  private typeInvalid(name: string, expected: string, got: unknown): FieldError {
    const detail = typeof got === 'string' ? `${name} in ${IN} must be of type ${expected}: ${goQuote(got)}` : `${name} in ${IN} must be of type ${expected}`;
    return { type: 'FieldValueTypeInvalid', field: this.at(name), value: got ?? '', detail, rendered: goErrorValue(got) };
  }
  private composite(detail: string): FieldError {
    return { type: 'FieldValueInvalid', field: this.prefix || '<nil>', value: '', detail };
  }

  // ---- the schema validator: one node ----

  node(s: StructuralSchema, data: unknown, path: string, old: Old | undefined, root = false): FieldError[] {
    const errs: FieldError[] = [];
    const kind = kindOf(data);
    const types = schemaTypes(s);
    if (kind === 'null') {
      errs.push(...this.typeCheck(s, types, data, kind, path));
      errs.push(...this.enumCheck(s, data, path));
      return this.ratchet(errs, data, old);
    }
    errs.push(...this.typeCheck(s, types, data, kind, path));
    errs.push(...this.combinators(s, data, path, old));
    if (kind === 'string') {
      errs.push(...this.stringCheck(s, data as string, path));
      errs.push(...this.formatCheck(s, data as string, path));
    }
    if (kind === 'integer' || kind === 'number') errs.push(...this.numberCheck(s, types, data as number, path));
    if (kind === 'array') errs.push(...this.sliceCheck(s, data as unknown[], path, old));
    errs.push(...this.enumCheck(s, data, path));
    if (kind === 'object') errs.push(...this.objectCheck(s, data as Record<string, unknown>, path, old, root));
    return this.ratchet(errs, data, old);
  }

  private ratchet(errs: FieldError[], data: unknown, old: Old | undefined): FieldError[] {
    if (errs.length && old && deepEqual(data, old.value)) return [];
    return errs;
  }

  private typeCheck(s: StructuralSchema, types: string[], data: unknown, kind: Kind, path: string): FieldError[] {
    const format = supportedFormat(s.format);
    if (types.length === 0 && !format) return [];
    if (kind === 'null') {
      if (types.length > 0 && !s.nullable) return [this.typeInvalid(path, types.join(','), 'null')];
      return [];
    }
    const numeric = types.includes('number') || types.includes('integer');
    const has = (t: string) => types.includes(t);
    const intFloat = kind === 'integer' && has('number');
    if (kind !== 'string' && kind !== 'array' && format && !(has(kind) || intFloat)) {
      const goFormat = kind === 'integer' ? 'int64' : kind === 'number' ? 'double' : '';
      return [this.typeInvalid(path, format, goFormat)];
    }
    if (!numeric && format && (kind === 'string' || kind === 'array')) return [];
    if (!(has(kind) || intFloat)) return [this.typeInvalid(path, types.join(','), kind)];
    return [];
  }

  private combinators(s: StructuralSchema, data: unknown, path: string, old: Old | undefined): FieldError[] {
    const errs: FieldError[] = [];
    if (s.anyOf?.length) {
      let best: FieldError[] | undefined;
      let ok = false;
      for (const sub of s.anyOf) {
        const r = this.node(sub, data, path, old);
        if (r.length === 0) { ok = true; best = undefined; break; }
        if (!best) best = r;
      }
      if (!ok) errs.push(this.composite(`${goQuote(path)} must validate at least one schema (anyOf)`));
      if (best) errs.push(...best);
    }
    if (s.oneOf?.length) {
      let best: FieldError[] | undefined;
      let valid = 0;
      for (const sub of s.oneOf) {
        const r = this.node(sub, data, path, old);
        if (r.length === 0) { valid++; best = undefined; continue; }
        if (valid === 0 && !best) best = r;
      }
      if (valid !== 1) {
        const more = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
        errs.push(this.composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${more}`));
        if (best) errs.push(...best);
      }
    }
    if (s.allOf?.length) {
      let valid = 0;
      for (const sub of s.allOf) {
        const r = this.node(sub, data, path, old);
        if (r.length === 0) valid++;
        errs.push(...r);
      }
      if (valid !== s.allOf.length) {
        errs.push(this.composite(`${goQuote(path)} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`));
      }
    }
    if (s.not && this.node(s.not, data, path, undefined).length === 0) {
      errs.push(this.composite(`${goQuote(path)} must not validate the schema (not)`));
    }
    return errs;
  }

  private stringCheck(s: StructuralSchema, data: string, path: string): FieldError[] {
    const runes = () => [...data].length;
    if (typeof s.maxLength === 'number' && runes() > s.maxLength) {
      return [{ type: 'FieldValueTooLong', field: this.at(path), detail: `may not be more than ${s.maxLength} bytes` }];
    }
    if (typeof s.minLength === 'number' && runes() < s.minLength) {
      return [this.invalid(path, data, `${path} in ${IN} should be at least ${s.minLength} chars long`)];
    }
    if (typeof s.pattern === 'string' && s.pattern !== '') {
      const re = compilePattern(s.pattern);
      if (typeof re === 'string') return [this.invalid(path, data, `${path} in ${IN} should match '${s.pattern}, but pattern is invalid: ${re}'`)];
      if (!patternMatches(re, data)) return [this.invalid(path, data, `${path} in ${IN} should match '${s.pattern}'`)];
    }
    return [];
  }

  private formatCheck(s: StructuralSchema, data: string, path: string): FieldError[] {
    const check = formatCheck(s.format);
    if (!check || check(data)) return [];
    return [this.typeInvalid(path, s.format!, data)];
  }

  private numberCheck(s: StructuralSchema, types: string[], data: number, path: string): FieldError[] {
    const typeName = types.length === 1 && (types[0] === 'integer' || types[0] === 'number') ? types[0] : '';
    const intPath = (bound: number) => Number.isInteger(data) && (typeName !== 'integer' || Number.isInteger(bound));
    const errs: FieldError[] = [];
    if (typeof s.multipleOf === 'number') {
      const f = s.multipleOf;
      if (intPath(f)) {
        const fi = Math.trunc(f);
        if (fi <= 0) errs.push(this.invalid(path, fi, `factor MultipleOf declared for ${path} must be positive: ${fi}`));
        else if (data % fi !== 0) errs.push(this.invalid(path, data, `${path} in ${IN} should be a multiple of ${fi}`));
      } else if (f <= 0) {
        errs.push(this.invalid(path, f, `factor MultipleOf declared for ${path} must be positive: ${goFloat(f)}`));
      } else if (!isJSONInteger(f < 1 ? (1 / f) * data : data / f)) {
        errs.push(this.invalid(path, data, `${path} in ${IN} should be a multiple of ${goFloat(f)}`));
      }
    }
    if (typeof s.minimum === 'number') {
      const ip = intPath(s.minimum);
      const min = ip ? Math.trunc(s.minimum) : s.minimum;
      const ex = !!s.exclusiveMinimum;
      if (ex ? data <= min : data < min) {
        errs.push(this.invalid(path, data, `${path} in ${IN} should be greater than ${ex ? '' : 'or equal to '}${ip ? String(min) : goFloat(min)}`));
      }
    }
    if (typeof s.maximum === 'number') {
      const ip = intPath(s.maximum);
      const max = ip ? Math.trunc(s.maximum) : s.maximum;
      const ex = !!s.exclusiveMaximum;
      if (ex ? data >= max : data > max) {
        errs.push(this.invalid(path, data, `${path} in ${IN} should be less than ${ex ? '' : 'or equal to '}${ip ? String(max) : goFloat(max)}`));
      }
    }
    return errs;
  }

  private sliceCheck(s: StructuralSchema, data: unknown[], path: string, old: Old | undefined): FieldError[] {
    const errs: FieldError[] = [];
    if (s.items && typeof s.items === 'object') {
      for (let i = 0; i < data.length; i++) {
        const o = old ? correlateIndex(s, data[i], old.value) : undefined;
        errs.push(...this.node(s.items, data[i], `${path}[${i}]`, o));
      }
    }
    if (typeof s.minItems === 'number' && data.length < s.minItems) {
      errs.push(this.invalid(path, data.length, `${path} in ${IN} should have at least ${s.minItems} items`));
    }
    if (typeof s.maxItems === 'number' && data.length > s.maxItems) {
      errs.push({ type: 'FieldValueTooMany', field: this.at(path), value: data.length, detail: `must have at most ${s.maxItems} items` });
    }
    if (s.uniqueItems) {
      const seen = new Set<string>();
      for (const x of data) {
        const k = goJSON(x);
        if (seen.has(k)) { errs.push(this.invalid(path, '', `${path} in ${IN} shouldn't contain duplicates`)); break; }
        seen.add(k);
      }
    }
    return errs;
  }

  private enumCheck(s: StructuralSchema, data: unknown, path: string): FieldError[] {
    if (!Array.isArray(s.enum) || s.enum.length === 0) return [];
    for (const e of s.enum) if (enumEquals(e, data)) return [];
    const supported = s.enum.map((e) => (typeof e === 'string' ? e : goJSON(e)));
    return [{ type: 'FieldValueNotSupported', field: this.at(path), value: data ?? null, supported, rendered: goErrorValue(data) }];
  }

  private objectCheck(s: StructuralSchema, data: Record<string, unknown>, path: string, old: Old | undefined, root: boolean): FieldError[] {
    const errs: FieldError[] = [];
    const n = Object.keys(data).length;
    if (typeof s.minProperties === 'number' && n < s.minProperties) {
      errs.push(this.invalid(path, n, `${path} in ${IN} should have at least ${s.minProperties} properties`));
    }
    if (typeof s.maxProperties === 'number' && n > s.maxProperties) {
      errs.push({ type: 'FieldValueTooMany', field: this.at(path), value: n, detail: `must have at most ${s.maxProperties} items` });
    }
    const props = s.properties ?? {};
    const has = (k: string) => Object.prototype.hasOwnProperty.call(props, k);
    const oldObj = old && typeof old.value === 'object' && old.value !== null && !Array.isArray(old.value) ? old.value as Record<string, unknown> : undefined;
    const oldFor = (k: string): Old | undefined => {
      if (!oldObj || (root && (k === 'kind' || k === 'apiVersion'))) return undefined;
      return Object.prototype.hasOwnProperty.call(oldObj, k) ? { value: oldObj[k] } : undefined;
    };
    const child = (k: string) => (path ? `${path}.${k}` : k);
    if (s.additionalProperties === false) {
      for (const k of Object.keys(data)) if (!has(k)) errs.push(this.invalid(path, k, `${path}.${k} in ${IN} is a forbidden property`));
    } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      for (const k of Object.keys(data)) {
        if (!has(k)) errs.push(...this.node(s.additionalProperties, data[k], `${path}.${k}`, oldFor(k)));
      }
    }
    for (const k of Object.keys(props)) {
      if (Object.prototype.hasOwnProperty.call(data, k)) errs.push(...this.node(props[k], data[k], child(k), oldFor(k)));
    }
    if (Array.isArray(s.required)) {
      for (const k of s.required) {
        if (typeof k === 'string' && !Object.prototype.hasOwnProperty.call(data, k)) {
          errs.push({ type: 'FieldValueRequired', field: this.at(`${path}.${k}`) });
        }
      }
    }
    return errs;
  }
}

/** The schema's types as kube-openapi sees them (int-or-string is "integer,string"). */
function schemaTypes(s: StructuralSchema): string[] {
  if (s['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return typeof s.type === 'string' && s.type ? [s.type] : [];
}

/** Formats apiextensions keeps (others are stripped before validation and check nothing). */
function supportedFormat(f: string | undefined): string {
  return f && formatCheck(f) ? f : '';
}

// kube-openapi compares an enum member with the value after converting the value to the member's
// Go type (so 1 matches 1.0); objects and arrays compare deeply.
function enumEquals(e: unknown, v: unknown): boolean {
  if (e === null || e === undefined) return false;
  if (typeof e === 'number' && typeof v === 'number') return e === v;
  return deepEqual(e, v);
}
