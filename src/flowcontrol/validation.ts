// Validation of FlowSchema and PriorityLevelConfiguration, as upstream's pkg/apis/flowcontrol/validation:
// the same rules, messages and field paths. Types are already checked by the schema engine; these
// functions still tolerate anything (a missing list is an empty one).
import { field } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import type { KObject } from '../registry/strategy.ts';
import { isDNS1123Label, isDNS1123Subdomain } from '../registry/validation/names.ts';
import { mandatoryLevel, mandatorySchema } from './bootstrap.ts';
import { defaultFlowSchema, defaultPriorityLevel, semanticEqual } from './defaults.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'proxy', 'update', 'watch'];
const SUBJECT_KINDS = ['Group', 'ServiceAccount', 'User'];
const MAX_QUEUES = 10_000_000;
const MAX_HASH_BITS = 60;
const PRESERVE_ZERO = 'flowcontrol.apiserver.k8s.io/v1beta3-preserve-zero-concurrency-shares';

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => list(v).map((x) => (typeof x === 'string' ? x : String(x)));
/** Go's %#v of a []string, as field errors print list values. */
const goStrings = (v: string[]) => `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;
const listErr = (path: string, v: string[], detail: string): FieldError => ({ ...field.invalid(path, v, detail), rendered: goStrings(v) });

// ---- FlowSchema ----

export function validateFlowSchema(obj: KObject): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const name = obj.metadata?.name ?? '';
  const errs = validateFlowSchemaSpec(name, spec);
  const mand = mandatorySchema(name);
  if (mand) {
    const want = structuredClone(mand);
    defaultFlowSchema(want);
    if (!semanticEqual(spec, want.spec)) errs.push({ ...field.invalid('spec', spec, `spec of '${name}' must equal the fixed value`), rendered: 'flowcontrol.FlowSchemaSpec{...}' });
  }
  return errs.concat(validateConditions(obj.status));
}

export const validateFlowSchemaStatus = (obj: KObject): FieldError[] => validateConditions(obj.status);

function validateFlowSchemaSpec(name: string, spec: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const mp = typeof spec.matchingPrecedence === 'number' ? spec.matchingPrecedence : 0;
  if (mp <= 0) errs.push(field.invalid('spec.matchingPrecedence', mp, 'must be a positive value'));
  if (mp > 10000) errs.push(field.invalid('spec.matchingPrecedence', mp, 'must not be greater than 10000'));
  if (mp === 1 && name !== 'exempt') errs.push(field.invalid('spec.matchingPrecedence', mp, "only the schema named 'exempt' may have matchingPrecedence 1"));
  if (isObj(spec.distinguisherMethod)) {
    const t = spec.distinguisherMethod.type ?? '';
    if (t !== 'ByNamespace' && t !== 'ByUser') {
      errs.push({ ...field.notSupported('spec.distinguisherMethod.type', t, ['ByNamespace', 'ByUser']), rendered: `&flowcontrol.FlowDistinguisherMethod{Type:${JSON.stringify(String(t))}}` });
    }
  }
  const plName = typeof spec.priorityLevelConfiguration?.name === 'string' ? spec.priorityLevelConfiguration.name : '';
  if (plName) for (const m of isDNS1123Subdomain(plName)) errs.push(field.invalid('spec.priorityLevelConfiguration.name', plName, m));
  else errs.push(field.required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  list(spec.rules).forEach((r, i) => errs.push(...validateRule(isObj(r) ? r : {}, `spec.rules[${i}]`)));
  return errs;
}

function validateRule(rule: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const subjects = list(rule.subjects);
  if (subjects.length) subjects.forEach((s, i) => errs.push(...validateSubject(isObj(s) ? s : {}, `${path}.subjects[${i}]`)));
  else errs.push(field.required(`${path}.subjects`, 'subjects must contain at least one value'));
  const rr = list(rule.resourceRules), nr = list(rule.nonResourceRules);
  if (!rr.length && !nr.length) errs.push(field.required(path, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
  rr.forEach((r, i) => errs.push(...validateResourceRule(isObj(r) ? r : {}, `${path}.resourceRules[${i}]`)));
  nr.forEach((r, i) => errs.push(...validateNonResourceRule(isObj(r) ? r : {}, `${path}.nonResourceRules[${i}]`)));
  return errs;
}

const FORBIDDEN_MEMBER: Record<string, [string, string]> = {
  user: ['user', "user is forbidden when subject kind is not 'User'"],
  group: ['group', "group is forbidden when subject kind is not 'Group'"],
  serviceAccount: ['serviceAccount', "serviceAccount is forbidden when subject kind is not 'ServiceAccount'"],
};
const MEMBER_OF: Record<string, string> = { User: 'user', Group: 'group', ServiceAccount: 'serviceAccount' };

function validateSubject(s: Record<string, any>, path: string): FieldError[] {
  const member = MEMBER_OF[s.kind];
  if (!member) return [field.notSupported(`${path}.kind`, s.kind ?? '', SUBJECT_KINDS)];
  const errs: FieldError[] = [];
  const v = s[member];
  if (!isObj(v)) errs.push(field.required(`${path}.${member}`, `${member} is required when subject kind is '${s.kind}'`));
  else if (member === 'serviceAccount') errs.push(...validateServiceAccount(v, `${path}.serviceAccount`));
  else if (!v.name) errs.push(field.required(`${path}.${member}.name`, ''));
  for (const other of ['serviceAccount', 'user', 'group']) {
    if (other !== member && s[other] !== undefined && s[other] !== null) errs.push(field.forbidden(`${path}.${FORBIDDEN_MEMBER[other][0]}`, FORBIDDEN_MEMBER[other][1]));
  }
  return errs;
}

function validateServiceAccount(sa: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof sa.name === 'string' ? sa.name : '';
  if (!name) errs.push(field.required(`${path}.name`, ''));
  else if (name !== '*') for (const m of isDNS1123Subdomain(name)) errs.push(field.invalid(`${path}.name`, name, m));
  const ns = typeof sa.namespace === 'string' ? sa.namespace : '';
  if (ns) for (const m of isDNS1123Label(ns)) errs.push(field.invalid(`${path}.namespace`, ns, m));
  else errs.push(field.required(`${path}.namespace`, 'must specify namespace for service account'));
  return errs;
}

function validateVerbs(verbs: string[], path: string): FieldError[] {
  if (!verbs.length) return [field.required(`${path}.verbs`, 'verbs must contain at least one value')];
  if (verbs.includes('*')) return verbs.length > 1 ? [listErr(`${path}.verbs`, verbs, "if '*' is present, must not specify other verbs")] : [];
  if (verbs.some((v) => !VERBS.includes(v))) return [{ ...field.notSupported(`${path}.verbs`, verbs, VERBS), rendered: goStrings(verbs) }];
  return [];
}

function validateNonResourceRule(rule: Record<string, any>, path: string): FieldError[] {
  const errs = validateVerbs(strs(rule.verbs), path);
  const urls = strs(rule.nonResourceURLs);
  if (!urls.length) errs.push(field.required(`${path}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
  else if (urls.includes('*')) {
    if (urls.length > 1) errs.push(listErr(`${path}.nonResourceURLs`, urls, "if '*' is present, must not specify other non-resource URLs"));
  } else urls.forEach((u, i) => { const e = validateNonResourceURL(u, `${path}.nonResourceURLs[${i}]`); if (e) errs.push(e); });
  return errs;
}

