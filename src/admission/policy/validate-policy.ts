// ValidatingAdmissionPolicy validation (pkg/apis/admissionregistration/validation
// validateValidatingAdmissionPolicySpec): required fields after defaulting, paramKind, match
// constraints, and every CEL expression compiled as upstream compiles it, its errors reported at the
// expression's field path with cel-go's wording. On update, match conditions that have not changed
// (nor the paramKind) are not compiled again.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { AdmissionCompiler } from '../../cel/admission.ts';
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName } from '../../registry/validation/names.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { validateMatchResources } from './validate-rules.ts';
import { BOOL, STRING, STRING_OR_NULL, policyCompiler } from './compile.ts';

const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const FAILURE_POLICIES = ['Fail', 'Ignore'];
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_VALUE_EXPRESSION = 5 * 1024;
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

export function isCelIdentifier(s: string): boolean {
  return /^[_a-zA-Z][_a-zA-Z0-9]*$/.test(s) && !CEL_RESERVED.has(s);
}

/** An expression's compile error as the field error upstream reports (Invalid, with the expression as value). */
function celError(c: AdmissionCompiler, src: string, types: string[] | undefined, path: string, opts?: { hasParams: boolean; hasAuthorizer: boolean }): FieldError[] {
  const r = c.check(src, types, opts);
  return 'error' in r ? [field.invalid(path, src, r.error)] : [];
}

function validateParamKind(pk: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = str(pk.apiVersion), kind = str(pk.kind);
  if (!apiVersion) errs.push(field.required(`${path}.apiVersion`, ''));
  else {
    const slashes = apiVersion.split('/').length - 1;
    if (slashes > 1) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
    else if (apiVersion !== '/') {
      const [group, version] = slashes === 0 ? ['', apiVersion] : apiVersion.split('/');
      if (group) { const m = isDNS1123Subdomain(group); if (m.length) errs.push(field.invalid(`${path}.apiVersion`, group, m.join(','))); }
      if (!version) errs.push(field.invalid(`${path}.apiVersion`, apiVersion, 'version must be specified'));
      else { const m = isDNS1035Label(version); if (m.length) errs.push(field.invalid(`${path}.apiVersion`, version, m.join(','))); }
    }
  }
  if (!kind) errs.push(field.required(`${path}.kind`, ''));
  else { const m = isDNS1035Label(kind.toLowerCase()); if (m.length) errs.push(field.invalid(`${path}.kind`, kind, `may have mixed case, but should otherwise match: ${m.join(',')}`)); }
  return errs;
}

/** validateMatchConditions (shared with webhooks' rules): at most 64, named, compiled without variables. */
export function validateMatchConditions(mcs: unknown, hasParams: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(mcs);
  if (list.length > 64) errs.push({ type: 'FieldValueTooMany', field: path, value: list.length, detail: 'must have at most 64 items' });
  const names = new Set<string>();
  const c = new AdmissionCompiler({ hasParams, hasAuthorizer: true }, false);
  list.forEach((m, i) => {
    const mc = isObj(m) ? m : {};
    const p = `${path}[${i}]`;
    const expr = str(mc.expression).trim();
    if (!expr) errs.push(field.required(`${p}.expression`, ''));
    else errs.push(...celError(c, expr, BOOL, `${p}.expression`));
    const name = str(mc.name);
    if (!name) errs.push(field.required(`${p}.name`, ''));
    else for (const msg of isQualifiedName(name)) errs.push(field.invalid(`${p}.name`, name, msg));
    if (name) {
      if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      else names.add(name);
    }
  });
  return errs;
}

function validateValidation(c: AdmissionCompiler, v: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const expression = str(v.expression), message = str(v.message), messageExpression = str(v.messageExpression);
  if (!expression.trim()) errs.push(field.required(`${path}.expression`, 'expression is not specified'));
  else errs.push(...celError(c, expression, BOOL, `${path}.expression`));
  if (messageExpression.length > 0 && !messageExpression.trim()) errs.push(field.invalid(`${path}.messageExpression`, messageExpression, 'must be non-empty if specified'));
  else if (messageExpression.trim()) errs.push(...celError(c, messageExpression, STRING, `${path}.messageExpression`, { hasParams: c.hasParams, hasAuthorizer: false }));
  if (message.length > 0 && !message.trim()) errs.push(field.invalid(`${path}.message`, message, 'message must be non-empty if specified'));
  else if (/[\n\r]/.test(message.trim())) errs.push(field.invalid(`${path}.message`, message, 'message must not contain line breaks'));
  if (v.reason !== undefined && v.reason !== null && !REASONS.includes(v.reason)) errs.push(field.notSupported(`${path}.reason`, v.reason, REASONS));
  return errs;
}

