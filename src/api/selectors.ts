// Label and field selectors, parsed as upstream (k8s.io/apimachinery/pkg/labels, pkg/fields).
import { errors } from '../errors.ts';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!' };

export type LabelSelector = LabelRequirement[];

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, whole: string): void {
  if (!KEY_RE.test(key) || key.length > 317) throw errors.badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${whole}"`);
}
function checkValue(v: string, whole: string): void {
  if (v.length > 63 || !VALUE_RE.test(v)) throw errors.badRequest(`unable to parse requirement: invalid label value: "${v}" in selector "${whole}"`);
}

/** Split on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parseLabelSelector(s: string | undefined): LabelSelector {
  if (!s || !s.trim()) return [];
  const reqs: LabelSelector = [];
  for (const raw of splitTop(s)) {
    const part = raw.trim();
    if (!part) throw errors.badRequest(`unable to parse requirement: found '', expected: identifier in selector "${s}"`);
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^!\s*(\S+)$/))) { checkKey(m[1], s); reqs.push({ key: m[1], op: '!' }); continue; }
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      checkKey(m[1], s);
      const values = m[3].split(',').map((v) => v.trim());
      values.forEach((v) => checkValue(v, s));
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
      continue;
    }
    if ((m = part.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      checkKey(m[1], s); checkValue(m[3], s);
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
      continue;
    }
    if ((m = part.match(/^(\S+)$/)) && !/[=!()]/.test(part)) { checkKey(m[1], s); reqs.push({ key: m[1], op: 'exists' }); continue; }
    throw errors.badRequest(`unable to parse requirement: invalid selector "${s}"`);
  }
  return reqs;
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of sel) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists': if (!has) return false; break;
      case '!': if (has) return false; break;
      case 'in': if (!has || !r.values.includes(labels![r.key])) return false; break;
      case 'notin': if (has && r.values.includes(labels![r.key])) return false; break;
    }
  }
  return true;
}

/** A metav1.LabelSelector (matchLabels/matchExpressions) as requirements. */
export function fromLabelSelectorObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined | null): LabelSelector | null {
  if (!sel) return null; // nil selector matches nothing
  const reqs: LabelSelector = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, op: 'in', values: [v] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator;
    if (op === 'In') reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (op === 'NotIn') reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (op === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else if (op === 'DoesNotExist') reqs.push({ key: e.key, op: '!' });
  }
  return reqs;
}

/** Render a metav1.LabelSelector as a selector string (for Scale status.selector, kubectl). */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.map((r) => {
    if (r.op === 'exists') return r.key;
    if (r.op === '!') return `!${r.key}`;
    if (r.op !== 'in' && r.op !== 'notin') return '';
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
