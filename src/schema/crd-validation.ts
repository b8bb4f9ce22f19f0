// Validation of apiextensions.k8s.io/v1 CustomResourceDefinitions, as upstream's
// ValidateCustomResourceDefinition(Update) runs it on the internal form: when every version has the
// same schema (or subresources, printer columns, selectable fields), the v1→internal conversion
// lifts it to the spec's top level, so its errors are reported at `spec.validation.openAPIV3Schema`,
// `spec.subresources`, `spec.additionalPrinterColumns` — as kubectl shows them for real clusters.
// The caller wraps the result in errors.invalid('apiextensions.k8s.io', 'CustomResourceDefinition', name, causes).
import type { FieldError } from '../errors.ts';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum, NAME_FNS } from '../registry/validation/names.ts';
import { validateObjectMeta } from '../registry/validation/meta.ts';
import { metaUpdate } from './custom-object.ts';
import type { ObjectMeta } from '../registry/strategy.ts';
import { deepEqual } from './correlate.ts';
import { validateStructural, isStructural, keyPath } from './structural.ts';
import type { J } from './structural.ts';
import { mapListKeysMapSet, validateSchemaRules } from './crd-schema-rules.ts';
import type { SchemaRuleOptions } from './crd-schema-rules.ts';
import { hasUnprunedDefaults, validateDefaults } from './crd-defaults.ts';
import { validFieldPath } from './field-path.ts';
import { goErrorValue, goStringSlice } from './gofmt.ts';
import { validateWebhookService, validateWebhookURL } from '../registry/validation/webhook-client.ts';

export interface CRDValidationOptions {
  /**
   * Checks of x-kubernetes-validations rules beyond their static shape (CEL compilation and cost),
   * supplied by src/cel: given a schema node with rules and its field path, the errors upstream's
   * CEL compiler reports there.
   */
  celRules?: SchemaRuleOptions['celRules'];
}

const isMap = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const req = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail: detail || undefined });
const forb = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail, rendered: goErrorValue(value) });
const invStrings = (field: string, value: unknown[], detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail, rendered: goStringSlice(value) });
const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field, value, supported });

const PRINTER_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const MAX_SELECTABLE_FIELDS = 8;
const APPROVAL = 'api-approved.kubernetes.io';

/** The internal (hub) form of a v1 CRD spec: identical per-version parts lifted to the top. */
interface InternalSpec {
  group: string; scope: string; names: J; version: string;
  versions: J[]; validation?: J; subresources?: J; additionalPrinterColumns?: J[]; selectableFields?: J[];
  conversion?: J; preserveUnknownFields?: boolean;
}

export function toInternalSpec(spec: J): InternalSpec {
  const versions: J[] = Array.isArray(spec.versions) ? spec.versions.map((v: unknown) => ({ ...(isMap(v) ? v : {}) })) : [];
  const out: InternalSpec = {
    group: str(spec.group), scope: str(spec.scope), names: isMap(spec.names) ? spec.names : {}, version: '', versions,
    conversion: isMap(spec.conversion) ? spec.conversion : undefined,
    // v1's bool converts to the internal *bool, so it is never unset.
    preserveUnknownFields: spec.preserveUnknownFields === true,
  };
  if (versions.length === 0) return out;
  out.version = str(versions[0].name);
  const lift = (k: string, set: (v: any) => void, empty: (v: unknown) => boolean) => {
    const first = versions[0][k];
    if (versions.every((v) => deepEqual(norm(v[k], empty), norm(first, empty)))) {
      if (!empty(first)) set(first);
      for (const v of versions) delete v[k];
    }
  };
  const none = (v: unknown) => v === undefined || v === null;
  const noneOrEmpty = (v: unknown) => none(v) || (Array.isArray(v) && v.length === 0);
  lift('schema', (v) => { out.validation = isMap(v) ? v : undefined; }, none);
  lift('subresources', (v) => { out.subresources = isMap(v) ? v : undefined; }, none);
  lift('additionalPrinterColumns', (v) => { out.additionalPrinterColumns = Array.isArray(v) ? v.map((c) => (isMap(c) ? c : {})) : undefined; }, noneOrEmpty);
  lift('selectableFields', (v) => { out.selectableFields = Array.isArray(v) ? v : undefined; }, noneOrEmpty);
  return out;
}
const norm = (v: unknown, empty: (v: unknown) => boolean) => (empty(v) ? null : v);

