// Validation of admission rules (pkg/apis/admissionregistration/validation: validateRule,
// validateRuleWithOperations, validateNamedRuleWithOperations, validateMatchResources), with
// upstream's field paths and wording.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { isValidPathSegmentName } from '../../registry/validation/names.ts';
import { validateLabelSelector } from '../../registry/validation/selector.ts';
import { goStringSlice } from '../../schema/gofmt.ts';

const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasWildcard = (xs: unknown[]) => xs.includes('*');
/** An invalid []string, printed as Go's %#v prints it. */
const invList = (f: string, v: unknown[], detail: string, goType = 'string'): FieldError =>
  ({ ...field.invalid(f, v, detail), rendered: goStringSlice(v).replace(/^\[\]string/, `[]${goType}`) });

export const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
export const MATCH_POLICIES = ['Equivalent', 'Exact'];

function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(field.required(path, ''));
  const withWildcardSub = new Set<string>(), subWithWildcardRes = new Set<string>();
  let doubleWildcard = false, singleWildcard = false, withoutSub = false;
  resources.forEach((resSub, i) => {
    if (resSub === '') { errs.push(field.required(`${path}[${i}]`, '')); return; }
    if (resSub === '*/*') doubleWildcard = true;
    if (resSub === '*') singleWildcard = true;
    const slash = resSub.indexOf('/');
    if (slash < 0) { withoutSub = resSub !== '*'; return; }
    const res = resSub.slice(0, slash), sub = resSub.slice(slash + 1);
    if (withWildcardSub.has(res)) errs.push(field.invalid(`${path}[${i}]`, resSub, `if '${res}/*' is present, must not specify ${resSub}`));
    if (subWithWildcardRes.has(sub)) errs.push(field.invalid(`${path}[${i}]`, resSub, `if '*/${sub}' is present, must not specify ${resSub}`));
    if (sub === '*') withWildcardSub.add(res);
    if (res === '*') subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(invList(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSub) errs.push(invList(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

function validateRule(rule: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const groups = arr(rule.apiGroups), versions = arr(rule.apiVersions);
  if (groups.length === 0) errs.push(field.required(`${path}.apiGroups`, ''));
  if (groups.length > 1 && hasWildcard(groups)) errs.push(invList(`${path}.apiGroups`, groups, "if '*' is present, must not specify other API groups"));
  if (versions.length === 0) errs.push(field.required(`${path}.apiVersions`, ''));
  if (versions.length > 1 && hasWildcard(versions)) errs.push(invList(`${path}.apiVersions`, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => { if (v === '') errs.push(field.required(`${path}.apiVersions[${i}]`, '')); });
  errs.push(...validateResources(arr(rule.resources).map(String), `${path}.resources`));
  if (rule.scope !== undefined && rule.scope !== null && !SCOPES.includes(rule.scope)) errs.push(field.notSupported(`${path}.scope`, rule.scope, SCOPES));
  return errs;
}

export function validateRuleWithOperations(input: unknown, path: string): FieldError[] {
  const rule: Record<string, any> = isObj(input) ? input : {}; // a null or malformed rule is a rule with nothing set
  const errs: FieldError[] = [];
  const ops = arr(rule.operations);
  if (ops.length === 0) errs.push(field.required(`${path}.operations`, ''));
  if (ops.length > 1 && hasWildcard(ops)) errs.push(invList(`${path}.operations`, ops, "if '*' is present, must not specify other operations", 'admissionregistration.OperationType'));
  ops.forEach((op, i) => { if (!OPERATIONS.includes(op)) errs.push(field.notSupported(`${path}.operations[${i}]`, op, OPERATIONS)); });
  return [...errs, ...validateRule(rule, path)];
}

function validateNamedRule(rule: unknown, path: string): FieldError[] {
  const r = isObj(rule) ? rule : {};
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(r.resourceNames).forEach((n, i) => {
    const name = String(n);
    for (const m of isValidPathSegmentName(name)) errs.push(field.invalid(`${path}.resourceNames[${i}]`, name, m));
    if (seen.has(name)) errs.push(field.duplicate(`${path}.resourceNames[${i}]`, name));
    else seen.add(name);
  });
  return [...errs, ...validateRuleWithOperations(r, path)];
}

/** validateMatchResources: after defaulting, matchPolicy and both selectors are required. */
export function validateMatchResources(mc: unknown, path: string): FieldError[] {
  if (mc === undefined || mc === null) return [];
  const m = isObj(mc) ? mc : {};
  const errs: FieldError[] = [];
  if (m.matchPolicy === undefined || m.matchPolicy === null) errs.push(field.required(`${path}.matchPolicy`, ''));
  else if (!MATCH_POLICIES.includes(m.matchPolicy)) errs.push(field.notSupported(`${path}.matchPolicy`, m.matchPolicy, MATCH_POLICIES));
  for (const k of ['namespaceSelector', 'objectSelector']) {
    if (m[k] === undefined || m[k] === null) errs.push(field.required(`${path}.${k}`, ''));
    else errs.push(...validateLabelSelector(m[k], `${path}.${k}`));
  }
  arr(m.resourceRules).forEach((r, i) => errs.push(...validateNamedRule(r, `${path}.resourceRules[${i}]`)));
  arr(m.excludeResourceRules).forEach((r, i) => errs.push(...validateNamedRule(r, `${path}.excludeResourceRules[${i}]`)));
  return errs;
}
