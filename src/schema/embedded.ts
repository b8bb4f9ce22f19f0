// Checks of x-kubernetes-embedded-resource values (upstream's schema/objectmeta Validate): an
// embedded object needs a string apiVersion that parses as group/version, a kind that is a DNS-1035
// label up to case, and metadata that decodes as ObjectMeta and passes ObjectMeta validation (names
// only have to be usable as a path segment; a missing name is fine).
import type { FieldError } from '../errors.ts';
import { isDNS1035Label } from '../registry/validation/names.ts';
import { validateObjectMeta } from '../registry/validation/meta.ts';
import type { ObjectMeta } from '../registry/strategy.ts';
import type { StructuralSchema } from './types.ts';
import { goErrorValue } from './gofmt.ts';
import { objectMetaDecodeError } from './objectmeta-shape.ts';
import { hasEmbedded } from './schema-flags.ts';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (p: string, k: string) => (p ? `${p}.${k}` : k);
const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail, rendered: goErrorValue(value) });

/** Errors of every embedded resource inside value (the value itself is not taken as one). */
export function validateEmbeddedResources(s: StructuralSchema | undefined, value: unknown, path = ''): FieldError[] {
  if (!s || !hasEmbedded(s)) return [];
  const errs: FieldError[] = [];
  if (isMap(value)) {
    if (s['x-kubernetes-embedded-resource']) errs.push(...validateEmbeddedResource(path, value));
    for (const k of Object.keys(value)) {
      const prop = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
      if (prop) errs.push(...validateEmbeddedResources(prop, value[k], child(path, k)));
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        errs.push(...validateEmbeddedResources(s.additionalProperties, value[k], `${path}[${k}]`));
      }
    }
  } else if (Array.isArray(value) && s.items) {
    value.forEach((v, i) => errs.push(...validateEmbeddedResources(s.items, v, `${path}[${i}]`)));
  }
  return errs;
}

/** upstream's schema.ParseGroupVersion error, if any. */
export function parseGroupVersionError(gv: string): string | undefined {
  if (gv === '' || gv === '/') return undefined;
  return gv.split('/').length > 2 ? `unexpected GroupVersion string: ${gv}` : undefined;
}

function validateEmbeddedResource(path: string, x: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  if (!('apiVersion' in x)) errs.push({ type: 'FieldValueRequired', field: child(path, 'apiVersion') });
  if (!('kind' in x)) errs.push({ type: 'FieldValueRequired', field: child(path, 'kind') });
  for (const k of Object.keys(x)) {
    const v = x[k];
    const p = child(path, k);
    if (k === 'apiVersion') {
      if (typeof v !== 'string') errs.push(invalid(p, v, 'must be a string'));
      else if (v === '') errs.push(invalid(p, v, 'must not be empty'));
      else {
        const e = parseGroupVersionError(v);
        if (e) errs.push(invalid(p, v, e));
      }
    } else if (k === 'kind') {
      if (typeof v !== 'string') errs.push(invalid(p, v, 'must be a string'));
      else if (v === '') errs.push(invalid(p, v, 'must not be empty'));
      else {
        const msgs = isDNS1035Label(v.toLowerCase());
        if (msgs.length) errs.push(invalid(p, v, `may have mixed case, but should otherwise match: ${msgs.join(',')}`));
      }
    } else if (k === 'metadata') {
      errs.push(...validateEmbeddedMeta(p, v));
    }
  }
  return errs;
}

function validateEmbeddedMeta(path: string, v: unknown): FieldError[] {
  const bad = objectMetaDecodeError(v);
  if (bad) return [invalid(path, v, bad)];
  const meta: ObjectMeta = { ...(isMap(v) ? v : {}) } as ObjectMeta;
  if (!meta.name) meta.name = 'fakename';
  const errs = validateObjectMeta(meta, { namespaced: typeof meta.namespace === 'string' && meta.namespace !== '', nameRule: 'path' });
  return errs.map((e) => ({ ...e, field: e.field.replace(/^metadata/, path) }));
}
