// Schema-aware walks over JSON objects for server-side apply: the field set of a value, the
// comparison of two values (added / modified / removed paths), merging an applied configuration
// into a live object, and removing a set of fields. Semantics follow structured-merge-diff:
// structs and maps are granular unless marked atomic; lists are atomic, sets (by value) or maps
// (by key fields). Kinds without a schema (custom resources) are untyped: objects are granular,
// every list is atomic.
import type { SmpFieldMeta, SmpSchemaLookup } from '../schema.ts';
import { deepEqual, isObject } from '../util.ts';
import { FieldSet, pe } from './fieldset.ts';
import type { Path, PathElement } from './fieldset.ts';

export type TypeRef =
  | { k: 'scalar' }
  | { k: 'untyped' }
  | { k: 'struct'; node: SmpSchemaLookup; atomic: boolean }
  | { k: 'map'; elem: string; atomic: boolean }
  | { k: 'list'; elem: string; rel: 'atomic' | 'set' | 'map'; keys: string[] };

type ListRef = TypeRef & { k: 'list' };

export interface Schema {
  root: TypeRef;
  resolve(t: string, meta?: SmpFieldMeta): TypeRef;
}

const SCALARS = new Set(['string', 'int', 'number', 'bool', 'scalar']);

export function schemaFrom(root: SmpSchemaLookup | undefined, objectMeta: SmpSchemaLookup | undefined): Schema {
  const anyNode = root ?? objectMeta;
  const resolve = (t: string, meta?: SmpFieldMeta): TypeRef => {
    if (t.startsWith('[]')) {
      let rel: 'atomic' | 'set' | 'map' = 'atomic';
      let keys: string[] = [];
      if (meta?.lt === 'map') { rel = 'map'; keys = meta.lk ?? (meta.mk ? [meta.mk] : []); }
      else if (meta?.lt === 'set') rel = 'set';
      else if (!meta?.lt && meta?.ps?.split(',').includes('merge')) {
        if (meta.mk) { rel = 'map'; keys = [meta.mk]; } else rel = 'set';
      }
      if (rel === 'map' && keys.length === 0) rel = 'atomic';
      return { k: 'list', elem: t.slice(2), rel, keys };
    }
    if (t.startsWith('map[]')) return { k: 'map', elem: t.slice(5), atomic: meta?.mt === 'atomic' };
    if (SCALARS.has(t)) return { k: 'scalar' };
    if (t === 'any' || !anyNode) return { k: 'untyped' };
    const node = anyNode.node(t);
    if (node.shape() !== 'object') return { k: 'untyped' };
    return { k: 'struct', node, atomic: node.structType() === 'atomic' || meta?.st === 'atomic' };
  };
  // Type references are looked up once per type (and per field's metadata): walks resolve every field they meet.
  const plain = new Map<string, TypeRef>();
  const ofField = new WeakMap<SmpFieldMeta, TypeRef>();
  const cached = (t: string, meta?: SmpFieldMeta): TypeRef => {
    if (meta === undefined) {
      let r = plain.get(t);
      if (!r) plain.set(t, r = resolve(t));
      return r;
    }
    if (meta.t !== t) return resolve(t, meta);
    let r = ofField.get(meta);
    if (!r) ofField.set(meta, r = resolve(t, meta));
    return r;
  };
  const rootRef: TypeRef = root ? cached(root.type) : { k: 'untyped' };
  return { root: rootRef, resolve: cached };
}

let objectMetaType: string | undefined;

/** The type of a child of an object node; isField says whether it is a declared struct field. */
export function childType(s: Schema, t: TypeRef, key: string, isRoot: boolean): { type: TypeRef; isField: boolean } {
  if (t.k === 'struct') {
    const meta = t.node.field(key);
    if (meta) return { type: s.resolve(meta.t, meta), isField: true };
    return { type: { k: 'untyped' }, isField: false };
  }
  if (t.k === 'map') return { type: s.resolve(t.elem), isField: false };
  // untyped: the root of a custom resource still has ObjectMeta.
  if (isRoot && key === 'metadata') {
    objectMetaType ??= 'meta/v1.ObjectMeta';
    const r = s.resolve(objectMetaType);
    if (r.k === 'struct') return { type: r, isField: true };
  }
  return { type: { k: 'untyped' }, isField: false };
}

