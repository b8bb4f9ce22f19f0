// A CustomResourceDefinition object → the CustomDef and resource-table entries the server serves.
// Names come from status.acceptedNames (what the naming controller accepted), as upstream serves them.
import type { ResourceInfo, SubresourceInfo } from '../resources.ts';
import type { KObject } from '../strategy.ts';
import type { CustomDef, CustomVersion, PrinterColumn, ScaleSubresource } from './types.ts';
import { servedSchema } from './schema.ts';

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

const CRUD = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

export function conditionTrue(crd: KObject, type: string): boolean {
  const conds = crd.status?.conditions;
  return Array.isArray(conds) && conds.some((c) => isObj(c) && c.type === type && c.status === 'True');
}

function printerColumns(v: Record<string, any>): PrinterColumn[] {
  const cols = Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns.filter(isObj) : [];
  return cols.filter((c) => typeof c.name === 'string' && typeof c.jsonPath === 'string').map((c) => ({
    name: c.name, type: str(c.type) ?? 'string', format: str(c.format), description: str(c.description),
    priority: Number.isSafeInteger(c.priority) ? c.priority : 0, jsonPath: c.jsonPath,
  }));
}

function scaleOf(sub: unknown): ScaleSubresource | undefined {
  if (!isObj(sub) || !isObj(sub.scale)) return undefined;
  const s = sub.scale;
  if (typeof s.specReplicasPath !== 'string' || typeof s.statusReplicasPath !== 'string') return undefined;
  return { specReplicasPath: s.specReplicasPath, statusReplicasPath: s.statusReplicasPath, labelSelectorPath: str(s.labelSelectorPath) };
}

function versionOf(crd: KObject, v: Record<string, any>): CustomVersion {
  return {
    name: v.name,
    served: v.served === true,
    storage: v.storage === true,
    deprecated: v.deprecated === true,
    deprecationWarning: str(v.deprecationWarning),
    schema: servedSchema(crd, v.name),
    status: isObj(v.subresources) && isObj(v.subresources.status),
    scale: scaleOf(v.subresources),
    printerColumns: printerColumns(v),
    selectableFields: (Array.isArray(v.selectableFields) ? v.selectableFields : []).filter(isObj).map((f) => f.jsonPath).filter((p): p is string => typeof p === 'string'),
  };
}

const STATUS_SUB = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const SCALE_SUB: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

/**
 * The definition a CRD describes, or undefined when nothing of it is served: not Established, or its
 * spec or accepted names are not usable (a CRD validation refuses those; this never throws).
 */
export function defFromCRD(crd: KObject): CustomDef | undefined {
  const spec = crd.spec, names = crd.status?.acceptedNames;
  if (!isObj(spec) || !isObj(names) || !conditionTrue(crd, 'Established')) return undefined;
  const group = str(spec.group), plural = str(names.plural), kind = str(names.kind);
  if (!group || !plural || !kind || !Array.isArray(spec.versions)) return undefined;
  const versions = spec.versions.filter((v: unknown): v is Record<string, any> => isObj(v) && typeof v.name === 'string' && v.name !== '').map((v: Record<string, any>) => versionOf(crd, v));
  const storage = versions.find((v) => v.storage);
  if (!storage) return undefined;
  const def: CustomDef = {
    crdName: crd.metadata.name!, uid: crd.metadata.uid ?? '', group,
    namespaced: spec.scope !== 'Cluster',
    plural, kind,
    singular: str(names.singular) || kind.toLowerCase(),
    listKind: str(names.listKind) || `${kind}List`,
    shortNames: strings(names.shortNames), categories: strings(names.categories),
    conversion: isObj(spec.conversion) && spec.conversion.strategy === 'Webhook' ? 'Webhook' : 'None',
    storageVersion: storage.name,
    versions: new Map(),
    terminating: !!crd.metadata.deletionTimestamp,
    crd,
  };
  for (const v of versions) def.versions.set(v.name, resourceOf(def, v));
  return def;
}

function resourceOf(def: CustomDef, v: CustomVersion): ResourceInfo {
  const subresources: SubresourceInfo[] = [];
  if (v.scale) subresources.push(SCALE_SUB);
  if (v.status) subresources.push(STATUS_SUB(def.kind));
  return {
    group: def.group, version: v.name, kind: def.kind, resource: def.plural, singular: def.singular,
    namespaced: def.namespaced,
    shortNames: def.shortNames.length ? def.shortNames : undefined,
    categories: def.categories.length ? def.categories : undefined,
    verbs: CRUD, subresources,
    custom: { def, version: v },
  };
}

/**
 * The storage-version entry of a definition, read without conversion: for work on every stored
 * object whatever its version (deleting them, noticing their deletion), which needs no conversion.
 */
export function storedAsIs(def: CustomDef): ResourceInfo | undefined {
  const r = def.versions.get(def.storageVersion);
  return r && { ...r, custom: { ...r.custom!, def: { ...def, conversion: 'None' } } };
}
