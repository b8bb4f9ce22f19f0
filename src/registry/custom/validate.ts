// The one place a custom object meets its CRD version's schema on a write (after apiextensions-
// apiserver's unstructuredDefaulter and customResourceStrategy.Validate/ValidateUpdate/
// ValidateStatusUpdate). Unknown fields were already pruned when the body was decoded (src/api/typed.ts
// with customDecodeSchema, per fieldValidation); here the object, as it will be stored, gets:
//   1. nulls the schema neither allows nor defaults dropped, then schema defaults applied;
//   2. OpenAPI value validation (ratcheting against `old` on update; only `status` on the status
//      subresource), metadata, scale replica paths, embedded resources, list-type uniqueness;
//   3. x-kubernetes-validations (CEL) on the whole object, unless step 2 found an error that blocks
//      them; failures of unchanged values are ratcheted into Warning headers.
// `obj` may be changed (defaults); the field errors are returned for errors.invalid.
import type { FieldError } from '../../errors.ts';
import { applyDefaults, pruneNonNullableNullsWithoutDefaults } from '../../schema/defaults.ts';
import { validateCustomObject } from '../../schema/custom-object.ts';
import { warn } from '../../util/request-warnings.ts';
import { setOwn } from '../../util/own.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KObject } from '../strategy.ts';

/** CEL (src/cel), imported by loadAdmission once a served schema has x-kubernetes-validations. */
let cel: typeof import('../../cel/index.ts') | undefined;
const mentions = new WeakMap<object, boolean>();

/** Whether `schema` mentions x-kubernetes-validations anywhere (a superset of "has CEL rules"). */
function mentionsRules(schema: object): boolean {
  let m = mentions.get(schema);
  if (m === undefined) {
    try { m = JSON.stringify(schema).includes('x-kubernetes-validations'); } catch { m = true; }
    mentions.set(schema, m);
  }
  return m;
}

/** Loads what admitCustomObject needs for `r`: CEL when its schema has rules. Await before admitting. */
export async function loadAdmission(r: ResourceInfo): Promise<void> {
  const schema = r.custom?.version.schema;
  if (!cel && schema && mentionsRules(schema)) cel = await import('../../cel/index.ts');
}

export type AdmitMode = 'create' | 'update' | 'status';

/** Upstream's hasBlockingErr: a wrong type or an unsupported value stops CEL evaluation. */
function blocking(errs: FieldError[]): FieldError | undefined {
  if (!errs.some((e) => e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueNotSupported')) return undefined;
  return { type: 'FieldValueInvalid', field: '<nil>', value: 'null', detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' };
}

/** Defaults of a custom object as upstream applies them on every decode (request bodies and reads). */
export function defaultCustomObject(r: ResourceInfo, obj: KObject): KObject {
  const schema = r.custom?.version.schema;
  if (!schema) return obj;
  pruneNonNullableNullsWithoutDefaults(schema, obj);
  return applyDefaults(schema, obj);
}

/**
 * Admits `obj` by the schema of `r`, the version the client wrote in. The store may already hold the
 * object in the storage version (apiVersion rewritten, as conversion strategy None does): it is then
 * checked as the requested version, and defaults land in `obj` itself.
 */
export function admitCustomObject(r: ResourceInfo, obj: KObject, old: KObject | undefined, mode: AdmitMode): FieldError[] {
  const apiVersion = `${r.group}/${r.version}`;
  if (obj.apiVersion === apiVersion) return admit(r, obj, old, mode);
  const view: KObject = { ...obj, apiVersion };
  const errs = admit(r, view, old && { ...old, apiVersion }, mode);
  for (const k of Object.keys(view)) if (k !== 'apiVersion') setOwn(obj, k, view[k]);
  return errs;
}

function admit(r: ResourceInfo, obj: KObject, old: KObject | undefined, mode: AdmitMode): FieldError[] {
  const { version } = r.custom!;
  const schema = version.schema;
  defaultCustomObject(r, obj);
  const ctx = { group: r.group, version: r.version, kind: r.kind, namespaced: r.namespaced, scale: version.scale };
  const errs = validateCustomObject(schema, obj, ctx, { old, subresource: mode === 'status' ? 'status' : undefined });
  if (!schema) return errs;
  const stop = blocking(errs);
  if (stop) return [...errs, stop];
  const warnings: string[] = [];
  if (mentionsRules(schema)) {
    if (!cel) throw new Error('custom object admitted before loadAdmission');
    errs.push(...cel.validateCel(schema, obj, old, { warnings }));
  }
  for (const w of warnings) warn(w);
  return errs;
}
