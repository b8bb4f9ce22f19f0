// Strategic merge patch, following k8s.io/apimachinery pkg/util/strategicpatch (apply side only,
// with the apiserver's options: parallel delete lists are applied, unmatched nulls are ignored).
//
// Per field, the generated table gives the patch strategy (`merge`, `retainKeys`, or the default:
// maps merge, lists are replaced) and the merge key of lists of objects. Directives:
//   {"$patch":"replace"} / {"$patch":"delete"} in a map; list items {"$patch":"delete", <key>:…} and
//   {"$patch":"replace"}; "$deleteFromPrimitiveList/<field>": [...]; "$setElementOrder/<field>": [...];
//   "$retainKeys": [...].
// Errors: upstream maps its "bad patch format" errors to 400 and "list of lists"/"retainKeys mismatch"
// to 422; its remaining errors (unknown $patch value, missing merge key, mixed element types …) surface
// as 500 upstream. Here those are 400 BadRequest with upstream's message, since they are the client's fault.
import { StatusError, errors } from '../errors.ts';
import type { SmpSchemaLookup } from './schema.ts';
import { goFmt, goType, isObject } from './util.ts';
import { setOwn } from '../util/own.ts';

type Obj = Record<string, unknown>;

const DIRECTIVE = '$patch';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';
const RETAIN_KEYS = '$retainKeys';

class SmpError extends Error {
  readonly code: number;
  constructor(code: number, message: string) { super(message); this.code = code; }
}
const badFormat = (m: string) => new SmpError(400, m);
const ERR_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_SET_ORDER = 'invalid patch format of setElementOrder list';
const errNoMergeKey = (m: unknown, k: string) => new SmpError(400, `map: ${goFmt(m)} does not contain declared merge key: ${k}`);
const errBadArgType = (expected: string, actual: unknown) => new SmpError(400, `expected a ${expected}, but received a ${goType(actual)}`);
const MAP_T = 'map[string]interface {}';
const SLICE_T = '[]interface {}';

type Cat = 'map' | 'slice' | 'nil' | 'string' | 'int64' | 'float64' | 'bool';
function cat(v: unknown): Cat {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

interface FieldPatchMeta { sub: SmpSchemaLookup; strategy: string; mergeKey: string }

function strategyOf(ps: string | undefined): string {
  const parts = ps ? ps.split(',') : [];
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0] === 'retainKeys' ? '' : parts[0];
  if (parts.length === 2 && parts[0] === 'retainKeys') return parts[1];
  if (parts.length === 2 && parts[1] === 'retainKeys') return parts[0];
  throw new SmpError(400, `unexpected patch strategy: [${parts.join(' ')}]`);
}
function metaForStruct(schema: SmpSchemaLookup, key: string): FieldPatchMeta {
  const fm = schema.field(key);
  return { sub: schema.node(fm?.t ?? 'any'), strategy: strategyOf(fm?.ps), mergeKey: fm?.mk ?? '' };
}
function metaForSlice(schema: SmpSchemaLookup, key: string): FieldPatchMeta {
  const fm = schema.field(key);
  return { sub: schema.node(fm?.t ?? 'any').elem(), strategy: strategyOf(fm?.ps), mergeKey: fm?.mk ?? '' };
}

function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    throw badFormat(prefix === DELETE_FROM_PRIMITIVE_LIST ? ERR_PRIMITIVE_LIST : ERR_SET_ORDER);
  }
  return s.slice(i + 1);
}

function handleDirectiveInMergeMap(directive: unknown, patch: Obj): Obj {
  if (directive === 'replace') { delete patch[DIRECTIVE]; return patch; }
  if (directive === 'delete') return {};
  throw new SmpError(400, `unknown patch type: ${goFmt(directive)} in map: ${goFmt(patch)}`);
}

