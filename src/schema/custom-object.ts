// Everything upstream checks when a custom object is written (customresource strategy and
// validator): kind and apiVersion, metadata (names are DNS subdomains), the schema (ratcheting on
// update), scale replica paths, embedded resources and list-type uniqueness. The status subresource
// validates only `status`, against the status property's schema, with paths under `status`.
// CEL rules run after these (src/cel), and only when none of these errors block them.
import type { FieldError } from '../errors.ts';
import { validateAnnotations, validateFinalizers, validateLabels, validateObjectMeta, validateObjectMetaUpdate, validateOwnerReferences } from '../registry/validation/meta.ts';
import type { ObjectMeta } from '../registry/strategy.ts';
import type { StructuralSchema } from './types.ts';
import { validateOpenAPIRatcheting } from './validate.ts';
import { validateEmbeddedResources } from './embedded.ts';
import { validateListSetsAndMaps } from './listtype.ts';
import { goErrorValue, goReflectType, goV } from './gofmt.ts';

export interface CustomResourceContext {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  /** The version's scale subresource, if any. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

export interface CustomObjectOptions {
  /** The stored object, for an update (ratcheting; metadata immutability). */
  old?: Record<string, unknown>;
  /** 'status' for writes through the status subresource. */
  subresource?: 'status';
}

const isMap = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail, rendered: goErrorValue(value) });

/** All errors of a custom object write, in upstream's order. Never throws. */
export function validateCustomObject(schema: StructuralSchema | undefined, obj: unknown, ctx: CustomResourceContext, opts: CustomObjectOptions = {}): FieldError[] {
  const o = isMap(obj) ? obj : {};
  const typeErrs = validateTypeMeta(o, ctx);
  if (typeErrs.length) return typeErrs;
  const errs: FieldError[] = [];
  const old = opts.old;
  errs.push(...validateMeta(o, ctx, old));
  if (opts.subresource === 'status') {
    if (Object.prototype.hasOwnProperty.call(o, 'status')) {
      const statusSchema = schema?.properties?.status;
      if (statusSchema) errs.push(...validateOpenAPIRatcheting(statusSchema, o.status, 'status', old && isMap(old) ? { value: old.status } : undefined));
    }
  } else if (schema) {
    errs.push(...validateOpenAPIRatcheting(schema, o, '', old ? { value: old } : undefined));
    errs.push(...scaleSpec(o, ctx));
  }
  errs.push(...scaleStatus(o, ctx));
  if (schema) {
    errs.push(...validateEmbeddedResources(schema, o));
    if (!old || validateListSetsAndMaps(schema, old).length === 0) errs.push(...validateListSetsAndMaps(schema, o));
  }
  return errs;
}

function validateTypeMeta(o: Record<string, any>, ctx: CustomResourceContext): FieldError[] {
  const errs: FieldError[] = [];
  const kind = typeof o.kind === 'string' ? o.kind : '';
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  if (kind !== ctx.kind) errs.push(inv('kind', kind, `must be ${ctx.kind}`));
  const gv = `${ctx.group}/${ctx.version}`;
  if (apiVersion !== gv) errs.push(inv('apiVersion', apiVersion, `must be ${gv}`));
  return errs;
}

/** unstructured.NestedFieldNoCopy + a type check: the value, or upstream's accessor error. */
function nested(o: Record<string, any>, path: string, want: 'int64' | 'string'): { value?: unknown; error?: string } {
  const fields = path.replace(/^\./, '').split('.');
  let cur: unknown = o;
  for (let i = 0; i < fields.length; i++) {
    if (!isMap(cur)) {
      return { error: `.${fields.slice(0, i).join('.')} accessor error: ${goV(cur)} is of the type ${goReflectType(cur)}, expected map[string]interface{}` };
    }
    if (!Object.prototype.hasOwnProperty.call(cur, fields[i])) return {};
    cur = cur[fields[i]];
  }
  const ok = want === 'int64' ? typeof cur === 'number' && Number.isInteger(cur) : typeof cur === 'string';
  if (!ok) return { error: `.${fields.join('.')} accessor error: ${goV(cur)} is of the type ${goReflectType(cur)}, expected ${want}` };
  return { value: cur };
}

const MAX_INT32 = 2147483647;
function replicas(o: Record<string, any>, path: string): FieldError[] {
  const r = nested(o, path, 'int64');
  if (r.error) return [inv(path, 0, r.error)];
  const n = typeof r.value === 'number' ? r.value : 0;
  if (n < 0) return [inv(path, n, 'should be a non-negative integer')];
  if (n > MAX_INT32) return [inv(path, n, `should be less than or equal to ${MAX_INT32}`)];
  return [];
}

function scaleSpec(o: Record<string, any>, ctx: CustomResourceContext): FieldError[] {
  return ctx.scale ? replicas(o, ctx.scale.specReplicasPath) : [];
}

function scaleStatus(o: Record<string, any>, ctx: CustomResourceContext): FieldError[] {
  if (!ctx.scale) return [];
  const errs = replicas(o, ctx.scale.statusReplicasPath);
  const sel = ctx.scale.labelSelectorPath;
  if (sel) {
    const r = nested(o, sel, 'string');
    if (r.error) errs.push(inv(sel, '', r.error));
  }
  return errs;
}

function validateMeta(o: Record<string, any>, ctx: CustomResourceContext, old: Record<string, unknown> | undefined): FieldError[] {
  const raw = o.metadata;
  if (raw !== undefined && raw !== null && !isMap(raw)) return [inv('metadata', raw, `expected map[string]interface{}, got ${goReflectType(raw)}`)];
  const meta = (isMap(raw) ? raw : {}) as ObjectMeta;
  if (!old) return validateObjectMeta(meta, { namespaced: ctx.namespaced, nameRule: 'subdomain' });
  return metaUpdate(meta, (isMap(old.metadata) ? old.metadata : {}) as ObjectMeta);
}

/** ObjectMeta checks of an update (upstream's ValidateObjectMetaAccessorUpdate). */
export function metaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  return [
    ...validateObjectMetaUpdate(meta, old),
    ...validateLabels(meta.labels, 'metadata.labels'),
    ...validateAnnotations(meta.annotations, 'metadata.annotations'),
    ...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'),
    ...validateFinalizers(meta.finalizers, 'metadata.finalizers'),
  ];
}