function validateVariable(c: AdmissionCompiler, v: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(v.name), expression = str(v.expression);
  if (!name.trim()) errs.push(field.required(`${path}.name`, 'name is not specified'));
  else if (!isCelIdentifier(name)) errs.push(field.invalid(`${path}.name`, name, 'name is not a valid CEL identifier'));
  if (!expression.trim()) errs.push(field.required(`${path}.expression`, 'expression is not specified'));
  else {
    const cv = c.addVariable(name, expression);
    if (cv.error) errs.push(field.invalid(`${path}.expression`, expression, cv.error));
  }
  return errs;
}

function validateAuditAnnotation(c: AdmissionCompiler, policyName: string, a: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const key = str(a.key), valueExpression = str(a.valueExpression);
  if (policyName) for (const m of isQualifiedName(`${policyName}/${key}`)) errs.push(field.invalid(`${path}.key`, `${policyName}/${key}`, m));
  else errs.push(field.invalid(`${path}.key`, key, 'requires metadata.name be non-empty'));
  const trimmed = valueExpression.trim();
  if (!trimmed) errs.push(field.required(`${path}.valueExpression`, 'valueExpression is not specified'));
  else if (trimmed.length > MAX_VALUE_EXPRESSION) errs.push(field.required(`${path}.valueExpression`, `must not exceed ${MAX_VALUE_EXPRESSION} bytes in length`));
  else {
    const r = c.check(trimmed, STRING_OR_NULL);
    if ('error' in r) errs.push(field.invalid(`${path}.valueExpression`, valueExpression, r.error));
  }
  return errs;
}

export function validatePolicySpec(obj: Record<string, any>, old?: Record<string, any>): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const errs: FieldError[] = [];
  const c = policyCompiler(obj as never);
  if (spec.failurePolicy === undefined || spec.failurePolicy === null) errs.push(field.required('spec.failurePolicy', ''));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(field.notSupported('spec.failurePolicy', spec.failurePolicy, FAILURE_POLICIES));
  if (isObj(spec.paramKind)) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (!isObj(spec.matchConstraints)) errs.push(field.required('spec.matchConstraints', ''));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    if (arr(spec.matchConstraints.resourceRules).length === 0) errs.push(field.required('spec.matchConstraints.resourceRules', ''));
  }
  const oldSpec = old && isObj(old.spec) ? old.spec : undefined;
  const unchangedConditions = oldSpec && deepEqual(spec.paramKind ?? null, oldSpec.paramKind ?? null) && deepEqual(spec.matchConditions ?? null, oldSpec.matchConditions ?? null);
  if (!unchangedConditions) errs.push(...validateMatchConditions(spec.matchConditions, isObj(spec.paramKind), 'spec.matchConditions'));
  arr(spec.variables).forEach((v, i) => errs.push(...validateVariable(c, isObj(v) ? v : {}, `spec.variables[${i}]`)));
  const validations = arr(spec.validations), audits = arr(spec.auditAnnotations);
  if (validations.length === 0 && audits.length === 0) {
    errs.push(field.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    errs.push(field.required('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
    return errs;
  }
  validations.forEach((v, i) => errs.push(...validateValidation(c, isObj(v) ? v : {}, `spec.validations[${i}]`)));
  if (audits.length > MAX_AUDIT_ANNOTATIONS) errs.push(field.invalid('spec.auditAnnotations', audits, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
  const keys = new Set<string>();
  audits.forEach((a, i) => {
    const aa = isObj(a) ? a : {};
    errs.push(...validateAuditAnnotation(c, str(obj.metadata?.name), aa, `spec.auditAnnotations[${i}]`));
    if (keys.has(str(aa.key))) errs.push(field.duplicate(`spec.auditAnnotations[${i}].key`, str(aa.key)));
    keys.add(str(aa.key));
  });
  return errs;
}

/** validateValidatingAdmissionPolicyStatus: expression warnings need a warning and a fieldRef. */
export function validatePolicyStatus(obj: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const tc = isObj(obj.status) && isObj(obj.status.typeChecking) ? obj.status.typeChecking : undefined;
  arr(tc?.expressionWarnings).forEach((w, i) => {
    const p = `status.typeChecking.expressionWarnings[${i}]`;
    if (!str(w?.warning)) errs.push(field.required(`${p}.warning`, ''));
    if (!str(w?.fieldRef).trim()) errs.push(field.required(`${p}.fieldRef`, ''));
  });
  return errs;
}
