// ResourceQuota and LimitRange: quantities stored canonical, and upstream's validation
// (ValidateResourceQuota, ValidateLimitRange in pkg/apis/core/validation) with its field paths and words.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { isQualifiedName } from '../validation/names.ts';
import { canonicalQuantity, quantityMilliExact } from '../validation/quantity.ts';
import { arr, canonicalizeResourceList, isObj } from './util.ts';
import type { KindStrategy } from './util.ts';

const QUOTA_RESOURCES = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage']);
const INTEGER_RESOURCES = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps',
  'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
const POD_COMPUTE = new Set(['pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage']);
const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const EXISTS_ONLY = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity']);
const CONFLICTS = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

const isHugePages = (n: string) => n.startsWith('hugepages-') || n.startsWith('requests.hugepages-') || n.startsWith('limits.hugepages-');
const isStandardQuotaName = (n: string) => QUOTA_RESOURCES.has(n) || isHugePages(n);
const isExtended = (n: string) => n.includes('/') && !n.split('/')[0].endsWith('kubernetes.io') && !n.startsWith('requests.');

function quantityErrors(path: string, name: string, v: unknown): FieldError[] {
  let milli: bigint;
  try { milli = quantityMilliExact(String(v)); } catch { return [field.invalid(path, v, 'must be a valid quantity')]; }
  const errs: FieldError[] = [];
  if (milli < 0n) errs.push(field.invalid(path, v, 'must be greater than or equal to 0'));
  const integer = INTEGER_RESOURCES.has(name) || name.startsWith('count/') || isExtended(name) || (name.startsWith('requests.') && isExtended(name.slice(9)));
  if (integer && milli % 1000n !== 0n) errs.push(field.invalid(path, v, 'must be an integer'));
  return errs;
}

function quotaNameErrors(path: string, name: string): FieldError[] {
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => field.invalid(path, name, m));
  if (!name.includes('/') && !isStandardQuotaName(name)) return [field.invalid(path, name, 'must be a standard resource for quota')];
  return [];
}

function scopeValidFor(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  return POD_COMPUTE.has(resource);
}

function resourceList(path: string, list: unknown): FieldError[] {
  if (list === undefined || list === null) return [];
  if (!isObj(list)) return [field.invalid(path, list, 'must be a map of resource names to quantities')];
  const errs: FieldError[] = [];
  for (const k of Object.keys(list).sort()) errs.push(...quotaNameErrors(`${path}[${k}]`, k), ...quantityErrors(`${path}[${k}]`, k, list[k]));
  return errs;
}

function scopeErrors(spec: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const hard = Object.keys(isObj(spec.hard) ? spec.hard : {}).sort();
  const scopes = arr<string>(spec.scopes);
  const seen = new Set<string>();
  for (const s of scopes) {
    if (!SCOPES.includes(s)) errs.push(field.invalid('spec.scopes', scopes, 'unsupported scope'));
    for (const k of hard) if (isStandardQuotaName(k) && !scopeValidFor(s, k)) errs.push(field.invalid('spec.scopes', scopes, 'unsupported scope applied to resource'));
    seen.add(s);
  }
  for (const pair of CONFLICTS) if (pair.every((p) => seen.has(p))) errs.push(field.invalid('spec.scopes', scopes, 'conflicting scopes'));
  const selector = spec.scopeSelector;
  if (selector === undefined || selector === null) return errs;
  const path = 'spec.scopeSelector.matchExpressions';
  const chosen = new Set<string>();
  for (const req of arr<Record<string, any>>(selector.matchExpressions)) {
    if (!isObj(req)) { errs.push(field.invalid(path, req, 'must be an object')); continue; }
    if (!SCOPES.includes(req.scopeName)) errs.push(field.invalid(`${path}.scopeName`, req.scopeName, 'unsupported scope'));
    for (const k of hard) if (isStandardQuotaName(k) && !scopeValidFor(req.scopeName, k)) errs.push(field.invalid(path, selector, 'unsupported scope applied to resource'));
    if (EXISTS_ONLY.has(req.scopeName) && req.operator !== 'Exists') {
      errs.push(field.invalid(`${path}.operator`, req.operator, 'must be \'Exist\' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity'));
    }
    const values = arr(req.values);
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (!values.length) errs.push(field.required(`${path}.values`, 'must be at least one value when `operator` is \'In\' or \'NotIn\' for scope selector'));
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length) errs.push(field.invalid(`${path}.values`, req.values, 'must be no value when `operator` is \'Exist\' or \'DoesNotExist\' for scope selector'));
    } else errs.push(field.invalid(`${path}.operator`, req.operator, 'not a valid selector operator'));
    chosen.add(req.scopeName);
  }
  for (const pair of CONFLICTS) if (pair.every((p) => chosen.has(p))) errs.push(field.invalid(path, selector, 'conflicting scopes'));
  return errs;
}

