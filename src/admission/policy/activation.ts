// The values admission expressions see (upstream's evaluationActivation, CreateAdmissionRequest and
// CreateNamespaceObject): object/oldObject as CEL values (null when absent), the request, the
// namespace (only the fields upstream exposes), params, the authorizer and lazily evaluated variables.
// What does not depend on the binding or param is built once per request and shared by every policy.
import { jsonToCel } from '../../cel/values.ts';
import { Authorizer, ResourceCheck, type AuthorizeFn } from '../../cel/library/authz.ts';
import type { CompiledVariable } from '../../cel/admission.ts';
import type { AdmissionAttributes } from '../types.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';

export interface RequestValues {
  namespaceObject: unknown;
  authorizer: Authorizer;
}

export interface ObjectValues {
  object: unknown;
  oldObject: unknown;
}

const NAMESPACE_META = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'finalizers'];

const namespaceValues = new WeakMap<KObject, unknown>();

/** The namespace as CEL sees it: metadata limited to upstream's fields (uid as `UID`), spec and status (cached per cached object). */
export function namespaceValue(ns: KObject | undefined): unknown {
  if (!ns) return null;
  let v = namespaceValues.get(ns);
  if (v === undefined) namespaceValues.set(ns, v = namespaceData(ns));
  return v;
}

function namespaceData(ns: KObject): unknown {
  const meta: Record<string, unknown> = {};
  for (const k of NAMESPACE_META) {
    const v = ns.metadata?.[k];
    if (v !== undefined && v !== null) meta[k === 'uid' ? 'UID' : k] = v;
  }
  return jsonToCel({ metadata: meta, spec: ns.spec ?? {}, status: ns.status ?? {} });
}

/** Values shared by every policy for one request (built on first use). */
export function requestValues(a: AdmissionAttributes, ns: KObject | undefined, authorize: AuthorizeFn): RequestValues {
  const user = { name: a.user.name, uid: a.user.uid, groups: a.user.groups ?? [], extra: a.user.extra };
  const authorizer = new Authorizer(user, authorize);
  const r = a.requestResource;
  authorizer.requestResource = new ResourceCheck(authorizer, r.group, r.resource, { subresource: a.subresource, namespace: a.namespace, name: a.name });
  return { namespaceObject: namespaceValue(ns), authorizer };
}

const sameVersion = (x: ResourceInfo, y: ResourceInfo) => x.group === y.group && x.version === y.version && x.resource === y.resource;

/**
 * `object` and `oldObject` in the version the policy matched (upstream converts the request's
 * object to it): the store holds them in the storage version, converted when another was matched.
 */
export function objectValues(a: AdmissionAttributes, matched: ResourceInfo, convert: (o: KObject, r: ResourceInfo) => KObject): ObjectValues {
  const as = (o: KObject | undefined) => (o === undefined ? null : jsonToCel(sameVersion(matched, a.resource) ? o : convert(o, matched)));
  return {
    object: a.operation === 'DELETE' ? null : as(a.object),
    oldObject: a.operation === 'CREATE' ? null : as(a.oldObject),
  };
}

const gvk = (r: ResourceInfo) => ({ group: r.group, version: r.version, kind: r.kind });
const gvr = (r: ResourceInfo) => ({ group: r.group, version: r.version, resource: r.resource });

/** `request`: the matched (possibly equivalent) kind and resource, and what the client asked for. */
export function requestValue(a: AdmissionAttributes, matched: ResourceInfo): Record<string, unknown> {
  return {
    kind: gvk(matched), resource: gvr(matched), subResource: a.subresource,
    requestKind: gvk(a.requestResource), requestResource: gvr(a.requestResource), requestSubResource: a.subresource,
    name: a.name, namespace: a.namespace, operation: a.operation,
    userInfo: { username: a.user.name, uid: a.user.uid ?? '', groups: a.user.groups ?? [], extra: a.user.extra ?? {} },
    dryRun: a.dryRun, options: jsonToCel(a.options ?? null),
  };
}

/**
 * `variables`: a map whose entries are evaluated on first access, once (an erroring variable only
 * matters to the expressions that read it). Its type is Map so CEL treats it as one.
 */
export function lazyVariables(vars: CompiledVariable[], ctx: Record<string, unknown>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  const done = new Map<string, { v?: unknown; e?: unknown }>();
  const byName = new Map(vars.map((v) => [v.name, v]));
  const get = (k: string): unknown => {
    let d = done.get(k);
    if (!d) {
      const cv = byName.get(k);
      if (!cv) return undefined;
      try {
        if (cv.error) throw new Error(`composited variable "${k}" fails to compile: ${cv.error}`);
        d = { v: cv.program!(ctx) };
      } catch (e) { d = { e }; }
      done.set(k, d);
    }
    if (d.e) throw d.e;
    return d.v;
  };
  Object.defineProperty(m, 'get', { value: get });
  Object.defineProperty(m, 'has', { value: (k: string) => byName.has(k) });
  return m;
}
