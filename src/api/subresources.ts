// Subresources served by the API server itself: status, scale, pods/binding, pods/eviction,
// namespaces/finalize. (log, exec, attach, portforward and proxy belong to the simulated kubelet.)
import { errors, field } from '../errors.ts';
import { findResource } from '../registry/resources.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Store } from '../registry/store.ts';
import { clone } from '../registry/codec.ts';
import { rfc3339 } from '../clock.ts';
import { decodeObjectBody, mediaType, readBody, requireObject, yamlBodyDuplicates } from './body.ts';
import { patchObject } from './patch.ts';
import { defaultManager, dryRun, fieldManager } from './handlers.ts';
import { negotiate } from './negotiate.ts';
import { canEncodeProtobuf, send } from './respond.ts';
import type { SubresourceHandler, SubresourceRequest } from './extensions.ts';
import { fromLabelSelectorObject, labelSelectorString } from './selectors.ts';
import { findDuplicateFields } from '../openapi/index.ts';
import { lazyModule } from '../util/lazy-module.ts';
import type { StructuralSchema } from '../schema/types.ts';
import { checkPatched } from './patch.ts';
import { addWarnings, decodeBodyObject, schemaOf, validationMode } from './typed.ts';
import type { Gvk } from './typed.ts';

/**
 * Reads a subresource body, checks its kind and names (checkBody), then puts it through the schema of
 * `gvk` (or `schema`) with the request's fieldValidation, as create/update bodies are.
 */
async function typedBody(s: SubresourceRequest, gvk: Gvk, apiVersions: string[], opts: { checkName?: boolean; schema?: StructuralSchema } = {}): Promise<Record<string, any>> {
  const mode = validationMode(s.query);
  const buf = await readBody(s.req);
  const ct = s.req.headers['content-type'];
  const body = checkBody(s, requireObject(decodeObjectBody(buf, ct, gvk.kind)), gvk.kind, apiVersions, opts.checkName ?? true);
  const type = mediaType(ct);
  const dup = mode !== 'Ignore' && (type === '' || type === 'application/json') ? findDuplicateFields(buf.toString('utf8')) : [];
  return decodeBodyObject(body, gvk, mode, s.res, dup, opts.schema ?? schemaOf(gvk), yamlBodyDuplicates(buf, ct, mode));
}

/** The autoscaling/v1 Scale schema, as the resource's own group-version document carries it. */
function scaleSchema(r: { group: string; version: string }): StructuralSchema | undefined {
  return (r as ResourceInfo).custom ? builtinComponent('autoscaling', 'v1', 'io.k8s.api.autoscaling.v1.Scale') : builtinComponent(r.group, r.version, 'io.k8s.api.autoscaling.v1.Scale');
}
import { protobufAllowed } from './custom-http.ts';
import { customScale, setCustomReplicas } from '../registry/custom/scale.ts';
import type { ResourceInfo } from '../registry/resources.ts';

/** The built-in schemas (Scale, Eviction), loaded on the first subresource write that needs them. */
const builtinSchemas = lazyModule(new URL('../schema/builtin.ts', import.meta.url), () => import('../schema/builtin.ts'));
const builtinComponent: typeof import('../schema/builtin.ts').builtinComponent = (...a) => builtinSchemas.get().builtinComponent(...a);

/**
 * The checks every subresource body gets, as upstream's create/update handlers: kind and apiVersion
 * (when given) must be the expected ones, metadata must be an object, and a name or namespace in
 * the body must match the URL.
 */
