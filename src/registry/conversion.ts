// One stored copy per resource across API versions. A resource served in more than one version (or,
// for Events, in two groups) is stored in a single storage version, as upstream does: HPAs as
// autoscaling/v2, events.k8s.io/v1 Events as core/v1 Events. Objects are converted to the storage
// version on the way in and back to the request version on the way out; converted entries are cached
// per stored KeyValue and version, so lists and watch fan-out convert each revision once.
import type { KeyValue } from '../storage/types.ts';
import { StatusError } from '../errors.ts';
import type { ResourceInfo } from './resources.ts';
import { gvString, storageResource } from './resources.ts';
import type { KObject } from './strategy.ts';
import type { Entry } from './codec.ts';
import { decode, entryFor, retains } from './codec.ts';
import { customConversion } from './custom/conversion.ts';
import { convertByWebhook } from './custom/conversion-webhook.ts';
import { wireForm } from './wire-form.ts';
import { lazyModule } from '../util/lazy-module.ts';

/** Schema defaulting of custom objects on read (the schema engine): loaded with the first CRD. */
export const customReadDefaults = lazyModule(new URL('./custom/read-defaults.ts', import.meta.url), () => import('./custom/read-defaults.ts'));
const readDefaults: typeof import('./custom/read-defaults.ts').readDefaults = (r, obj) => customReadDefaults.get().readDefaults(r, obj);

export interface Conversion {
  /** Convert an object of `from`'s version into the storage version (input is not mutated). */
  toStorage(obj: KObject, from: ResourceInfo): KObject;
  /** Convert a storage-version object into `to`'s version (input is not mutated). */
  fromStorage(obj: KObject, to: ResourceInfo): KObject;
}

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

// ---------------- HorizontalPodAutoscaler: autoscaling/v1 ↔ autoscaling/v2 ----------------

export const HPA_METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
export const HPA_CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const HPA_CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
export const HPA_BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';
const HPA_ANNOTATIONS = [HPA_METRICS, HPA_CURRENT_METRICS, HPA_CONDITIONS, HPA_BEHAVIOR];

const isCpuUtilizationTarget = (m: any) => isObj(m) && m.type === 'Resource' && isObj(m.resource) && m.resource.name === 'cpu'
  && isObj(m.resource.target) && m.resource.target.type === 'Utilization' && m.resource.target.averageUtilization !== undefined;

function parseAnnotation(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try { return JSON.parse(v); } catch { return undefined; }
}

/** autoscaling/v2 → autoscaling/v1. Metrics v1 cannot express travel in annotations. */
export function hpaV2ToV1(src: KObject): KObject {
  const v2 = clone(src);
  const { apiVersion: _a, kind: _k, metadata, spec, status, ...rest } = v2;
  const annotations: Record<string, string> = { ...(metadata?.annotations ?? {}) };
  for (const a of HPA_ANNOTATIONS) delete annotations[a];
  const out: KObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { ...metadata }, ...rest };
  if (isObj(spec)) {
    const { metrics, behavior, ...specRest } = spec;
    const s: Record<string, any> = { ...specRest };
    const list = Array.isArray(metrics) ? metrics : [];
    const cpu = list.find(isCpuUtilizationTarget);
    if (cpu) s.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
    const others = list.filter((m) => m !== cpu);
    if (others.length) annotations[HPA_METRICS] = JSON.stringify(others);
    if (behavior !== undefined && behavior !== null) annotations[HPA_BEHAVIOR] = JSON.stringify(behavior);
    out.spec = s;
  } else if (spec !== undefined) out.spec = spec;
  if (isObj(status)) {
    const { currentMetrics, conditions, ...statusRest } = status;
    const st: Record<string, any> = { ...statusRest };
    const cur = Array.isArray(currentMetrics) ? currentMetrics : [];
    const cpu = cur.find((m: any) => isObj(m) && m.type === 'Resource' && isObj(m.resource) && m.resource.name === 'cpu' && isObj(m.resource.current) && m.resource.current.averageUtilization !== undefined);
    if (cpu) st.currentCPUUtilizationPercentage = cpu.resource.current.averageUtilization;
    if (cur.length) annotations[HPA_CURRENT_METRICS] = JSON.stringify(cur);
    if (Array.isArray(conditions) && conditions.length) annotations[HPA_CONDITIONS] = JSON.stringify(conditions);
    out.status = st;
  } else if (status !== undefined) out.status = status;
  if (Object.keys(annotations).length) out.metadata.annotations = annotations; else delete out.metadata.annotations;
  return out;
}

