// Shape helpers shared by the pod spec's scheduling-field validators: lists, structs, label
// names and values, each reporting a wrong JSON type as one Invalid cause instead of failing.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { check } from '../validation/common.ts';
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';
import { isObj } from './util.ts';

export const isSet = (v: unknown): boolean => v !== undefined && v !== null;
export const str = (v: unknown): string => (typeof v === 'string' ? v : isSet(v) ? String(v) : '');

/** A list field: absent is fine; anything other than a list is one Invalid error. */
export function list(v: unknown, path: string, errs: FieldError[]): unknown[] {
  if (!isSet(v)) return [];
  if (Array.isArray(v)) return v;
  errs.push(field.invalid(path, v, 'must be a list'));
  return [];
}

/** A struct field: absent gives {}; anything other than an object is one Invalid error (and null). */
export function struct(v: unknown, path: string, errs: FieldError[]): Record<string, any> | null {
  if (!isSet(v)) return {};
  if (isObj(v)) return v;
  errs.push(field.invalid(path, v, 'must be an object'));
  return null;
}

/** Upstream's ValidateLabelName: a qualified name (absent counts as ""; a non-string is refused). */
export const labelName = (path: string, v: unknown): FieldError[] =>
  typeof v === 'string' || !isSet(v) ? check(path, str(v), isQualifiedName) : [field.invalid(path, v, 'must be a string')];

export function labelValue(path: string, v: unknown): FieldError[] {
  if (typeof v !== 'string') return [field.invalid(path, v ?? null, 'must be a string')];
  return isValidLabelValue(v).map((m) => field.invalid(path, v, m));
}
