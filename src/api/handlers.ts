// Resource verbs over HTTP: turns a RequestInfo plus query and body into generic-store calls,
// and the results into responses. Kind-specific behaviour lives in strategies and subresource
// handlers, not here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, field } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { gvString } from '../registry/resources.ts';
import type { Store, ListResult, DeleteOptions } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Entry } from '../registry/codec.ts';
import { jsonListBody } from '../registry/codec.ts';
import { goJson, isBuiltInKind, sortedKeys } from '../registry/wire-form.ts';
import { decodeObjectBody, mediaType, readBody, requireObject, parseJson } from './body.ts';
import { JSON_TYPE, PROTOBUF_TYPE, negotiate } from './negotiate.ts';
import type { Representation } from './negotiate.ts';
import { canEncodeProtobuf, send, sendJsonList, sendProtobufList } from './respond.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { serveWatch } from './watch.ts';
import type { Extensions } from './extensions.ts';
import { patchObject } from './patch.ts';
import { collectWarnings } from '../util/request-warnings.ts';
import { addWarnings } from './typed.ts';
import { requestUser } from '../auth/user.ts';
import { deprecationWarning, endWatchWhenUnserved, protobufAllowed, refuseProtobufBody } from './custom-http.ts';

export interface HandlerDeps {
  store: Store;
  ext: Extensions;
}

type ResourceReq = { verb: string; resource: ResourceInfo; namespace?: string; name?: string; subresource?: string };

const LIST_AS = ['Table', 'PartialObjectMetadataList'];
const ITEM_AS = ['Table', 'PartialObjectMetadata'];

function bool(q: URLSearchParams, k: string): boolean { const v = q.get(k); return v === 'true' || v === '1'; }

