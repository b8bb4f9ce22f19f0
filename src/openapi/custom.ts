// OpenAPI documents for resources served from CRDs (after apiextensions-apiserver's openapi
// controller): what each established CRD publishes comes from src/schema's crdOpenAPI (per served
// version: the kind and List schemas, paths, and a complete v3 document); several CRDs of one
// group-version are merged with mergeOpenAPIV3 for /openapi/v3/apis/<group>/<version>, and every
// custom definition and path is merged into the built-in /openapi/v2. Documents are cached per server
// until its set of custom resources changes, so `kubectl explain` and client-side validation see
// custom fields as soon as a CRD is established.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ResourceTable } from '../registry/resource-table.ts';
import type { CustomDef } from '../registry/custom/types.ts';
import type { OpenAPIDocument } from './index.ts';
import { openapiV2, openapiV3Document } from './index.ts';
import { crdOpenAPI, mergeOpenAPIV3 } from '../schema/openapi-publish.ts';
import type { PublishedVersion } from '../schema/openapi-publish.ts';

export { definitionName } from '../schema/openapi-publish.ts';

const publishedCache = new WeakMap<CustomDef, PublishedVersion[]>();

/** What one CRD publishes, for the versions this server serves of it. */
function published(def: CustomDef): PublishedVersion[] {
  let p = publishedCache.get(def);
  if (!p) {
    p = crdOpenAPI(def.crd).filter((v) => def.versions.get(v.version)?.custom?.version.served);
    publishedCache.set(def, p);
  }
  return p;
}

function allPublished(table: ResourceTable): PublishedVersion[] {
  return table.customDefs().flatMap(published);
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
  for (const p of allPublished(table)) if (!openapiV3Document(`apis/${p.group}/${p.version}`)) out.add(`apis/${p.group}/${p.version}`);
  return [...out].sort();
}

/** `/openapi/v3/apis/<group>/<version>` for a custom group-version, or null. */
export function customV3Document(table: ResourceTable, path: string): OpenAPIDocument | null {
  return cached(table, `v3:${path}`, () => {
    const m = /^apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m || openapiV3Document(path)) return null;
    const merged = mergeOpenAPIV3(allPublished(table).filter((p) => p.group === m[1] && p.version === m[2]).map((p) => p.v3));
    return merged ? toDoc(merged) : null;
  });
}

/** `/openapi/v2` with the custom definitions merged in (the built-in document when there are none). */
export function mergedV2(table: ResourceTable): OpenAPIDocument {
  const all = allPublished(table);
  if (!all.length) return openapiV2();
  return cached(table, 'v2', () => {
    const doc = JSON.parse(openapiV2().body.toString('utf8'));
    for (const p of all) {
      Object.assign(doc.definitions, p.v2.definitions);
      Object.assign(doc.paths, p.v2.paths);
    }
    return toDoc(doc);
  })!;
}
