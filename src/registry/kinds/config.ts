// ConfigMap and Secret: key rules, size limits, `immutable`, Secret types and stringData.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { immutable, tooLong } from '../validation/common.ts';
import { isConfigMapKey } from '../validation/names.ts';
import { decodeError, isObj } from './util.ts';
import type { KindStrategy } from './util.ts';

export const MAX_SECRET_SIZE = 1024 * 1024;
const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

function keyErrors(map: unknown, path: string, other: unknown, otherName: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(map)) return errs;
  for (const k of Object.keys(map)) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(`${path}[${k}]`, k, m));
    if (isObj(other) && k in other) errs.push(field.invalid(`${path}[${k}]`, k, `duplicate of key present in ${otherName}`));
  }
  return errs;
}

const b64len = (s: unknown) => (typeof s === 'string' ? Buffer.from(s, 'base64').length : 0);

function checkBase64(map: unknown, kind: string): void {
  if (!isObj(map)) return;
  for (const v of Object.values(map)) {
    if (v === null) continue;
    if (typeof v !== 'string') throw decodeError(kind, 'v1', 'json: cannot unmarshal value into Go value of type []uint8');
    const bad = v.search(/[^A-Za-z0-9+/=]/);
    if (bad >= 0 || v.length % 4 !== 0 || /=[^=]/.test(v)) {
      throw decodeError(kind, 'v1', `illegal base64 data at input byte ${bad >= 0 ? bad : Math.max(0, v.length - (v.length % 4 || 4))}`);
    }
  }
}

function immutableUpdate(obj: KObject, old: KObject, fields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(field.forbidden('immutable', IMMUTABLE_SET));
  for (const f of fields) if (!deepEqual(obj[f] ?? null, old[f] ?? null)) errs.push(field.forbidden(f, IMMUTABLE_SET));
  return errs;
}

// ---- ConfigMap ----

export function validateConfigMap(obj: KObject): FieldError[] {
  const errs = [...keyErrors(obj.data, 'data', obj.binaryData, 'binaryData'), ...keyErrors(obj.binaryData, 'binaryData', obj.data, 'data')];
  let size = 0;
  if (isObj(obj.data)) for (const v of Object.values(obj.data)) size += typeof v === 'string' ? Buffer.byteLength(v) : 0;
  if (isObj(obj.binaryData)) for (const v of Object.values(obj.binaryData)) size += b64len(v);
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  if (isObj(obj.data)) for (const [k, v] of Object.entries(obj.data)) if (typeof v !== 'string') errs.push(field.invalid(`data[${k}]`, v, 'must be a string'));
  return errs;
}

export const configMapStrategy: KindStrategy = {
  prepareForCreate(obj) { checkBase64(obj.binaryData, 'ConfigMap'); },
  prepareForUpdate(obj) { checkBase64(obj.binaryData, 'ConfigMap'); },
  validate: validateConfigMap,
  validateUpdate(obj, old) { return [...validateConfigMap(obj), ...immutableUpdate(obj, old, ['data', 'binaryData'])]; },
};

// ---- Secret ----

/** stringData is write-only: merged into data (base64) and dropped, as upstream's conversion does. */
export function mergeStringData(obj: KObject): void {
  if (obj.stringData === undefined) return;
  if (isObj(obj.stringData)) {
    obj.data = isObj(obj.data) ? obj.data : {};
    for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  }
  delete obj.stringData;
}

function prepareSecret(obj: KObject): void {
  checkBase64(obj.data, 'Secret');
  mergeStringData(obj);
  if (!obj.type) obj.type = 'Opaque';
}

const has = (obj: KObject, k: string) => isObj(obj.data) && obj.data[k] !== undefined && obj.data[k] !== null;

export function validateSecret(obj: KObject): FieldError[] {
  const errs = keyErrors(obj.data, 'data', undefined, '');
  let size = 0;
  if (isObj(obj.data)) for (const v of Object.values(obj.data)) size += b64len(v);
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  const ann = obj.metadata.annotations ?? {};
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!ann['kubernetes.io/service-account.name']) errs.push(field.required('metadata.annotations[kubernetes.io/service-account.name]', ''));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = obj.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(obj, k)) { errs.push(field.required(`data[${k}]`, '')); break; }
      try { JSON.parse(Buffer.from(obj.data[k], 'base64').toString('utf8')); } catch (e) {
        errs.push(field.invalid(`data[${k}]`, '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has(obj, 'username') && !has(obj, 'password')) {
        errs.push(field.required('data[username]', ''), field.required('data[password]', ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!isObj(obj.data) || !obj.data['ssh-privatekey']) errs.push(field.required('data[ssh-privatekey]', ''));
      break;
    case 'kubernetes.io/tls':
      if (!has(obj, 'tls.crt')) errs.push(field.required('data[tls.crt]', ''));
      if (!has(obj, 'tls.key')) errs.push(field.required('data[tls.key]', ''));
      break;
    default:
      break;
  }
  return errs;
}

export const secretStrategy: KindStrategy = {
  prepareForCreate: prepareSecret,
  prepareForUpdate: prepareSecret,
  validate: validateSecret,
  validateUpdate(obj, old) {
    return [...validateSecret(obj), ...immutable('type', obj.type, old.type), ...immutableUpdate(obj, old, ['data'])];
  },
  fieldSelectors: { type: (o) => o.type ?? '' },
};
