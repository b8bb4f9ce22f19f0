// LimitRange rules as upstream's LimitRanger applies them (plugin/pkg/admission/limitranger):
// container defaults (default → limits, defaultRequest → requests) with the kubernetes.io/limit-ranger
// annotation naming what was set, then min / max / maxLimitRequestRatio per Container, per Pod
// (aggregates) and per PersistentVolumeClaim (requests), each refusal worded as upstream's.
import type { KObject } from '../../registry/strategy.ts';
import { canonicalQuantity, quantityMilliExact } from '../../registry/validation/quantity.ts';
import { add, format, fromList } from '../quota/resource-list.ts';
import type { Usage } from '../quota/resource-list.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type List = Record<string, string>;
type Container = { name?: string; resources?: { requests?: List; limits?: List }; restartPolicy?: string };
interface LimitItem { type?: string; max?: List; min?: List; default?: List; defaultRequest?: List; maxLimitRequestRatio?: List }

const items = (lr: KObject): LimitItem[] => (Array.isArray(lr.spec?.limits) ? lr.spec.limits : []);
const milli = (q: string): bigint => quantityMilliExact(q);
const text = (q: string): string => canonicalQuantity(q);
/** A limit item's list as entries sorted by name, once per list (informer objects are never changed). */
const sortedCache = new WeakMap<List, [string, string][]>();
const NONE: [string, string][] = [];
function sortedEntries(l: List | undefined): [string, string][] {
  if (!l || typeof l !== 'object') return NONE;
  let e = sortedCache.get(l);
  if (!e) sortedCache.set(l, e = Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return e;
}

/** Every LimitRange's Container defaults of a namespace, merged in order (later ranges win); undefined when there are none. */
export interface ContainerDefaults {
  limits: [string, string][];
  requests: [string, string][];
  /** What a container stating no resources gets: the lists (copied per container) and their names as the annotation lists them. */
  whole: { limits?: List; requests?: List; limitNames: string; requestNames: string };
}

export function containerDefaults(ranges: KObject[]): ContainerDefaults | undefined {
  const limits: List = {}, requests: List = {};
  for (const lr of ranges) {
    for (const it of items(lr)) {
      if (it.type !== 'Container') continue;
      Object.assign(requests, it.defaultRequest ?? {});
      Object.assign(limits, it.default ?? {});
    }
  }
  const d = { limits: Object.entries(limits), requests: Object.entries(requests) };
  if (!d.limits.length && !d.requests.length) return undefined;
  // Namespaces whose ranges merge to the same defaults (ranges stamped from one template) share one
  // ContainerDefaults: it is only read, and one shared copy stays in the CPU caches across namespaces.
  const key = JSON.stringify(d);
  const known = interned.get(key);
  if (known) return known;
  const whole = {
    limits: d.limits.length ? limits : undefined, requests: d.requests.length ? requests : undefined,
    limitNames: Object.keys(limits).sort().join(', '), requestNames: Object.keys(requests).sort().join(', '),
  };
  const out = { ...d, whole };
  if (interned.size >= INTERNED_MAX) interned.clear();
  interned.set(key, out);
  return out;
}

/** Merged defaults by content (never changed once built). */
const interned = new Map<string, ContainerDefaults>();
const INTERNED_MAX = 1024;

/** Fills missing container requests/limits from the defaults; returns the annotation text parts. */
function defaultContainer(c: Container, defaults: ContainerDefaults, prefix: string, notes: string[]): void {
  const stated = c.resources;
  if (stated === undefined || stated === null || (typeof stated === 'object' && isEmpty(stated))) {
    // Nothing stated (the common case): every default, as the loop below would set them.
    const { whole } = defaults;
    const res: Container['resources'] = {};
    if (whole.limits) res.limits = { ...whole.limits };
    if (whole.requests) res.requests = { ...whole.requests };
    c.resources = res;
    if (whole.requests) notes.push(`${whole.requestNames} request for ${prefix} ${c.name}`);
    if (whole.limits) notes.push(`${whole.limitNames} limit for ${prefix} ${c.name}`);
    return;
  }
  const res = (c.resources ??= {});
  const limits = (res.limits ??= {});
  const requests = (res.requests ??= {});
  let setLimits: string[] | undefined, setRequests: string[] | undefined;
  for (const [k, v] of defaults.limits) if (!(k in limits)) { limits[k] = v; (setLimits ??= []).push(k); }
  for (const [k, v] of defaults.requests) if (!(k in requests)) { requests[k] = v; (setRequests ??= []).push(k); }
  if (isEmpty(limits)) delete res.limits;
  if (isEmpty(requests)) delete res.requests;
  if (isEmpty(res)) delete c.resources;
  if (setRequests) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Mutating step for a pod: every LimitRange's Container defaults, merged in order (later ranges win). */
export function defaultPod(pod: KObject, ranges: KObject[]): void {
  const defaults = containerDefaults(ranges);
  if (defaults) applyContainerDefaults(pod, defaults);
}

/** Mutating step for a pod with its namespace's merged defaults (containerDefaults); whether anything was set. */
export function applyContainerDefaults(pod: KObject, defaults: ContainerDefaults): boolean {
  const notes: string[] = [];
  for (const c of (pod.spec?.containers ?? []) as Container[]) defaultContainer(c, defaults, 'container', notes);
  for (const c of (pod.spec?.initContainers ?? []) as Container[]) defaultContainer(c, defaults, 'init container', notes);
  if (!notes.length) return false;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(pod.metadata.annotations ?? {})) annotations[k] = v as string;
  annotations[LIMIT_RANGER_ANNOTATION] = `LimitRanger plugin set: ${notes.join('; ')}`;
  pod.metadata.annotations = annotations;
  return true;
}

function minConstraint(type: string, name: string, enforced: string, requests: List, limits: List): string | undefined {
  const req = requests[name], lim = limits[name];
  const e = milli(enforced);
  if (req === undefined) return `minimum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`;
  if (milli(req) < e) return `minimum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  if (lim !== undefined && milli(lim) < e) return `minimum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: string, requests: List, limits: List): string | undefined {
  const req = requests[name], lim = limits[name];
  const e = milli(enforced);
  if (lim === undefined) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No limit is specified`;
  if (milli(lim) > e) return `maximum ${name} usage per ${type} is ${text(enforced)}, but limit is ${text(lim)}`;
  if (req !== undefined && milli(req) > e) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: string, requests: List): string | undefined {
  const req = requests[name];
  if (req === undefined) return `maximum ${name} usage per ${type} is ${text(enforced)}.  No request is specified`;
  if (milli(req) > milli(enforced)) return `maximum ${name} usage per ${type} is ${text(enforced)}, but request is ${text(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: string, requests: List, limits: List): string | undefined {
  const req = requests[name], lim = limits[name];
  if (req === undefined || milli(req) === 0n) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no request is specified or request is 0`;
  if (lim === undefined || milli(lim) === 0n) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but no limit is specified or limit is 0`;
  const observed = Number(milli(lim)) / Number(milli(req));
  if (observed * 1000 > Number(milli(enforced))) return `${name} max limit to request ratio per ${type} is ${text(enforced)}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

function checkAll(it: CompiledItem, type: string, requests: List, limits: List, out: string[]): void {
  for (const [k, v] of it.min) { const m = minConstraint(type, k, v, requests, limits); if (m) out.push(m); }
  for (const [k, v] of it.max) { const m = maxConstraint(type, k, v, requests, limits); if (m) out.push(m); }
  for (const [k, v] of it.ratio) { const m = ratioConstraint(type, k, v, requests, limits); if (m) out.push(m); }
}

/** A limit item as pod validation reads it: its type and its min, max and ratio lists sorted by name. */
export interface CompiledItem { type: unknown; min: [string, string][]; max: [string, string][]; ratio: [string, string][] }

/**
 * A LimitRange's items compiled for pod validation. Ranges of the same content (stamped from one
 * template) share one compiled list: it is only read, and one shared copy stays in the CPU caches.
 */
export function compileItems(lr: KObject): CompiledItem[] {
  let c = compiledOf.get(lr);
  if (c) return c;
  const its = items(lr);
  const key = JSON.stringify(its);
  c = compiled.get(key);
  if (!c) {
    c = its.map((it) => ({ type: it?.type, min: sortedEntries(it?.min), max: sortedEntries(it?.max), ratio: sortedEntries(it?.maxLimitRequestRatio) }));
    if (compiled.size >= INTERNED_MAX) compiled.clear();
    compiled.set(key, c);
  }
  compiledOf.set(lr, c);
  return c;
}
/** Compiled items by content, and by stored range (informer objects are never changed). */
const compiled = new Map<string, CompiledItem[]>();
const compiledOf = new WeakMap<KObject, CompiledItem[]>();

/** The lists summed per name as upstream's addResourceList sums them: a sum keeps its first addend's format ("768Mi" + "512Mi" is "1280Mi"). */
function sumLists(lists: List[]): List {
  let acc: Usage = new Map();
  for (const l of lists) acc = add(acc, fromList(l));
  const out: List = {};
  for (const [k, v] of acc) out[k] = format(v);
  return out;
}

/** The pod's aggregate: containers summed, then raised to any init container's own amount (upstream's podRequests/podLimits). */
function podAggregate(pod: KObject, field: 'requests' | 'limits'): List {
  const total = sumLists(((pod.spec?.containers ?? []) as Container[]).map((c) => c.resources?.[field] ?? {}));
  for (const c of (pod.spec?.initContainers ?? []) as Container[]) {
    for (const [k, v] of Object.entries(c.resources?.[field] ?? {})) {
      try { if (total[k] === undefined || milli(v) > milli(total[k])) total[k] = v; } catch { /* refused by validation */ }
    }
  }
  return total;
}

const NO_CONTAINERS: Container[] = [];
/** A container's missing list (only read). */
const EMPTY: List = Object.freeze({}) as List;

/** The refusals one LimitRange gives a pod (empty: allowed). `lr` is a stored object: its lists are never changed (see sortedEntries). */
export function validatePod(pod: KObject, lr: KObject): string[] {
  return validatePodItems(pod, compileItems(lr));
}

/** The refusals a LimitRange (its compiled items, compileItems) gives a pod (empty: allowed). */
export function validatePodItems(pod: KObject, its: CompiledItem[]): string[] {
  const out: string[] = [];
  for (const it of its) {
    if (it.type === 'Container') {
      for (const list of [pod.spec?.containers, pod.spec?.initContainers]) {
        for (const c of (list ?? NO_CONTAINERS) as Container[]) checkAll(it, 'Container', c.resources?.requests ?? EMPTY, c.resources?.limits ?? EMPTY, out);
      }
    }
    if (it.type === 'Pod') checkAll(it, 'Pod', podAggregate(pod, 'requests'), podAggregate(pod, 'limits'), out);
  }
  return out;
}

/** The refusals one LimitRange gives a PersistentVolumeClaim (its requests against min and max). */
export function validateClaim(pvc: KObject, lr: KObject): string[] {
  const out: string[] = [];
  const requests: List = pvc.spec?.resources?.requests ?? {};
  for (const it of items(lr)) {
    if (it.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of sortedEntries(it.min)) { const m = minConstraint('PersistentVolumeClaim', k, v, requests, {}); if (m) out.push(m); }
    for (const [k, v] of sortedEntries(it.max)) { const m = maxRequestConstraint('PersistentVolumeClaim', k, v, requests); if (m) out.push(m); }
  }
  return out;
}

/** Upstream's utilerrors.NewAggregate text: one message as is, several de-duplicated in brackets. */
export function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}