function checkBody(s: SubresourceRequest, body: Record<string, any>, kind: string, apiVersions: string[], checkName = true): Record<string, any> {
  if (body.kind !== undefined && body.kind !== '' && body.kind !== kind) {
    throw errors.badRequest(`the kind in the request body (${JSON.stringify(body.kind)}) does not match the expected kind (${kind})`);
  }
  if (body.apiVersion !== undefined && body.apiVersion !== '' && !apiVersions.includes(body.apiVersion)) {
    throw errors.badRequest(`the API version in the data (${JSON.stringify(body.apiVersion)}) does not match the expected API version (${apiVersions[0]})`);
  }
  const m = body.metadata;
  if (m !== undefined && (m === null || typeof m !== 'object' || Array.isArray(m))) throw errors.badRequest('metadata must be an object');
  if (checkName && m?.name !== undefined && m.name !== s.info.name) {
    throw errors.badRequest(`the name of the object (${JSON.stringify(m.name)}) does not match the name on the URL (${s.info.name})`);
  }
  if (s.info.resource.namespaced && m?.namespace !== undefined && m.namespace !== '' && m.namespace !== s.info.namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return body;
}

function ownGV(r: { group: string; version: string }): string { return r.group ? `${r.group}/${r.version}` : r.version; }

function rep(s: SubresourceRequest) { return negotiate(s.req.headers.accept, [], protobufAllowed(s.info.resource, canEncodeProtobuf())); }

function verbs(s: SubresourceRequest, allowed: string[]): void {
  if (!allowed.includes(s.info.verb)) {
    throw errors.methodNotSupported({ group: s.info.resource.group, resource: `${s.info.resource.resource}/${s.info.subresource}` }, s.info.verb);
  }
}

/**
 * GET/PUT/PATCH of a subresource through which a write changes only part of the object (the store's
 * strategy for that subresource decides which part). `recordManager`: a PUT is recorded in
 * managedFields under the caller's field manager, as upstream does for status.
 */
function partialWriteHandler(subresource: 'status' | 'ephemeralcontainers', recordManager: boolean): SubresourceHandler {
  return async (s) => {
    verbs(s, ['get', 'update', 'patch']);
    const { store, info } = s;
    const r = info.resource;
    if (info.verb === 'get') { send(s.res, 200, await store.get(r, info.namespace, info.name), rep(s)); return; }
    if (info.verb === 'update') {
      const body = await typedBody(s, r, [ownGV(r)]);
      const fieldManagerOpt = recordManager ? { fieldManager: fieldManager(s.query) ?? defaultManager(s.req.headers['user-agent']) } : {};
      const { obj } = await store.update(r, info.namespace, info.name, body as KObject, { subresource, dryRun: dryRun(s.query), ...fieldManagerOpt });
      send(s.res, 200, obj, rep(s));
      return;
    }
    const out = await patchObject(s, subresource);
    send(s.res, 200, out.obj, rep(s));
  };
}

/** GET/PUT/PATCH …/status: read or write only the status of the object. */
export const statusHandler = partialWriteHandler('status', true);

/** pods/ephemeralcontainers: the Pod, of which a write changes only spec.ephemeralContainers (see kinds/pod-ephemeral.ts). */
export const ephemeralContainersHandler = partialWriteHandler('ephemeralcontainers', false);

function toScale(obj: KObject): KObject {
  const sel = obj.spec?.selector;
  // ReplicationControllers have a plain map selector; the others a metav1.LabelSelector.
  const reqs = sel && (sel.matchLabels || sel.matchExpressions) ? fromLabelSelectorObject(sel) : fromLabelSelectorObject({ matchLabels: sel ?? {} });
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: labelSelectorString(reqs ?? []) },
  };
}

const SCALE_GVK = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
/** The Scale view of an object: spec.replicas and the selector, or a custom resource's scale paths. */
function scaleView(r: ResourceInfo, obj: KObject): KObject {
  return r.custom?.version.scale ? customScale(r, obj) : toScale(obj);
}

/** …/scale as an autoscaling/v1 Scale. */
export const scaleHandler: SubresourceHandler = async (s) => {
  verbs(s, ['get', 'update', 'patch']);
  const { store, info } = s;
  const r = info.resource;
  if (info.verb === 'get') { send(s.res, 200, scaleView(r, await store.get(r, info.namespace, info.name)), rep(s)); return; }
  const dry = dryRun(s.query);
  let replicas: unknown;
  let rv: string | undefined;
  if (info.verb === 'update') {
    const body = await typedBody(s, SCALE_GVK, ['autoscaling/v1'], { schema: scaleSchema(r) });
    replicas = body.spec?.replicas;
    rv = body.metadata?.resourceVersion;
  } else {
    // Patch the Scale view, then carry spec.replicas over to the object.
    const current = scaleView(r, await store.get(r, info.namespace, info.name));
    const ct = mediaType(s.req.headers['content-type']);
    if (!s.ext.patchTypes.includes(ct) || ct === 'application/apply-patch+yaml') throw errors.unsupportedPatchType(ct, s.ext.patchTypes.filter((t) => t !== 'application/apply-patch+yaml'));
    const body = await readBody(s.req);
    const { obj: patched, warnings } = checkPatched(ct, body, s.ext.applyPatch(ct, clone(current), body, SCALE_GVK, {}), SCALE_GVK, s.query, scaleSchema(r));
    addWarnings(s.res, warnings);
    replicas = patched.spec?.replicas;
    rv = patched.metadata?.resourceVersion !== current.metadata.resourceVersion ? patched.metadata?.resourceVersion : undefined;
  }
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('autoscaling', 'Scale', info.name, [field.invalid('spec.replicas', replicas ?? null, 'must be greater than or equal to 0')]);
  }
  const out = await store.guaranteedUpdate(r, info.namespace, info.name, (cur) => {
    if (rv && rv !== cur.metadata.resourceVersion) throw errors.staleConflict({ group: r.group, resource: r.resource }, info.name);
    if (r.custom) setCustomReplicas(r, cur, replicas); else cur.spec = { ...cur.spec, replicas };
    delete cur.metadata.resourceVersion;
    return cur;
  }, { dryRun: dry });
  send(s.res, 200, scaleView(r, out), rep(s));
};

