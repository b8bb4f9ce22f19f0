// Shared pieces of the workload kinds: selector/template agreement and int-or-percent checks.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { isEmptySelector, selectorMatches, validateLabelSelector } from '../validation/selector.ts';
import { isValidPercent } from '../validation/names.ts';
import { validatePodTemplateSpec } from './podspec-validation.ts';
import type { PodSpecValidationOptions } from './podspec-validation.ts';
import { isObj } from './util.ts';

/** spec.selector required, valid, non-empty, and matching spec.template.metadata.labels. */
export function validateSelectorAndTemplate(spec: Record<string, any>, o: PodSpecValidationOptions & { path?: string; templatePath?: string } = {}): FieldError[] {
  const path = o.path ?? 'spec';
  const tpath = o.templatePath ?? `${path}.template`;
  const errs: FieldError[] = [];
  const sel = spec.selector;
  if (sel === undefined || sel === null) errs.push(field.required(`${path}.selector`, ''));
  else {
    errs.push(...validateLabelSelector(sel, `${path}.selector`));
    if (isEmptySelector(sel)) errs.push(field.invalid(`${path}.selector`, sel, 'empty selector is invalid for deployment'));
  }
  if (!isObj(spec.template)) {
    errs.push(field.required(tpath, ''));
    return errs;
  }
  const labels = spec.template.metadata?.labels ?? {};
  if (sel && !isEmptySelector(sel) && !selectorMatches(sel, labels)) {
    errs.push(field.invalid(`${tpath}.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, tpath, o));
  return errs;
}

/** An IntOrString that must be a non-negative integer or a percentage. */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => field.invalid(path, v, m));
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? [] : [field.invalid(path, v, 'must be greater than or equal to 0')];
  return [field.invalid(path, v, 'must be an integer or percentage')];
}

/** The integer part of an IntOrString for zero checks ("0%" and 0 are both zero). */
export function intOrPercentValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return undefined;
}

export function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && /^[0-9]+%$/.test(v) && Number(v.slice(0, -1)) > 100 ? [field.invalid(path, v, 'must not be greater than 100%')] : [];
}
