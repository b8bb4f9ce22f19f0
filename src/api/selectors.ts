// Label and field selectors, parsed as upstream (k8s.io/apimachinery/pkg/labels, pkg/fields).
import { errors } from '../errors.ts';
import { parseLabelSelectorString } from './label-selector-parse.ts';
import type { LabelRequirement } from './label-selector-parse.ts';

export type { LabelRequirement } from './label-selector-parse.ts';
export type LabelSelector = LabelRequirement[];

/** A labelSelector query parameter (labels.Parse): empty or blank selects everything. */
export function parseLabelSelector(s: string | undefined): LabelSelector {
  if (!s) return [];
  return parseLabelSelectorString(s);
}

/** strconv.ParseInt(v, 10, 64), or undefined. */
function int64(v: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(v)) return undefined;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists': if (!has) return false; break;
      case '!': if (has) return false; break;
      case 'in': if (!has || !r.values.includes(labels![r.key])) return false; break;
      case 'notin': if (has && r.values.includes(labels![r.key])) return false; break;
      case 'gt': case 'lt': {
        const have = has ? int64(labels![r.key]) : undefined;
        const want = r.values.length === 1 ? int64(r.values[0]) : undefined;
        if (have === undefined || want === undefined || (r.op === 'gt' ? have <= want : have >= want)) return false;
        break;
      }
    }
  }
  return true;
}

/** A metav1.LabelSelector (matchLabels/matchExpressions) as requirements. */
export function fromLabelSelectorObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined | null): LabelSelector | null {
  if (!sel || typeof sel !== 'object') return null; // nil selector matches nothing
  // A selector of the wrong shape (never valid, but it must not throw in a controller) matches nothing.
  const { matchLabels: ml, matchExpressions: me } = sel as Record<string, unknown>;
  if ((ml != null && (typeof ml !== 'object' || Array.isArray(ml))) || (me != null && !Array.isArray(me))) return null;
  const reqs: LabelSelector = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, op: 'in', values: [v] });
  for (const e of sel.matchExpressions ?? []) {
    if (!e || typeof e !== 'object') return null;
    const op = e.operator;
    const values = Array.isArray(e.values) ? e.values : [];
    if (op === 'In') reqs.push({ key: e.key, op: 'in', values });
    else if (op === 'NotIn') reqs.push({ key: e.key, op: 'notin', values });
    else if (op === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else if (op === 'DoesNotExist') reqs.push({ key: e.key, op: '!' });
  }
  return reqs;
}

/** Render a metav1.LabelSelector as a selector string (for Scale status.selector, kubectl). */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.map((r) => {
    if (!('values' in r)) return r.op === 'exists' ? r.key : `!${r.key}`;
    if (r.op === 'gt' || r.op === 'lt') return `${r.key}${r.op === 'gt' ? '>' : '<'}${r.values[0]}`;
    if (r.values.length === 1) return r.op === 'in' ? `${r.key}=${r.values[0]}` : `${r.key}!=${r.values[0]}`;
    return `${r.key} ${r.op} (${r.values.join(',')})`;
  }).join(',');
}

export interface FieldRequirement { field: string; op: '=' | '!='; value: string }

export function parseFieldSelector(s: string | undefined): FieldRequirement[] {
  if (!s || !s.trim()) return [];
  const out: FieldRequirement[] = [];
  for (const raw of s.split(',')) {
    const part = raw.trim();
    const m = part.match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    out.push({ field: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() });
  }
  return out;
}

export function matchFields(reqs: FieldRequirement[], get: (field: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = get(r.field) ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