/** autoscaling/v1 → autoscaling/v2, restoring what the annotations carry. */
export function hpaV1ToV2(src: KObject): KObject {
  const v1 = clone(src);
  const { apiVersion: _a, kind: _k, metadata, spec, status, ...rest } = v1;
  const meta: any = isObj(metadata) ? { ...metadata } : metadata;
  const annotations: Record<string, string> = isObj(meta?.annotations) ? { ...meta.annotations } : {};
  const otherMetrics = parseAnnotation(annotations[HPA_METRICS]);
  const currentMetrics = parseAnnotation(annotations[HPA_CURRENT_METRICS]);
  const conditions = parseAnnotation(annotations[HPA_CONDITIONS]);
  const behavior = parseAnnotation(annotations[HPA_BEHAVIOR]);
  for (const a of HPA_ANNOTATIONS) delete annotations[a];
  if (isObj(meta)) { if (Object.keys(annotations).length) meta.annotations = annotations; else delete meta.annotations; }
  const out: KObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta, ...rest };
  if (isObj(spec)) {
    const { targetCPUUtilizationPercentage: cpu, ...specRest } = spec;
    const s: Record<string, any> = { ...specRest };
    const metrics: any[] = [];
    if (cpu !== undefined && cpu !== null) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
    if (Array.isArray(otherMetrics)) metrics.push(...otherMetrics);
    // v1 had an implicit 80% CPU target; v2 states it (as upstream's conversion does).
    if (!metrics.length) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } });
    s.metrics = metrics;
    if (isObj(behavior)) s.behavior = behavior;
    out.spec = s;
  } else if (spec !== undefined) out.spec = spec;
  if (isObj(status)) {
    const { currentCPUUtilizationPercentage: cur, ...statusRest } = status;
    const st: Record<string, any> = { ...statusRest };
    if (Array.isArray(currentMetrics)) st.currentMetrics = currentMetrics;
    else if (cur !== undefined && cur !== null) st.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }];
    if (Array.isArray(conditions)) st.conditions = conditions;
    out.status = st;
  } else if (status !== undefined) out.status = status;
  return out;
}

// ---------------- Event: core/v1 ↔ events.k8s.io/v1 ----------------

