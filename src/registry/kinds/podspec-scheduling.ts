// The pod spec's scheduling fields: affinity, topologySpreadConstraints and tolerations, checked
// as upstream's pkg/apis/core/validation does (validateAffinity, validateTopologySpreadConstraints,
// ValidateTolerations), with its field paths and messages. Anything malformed is reported here
// so that it never reaches the scheduler.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { check } from '../validation/common.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../validation/names.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { isObj } from './util.ts';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const SCHEDULE_ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];
const NODE_INCLUSION_POLICIES = ['Honor', 'Ignore'];
const WEIGHT_RANGE = 'must be in the range 1-100';

const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const str = (v: unknown): string => (typeof v === 'string' ? v : isSet(v) ? String(v) : '');

/** A list field: absent is fine; anything other than a list is one Invalid error. */
function list(v: unknown, path: string, errs: FieldError[]): unknown[] {
  if (!isSet(v)) return [];
  if (Array.isArray(v)) return v;
  errs.push(field.invalid(path, v, 'must be a list'));
  return [];
}

/** A struct field: absent gives {}; anything other than an object is one Invalid error (and null). */
function struct(v: unknown, path: string, errs: FieldError[]): Record<string, any> | null {
  if (!isSet(v)) return {};
  if (isObj(v)) return v;
  errs.push(field.invalid(path, v, 'must be an object'));
  return null;
}

/** Upstream's ValidateLabelName: a qualified name (a non-string is reported as its text). */
const labelName = (path: string, v: unknown): FieldError[] =>
  typeof v === 'string' || !isSet(v) ? check(path, str(v), isQualifiedName) : [field.invalid(path, v, 'must be a string')];

function labelValue(path: string, v: unknown): FieldError[] {
  if (typeof v !== 'string') return [field.invalid(path, v ?? null, 'must be a string')];
  return isValidLabelValue(v).map((m) => field.invalid(path, v, m));
}

function weight(path: string, v: unknown): FieldError[] {
  const w = isSet(v) ? v : 0;
  return Number.isInteger(w) && (w as number) >= 1 && (w as number) <= 100 ? [] : [field.invalid(path, w, WEIGHT_RANGE)];
}

// ---- node affinity ---------------------------------------------------------------------------