function isAtomic(t: TypeRef): boolean {
  return t.k === 'scalar' || (t.k === 'struct' && t.atomic) || (t.k === 'map' && t.atomic) || (t.k === 'list' && t.rel === 'atomic');
}

/** Whether a value is walked as an object (granular) under this type. */
function walksObject(t: TypeRef, v: unknown): v is Record<string, unknown> {
  return isObject(v) && (t.k === 'struct' || t.k === 'map' || t.k === 'untyped') && !isAtomic(t);
}
function walksList(t: TypeRef, v: unknown): v is unknown[] {
  return Array.isArray(v) && t.k === 'list' && t.rel !== 'atomic';
}

/** The path element of a list item; the list's default for a missing `protocol` key is "TCP". */
export function itemElement(t: TypeRef & { k: 'list' }, item: unknown, index: number): PathElement {
  if (t.rel === 'set') return isObject(item) || Array.isArray(item) ? pe.index(index) : pe.value(item ?? null);
  if (!isObject(item)) return pe.index(index);
  const key: Record<string, unknown> = {};
  for (const k of t.keys) {
    if (Object.hasOwn(item, k) && item[k] !== null) key[k] = item[k];
    else if (k === 'protocol') key[k] = 'TCP';
  }
  return Object.keys(key).length ? pe.key(key) : pe.index(index);
}

function indexList(t: TypeRef & { k: 'list' }, list: unknown[]): { order: PathElement[]; items: Map<PathElement, unknown> } {
  const order: PathElement[] = [];
  const items = new Map<PathElement, unknown>();
  list.forEach((item, i) => {
    const e = itemElement(t, item, i);
    if (items.has(e)) return; // repeated items: the first one wins
    items.set(e, item);
    order.push(e);
  });
  return { order, items };
}

// ---- field set of a value ----

export function toFieldSet(s: Schema, v: unknown): FieldSet {
  const set = new FieldSet();
  walkSet(s, s.root, v, [], set, true);
  return set;
}

function walkSet(s: Schema, t: TypeRef, v: unknown, path: Path, set: FieldSet, isRoot: boolean): void {
  if (walksObject(t, v)) {
    for (const [key, child] of Object.entries(v)) {
      const { type, isField } = childType(s, t, key, isRoot);
      const p = [...path, pe.field(key)];
      walkSet(s, type, child, p, set, false);
      // Map entries are members themselves; declared fields only when null or empty. Keys of
      // untyped objects are treated like declared fields when they hold a non-empty object, as
      // a custom resource with a structural schema would be.
      const emptyOrLeaf = child === null || !isObject(child) || Object.keys(child).length === 0;
      if (isField ? child === null || (isObject(child) && Object.keys(child).length === 0) : t.k === 'map' || emptyOrLeaf) set.insert(p);
    }
    return;
  }
  if (walksList(t, v)) {
    const lt = t as ListRef;
    const elemType = s.resolve(lt.elem);
    v.forEach((item, i) => {
      const p = [...path, itemElement(lt, item, i)];
      walkSet(s, elemType, item, p, set, false);
      set.insert(p);
    });
    return;
  }
  if (Array.isArray(v) && t.k === 'list' && t.rel !== 'atomic') return;
  if (isObject(v) && (t.k === 'struct' || t.k === 'map') && !isAtomic(t)) return;
  if (path.length) set.insert(path);
}

// ---- comparison ----

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

export function compare(s: Schema, lhs: unknown, rhs: unknown): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(s, s.root, lhs, rhs, [], c, true, false);
  return c;
}

function hasOwnKeys(v: Record<string, unknown>): boolean {
  for (const k in v) if (Object.hasOwn(v, k)) return true;
  return false;
}

