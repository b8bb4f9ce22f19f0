// OpenAPI documents for resources served from CRDs (after apiextensions-apiserver's openapi builder):
// one schema per kind (and its List) named by reversed group, version and kind, with metadata as
// ObjectMeta, apiVersion/kind described, and x-kubernetes-group-version-kind, so `kubectl explain`
// and client-side validation see custom fields. /openapi/v3/apis/<group>/<version> per version;
// /openapi/v2 gets the definitions and paths merged into the built-in document.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ResourceInfo } from '../registry/resources.ts';
import type { ResourceTable } from '../registry/resource-table.ts';
import type { OpenAPIDocument } from './index.ts';
import { openapiV2, openapiV3Document } from './index.ts';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `skiff.example.com`, `v1`, `Widget` → `com.example.skiff.v1.Widget`. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const API_VERSION_DOC = 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC = 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

type Flavor = 'v2' | 'v3';
const ref = (flavor: Flavor, name: string) => ({ $ref: flavor === 'v3' ? `#/components/schemas/${name}` : `#/definitions/${name}` });

/** The CRD schema as published: v2 has no nullable/anyOf/oneOf/not and no type on int-or-string. */
function publishable(s: unknown, flavor: Flavor): unknown {
  if (Array.isArray(s)) return s.map((x) => publishable(x, flavor));
  if (!isObj(s)) return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'x-kubernetes-validations') continue;
    if (flavor === 'v2' && (k === 'nullable' || k === 'anyOf' || k === 'oneOf' || k === 'not')) continue;
    out[k] = k === 'default' || k === 'enum' || k === 'example' ? v : publishable(v, flavor);
  }
  if (flavor === 'v2' && s['x-kubernetes-int-or-string']) delete out.type;
  return out;
}

function kindSchema(r: ResourceInfo, flavor: Flavor): Record<string, any> {
  const base = publishable(r.custom!.version.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, flavor) as Record<string, any>;
  const props = { ...(isObj(base.properties) ? base.properties : {}) };
  props.apiVersion = { description: API_VERSION_DOC, type: 'string' };
  props.kind = { description: KIND_DOC, type: 'string' };
  props.metadata = flavor === 'v3' ? { allOf: [ref(flavor, `${META}ObjectMeta`)], default: {}, description: 'Standard object\'s metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' } : ref(flavor, `${META}ObjectMeta`);
  return { ...base, type: 'object', properties: props, 'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }] };
}

function listSchema(r: ResourceInfo, flavor: Flavor): Record<string, any> {
  const def = r.custom!.def;
  return {
    description: `${def.listKind} is a list of ${r.kind}`,
    type: 'object', required: ['items'],
    properties: {
      apiVersion: { description: API_VERSION_DOC, type: 'string' },
      items: { description: `List of ${def.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, type: 'array', items: ref(flavor, definitionName(r.group, r.version, r.kind)) },
      kind: { description: KIND_DOC, type: 'string' },
      metadata: flavor === 'v3' ? { allOf: [ref(flavor, `${META}ListMeta`)], default: {}, description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' } : ref(flavor, `${META}ListMeta`),
    },
    'x-kubernetes-group-version-kind': [{ group: r.group, kind: def.listKind, version: r.version }],
  };
}

const camel = (s: string) => s.split(/[.-]/).filter(Boolean).map((x) => x[0].toUpperCase() + x.slice(1)).join('');

function responses(flavor: Flavor, schema: string, codes: string[]) {
  const body = (code: string) => (flavor === 'v3'
    ? { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', content: { 'application/json': { schema: ref(flavor, schema) }, 'application/yaml': { schema: ref(flavor, schema) } } }
    : { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', schema: ref(flavor, schema) });
  return { ...Object.fromEntries(codes.map((c) => [c, body(c)])), 401: { description: 'Unauthorized' } };
}

/** The REST paths of one custom resource (list, create, read, replace, patch, delete, and status/scale reads). */
function paths(r: ResourceInfo, flavor: Flavor): Record<string, unknown> {
  const def = r.custom!.def;
  const id = `${camel(r.group)}${camel(r.version)}`;
  const scope = r.namespaced ? 'Namespaced' : '';
  const kindName = definitionName(r.group, r.version, r.kind);
  const listName = definitionName(r.group, r.version, def.listKind);
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const tags = [`${id.charAt(0).toLowerCase()}${id.slice(1)}`];
  const op = (action: string, opId: string, schema: string, codes: string[]) => ({ operationId: opId, tags, responses: responses(flavor, schema, codes), 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk });
  const root = `/apis/${r.group}/${r.version}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
  const out: Record<string, unknown> = {
    [root]: {
      get: op('list', `list${id}${scope}${r.kind}`, listName, ['200']),
      post: op('post', `create${id}${scope}${r.kind}`, kindName, ['200', '201', '202']),
      delete: op('deletecollection', `deletecollection${id}${scope}${r.kind}`, `${META}Status`, ['200']),
    },
    [`${root}/{name}`]: {
      get: op('get', `read${id}${scope}${r.kind}`, kindName, ['200']),
      put: op('put', `replace${id}${scope}${r.kind}`, kindName, ['200', '201']),
      patch: op('patch', `patch${id}${scope}${r.kind}`, kindName, ['200']),
      delete: op('delete', `delete${id}${scope}${r.kind}`, `${META}Status`, ['200', '202']),
    },
  };
  if (r.namespaced) out[`/apis/${r.group}/${r.version}/${r.resource}`] = { get: op('list', `list${id}${r.kind}ForAllNamespaces`, listName, ['200']) };
  if (r.custom!.version.status) out[`${root}/{name}/status`] = { get: op('get', `read${id}${scope}${r.kind}Status`, kindName, ['200']) };
  return out;
}

function allPaths(resources: ResourceInfo[], flavor: Flavor): Record<string, unknown> {
  return Object.assign({}, ...resources.map((r) => paths(r, flavor)));
}

/** Definitions for every custom resource in `resources`. */
function definitions(resources: ResourceInfo[], flavor: Flavor): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of resources) {
    out[definitionName(r.group, r.version, r.kind)] = kindSchema(r, flavor);
    out[definitionName(r.group, r.version, r.custom!.def.listKind)] = listSchema(r, flavor);
  }
  return out;
}

/** The meta.k8s.io schemas a custom document refers to, copied from the built-in core document. */
let metaSchemas: Record<string, unknown> | undefined;
function metaV3(): Record<string, unknown> {
  if (!metaSchemas) {
    const all = JSON.parse(openapiV3Document('api/v1')!.body.toString('utf8')).components.schemas as Record<string, unknown>;
    metaSchemas = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(META)));
  }
  return metaSchemas;
}

