// Name acceptance for CRDs (after apiextensions-apiserver's naming controller): a CRD's requested
// names are accepted unless another CRD of the same group already accepted one of them.
import type { KObject } from '../strategy.ts';

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export interface Names { plural: string; singular?: string; shortNames?: string[]; kind: string; listKind?: string; categories?: string[] }
export interface Condition { type: string; status: string; reason: string; message: string }

function namesOf(v: unknown): Names {
  const n = isObj(v) ? v : {};
  const out: Names = { plural: typeof n.plural === 'string' ? n.plural : '', kind: typeof n.kind === 'string' ? n.kind : '' };
  if (typeof n.singular === 'string' && n.singular) out.singular = n.singular;
  if (strs(n.shortNames).length) out.shortNames = strs(n.shortNames);
  if (typeof n.listKind === 'string' && n.listKind) out.listKind = n.listKind;
  if (strs(n.categories).length) out.categories = strs(n.categories);
  return out;
}

function claimed(others: KObject[], group: string): { resources: Set<string>; kinds: Set<string> } {
  const resources = new Set<string>(), kinds = new Set<string>();
  for (const o of others) {
    if (o.spec?.group !== group) continue;
    const a = namesOf(o.status?.acceptedNames);
    for (const r of [a.plural, a.singular ?? '', ...(a.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [a.kind, a.listKind ?? '']) if (k) kinds.add(k);
  }
  return { resources, kinds };
}

function freshOrSame(requested: string | undefined, accepted: string | undefined, used: Set<string>): string | undefined {
  if ((requested ?? '') === (accepted ?? '') || !requested || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

/** Names in the field order of upstream's CustomResourceDefinitionNames (as its JSON is written). */
function goOrder(n: Names): Names {
  const out: Names = { plural: n.plural } as Names;
  if (n.singular) out.singular = n.singular;
  if (n.shortNames) out.shortNames = n.shortNames;
  out.kind = n.kind;
  if (n.listKind) out.listKind = n.listKind;
  if (n.categories) out.categories = n.categories;
  return out;
}

/**
 * The accepted names and the NamesAccepted condition for `crd`, given every other CRD (`others`
 * must not contain `crd` itself). Mirrors calculateNamesAndConditions upstream.
 */
export function acceptNames(crd: KObject, others: KObject[]): { names: Names; condition: Condition } {
  const { resources, kinds } = claimed(others, crd.spec?.group);
  const requested = namesOf(crd.spec?.names), accepted = namesOf(crd.status?.acceptedNames);
  const out: Names = { ...accepted };
  let condition: Condition | undefined;
  const conflict = (reason: string, message: string) => { condition = { type: 'NamesAccepted', status: 'False', reason, message }; };
  let e = freshOrSame(requested.plural, accepted.plural, resources);
  if (e) conflict('PluralConflict', e); else out.plural = requested.plural;
  e = freshOrSame(requested.singular, accepted.singular, resources);
  if (e) conflict('SingularConflict', e); else if (requested.singular) out.singular = requested.singular; else delete out.singular;
  if (JSON.stringify(requested.shortNames ?? []) !== JSON.stringify(accepted.shortNames ?? [])) {
    const own = new Set(accepted.shortNames ?? []);
    const errs = (requested.shortNames ?? []).filter((s) => !own.has(s)).map((s) => freshOrSame(s, '', resources)).filter((x): x is string => !!x);
    if (errs.length) conflict('ShortNamesConflict', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    else if (requested.shortNames) out.shortNames = requested.shortNames; else delete out.shortNames;
  }
  e = freshOrSame(requested.kind, accepted.kind, kinds);
  if (e) conflict('KindConflict', e); else out.kind = requested.kind;
  e = freshOrSame(requested.listKind, accepted.listKind, kinds);
  if (e) conflict('ListKindConflict', e); else if (requested.listKind) out.listKind = requested.listKind; else delete out.listKind;
  if (requested.categories) out.categories = requested.categories; else delete out.categories;
  return { names: goOrder(out), condition: condition ?? { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' } };
}
