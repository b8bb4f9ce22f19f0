// The OpenAPI a CRD publishes (upstream's pkg/controller/openapi/builder): per served version, the
// custom kind's schema (its structural schema with apiVersion, kind, metadata → ObjectMeta and the
// x-kubernetes-group-version-kind extension) and its List kind, plus the REST paths, as Swagger 2.0
// definitions/paths to merge into /openapi/v2 and as an OpenAPI 3 document for
// /openapi/v3/apis/<group>/<version>. `kubectl explain` and client-side validation read these.
// Shared definitions (ObjectMeta, Status, Patch, Scale, …) and per-verb parameters are taken from the
// built-in documents Skiff already serves, so they are upstream's own texts.
import { openapiV2, openapiV3Document } from '../openapi/index.ts';
import type { J } from './structural.ts';
import { isStructural } from './structural.ts';

const isMap = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface PublishedVersion {
  group: string;
  version: string;
  /** Swagger 2.0 parts to merge into /openapi/v2 (their $refs point into that document). */
  v2: { definitions: Record<string, J>; paths: Record<string, J> };
  /** A complete OpenAPI 3 document for this group-version (merge with mergeOpenAPIV3 when a GV has several CRDs). */
  v3: J;
}

interface Names { group: string; version: string; kind: string; listKind: string; plural: string; namespaced: boolean }

/** Definition name of a custom kind (util.ToRESTFriendlyName of `group/version.Kind`). */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** What a CRD publishes, one entry per served version. Never throws on a malformed CRD. */
export function crdOpenAPI(crd: unknown): PublishedVersion[] {
  if (!isMap(crd) || !isMap(crd.spec)) return [];
  const spec = crd.spec;
  const names = isMap(spec.names) ? spec.names : {};
  const out: PublishedVersion[] = [];
  for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
    if (!isMap(v) || v.served !== true) continue;
    const n: Names = {
      group: str(spec.group), version: str(v.name), kind: str(names.kind), listKind: str(names.listKind) || `${str(names.kind)}List`,
      plural: str(names.plural), namespaced: spec.scope !== 'Cluster',
    };
    const schema = isMap(v.schema) && isMap(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
    const usable = schema && !hasInvalidTypes(schema) && isStructural(schema) ? schema : undefined;
    const sub = isMap(v.subresources) ? v.subresources : {};
    const selectable = (Array.isArray(v.selectableFields) ? v.selectableFields : [])
      .filter(isMap).map((f) => ({ fieldPath: str(f.jsonPath).replace(/^\./, '') }));
    const crdPreserve = spec.preserveUnknownFields === true;
    out.push({
      group: n.group, version: n.version,
      v2: {
        definitions: sortKeys({
          [definitionName(n.group, n.version, n.kind)]: kindSchema(usable, n, true, crdPreserve, selectable),
          [definitionName(n.group, n.version, n.listKind)]: listSchema(n, true, selectable),
        }) as Record<string, J>,
        paths: buildPaths(n, sub, true),
      },
      v3: buildV3(n, usable, sub, selectable),
    });
  }
  return out;
}

const TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);
function hasInvalidTypes(s: unknown): boolean {
  if (!isMap(s)) return false;
  if (typeof s.type === 'string' && s.type !== '' && !TYPES.has(s.type)) return true;
  const kids: unknown[] = [s.items, s.not, s.additionalProperties, ...(isMap(s.properties) ? Object.values(s.properties) : [])];
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k])) kids.push(...s[k]);
  return kids.some(hasInvalidTypes);
}

// ---- schemas ----

