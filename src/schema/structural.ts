// The structural-schema rules a CRD's openAPIV3Schema must follow (upstream's
// apiserver/schema ValidateStructural: invariants and completeness), on the raw JSONSchemaProps JSON.
// Every node of the spine (properties, items, additionalProperties) has a type; value validations
// (allOf/anyOf/oneOf/not) may only restate fields the spine has and may not carry types, defaults,
// descriptions or extensions; metadata at the root may only constrain name and generateName.
// Errors come sorted by their message, as upstream sorts them.
import type { FieldError } from '../errors.ts';
import { fieldErrorMessage } from '../errors.ts';
import { compilePattern } from './regex.ts';

export type J = Record<string, any>;
type Level = 'root' | 'item' | 'field';

const isMap = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
export const keyPath = (p: string, k: string) => `${p}[${k}]`;
const req = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail: detail || undefined });
const forb = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail });
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const schemaOf = (v: unknown): J | undefined => (isMap(v) ? v : undefined);
const apSchema = (s: J): J | undefined => schemaOf(s.additionalProperties);

/** The structural-schema errors of a CRD schema at path (e.g. `spec.validation.openAPIV3Schema`). */
export function validateStructural(schema: J, path: string): FieldError[] {
  const errs = [...invariants(schema, 'root', path), ...completeness(schema, path)];
  return errs.sort((a, b) => (fieldErrorMessage(a) < fieldErrorMessage(b) ? -1 : fieldErrorMessage(a) > fieldErrorMessage(b) ? 1 : 0));
}

const INT_OR_STRING_ANYOF = (v: unknown): boolean => Array.isArray(v) && v.length === 2
  && isExactly(v[0], { type: 'integer' }) && isExactly(v[1], { type: 'string' });
const isExactly = (v: unknown, want: J) => isMap(v) && Object.keys(v).length === Object.keys(want).length && Object.keys(want).every((k) => v[k] === want[k]);