/** Drop maps carrying $patch (and their keys) from a value taken over from the patch. Mutates. */
function removeDirectives(obj: unknown): { v: unknown; keep: boolean } {
  if (isObject(obj)) {
    if (Object.hasOwn(obj, DIRECTIVE)) return { v: undefined, keep: false };
    for (const k of Object.keys(obj)) {
      const r = removeDirectives(obj[k]);
      if (r.keep) setOwn(obj, k, r.v); else delete obj[k];
    }
    return { v: obj, keep: true };
  }
  if (Array.isArray(obj)) {
    const out: unknown[] = [];
    for (const x of obj) { const r = removeDirectives(x); if (r.keep) out.push(r.v); }
    return { v: out, keep: true };
  }
  return { v: obj, keep: true };
}

function discardNulls(v: unknown): void {
  if (isObject(v)) {
    for (const k of Object.keys(v)) { if (v[k] === null) delete v[k]; else discardNulls(v[k]); }
  } else if (Array.isArray(v)) for (const x of v) discardNulls(x);
}

function takePatchValue(original: Obj, k: string, patchV: unknown): void {
  discardNulls(patchV);
  const r = removeDirectives(patchV);
  if (r.keep) setOwn(original, k, r.v); else delete original[k];
}

function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badFormat(ERR_RETAIN_KEYS);
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badFormat(ERR_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function sliceElementCat(...lists: (unknown[] | undefined)[]): Cat {
  let prev: Cat | undefined;
  for (const l of lists) {
    for (const v of l ?? []) {
      const c = cat(v);
      if (prev === undefined) {
        prev = c;
        if (c === 'slice') throw new SmpError(422, 'the server rejected our request due to an error in our request');
      } else if (prev !== c) {
        throw new SmpError(400, `list element types are not identical: [${lists.map((x) => goFmt(x ?? [])).join(' ')}]`);
      }
    }
  }
  if (prev === undefined) throw new SmpError(400, 'no elements in any of the given slices');
  return prev;
}

function mergeKeyOf(item: unknown, mergeKey: string): unknown {
  return isObject(item) ? item[mergeKey] : undefined;
}
function indexIn(list: unknown[], v: unknown, mergeKey: string, kind: Cat): number {
  const val = kind === 'map' ? mergeKeyOf(v, mergeKey) : v;
  return list.findIndex((x) => (kind === 'map' ? mergeKeyOf(x, mergeKey) : x) === val);
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  if (!mergeKey) throw new SmpError(400, 'empty merge key');
  for (const l of lists) for (const item of l) {
    if (!isObject(item)) throw errBadArgType(MAP_T, item);
    if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
  }
}

function extractToDeleteItems(l: unknown[]): { keep: unknown[]; del: unknown[] } {
  const keep: unknown[] = []; const del: unknown[] = [];
  for (const v of l) {
    if (!isObject(v)) throw errBadArgType(MAP_T, v);
    if (v[DIRECTIVE] === 'delete') del.push(v); else keep.push(v);
  }
  return { keep, del };
}

/** Stable insertion sort with upstream's comparator (items missing from `order` sort first). */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: Cat): unknown[] {
  let del: unknown[] = [];
  let items = [...toSort];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, items, order);
    const r = extractToDeleteItems(items);
    items = r.keep; del = r.del;
  }
  const less = (a: unknown, b: unknown) => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) { const ib = indexIn(order, b, mergeKey, kind); if (ib >= 0) return ia < ib; }
    return true;
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j], items[j - 1]); j--) [items[j], items[j - 1]] = [items[j - 1], items[j]];
  }
  return [...items, ...del];
}

function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: Cat): unknown[] {
  const out: unknown[] = [];
  let i = 0; let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]); else out.push(right[j++]);
    }
  }
  return out;
}

function normalizeElementOrder(patch: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string, kind: Cat): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function findByKey(list: unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isObject(v)) throw new SmpError(400, `value for key ${i} is not a map`);
    if (Object.hasOwn(v, key) && v[key] === value) return i;
  }
  return -1;
}

function partition(merged: unknown[], by: unknown[], mergeKey: string): { inPatch: unknown[]; serverOnly: unknown[] } {
  const inPatch: unknown[] = []; const serverOnly: unknown[] = [];
  if (!mergeKey) {
    const set = new Set(by);
    for (const v of merged) (set.has(v) ? inPatch : serverOnly).push(v);
    return { inPatch, serverOnly };
  }
  for (const v of merged) {
    if (!isObject(v)) throw errBadArgType(MAP_T, v);
    if (!Object.hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? inPatch : serverOnly).push(v);
  }
  return { inPatch, serverOnly };
}

