// metadata.managedFields: decoding/encoding of the entries, and the two ownership operations of
// server-side apply — apply (with conflicts, force and pruning) and update (ordinary writes).
import { StatusError, errors } from '../../errors.ts';
import { rfc3339 } from '../../clock.ts';
import { crdSchemaLookup } from './crd-schema.ts';
import type { StructuralSchema } from '../../schema/types.ts';
import { RESOURCES } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import { smpSchemaFor } from '../schema.ts';
import { deepEqual, isObject } from '../util.ts';
import { FieldSet, pathString } from './fieldset.ts';
import type { Path } from './fieldset.ts';
import { addedFields, compare, merge, removeItems, schemaFrom, toFieldSet } from './typed.ts';
import type { Schema } from './typed.ts';
import { ByGvk } from '../../util/by-gvk.ts';

export interface Gvk {
  group: string; version: string; kind: string;
  /** A custom resource's CRD schema (its list and map types shape field ownership); built-in kinds have none. */
  schema?: StructuralSchema;
  /** Whether the resource has a status subresource, when the built-in table cannot say (custom resources). */
  statusSubresource?: boolean;
}

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

let clock: () => number = () => Date.now();
/** Where managedFields timestamps come from (defaults to the wall clock). */
export function setApplyClock(fn: () => number): void { clock = fn; }
// The second's text is kept between calls (clock.ts): a burst of writes stamps the same second.
function nowRfc3339(): string { return rfc3339(clock()); }

function managerKey(e: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  // Upstream's identifier is the JSON of the entry without fields and time; appliers are not
  // distinguished by apiVersion.
  const id: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation !== 'Apply' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

export type Managers = Map<string, ManagerEntry>;

/** Decodes metadata.managedFields; malformed entries make the whole list invalid (undefined). */
export function decodeManagedFields(list: unknown): Managers | undefined {
  const out: Managers = new Map();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) return undefined;
  try {
    for (const raw of list) {
      if (!isObject(raw)) return undefined;
      const op = raw.operation;
      if (op !== 'Apply' && op !== 'Update') return undefined;
      if (raw.fieldsType !== undefined && raw.fieldsType !== 'FieldsV1') return undefined;
      const e: ManagerEntry = {
        manager: typeof raw.manager === 'string' ? raw.manager : '',
        operation: op,
        apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
        set: FieldSet.fromFieldsV1(raw.fieldsV1 ?? {}),
      };
      if (typeof raw.time === 'string') e.time = raw.time;
      if (typeof raw.subresource === 'string' && raw.subresource) e.subresource = raw.subresource;
      const key = managerKey(e);
      const prev = out.get(key);
      if (prev) prev.set = prev.set.union(e.set);
      else out.set(key, e);
    }
  } catch {
    return undefined;
  }
  return out;
}

function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Encodes managers in upstream's order (operation, time, manager, apiVersion, subresource). */
export function encodeManagedFields(m: Managers): Record<string, unknown>[] {
  const entries = [...m.values()].filter((e) => !e.set.isEmpty());
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    const ps = seconds(p.time), qs = seconds(q.time);
    if (ps !== qs) return ps - qs;
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    const pr = p.subresource ?? '', qr = q.subresource ?? '';
    return pr < qr ? -1 : pr > qr ? 1 : 0;
  });
  return entries.map((e) => {
    const o: Record<string, unknown> = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) o.time = e.time;
    o.fieldsType = 'FieldsV1';
    o.fieldsV1 = e.set.toFieldsV1();
    if (e.subresource) o.subresource = e.subresource;
    return o;
  });
}

// ---- helpers ----

const apiVersionOf = (g: Gvk) => (g.group ? `${g.group}/${g.version}` : g.version);

/** Schemas built so far: built-in kinds by group/version/kind, custom resources by their CRD schema. */
const builtInSchemas = new ByGvk<Schema>();
const crdSchemas = new WeakMap<StructuralSchema, Schema>();

export function schemaForGvk(g: Gvk): Schema {
  if (g.schema) {
    let s = crdSchemas.get(g.schema);
    if (!s) crdSchemas.set(g.schema, s = schemaFrom(crdSchemaLookup(g.schema), smpSchemaFor('', 'v1', 'Pod')?.node('meta/v1.ObjectMeta')));
    return s;
  }
  return builtInSchemas.get(g.group, g.version, g.kind, () => schemaFrom(smpSchemaFor(g.group, g.version, g.kind), smpSchemaFor('', 'v1', 'Pod')?.node('meta/v1.ObjectMeta')));
}

/** Fields that never carry ownership (upstream's stripMeta). */
const STRIPPED: Path[] = [
  ['f:apiVersion'], ['f:kind'], ['f:metadata'], ['f:metadata', 'f:name'], ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'], ['f:metadata', 'f:selfLink'], ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'], ['f:metadata', 'f:generation'], ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
];