function toDoc(obj: unknown): OpenAPIDocument {
  const body = Buffer.from(JSON.stringify(obj));
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, gzip: gzipSync(body), etag: `"${hash}"`, hash };
}

interface Cache { generation: number; docs: Map<string, OpenAPIDocument | null> }
const caches = new WeakMap<ResourceTable, Cache>();

function cached(table: ResourceTable, key: string, build: () => OpenAPIDocument | null): OpenAPIDocument | null {
  let c = caches.get(table);
  if (!c || c.generation !== table.generation) caches.set(table, c = { generation: table.generation, docs: new Map() });
  let d = c.docs.get(key);
  if (d === undefined) c.docs.set(key, d = build());
  return d;
}

/** Custom group-versions with a document: `apis/<group>/<version>` (those not built in). */
export function customV3Paths(table: ResourceTable): string[] {
  const out = new Set<string>();
  for (const r of table.customResources()) if (!openapiV3Document(`apis/${r.group}/${r.version}`)) out.add(`apis/${r.group}/${r.version}`);
  return [...out].sort();
}

/** `/openapi/v3/apis/<group>/<version>` for a custom group-version, or null. */
export function customV3Document(table: ResourceTable, path: string): OpenAPIDocument | null {
  return cached(table, `v3:${path}`, () => {
    const m = /^apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) return null;
    const resources = table.resources(m[1], m[2]).filter((r) => r.custom);
    if (!resources.length) return null;
    return toDoc({
      openapi: '3.0.0',
      info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
      paths: allPaths(resources, 'v3'),
      components: { schemas: { ...definitions(resources, 'v3'), ...metaV3() } },
    });
  });
}

/** `/openapi/v2` with the custom definitions merged in (the built-in document when there are none). */
export function mergedV2(table: ResourceTable): OpenAPIDocument {
  const custom = table.customResources();
  if (!custom.length) return openapiV2();
  return cached(table, 'v2', () => {
    const doc = JSON.parse(openapiV2().body.toString('utf8'));
    doc.definitions = { ...doc.definitions, ...definitions(custom, 'v2') };
    doc.paths = { ...doc.paths, ...allPaths(custom, 'v2') };
    return toDoc(doc);
  })!;
}