function invariants(s: J | undefined, lvl: Level, path: string): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  const type = str(s.type);
  if (type === 'array' && !isMap(s.items)) errs.push(req(`${path}.items`, 'must be specified'));
  errs.push(...invariants(schemaOf(s.items), 'item', `${path}.items`));
  if (isMap(s.properties)) for (const k of Object.keys(s.properties)) errs.push(...invariants(schemaOf(s.properties[k]) ?? {}, 'field', keyPath(`${path}.properties`, k)));
  if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
    if (lvl === 'root') errs.push(forb(`${path}.additionalProperties`, 'must not be used at the root'));
    errs.push(...invariants(apSchema(s), 'field', `${path}.additionalProperties`));
  }
  const ios = s['x-kubernetes-int-or-string'] === true;
  const pres = s['x-kubernetes-preserve-unknown-fields'] === true;
  const emb = s['x-kubernetes-embedded-resource'] === true;
  if (ios && pres) errs.push(inv(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (ios && emb) errs.push(inv(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  const skipAnyOf = INT_OR_STRING_ANYOF(s.anyOf);
  const skipFirstAllOfAnyOf = Array.isArray(s.allOf) && isMap(s.allOf[0]) && INT_OR_STRING_ANYOF(s.allOf[0].anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, path));
  const checkMetadata = lvl === 'root' || emb;
  if (emb && type !== 'object') {
    errs.push(type === '' ? req(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true') : inv(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (type === '' && !ios && !pres) {
    const what = lvl === 'root' ? 'at the root' : lvl === 'item' ? 'for specified array items' : 'for specified object fields';
    errs.push(req(`${path}.type`, `must not be empty ${what}`));
  }
  if (emb && s.additionalProperties !== undefined && s.additionalProperties !== null) {
    errs.push(forb(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && type !== '' && type !== 'object') errs.push(inv(`${path}.type`, type, 'must be object at the root'));
  const props = isMap(s.properties) ? s.properties : {};
  for (const k of ['kind', 'apiVersion']) {
    if (checkMetadata && Object.prototype.hasOwnProperty.call(props, k) && str(props[k]?.type) !== 'string') {
      errs.push(inv(`${keyPath(`${path}.properties`, k)}.type`, str(props[k]?.type), 'must be string'));
    }
  }
  if (Object.prototype.hasOwnProperty.call(props, 'metadata')) {
    errs.push(...metadataInvariants(schemaOf(props.metadata) ?? {}, checkMetadata, lvl, keyPath(`${path}.properties`, 'metadata')));
  }
  if (emb && !pres && Object.keys(props).length === 0) {
    errs.push(req(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

// Not part of upstream's Structural type, so not compared (type and default are cleared first).
const META_IGNORED = new Set(['type', 'default', 'properties', 'example', 'externalDocs', 'id', '$schema', '$ref', 'patternProperties', 'dependencies', 'additionalItems', 'definitions']);

function metadataInvariants(s: J, checkMetadata: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && str(s.type) !== 'object') errs.push(inv(`${path}.type`, str(s.type), 'must be object'));
  if (lvl === 'root') {
    const props = isMap(s.properties) ? Object.keys(s.properties) : [];
    const onlyNames = props.every((k) => k === 'name' || k === 'generateName');
    const extra = Object.keys(s).filter((k) => !META_IGNORED.has(k) && !isZero(s[k]));
    if (!onlyNames || extra.length > 0) {
      errs.push(forb(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  return errs;
}

const isZero = (v: unknown) => v === undefined || v === null || v === false || v === '' || v === 0 || (Array.isArray(v) && v.length === 0);

function valueValidation(s: J, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf && Array.isArray(s.anyOf)) s.anyOf.forEach((v: unknown, i: number) => errs.push(...nested(schemaOf(v), false, `${path}.anyOf[${i}]`)));
  if (Array.isArray(s.allOf)) s.allOf.forEach((v: unknown, i: number) => errs.push(...nested(schemaOf(v), skipFirstAllOfAnyOf && i === 0, `${path}.allOf[${i}]`)));
  if (Array.isArray(s.oneOf)) s.oneOf.forEach((v: unknown, i: number) => errs.push(...nested(schemaOf(v), false, `${path}.oneOf[${i}]`)));
  errs.push(...nested(schemaOf(s.not), false, `${path}.not`));
  if (typeof s.pattern === 'string' && s.pattern !== '') {
    const re = compilePattern(s.pattern);
    if (typeof re === 'string') errs.push(inv(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${re}`));
  }
  return errs;
}

const NESTED_FORBIDDEN: Array<[string, (v: unknown) => boolean, string]> = [
  ['type', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['additionalProperties', (v) => v !== undefined && v !== null, 'must be undefined to be structural'],
  ['default', (v) => v !== undefined && v !== null, 'must be undefined to be structural'],
  ['title', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['description', (v) => typeof v === 'string' && v !== '', 'must be empty to be structural'],
  ['nullable', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-preserve-unknown-fields', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-int-or-string', (v) => v === true, 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
  ['x-kubernetes-list-type', (v) => v !== undefined && v !== null, 'must be undefined to be structural'],
  ['x-kubernetes-map-type', (v) => v !== undefined && v !== null, 'must be undefined to be structural'],
  ['x-kubernetes-validations', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
];

function nested(v: J | undefined, skipAnyOf: boolean, path: string): FieldError[] {
  if (!v) return [];
  const errs: FieldError[] = [...valueValidation(v, skipAnyOf, false, path)];
  errs.push(...nested(schemaOf(v.items), false, `${path}.items`));
  if (isMap(v.properties)) for (const k of Object.keys(v.properties)) errs.push(...nested(schemaOf(v.properties[k]) ?? {}, false, keyPath(`${path}.properties`, k)));
  for (const [k, bad, msg] of NESTED_FORBIDDEN) if (bad(v[k])) errs.push(forb(`${path}.${k}`, msg));
  if (isMap(v.properties) && Object.prototype.hasOwnProperty.call(v.properties, 'metadata')) {
    errs.push(forb(keyPath(`${path}.properties`, 'metadata'), 'must not be specified in a nested context'));
  }
  return errs;
}

// ---- completeness: what value validations mention must exist in the spine ----

function completeness(s: J, path: string): FieldError[] {
  return vvCompleteness(s, s, path, path);
}

function vvCompleteness(v: J, s: J | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [req(sPath, `because it is defined in ${vPath}`)];
  const errs: FieldError[] = [];
  errs.push(...nestedCompleteness(schemaOf(v.not), s, sPath, `${vPath}.not`));
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(v[k])) v[k].forEach((x: unknown, i: number) => errs.push(...nestedCompleteness(schemaOf(x), s, sPath, `${vPath}.${k}[${i}]`)));
  }
  return errs;
}

function nestedCompleteness(v: J | undefined, s: J | undefined, sPath: string, vPath: string): FieldError[] {
  if (!v) return [];
  if (!s) return [req(sPath, `because it is defined in ${vPath}`)];
  const errs = [...vvCompleteness(v, s, sPath, vPath)];
  errs.push(...nestedCompleteness(schemaOf(v.items), schemaOf(s.items), `${sPath}.items`, `${vPath}.items`));
  if (isMap(v.properties)) {
    const sp = isMap(s.properties) ? s.properties : {};
    for (const k of Object.keys(v.properties)) {
      if (!Object.prototype.hasOwnProperty.call(sp, k)) errs.push(req(keyPath(`${sPath}.properties`, k), `because it is defined in ${keyPath(`${vPath}.properties`, k)}`));
      else errs.push(...nestedCompleteness(schemaOf(v.properties[k]), schemaOf(sp[k]), keyPath(`${sPath}.properties`, k), keyPath(`${vPath}.properties`, k)));
    }
  }
  return errs;
}

/** Does the schema pass the structural rules (used for update ratcheting of CRD rules)? */
export function isStructural(schema: J | undefined): boolean {
  return !schema || validateStructural(schema, '').length === 0;
}