function validateNonResourceURL(p: string, path: string): FieldError | undefined {
  if (!p) return field.invalid(path, p, 'must not be empty');
  if (p === '/') return undefined;
  if (!p.startsWith('/')) return field.invalid(path, p, 'must start with slash');
  if (p.includes(' ')) return field.invalid(path, p, 'must not contain white-space');
  if (p.includes('//')) return field.invalid(path, p, 'must not contain double slash');
  const stars = p.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !p.endsWith('/*'))) return field.invalid(path, p, 'wildcard can only do suffix matching');
  return undefined;
}

function validateResourceRule(rule: Record<string, any>, path: string): FieldError[] {
  const errs = validateVerbs(strs(rule.verbs), path);
  const groups = strs(rule.apiGroups), resources = strs(rule.resources), namespaces = strs(rule.namespaces);
  if (!groups.length) errs.push(field.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  else if (groups.length > 1 && groups.includes('*')) errs.push(listErr(`${path}.apiGroups`, groups, "if '*' is present, must not specify other api groups"));
  if (!resources.length) errs.push(field.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  else if (resources.length > 1 && resources.includes('*')) errs.push(listErr(`${path}.resources`, resources, "if '*' is present, must not specify other resources"));
  if (!namespaces.length && rule.clusterScope !== true) {
    errs.push(field.required(`${path}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
  } else if (namespaces.includes('*')) {
    if (namespaces.length > 1) errs.push(listErr(`${path}.namespaces`, namespaces, "if '*' is present, must not specify other namespaces"));
  } else {
    namespaces.forEach((ns, i) => {
      for (const m of isDNS1123Label(ns)) errs.push(field.invalid(`${path}.namespaces[${i}]`, ns, `each member of this list must be '*' or a DNS-1123 label; ${m}`));
    });
  }
  return errs;
}

function validateConditions(status: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  list(isObj(status) ? status.conditions : undefined).forEach((c, i) => {
    const type = isObj(c) && typeof c.type === 'string' ? c.type : '';
    if (seen.has(type)) errs.push(field.duplicate(`status.conditions[${i}].type`, type));
    seen.add(type);
    if (!type) errs.push(field.required(`status.conditions[${i}].type`, 'must not be empty'));
  });
  return errs;
}

// ---- PriorityLevelConfiguration ----

export function validatePriorityLevel(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata?.name ?? '';
  if (isObj(obj.metadata?.annotations) && PRESERVE_ZERO in obj.metadata.annotations) {
    errs.push(field.forbidden('metadata.annotations', `annotation '${PRESERVE_ZERO}' is forbidden`));
  }
  const spec = isObj(obj.spec) ? obj.spec : {};
  errs.push(...validateLevelSpec(name, spec));
  const mand = mandatoryLevel(name);
  if (mand) {
    const want = structuredClone(mand);
    defaultPriorityLevel(want);
    const have = structuredClone(spec);
    if (name === 'exempt') have.exempt = want.spec.exempt;
    const detail = name === 'exempt' ? `spec of '${name}' except the 'spec.exempt' field must equal the fixed value` : `spec of '${name}' must equal the fixed value`;
    if (!semanticEqual(have, want.spec)) errs.push({ ...field.invalid('spec', spec, detail), rendered: 'flowcontrol.PriorityLevelConfigurationSpec{...}' });
  }
  return errs.concat(validateConditions(obj.status));
}

export const validatePriorityLevelStatus = (obj: KObject): FieldError[] => validateConditions(obj.status);

function validateLevelSpec(name: string, spec: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type ?? '';
  if ((name === 'exempt') !== (type === 'Exempt')) errs.push(field.invalid('spec.type', type, "type must be 'Exempt' if and only if name is 'exempt'"));
  if (type === 'Exempt') {
    if (spec.limited !== undefined && spec.limited !== null) errs.push(field.forbidden('spec.limited', 'must be nil if the type is not Limited'));
    if (isObj(spec.exempt)) {
      const e = spec.exempt;
      if (typeof e.nominalConcurrencyShares === 'number' && e.nominalConcurrencyShares < 0) errs.push(field.invalid('spec.exempt.nominalConcurrencyShares', e.nominalConcurrencyShares, 'must be a non-negative integer'));
      if (typeof e.lendablePercent === 'number' && !(e.lendablePercent >= 0 && e.lendablePercent <= 100)) errs.push(field.invalid('spec.exempt.lendablePercent', e.lendablePercent, 'must be between 0 and 100, inclusive'));
    }
  } else if (type === 'Limited') {
    if (spec.exempt !== undefined && spec.exempt !== null) errs.push(field.forbidden('spec.exempt', 'must be nil if the type is Limited'));
    if (!isObj(spec.limited)) errs.push(field.required('spec.limited', 'must not be empty when type is Limited'));
    else errs.push(...validateLimited(spec.limited));
  } else {
    errs.push(field.notSupported('spec.type', type, ['Exempt', 'Limited']));
  }
  return errs;
}

function validateLimited(l: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  const ncs = typeof l.nominalConcurrencyShares === 'number' ? l.nominalConcurrencyShares : 0;
  if (ncs < 0) errs.push(field.invalid('spec.limited.nominalConcurrencyShares', ncs, 'must be a non-negative integer'));
  errs.push(...validateLimitResponse(isObj(l.limitResponse) ? l.limitResponse : {}));
  if (typeof l.lendablePercent === 'number' && !(l.lendablePercent >= 0 && l.lendablePercent <= 100)) errs.push(field.invalid('spec.limited.lendablePercent', l.lendablePercent, 'must be between 0 and 100, inclusive'));
  if (typeof l.borrowingLimitPercent === 'number' && l.borrowingLimitPercent < 0) errs.push(field.invalid('spec.limited.borrowingLimitPercent', l.borrowingLimitPercent, 'if specified, must be a non-negative integer'));
  return errs;
}

function validateLimitResponse(lr: Record<string, any>): FieldError[] {
  const path = 'spec.limited.limitResponse';
  const type = lr.type ?? '';
  if (type === 'Reject') return isObj(lr.queuing) ? [field.forbidden(`${path}.queuing`, 'must be nil if limited.limitResponse.type is not Limited')] : [];
  if (type === 'Queue') return isObj(lr.queuing) ? validateQueuing(lr.queuing, `${path}.queuing`) : [field.required(`${path}.queuing`, 'must not be empty if limited.limitResponse.type is Limited')];
  return [field.notSupported(`${path}.type`, type, ['Queue', 'Reject'])];
}

/** shufflesharding.RequiredEntropyBits: the hash bits a hand of handSize cards from a deck needs. */
export const requiredEntropyBits = (deckSize: number, handSize: number) => Math.ceil(Math.log2(deckSize) * handSize);

function validateQueuing(q: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const qll = num(q.queueLengthLimit), queues = num(q.queues), hand = num(q.handSize);
  if (qll <= 0) errs.push(field.invalid(`${path}.queueLengthLimit`, qll, 'must be positive'));
  if (queues <= 0) errs.push(field.invalid(`${path}.queues`, queues, 'must be positive'));
  else if (queues > MAX_QUEUES) errs.push(field.invalid(`${path}.queues`, queues, `must not be greater than ${MAX_QUEUES}`));
  if (hand <= 0) errs.push(field.invalid(`${path}.handSize`, hand, 'must be positive'));
  else if (hand > queues) errs.push(field.invalid(`${path}.handSize`, hand, `should not be greater than queues (${queues})`));
  else if (requiredEntropyBits(queues, hand) > MAX_HASH_BITS) {
    errs.push(field.invalid(`${path}.handSize`, hand, `required entropy bits of deckSize ${queues} and handSize ${hand} should not be greater than ${MAX_HASH_BITS}`));
  }
  return errs;
}