function isEmptyContainer(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && !hasOwnKeys(v));
}

/**
 * compare(s, {}, v).added, without the comparison's bookkeeping: the fields a create sets. The same
 * walk as walkCompare with nothing on the left (every member is new).
 */
export function addedFields(s: Schema, v: Record<string, unknown>): FieldSet {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  if (!walksObject(s.root, {}) || !hasOwnKeys(v)) { walkCompare(s, s.root, {}, v, [], c, true, false); return c.added; }
  const path: Path = [];
  for (const key of Object.keys(v)) {
    const { type, isField } = childType(s, s.root, key, true);
    path.push(pe.field(key));
    walkAdded(s, type, v[key], path, c.added, isField && type.k === 'struct');
    path.pop();
  }
  return c.added;
}

function walkAdded(s: Schema, t: TypeRef, v: unknown, path: Path, added: FieldSet, isStructField: boolean): void {
  if (v === undefined) return;
  if (walksObject(t, v) && hasOwnKeys(v)) {
    for (const key of Object.keys(v)) {
      const { type, isField } = childType(s, t, key, false);
      path.push(pe.field(key));
      walkAdded(s, type, v[key], path, added, isField && type.k === 'struct');
      path.pop();
    }
    if (!isStructField) added.insert(path);
    return;
  }
  if (walksList(t, v) && v.length > 0) {
    const lt = t as ListRef;
    const elemType = s.resolve(lt.elem);
    const { order, items } = indexList(lt, v);
    for (const e of order) {
      path.push(e);
      walkAdded(s, elemType, items.get(e), path, added, false);
      path.pop();
    }
    added.insert(path);
    return;
  }
  added.insert(path);
}

function compareLeaf(lhs: unknown, rhs: unknown, path: Path, c: Comparison): void {
  if (!path.length) return;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
}

