// MutatingWebhookConfiguration and ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1):
// upstream's defaults (failurePolicy Fail, matchPolicy Equivalent, empty selectors, timeoutSeconds 10,
// reinvocationPolicy Never, rule scope "*", service port 443) and its validation, with its field
// paths and messages (pkg/apis/admissionregistration/validation).
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.ts';
import { lazyModule } from '../../util/lazy-module.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { validateWebhookService, validateWebhookURL } from '../validation/webhook-client.ts';
import type { KindStrategy } from './util.ts';
import { goStringSlice } from '../../schema/gofmt.ts';
// One validation of admission rules for webhooks and ValidatingAdmissionPolicies, as upstream's validateRuleWithOperations.
import { validateRuleWithOperations } from '../../admission/policy/validate-rules.ts';

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
/** An invalid []string, printed as Go's %#v prints it. */
const invList = (f: string, v: unknown[], detail: string): FieldError => ({ ...field.invalid(f, v, detail), rendered: goStringSlice(v) });

function defaults(mutating: boolean) {
  return (obj: KObject): void => {
    for (const w of list(obj.webhooks)) {
      if (!isObj(w)) continue;
      w.failurePolicy ??= 'Fail';
      w.matchPolicy ??= 'Equivalent';
      w.namespaceSelector ??= {};
      w.objectSelector ??= {};
      w.timeoutSeconds ??= 10;
      if (mutating) w.reinvocationPolicy ??= 'Never';
      if (isObj(w.clientConfig?.service)) w.clientConfig.service.port ??= 443;
      for (const r of list(w.rules)) if (isObj(r)) r.scope ??= '*';
    }
  };
}

// CEL loads only when a configuration has matchConditions.
const cel = lazyModule(new URL('../../cel/expression.ts', import.meta.url), () => import('../../cel/expression.ts'));
/** The variables a webhook matchCondition may use. */
export const MATCH_CONDITION_VARS = { object: 'dyn', oldObject: 'dyn', request: 'dyn' };

function validateName(name: unknown, p: string): FieldError[] {
  if (typeof name !== 'string' || !name) return [field.required(p, '')];
  const errs = isDNS1123Subdomain(name).map((m) => field.invalid(p, name, m));
  if (!errs.length && name.split('.').length < 3) errs.push(field.invalid(p, name, 'should be a domain with at least three segments separated by dots'));
  return errs;
}

function validateReviewVersions(versions: unknown, p: string): FieldError[] {
  const vs = list(versions);
  if (!vs.length) return [field.required(p, 'must specify one of v1, v1beta1')];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  vs.forEach((v, i) => {
    if (seen.has(v)) { errs.push(field.invalid(`${p}[${i}]`, v, 'duplicate version')); return; }
    seen.add(v);
    for (const m of isDNS1035Label(String(v))) errs.push(field.invalid(`${p}[${i}]`, v, m));
  });
  if (!vs.some((v) => v === 'v1' || v === 'v1beta1')) errs.push(invList(p, vs, 'must include at least one of v1, v1beta1'));
  return errs;
}

function validateHook(w: any, p: string, mutating: boolean): FieldError[] {
  const errs = validateName(w?.name, `${p}.name`);
  list(w?.rules).forEach((r, i) => errs.push(...validateRuleWithOperations(r, `${p}.rules[${i}]`)));
  if (w.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(w.failurePolicy)) errs.push(field.notSupported(`${p}.failurePolicy`, w.failurePolicy, ['Fail', 'Ignore']));
  if (w.matchPolicy !== undefined && !['Equivalent', 'Exact'].includes(w.matchPolicy)) errs.push(field.notSupported(`${p}.matchPolicy`, w.matchPolicy, ['Equivalent', 'Exact']));
  if (w.sideEffects === undefined || w.sideEffects === null) errs.push(field.required(`${p}.sideEffects`, 'must specify one of None, NoneOnDryRun'));
  else if (!['None', 'NoneOnDryRun'].includes(w.sideEffects)) errs.push(field.notSupported(`${p}.sideEffects`, w.sideEffects, ['None', 'NoneOnDryRun']));
  if (w.timeoutSeconds !== undefined && (typeof w.timeoutSeconds !== 'number' || w.timeoutSeconds > 30 || w.timeoutSeconds < 1)) {
    errs.push(field.invalid(`${p}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  if (w.namespaceSelector !== undefined) errs.push(...validateLabelSelector(w.namespaceSelector, `${p}.namespaceSelector`));
  if (w.objectSelector !== undefined) errs.push(...validateLabelSelector(w.objectSelector, `${p}.objectSelector`));
  if (mutating && w.reinvocationPolicy !== undefined && !['IfNeeded', 'Never'].includes(w.reinvocationPolicy)) {
    errs.push(field.notSupported(`${p}.reinvocationPolicy`, w.reinvocationPolicy, ['IfNeeded', 'Never']));
  }
  const cc = isObj(w.clientConfig) ? w.clientConfig : {};
  const hasURL = cc.url !== undefined && cc.url !== null, hasSvc = isObj(cc.service);
  if (hasURL === hasSvc) errs.push(field.required(`${p}.clientConfig`, 'exactly one of url or service is required'));
  else if (hasURL) errs.push(...validateWebhookURL(`${p}.clientConfig.url`, String(cc.url)));
  else errs.push(...validateWebhookService(`${p}.clientConfig.service`, cc.service));
  const names = new Set<string>();
  list(w.matchConditions).forEach((c, i) => {
    const cp = `${p}.matchConditions[${i}]`;
    if (!isObj(c) || !c.name) errs.push(field.required(`${cp}.name`, ''));
    else if (names.has(c.name)) errs.push(field.duplicate(`${cp}.name`, c.name));
    else {
      names.add(c.name);
      for (const m of isQualifiedName(String(c.name))) errs.push(field.invalid(`${cp}.name`, c.name, m));
    }
    if (!isObj(c) || !c.expression) errs.push(field.required(`${cp}.expression`, ''));
    else if (typeof c.expression !== 'string') errs.push(field.invalid(`${cp}.expression`, c.expression, 'must be a string'));
    else {
      const res = cel.get().compileExpression(c.expression, MATCH_CONDITION_VARS, 'bool');
      if ('error' in res) errs.push(field.invalid(`${cp}.expression`, c.expression, res.error));
    }
  });
  if (list(w.matchConditions).length > 64) errs.push(field.tooMany(`${p}.matchConditions`, 64));
  return errs;
}

function validate(mutating: boolean) {
  return (obj: KObject): FieldError[] => {
    const errs: FieldError[] = [];
    const names = new Set<string>();
    list(obj.webhooks).forEach((w, i) => {
      const p = `webhooks[${i}]`;
      if (!isObj(w)) { errs.push(field.invalid(p, w, 'must be an object')); return; }
      errs.push(...validateHook(w, p, mutating), ...validateReviewVersions(w.admissionReviewVersions, `${p}.admissionReviewVersions`));
      if (typeof w.name === 'string' && w.name) {
        if (names.has(w.name)) errs.push(field.duplicate(`${p}.name`, w.name));
        names.add(w.name);
      }
    });
    return errs;
  };
}

export const mutatingWebhookConfigurationStrategy: KindStrategy = {
  prepareForCreate: defaults(true),
  prepareForUpdate: defaults(true),
  validate: validate(true),
};

export const validatingWebhookConfigurationStrategy: KindStrategy = {
  prepareForCreate: defaults(false),
  prepareForUpdate: defaults(false),
  validate: validate(false),
};