/** Upstream edits the live list in place (Go slices share their backing array), and
 * $setElementOrder then orders server-only items by that edited list. `trace.backing` mirrors it. */
interface Trace { backing?: unknown[] }

function mergeSlice(original: unknown[], patch: unknown[], schema: SmpSchemaLookup, mergeKey: string, isDeleteList: boolean, trace?: Trace): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementCat(original, patch);
  let merged: unknown[];
  let orig = original;
  let pat = patch;
  if (kind !== 'map') {
    if (isDeleteList) {
      const del = new Set(patch);
      return original.filter((v) => !del.has(v));
    }
    merged = [];
    for (const v of [...original, ...patch]) if (!merged.includes(v)) merged.push(v);
  } else {
    if (!mergeKey) throw new SmpError(400, `cannot merge lists without merge key for ${schema.type}`);
    // special elements: $patch delete/replace items
    const plain: unknown[] = [];
    let replace = false;
    const backing = [...original];
    let live = backing.length;
    if (trace) trace.backing = backing;
    for (const v of patch) {
      const item = v as Obj;
      if (!Object.hasOwn(item, DIRECTIVE)) { plain.push(v); continue; }
      const d = item[DIRECTIVE];
      if (d === 'delete') {
        if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
        const mv = item[mergeKey];
        for (let k = findByKey(orig, mergeKey, mv); k >= 0; k = findByKey(orig, mergeKey, mv)) {
          orig = [...orig.slice(0, k), ...orig.slice(k + 1)];
          backing.copyWithin(k, k + 1, live);
          live--;
        }
      } else if (d === 'replace') replace = true;
      else if (d === 'merge') throw new SmpError(400, 'merging lists cannot yet be specified in the patch');
      else throw new SmpError(400, `unknown patch type: ${goFmt(d)} in map: ${goFmt(item)}`);
    }
    if (replace) { orig = plain; pat = []; } else pat = plain;
    merged = [...orig];
    for (const v of pat) {
      const item = v as Obj;
      if (!Object.hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      const idx = findByKey(merged, mergeKey, item[mergeKey]);
      if (idx >= 0) merged[idx] = mergeMap(merged[idx] as Obj, item, schema);
      else {
        merged.push(v);
        if (!replace && live < backing.length) backing[live++] = v;
        else live = Infinity;
      }
    }
  }
  const { inPatch, serverOnly } = partition(merged, pat, mergeKey);
  return normalizeElementOrder(inPatch, serverOnly, pat, orig, mergeKey, kind);
}

function mergeSliceHandler(original: unknown, patch: unknown, m: FieldPatchMeta, isDeleteList: boolean, trace?: Trace): unknown[] {
  if (!Array.isArray(original)) throw errBadArgType(SLICE_T, original);
  if (!Array.isArray(patch)) throw errBadArgType(SLICE_T, patch);
  if (m.strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, m.sub, m.mergeKey, isDeleteList, trace);
  return patch;
}

function validatePatchWithSetOrderList(patchList: unknown, setOrder: unknown, mergeKey: string): void {
  if (!Array.isArray(setOrder)) throw badFormat(ERR_SET_ORDER);
  const list = patchList === undefined ? [] : patchList;
  if (!Array.isArray(list)) throw badFormat(ERR_SET_ORDER);
  if (setOrder.length === 0 || list.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(list).keep : list;
  let p = 0; let s = 0;
  while (p < nonDelete.length && s < setOrder.length) {
    const item = nonDelete[p];
    if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) { p++; continue; }
    let equal: boolean;
    if (!mergeKey) equal = item === setOrder[s];
    else {
      const l = item; const r = setOrder[s];
      if (!isObject(l)) throw errBadArgType(MAP_T, l);
      if (!isObject(r)) throw errBadArgType(MAP_T, r);
      if (!Object.hasOwn(l, mergeKey)) throw errNoMergeKey(l, mergeKey);
      if (!Object.hasOwn(r, mergeKey)) throw errNoMergeKey(r, mergeKey);
      equal = l[mergeKey] === r[mergeKey];
    }
    if (equal) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrder.length) {
    throw new SmpError(400, `The order in patch list:\n${goFmt(list)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFmt(setOrder)}\n`);
  }
}

