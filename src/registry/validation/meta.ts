// ObjectMeta validation on create and update (after apimachinery pkg/api/validation/objectmeta.go).
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { ObjectMeta } from '../strategy.ts';
import { NAME_FNS, isDNS1123Label, isQualifiedName, isValidLabelValue } from './names.ts';
import type { NameFn, NameRule } from './names.ts';
import { asArray, immutable, isObject, key, tooLong } from './common.ts';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isObject(labels)) return [field.invalid(path, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const m of isQualifiedName(k)) errs.push(field.invalid(path, k, m));
    if (typeof v !== 'string') { errs.push(field.invalid(path, v, 'must be a string')); continue; }
    for (const m of isValidLabelValue(v)) errs.push(field.invalid(path, v, m));
  }
  return errs;
}

/** Annotation keys already found valid (the same few recur on every object of a kind). */
const validAnnotationKeys = new Set<string>();
const VALID_KEYS_MAX = 4096;
function rememberValidKey(k: string): void {
  if (validAnnotationKeys.size >= VALID_KEYS_MAX) validAnnotationKeys.clear();
  validAnnotationKeys.add(k);
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isObject(annotations)) return [field.invalid(path, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Annotation keys follow the qualified-name rule without regard to case.
    if (!validAnnotationKeys.has(k)) {
      const problems = isQualifiedName(k.toLowerCase());
      for (const m of problems) errs.push(field.invalid(path, k, m));
      if (!problems.length) rememberValidKey(k);
    }
    if (typeof v !== 'string') { errs.push(field.invalid(key(path, k), v, 'must be a string')); continue; }
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [field.invalid(path, refs, 'must be a list')];
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs) {
    const r = isObject(ref) ? ref : {};
    const apiVersion = String(r.apiVersion ?? '');
    const slash = apiVersion.split('/');
    const version = slash.length === 2 ? slash[1] : slash.length === 1 ? slash[0] : '';
    if (!version) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!r.kind) errs.push(field.invalid(`${path}.kind`, r.kind ?? '', 'must not be empty'));
    if (!r.name) errs.push(field.invalid(`${path}.name`, r.name ?? '', 'must not be empty'));
    if (!r.uid) errs.push(field.invalid(`${path}.uid`, r.uid ?? '', 'must not be empty'));
    const group = slash.length === 2 ? slash[0] : '';
    if (group === '' && version === 'v1' && r.kind === 'Event') errs.push(field.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (r.controller === true) {
      const cur = `${r.kind}/${r.name}`;
      if (firstController) errs.push(field.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`));
      else firstController = cur;
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers)) return [field.invalid(path, finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    if (typeof f !== 'string') { errs.push(field.invalid(path, f, 'must be a string')); continue; }
    for (const m of isQualifiedName(f)) errs.push(field.invalid(path, f, m));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(field.invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

export interface MetaOptions {
  namespaced: boolean;
  /** A named rule (default 'subdomain') or a custom name check. */
  nameRule?: NameRule | NameFn;
}

/** Metadata checks for a new object (name generation already done by the store). */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions): FieldError[] {
  const m: ObjectMeta = isObject(meta) ? meta : {};
  const nameFn: NameFn = typeof opts.nameRule === 'function' ? opts.nameRule : NAME_FNS[opts.nameRule ?? 'subdomain'];
  const errs: FieldError[] = [];
  if (m.generateName) {
    if (typeof m.generateName !== 'string') errs.push(field.invalid('metadata.generateName', m.generateName, 'must be a string'));
    else for (const msg of nameFn(m.generateName, true)) errs.push(field.invalid('metadata.generateName', m.generateName, msg));
  }
  if (!m.name) errs.push(field.required('metadata.name', 'name or generateName is required'));
  else if (typeof m.name !== 'string') errs.push(field.invalid('metadata.name', m.name, 'must be a string'));
  else for (const msg of nameFn(m.name, false)) errs.push(field.invalid('metadata.name', m.name, msg));
  errs.push(...validateMetaCommon(m, opts.namespaced));
  return errs;
}

function validateMetaCommon(m: ObjectMeta, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (namespaced) {
    if (!m.namespace) errs.push(field.required('metadata.namespace', ''));
    else for (const msg of isDNS1123Label(String(m.namespace))) errs.push(field.invalid('metadata.namespace', m.namespace, msg));
  } else if (m.namespace) {
    errs.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (m.generation !== undefined && (typeof m.generation !== 'number' || m.generation < 0)) {
    errs.push(field.invalid('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences, 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers, 'metadata.finalizers'));
  return errs;
}

/** Metadata checks for an update: identity fields are immutable; no new finalizers while deleting. */
export function validateObjectMetaUpdate(next: ObjectMeta, old: ObjectMeta): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) {
    const before = new Set(asArray<string>(old.finalizers));
    const extra = [...new Set(asArray<string>(next.finalizers))].filter((f) => !before.has(f)).sort();
    if (extra.length) {
      errs.push(field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  if ((next.generation ?? 0) < (old.generation ?? 0)) errs.push(field.invalid('metadata.generation', next.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable('metadata.name', next.name, old.name));
  errs.push(...immutable('metadata.namespace', next.namespace, old.namespace));
  errs.push(...immutable('metadata.uid', next.uid, old.uid));
  errs.push(...immutable('metadata.creationTimestamp', next.creationTimestamp, old.creationTimestamp));
  errs.push(...immutable('metadata.deletionTimestamp', next.deletionTimestamp, old.deletionTimestamp));
  errs.push(...immutable('metadata.deletionGracePeriodSeconds', next.deletionGracePeriodSeconds, old.deletionGracePeriodSeconds));
  return errs;
}
