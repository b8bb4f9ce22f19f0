// The CustomResourceDefinition strategy (after apiextensions-apiserver's customresourcedefinition
// strategy): v1 defaults (src/schema applyCRDDefaults), status kept by the main endpoint,
// storedVersions maintained, the full validation of src/schema validateCRD with CEL rules compiled by
// src/cel, and the cleanup finalizer added on the first DELETE.
//
// The schema engine and CEL load on the first CRD write (Strategy.load), CEL only once a CRD has
// x-kubernetes-validations: start-up without CRDs imports neither.
import { rfc3339 } from '../../clock.ts';
import type { KObject, Strategy, StrategyContext } from '../strategy.ts';

let engine: typeof import('../../schema/crd-validation.ts') | undefined;
let cel: typeof import('./crd-cel.ts') | undefined;

/** Whether `v` mentions x-kubernetes-validations anywhere (a superset of "has CEL rules"). */
function mentionsRules(v: unknown): boolean {
  try { return JSON.stringify(v)?.includes('x-kubernetes-validations') ?? false; } catch { return true; }
}

async function load(obj: KObject): Promise<void> {
  engine ??= await import('../../schema/crd-validation.ts');
  if (!cel && mentionsRules(obj)) cel = await import('./crd-cel.ts');
}

function loaded(): typeof import('../../schema/crd-validation.ts') {
  if (!engine) throw new Error('CRD strategy used before Strategy.load');
  return engine;
}

/** validateCRD options: rules are compiled by src/cel (loaded by `load` when the CRD has any). */
function celOpts(): { celRules?: ReturnType<typeof import('./crd-cel.ts').celRulesFor> } {
  return cel ? { celRules: cel.celRulesFor() } : {};
}

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

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

/** v1 defaulting without touching status (the store keeps status on the main endpoint). */
function setDefaults(crd: KObject): void {
  const status = crd.status;
  loaded().applyCRDDefaults(crd);
  if (status === undefined) delete crd.status; else crd.status = status;
}

export const crdStrategy: Strategy = {
  // As upstream's PrepareForCreate: status starts empty but for the storage version.
  prepareForCreate(obj) {
    obj.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
    addStoredVersion(obj);
    setDefaults(obj);
  },
  prepareForUpdate(obj) { setDefaults(obj); addStoredVersion(obj); },
  load,
  validate: (obj) => loaded().validateCRD(obj, undefined, celOpts()),
  validateUpdate: (obj, old) => loaded().validateCRD(obj, old, celOpts()),
  prepareForDelete(obj: KObject, ctx: StrategyContext) {
    const fins = obj.metadata.finalizers ?? [];
    if (!fins.includes(CLEANUP_FINALIZER)) obj.metadata.finalizers = [...fins, CLEANUP_FINALIZER];
    setCondition(obj, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' }, rfc3339(ctx.clock.now()));
  },
};
