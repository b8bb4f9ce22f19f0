// x-kubernetes-list-type uniqueness (upstream's schema/listtype): items of a `set` list must be
// unique, items of a `map` list must be objects with unique key-field values. Duplicates are reported
// at the later index, once per repeated value, as `Duplicate value`.
import type { FieldError } from '../errors.ts';
import type { StructuralSchema } from './types.ts';
import { goErrorValue, goJSON } from './gofmt.ts';
import { hasListTypes } from './schema-flags.ts';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (p: string, k: string) => (p ? `${p}.${k}` : k);

/** All list-type violations in obj (an object value) under schema s. */
export function validateListSetsAndMaps(s: StructuralSchema | undefined, obj: unknown, path = ''): FieldError[] {
  if (!s || !isMap(obj) || !hasListTypes(s)) return [];
  const errs: FieldError[] = [];
  const ap = s.additionalProperties;
  if (ap && typeof ap === 'object') {
    for (const k of Object.keys(obj)) errs.push(...walk(`${path}[${k}]`, ap, obj[k]));
  }
  if (s.properties) {
    for (const k of Object.keys(obj)) {
      const sub = Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
      if (sub) errs.push(...walk(child(path, k), sub, obj[k]));
    }
  }
  return errs;
}

function walk(path: string, s: StructuralSchema, v: unknown): FieldError[] {
  if (!hasListTypes(s)) return [];
  if (Array.isArray(v)) return validateArray(path, s, v);
  if (isMap(v)) return validateListSetsAndMaps(s, v, path);
  return [];
}

function validateArray(path: string, s: StructuralSchema, list: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'set') {
    for (const i of nonUnique(list)) errs.push(duplicate(`${path}[${i}]`, list[i]));
  } else if (lt === 'map') {
    errs.push(...validateListMap(path, s, list));
  }
  if (s.items && typeof s.items === 'object') {
    for (let i = 0; i < list.length; i++) errs.push(...walk(`${path}[${i}]`, s.items, list[i]));
  }
  return errs;
}

const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value, rendered: goErrorValue(value) });

/** Indices of the second occurrence of each repeated value. */
function nonUnique(list: unknown[]): number[] {
  if (list.length <= 1) return [];
  const seen = new Map<string, number>();
  const out: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    const k = (isMap(x) || Array.isArray(x)) ? `c${goJSON(x)}` : x === null ? 'n' : `s${typeof x}:${String(x)}`;
    const times = seen.get(k) ?? 0;
    seen.set(k, times + 1);
    if (times === 1) out.push(i);
  }
  return out;
}

const UNSPECIFIED = Symbol('unspecified');

function validateListMap(path: string, s: StructuralSchema, list: unknown[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isMap(x)) {
      return [{ type: 'FieldValueInvalid', field: `${path}[${i}]`, value: x, rendered: goErrorValue(x), detail: 'must be an object for an array of list-type map' }];
    }
  }
  if (list.length <= 1) return [];
  const keyFields = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
  if (keyFields.length === 1) {
    const kf = keyFields[0];
    const keys = list.map((x) => (isMap(x) && Object.prototype.hasOwnProperty.call(x, kf) ? x[kf] : UNSPECIFIED));
    const probe = keys.map((k) => (k === UNSPECIFIED ? { unspecified: true } : (k !== null && typeof k === 'object') ? [k] : k));
    return nonUnique(probe).map((i) => duplicate(`${path}[${i}]`, keys[i] === UNSPECIFIED ? {} : { [kf]: keys[i] }));
  }
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isMap(x)) for (const kf of keyFields) if (Object.prototype.hasOwnProperty.call(x, kf)) key[kf] = x[kf];
    return key;
  });
  return nonUnique(keys).map((i) => duplicate(`${path}[${i}]`, keys[i]));
}