/** `path` is one array pushed and popped along the walk (FieldSet.insert copies what it keeps). */
function walkCompare(s: Schema, t: TypeRef, lhs: unknown, rhs: unknown, path: Path, c: Comparison, isRoot: boolean, isStructField: boolean): void {
  if (lhs === undefined && rhs === undefined) return;
  const lObj = lhs === undefined || walksObject(t, lhs);
  const rObj = rhs === undefined || walksObject(t, rhs);
  const lList = lhs === undefined || walksList(t, lhs);
  const rList = rhs === undefined || walksList(t, rhs);
  const granularObject = lObj && rObj && (isObject(lhs) || isObject(rhs));
  const granularList = lList && rList && (Array.isArray(lhs) || Array.isArray(rhs));
  if ((!granularObject && !granularList) || (isEmptyContainer(lhs) && isEmptyContainer(rhs))) { compareLeaf(lhs, rhs, path, c); return; }
  if (granularObject) {
    const l = (lhs ?? {}) as Record<string, unknown>, r = (rhs ?? {}) as Record<string, unknown>;
    const keys = lhs === undefined ? Object.keys(r) : rhs === undefined ? Object.keys(l) : new Set([...Object.keys(l), ...Object.keys(r)]);
    for (const key of keys) {
      const { type, isField } = childType(s, t, key, isRoot);
      path.push(pe.field(key));
      walkCompare(s, type, Object.hasOwn(l, key) ? l[key] : undefined, Object.hasOwn(r, key) ? r[key] : undefined, path, c, false, isField && type.k === 'struct');
      path.pop();
    }
  } else {
    const lt = t as ListRef;
    const elemType = s.resolve(lt.elem);
    const l = indexList(lt, (lhs ?? []) as unknown[]), r = indexList(lt, (rhs ?? []) as unknown[]);
    const keys = new Set([...l.order, ...r.order]);
    for (const e of keys) {
      path.push(e);
      walkCompare(s, elemType, l.items.get(e), r.items.get(e), path, c, false, false);
      path.pop();
    }
  }
  // The container itself appears or disappears (structs reached as fields are always present in
  // upstream's typed objects, so they are not recorded).
  if (path.length && !isStructField) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

// ---- merge (the applied configuration wins) ----

export function merge(s: Schema, lhs: unknown, rhs: unknown): unknown {
  return walkMerge(s, s.root, lhs, rhs, true);
}

function clone<T>(v: T): T { return v === undefined ? v : structuredClone(v); }

function walkMerge(s: Schema, t: TypeRef, lhs: unknown, rhs: unknown, isRoot: boolean): unknown {
  if (rhs === undefined) return clone(lhs);
  if (lhs === undefined || lhs === null || rhs === null) return clone(rhs);
  if (walksObject(t, lhs) && walksObject(t, rhs)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(lhs)) out[k] = clone(v);
    for (const [k, v] of Object.entries(rhs)) {
      const { type } = childType(s, t, k, isRoot);
      out[k] = walkMerge(s, type, Object.hasOwn(lhs, k) ? lhs[k] : undefined, v, false);
    }
    return out;
  }
  if (walksList(t, lhs) && walksList(t, rhs)) {
    const lt = t as ListRef;
    const elemType = s.resolve(lt.elem);
    const l = indexList(lt, lhs), r = indexList(lt, rhs);
    const out: unknown[] = [];
    const mergeItem = (e: PathElement) => out.push(walkMerge(s, elemType, l.items.get(e), r.items.get(e), false));
    // Items shared by both lists follow the applied order; items only in the live list keep their
    // place relative to them (structured-merge-diff's ordering).
    const shared = r.order.filter((e) => l.items.has(e));
    let si = 0;
    let li = 0, ri = 0;
    while (li < l.order.length || ri < r.order.length) {
      if (li < l.order.length && ri < r.order.length) {
        const e = l.order[li];
        if (e === r.order[ri]) {
          mergeItem(e); li++; ri++;
          if (si < shared.length && shared[si] === e) si++;
          continue;
        }
        if (r.items.has(e) && si < shared.length && shared[si] !== e) { li++; continue; }
      }
      if (li < l.order.length && !r.items.has(l.order[li])) { mergeItem(l.order[li]); li++; continue; }
      if (ri < r.order.length) {
        const e = r.order[ri];
        mergeItem(e); ri++;
        if (si < shared.length && shared[si] === e) si++;
        continue;
      }
      li++;
    }
    return out;
  }
  return clone(rhs);
}

// ---- removal ----

/** A copy of v without the members of set (containers emptied by the removal are dropped). */
export function removeItems(s: Schema, v: unknown, set: FieldSet): unknown {
  return walkRemove(s, s.root, v, set, true);
}

function walkRemove(s: Schema, t: TypeRef, v: unknown, set: FieldSet, isRoot: boolean): unknown {
  if (set.children.size === 0) return clone(v);
  if (isObject(v) && t.k !== 'scalar' && t.k !== 'list') {
    const out: Record<string, unknown> = {};
    let removed = false;
    for (const [k, child] of Object.entries(v)) {
      const sub = set.children.get(pe.field(k));
      if (!sub) { out[k] = clone(child); continue; }
      if (sub.self) { removed = true; continue; }
      const { type } = childType(s, t, k, isRoot);
      const r = walkRemove(s, type, child, sub, false);
      if (r === undefined) { removed = true; continue; }
      out[k] = r;
    }
    return removed && Object.keys(out).length === 0 && !isRoot ? undefined : out;
  }
  if (Array.isArray(v) && t.k === 'list') {
    const elemType = s.resolve(t.elem);
    const out: unknown[] = [];
    let removed = false;
    v.forEach((item, i) => {
      const sub = set.children.get(itemElement(t, item, i));
      if (!sub) { out.push(clone(item)); return; }
      if (sub.self) { removed = true; return; }
      const r = walkRemove(s, elemType, item, sub, false);
      if (r === undefined) { removed = true; return; }
      out.push(r);
    });
    return removed && out.length === 0 ? undefined : out;
  }
  return clone(v);
}