function mergePatchIntoOriginal(original: Obj, patch: Obj, schema: SmpSchemaLookup): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType(SLICE_T, setOrder);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = Object.hasOwn(original, originalKey);
    const foundPatch = Object.hasOwn(patch, originalKey);
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType(SLICE_T, originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType(SLICE_T, patchList);
    const m = metaForSlice(schema, originalKey);
    validatePatchWithSetOrderList(patchList, setOrder, m.mergeKey);
    let merged: unknown[];
    const trace: Trace = {};
    if (foundOriginal && !foundPatch) merged = originalList as unknown[];
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList).v as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalList, patchList, m, false, trace);
    else continue;
    const { inPatch, serverOnly } = partition(merged, setOrder, m.mergeKey);
    const kind = sliceElementCat(originalList as unknown[] | undefined, patchList as unknown[] | undefined);
    const serverOrder = trace.backing ?? (originalList as unknown[] | undefined) ?? [];
    original[originalKey] = normalizeElementOrder(inPatch, serverOnly, setOrder, serverOrder, m.mergeKey, kind);
    delete patch[originalKey];
  }
}

function mergeMap(original: Obj | undefined, patch: Obj, schema: SmpSchemaLookup): Obj {
  if (Object.hasOwn(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  const out: Obj = original ?? {};
  applyRetainKeys(out, patch);
  mergePatchIntoOriginal(out, patch, schema);
  for (let [k, patchV] of Object.entries(patch)) {
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(k, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) { delete out[k]; continue; }
    if (!Object.hasOwn(out, k) || cat(out[k]) !== cat(patchV)) {
      if (!isDeleteList) takePatchValue(out, k, patchV);
      continue;
    }
    const c = cat(patchV);
    if (c === 'map') {
      const m = metaForStruct(schema, k);
      setOwn(out, k, m.strategy !== 'replace' ? mergeMap(out[k] as Obj, patchV as Obj, m.sub) : patchV);
    } else if (c === 'slice') {
      setOwn(out, k, mergeSliceHandler(out[k], patchV, metaForSlice(schema, k), isDeleteList));
    } else {
      setOwn(out, k, patchV);
    }
  }
  return out;
}

/**
 * Remove directive keys that upstream's typed decode would drop (left in values taken over verbatim).
 * Free-form values (RawExtension such as a ControllerRevision's data, JSON, FieldsV1) keep theirs:
 * upstream stores them as given, `$patch` keys included.
 */
function stripDirectives(v: unknown, schema: SmpSchemaLookup | undefined): void {
  if (schema?.shape() === 'any') return;
  if (Array.isArray(v)) { const e = schema?.elem(); for (const x of v) stripDirectives(x, e); return; }
  if (!isObject(v)) return;
  for (const k of Object.keys(v)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER + '/') || k.startsWith(DELETE_FROM_PRIMITIVE_LIST + '/')) delete v[k];
    else {
      // A field the schema does not know is walked without one (typed decode drops it anyway).
      const t = schema?.field(k)?.t;
      stripDirectives(v[k], t ? schema!.node(t) : undefined);
    }
  }
}

const jsonKind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : isObject(v) ? 'object' : typeof v);


/** Apply a strategic merge patch to an object. Inputs are not mutated. */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: SmpSchemaLookup): unknown {
  if (!isObject(patch)) {
    throw errors.badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  const original = isObject(doc) ? (structuredClone(doc) as Obj) : {};
  const p = structuredClone(patch) as Obj;
  let result: Obj;
  try {
    result = mergeMap(original, p, schema);
  } catch (e) {
    if (e instanceof SmpError) {
      if (e.code === 422) throw new StatusError(422, 'Invalid', e.message, {});
      throw errors.badRequest(e.message);
    }
    throw e;
  }
  stripDirectives(result, schema.shape() === 'any' ? undefined : schema);
  // Types are checked by the schema step every patched object goes through (src/api/typed.ts).
  return result;
}
