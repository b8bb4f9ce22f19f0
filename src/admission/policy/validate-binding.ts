// ValidatingAdmissionPolicyBinding validation (validateValidatingAdmissionPolicyBindingSpec): policyName,
// paramRef (name xor selector, parameterNotFoundAction), matchResources — reported under upstream's
// misspelt path `spec.matchResouces` — and validationActions.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../registry/validation/names.ts';
import { validateLabelSelector } from '../../registry/validation/selector.ts';
import { validateMatchResources } from './validate-rules.ts';

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const ACTIONS = ['Audit', 'Deny', 'Warn'];
const NOT_FOUND_ACTIONS = ['Deny', 'Allow'];

function validateParamRef(pr: unknown, path: string): FieldError[] {
  if (pr === undefined || pr === null) return [];
  const p = isObj(pr) ? pr : {};
  const errs: FieldError[] = [];
  const name = str(p.name), hasSelector = p.selector !== undefined && p.selector !== null;
  if (name) {
    for (const m of isValidPathSegmentName(name)) errs.push(field.invalid(`${path}.name`, name, m));
    if (hasSelector) errs.push(field.forbidden(`${path}.name`, 'name and selector are mutually exclusive'));
  }
  if (hasSelector) {
    errs.push(...validateLabelSelector(p.selector, `${path}.selector`));
    if (name) errs.push(field.forbidden(`${path}.selector`, 'name and selector are mutually exclusive'));
  }
  if (!name && !hasSelector) errs.push(field.required(path, 'one of name or selector must be specified'));
  const action = p.parameterNotFoundAction;
  if (action === undefined || action === null || action === '') errs.push(field.required(`${path}.parameterNotFoundAction`, ''));
  else if (!NOT_FOUND_ACTIONS.includes(action)) errs.push(field.notSupported(`${path}.parameterNotFoundAction`, action, NOT_FOUND_ACTIONS));
  return errs;
}

function validateActions(va: unknown, path: string): FieldError[] {
  const list = Array.isArray(va) ? va : [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(field.notSupported(`${path}[${i}]`, a, ACTIONS));
    if (seen.has(a)) errs.push(field.duplicate(`${path}[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(field.invalid(path, list, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) errs.push(field.required(path, 'at least one validation action is required'));
  return errs;
}

export function validateBindingSpec(obj: Record<string, any>): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  const policyName = str(spec.policyName);
  if (!policyName) errs.push(field.required('spec.policyName', ''));
  else for (const m of isDNS1123Subdomain(policyName)) errs.push(field.invalid('spec.policyName', policyName, m));
  errs.push(...validateParamRef(spec.paramRef, 'spec.paramRef'));
  errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResouces'));
  errs.push(...validateActions(spec.validationActions, 'spec.validationActions'));
  return errs;
}
