// Connects the per-kind strategies and metadata validation to the generic store.
// (Interim: metadata checks only, until src/registry/kinds lands.)
import { field } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import type { ResourceInfo } from './resources.ts';
import type { KObject, Strategy } from './strategy.ts';

const EMPTY: Strategy = {};
export function strategyFor(r: ResourceInfo): Strategy { void r; return EMPTY; }

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export function validateMeta(r: ResourceInfo, obj: KObject, s: Strategy): FieldError[] {
  void s;
  const errs: FieldError[] = [];
  const name = obj.metadata.name;
  if (!name) errs.push(field.required('metadata.name', 'name or generateName is required'));
  else if (!SUBDOMAIN.test(name) || name.length > 253) errs.push(field.invalid('metadata.name', name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  void r;
  return errs;
}
export function validateMetaUpdate(obj: KObject, old: KObject): FieldError[] { void obj; void old; return []; }
