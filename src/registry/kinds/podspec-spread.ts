// spec.topologySpreadConstraints as upstream's validateTopologySpreadConstraints checks them.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { isSet, labelName, list, str, struct } from './podspec-shape.ts';
import { isObj } from './util.ts';

const SCHEDULE_ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];
const NODE_INCLUSION_POLICIES = ['Honor', 'Ignore'];

const selectorKeys = (sel: Record<string, any>) => [
  ...(isObj(sel.matchLabels) ? Object.keys(sel.matchLabels) : []),
  ...(Array.isArray(sel.matchExpressions) ? sel.matchExpressions.map((e: any) => e?.key) : []),
];

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
    if (all.slice(i + 1).some((o: any) => isObj(o) && str(o.topologyKey) === str(c.topologyKey) && (o.whenUnsatisfiable ?? '') === action)) {
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