/**
 * v1 defaulting of a CRD (SetDefaults_CustomResourceDefinition), which upstream applies on every
 * decode: singular from kind, listKind `<Kind>List`, conversion strategy None, webhook service port
 * 443, storedVersions from the storage version when empty. Mutates and returns crd.
 */
export function applyCRDDefaults<T>(obj: T): T {
  const crd: J | undefined = isMap(obj) ? obj : undefined;
  if (!crd || !isMap(crd.spec)) return obj;
  const spec = crd.spec;
  if (!isMap(spec.names)) spec.names = {};
  const names = spec.names;
  if (!str(names.singular) && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
  if (!str(names.listKind) && str(names.kind)) names.listKind = `${names.kind}List`;
  if (spec.conversion === undefined || spec.conversion === null) spec.conversion = { strategy: 'None' };
  const svc = isMap(spec.conversion) && isMap(spec.conversion.webhook) && isMap(spec.conversion.webhook.clientConfig) ? spec.conversion.webhook.clientConfig.service : undefined;
  if (isMap(svc) && (svc.port === undefined || svc.port === null)) svc.port = 443;
  if (!isMap(crd.status)) crd.status = {};
  const status = crd.status as J;
  if (!Array.isArray(status.storedVersions) || status.storedVersions.length === 0) {
    const storage = Array.isArray(spec.versions) ? spec.versions.find((v: unknown) => isMap(v) && v.storage === true) : undefined;
    if (storage) status.storedVersions = [storage.name];
  }
  return obj;
}

/**
 * Errors of a CRD on create (old absent) or update, after v1 defaulting (applied here to a copy, so
 * callers may pass the object as received). Never throws.
 */
export function validateCRD(crd: unknown, old?: unknown, opts: CRDValidationOptions = {}): FieldError[] {
  try {
    const next = applyCRDDefaults(structuredClone(isMap(crd) ? crd : {}));
    if (old === undefined) return validateCreate(next, opts);
    return validateUpdate(next, applyCRDDefaults(structuredClone(isMap(old) ? old : {})), opts);
  } catch (e) {
    if (e instanceof RangeError) return [inv('spec', '', 'schema nesting is too deep to validate')];
    throw e;
  }
}

interface Ctx extends SchemaRuleOptions {
  requireStructural: boolean; requirePrunedDefaults: boolean; requireAtomicSetType: boolean;
  requireMapListKeysMapSetValidation: boolean; requireValidPropertyType: boolean; requireOpenAPISchema: boolean;
  requireRecognizedConversionReviewVersion: boolean; requireImmutableNames: boolean;
}

function baseCtx(opts: CRDValidationOptions): Ctx {
  return {
    allowDefaults: true, requireStructural: true, requirePrunedDefaults: true, requireAtomicSetType: true,
    requireMapListKeysMapSetValidation: true, requireValidPropertyType: true, requireOpenAPISchema: true,
    requireRecognizedConversionReviewVersion: true, requireImmutableNames: false, celRules: opts.celRules,
  };
}

function validateCreate(crd: J, opts: CRDValidationOptions): FieldError[] {
  const spec = toInternalSpec(isMap(crd.spec) ? crd.spec : {});
  const errs = validateMeta(crd, spec);
  errs.push(...validateSpec(spec, baseCtx(opts), 'spec'));
  errs.push(...validateStatus(crd, spec));
  errs.push(...validateAPIApproval(crd, undefined));
  errs.push(...validatePreserveUnknownFields(spec, undefined));
  return errs;
}

function validateUpdate(crd: J, old: J, opts: CRDValidationOptions): FieldError[] {
  const spec = toInternalSpec(isMap(crd.spec) ? crd.spec : {});
  const oldSpec = toInternalSpec(isMap(old.spec) ? old.spec : {});
  const ctx = baseCtx(opts);
  // Rules added after a CRD was stored apply only if the stored CRD already met them (ratcheting).
  ctx.requireImmutableNames = conditionTrue(old, 'Established');
  ctx.requireOpenAPISchema = allVersionsHaveSchema(oldSpec);
  ctx.requireValidPropertyType = !schemas(oldSpec).some((s) => hasInvalidType(s));
  ctx.requireStructural = !schemas(oldSpec).some((s) => !isStructural(s));
  ctx.requireAtomicSetType = !schemas(oldSpec).some((s) => someNode(s, nonAtomicSetItems));
  ctx.requireMapListKeysMapSetValidation = !schemas(oldSpec).some((s) => someNode(s, (n) => mapListKeysMapSet(n, '').length > 0));
  ctx.requirePrunedDefaults = !schemas(oldSpec).some((s) => hasUnprunedDefaults(s));
  const cv = oldSpec.conversion?.conversionReviewVersions;
  ctx.requireRecognizedConversionReviewVersion = !oldSpec.conversion || !Array.isArray(cv) || cv.length === 0 || cv.some((v: unknown) => v === 'v1' || v === 'v1beta1');
  const unchanged = new Set<string>();
  for (const v of spec.versions) {
    const name = str(v.name);
    if (deepEqual(schemaForVersion(spec, name), schemaForVersion(oldSpec, name))) unchanged.add(name);
  }
  ctx.unchangedSchemaVersions = unchanged;

  const errs: FieldError[] = metaUpdate((isMap(crd.metadata) ? crd.metadata : {}) as ObjectMeta, (isMap(old.metadata) ? old.metadata : {}) as ObjectMeta);
  errs.push(...validateSpec(spec, ctx, 'spec'));
  if (ctx.requireImmutableNames) {
    if (spec.scope !== oldSpec.scope) errs.push(inv('spec.scope', spec.scope, 'field is immutable'));
    if (str(spec.names.kind) !== str(oldSpec.names.kind)) errs.push(inv('spec.names.kind', str(spec.names.kind), 'field is immutable'));
  }
  if (spec.group !== oldSpec.group) errs.push(inv('spec.group', spec.group, 'field is immutable'));
  if (str(spec.names.plural) !== str(oldSpec.names.plural)) errs.push(inv('spec.names.plural', str(spec.names.plural), 'field is immutable'));
  errs.push(...validateStatus(crd, spec));
  errs.push(...validateAPIApproval(crd, old));
  errs.push(...validatePreserveUnknownFields(spec, oldSpec));
  return errs;
}

// ---- metadata, status, approval ----

function validateMeta(crd: J, spec: InternalSpec): FieldError[] {
  const required = `${str(spec.names.plural)}.${spec.group}`;
  const nameRule = (name: string, prefix: boolean) => {
    const out = NAME_FNS.subdomain(name, prefix);
    if (name !== required) out.push('must be spec.names.plural+"."+spec.group');
    return out;
  };
  return validateObjectMeta((isMap(crd.metadata) ? crd.metadata : {}) as ObjectMeta, { namespaced: false, nameRule });
}

function validateStatus(crd: J, spec: InternalSpec): FieldError[] {
  const status = isMap(crd.status) ? crd.status : {};
  const errs = validateNames(isMap(status.acceptedNames) ? status.acceptedNames : {}, 'status.acceptedNames');
  errs.push(...validateStoredVersions(Array.isArray(status.storedVersions) ? status.storedVersions : [], spec.versions));
  return errs;
}

function validateStoredVersions(stored: unknown[], versions: J[]): FieldError[] {
  const path = 'status.storedVersions';
  if (stored.length === 0) return [invStrings(path, stored, 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const idx = new Map<string, number>();
  stored.forEach((v, i) => idx.set(String(v), i));
  for (const v of versions) {
    const name = str(v.name);
    if (v.storage === true && !idx.has(name)) errs.push(invStrings(path, stored, `must have the storage version ${name}`));
    idx.delete(name);
  }
  for (const [v, i] of idx) errs.push(inv(`${path}[${i}]`, v, 'must appear in spec.versions'));
  return errs;
}

function conditionTrue(crd: J, type: string): boolean {
  const conds = isMap(crd.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
  return conds.some((c: unknown) => isMap(c) && c.type === type && c.status === 'True');
}

function approvalState(annotations: unknown): { state: 'missing' | 'bypassed' | 'approved' | 'invalid'; reason: string } {
  const a = isMap(annotations) ? str(annotations[APPROVAL]) : '';
  if (a === '') return { state: 'missing', reason: `protected groups must have approval annotation "${APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111` };
  if (a.startsWith('unapproved')) return { state: 'bypassed', reason: `not approved: "${a}"` };
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s]+/.test(a)) return { state: 'approved', reason: `approved in ${a}` };
  return { state: 'invalid', reason: `protected groups must have approval annotation "${APPROVAL}" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111` };
}

function validateAPIApproval(crd: J, old: J | undefined): FieldError[] {
  const group = isMap(crd.spec) ? str(crd.spec.group) : '';
  const protectedGroup = group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io');
  if (!protectedGroup) return [];
  const anns = isMap(crd.metadata) ? crd.metadata.annotations : undefined;
  const now = approvalState(anns);
  if (old && approvalState(isMap(old.metadata) ? old.metadata.annotations : undefined).state === now.state) return [];
  const path = `metadata.annotations[${APPROVAL}]`;
  if (now.state === 'missing') return [req(path, now.reason)];
  if (now.state === 'invalid') return [inv(path, isMap(anns) ? str(anns[APPROVAL]) : '', now.reason)];
  return [];
}

function validatePreserveUnknownFields(spec: InternalSpec, old: InternalSpec | undefined): FieldError[] {
  if (old?.preserveUnknownFields === true) return [];
  if (spec.preserveUnknownFields === true) {
    return [inv('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead')];
  }
  return [];
}

// ---- spec ----

function dns1035(field: string, v: string): FieldError[] {
  const m = isDNS1035Label(v);
  return m.length ? [inv(field, v, m.join(','))] : [];
}

export function validateNames(names: J, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const plural = str(names.plural), singular = str(names.singular), kind = str(names.kind), listKind = str(names.listKind);
  if (plural) errs.push(...dns1035(`${path}.plural`, plural));
  if (singular) errs.push(...dns1035(`${path}.singular`, singular));
  const mixed = (field: string, v: string) => {
    const m = isDNS1035Label(v.toLowerCase());
    if (m.length) errs.push(inv(field, v, `may have mixed case, but should otherwise match: ${m.join(',')}`));
  };
  if (kind) mixed(`${path}.kind`, kind);
  if (listKind) mixed(`${path}.listKind`, listKind);
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s: unknown, i: number) => errs.push(...dns1035(`${path}.shortNames[${i}]`, str(s))));
  if (kind && kind === listKind) errs.push(inv(`${path}.listKind`, listKind, 'kind and listKind may not be the same'));
  (Array.isArray(names.categories) ? names.categories : []).forEach((s: unknown, i: number) => errs.push(...dns1035(`${path}.categories[${i}]`, str(s))));
  return errs;
}

