// batch/v1 Job and CronJob: upstream defaults (pkg/apis/batch/v1/defaults.go), the Job strategy's
// generated selector and labels, and validation (pkg/apis/batch/validation).
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { immutable, nonNegative } from '../validation/common.ts';
import { isEmptySelector, selectorMatches, validateLabelSelector } from '../validation/selector.ts';
import { CronError, parseCron } from './cron.ts';
import { defaultPodTemplate } from './podspec-defaults.ts';
import { validatePodTemplateSpec } from './podspec-validation.ts';
import { def, isObj, sub } from './util.ts';
import type { KindStrategy } from './util.ts';

export const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID = 'controller-uid';
const LEGACY_JOB_NAME = 'job-name';

/** SetDefaults_Job on a JobSpec (also used for CronJob job templates' pod specs). */
export function defaultJobSpec(spec: Record<string, any>, kind: string): void {
  if (spec.completions == null && spec.parallelism == null) { spec.completions = 1; spec.parallelism = 1; }
  def(spec, 'parallelism', 1);
  def(spec, 'backoffLimit', spec.backoffLimitPerIndex != null ? 2147483647 : 6);
  def(spec, 'completionMode', 'NonIndexed');
  def(spec, 'suspend', false);
  def(spec, 'podReplacementPolicy', spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed');
  def(spec, 'manualSelector', false);
  defaultPodTemplate(spec.template, { kind, version: 'batch/v1' });
}

function copyTemplateLabels(obj: KObject): void {
  const labels = obj.spec?.template?.metadata?.labels;
  if (isObj(labels) && (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0)) obj.metadata.labels = { ...labels };
}

/** The Job strategy's PrepareForCreate: controller-uid selector and job-name labels. */
function generateSelector(obj: KObject): void {
  const spec = obj.spec;
  if (!isObj(spec.template)) return;
  const md = sub(spec.template, 'metadata');
  const labels = sub(md, 'labels');
  const name = obj.metadata.name ?? '';
  const uid = obj.metadata.uid ?? '';
  for (const k of [LEGACY_JOB_NAME, JOB_NAME]) def(labels, k, name);
  for (const k of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) def(labels, k, uid);
  const sel = sub(spec, 'selector');
  def(sub(sel, 'matchLabels'), CONTROLLER_UID, uid);
}

function validateJobSpec(spec: unknown, path: string, manual: boolean): FieldError[] {
  if (!isObj(spec)) return [field.required(path, '')];
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'backoffLimit']) errs.push(...nonNegative(`${path}.${k}`, spec[k]));
  if (spec.activeDeadlineSeconds != null && !(typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds > 0)) {
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than zero'));
  }
  errs.push(...nonNegative(`${path}.ttlSecondsAfterFinished`, spec.ttlSecondsAfterFinished));
  if (!['NonIndexed', 'Indexed'].includes(spec.completionMode)) errs.push(field.notSupported(`${path}.completionMode`, spec.completionMode ?? '', ['NonIndexed', 'Indexed']));
  if (spec.completionMode === 'Indexed' && spec.completions == null) errs.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
  if (spec.selector == null) {
    if (manual) errs.push(field.required(`${path}.selector`, ''));
  } else {
    errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  }
  if (!isObj(spec.template)) { errs.push(field.required(`${path}.template`, '')); return errs; }
  const labels = spec.template.metadata?.labels ?? {};
  if (spec.selector && !isEmptySelector(spec.selector) && !selectorMatches(spec.selector, labels)) {
    errs.push(field.invalid(`${path}.template.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const rp = spec.template.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') {
    // Upstream reports any other value (the pod default "Always" included) as Required.
    const i = errs.findIndex((e) => e.field === `${path}.template.spec.restartPolicy`);
    if (i >= 0) errs.splice(i, 1);
    errs.push(field.required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  }
  return errs;
}

function validateGeneratedSelector(obj: KObject): FieldError[] {
  const spec = obj.spec;
  if (!isObj(spec) || spec.manualSelector === true || !isObj(spec.template)) return [];
  const uid = obj.metadata.uid ?? '';
  const errs: FieldError[] = [];
  const labels = spec.template.metadata?.labels ?? {};
  for (const k of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) {
    const p = `spec.template.metadata.labels[${k}]`;
    if (labels[k] === undefined) errs.push(field.required(p, ''));
    else if (labels[k] !== uid) errs.push(field.invalid(p, labels[k], `must be '${uid}'`));
  }
  const generated = { matchLabels: { [CONTROLLER_UID]: uid } };
  if (spec.selector && !deepEqual(spec.selector, generated)) errs.push(field.invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  return errs;
}

export function validateJob(obj: KObject): FieldError[] {
  const errs = validateJobSpec(obj.spec, 'spec', obj.spec?.manualSelector === true);
  return [...errs, ...validateGeneratedSelector(obj)];
}

export const jobStrategy: KindStrategy = {
  // Upstream's jobStatusStrategy resets only the spec: labels and annotations sent to /status are kept.
  statusUpdatesMetadata: true,
  prepareForCreate(obj) {
    if (!isObj(obj.spec)) return;
    defaultJobSpec(obj.spec, 'Job');
    if (obj.spec.manualSelector !== true) generateSelector(obj);
    copyTemplateLabels(obj);
  },
  prepareForUpdate(obj) {
    if (!isObj(obj.spec)) return;
    defaultJobSpec(obj.spec, 'Job');
    copyTemplateLabels(obj);
  },
  validate: validateJob,
  validateUpdate(obj, old) {
    const errs = validateJob(obj);
    errs.push(...immutable('spec.selector', obj.spec?.selector, old.spec?.selector));
    errs.push(...immutable('spec.completionMode', obj.spec?.completionMode, old.spec?.completionMode));
    if (obj.spec?.completionMode !== 'Indexed') errs.push(...immutable('spec.completions', obj.spec?.completions, old.spec?.completions));
    // A suspended Job that never started may change its pod template's scheduling directives.
    const mayChangeTemplate = old.spec?.suspend === true && !old.status?.startTime;
    if (!mayChangeTemplate) errs.push(...immutable('spec.template', obj.spec?.template, old.spec?.template));
    return errs;
  },
};

// ---- CronJob ----

export function defaultCronJob(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  const spec = obj.spec;
  def(spec, 'concurrencyPolicy', 'Allow');
  def(spec, 'suspend', false);
  def(spec, 'successfulJobsHistoryLimit', 3);
  def(spec, 'failedJobsHistoryLimit', 1);
  if (isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec)) defaultPodTemplate(spec.jobTemplate.spec.template, { kind: 'CronJob', version: 'batch/v1' });
}

export function validateSchedule(schedule: unknown, path: string): FieldError[] {
  if (!schedule) return [field.required(path, '')];
  const s = String(schedule);
  if (/(^|\s)(CRON_)?TZ=/.test(s)) return [field.invalid(path, s, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead')];
  try { parseCron(s); } catch (e) {
    if (e instanceof CronError) return [field.invalid(path, s, e.message)];
    throw e;
  }
  return [];
}

export function validateCronJob(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  if (name.length > 52) errs.push(field.invalid('metadata.name', name, 'must be no more than 52 characters'));
  const spec = obj.spec;
  if (!isObj(spec)) return [...errs, field.required('spec', '')];
  errs.push(...validateSchedule(spec.schedule, 'spec.schedule'));
  if (spec.timeZone != null && (typeof spec.timeZone !== 'string' || !validTimeZone(spec.timeZone))) {
    errs.push(field.invalid('spec.timeZone', spec.timeZone, 'unknown time zone ' + spec.timeZone));
  }
  if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) errs.push(field.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy ?? '', ['Allow', 'Forbid', 'Replace']));
  for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) errs.push(...nonNegative(`spec.${k}`, spec[k]));
  const jt = spec.jobTemplate;
  if (!isObj(jt)) { errs.push(field.required('spec.jobTemplate', '')); return errs; }
  const js = isObj(jt.spec) ? jt.spec : {};
  if (js.selector != null) errs.push(field.invalid('spec.jobTemplate.spec.selector', js.selector, '`selector` will be auto-generated'));
  if (js.manualSelector === true) errs.push(field.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...validateJobSpec({ completionMode: 'NonIndexed', ...js, selector: undefined }, 'spec.jobTemplate.spec', false));
  return errs;
}

function validTimeZone(tz: string): boolean {
  if (tz === '' || tz === 'Local') return tz !== 'Local';
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}

export const cronJobStrategy: KindStrategy = {
  // As upstream's cronJobStatusStrategy: only the spec is reset on a status write; metadata changes are kept.
  statusUpdatesMetadata: true,
  prepareForCreate: defaultCronJob,
  prepareForUpdate: defaultCronJob,
  validate: validateCronJob,
};