function hasStatusSubresource(g: Gvk): boolean {
  if (g.statusSubresource !== undefined) return g.statusSubresource;
  return RESOURCES.some((r) => r.group === g.group && r.version === g.version && r.kind === g.kind && r.subresources.some((s) => s.name === 'status'));
}

/**
 * Restricts a set to what a write through this endpoint may own (stripMeta and reset fields).
 * `set` is left as it is unless `consume` says the caller no longer needs it (then it is reused).
 */
function filterSet(set: FieldSet, g: Gvk, subresource: string | undefined, consume = false): FieldSet {
  let out = consume ? set : set.clone();
  for (const p of STRIPPED) {
    const n = out.node(p);
    if (n) n.self = false;
  }
  if (subresource === 'status') {
    const keep = new FieldSet();
    const st = out.children.get('f:status');
    if (st) keep.setChild('f:status', st);
    out = keep;
  } else if (!subresource && hasStatusSubresource(g)) {
    out.deleteChild('f:status');
  }
  return prune(out);
}

function prune(s: FieldSet): FieldSet {
  // Deleting the entry being visited is safe while iterating a Map.
  for (const [k, c] of s.children) {
    prune(c);
    if (!c.self && c.children.size === 0) s.deleteChild(k);
  }
  return s;
}

function withoutManagedFields(obj: KObject | undefined): Record<string, unknown> {
  if (!obj) return {};
  const c = structuredClone(obj) as Record<string, unknown>;
  if (isObject(c.metadata)) delete c.metadata.managedFields;
  return c;
}

/** The object without metadata.managedFields, to be read only: a shallow copy (no deep clone per write). */
function viewWithoutManagedFields(obj: KObject | undefined): Record<string, unknown> {
  if (!obj) return {};
  const c = { ...obj } as Record<string, unknown>;
  if (isObject(c.metadata) && 'managedFields' in c.metadata) {
    const { managedFields: _, ...rest } = c.metadata;
    c.metadata = rest;
  }
  return c;
}

function printManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** The 409 for apply conflicts, with upstream's message and causes. */
export function conflictError(conflicts: { entry: ManagerEntry; paths: Path[] }[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => {
    const ka = managerKey(a.entry), kb = managerKey(b.entry);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const flat = sorted.flatMap((c) => c.paths.map((p) => ({ entry: c.entry, path: pathString(p) })));
  let message: string;
  if (flat.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(flat[0].entry)}: ${flat[0].path}`;
  } else {
    const lines: string[] = [];
    for (const c of sorted) {
      lines.push(`conflicts with ${printManager(c.entry)}:`);
      for (const p of c.paths) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${flat.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, {
    causes: flat.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.entry)}`, field: c.path })),
  });
}

/**
 * The ownership bookkeeping shared by apply and update: fields changed between live and next
 * that other managers own are conflicts (returned) or, when forced, taken from them; fields
 * removed from the object are removed from every other manager.
 */
function settle(s: Schema, g: Gvk, subresource: string | undefined, live: unknown, next: unknown, managers: Managers, self: string, force: boolean) {
  const cmp = compare(s, live, next);
  // cmp's sets are not used after this: the union (or `added` alone) is filtered in place.
  const changed = filterSet(cmp.modified.isEmpty() ? cmp.added : cmp.modified.union(cmp.added), g, subresource, true);
  const removed = cmp.removed;
  const conflicts: { entry: ManagerEntry; paths: Path[] }[] = [];
  for (const [key, e] of managers) {
    if (key === self) continue;
    const c = e.set.intersection(changed);
    if (!c.isEmpty()) conflicts.push({ entry: e, paths: c.paths() });
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  for (const [key, e] of managers) {
    if (key === self) continue;
    e.set = prune(e.set.difference(changed).difference(removed));
    if (e.set.isEmpty()) managers.delete(key);
  }
  return { cmp, changed };
}

function cloneManagers(m: Managers): Managers {
  const out: Managers = new Map();
  for (const [k, e] of m) out.set(k, { ...e, set: e.set.clone() });
  return out;
}

// ---- apply ----

export interface ApplyOptions { manager: string; force: boolean; subresource?: string }

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Server-side apply of cfg (already validated as an object of this kind) onto live. */
export function applyWithOwnership(liveObj: KObject | undefined, cfg: Record<string, unknown>, g: Gvk, o: ApplyOptions): KObject {
  if (isObject(cfg.metadata) && cfg.metadata.managedFields !== undefined && cfg.metadata.managedFields !== null) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
  const s = schemaForGvk(g);
  const apiVersion = apiVersionOf(g);
  const live = withoutManagedFields(liveObj);
  let managers = decodeManagedFields(liveObj?.metadata?.managedFields) ?? new Map();
  if (liveObj && managers.size === 0) {
    // An object nobody has claimed yet: its current fields belong to "before-first-apply".
    const set = filterSet(toFieldSet(s, live), g, o.subresource);
    if (!set.isEmpty()) {
      const e: ManagerEntry = { manager: 'before-first-apply', operation: 'Update', apiVersion, set };
      managers.set(managerKey(e), e);
    }
  }
  managers = cloneManagers(managers);
  const entry: ManagerEntry = { manager: o.manager, operation: 'Apply', apiVersion, set: new FieldSet() };
  if (o.subresource) entry.subresource = o.subresource;
  const key = managerKey(entry);
  const last = managers.get(key);
  if (last?.time) entry.time = last.time;
  entry.set = filterSet(toFieldSet(s, cfg), g, o.subresource);
  managers.set(key, entry);

  let next = merge(s, live, cfg) as Record<string, unknown>;
  if (last && !last.set.isEmpty()) {
    // Prune what this manager applied last time, omits now, and nobody else owns.
    let owned = new FieldSet();
    for (const e of managers.values()) owned = owned.union(e.set);
    const drop = last.set.difference(owned);
    keepOwnedDescendants(drop, owned);
    if (!drop.isEmpty()) next = removeItems(s, next, drop) as Record<string, unknown>;
  }
  settle(s, g, o.subresource, live, next, managers, key, o.force);

  const changed = !deepEqual(live, next);
  if (changed) entry.time = nowRfc3339();
  if (entry.set.isEmpty()) managers.delete(key);

  const out = (changed ? next : live) as KObject;
  if (o.manager === 'kubectl' && typeof liveObj?.metadata?.annotations?.[LAST_APPLIED] === 'string') {
    const la = structuredClone(cfg);
    if (isObject(la.metadata) && isObject(la.metadata.annotations)) {
      delete la.metadata.annotations[LAST_APPLIED];
      if (Object.keys(la.metadata.annotations).length === 0) delete la.metadata.annotations;
    }
    out.metadata = { ...(out.metadata ?? {}) };
    out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [LAST_APPLIED]: JSON.stringify(la) + '\n' };
  }
  setManagedFields(out, managers);
  return out;
}