export function validateResourceQuota(obj: KObject): FieldError[] {
  const spec = obj.spec ?? {};
  if (!isObj(spec)) return [field.invalid('spec', spec, 'must be an object')];
  return [
    ...resourceList('spec.hard', spec.hard),
    ...scopeErrors(spec),
    ...resourceList('status.hard', obj.status?.hard),
    ...resourceList('status.used', obj.status?.used),
  ];
}

function canonicalQuota(obj: KObject): void {
  canonicalizeResourceList(obj.spec?.hard, 'ResourceQuota', 'v1');
  canonicalizeResourceList(obj.status?.hard, 'ResourceQuota', 'v1');
  canonicalizeResourceList(obj.status?.used, 'ResourceQuota', 'v1');
}

export const resourceQuotaStrategy: KindStrategy = {
  generation: false,
  defaults: canonicalQuota,
  prepareForUpdate: canonicalQuota,
  validate: validateResourceQuota,
  validateUpdate: (obj) => validateResourceQuota(obj),
  // Upstream's ValidateResourceQuotaStatusUpdate: the status' resource names and quantities.
  validateStatusUpdate: (obj) => [...resourceList('status.hard', obj.status?.hard), ...resourceList('status.used', obj.status?.used)],
};

// ---- LimitRange ----

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const LIST_FIELDS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;

function limitResourceNameErrors(type: string, path: string, name: string): FieldError[] {
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => field.invalid(path, name, m));
  if (name.includes('/')) return [];
  if (type === 'PersistentVolumeClaim') return name === 'storage' ? [] : [field.invalid(path, name, 'must be a standard limit type or fully qualified')];
  if (CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
  return [field.invalid(path, name, 'must be a standard resource for containers')];
}

const str = (v: string) => canonicalQuantity(v);
/** Resources that cannot be overcommitted: default and defaultRequest must be equal. */
const overcommitAllowed = (n: string) => !n.startsWith('hugepages-') && !n.includes('/');