function nodeSelectorRequirement(r: unknown, path: string, allowInvalidValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rq = struct(r, path, errs);
  if (!rq) return errs;
  const values = list(rq.values, `${path}.values`, errs);
  switch (rq.operator) {
    case 'In': case 'NotIn':
      if (values.length === 0) errs.push(field.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) errs.push(field.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) errs.push(field.required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(field.invalid(`${path}.operator`, rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...labelName(`${path}.key`, rq.key));
  if (!allowInvalidValues) values.forEach((v, i) => errs.push(...labelValue(`${path}.values[${i}]`, v)));
  return errs;
}

/** matchFields: only metadata.name, with exactly one node name. */
function nodeFieldSelectorRequirement(r: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rq = struct(r, path, errs);
  if (!rq) return errs;
  const values = list(rq.values, `${path}.values`, errs);
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if (values.length !== 1) errs.push(field.required(`${path}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(field.invalid(`${path}.operator`, rq.operator ?? '', 'not a valid selector operator'));
  }
  if (rq.key !== 'metadata.name') errs.push(field.invalid(`${path}.key`, rq.key ?? '', 'not a valid field selector key'));
  else values.forEach((v, i) => errs.push(...(typeof v === 'string' ? check(`${path}.values[${i}]`, v, isDNS1123Subdomain) : [field.invalid(`${path}.values[${i}]`, v, 'must be a string')])));
  return errs;
}

function nodeSelectorTerm(t: unknown, path: string, allowInvalidValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const term = struct(t, path, errs);
  if (!term) return errs;
  list(term.matchExpressions, `${path}.matchExpressions`, errs).forEach((r, j) => errs.push(...nodeSelectorRequirement(r, `${path}.matchExpressions[${j}]`, allowInvalidValues)));
  list(term.matchFields, `${path}.matchFields`, errs).forEach((r, j) => errs.push(...nodeFieldSelectorRequirement(r, `${path}.matchFields[${j}]`)));
  return errs;
}

/** Upstream's ValidateNodeSelector (a required node affinity). */
export function validateNodeSelector(ns: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = struct(ns, path, errs);
  if (!sel) return errs;
  const termsPath = `${path}.nodeSelectorTerms`;
  const terms = list(sel.nodeSelectorTerms, termsPath, errs);
  if (errs.length) return errs;
  if (terms.length === 0) return [field.required(termsPath, 'must have at least one node selector term')];
  terms.forEach((t, i) => errs.push(...nodeSelectorTerm(t, `${termsPath}[${i}]`, false)));
  return errs;
}

function validateNodeAffinity(na: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(na.requiredDuringSchedulingIgnoredDuringExecution)) {
    errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, `${path}.requiredDuringSchedulingIgnoredDuringExecution`));
  }
  const pp = `${path}.preferredDuringSchedulingIgnoredDuringExecution`;
  list(na.preferredDuringSchedulingIgnoredDuringExecution, pp, errs).forEach((t, i) => {
    const term = struct(t, `${pp}[${i}]`, errs);
    if (!term) return;
    errs.push(...weight(`${pp}[${i}].weight`, term.weight));
    // Preferred terms may carry invalid label values: they can still succeed on a one-node cluster.
    errs.push(...nodeSelectorTerm(term.preference, `${pp}[${i}].preference`, true));
  });
  return errs;
}

// ---- pod affinity ----------------------------------------------------------------------------

const selectorKeys = (sel: Record<string, any>) => [
  ...(isObj(sel.matchLabels) ? Object.keys(sel.matchLabels) : []),
  ...(Array.isArray(sel.matchExpressions) ? sel.matchExpressions.map((e: any) => e?.key) : []),
];

function labelKeys(keys: unknown[], path: string, selector: unknown): FieldError[] {
  if (keys.length === 0) return [];
  if (!isSet(selector)) return [field.forbidden(path, 'must not be specified when labelSelector is not set')];
  return keys.flatMap((k, i) => labelName(`${path}[${i}]`, k));
}

/** Upstream's validateMatchLabelKeysAndMismatchLabelKeys for one pod affinity term. */
function matchLabelKeys(term: Record<string, any>, path: string, errs: FieldError[]): void {
  const match = list(term.matchLabelKeys, `${path}.matchLabelKeys`, errs);
  const mismatch = list(term.mismatchLabelKeys, `${path}.mismatchLabelKeys`, errs);
  errs.push(...labelKeys(match, `${path}.matchLabelKeys`, term.labelSelector));
  errs.push(...labelKeys(mismatch, `${path}.mismatchLabelKeys`, term.labelSelector));
  if (isObj(term.labelSelector)) {
    // A matchLabelKeys key that the selector already constrains (its matchLabels or an earlier
    // expression) and that an expression names again. Upstream reports it at the term's index.
    const index = new Map(match.map((k, i) => [k, i]));
    const seen = new Set<unknown>(isObj(term.labelSelector.matchLabels) ? Object.keys(term.labelSelector.matchLabels) : []);
    for (const e of Array.isArray(term.labelSelector.matchExpressions) ? term.labelSelector.matchExpressions : []) {
      const k = e?.key;
      if (index.has(k) && seen.has(k)) errs.push(field.invalid(`${path}[${index.get(k)}]`, k, 'exists in both matchLabelKeys and labelSelector'));
      seen.add(k);
    }
  }
  const mis = new Set(mismatch);
  match.forEach((k, i) => { if (mis.has(k)) errs.push(field.invalid(`${path}.matchLabelKeys[${i}]`, k, 'exists in both matchLabelKeys and mismatchLabelKeys')); });
}

function podAffinityTerm(t: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const term = struct(t, path, errs);
  if (!term) return errs;
  errs.push(...validateLabelSelector(term.labelSelector, `${path}.labelSelector`));
  errs.push(...validateLabelSelector(term.namespaceSelector, `${path}.namespaceSelector`));
  // Upstream names the list `namespace` in these errors.
  for (const n of list(term.namespaces, `${path}.namespaces`, errs)) {
    errs.push(...(typeof n === 'string' ? check(`${path}.namespace`, n, isDNS1123Label) : [field.invalid(`${path}.namespace`, n, 'must be a string')]));
  }
  matchLabelKeys(term, path, errs);
  if (!str(term.topologyKey)) errs.push(field.required(`${path}.topologyKey`, 'can not be empty'));
  errs.push(...labelName(`${path}.topologyKey`, term.topologyKey));
  return errs;
}

function podAffinityTerms(v: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rp = `${path}.requiredDuringSchedulingIgnoredDuringExecution`;
  list(v.requiredDuringSchedulingIgnoredDuringExecution, rp, errs).forEach((t, i) => errs.push(...podAffinityTerm(t, `${rp}[${i}]`)));
  const pp = `${path}.preferredDuringSchedulingIgnoredDuringExecution`;
  list(v.preferredDuringSchedulingIgnoredDuringExecution, pp, errs).forEach((t, j) => {
    const wt = struct(t, `${pp}[${j}]`, errs);
    if (!wt) return;
    errs.push(...weight(`${pp}[${j}].weight`, wt.weight));
    errs.push(...podAffinityTerm(wt.podAffinityTerm, `${pp}[${j}].podAffinityTerm`));
  });
  return errs;
}

export function validateAffinity(a: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const aff = struct(a, path, errs);
  if (!aff) return errs;
  const part = (name: string, fn: (v: Record<string, any>, p: string) => FieldError[]) => {
    if (!isSet(aff[name])) return;
    const v = struct(aff[name], `${path}.${name}`, errs);
    if (v) errs.push(...fn(v, `${path}.${name}`));
  };
  part('nodeAffinity', validateNodeAffinity);
  part('podAffinity', podAffinityTerms);
  part('podAntiAffinity', podAffinityTerms);
  return errs;
}

// ---- topology spread constraints -------------------------------------------------------------

function spreadMatchLabelKeys(c: Record<string, any>, path: string, errs: FieldError[]): void {
  const keys = list(c.matchLabelKeys, path, errs);
  if (keys.length === 0) return;
  const sel = isObj(c.labelSelector) ? new Set(selectorKeys(c.labelSelector)) : new Set<unknown>();
  if (!isSet(c.labelSelector)) errs.push(field.forbidden(path, 'must not be specified when labelSelector is not set'));
  keys.forEach((k, i) => {
    errs.push(...labelName(`${path}[${i}]`, k));
    if (sel.has(k)) errs.push(field.invalid(`${path}[${i}]`, k, 'exists in both matchLabelKeys and labelSelector'));
  });
}

export function validateTopologySpreadConstraints(v: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const all = list(v, path, errs);
  all.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const c = struct(raw, p, errs);
    if (!c) return;
    const maxSkew = isSet(c.maxSkew) ? c.maxSkew : 0;
    if (!(Number.isInteger(maxSkew) && maxSkew > 0)) errs.push(field.invalid(`${p}.maxSkew`, maxSkew, 'must be greater than zero'));
    if (!str(c.topologyKey)) errs.push(field.required(`${p}.topologyKey`, 'can not be empty'));
    else if (typeof c.topologyKey !== 'string') errs.push(field.invalid(`${p}.topologyKey`, c.topologyKey, 'must be a string'));
    const action = c.whenUnsatisfiable ?? '';
    if (!SCHEDULE_ACTIONS.includes(action)) errs.push(field.notSupported(`${p}.whenUnsatisfiable`, action, SCHEDULE_ACTIONS));
    // {topologyKey, whenUnsatisfiable} names one kind of constraint: reported at the first of a pair.
    if (all.slice(i + 1).some((o: any) => isObj(o) && o.topologyKey === c.topologyKey && (o.whenUnsatisfiable ?? '') === action)) {
      errs.push(field.duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${str(c.topologyKey)}, ${str(action)}}`));
    }
    if (isSet(c.minDomains)) {
      if (!(Number.isInteger(c.minDomains) && c.minDomains > 0)) errs.push(field.invalid(`${p}.minDomains`, c.minDomains, 'must be greater than zero'));
      if (action !== 'DoNotSchedule') errs.push(field.invalid(`${p}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${str(action)}`));
    }
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (isSet(c[policy]) && !NODE_INCLUSION_POLICIES.includes(c[policy])) errs.push(field.notSupported(`${p}.${policy}`, c[policy], NODE_INCLUSION_POLICIES));
    }
    spreadMatchLabelKeys(c, `${p}.matchLabelKeys`, errs);
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
  });
  return errs;
}

// ---- tolerations -----------------------------------------------------------------------------

export function validateTolerations(tols: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(tols, path, errs).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const t = struct(raw, p, errs);
    if (!t) return;
    if (str(t.key)) errs.push(...labelName(`${p}.key`, t.key));
    // An empty key with Exists (and no value) matches every taint; any other operator needs a key.
    if (!str(t.key) && t.operator !== 'Exists') {
      errs.push(field.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(t.tolerationSeconds) && t.effect !== 'NoExecute') {
      errs.push(field.invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (isSet(t.tolerationSeconds) && !Number.isInteger(t.tolerationSeconds)) {
      errs.push(field.invalid(`${p}.tolerationSeconds`, t.tolerationSeconds, 'must be an integer'));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '': {
        const value = t.value ?? '';
        const problems = typeof value === 'string' ? isValidLabelValue(value) : ['must be a string'];
        if (problems.length) errs.push(field.invalid(`${p}.operator`, value, problems.join(';')));
        break;
      }
      case 'Exists':
        if (str(t.value)) errs.push(field.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(field.notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (isSet(t.effect) && t.effect !== '' && !TAINT_EFFECTS.includes(t.effect)) errs.push(field.notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}
