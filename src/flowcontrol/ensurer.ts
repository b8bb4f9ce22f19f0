// The APF bootstrap-configuration ensurer (pkg/registry/flowcontrol/ensurer and rest's post-start
// hook): creates the suggested and mandatory objects that are missing; keeps the spec of every
// mandatory object, and of a suggested one whose `apf.kubernetes.io/autoupdate-spec` annotation is
// "true" (or, without a parsable annotation, that was never changed: generation 1), equal to the
// bootstrap spec, and sets the annotation to what it decided; deletes objects that are no longer part
// of the bootstrap configuration but carry autoupdate-spec "true". Run at start and every minute.
import { StatusError } from '../errors.ts';
import { findResource } from '../registry/resources.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import { AUTO_UPDATE, GROUP, MANDATORY_LEVELS, MANDATORY_SCHEMAS, SUGGESTED_LEVELS, SUGGESTED_SCHEMAS } from './bootstrap.ts';
import { defaultFlowSchema, defaultPriorityLevel, semanticEqual, semanticKey } from './defaults.ts';

const FIELD_MANAGER = 'api-priority-and-fairness-config-producer-v1';

export const flowSchemas = () => findResource(GROUP, 'v1', 'flowschemas')!;
export const priorityLevels = () => findResource(GROUP, 'v1', 'prioritylevelconfigurations')!;

const parseBool = (v: unknown): boolean | undefined => {
  if (typeof v !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
};

/** Whether a current object's spec follows the bootstrap spec (strategy.go's shouldUpdateSpec). */
function followsBootstrap(cur: KObject): boolean {
  const v = parseBool(cur.metadata.annotations?.[AUTO_UPDATE]);
  return v ?? cur.metadata.generation === 1;
}

/**
 * The bootstrap objects' defaulted specs, and those specs' semantic form for the ones compared whole,
 * made once per object: the ensurer compares ~20 of them at every start and every minute (a
 * structured clone and a canonical form each time was ~3 ms of a start).
 */
const defaulted = new WeakMap<KObject, { spec: any; key?: string }>();

function defaultedSpec(r: ResourceInfo, want: KObject): { spec: any; key?: string } {
  let d = defaulted.get(want);
  if (!d) {
    const expected = structuredClone(want);
    if (r.kind === 'FlowSchema') defaultFlowSchema(expected); else defaultPriorityLevel(expected);
    defaulted.set(want, d = { spec: expected.spec });
  }
  return d;
}

function specEqualish(r: ResourceInfo, want: KObject, cur: KObject): boolean {
  const d = defaultedSpec(r, want);
  if (r.kind === 'PriorityLevelConfiguration' && want.metadata.name === 'exempt') {
    if (!cur.spec?.exempt) return false;
    const exempt = { ...d.spec.exempt, nominalConcurrencyShares: cur.spec.exempt.nominalConcurrencyShares, lendablePercent: cur.spec.exempt.lendablePercent };
    return semanticEqual({ ...d.spec, exempt }, cur.spec);
  }
  d.key ??= semanticKey(d.spec);
  return d.key === semanticKey(cur.spec);
}

/** The revised object, or undefined when `cur` needs no change (strategy.go's ReviseIfNeeded). */
export function revise(r: ResourceInfo, cur: KObject, want: KObject, mandatory: boolean): KObject | undefined {
  const autoUpdate = mandatory || followsBootstrap(cur);
  const annotation = cur.metadata.annotations?.[AUTO_UPDATE];
  const updateAnnotation = parseBool(annotation) !== autoUpdate;
  const specChanged = autoUpdate && !specEqualish(r, want, cur);
  if (!updateAnnotation && !specChanged) return undefined;
  const next = structuredClone(cur);
  if (specChanged) next.spec = structuredClone(want.spec);
  if (updateAnnotation) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [AUTO_UPDATE]: String(autoUpdate) };
  return next;
}

const code = (e: unknown) => (e instanceof StatusError ? e.code : 0);

async function ensureOne(store: Store, r: ResourceInfo, want: KObject, mandatory: boolean): Promise<void> {
  for (;;) {
    let cur: KObject;
    try {
      cur = await store.get(r, undefined, want.metadata.name!);
    } catch (e) {
      if (code(e) !== 404) throw e;
      try {
        await store.create(r, undefined, structuredClone(want), { fieldManager: FIELD_MANAGER });
        return;
      } catch (e2) {
        if (code(e2) === 409) continue; // created concurrently: look again
        throw e2;
      }
    }
    const next = revise(r, cur, want, mandatory);
    if (!next) return;
    try {
      await store.update(r, undefined, want.metadata.name!, next, { fieldManager: FIELD_MANAGER });
    } catch (e) {
      if (code(e) !== 409 && code(e) !== 404) throw e; // changed or removed concurrently: next round
    }
    return;
  }
}

async function removeUnwanted(store: Store, r: ResourceInfo, wanted: KObject[]): Promise<void> {
  const names = new Set(wanted.map((o) => o.metadata.name));
  for (const { obj } of (await store.list(r, undefined)).items) {
    if (names.has(obj.metadata.name) || parseBool(obj.metadata.annotations?.[AUTO_UPDATE]) !== true) continue;
    try {
      await store.delete(r, undefined, obj.metadata.name!);
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }
}

/** One pass of the ensurer (rest/storage_flowcontrol.go's ensure). */
export async function ensureBootstrapConfiguration(store: Store): Promise<void> {
  const fs = flowSchemas(), pl = priorityLevels();
  for (const o of SUGGESTED_LEVELS) await ensureOne(store, pl, o, false);
  for (const o of SUGGESTED_SCHEMAS) await ensureOne(store, fs, o, false);
  for (const o of MANDATORY_LEVELS) await ensureOne(store, pl, o, true);
  for (const o of MANDATORY_SCHEMAS) await ensureOne(store, fs, o, true);
  await removeUnwanted(store, fs, [...MANDATORY_SCHEMAS, ...SUGGESTED_SCHEMAS]);
  await removeUnwanted(store, pl, [...MANDATORY_LEVELS, ...SUGGESTED_LEVELS]);
}