/** A member of drop that still has an owned descendant is not removed whole. */
function keepOwnedDescendants(drop: FieldSet, owned: FieldSet): void {
  for (const [k, c] of drop.children) {
    const o = owned.children.get(k);
    if (!o) continue;
    if (c.self && !o.isEmpty()) c.self = false;
    keepOwnedDescendants(c, o);
  }
  prune(drop);
}

function setManagedFields(obj: KObject, managers: Managers): void {
  const list = encodeManagedFields(managers);
  obj.metadata = { ...(obj.metadata ?? {}) };
  if (list.length) obj.metadata.managedFields = list;
  else delete obj.metadata.managedFields;
}

// ---- update ----

function isResetRequest(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  return v.length === 0 || (v.length === 1 && isObject(v[0]) && Object.keys(v[0]).length === 0);
}

/**
 * Ownership for an ordinary write (create, update, non-apply patch) by `manager`: the fields this
 * write adds or changes become the manager's Update entry and leave every other manager; fields
 * it removes leave every manager. A write that changes nothing leaves managedFields as they were.
 * A client may replace managedFields itself (a non-empty list it sends is kept, `[]` or `[{}]`
 * clears them); on a subresource the live object's entries are always used. newObj is not modified;
 * the result shares everything but its top level and metadata with it.
 */
export function updateWithOwnership(oldObj: KObject | undefined, newObj: KObject, manager: string, g: Gvk, subresource?: string): KObject {
  const s = schemaForGvk(g);
  const apiVersion = apiVersionOf(g);
  const sent = newObj.metadata?.managedFields;
  let managers: Managers;
  if (subresource) managers = decodeManagedFields(oldObj?.metadata?.managedFields) ?? new Map();
  else if (isResetRequest(sent)) managers = new Map();
  else {
    const fromNew = decodeManagedFields(sent);
    managers = fromNew && fromNew.size ? fromNew : decodeManagedFields(oldObj?.metadata?.managedFields) ?? new Map();
  }
  const next = viewWithoutManagedFields(newObj);
  let changed: FieldSet;
  if (!oldObj && managers.size === 0) {
    // A create nobody else owns fields of: every field it sets is this manager's, and there is
    // nothing to settle with other managers.
    changed = filterSet(addedFields(s, next), g, subresource, true);
  } else {
    managers = cloneManagers(managers);
    changed = settle(s, g, subresource, viewWithoutManagedFields(oldObj), next, managers, '\0current-operation', true).changed;
  }
  if (!changed.isEmpty()) {
    const e: ManagerEntry = { manager, operation: 'Update', apiVersion, set: changed, time: nowRfc3339() };
    if (subresource) e.subresource = subresource;
    const key = managerKey(e);
    const prev = managers.get(key);
    if (prev) e.set = prev.set.union(changed);
    managers.set(key, e);
  }
  // A new top level and metadata (setManagedFields replaces it); the rest is newObj's, not copied.
  const out = { ...newObj };
  setManagedFields(out, managers);
  return out;
}
