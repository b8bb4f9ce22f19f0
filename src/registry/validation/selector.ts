// metav1.LabelSelector: validation (after apimachinery meta/v1/validation) and matching.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { asArray, isObject } from './common.ts';
import { validateLabels } from './meta.ts';

export interface LabelSelectorRequirement { key: string; operator: string; values?: string[] }
export interface LabelSelector { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] }

export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  if (!isObject(sel)) return [field.invalid(path, sel, 'must be a label selector object')];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  if (sel.matchExpressions !== undefined && sel.matchExpressions !== null && !Array.isArray(sel.matchExpressions)) {
    errs.push(field.invalid(`${path}.matchExpressions`, sel.matchExpressions, 'must be a list'));
  }
  asArray(sel.matchExpressions).forEach((r: any, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    const req = isObject(r) ? r : {};
    const values = asArray<string>(req.values);
    switch (req.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(`${p}.operator`, req.operator ?? '', 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(String(req.key ?? ''))) errs.push(field.invalid(`${p}.key`, req.key ?? '', m));
    values.forEach((v, j) => { for (const m of isValidLabelValue(String(v))) errs.push(field.invalid(`${p}.values[${j}]`, v, m)); });
  });
  return errs;
}

/** True when the selector selects nothing-specific (no labels, no expressions). */
export function isEmptySelector(sel: LabelSelector | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/** Does `labels` satisfy the selector? An absent selector matches nothing; an empty one everything. */
export function selectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const vals = r.values ?? [];
    switch (r.operator) {
      case 'In': if (!has || !vals.includes(l[r.key])) return false; break;
      case 'NotIn': if (has && vals.includes(l[r.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
