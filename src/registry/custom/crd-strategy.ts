// The CustomResourceDefinition strategy (after apiextensions-apiserver's customresourcedefinition
// strategy): defaults, status kept by the main endpoint, storedVersions maintained, the checks that
// serving relies on, and the cleanup finalizer added on the first DELETE.
import type { FieldError } from '../../errors.ts';
import { field } from '../../errors.ts';
import { rfc3339 } from '../../clock.ts';
import type { KObject, Strategy, StrategyContext } from '../strategy.ts';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Set condition `c` in a CRD's status (lastTransitionTime moves only when the status changes). */
export function setCondition(crd: KObject, c: { type: string; status: string; reason: string; message: string }, now: string): void {
  crd.status = isObj(crd.status) ? crd.status : {};
  const conds: any[] = Array.isArray(crd.status.conditions) ? crd.status.conditions.filter(isObj) : [];
  const i = conds.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? conds[i] : undefined;
  const next = { type: c.type, status: c.status, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now, reason: c.reason, message: c.message };
  if (i >= 0) conds[i] = next; else conds.push(next);
  crd.status.conditions = conds;
}

function storageVersion(crd: KObject): string | undefined {
  const vs = crd.spec?.versions;
  if (!Array.isArray(vs)) return undefined;
  const v = vs.find((x) => isObj(x) && x.storage === true);
  return typeof v?.name === 'string' ? v.name : undefined;
}

function addStoredVersion(crd: KObject): void {
  const v = storageVersion(crd);
  if (!v) return;
  crd.status = isObj(crd.status) ? crd.status : {};
  const stored: string[] = Array.isArray(crd.status.storedVersions) ? crd.status.storedVersions.filter((x: unknown) => typeof x === 'string') : [];
  if (!stored.includes(v)) stored.push(v);
  crd.status.storedVersions = stored;
}

/** Upstream's defaults: singular and listKind from kind, conversion strategy None. */
function setDefaults(crd: KObject): void {
  const spec = crd.spec;
  if (!isObj(spec)) return;
  const names = spec.names;
  if (isObj(names) && typeof names.kind === 'string' && names.kind) {
    if (!names.singular) names.singular = names.kind.toLowerCase();
    if (!names.listKind) names.listKind = `${names.kind}List`;
  }
  if (spec.conversion === undefined || spec.conversion === null) spec.conversion = { strategy: 'None' };
  else if (isObj(spec.conversion) && !spec.conversion.strategy) spec.conversion.strategy = 'None';
}

function validateNames(names: unknown, errs: FieldError[]): void {
  const p = 'spec.names';
  if (!isObj(names)) { errs.push(field.required(p)); return; }
  for (const k of ['plural', 'kind']) {
    const v = names[k];
    if (v === undefined || v === '') errs.push(field.required(`${p}.${k}`));
    else if (typeof v !== 'string') errs.push(field.invalid(`${p}.${k}`, v, 'must be a string'));
  }
  for (const k of ['plural', 'singular']) {
    const v = names[k];
    if (typeof v === 'string' && v !== '' && !DNS1035.test(v)) errs.push(field.invalid(`${p}.${k}`, v, `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`));
  }
  if (typeof names.kind === 'string' && names.kind !== '' && !/^[A-Za-z][A-Za-z0-9]*$/.test(names.kind)) {
    errs.push(field.invalid(`${p}.kind`, names.kind, 'may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?'));
  }
  for (const k of ['shortNames', 'categories']) {
    const v = names[k];
    if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) errs.push(field.invalid(`${p}.${k}`, v, 'must be a list of strings'));
  }
}

function validateVersions(versions: unknown, errs: FieldError[]): void {
  if (!Array.isArray(versions) || versions.length === 0) { errs.push(field.invalid('spec.versions', versions ?? null, 'must have exactly one version marked as storage version')); return; }
  const seen = new Set<string>();
  let storage = 0;
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!isObj(v)) { errs.push(field.invalid(p, v, 'must be an object')); return; }
    if (typeof v.name !== 'string' || v.name === '') errs.push(field.required(`${p}.name`));
    else if (!DNS1035.test(v.name) || v.name.length > 63) errs.push(field.invalid(`${p}.name`, v.name, 'a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character'));
    else if (seen.has(v.name)) errs.push(field.invalid('spec.versions', versions.map((x) => (isObj(x) ? x.name : x)), 'must contain unique version names'));
    else seen.add(v.name);
    for (const k of ['served', 'storage']) if (v[k] !== undefined && typeof v[k] !== 'boolean') errs.push(field.invalid(`${p}.${k}`, v[k], 'must be a boolean'));
    if (v.storage === true) storage++;
  });
  if (storage !== 1) errs.push(field.invalid('spec.versions', versions.map((x) => (isObj(x) ? x.name : x)), 'must have exactly one version marked as storage version'));
}

/** What serving needs to hold; the full structural-schema validation of CRDs lives in src/schema. */
export function validateCRD(crd: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec;
  if (!isObj(spec)) return [field.required('spec')];
  const group = spec.group;
  if (group === undefined || group === '') errs.push(field.required('spec.group'));
  else if (typeof group !== 'string' || !DNS1123_SUBDOMAIN.test(group)) errs.push(field.invalid('spec.group', group, 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\''));
  else if (!group.includes('.')) errs.push(field.invalid('spec.group', group, 'should be a domain with at least one dot'));
  if (!['Cluster', 'Namespaced'].includes(spec.scope)) errs.push(field.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  validateNames(spec.names, errs);
  validateVersions(spec.versions, errs);
  const plural = isObj(spec.names) ? spec.names.plural : undefined;
  if (typeof plural === 'string' && typeof group === 'string' && crd.metadata.name !== `${plural}.${group}`) {
    errs.push(field.invalid('metadata.name', crd.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  const strategy = isObj(spec.conversion) ? spec.conversion.strategy : undefined;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook') errs.push(field.notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook']));
  return errs;
}

function validateUpdate(crd: KObject, old: KObject): FieldError[] {
  const errs = validateCRD(crd);
  if (isObj(old.spec) && isObj(crd.spec) && old.spec.scope !== crd.spec.scope && conditionEstablished(old)) {
    errs.push(field.invalid('spec.scope', crd.spec.scope, 'field is immutable'));
  }
  const sv = storageVersion(crd);
  const stored: unknown = crd.status?.storedVersions;
  if (Array.isArray(stored) && sv) {
    const served = (crd.spec.versions as any[]).map((v) => v?.name);
    stored.forEach((v, i) => {
      if (!served.includes(v)) errs.push(field.invalid(`status.storedVersions[${i}]`, v, 'must appear in spec.versions'));
    });
  }
  return errs;
}

function conditionEstablished(crd: KObject): boolean {
  return Array.isArray(crd.status?.conditions) && crd.status.conditions.some((c: any) => c?.type === 'Established' && c.status === 'True');
}

export const crdStrategy: Strategy = {
  prepareForCreate(obj) {
    setDefaults(obj);
    obj.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
    addStoredVersion(obj);
    delete obj.status.conditions;
  },
  prepareForUpdate(obj) { setDefaults(obj); addStoredVersion(obj); },
  validate: (obj) => validateCRD(obj),
  validateUpdate: (obj, old) => validateUpdate(obj, old),
  prepareForDelete(obj: KObject, ctx: StrategyContext) {
    const fins = obj.metadata.finalizers ?? [];
    if (!fins.includes(CLEANUP_FINALIZER)) obj.metadata.finalizers = [...fins, CLEANUP_FINALIZER];
    setCondition(obj, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' }, rfc3339(ctx.clock.now()));
  },
};