function intParam(q: URLSearchParams, k: string): number | undefined {
  const v = q.get(k);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`invalid value for ${k}: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

export function dryRun(q: URLSearchParams): boolean {
  const all = q.getAll('dryRun');
  for (const v of all) if (v !== 'All') throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  return all.length > 0;
}

/** The field manager upstream derives from a User-Agent when none is given: its part before '/'. */
export function defaultManager(userAgent: string | undefined): string | undefined {
  const ua = userAgent ?? '';
  const slash = ua.indexOf('/');
  const m = (slash < 0 ? ua : ua.slice(0, slash)).trim();
  return m ? m.slice(0, 128) : undefined;
}

export function fieldManager(q: URLSearchParams): string | undefined {
  const fm = q.get('fieldManager') ?? undefined;
  if (fm !== undefined && fm.length > 128) {
    throw errors.invalid('meta.k8s.io', 'PatchOptions', '', [field.tooLong('fieldManager', 128)]);
  }
  return fm;
}

export async function handleResource(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, info: ResourceReq, q: URLSearchParams): Promise<void> {
  // Admission may warn (ratcheted CEL rules, webhooks, policies): those warnings become Warning headers.
  if (req.method === 'GET' || req.method === 'HEAD') return serveResource(deps, req, res, info, q);
  return collectWarnings((w) => { if (!res.headersSent) addWarnings(res, [w]); }, () => serveResource(deps, req, res, info, q));
}

async function serveResource(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse, info: ResourceReq, q: URLSearchParams): Promise<void> {
  const { store, ext } = deps;
  const r = info.resource;
  if (!r.verbs.includes(info.verb) && !info.subresource) throw errors.methodNotSupported({ group: r.group, resource: r.resource }, info.verb);
  const accept = req.headers.accept;
  const pb = protobufAllowed(r, canEncodeProtobuf());
  refuseProtobufBody(r, req);
  deprecationWarning(r, res);

  if (info.subresource) {
    const handler = ext.subresources.get(`${r.group}/${r.resource}/${info.subresource}`) ?? ext.subresources.get(`*/${info.subresource}`);
    if (!handler) throw errors.methodNotSupported({ group: r.group, resource: `${r.resource}/${info.subresource}` }, info.verb);
    await handler({ req, res, info: info as ResourceReq & { name: string; subresource: string }, query: q, store, ext });
    return;
  }

  // Kinds that are requests rather than stored objects (reviews) answer on create.
  const virtual = ext.virtualCreate.get(`${r.group}/${r.kind}`);
  if (virtual) {
    if (info.verb !== 'create') throw errors.methodNotSupported({ group: r.group, resource: r.resource }, info.verb);
    const body = checkKind(r, requireObject(ext.decodeBody(await readBody(req), req.headers['content-type'], r, q, res)));
    if (r.namespaced && body.metadata?.namespace && body.metadata.namespace !== info.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const out = await virtual(body, { req, namespace: info.namespace });
    send(res, 201, out, negotiate(accept, [], pb));
    return;
  }

  switch (info.verb) {
    case 'get': {
      const rep = negotiate(accept, ITEM_AS, pb);
      const e = await store.getEntry(r, info.namespace, info.name!, q.get('resourceVersion') ?? undefined);
      sendEntry(res, 200, r, e, rep, q, ext, store);
      return;
    }
    case 'list': {
      const rep = negotiate(accept, LIST_AS, pb);
      const opts = listOptions(q);
      store.checkFieldSelector(r, opts.fieldSelector);
      const result = await store.list(r, info.namespace, opts);
      sendList(res, r, result, rep, q, ext, store);
      return;
    }
    case 'watch': {
      const rep = negotiate(accept, ITEM_AS, pb);
      const opts = listOptions(q, true);
      store.checkFieldSelector(r, opts.fieldSelector);
      if (info.name) opts.fieldSelector = [...(opts.fieldSelector ?? []), { field: 'metadata.name', op: '=', value: info.name }];
      endWatchWhenUnserved(store.resources, r, req, res);
      await serveWatch({ req, res, store, resource: r, namespace: info.namespace, query: q, rep, opts, ext });
      return;
    }
    case 'create': {
      const rep = negotiate(accept, [], pb);
      const body = await readBody(req);
      const obj = checkKind(r, requireObject(ext.decodeBody(body, req.headers['content-type'], r, q, res)));
      // The decoded body is this write's own: the store need not copy it.
      const created = await store.create(r, info.namespace, obj as KObject, { dryRun: dryRun(q), fieldManager: fieldManager(q) ?? defaultManager(req.headers['user-agent']), user: requestUser(req), owned: true });
      send(res, 201, created, rep);
      return;
    }
    case 'update': {
      const rep = negotiate(accept, [], pb);
      const body = await readBody(req);
      const obj = checkKind(r, requireObject(ext.decodeBody(body, req.headers['content-type'], r, q, res)));
      const { obj: out, created } = await store.update(r, info.namespace, info.name!, obj as KObject, { dryRun: dryRun(q), fieldManager: fieldManager(q) ?? defaultManager(req.headers['user-agent']), user: requestUser(req) });
      send(res, created ? 201 : 200, out, rep);
      return;
    }
    case 'patch': {
      const rep = negotiate(accept, [], pb);
      const out = await patchObject({ req, res, info: { ...info, name: info.name! , subresource: '' }, query: q, store, ext });
      send(res, out.created ? 201 : 200, out.obj, rep);
      return;
    }
    case 'delete': {
      const rep = negotiate(accept, [], pb);
      const opts = await deleteOptions(req, q);
      const { obj, deleted } = await store.delete(r, info.namespace, info.name!, opts);
      // 202 when the object stays (finalizers) and the client asked for cascading deletion with
      // orphanDependents=false, as upstream (kept for old clients); 200 otherwise.
      const code = !deleted && opts.orphanDependentsFalse ? 202 : 200;
      // Upstream answers with the object when it is not gone yet (finalizers, graceful deletion) or its
      // registry returns deleted objects (ReturnDeletedObject), else with a Success Status.
      if (!deleted || RETURNS_DELETED_OBJECT.has(`${r.group}/${r.resource}`)) send(res, code, obj, rep);
      else send(res, code, deletedStatus(r, obj), rep);
      return;
    }
    case 'deletecollection': {
      const rep = negotiate(accept, [], pb);
      const opts = await deleteOptions(req, q);
      const list = listOptions(q);
      store.checkFieldSelector(r, list.fieldSelector);
      const items = await store.deleteCollection(r, info.namespace, list, opts);
      send(res, 200, { kind: listKind(r), apiVersion: gvString(r), metadata: { resourceVersion: String(store.backend.currentRevision()) }, items }, rep);
      return;
    }
  }
  throw errors.methodNotSupported({ group: r.group, resource: r.resource }, info.verb);
}

/** The kind of a list of `r`: `<Kind>List`, or a CRD's own listKind. */
function listKind(r: ResourceInfo): string { return r.custom?.def.listKind ?? `${r.kind}List`; }

/**
 * Resources whose upstream registry sets ReturnDeletedObject (kubernetes v1.32, pkg/registry, each storage.go):
 * a DELETE that removes the object answers with it. Others answer with a Success Status.
 */
const RETURNS_DELETED_OBJECT = new Set([
  '/namespaces', '/persistentvolumes', '/persistentvolumeclaims', '/pods', '/podtemplates', '/resourcequotas',
  '/services', '/serviceaccounts',
  'storage.k8s.io/csidrivers', 'storage.k8s.io/csinodes', 'storage.k8s.io/storageclasses',
  'storage.k8s.io/volumeattachments', 'storage.k8s.io/volumeattributesclasses',
  'resource.k8s.io/deviceclasses', 'resource.k8s.io/resourceclaims', 'resource.k8s.io/resourceclaimtemplates',
  'resource.k8s.io/resourceslices',
]);

/** The Status upstream's registry answers a completed DELETE with (details.kind is the resource, as upstream). */
function deletedStatus(r: ResourceInfo, obj: Record<string, any>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: obj.metadata?.name, group: r.group || undefined, kind: r.resource, uid: obj.metadata?.uid } };
}

function checkKind(r: ResourceInfo, obj: Record<string, any>): Record<string, any> {
  // An object of another kind sent to this endpoint is a 400, as upstream.
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== r.kind) {
    throw errors.badRequest(`the kind in the request body (${obj.kind}) does not match the expected kind (${r.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== gvString(r)) {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gvString(r)})`);
  }
  if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
    throw errors.badRequest('metadata must be an object');
  }
  return obj;
}

export function listOptions(q: URLSearchParams, watch = false) {
  const rv = q.get('resourceVersion') ?? undefined;
  const match = q.get('resourceVersionMatch') ?? undefined;
  // Watches validate resourceVersionMatch together with sendInitialEvents (watch.ts): client-go's
  // streaming list sends resourceVersionMatch=NotOlderThan without a resourceVersion.
  if (watch) {
    if (match && match !== 'NotOlderThan') throw errors.invalid('meta.k8s.io', 'ListOptions', '', [field.notSupported('resourceVersionMatch', match, ['NotOlderThan'])]);
  } else if (match && !rv) throw errors.invalid('meta.k8s.io', 'ListOptions', '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided')]);
  if (match && match !== 'Exact' && match !== 'NotOlderThan') throw errors.invalid('meta.k8s.io', 'ListOptions', '', [field.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan'])]);
  if (match === 'Exact' && rv === '0') throw errors.invalid('meta.k8s.io', 'ListOptions', '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]);
  const limit = intParam(q, 'limit');
  const cont = q.get('continue') ?? undefined;
  if (cont && rv && rv !== '') throw errors.badRequest('specifying resource version is not allowed when using continue');
  return {
    labelSelector: parseLabelSelector(q.get('labelSelector') ?? undefined),
    fieldSelector: parseFieldSelector(q.get('fieldSelector') ?? undefined),
    limit: limit && limit > 0 ? limit : undefined,
    continue: cont,
    resourceVersion: rv,
    resourceVersionMatch: match,
  };
}

async function deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
  const opts: DeleteOptions = { dryRun: dryRun(q) };
  const buf = await readBody(req);
  let body: Record<string, any> = {};
  if (buf.length > 0) {
    // No Content-Type: JSON, as clients have always sent; anything else is decoded (or refused with 415) like any body.
    const ct = mediaType(req.headers['content-type']);
    body = requireObject(ct === '' ? parseJson(buf) : decodeObjectBody(buf, req.headers['content-type']), 'DeleteOptions');
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw errors.badRequest(`expected DeleteOptions, got ${body.kind}`);
  }
  const grace = intParam(q, 'gracePeriodSeconds') ?? body.gracePeriodSeconds;
  if (grace !== undefined) {
    if (typeof grace !== 'number' || !Number.isSafeInteger(grace)) throw errors.badRequest('gracePeriodSeconds must be an integer');
    opts.gracePeriodSeconds = grace;
  }
  const policy = q.get('propagationPolicy') ?? body.propagationPolicy;
  const orphan = q.get('orphanDependents') ?? body.orphanDependents;
  if (policy !== undefined && policy !== null) {
    if (!['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', [field.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan'])]);
    }
    if (orphan !== undefined && orphan !== null) throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', [field.invalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set')]);
    opts.propagationPolicy = policy;
  } else if (orphan === true || orphan === 'true') opts.propagationPolicy = 'Orphan';
  else if (orphan === false || orphan === 'false') { opts.propagationPolicy = 'Background'; opts.orphanDependentsFalse = true; }
  const pre = body.preconditions;
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== 'object' || Array.isArray(pre)) throw errors.badRequest('DeleteOptions.preconditions must be an object');
    for (const k of ['uid', 'resourceVersion']) {
      if (pre[k] !== undefined && pre[k] !== null && typeof pre[k] !== 'string') throw errors.badRequest(`DeleteOptions.preconditions.${k} must be a string`);
    }
    opts.preconditions = { uid: pre.uid ?? undefined, resourceVersion: pre.resourceVersion ?? undefined };
  }
  if (body.dryRun !== undefined && body.dryRun !== null) {
    if (!Array.isArray(body.dryRun)) throw errors.badRequest('DeleteOptions.dryRun must be a list of strings');
    for (const v of body.dryRun) if (v !== 'All') throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
    if (body.dryRun.length) opts.dryRun = true;
  }
  return opts;
}

/** The Content-Type of a metadata-only answer, in the format negotiated (client-go's metadata client asks protobuf first). */
function metaContentType(rep: Representation, kind: 'PartialObjectMetadata' | 'PartialObjectMetadataList'): string {
  return `${rep.format === 'protobuf' ? PROTOBUF_TYPE : JSON_TYPE};as=${kind};v=v1;g=meta.k8s.io`;
}

function sendEntry(res: ServerResponse, code: number, r: ResourceInfo, e: Entry, rep: Representation, q: URLSearchParams, ext: Extensions, store: Store): void {
  void store;
  if (rep.as === 'Table') {
    send(res, code, ext.toTable(r, [e.obj], { includeObject: q.get('includeObject') ?? undefined, resourceVersion: e.obj.metadata.resourceVersion }), rep, undefined, ext.tableContentType);
    return;
  }
  if (rep.as === 'PartialObjectMetadata') {
    send(res, code, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: e.obj.metadata }, rep, undefined, metaContentType(rep, 'PartialObjectMetadata'));
    return;
  }
  send(res, code, e.obj, rep, e.json);
}

/**
 * The JSON around a list's items, as upstream writes it: a typed list in struct order (kind, apiVersion,
 * ListMeta, items); an unstructured one (custom resources) as a map, keys sorted (apiVersion, items,
 * kind, metadata), with `continue` always present in its metadata as the unstructured list sets it.
 */
export function listEnvelope(r: ResourceInfo, listMeta: Record<string, unknown>): [string, string] {
  const kind = JSON.stringify(listKind(r));
  const apiVersion = JSON.stringify(gvString(r));
  if (isBuiltInKind(gvString(r), r.kind)) return [`{"kind":${kind},"apiVersion":${apiVersion},"metadata":${goJson(listMeta)},"items":[`, ']}\n'];
  const meta = goJson(sortedKeys({ continue: '', ...listMeta }));
  return [`{"apiVersion":${apiVersion},"items":[`, `],"kind":${kind},"metadata":${meta}}\n`];
}

function sendList(res: ServerResponse, r: ResourceInfo, result: ListResult, rep: Representation, q: URLSearchParams, ext: Extensions, store: Store): void {
  void store;
  const listMeta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continue) listMeta.continue = result.continue;
  if (result.remainingItemCount !== undefined) listMeta.remainingItemCount = result.remainingItemCount;
  if (rep.as === 'Table') {
    send(res, 200, ext.toTable(r, result.items.map((e) => e.obj), { includeObject: q.get('includeObject') ?? undefined, resourceVersion: result.resourceVersion, continue: result.continue, remainingItemCount: result.remainingItemCount }), rep, undefined, ext.tableContentType);
    return;
  }
  if (rep.as === 'PartialObjectMetadataList') {
    send(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta,
      items: result.items.map((e) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: e.obj.metadata })) }, rep, undefined, metaContentType(rep, 'PartialObjectMetadataList'));
    return;
  }
  if (rep.format === 'json') {
    // Laid out from each item's stored bytes and sent in chunks: no re-serialisation, no whole-body copy.
    const [head, tail] = listEnvelope(r, listMeta);
    // Items of a typed list carry no kind/apiVersion upstream; unstructured (custom) items keep theirs.
    sendJsonList(res, jsonListBody(head, result.items, tail, { withoutTypeMeta: isBuiltInKind(gvString(r), r.kind) }));
    return;
  }
  const items = result.items.map((e) => e.obj);
  if (rep.format === 'protobuf' && sendProtobufList(res, { kind: listKind(r), apiVersion: gvString(r), metadata: listMeta }, items)) return;
  send(res, 200, { kind: listKind(r), apiVersion: gvString(r), metadata: listMeta, items }, rep);
}