function schemas(spec: InternalSpec): J[] {
  const out: J[] = [];
  if (isMap(spec.validation?.openAPIV3Schema)) out.push(spec.validation!.openAPIV3Schema);
  for (const v of spec.versions) if (isMap(v.schema) && isMap(v.schema.openAPIV3Schema)) out.push(v.schema.openAPIV3Schema);
  return out;
}

function schemaForVersion(spec: InternalSpec, name: string): unknown {
  if (spec.validation) return spec.validation;
  return spec.versions.find((v) => v.name === name)?.schema;
}

function allVersionsHaveSchema(spec: InternalSpec): boolean {
  if (isMap(spec.validation?.openAPIV3Schema)) return true;
  return spec.versions.every((v) => isMap(v.schema) && isMap(v.schema.openAPIV3Schema));
}

/** Visit every schema node (spine and value validations); true if pred holds for one. */
export function someNode(s: unknown, pred: (n: J) => boolean, depth = 0): boolean {
  if (!isMap(s) || depth > 10000) return false;
  if (pred(s)) return true;
  const kids: unknown[] = [];
  if (Array.isArray(s.items)) kids.push(...s.items); else kids.push(s.items);
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k])) kids.push(...s[k]);
  kids.push(s.not, s.additionalProperties, s.additionalItems);
  for (const k of ['properties', 'patternProperties', 'definitions', 'dependencies']) if (isMap(s[k])) kids.push(...Object.values(s[k]));
  return kids.some((k) => someNode(k, pred, depth + 1));
}

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const hasInvalidType = (s: J) => someNode(s, (n) => typeof n.type === 'string' && n.type !== '' && !OPENAPI_TYPES.includes(n.type));
const hasDefaults = (s: J) => someNode(s, (n) => n.default !== undefined && n.default !== null);
const hasK8sExtensions = (s: J) => someNode(s, (n) => n['x-kubernetes-embedded-resource'] === true || n['x-kubernetes-preserve-unknown-fields'] !== undefined
  || n['x-kubernetes-int-or-string'] === true || (Array.isArray(n['x-kubernetes-list-map-keys']) && n['x-kubernetes-list-map-keys'].length > 0)
  || n['x-kubernetes-list-type'] !== undefined || (Array.isArray(n['x-kubernetes-validations']) && n['x-kubernetes-validations'].length > 0));