const VALUE_KEYS = ['format', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties', 'minProperties', 'required'];
const EXT_KEYS = ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations'];
const GENERIC_KEYS = ['type', 'description', 'title', 'default', 'nullable'];

const ref = (name: string, v2: boolean) => `#/${v2 ? 'definitions' : 'components/schemas'}/${name}`;
const META_DESC = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_META_DESC = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const TYPEMETA = {
  apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' },
  kind: { description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', type: 'string' },
};
const EMBEDDED_TYPEMETA = {
  apiVersion: { description: 'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' },
  kind: { description: 'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', type: 'string' },
};

/** The structural part of a schema node as upstream's Structural.ToKubeOpenAPI writes it. */
function toKubeOpenAPI(s: J): J {
  const out: J = {};
  for (const k of GENERIC_KEYS) if (s[k] !== undefined && s[k] !== null && s[k] !== '' && s[k] !== false) out[k] = s[k];
  if (isMap(s.items)) out.items = toKubeOpenAPI(s.items);
  if (isMap(s.properties)) {
    out.properties = {};
    for (const k of Object.keys(s.properties)) if (isMap(s.properties[k])) out.properties[k] = toKubeOpenAPI(s.properties[k]);
  }
  if (s.additionalProperties === true || s.additionalProperties === false) out.additionalProperties = s.additionalProperties;
  else if (isMap(s.additionalProperties)) out.additionalProperties = toKubeOpenAPI(s.additionalProperties);
  for (const k of VALUE_KEYS) if (s[k] !== undefined && s[k] !== null && s[k] !== false && !(Array.isArray(s[k]) && s[k].length === 0)) out[k] = s[k];
  for (const k of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(s[k]) && s[k].length) out[k] = s[k].filter(isMap).map((x: J) => toKubeOpenAPI(x));
  if (isMap(s.not)) out.not = toKubeOpenAPI(s.not);
  for (const k of EXT_KEYS) if (s[k] !== undefined && s[k] !== null && s[k] !== false && !(Array.isArray(s[k]) && s[k].length === 0)) out[k] = s[k];
  return out;
}

const isIntOrStringAnyOf = (a: unknown) => Array.isArray(a) && a.length === 2 && isMap(a[0]) && isMap(a[1]) && a[0].type === 'integer' && a[1].type === 'string'
  && Object.keys(a[0]).length === 1 && Object.keys(a[1]).length === 1;

/** Unfold: int-or-string nodes get the explicit anyOf [integer, string] clients expect. */
function unfold(s: J): void {
  if (s['x-kubernetes-int-or-string'] === true && !isIntOrStringAnyOf(s.anyOf) && !(Array.isArray(s.allOf) && isMap(s.allOf[0]) && isIntOrStringAnyOf(s.allOf[0].anyOf))) {
    const pair = [{ type: 'integer' }, { type: 'string' }];
    if (!Array.isArray(s.anyOf)) s.anyOf = pair;
    else s.allOf = [{ anyOf: pair }, ...(Array.isArray(s.allOf) ? s.allOf : [])];
  }
  if (isMap(s.items)) unfold(s.items);
  if (isMap(s.additionalProperties)) unfold(s.additionalProperties);
  if (isMap(s.properties)) for (const v of Object.values(s.properties)) if (isMap(v)) unfold(v);
}

/** ToStructuralOpenAPIV2: what Swagger 2.0 cannot say is dropped (pre-order, as upstream visits). */
function toV2(s: J): void {
  delete s.allOf; delete s.oneOf; delete s.anyOf; delete s.not;
  const props = isMap(s.properties) ? s.properties : {};
  if (Array.isArray(s.required)) {
    s.required = s.required.filter((r: string) => !(isMap(props[r]) && props[r].nullable === true));
    if (s.required.length === 0) delete s.required;
  }
  if (isMap(s.additionalProperties) && s.additionalProperties.nullable === true) delete s.required;
  if (s.nullable === true) { delete s.type; delete s.nullable; delete s.items; delete s.properties; }
  if (s['x-kubernetes-preserve-unknown-fields'] === true) { delete s.items; delete s.properties; }
  if (s.items === undefined && s.type === 'array') delete s.type;
  if (s['x-kubernetes-preserve-unknown-fields'] === true && s.type === 'object') delete s.type;
  if (isMap(s.items)) toV2(s.items);
  if (isMap(s.additionalProperties)) toV2(s.additionalProperties);
  if (isMap(s.properties)) for (const v of Object.values(s.properties)) if (isMap(v)) toV2(v);
}

function stripDefaults(s: unknown): void {
  if (Array.isArray(s)) { s.forEach(stripDefaults); return; }
  if (!isMap(s)) return;
  delete s.default;
  for (const k of ['items', 'additionalProperties', 'not']) stripDefaults(s[k]);
  if (isMap(s.properties)) Object.values(s.properties).forEach(stripDefaults);
  for (const k of ['allOf', 'anyOf', 'oneOf']) stripDefaults(s[k]);
}

function addEmbedded(s: J, v2: boolean): void {
  if (isMap(s.properties)) for (const v of Object.values(s.properties)) if (isMap(v)) addEmbedded(v, v2);
  if (isMap(s.items)) addEmbedded(s.items, v2);
  if (isMap(s.additionalProperties)) addEmbedded(s.additionalProperties, v2);
  if (v2 && s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (s['x-kubernetes-embedded-resource'] !== true) return;
  s.properties = { ...(s.properties ?? {}), apiVersion: { ...EMBEDDED_TYPEMETA.apiVersion }, kind: { ...EMBEDDED_TYPEMETA.kind }, metadata: { $ref: ref(OBJECT_META, v2), description: META_DESC } };
  const req: string[] = Array.isArray(s.required) ? s.required : [];
  if (!req.includes('kind')) req.push('kind');
  if (!req.includes('apiVersion')) req.push('apiVersion');
  s.required = req;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

function gvkExt(n: Names, kind: string) {
  return [{ group: n.group, kind, version: n.version }];
}

function kindSchema(schema: J | undefined, n: Names, v2: boolean, crdPreserve: boolean, selectable: J[]): J {
  let ret: J;
  if (!schema || (v2 && (schema['x-kubernetes-preserve-unknown-fields'] === true || crdPreserve))) {
    ret = { type: 'object' };
  } else {
    const s = structuredClone(schema);
    unfold(s);
    ret = toKubeOpenAPI(s);
    if (v2) { toV2(ret); stripDefaults(ret); }
    ret.properties = { ...(ret.properties ?? {}), metadata: { $ref: ref(OBJECT_META, v2), description: META_DESC }, apiVersion: { ...TYPEMETA.apiVersion }, kind: { ...TYPEMETA.kind } };
    addEmbedded(ret, v2);
  }
  ret['x-kubernetes-group-version-kind'] = gvkExt(n, n.kind);
  if (selectable.length) ret['x-kubernetes-selectable-fields'] = selectable;
  return ret;
}

function listSchema(n: Names, v2: boolean, selectable: J[]): J {
  const s: J = {
    description: `${n.listKind} is a list of ${n.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      items: { description: `List of ${n.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, type: 'array', items: { $ref: ref(definitionName(n.group, n.version, n.kind), v2) } },
      metadata: { $ref: ref(LIST_META, v2), description: LIST_META_DESC },
      apiVersion: { ...TYPEMETA.apiVersion },
      kind: { ...TYPEMETA.kind },
    },
    'x-kubernetes-group-version-kind': gvkExt(n, n.listKind),
  };
  if (selectable.length) s['x-kubernetes-selectable-fields'] = selectable;
  return s;
}

// ---- paths, from the Deployment paths of the built-in documents as templates ----

const TEMPLATE_KIND = 'io.k8s.api.apps.v1.Deployment';
const TEMPLATE_LIST = 'io.k8s.api.apps.v1.DeploymentList';
const T_ROOT = '/apis/apps/v1/namespaces/{namespace}/deployments';

let v3Template: J | undefined;
let v2Template: J | undefined;
function template(v2: boolean): J {
  if (v2) return (v2Template ??= JSON.parse(openapiV2().body.toString('utf8')) as J);
  return (v3Template ??= JSON.parse(openapiV3Document('apis/apps/v1')!.body.toString('utf8')) as J);
}

interface Route { path: string; method: string; action: string; verb: string; tPath: string; sample: 'kind' | 'list' | 'status' | 'scale' }

function routes(n: Names, sub: J): Route[] {
  const collection = n.namespaced ? `/apis/${n.group}/${n.version}/namespaces/{namespace}/${n.plural}` : `/apis/${n.group}/${n.version}/${n.plural}`;
  const out: Route[] = [];
  if (n.namespaced) out.push({ path: `/apis/${n.group}/${n.version}/${n.plural}`, method: 'get', action: 'list', verb: 'list', tPath: '/apis/apps/v1/deployments', sample: 'list' });
  out.push(
    { path: collection, method: 'get', action: 'list', verb: 'list', tPath: T_ROOT, sample: 'list' },
    { path: collection, method: 'post', action: 'post', verb: 'create', tPath: T_ROOT, sample: 'kind' },
    { path: collection, method: 'delete', action: 'deletecollection', verb: 'deletecollection', tPath: T_ROOT, sample: 'status' },
  );
  const item = `${collection}/{name}`;
  for (const [suffix, tSuffix, enabled] of [['', '', true], ['/status', '/status', isMap(sub.status)], ['/scale', '/scale', isMap(sub.scale)]] as const) {
    if (!enabled) continue;
    const sample = suffix === '/scale' ? 'scale' : 'kind';
    out.push({ path: item + suffix, method: 'get', action: 'get', verb: 'read', tPath: `${T_ROOT}/{name}${tSuffix}`, sample });
    out.push({ path: item + suffix, method: 'put', action: 'put', verb: 'replace', tPath: `${T_ROOT}/{name}${tSuffix}`, sample });
    if (suffix === '') out.push({ path: item, method: 'delete', action: 'delete', verb: 'delete', tPath: `${T_ROOT}/{name}`, sample: 'status' });
    out.push({ path: item + suffix, method: 'patch', action: 'patch', verb: 'patch', tPath: `${T_ROOT}/{name}${tSuffix}`, sample });
  }
  return out;
}

/** apiserver's ToValidOperationID. */
function operationIdPart(s: string, capitalizeFirst: boolean): string {
  let out = '';
  let cap = capitalizeFirst;
  let i = 0;
  for (const ch of s) {
    if (/\p{L}/u.test(ch) || ch === '_' || (i !== 0 && /\p{Nd}/u.test(ch))) { out += cap ? ch.toUpperCase() : ch; cap = false; } else cap = true;
    i++;
  }
  return out;
}

function article(kind: string): string {
  if (!kind.endsWith('ss') && kind.endsWith('s')) return ' ';
  return /^[aeiou]/i.test(kind) ? ' an ' : ' a ';
}

function description(n: Names, r: Route): string {
  const sub = r.path.endsWith('/status') ? ' status of' : r.path.endsWith('/scale') ? ' scale of' : '';
  switch (r.verb) {
    case 'list': return `list objects of kind ${n.kind}`;
    case 'read': case 'replace': return `${r.verb}${sub} the specified ${n.kind}`;
    case 'patch': return `partially update${sub} the specified ${n.kind}`;
    case 'create': case 'delete': return `${r.verb}${sub}${article(n.kind)}${n.kind}`;
    case 'deletecollection': return `delete collection of ${n.kind}`;
    default: return `${r.verb} ${n.kind}`;
  }
}

function operationId(n: Names, r: Route): string {
  const group = n.group.replace(/\.k8s\.io$/, '');
  const gv = operationIdPart(group, true) + operationIdPart(n.version, true);
  const sub = r.path.endsWith('/status') ? 'Status' : r.path.endsWith('/scale') ? 'Scale' : '';
  const ns = n.namespaced ? 'Namespaced' : '';
  if (r.verb === 'list' && !r.path.includes('{namespace}') && n.namespaced) return `list${gv}${n.kind}ForAllNamespaces`;
  if (r.verb === 'deletecollection') return `delete${gv}Collection${ns}${n.kind}`;
  return `${r.verb}${gv}${ns}${n.kind}${sub}`;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const PRODUCES = ['application/json', 'application/yaml'];

const templateText = new WeakMap<object, string>();
function retarget(x: J, n: Names): J {
  const kindDef = definitionName(n.group, n.version, n.kind);
  const listDef = definitionName(n.group, n.version, n.listKind);
  let text = templateText.get(x);
  if (text === undefined) { text = JSON.stringify(x); templateText.set(x, text); }
  return JSON.parse(text.split(TEMPLATE_LIST).join(listDef).split(TEMPLATE_KIND).join(kindDef)) as J;
}

function buildPaths(n: Names, sub: J, v2: boolean): Record<string, J> {
  const t = template(v2);
  const paths: Record<string, J> = {};
  const tag = `${operationIdPart(n.group.replace(/\.k8s\.io$/, ''), false)}_${operationIdPart(n.version, false)}`;
  for (const r of routes(n, sub)) {
    const tItem = isMap(t.paths?.[r.tPath]) ? t.paths[r.tPath] : {};
    const tOp = isMap(tItem[r.method]) ? retarget(tItem[r.method], n) : {};
    const item = (paths[r.path] ??= { parameters: pathParams(tItem, n) });
    const op: J = {
      description: description(n, r), operationId: operationId(n, r), tags: [tag],
      'x-kubernetes-action': r.action, 'x-kubernetes-group-version-kind': { group: n.group, kind: n.kind, version: n.version },
    };
    if (Array.isArray(tOp.parameters)) op.parameters = tOp.parameters;
    if (v2) {
      op.consumes = r.method === 'patch' ? PATCH_TYPES : PRODUCES;
      op.produces = PRODUCES;
      op.schemes = ['https'];
      if (isMap(tOp.responses)) op.responses = tOp.responses;
    } else {
      if (isMap(tOp.requestBody)) op.requestBody = narrowContent(tOp.requestBody, r.method === 'patch' ? PATCH_TYPES : PRODUCES);
      if (isMap(tOp.responses)) {
        op.responses = {};
        for (const [code, resp] of Object.entries(tOp.responses as J)) op.responses[code] = isMap(resp) && isMap(resp.content) ? narrowContent(resp, PRODUCES) : resp;
      }
    }
    item[r.method] = op;
  }
  return sortKeys(paths) as Record<string, J>;
}

function narrowContent(x: J, types: string[]): J {
  const content: J = {};
  const schema = Object.values(isMap(x.content) ? x.content : {}).find(isMap)?.schema;
  for (const t of types) content[t] = { schema };
  return { ...x, content };
}

function pathParams(tItem: J, n: Names): J[] {
  const params: J[] = Array.isArray(tItem.parameters) ? structuredClone(tItem.parameters) : [];
  return params
    .filter((p) => n.namespaced || !(p.name === 'namespace' || str(p.$ref).includes('/namespace-')))
    .map((p) => (p.name === 'name' ? { ...p, description: `name of the ${n.kind}` } : p));
}

// ---- the v3 document ----

function buildV3(n: Names, schema: J | undefined, sub: J, selectable: J[]): J {
  const paths = buildPaths(n, sub, false);
  const schemas: J = sortKeys({
    [definitionName(n.group, n.version, n.kind)]: wrapRefs(kindSchema(schema, n, false, false, selectable)),
    [definitionName(n.group, n.version, n.listKind)]: wrapRefs(listSchema(n, false, selectable)),
  }) as J;
  const apps = template(false);
  const pool = sharedSchemas();
  const pending = [...refsIn(paths), ...refsIn(schemas)];
  while (pending.length) {
    const name = pending.pop()!;
    if (schemas[name] !== undefined || pool[name] === undefined) continue;
    schemas[name] = pool[name];
    pending.push(...refsIn(pool[name]));
  }
  // The shared schemas come sorted from the built-in document and are shared, not copied:
  // treat the returned document as read-only.
  const sortedSchemas: J = {};
  for (const k of Object.keys(schemas).sort()) sortedSchemas[k] = schemas[k];
  return {
    components: { schemas: sortedSchemas, securitySchemes: apps.components?.securitySchemes ?? {} },
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    openapi: '3.0.0',
    paths,
  };
}

/**
 * OpenAPI 3 ignores the siblings of a `$ref` (kubectl explain does too), so, as upstream's v3 builder,
 * a `$ref` with siblings (metadata's description) moves into `allOf: [{$ref}]` beside them.
 */
export function wrapRefs<T>(s: T): T {
  if (Array.isArray(s)) { s.forEach(wrapRefs); return s; }
  if (!isMap(s)) return s;
  for (const k of ['items', 'additionalProperties', 'not']) wrapRefs(s[k]);
  if (isMap(s.properties)) Object.values(s.properties).forEach(wrapRefs);
  for (const k of ['allOf', 'anyOf', 'oneOf']) wrapRefs(s[k]);
  const m: J = s;
  if (typeof m.$ref === 'string' && Object.keys(m).length > 1) {
    const target = m.$ref;
    delete m.$ref;
    m.allOf = [{ $ref: target }, ...(Array.isArray(m.allOf) ? m.allOf : [])];
  }
  return s;
}

let shared: J | undefined;
/** Schemas a CRD document may reference: the built-in apps/v1 and autoscaling/v1 components. */
function sharedSchemas(): J {
  if (shared) return shared;
  const autoscaling = JSON.parse(openapiV3Document('apis/autoscaling/v1')?.body.toString('utf8') ?? '{}') as J;
  const out: J = { ...(autoscaling.components?.schemas ?? {}), ...(template(false).components?.schemas ?? {}) };
  shared = out;
  return out;
}

function refsIn(x: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isMap(v)) {
      for (const [k, val] of Object.entries(v)) {
        if (k === '$ref' && typeof val === 'string' && val.startsWith('#/components/schemas/')) out.push(val.slice('#/components/schemas/'.length));
        else walk(val);
      }
    }
  };
  walk(x);
  return out;
}

/** Merge the v3 documents of several CRDs that share a group-version (keys stay sorted). */
export function mergeOpenAPIV3(docs: J[]): J | undefined {
  if (docs.length === 0) return undefined;
  const paths: J = {};
  const schemas: J = {};
  for (const d of docs) {
    Object.assign(paths, d.paths ?? {});
    Object.assign(schemas, d.components?.schemas ?? {});
  }
  const sorted = (o: J) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  return { ...docs[0], components: { ...docs[0].components, schemas: sorted(schemas) }, paths: sorted(paths) };
}

/** Keys sorted at every level, as Go writes maps and kube-openapi writes schemas. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  const out: J = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}
