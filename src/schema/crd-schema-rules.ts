// The per-node rules upstream's ValidateCustomResourceDefinitionOpenAPISchema applies to a CRD
// schema: unsupported JSON-Schema keywords, defaults where they are not allowed (root metadata,
// apiVersion, kind), x-kubernetes-* combinations (list-type, list-map-keys, map-type,
// preserve-unknown-fields, embedded-resource), and the static shape of x-kubernetes-validations
// rules. CEL compilation of the rules is delegated to src/cel through `celRules`.
import type { FieldError } from '../errors.ts';
import type { J } from './structural.ts';
import { keyPath } from './structural.ts';
import { validFieldPath } from './field-path.ts';
import { goErrorValue, goStringSlice } from './gofmt.ts';

export interface SchemaRuleOptions {
  allowDefaults: boolean;
  requireValidPropertyType?: boolean;
  requireAtomicSetType?: boolean;
  requireMapListKeysMapSetValidation?: boolean;
  /** The schema passed the structural and default checks: CEL rules may be compiled. */
  structural?: boolean;
  /** Versions whose schema did not change in this update: per-rule CEL cost limits are not enforced. */
  unchangedSchemaVersions?: Set<string>;
  suppressCost?: boolean;
  /**
   * CEL compilation of a node's rules (src/cel): `node` is the schema node carrying
   * x-kubernetes-validations, `path` its field path (rules at `${path}.x-kubernetes-validations[i]`),
   * `uncorrelatablePath` where oldSelf may not be used (undefined when it may).
   */
  celRules?: (node: J, path: string, ctx: { uncorrelatablePath?: string; suppressCost?: boolean; root: J }) => FieldError[];
}

const isMap = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const req = (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail: detail || undefined });
const forb = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
const inv = (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail, rendered: goErrorValue(value) });
const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field, value, supported });

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

interface Node { allowDefaults: boolean; disallowReason: string; insideMeta: boolean; uncorrelatable?: string }

/** All rule errors of a CRD schema (schema errors first, then CEL errors, as upstream orders them). */
export function validateSchemaRules(schema: J, path: string, opts: SchemaRuleOptions): FieldError[] {
  const [schemaErrs, celErrs] = walk(schema, path, { allowDefaults: opts.allowDefaults, disallowReason: '', insideMeta: false }, true, opts, schema);
  return [...schemaErrs, ...celErrs];
}