function nonAtomicSetItems(n: J): boolean {
  if (n['x-kubernetes-list-type'] !== 'set' || !isMap(n.items)) return false;
  const it = n.items;
  if (it.type === 'array') return it['x-kubernetes-list-type'] !== undefined && it['x-kubernetes-list-type'] !== 'atomic';
  if (it.type === 'object') return it['x-kubernetes-map-type'] !== 'atomic';
  return false;
}

function validateSpec(spec: InternalSpec, ctxIn: Ctx, path: string): FieldError[] {
  const ctx: Ctx = { ...ctxIn };
  const errs: FieldError[] = [];
  if (spec.group === '') errs.push(req(`${path}.group`));
  else {
    const m = isDNS1123Subdomain(spec.group);
    if (m.length) errs.push(inv(`${path}.group`, spec.group, m.join(',')));
    else if (spec.group.split('.').length < 2) errs.push(inv(`${path}.group`, spec.group, 'should be a domain with at least one dot'));
  }
  if (spec.scope === '') errs.push(req(`${path}.scope`));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(notSupported(`${path}.scope`, spec.scope, ['Cluster', 'Namespaced']));

  if (spec.preserveUnknownFields !== true) ctx.requireStructural = true;
  const specSchemas = schemas(spec);
  if (ctx.requireOpenAPISchema) {
    if (!isMap(spec.validation?.openAPIV3Schema)) {
      spec.versions.forEach((v, i) => {
        if (!isMap(v.schema) || !isMap(v.schema.openAPIV3Schema)) errs.push(req(`${path}.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
      });
    }
  } else if (spec.preserveUnknownFields !== true && !isMap(spec.validation?.openAPIV3Schema)) {
    spec.versions.forEach((v, i) => {
      if (v.served === true && (!isMap(v.schema) || !isMap(v.schema.openAPIV3Schema))) {
        errs.push(req(`${path}.versions[${i}].schema.openAPIV3Schema`, 'because otherwise all fields are pruned'));
      }
    });
  }
  if (ctx.allowDefaults && specSchemas.some(hasDefaults)) {
    ctx.requireStructural = true;
    if (spec.preserveUnknownFields === undefined || spec.preserveUnknownFields) {
      errs.push(inv(`${path}.preserveUnknownFields`, true, 'must be false in order to use defaults in the schema'));
    }
  }
  if (specSchemas.some(hasK8sExtensions)) ctx.requireStructural = true;

  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  spec.versions.forEach((v, i) => {
    if (v.storage === true) storage++;
    const name = str(v.name);
    if (seen.has(name)) unique = false; else seen.add(name);
    errs.push(...dns1035(`${path}.versions[${i}].name`, name));
    const subresources = spec.versions.some((x) => x.subresources != null) ? v.subresources : spec.subresources;
    errs.push(...validateVersion(v, `${path}.versions[${i}]`, isMap(subresources) && subresources.status != null, ctx));
  });
  const versionsValue = spec.versions;
  if (!unique) errs.push(inv(`${path}.versions`, versionsValue, 'must contain unique version names'));
  if (storage !== 1) errs.push(inv(`${path}.versions`, versionsValue, 'must have exactly one version marked as storage version'));
  if (spec.versions.length === 0) errs.push(...[]);

  if (str(spec.names.plural) === '') errs.push(req(`${path}.names.plural`));
  if (str(spec.names.singular) === '') errs.push(req(`${path}.names.singular`));
  if (str(spec.names.kind) === '') errs.push(req(`${path}.names.kind`));
  if (str(spec.names.listKind) === '') errs.push(req(`${path}.names.listKind`));
  errs.push(...validateNames(spec.names, `${path}.names`));

  const anyStatus = (isMap(spec.subresources) && spec.subresources.status != null) || spec.versions.some((v) => isMap(v.subresources) && v.subresources.status != null);
  errs.push(...validateSchemaBlock(spec.validation, anyStatus, ctx, spec.version, `${path}.validation`));
  errs.push(...validateSubresources(spec.subresources, `${path}.subresources`));
  (spec.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, `${path}.additionalPrinterColumns[${i}]`)));
  if (spec.selectableFields && spec.selectableFields.length > 0) {
    if (!spec.validation) errs.push(inv(`${path}.selectableFields`, '', 'selectableFields may only be set when validations.schema is included'));
    else errs.push(...validateSelectableFields(spec.selectableFields, spec.validation.openAPIV3Schema, `${path}.selectableFields`));
  }
  const conv = spec.conversion;
  if (conv && conv.strategy !== 'None' && spec.preserveUnknownFields !== false) {
    errs.push(inv(`${path}.conversion.strategy`, conv.strategy ?? '', 'must be None if spec.preserveUnknownFields is true'));
  }
  errs.push(...validateConversion(conv, ctx.requireRecognizedConversionReviewVersion, `${path}.conversion`));
  return errs;
}

function validateVersion(v: J, path: string, statusEnabled: boolean, ctx: Ctx): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of deprecationWarningErrors(v.deprecated === true, v.deprecationWarning)) {
    errs.push(inv(`${path}.deprecationWarning`, v.deprecationWarning ?? null, m));
  }
  errs.push(...validateSchemaBlock(v.schema, statusEnabled, ctx, str(v.name), `${path}.schema`));
  errs.push(...validateSubresources(v.subresources, `${path}.subresources`));
  (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []).forEach((c: unknown, i: number) => {
    errs.push(...validateColumn(isMap(c) ? c : {}, `${path}.additionalPrinterColumns[${i}]`));
  });
  const sf = Array.isArray(v.selectableFields) ? v.selectableFields : [];
  if (sf.length > 0) {
    if (!isMap(v.schema) || !isMap(v.schema.openAPIV3Schema)) {
      errs.push(inv(`${path}.selectableFields`, '', 'selectableFields may only be set when version.schema.openAPIV3Schema is not included'));
    } else errs.push(...validateSelectableFields(sf, v.schema.openAPIV3Schema, `${path}.selectableFields`));
  }
  return errs;
}

function deprecationWarningErrors(deprecated: boolean, w: unknown): string[] {
  if (!deprecated && w !== undefined && w !== null) return ['can only be set for deprecated versions'];
  if (w === undefined || w === null) return [];
  const s = String(w);
  const out: string[] = [];
  if (Buffer.byteLength(s) > 256) out.push('must be <= 256 characters long');
  if (s.length === 0) out.push('must not be an empty string');
  let i = 0;
  for (const ch of s) {
    if (/[\p{Cc}]/u.test(ch)) { out.push(`must only contain printable UTF-8 characters; non-printable character found at index ${i}`); break; }
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) { out.push(`must only contain printable UTF-8 characters; non-printable character found at index ${i}`); break; }
    i += Buffer.byteLength(ch);
  }
  return out;
}

const ROOT_ALLOWED_WITH_STATUS = ['Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum', 'MaxLength', 'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties', 'ExternalDocs', 'Example', 'XPreserveUnknownFields', 'XValidations'];
// JSONSchemaProps fields in Go struct order: [json name, Go name].
const GO_FIELDS: Array<[string, string]> = [
  ['id', 'ID'], ['$schema', 'Schema'], ['$ref', 'Ref'], ['description', 'Description'], ['type', 'Type'], ['format', 'Format'],
  ['title', 'Title'], ['default', 'Default'], ['maximum', 'Maximum'], ['exclusiveMaximum', 'ExclusiveMaximum'], ['minimum', 'Minimum'],
  ['exclusiveMinimum', 'ExclusiveMinimum'], ['maxLength', 'MaxLength'], ['minLength', 'MinLength'], ['pattern', 'Pattern'],
  ['maxItems', 'MaxItems'], ['minItems', 'MinItems'], ['uniqueItems', 'UniqueItems'], ['multipleOf', 'MultipleOf'], ['enum', 'Enum'],
  ['maxProperties', 'MaxProperties'], ['minProperties', 'MinProperties'], ['required', 'Required'], ['items', 'Items'], ['allOf', 'AllOf'],
  ['oneOf', 'OneOf'], ['anyOf', 'AnyOf'], ['not', 'Not'], ['properties', 'Properties'], ['additionalProperties', 'AdditionalProperties'],
  ['patternProperties', 'PatternProperties'], ['dependencies', 'Dependencies'], ['additionalItems', 'AdditionalItems'],
  ['definitions', 'Definitions'], ['externalDocs', 'ExternalDocs'], ['example', 'Example'], ['nullable', 'Nullable'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'], ['x-kubernetes-embedded-resource', 'XEmbeddedResource'],
  ['x-kubernetes-int-or-string', 'XIntOrString'], ['x-kubernetes-list-map-keys', 'XListMapKeys'], ['x-kubernetes-list-type', 'XListType'],
  ['x-kubernetes-map-type', 'XMapType'], ['x-kubernetes-validations', 'XValidations'],
];
const goZero = (v: unknown) => v === undefined || v === null || v === false || v === '' || v === 0
  || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0 && false);

function validateSchemaBlock(block: unknown, statusEnabled: boolean, ctx: Ctx, version: string, path: string): FieldError[] {
  if (!isMap(block)) return [];
  const schema = block.openAPIV3Schema;
  const errs: FieldError[] = [];
  if (isMap(schema)) {
    const p = `${path}.openAPIV3Schema`;
    if (statusEnabled) {
      for (const [json, goName] of GO_FIELDS) {
        if (goZero(schema[json])) continue;
        if (goName === 'Type') {
          if (schema.type !== 'object') { errs.push(inv(`${p}.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')); break; }
          continue;
        }
        if (!ROOT_ALLOWED_WITH_STATUS.includes(goName)) {
          errs.push(inv(p, schema, `only [${ROOT_ALLOWED_WITH_STATUS.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`));
          break;
        }
      }
    }
    if (schema.nullable === true) errs.push(forb(`${p}.nullable`, 'nullable cannot be true at the root'));
    const rules: SchemaRuleOptions = { ...ctx, suppressCost: ctx.unchangedSchemaVersions?.has(version) };
    let structuralOK = false;
    let initErr: FieldError | undefined;
    if (ctx.requireStructural) {
      initErr = structuralInitError(schema, p);
      if (!initErr) {
        const serrs = validateStructural(schema, p);
        if (serrs.length) errs.push(...serrs);
        else {
          const derrs = validateDefaults(schema, p, ctx.requirePrunedDefaults);
          if (derrs.length) errs.push(...derrs);
          else structuralOK = true;
        }
      }
    }
    errs.push(...validateSchemaRules(schema, p, { ...rules, structural: structuralOK, requireValidPropertyType: ctx.requireValidPropertyType, requireAtomicSetType: ctx.requireAtomicSetType, requireMapListKeysMapSetValidation: ctx.requireMapListKeysMapSetValidation }));
    if (errs.length === 0 && initErr) errs.push(initErr);
  }
  return errs;
}

/** upstream's NewStructural refusals (only reported when nothing else is wrong). */
function structuralInitError(schema: J, path: string): FieldError | undefined {
  let msg: string | undefined;
  someNode(schema, (n) => {
    if (n.id) msg = "OpenAPIV3Schema 'id' is not supported";
    else if (n.$schema) msg = "OpenAPIV3Schema 'schema' is not supported";
    else if (n.$ref) msg = "OpenAPIV3Schema '$ref' is not supported";
    else if (isMap(n.patternProperties) && Object.keys(n.patternProperties).length) msg = "OpenAPIV3Schema 'patternProperties' is not supported";
    else if (n.dependencies != null) msg = "OpenAPIV3Schema 'dependencies' is not supported";
    else if (n.additionalItems != null) msg = "OpenAPIV3Schema 'additionalItems' is not supported";
    else if (isMap(n.definitions) && Object.keys(n.definitions).length) msg = "OpenAPIV3Schema 'definitions' is not supported";
    else if (Array.isArray(n.items)) msg = "OpenAPIV3Schema 'items' must be a schema, but is an array";
    else if (n['x-kubernetes-preserve-unknown-fields'] === false) msg = "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
    return msg !== undefined;
  });
  return msg ? inv(path, '', msg) : undefined;
}

// ---- subresources, columns, selectable fields, conversion ----

function simpleJSONPath(s: string, field: string): FieldError[] {
  if (s.length === 0) return [inv(field, s, 'must not be empty')];
  if (s[0] !== '.') return [inv(field, s, 'must be a simple json path starting with .')];
  return [];
}

function validateSubresources(sub: unknown, path: string): FieldError[] {
  if (!isMap(sub) || !isMap(sub.scale)) return [];
  const scale = sub.scale;
  const errs: FieldError[] = [];
  const spec = str(scale.specReplicasPath);
  if (spec === '') errs.push(req(`${path}.scale.specReplicasPath`));
  else {
    const e = simpleJSONPath(spec, `${path}.scale.specReplicasPath`);
    if (e.length) errs.push(...e);
    else if (!spec.startsWith('.spec.')) errs.push(inv(`${path}.scale.specReplicasPath`, spec, 'should be a json path under .spec'));
  }
  const status = str(scale.statusReplicasPath);
  if (status === '') errs.push(req(`${path}.scale.statusReplicasPath`));
  else {
    const e = simpleJSONPath(status, `${path}.scale.statusReplicasPath`);
    if (e.length) errs.push(...e);
    else if (!status.startsWith('.status.')) errs.push(inv(`${path}.scale.statusReplicasPath`, status, 'should be a json path under .status'));
  }
  const sel = str(scale.labelSelectorPath);
  if (sel !== '') {
    const e = simpleJSONPath(sel, `${path}.scale.labelSelectorPath`);
    if (e.length) errs.push(...e);
    else if (!sel.startsWith('.spec.') && !sel.startsWith('.status.')) errs.push(inv(`${path}.scale.labelSelectorPath`, sel, 'should be a json path under either .spec or .status'));
  }
  return errs;
}

function validateColumn(c: J, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (str(c.name) === '') errs.push(req(`${path}.name`));
  const type = str(c.type);
  if (type === '') errs.push(req(`${path}.type`, `must be one of ${PRINTER_TYPES.join(',')}`));
  else if (!PRINTER_TYPES.includes(type)) errs.push(inv(`${path}.type`, type, `must be one of ${PRINTER_TYPES.join(',')}`));
  const format = str(c.format);
  if (format !== '' && !COLUMN_FORMATS.includes(format)) errs.push(inv(`${path}.format`, format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  const jp = str(c.jsonPath);
  if (jp === '') errs.push(req(`${path}.JSONPath`));
  else errs.push(...simpleJSONPath(jp, `${path}.JSONPath`));
  return errs;
}

function validateSelectableFields(fields: unknown[], schema: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const p = `${path}[${i}].jsonPath`;
    const jp = isMap(f) ? str(f.jsonPath) : '';
    if (jp === '') { errs.push(req(p)); return; }
    const r = validFieldPath(jp, isMap(schema) ? schema : undefined, false);
    if (r.error) { errs.push(inv(p, jp, `is an invalid path: ${r.error}`)); return; }
    if (r.root === 'metadata') errs.push(inv(p, jp, 'must not point to fields in metadata'));
    const t = r.schema?.type;
    if (!(t === 'string' || t === 'boolean' || t === 'integer')) {
      errs.push(inv(p, jp, 'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'));
    }
    if (unique.has(r.path!)) errs.push({ type: 'FieldValueDuplicate', field: p, value: jp });
    else unique.add(r.path!);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS) errs.push({ type: 'FieldValueTooMany', field: path, value: unique.size, detail: `must have at most ${MAX_SELECTABLE_FIELDS} items` });
  return errs;
}

function validateConversion(conv: J | undefined, requireRecognized: boolean, path: string): FieldError[] {
  if (!conv) return [];
  const errs: FieldError[] = [];
  const strategy = str(conv.strategy);
  if (strategy === '') errs.push(req(`${path}.strategy`));
  else if (strategy !== 'None' && strategy !== 'Webhook') errs.push(notSupported(`${path}.strategy`, strategy, ['None', 'Webhook']));
  const webhook = isMap(conv.webhook) ? conv.webhook : undefined;
  const cc = webhook && isMap(webhook.clientConfig) ? webhook.clientConfig : undefined;
  const reviewVersions = webhook && Array.isArray(webhook.conversionReviewVersions) ? webhook.conversionReviewVersions : [];
  if (strategy === 'Webhook') {
    const ccPath = `${path}.webhookClientConfig`;
    if (!cc) errs.push(req(ccPath, 'required when strategy is set to Webhook'));
    else {
      const hasURL = typeof cc.url === 'string';
      const hasService = isMap(cc.service);
      if (hasURL === hasService) errs.push(req(ccPath, 'exactly one of url or service is required'));
      else if (hasURL) errs.push(...validateWebhookURL(`${ccPath}.url`, cc.url));
      else errs.push(...validateWebhookService(`${ccPath}.service`, cc.service));
    }
    errs.push(...validateReviewVersions(reviewVersions, requireRecognized, `${path}.conversionReviewVersions`));
  } else {
    if (cc) errs.push(forb(`${path}.webhookClientConfig`, 'should not be set when strategy is not set to Webhook'));
    if (reviewVersions.length > 0) errs.push(forb(`${path}.conversionReviewVersions`, 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function validateReviewVersions(versions: unknown[], requireRecognized: boolean, path: string): FieldError[] {
  if (versions.length === 0) return [req(path)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((v, i) => {
    const s = str(v);
    if (seen.has(s)) { errs.push(inv(`${path}[${i}]`, s, 'duplicate version')); return; }
    seen.add(s);
    for (const m of isDNS1035Label(s)) errs.push(inv(`${path}[${i}]`, s, m));
    if (s === 'v1' || s === 'v1beta1') accepted = true;
  });
  if (requireRecognized && !accepted) errs.push(invStrings(path, versions, 'must include at least one of v1, v1beta1'));
  return errs;
}

export { keyPath };