function limitItemErrors(item: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = item.type;
  if (!LIMIT_TYPES.includes(type)) {
    const msgs = typeof type === 'string' ? isQualifiedName(type) : ['must be a string'];
    if (msgs.length) errs.push(...msgs.map((m) => field.invalid(`${path}.type`, type, m)));
    else if (!type.includes('/')) errs.push(field.invalid(`${path}.type`, type, 'must be a standard limit type or fully qualified'));
  }
  const lists: Record<string, Map<string, string>> = {};
  const keys = new Set<string>();
  for (const f of LIST_FIELDS) {
    lists[f] = new Map();
    const list = item[f];
    if (list === undefined || list === null) continue;
    if (!isObj(list)) { errs.push(field.invalid(`${path}.${f}`, list, 'must be a map of resource names to quantities')); continue; }
    if (type === 'Pod' && (f === 'default' || f === 'defaultRequest')) {
      if (Object.keys(list).length) errs.push(field.forbidden(`${path}.${f}`, 'may not be specified when `type` is \'Pod\''));
      continue;
    }
    for (const [k, v] of Object.entries(list)) {
      errs.push(...limitResourceNameErrors(type, `${path}.${f}[${k}]`, k));
      let milli: bigint;
      try { milli = quantityMilliExact(String(v)); } catch { errs.push(field.invalid(`${path}.${f}[${k}]`, v, 'must be a valid quantity')); continue; }
      // Upstream's validateResourceQuantityValue: never negative.
      if (milli < 0n) { errs.push(field.invalid(`${path}.${f}[${k}]`, v, 'must be greater than or equal to 0')); continue; }
      lists[f].set(k, String(v));
      if (f !== 'default' && f !== 'defaultRequest') keys.add(k);
      else keys.add(k);
    }
  }
  if (type === 'PersistentVolumeClaim' && !lists.min.has('storage') && !lists.max.has('storage')) {
    errs.push(field.required(`${path}.limits`, 'either minimum or maximum storage value is required, but neither was provided'));
  }
  const m = (v: string) => quantityMilliExact(v);
  for (const k of [...keys].sort()) {
    const min = lists.min.get(k), max = lists.max.get(k), def = lists.default.get(k), req = lists.defaultRequest.get(k), ratio = lists.maxLimitRequestRatio.get(k);
    if (min && max && m(min) > m(max)) errs.push(field.invalid(`${path}.min[${k}]`, min, `min value ${str(min)} is greater than max value ${str(max)}`));
    if (req && min && m(min) > m(req)) errs.push(field.invalid(`${path}.defaultRequest[${k}]`, req, `min value ${str(min)} is greater than default request value ${str(req)}`));
    if (req && max && m(req) > m(max)) errs.push(field.invalid(`${path}.defaultRequest[${k}]`, req, `default request value ${str(req)} is greater than max value ${str(max)}`));
    if (req && def && m(req) > m(def)) errs.push(field.invalid(`${path}.defaultRequest[${k}]`, req, `default request value ${str(req)} is greater than default limit value ${str(def)}`));
    if (def && min && m(min) > m(def)) errs.push(field.invalid(`${path}.default[${k}]`, min, `min value ${str(min)} is greater than default value ${str(def)}`));
    if (def && max && m(def) > m(max)) errs.push(field.invalid(`${path}.default[${k}]`, max, `default value ${str(def)} is greater than max value ${str(max)}`));
    if (ratio && m(ratio) < 1000n) errs.push(field.invalid(`${path}.maxLimitRequestRatio[${k}]`, ratio, `ratio ${str(ratio)} is less than 1`));
    if (ratio && min && max && m(min) > 0n) {
      const limit = Number(m(max)) / Number(m(min));
      if (Number(m(ratio)) / 1000 > limit) errs.push(field.invalid(`${path}.maxLimitRequestRatio[${k}]`, ratio, `ratio ${str(ratio)} is greater than max/min = ${limit.toFixed(6)}`));
    }
    if (!overcommitAllowed(k) && def && req && m(def) !== m(req)) {
      errs.push(field.invalid(`${path}.defaultRequest[${k}]`, req, `default value ${str(def)} must equal to defaultRequest value ${str(req)} in ${k}`));
    }
  }
  return errs;
}

export function validateLimitRange(obj: KObject): FieldError[] {
  const spec = obj.spec;
  if (spec !== undefined && !isObj(spec)) return [field.invalid('spec', spec, 'must be an object')];
  const errs: FieldError[] = [];
  const types = new Set<string>();
  arr<Record<string, any>>(spec?.limits).forEach((item, i) => {
    const path = `spec.limits[${i}]`;
    if (!isObj(item)) { errs.push(field.invalid(path, item, 'must be an object')); return; }
    errs.push(...limitItemErrors(item, path));
    if (types.has(item.type)) errs.push(field.duplicate(`${path}.type`, item.type));
    types.add(item.type);
  });
  return errs;
}

function canonicalLimits(obj: KObject): void {
  for (const item of arr<Record<string, any>>(obj.spec?.limits)) {
    if (!isObj(item)) continue;
    for (const f of LIST_FIELDS) canonicalizeResourceList(item[f], 'LimitRange', 'v1');
  }
}

/**
 * Upstream's SetDefaults_LimitRangeItem for Container items: a missing default limit comes from max,
 * a missing default request from the default limit, else from min.
 */
function defaultLimits(obj: KObject): void {
  canonicalLimits(obj);
  for (const item of arr<Record<string, any>>(obj.spec?.limits)) {
    if (!isObj(item) || item.type !== 'Container') continue;
    for (const f of ['max', 'min', 'default', 'defaultRequest']) if (item[f] !== undefined && !isObj(item[f])) return;
    const def = (item.default ??= {});
    const req = (item.defaultRequest ??= {});
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
    if (!Object.keys(def).length) delete item.default;
    if (!Object.keys(req).length) delete item.defaultRequest;
  }
}

export const limitRangeStrategy: KindStrategy = {
  generation: false,
  defaults: defaultLimits,
  prepareForUpdate: defaultLimits,
  validate: validateLimitRange,
  validateUpdate: (obj) => validateLimitRange(obj),
};
