// Builds Skiff's OpenAPI artifact (src/openapi/openapi.manifest.json + src/openapi/openapi.bin) from
// the OpenAPI documents published by the Kubernetes project itself.
//
//   node openapi/generate.ts            (needs Go and access to the Go module proxy)
//   node openapi/generate.ts --check    (regenerates in memory and fails if the committed artifact differs)
//
// See openapi/README.md for what this does and why.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';
import { RESOURCES, KUBE_VERSION, gvString, groupVersions } from '../src/registry/resources.ts';

const MODULE = 'k8s.io/kubernetes';
const VERSION = KUBE_VERSION.gitVersion; // v1.32.4
// k8s.io/kubernetes is not in the public checksum database (its go.mod uses replace directives), so the
// module is fetched with GONOSUMDB and checked against this pinned dirhash instead.
const PINNED_SUM = 'h1:fRZeSjwVE+dMMSS7Qi6LxOOKpVL+1CPAT/b1Cuo4kns=';

const here = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(here, '..', 'src', 'openapi');
const MANIFEST = join(OUT_DIR, 'openapi.manifest.json');
const BIN = join(OUT_DIR, 'openapi.bin');

type Json = any;

function moduleDir(): string {
  const env = { ...process.env, GONOSUMDB: MODULE, GOFLAGS: '-mod=mod' };
  const out = execFileSync('go', ['mod', 'download', '-json', `${MODULE}@${VERSION}`], { encoding: 'utf8', cwd: '/tmp', env });
  const info = JSON.parse(out) as { Dir?: string; Sum?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${MODULE}@${VERSION}: ${info.Error ?? 'no Dir'}`);
  if (info.Sum !== PINNED_SUM) throw new Error(`${MODULE}@${VERSION}: module hash ${info.Sum} does not match pinned ${PINNED_SUM}`);
  return info.Dir;
}

// ---------- which paths Skiff serves ----------

const served = new Map<string, Map<string, Set<string>>>(); // gv -> resource -> subresources
const verbsOf = new Map<string, Set<string>>(); // gv/resource[/sub] -> verbs
for (const r of RESOURCES) {
  const gv = gvString(r);
  if (!served.has(gv)) served.set(gv, new Map());
  served.get(gv)!.set(r.resource, new Set(r.subresources.map((s) => s.name)));
  verbsOf.set(`${gv}/${r.resource}`, new Set(r.verbs));
  for (const s of r.subresources) verbsOf.set(`${gv}/${r.resource}/${s.name}`, new Set(s.verbs));
}
const servedGroups = new Set(RESOURCES.map((r) => r.group).filter((g) => g));

/** Splits an upstream path of a group-version document; undefined = not a resource path. */
function classify(path: string, prefix: string): { resource: string; sub?: string; named: boolean; watch: boolean } | 'root' | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  if (rest === '' || rest === '/') return 'root';
  let segs = rest.replace(/^\//, '').split('/');
  let watch = false;
  if (segs[0] === 'watch') { watch = true; segs = segs.slice(1); }
  if (segs[0] === 'namespaces' && segs[1] === '{namespace}' && segs.length > 2) segs = segs.slice(2);
  return { resource: segs[0], named: segs.length > 1, sub: segs[2], watch };
}

/** The RESOURCES verb an upstream operation implements (x-kubernetes-action), or undefined for connect/proxy. */
function verbOf(action: string | undefined): string | undefined {
  switch (action) {
    case 'get': return 'get';
    case 'list': return 'list';
    case 'put': return 'update';
    case 'patch': return 'patch';
    case 'post': return 'create';
    case 'delete': return 'delete';
    case 'deletecollection': return 'deletecollection';
    case 'watch': case 'watchlist': return 'watch';
    default: return undefined;
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const dropped: string[] = [];

function filterPaths(paths: Record<string, Json>, gv: string, prefix: string): Record<string, Json> {
  const res = served.get(gv)!;
  const out: Record<string, Json> = {};
  for (const [p, item] of Object.entries(paths)) {
    const c = classify(p, prefix);
    if (c === 'root') { out[p] = item; continue; }
    if (!c || !res.has(c.resource) || (c.sub !== undefined && !res.get(c.resource)!.has(c.sub))) { dropped.push(`${gv} path ${p}`); continue; }
    const verbs = verbsOf.get(`${gv}/${c.resource}${c.sub ? '/' + c.sub : ''}`)!;
    const kept: Json = {};
    for (const [k, v] of Object.entries(item as Json)) {
      if (!METHODS.includes(k)) { kept[k] = v; continue; }
      const verb = verbOf((v as Json)['x-kubernetes-action']);
      if (verb === undefined || verbs.has(verb)) kept[k] = v;
      else dropped.push(`${gv} ${k.toUpperCase()} ${p} (${verb})`);
    }
    if (Object.keys(kept).some((k) => METHODS.includes(k))) out[p] = kept;
  }
  return out;
}

// ---------- reachability and GVK filtering ----------

function collectRefs(node: Json, into: Set<string>, prefix: string): void {
  if (Array.isArray(node)) { for (const x of node) collectRefs(x, into, prefix); return; }
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(prefix)) into.add(v.slice(prefix.length));
      else collectRefs(v, into, prefix);
    }
  }
}

function prune(schemas: Record<string, Json>, roots: Json, prefix: string, what: string): Record<string, Json> {
  const seen = new Set<string>();
  const queue: string[] = [];
  const start = new Set<string>();
  collectRefs(roots, start, prefix);
  for (const s of start) queue.push(s);
  while (queue.length) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    if (!(n in schemas)) throw new Error(`${what}: dangling $ref ${n}`);
    seen.add(n);
    const refs = new Set<string>();
    collectRefs(schemas[n], refs, prefix);
    for (const r of refs) if (!seen.has(r)) queue.push(r);
  }
  const out: Record<string, Json> = {};
  for (const n of Object.keys(schemas).sort()) {
    if (!seen.has(n)) { dropped.push(`${what} schema ${n}`); continue; }
    out[n] = restrictGvk(schemas[n]);
  }
  return out;
}

/** Meta kinds (DeleteOptions, WatchEvent) list every group upstream; keep only the group-versions Skiff serves. */
function restrictGvk(schema: Json): Json {
  const list = schema['x-kubernetes-group-version-kind'];
  if (!Array.isArray(list)) return schema;
  const keep = list.filter((g: Json) => served.has(g.group ? `${g.group}/${g.version}` : g.version));
  const copy = { ...schema };
  if (keep.length) copy['x-kubernetes-group-version-kind'] = keep;
  else delete copy['x-kubernetes-group-version-kind'];
  return copy;
}

// ---------- main ----------

function gzip(buf: Buffer): Buffer {
  return gzipSync(buf, { level: zc.Z_BEST_COMPRESSION, memLevel: 9 });
}

function build() {
  const dir = moduleDir();
  const specDir = join(dir, 'api', 'openapi-spec');
  const v3dir = join(specDir, 'v3');
  const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

  const v3: { path: string; doc: Json }[] = [];
  const allSchemas: Record<string, Json> = {};
  const schemaConflicts: string[] = [];

  // Group-version documents.
  for (const { group, versions } of groupVersions()) {
    for (const version of versions) {
      const gv = group ? `${group}/${version}` : version;
      const urlPath = group ? `apis/${group}/${version}` : `api/${version}`;
      const file = join(v3dir, `${urlPath.replaceAll('/', '__')}_openapi.json`);
      if (!existsSync(file)) throw new Error(`no upstream document for ${gv} (${file})`);
      const up = read(file);
      const paths = filterPaths(up.paths, gv, `/${urlPath}/`);
      const schemas = prune(up.components.schemas, paths, '#/components/schemas/', urlPath);
      // Every served resource must have its paths and a kind schema with its GVK.
      for (const r of RESOURCES.filter((x) => gvString(x) === gv)) {
        const hasPath = Object.keys(paths).some((p) => { const c = classify(p, `/${urlPath}/`); return c !== 'root' && c?.resource === r.resource; });
        if (!hasPath) throw new Error(`${gv}: upstream document has no paths for ${r.resource}`);
        const kindSchema = Object.values(schemas).some((s: Json) => (s['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === r.group && g.version === r.version && g.kind === r.kind));
        if (!kindSchema) throw new Error(`${gv}: no schema with x-kubernetes-group-version-kind for ${r.kind}`);
      }
      for (const [n, s] of Object.entries(schemas)) {
        if (n in allSchemas && JSON.stringify(allSchemas[n]) !== JSON.stringify(s)) schemaConflicts.push(n);
        allSchemas[n] ??= s;
      }
      v3.push({ path: urlPath, doc: { openapi: up.openapi, info: { ...up.info, version: VERSION }, paths, components: { ...up.components, schemas } } });
    }
  }

  // Discovery documents (/api/, /apis/, /apis/<group>/) and /version/: small, kept as upstream has them.
  const extra = ['api', 'apis', ...[...servedGroups].map((g) => `apis/${g}`), 'version'];
  for (const urlPath of extra) {
    const up = read(join(v3dir, `${urlPath.replaceAll('/', '__')}_openapi.json`));
    const schemas = prune(up.components?.schemas ?? {}, up.paths, '#/components/schemas/', urlPath);
    v3.push({ path: urlPath, doc: { ...up, info: { ...up.info, version: VERSION }, components: { ...up.components, schemas } } });
  }

  // Swagger 2.0: same filtering over the single upstream document.
  const sw = read(join(specDir, 'swagger.json'));
  const v2paths: Record<string, Json> = {};
  const nonResource = new Set(['/api/', '/apis/', '/version/', ...[...servedGroups].map((g) => `/apis/${g}/`)]);
  for (const [p, item] of Object.entries(sw.paths as Record<string, Json>)) {
    if (nonResource.has(p)) { v2paths[p] = item; continue; }
    const m = /^\/(api\/v1|apis\/([^/]+)\/([^/]+))\//.exec(p);
    const gv = m ? (m[2] ? `${m[2]}/${m[3]}` : 'v1') : undefined;
    if (!gv || !served.has(gv)) { dropped.push(`v2 path ${p}`); continue; }
    Object.assign(v2paths, filterPaths({ [p]: item }, gv, `/${m![1]}/`));
  }
  const v2defs = prune(sw.definitions, [v2paths, sw.parameters], '#/definitions/', 'v2');
  const v2 = { ...sw, info: { ...sw.info, version: VERSION }, paths: v2paths, definitions: v2defs };

  // Serialise: one gzip member per document, concatenated; the manifest holds offsets and hashes.
  const blobs: Buffer[] = [];
  let offset = 0;
  const entry = (body: Buffer) => {
    const gz = gzip(body);
    const e = { offset, length: gz.length, size: body.length, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
    blobs.push(gz); offset += gz.length;
    return e;
  };
  const manifest = {
    source: { module: `${MODULE}@${VERSION}`, sum: PINNED_SUM, files: 'api/openapi-spec/v3/*.json, api/openapi-spec/swagger.json' },
    generator: 'openapi/generate.ts',
    v3: Object.fromEntries(v3.map(({ path, doc }) => [path, entry(Buffer.from(JSON.stringify(doc)))])),
    v2: entry(Buffer.from(JSON.stringify(v2))),
  };
  return { manifest, bin: Buffer.concat(blobs), schemaConflicts };
}

const { manifest, bin, schemaConflicts } = build();
const manifestText = JSON.stringify(manifest, null, 1) + '\n';
if (process.argv.includes('--check')) {
  const same = existsSync(MANIFEST) && readFileSync(MANIFEST, 'utf8') === manifestText && readFileSync(BIN).equals(bin);
  console.log(same ? 'openapi artifact is up to date' : 'openapi artifact differs from a fresh generation');
  process.exit(same ? 0 : 1);
}
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(MANIFEST, manifestText);
writeFileSync(BIN, bin);
if (process.argv.includes('--verbose')) for (const d of dropped) console.log('dropped', d);
console.log(`dropped ${dropped.length} upstream paths/operations/schemas not served by Skiff (--verbose lists them)`);
if (schemaConflicts.length) console.log(`note: ${schemaConflicts.length} schemas differ between group-version documents: ${schemaConflicts.slice(0, 5).join(', ')}`);
const raw = Object.values(manifest.v3).reduce((a, e) => a + e.size, 0) + manifest.v2.size;
console.log(`wrote ${BIN} (${bin.length} bytes gzip, ${raw} bytes of JSON) and ${MANIFEST}`);