/** core/v1 field ↔ events.k8s.io/v1 field, for fields that are renamed or copied as they are. */
const EVENT_FIELDS: [string, string][] = [
  ['involvedObject', 'regarding'],
  ['related', 'related'],
  ['message', 'note'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
  ['action', 'action'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
];

function copyFields(src: Record<string, any>, dst: Record<string, any>, pairs: [string, string][]): void {
  for (const [from, to] of pairs) if (src[from] !== undefined) dst[to] = clone(src[from]);
}

function seriesOf(s: unknown): Record<string, any> | undefined {
  if (!isObj(s)) return undefined;
  const out: Record<string, any> = {};
  if (s.count !== undefined) out.count = s.count;
  if (s.lastObservedTime !== undefined) out.lastObservedTime = s.lastObservedTime;
  return out;
}

/** core/v1 Event → events.k8s.io/v1 Event. */
export function eventCoreToV1(src: KObject): KObject {
  const out: KObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: clone(src.metadata) };
  copyFields(src, out, EVENT_FIELDS);
  if (isObj(src.source)) {
    const ds: Record<string, any> = {};
    if (src.source.component !== undefined) ds.component = src.source.component;
    if (src.source.host !== undefined) ds.host = src.source.host;
    out.deprecatedSource = ds;
  }
  const series = seriesOf(src.series);
  if (series) out.series = series;
  return out;
}

/** events.k8s.io/v1 Event → core/v1 Event. */
export function eventV1ToCore(src: KObject): KObject {
  const out: KObject = { apiVersion: 'v1', kind: 'Event', metadata: clone(src.metadata) };
  copyFields(src, out, EVENT_FIELDS.map(([a, b]) => [b, a]));
  if (isObj(src.deprecatedSource)) {
    const s: Record<string, any> = {};
    if (src.deprecatedSource.component !== undefined) s.component = src.deprecatedSource.component;
    if (src.deprecatedSource.host !== undefined) s.host = src.deprecatedSource.host;
    out.source = s;
  }
  const series = seriesOf(src.series);
  if (series) out.series = series;
  return out;
}

// ---------------- the table ----------------

/** Conversions keyed by group/resource of the served version that differs from storage. */
const CONVERSIONS: Record<string, Conversion> = {
  'autoscaling/horizontalpodautoscalers': {
    toStorage: (obj, from) => (from.version === 'v1' ? hpaV1ToV2(obj) : obj),
    fromStorage: (obj, to) => (to.version === 'v1' ? hpaV2ToV1(obj) : obj),
  },
  'events.k8s.io/events': {
    toStorage: (obj) => eventV1ToCore(obj),
    fromStorage: (obj) => eventCoreToV1(obj),
  },
};

/** The conversion for a resource, when it is served in a version other than its storage version. */
export function conversionFor(r: ResourceInfo): Conversion | undefined {
  if (r.custom) return r.version === r.custom.def.storageVersion ? undefined : customConversion;
  const c = CONVERSIONS[`${r.group}/${r.resource}`];
  if (!c) return undefined;
  const sr = storageResource(r);
  if (sr.group === r.group && sr.version === r.version) return undefined;
  return c;
}

export { storageResource };

/** Object in storage version → `r`'s version, keeping apiVersion, kind and metadata first. */
export function toVersion(obj: KObject, r: ResourceInfo): KObject {
  // A custom object stored in an earlier storage version is converted even when read in the current one.
  const c = conversionFor(r) ?? (r.custom ? customConversion : undefined);
  if (!c || !isObj(obj)) return obj;
  const { apiVersion: _a, kind: _k, metadata, ...rest } = c.fromStorage(obj, r);
  // In the wire form of the version asked for (struct order, Go zero values), as upstream encodes it.
  return wireForm({ kind: r.kind, apiVersion: gvString(r), metadata, ...rest });
}

/** Object in `r`'s version → storage version. */
export function toStorageVersion(obj: KObject, r: ResourceInfo): KObject {
  const c = conversionFor(r);
  if (!c || !isObj(obj)) return obj;
  const sr = storageResource(r);
  const { apiVersion: _a, kind: _k, metadata, ...rest } = c.toStorage(obj, r);
  return { apiVersion: gvString(sr), kind: sr.kind, metadata, ...rest };
}

const converted = new WeakMap<KeyValue, Map<string, Entry>>();

/** The decoded entry of a stored KeyValue as `r`'s version; conversions are cached per KeyValue and version. */
export function decodeAs(kv: KeyValue, r: ResourceInfo): Entry {
  const e = decode(kv);
  const convert = !!conversionFor(r) || (!!r.custom && e.obj.apiVersion !== gvString(r));
  // Custom objects are also defaulted on read (a copy, only when a default is missing).
  const defaulted = r.custom && !convert ? readDefaults(r, e.obj) : e.obj;
  if (!convert && defaulted === e.obj) return e;
  const gv = gvString(r);
  // A custom resource's conversion depends on its definition (strategy, storage version), which the
  // CRD's updates change, and on how it is read (storedAsIs reads with no webhook, for internal work
  // on every object): the cache is per definition and strategy too, so such a read is never served
  // to the API, nor one made through an older definition.
  const def = r.custom?.def;
  const key = def ? `${gv}#${def.crd?.metadata?.resourceVersion ?? ''}#${def.conversion}#${def.storageVersion}` : gv;
  let m = converted.get(kv);
  const hit = m?.get(key);
  if (hit) return hit;
  const byWebhook = convert && needsWebhook(r) ? webhookConverted.get(kv)?.get(gv) : undefined;
  const out = entryFor(byWebhook ? readDefaults(r, inVersion(byWebhook, r))
    : convert ? (r.custom ? readDefaults(r, toVersion(e.obj, r)) : toVersion(e.obj, r)) : defaulted, e.rev);
  if (!retains(kv)) return out;
  if (!m) converted.set(kv, m = new Map());
  m.set(key, out);
  return out;
}

// ---------------- conversion webhooks (custom resources, strategy Webhook) ----------------

const needsWebhook = (r: ResourceInfo) => r.custom?.def.conversion === 'Webhook';
/** What the webhook answered per stored KeyValue and version (decodeAs reads it). */
const webhookConverted = new WeakMap<KeyValue, Map<string, KObject>>();

function inVersion(obj: KObject, r: ResourceInfo): KObject {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
  return wireForm({ kind: r.kind, apiVersion: gvString(r), metadata, ...rest });
}

/**
 * Before decodeAs reads stored objects as `r`: objects of a CRD with a conversion webhook that are in
 * another version are converted in one ConversionReview (a list page in one call, as upstream converts
 * a list). Nothing to do for other resources.
 */
export async function prepareConversions(kvs: readonly KeyValue[], r: ResourceInfo, asList = false): Promise<void> {
  if (!needsWebhook(r) || !kvs.length) return;
  const gv = gvString(r);
  const todo = kvs.filter((kv) => decode(kv).obj.apiVersion !== gv && !webhookConverted.get(kv)?.has(gv));
  if (!todo.length) return;
  const def = r.custom!.def;
  const out = await convertByWebhook(def, todo.map((kv) => decode(kv).obj), r.version, asList ? def.listKind : undefined);
  todo.forEach((kv, i) => {
    let m = webhookConverted.get(kv);
    if (!m) webhookConverted.set(kv, m = new Map());
    m.set(gv, out[i]);
  });
}

/** toStorageVersion, through the conversion webhook where the CRD has one. */
export async function toStorageVersionAsync(obj: KObject, r: ResourceInfo): Promise<KObject> {
  if (!needsWebhook(r) || !conversionFor(r) || !isObj(obj)) return toStorageVersion(obj, r);
  const def = r.custom!.def;
  const [out] = await convertByWebhook(def, [{ ...obj, apiVersion: gvString(r), kind: def.kind }], def.storageVersion);
  return out;
}

/** toVersion, through the conversion webhook where the CRD has one. */
export async function toVersionAsync(obj: KObject, r: ResourceInfo): Promise<KObject> {
  if (!needsWebhook(r) || !isObj(obj)) return toVersion(obj, r);
  if (obj.apiVersion === gvString(r)) return inVersion(obj, r);
  const [out] = await convertByWebhook(r.custom!.def, [obj], r.version);
  return inVersion(out, r);
}

/** Converts an object between two versions of one resource (admission webhooks registered for another version). */
export async function convertBetween(obj: KObject, from: ResourceInfo, to: ResourceInfo): Promise<KObject> {
  if (from === to) return obj;
  const stored = from === storageResource(from) ? obj : await toStorageVersionAsync(obj, from);
  return to === storageResource(to) ? stored : toVersionAsync(stored, to);
}

/** An entry (not from a KeyValue, e.g. a write's result) as `r`'s version. */
export function entryAs(e: Entry, r: ResourceInfo): Entry {
  return conversionFor(r) ? entryFor(toVersion(e.obj, r), e.rev) : e;
}

/**
 * An error raised while writing `r` as its storage resource names the resource the client asked for
 * (events.events.k8s.io, not events), as upstream's errors do. Errors about other resources pass.
 */
export function relabelError(e: unknown, r: ResourceInfo): unknown {
  const sr = storageResource(r);
  if (!(e instanceof StatusError) || sr.group === r.group) return e;
  const d = e.status.details;
  if (!d || (d.group ?? '') !== sr.group || (d.kind !== sr.resource && d.kind !== sr.kind)) return e;
  const from = [`${sr.resource} `, `${sr.kind} `];
  const to = [`${r.resource}.${r.group} `, `${r.kind}.${r.group} `];
  let msg = e.status.message ?? '';
  for (let i = 0; i < from.length; i++) {
    if (msg.startsWith(from[i])) { msg = to[i] + msg.slice(from[i].length); break; }
    const on = `Operation cannot be fulfilled on ${from[i]}`;
    if (msg.startsWith(on)) { msg = `Operation cannot be fulfilled on ${to[i]}` + msg.slice(on.length); break; }
  }
  const out = new StatusError(e.status.code, e.status.reason ?? '', msg, { ...d, group: r.group || undefined, kind: d.kind === sr.resource ? r.resource : r.kind });
  return out;
}