function nodeChecks(s: J, path: string, n: Node, opts: SchemaRuleOptions): FieldError[] {
  const errs: FieldError[] = [];
  const type = s.type;
  if (opts.requireValidPropertyType !== false && typeof type === 'string' && type !== '' && !OPENAPI_TYPES.includes(type)) {
    errs.push(notSupported(`${path}.type`, type, OPENAPI_TYPES));
  }
  if (s.default !== undefined && s.default !== null && !n.allowDefaults) {
    errs.push(forb(`${path}.default`, `must not be set${n.disallowReason ? ` ${n.disallowReason}` : ''}`));
  }
  if (str(s.id) !== '') errs.push(forb(`${path}.id`, 'id is not supported'));
  if (s.additionalItems !== undefined && s.additionalItems !== null) errs.push(forb(`${path}.additionalItems`, 'additionalItems is not supported'));
  if (isMap(s.patternProperties) && Object.keys(s.patternProperties).length) errs.push(forb(`${path}.patternProperties`, 'patternProperties is not supported'));
  if (isMap(s.definitions) && Object.keys(s.definitions).length) errs.push(forb(`${path}.definitions`, 'definitions is not supported'));
  if (s.dependencies !== undefined && s.dependencies !== null) errs.push(forb(`${path}.dependencies`, 'dependencies is not supported'));
  if (s.$ref !== undefined && s.$ref !== null) errs.push(forb(`${path}.$ref`, '$ref is not supported'));
  if (type === 'null') errs.push(forb(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length) errs.push(forb(`${path}.items`, 'items must be a schema object and not an array'));
  if (n.insideMeta && s['x-kubernetes-embedded-resource'] === true) {
    errs.push(forb(`${path}.x-kubernetes-embedded-resource`, 'must not be used inside of resource meta'));
  }
  return errs;
}

type Found = [schema: FieldError[], cel: FieldError[]];

// Errors of one node and everything under it; CEL rules of a node are compiled only when the
// node's subtree has no schema errors, as upstream does.
function walk(s: J, path: string, n: Node, isRoot: boolean, opts: SchemaRuleOptions, root: J): Found {
  const errs: FieldError[] = [];
  const cel: FieldError[] = [];
  const add = ([a, b]: Found) => { errs.push(...a); cel.push(...b); };
  errs.push(...nodeChecks(s, path, n, opts));
  if (s.uniqueItems === true) errs.push(forb(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  const props = isMap(s.properties) ? s.properties : {};
  const hasProps = Object.keys(props).length > 0;
  const ap = s.additionalProperties;
  if (ap !== undefined && ap !== null) {
    if (hasProps && (ap === false || isMap(ap))) errs.push(forb(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    const sub = n.insideMeta ? { ...n, allowDefaults: false, disallowReason: 'inside additionalProperties applying to object metadata' } : n;
    if (isMap(ap)) add(walk(ap, `${path}.additionalProperties`, sub, false, opts, root));
  }
  for (const k of Object.keys(props)) {
    let sub: Node = n;
    if (s['x-kubernetes-map-type'] === 'atomic' && sub.uncorrelatable === undefined) sub = { ...sub, uncorrelatable: path };
    if ((isRoot || s['x-kubernetes-embedded-resource'] === true) && META_FIELDS.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, disallowReason: `in top-level ${k}` };
    }
    if (isMap(props[k])) add(walk(props[k], keyPath(`${path}.properties`, k), sub, false, opts, root));
  }
  if (isMap(s.not)) add(walk(s.not, `${path}.not`, n, false, opts, root));
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    if (Array.isArray(s[k])) s[k].forEach((x: unknown, i: number) => { if (isMap(x)) add(walk(x, `${path}.${k}[${i}]`, n, false, opts, root)); });
  }
  if (isMap(s.definitions)) for (const k of Object.keys(s.definitions)) if (isMap(s.definitions[k])) add(walk(s.definitions[k], keyPath(`${path}.definitions`, k), n, false, opts, root));
  if (s.items !== undefined && s.items !== null) {
    let sub = n;
    if (s['x-kubernetes-list-type'] !== 'map' && sub.uncorrelatable === undefined) sub = { ...sub, uncorrelatable: path };
    if (isMap(s.items)) add(walk(s.items, `${path}.items`, sub, false, opts, root));
    else if (Array.isArray(s.items)) s.items.forEach((x: unknown, i: number) => { if (isMap(x)) add(walk(x, `${path}.items[${i}]`, sub, false, opts, root)); });
  }
  if (isMap(s.dependencies)) for (const k of Object.keys(s.dependencies)) if (isMap(s.dependencies[k])) add(walk(s.dependencies[k], keyPath(`${path}.dependencies`, k), n, false, opts, root));
  errs.push(...extensionChecks(s, path, opts));
  errs.push(...ruleShapeChecks(s, path));
  const rules = s['x-kubernetes-validations'];
  if (Array.isArray(rules) && rules.length > 0 && opts.structural && opts.celRules && errs.length === 0) {
    cel.push(...opts.celRules(s, path, { uncorrelatablePath: n.uncorrelatable, suppressCost: opts.suppressCost, root }));
  }
  return [errs, cel];
}

function extensionChecks(s: J, path: string, opts: SchemaRuleOptions): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(s.type);
  const lt = s['x-kubernetes-list-type'];
  const mt = s['x-kubernetes-map-type'];
  const keys: unknown[] = Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [];
  const items = isMap(s.items) ? s.items : undefined;
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(inv(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  if (mt !== undefined && mt !== null && type !== 'object') {
    errs.push(type === '' ? req(`${path}.type`, 'must be object if x-kubernetes-map-type is specified') : inv(`${path}.type`, type, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (mt !== undefined && mt !== null && mt !== 'atomic' && mt !== 'granular') errs.push(notSupported(`${path}.x-kubernetes-map-type`, mt, ['atomic', 'granular']));
  if (lt !== undefined && lt !== null && type !== 'array') {
    errs.push(type === '' ? req(`${path}.type`, 'must be array if x-kubernetes-list-type is specified') : inv(`${path}.type`, type, 'must be array if x-kubernetes-list-type is specified'));
  } else if (opts.requireAtomicSetType !== false && lt === 'set' && items) {
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
      errs.push(inv(`${path}.items.x-kubernetes-list-type`, items['x-kubernetes-list-type'], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    } else if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      errs.push(inv(`${path}.items.x-kubernetes-map-type`, items['x-kubernetes-list-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  if (lt !== undefined && lt !== null && lt !== 'atomic' && lt !== 'set' && lt !== 'map') errs.push(notSupported(`${path}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
  if (keys.length > 0) {
    if (lt === undefined || lt === null) errs.push(req(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (lt !== 'map') errs.push(inv(`${path}.x-kubernetes-list-type`, lt, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (lt === 'map') {
    if (keys.length === 0) errs.push(req(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    if (s.items === undefined || s.items === null) errs.push(req(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    if (Array.isArray(s.items)) errs.push(inv(`${path}.items`, s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
    if (items && items.type !== 'object') errs.push(inv(`${path}.items.type`, str(items.type), "must be object if parent array's x-kubernetes-list-type is map"));
    if (items && items.type === 'object') {
      const seen = new Set<unknown>();
      const iprops = isMap(items.properties) ? items.properties : {};
      for (const k of keys) {
        const ks = String(k);
        if (Object.prototype.hasOwnProperty.call(iprops, ks)) {
          const t = isMap(iprops[ks]) ? iprops[ks].type : undefined;
          if (t === 'array' || t === 'object') errs.push(inv(`${keyPath(`${path}.items.properties`, ks)}.type`, str(items.type), "must be a scalar type if parent array's x-kubernetes-list-type is map"));
        } else errs.push({ ...inv(`${path}.x-kubernetes-list-map-keys`, keys, 'entries must all be names of item properties'), rendered: goStringSlice(keys) });
        if (seen.has(k)) errs.push({ ...inv(`${path}.x-kubernetes-list-map-keys`, keys, 'must not contain duplicate entries'), rendered: goStringSlice(keys) });
        seen.add(k);
      }
    }
  }
  if (opts.requireMapListKeysMapSetValidation !== false) errs.push(...mapListKeysMapSet(s, path));
  return errs;
}

/** Items of set/map lists must not be nullable; map keys need a default or must be required. */
export function mapListKeysMapSet(s: J, path: string): FieldError[] {
  const items = isMap(s.items) ? s.items : undefined;
  const lt = s['x-kubernetes-list-type'];
  if (!items || (lt !== 'set' && lt !== 'map')) return [];
  const errs: FieldError[] = [];
  if (items.nullable === true) errs.push(forb(`${path}.items.nullable`, `cannot be nullable when x-kubernetes-list-type is ${lt}`));
  if (lt === 'map') {
    const required = new Set(Array.isArray(items.required) ? items.required : []);
    const iprops = isMap(items.properties) ? items.properties : {};
    for (const k of Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : []) {
      const ks = String(k);
      if (!Object.prototype.hasOwnProperty.call(iprops, ks) || !isMap(iprops[ks])) continue;
      const p = iprops[ks];
      if (!required.has(ks) && (p.default === undefined || p.default === null)) {
        errs.push(req(`${keyPath(`${path}.items.properties`, ks)}.default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
      }
      if (p.nullable === true) errs.push(forb(`${keyPath(`${path}.items.properties`, ks)}.nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
    }
  }
  return errs;
}

const hasNewlines = (s: string) => /[\n\r]/.test(s);

function ruleShapeChecks(s: J, path: string): FieldError[] {
  const rules = s['x-kubernetes-validations'];
  if (!Array.isArray(rules)) return [];
  const errs: FieldError[] = [];
  rules.forEach((r: unknown, i: number) => {
    const rule: J = isMap(r) ? r : {};
    const p = `${path}.x-kubernetes-validations[${i}]`;
    const ruleText = str(rule.rule).trim();
    const message = str(rule.message);
    const msg = message.trim();
    const msgExpr = str(rule.messageExpression);
    if (ruleText === '') errs.push(req(`${p}.rule`, 'rule is not specified'));
    else if (message.length > 0 && msg === '') errs.push(inv(`${p}.message`, message, 'message must be non-empty if specified'));
    else if (hasNewlines(msg)) errs.push(inv(`${p}.message`, message, 'message must not contain line breaks'));
    else if (hasNewlines(ruleText) && msg === '') errs.push(req(`${p}.message`, 'message must be specified if rule contains line breaks'));
    if (msgExpr.length > 0 && msgExpr.trim() === '') errs.push(req(`${p}.messageExpression`, 'messageExpression must be non-empty if specified'));
    if (rule.reason !== undefined && rule.reason !== null && !REASONS.includes(String(rule.reason))) {
      errs.push(notSupported(`${p}.reason`, rule.reason, REASONS));
    }
    const fp = str(rule.fieldPath);
    if (fp.length > 0 && fp.trim() === '') errs.push(inv(`${p}.fieldPath`, fp, 'fieldPath must be non-empty if specified'));
    if (hasNewlines(fp)) errs.push(inv(`${p}.fieldPath`, fp, 'fieldPath must not contain line breaks'));
    if (fp.length > 0 && validFieldPath(fp, s).error !== undefined) errs.push(inv(`${p}.fieldPath`, fp, 'fieldPath must be a valid path'));
  });
  return errs;
}
