// Helpers shared by the per-kind strategies.
import { errors } from '../../errors.ts';
import type { Strategy } from '../strategy.ts';
import type { NameFn, NameRule } from '../validation/names.ts';
import { canonicalQuantity, QuantityError } from '../validation/quantity.ts';

/** A Strategy plus an optional name check richer than Strategy.nameRule (e.g. Service's DNS-1035). */
export interface KindStrategy extends Strategy {
  nameFn?: NameFn;
  /** Name rule used by validateObjectMeta; overrides nameRule when set (e.g. 'dns1035'). */
  nameCheck?: NameRule;
}

/** Set obj[k] to v when it is absent (undefined or null). */
export function def<T>(obj: Record<string, any>, k: string, v: T): void {
  if (obj[k] === undefined || obj[k] === null) obj[k] = v;
}

/** The object at obj[k], created empty when absent. */
export function sub(obj: Record<string, any>, k: string): Record<string, any> {
  const v = obj[k];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
  obj[k] = {};
  return obj[k];
}

export const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const arr = <T = any>(v: unknown): T[] => (Array.isArray(v) ? v as T[] : []);

/**
 * Canonicalise every quantity of a resource list in place (as the API server stores them). A
 * malformed quantity is a decoding error upstream: 400 "<Kind> in version ... cannot be handled".
 */
export function canonicalizeResourceList(list: unknown, kind: string, version: string): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try {
      list[k] = canonicalQuantity(String(v));
    } catch (e) {
      if (e instanceof QuantityError) throw errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${e.message}`);
      throw e;
    }
  }
}

/** Upstream's Kind in version ... decoding error, for values that cannot be decoded at all. */
export function decodeError(kind: string, version: string, why: string) {
  return errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`);
}
