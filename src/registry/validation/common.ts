// Small shared helpers for validators: field errors upstream builds the same way everywhere.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { deepEqual } from '../../util/deep-equal.ts';

export const FIELD_IMMUTABLE = 'field is immutable';

/** Upstream's field.TooLong (the value is never echoed). */
export function tooLong(path: string, max: number): FieldError {
  return { type: 'FieldValueTooLong', field: path, detail: `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` };
}

/** Upstream's field.TooMany: shows the actual count. */
export function tooMany(path: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field: path, value: actual, detail: `must have at most ${max} ${max === 1 ? 'item' : 'items'}` };
}

/** A map key in a field path: `data[key]`. */
export const key = (path: string, k: string): string => `${path}[${k}]`;
/** A child field: `spec` + `replicas` → `spec.replicas` (empty parent gives just the child). */
export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);

export function immutable(path: string, next: unknown, old: unknown, detail = FIELD_IMMUTABLE): FieldError[] {
  return deepEqual(next ?? null, old ?? null) ? [] : [field.invalid(path, next ?? null, detail)];
}

export function nonNegative(path: string, v: unknown): FieldError[] {
  if (v === undefined || v === null) return [];
  return typeof v === 'number' && v >= 0 ? [] : [field.invalid(path, v, 'must be greater than or equal to 0')];
}

export function positive(path: string, v: unknown): FieldError[] {
  if (v === undefined || v === null) return [];
  return typeof v === 'number' && v > 0 ? [] : [field.invalid(path, v, 'must be greater than zero')];
}

/** Apply a string check (from names.ts) and turn each message into an Invalid error at path. */
export function check(path: string, v: string, fn: (s: string) => string[]): FieldError[] {
  return fn(v).map((m) => field.invalid(path, v, m));
}

export const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = <T = any>(v: unknown): T[] => (Array.isArray(v) ? v as T[] : []);