/** POST pods/{name}/binding (and POST bindings): assign the pod to a node. */
export async function bindPod(store: Store, namespace: string | undefined, binding: Record<string, any>, podName: string, dryRun: boolean): Promise<void> {
  const target = binding.target;
  if (!target || typeof target.name !== 'string' || !target.name) {
    throw errors.invalid('', 'Binding', podName, [field.required('target.name')]);
  }
  const pods = findResource('', 'v1', 'pods')!;
  await store.guaranteedUpdate(pods, namespace, podName, (pod) => {
    if (pod.metadata.deletionTimestamp) throw errors.conflict({ group: '', resource: 'pods' }, podName, 'pod is being deleted, cannot be assigned to a host');
    if (pod.spec?.nodeName) throw errors.conflict({ group: '', resource: 'pods' }, podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = target.name;
    const ann = binding.metadata?.annotations;
    if (ann) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...ann };
    const conds: any[] = pod.status?.conditions ?? [];
    const i = conds.findIndex((c) => c.type === 'PodScheduled');
    const cond = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(store.clock.now()) };
    if (i >= 0) conds[i] = cond; else conds.push(cond);
    pod.status = { ...(pod.status ?? {}), conditions: conds };
    return pod;
  }, { subresource: 'binding', dryRun });
}

export const SUCCESS_201 = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

export const bindingHandler: SubresourceHandler = async (s) => {
  verbs(s, ['create']);
  const body = await typedBody(s, { group: '', version: 'v1', kind: 'Binding' }, ['v1']);
  await bindPod(s.store, s.info.namespace, body, s.info.name, dryRun(s.query));
  send(s.res, 201, SUCCESS_201, rep(s));
};

/** POST pods/{name}/eviction: delete the pod unless a PodDisruptionBudget forbids it. */
export const evictionHandler: SubresourceHandler = async (s) => {
  verbs(s, ['create']);
  const body = await typedBody(s, { group: 'policy', version: 'v1', kind: 'Eviction' }, ['policy/v1', 'policy/v1beta1'], { schema: builtinComponent('', 'v1', 'io.k8s.api.policy.v1.Eviction') });
  const dry = dryRun(s.query);
  const pods = findResource('', 'v1', 'pods')!;
  const pod = await s.store.get(pods, s.info.namespace, s.info.name);
  const pdbs = findResource('policy', 'v1', 'poddisruptionbudgets')!;
  const { items } = await s.store.list(pdbs, s.info.namespace);
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp) {
    for (const e of items) {
      const sel = fromLabelSelectorObject(e.obj.spec?.selector);
      if (!sel || !s.store.matches(pods, pod, sel)) continue;
      // As upstream: the budget is spent (disruptionsAllowed - 1, the pod noted in disruptedPods)
      // before the pod is deleted, so concurrent evictions cannot overdraw it.
      const refuse = (b: KObject) => {
        const err = errors.tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 0);
        err.status.details = { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${b.metadata.name} needs ${b.status?.desiredHealthy ?? 0} healthy pods and has ${b.status?.currentHealthy ?? 0} currently` }] };
        return err;
      };
      const check = (b: KObject) => {
        if ((b.status?.observedGeneration ?? 0) < (b.metadata.generation ?? 1)) {
          const err = errors.tooManyRequests('Cannot evict pod as it would violate the pod\'s disruption budget.', 0);
          err.status.details = { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${b.metadata.name} is still being processed by the server.` }] };
          throw err;
        }
        if ((b.status?.disruptionsAllowed ?? 0) <= 0) throw refuse(b);
      };
      if (dry) { check(e.obj); continue; }
      await s.store.guaranteedUpdate(pdbs, s.info.namespace, e.obj.metadata.name!, (b) => {
        check(b);
        b.status = { ...b.status, disruptionsAllowed: b.status.disruptionsAllowed - 1, disruptedPods: { ...(b.status.disruptedPods ?? {}), [s.info.name]: rfc3339(s.store.clock.now()) } };
        return b;
      }, { subresource: 'status' });
    }
  }
  const opts = body.deleteOptions ?? {};
  let preconditions = opts.preconditions;
  // A resourceVersion precondition holds for the pod as it was before the condition was added (as upstream).
  const rvWanted = preconditions?.resourceVersion;
  if (!dry && (!rvWanted || rvWanted === pod.metadata.resourceVersion)) {
    const rv = await markEvicted(s, pods);
    if (rvWanted) preconditions = { ...preconditions, resourceVersion: rv };
  }
  await s.store.delete(pods, s.info.namespace, s.info.name, { gracePeriodSeconds: opts.gracePeriodSeconds, preconditions, dryRun: dry });
  send(s.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, rep(s));
};

