// spec.affinity as upstream's validateAffinity checks it: node affinity (required node selector
// terms, preferred terms with weights), pod affinity and anti-affinity terms (selectors,
// namespaces, matchLabelKeys/mismatchLabelKeys, topologyKey), with upstream's paths and messages.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { check } from '../validation/common.ts';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { isSet, labelName, labelValue, list, str, struct } from './podspec-shape.ts';
import { isObj } from './util.ts';

const WEIGHT_RANGE = 'must be in the range 1-100';

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