/** As upstream's eviction: the pod gets the DisruptionTarget condition before it is deleted (a Job's podFailurePolicy may match it). */
async function markEvicted(s: Parameters<SubresourceHandler>[0], pods: ResourceInfo): Promise<string | undefined> {
  const out = await s.store.guaranteedUpdate(pods, s.info.namespace, s.info.name, (p) => {
    const conds = ((p.status?.conditions ?? []) as { type: string; status: string }[]);
    const prev = conds.find((c) => c.type === 'DisruptionTarget');
    if (prev?.status === 'True' && (prev as Record<string, unknown>).reason === 'EvictionByEvictionAPI') return p;
    const cond = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: prev?.status === 'True' ? (prev as Record<string, unknown>).lastTransitionTime : rfc3339(s.store.clock.now()),
      reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
    p.status = { ...p.status, conditions: [...conds.filter((c) => c.type !== 'DisruptionTarget'), cond] };
    return p;
  }, { subresource: 'status' });
  return out.metadata.resourceVersion;
}

/** PUT namespaces/{name}/finalize: only spec.finalizers changes. */
export const finalizeHandler: SubresourceHandler = async (s) => {
  verbs(s, ['update']);
  const body = await typedBody(s, { group: '', version: 'v1', kind: 'Namespace' }, ['v1']);
  if (body.spec?.finalizers !== undefined && (!Array.isArray(body.spec.finalizers) || body.spec.finalizers.some((x: unknown) => typeof x !== 'string'))) {
    throw errors.invalid('', 'Namespace', s.info.name, [field.invalid('spec.finalizers', body.spec.finalizers, 'must be a list of strings')]);
  }
  const r = s.info.resource;
  const out = await s.store.guaranteedUpdate(r, undefined, s.info.name, (cur) => {
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion) throw errors.staleConflict({ group: '', resource: 'namespaces' }, s.info.name);
    cur.spec = { ...(cur.spec ?? {}), finalizers: body.spec?.finalizers ?? [] };
    if (!cur.spec.finalizers.length) delete cur.spec.finalizers;
    delete cur.metadata.resourceVersion;
    return cur;
  }, { subresource: 'finalize' });
  // A terminating namespace with no finalizers left is removed.
  if (out.metadata.deletionTimestamp && !(out.spec?.finalizers?.length) && !(out.metadata.finalizers?.length)) {
    try { await s.store.delete(r, undefined, s.info.name, {}); } catch { /* already gone */ }
  }
  send(s.res, 200, out, rep(s));
};

/** Subresources the simulated kubelet will serve; until then a clear error names them. */
export const notYet: SubresourceHandler = async (s) => {
  throw errors.methodNotSupported({ group: s.info.resource.group, resource: `${s.info.resource.resource}/${s.info.subresource}` },
    `${s.info.verb} (Skiff does not serve ${s.info.resource.resource}/${s.info.subresource} yet)`);
};
