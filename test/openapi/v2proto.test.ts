// /openapi/v2 as gnostic protobuf: the encoder's output decoded back field by field, the route's negotiation,
// and the real kubectl 1.27/1.28 (which only read the protobuf form) against a running cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { parse as parseYaml } from 'yaml';
import { encodeOpenAPIV2, openapiV2Protobuf, V2_PROTOBUF_TYPE, V2_PROTOBUF_TYPE_DOTTED } from '../../src/openapi/v2proto.ts';
import { openapiV2 } from '../../src/openapi/index.ts';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';

// ---- a tiny protobuf reader: field number → raw values (bytes for length-delimited, bigint/number otherwise)

type Raw = Uint8Array | number | bigint;
function fields(buf: Uint8Array): Map<number, Raw[]> {
  const r = new BinaryReader(buf);
  const out = new Map<number, Raw[]>();
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    let v: Raw;
    if (wt === WireType.LengthDelimited) v = r.bytes();
    else if (wt === WireType.Varint) v = BigInt(r.uint64());
    else if (wt === WireType.Bit64) v = r.double();
    else throw new Error(`unexpected wire type ${wt}`);
    out.set(no, [...(out.get(no) ?? []), v]);
  }
  return out;
}
const dec = new TextDecoder();
function str(m: Map<number, Raw[]>, no: number): string | undefined {
  const v = m.get(no)?.[0];
  return v instanceof Uint8Array ? dec.decode(v) : undefined;
}
function msg(m: Map<number, Raw[]>, no: number): Map<number, Raw[]> | undefined {
  const v = m.get(no)?.[0];
  return v instanceof Uint8Array ? fields(v) : undefined;
}
function all(m: Map<number, Raw[]>, no: number): Map<number, Raw[]>[] {
  return (m.get(no) ?? []).map((v) => fields(v as Uint8Array));
}
/** A repeated Named<X> field as name → decoded value message. */
function named(m: Map<number, Raw[]> | undefined, no: number): Map<string, Map<number, Raw[]>> {
  const out = new Map<string, Map<number, Raw[]>>();
  for (const n of all(m ?? new Map(), no)) out.set(str(n, 1)!, msg(n, 2) ?? new Map());
  return out;
}
const strings = (m: Map<number, Raw[]> | undefined, no: number): string[] => (m?.get(no) ?? []).map((v) => dec.decode(v as Uint8Array));

// Field numbers (gnostic OpenAPIv2.proto), named here independently of the generated table under test.
const DOC = { swagger: 1, info: 2, paths: 8, definitions: 9, parameters: 10 };
const SCHEMA = { ref: 1, format: 2, description: 4, required: 19, additionalProperties: 21, type: 22, items: 23, properties: 25, vendorExtension: 31 };

test('the encoded document decodes back: Deployment definition, GVK extension, refs, maps, arrays', () => {
  const doc = fields(openapiV2Protobuf().body);
  assert.equal(str(doc, DOC.swagger), '2.0');
  const info = msg(doc, DOC.info)!;
  assert.equal(str(info, 1), 'Kubernetes');
  assert.equal(str(info, 2), 'v1.32.4');

  const defs = named(msg(doc, DOC.definitions), 1);
  assert.equal(defs.size, Object.keys(JSON.parse(openapiV2().body.toString('utf8')).definitions).length);
  const dep = defs.get('io.k8s.api.apps.v1.Deployment')!;
  assert.ok(dep, 'Deployment definition present');
  assert.deepEqual(strings(msg(dep, SCHEMA.type), 1), ['object']);
  const ext = named(dep, SCHEMA.vendorExtension);
  const gvk = ext.get('x-kubernetes-group-version-kind');
  assert.ok(gvk, 'GVK vendor extension present');
  assert.deepEqual(parseYaml(str(gvk, 2)!), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const props = named(msg(dep, SCHEMA.properties), 1);
  assert.deepEqual([...props.keys()].sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.equal(str(props.get('spec')!, SCHEMA.ref), '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  assert.deepEqual(strings(msg(props.get('kind')!, SCHEMA.type), 1), ['string']);

  const spec = defs.get('io.k8s.api.apps.v1.DeploymentSpec')!;
  assert.deepEqual(strings(spec, SCHEMA.required).sort(), ['selector', 'template']);
  const replicas = named(msg(spec, SCHEMA.properties), 1).get('replicas')!;
  assert.equal(str(replicas, SCHEMA.format), 'int32');
  assert.deepEqual(strings(msg(replicas, SCHEMA.type), 1), ['integer']);

  // additionalProperties: {type: string} (labels) and items: {$ref} (containers)
  const labels = named(msg(defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!, SCHEMA.properties), 1).get('labels')!;
  const ap = msg(msg(labels, SCHEMA.additionalProperties)!, 1)!; // AdditionalPropertiesItem.schema
  assert.deepEqual(strings(msg(ap, SCHEMA.type), 1), ['string']);
  const containers = named(msg(defs.get('io.k8s.api.core.v1.PodSpec')!, SCHEMA.properties), 1).get('containers')!;
  const item = all(msg(containers, SCHEMA.items)!, 1); // ItemsItem.schema (repeated)
  assert.equal(item.length, 1);
  assert.equal(str(item[0], SCHEMA.ref), '#/definitions/io.k8s.api.core.v1.Container');
  // list-map extensions on containers are YAML too
  assert.deepEqual(parseYaml(str(named(containers, SCHEMA.vendorExtension).get('x-kubernetes-list-map-keys')!, 2)!), ['name']);
});

test('paths: operations, GVK on operations, parameters as oneofs, responses', () => {
  const doc = fields(openapiV2Protobuf().body);
  const paths = named(msg(doc, DOC.paths), 2);
  const item = paths.get('/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!;
  assert.ok(item, 'path present');
  const patch = msg(item, 8)!; // PathItem.patch
  assert.equal(str(patch, 5), 'patchAppsV1NamespacedDeployment');
  const opExt = named(patch, 13);
  assert.deepEqual(parseYaml(str(opExt.get('x-kubernetes-group-version-kind')!, 2)!), { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.equal(parseYaml(str(opExt.get('x-kubernetes-action')!, 2)!), 'patch');
  const params = all(patch, 8); // repeated ParametersItem
  const queryNames: string[] = [];
  let refs = 0;
  for (const p of params) {
    const ref = msg(p, 2); // JsonReference
    if (ref) { refs++; assert.match(str(ref, 1)!, /^#\/parameters\//); continue; }
    const nonBody = msg(msg(p, 1)!, 2); // Parameter.non_body_parameter
    const query = nonBody && msg(nonBody, 3); // QueryParameterSubSchema
    if (query) queryNames.push(str(query, 4)!);
  }
  assert.ok(refs > 0);
  assert.ok(queryNames.includes('fieldValidation'), `query parameters: ${queryNames.join(',')}`);
  const ok = named(msg(patch, 9), 1).get('200')!; // Responses.response_code → ResponseValue
  const resp = msg(ok, 1)!; // ResponseValue.response
  assert.equal(str(resp, 1), 'OK');
  assert.equal(str(msg(msg(resp, 2)!, 1)!, SCHEMA.ref), '#/definitions/io.k8s.api.apps.v1.Deployment');
  // a body parameter in the shared parameter definitions
  const body = [...named(msg(doc, DOC.parameters), 1)].find(([k]) => k.startsWith('body-'))![1];
  const bp = msg(body, 1)!; // Parameter.body_parameter
  assert.equal(str(bp, 3), 'body');
  assert.ok(msg(bp, 5), 'body parameter has a schema');
});

test('oneof members are written even when zero; proto3 zero scalars are not', () => {
  const d = fields(encodeOpenAPIV2({
    swagger: '2.0', definitions: { A: { type: 'object', additionalProperties: false, description: '', properties: { x: { items: {}, 'x-kubernetes-preserve-unknown-fields': true } } } },
  }));
  const a = named(msg(d, DOC.definitions), 1).get('A')!;
  const ap = msg(a, SCHEMA.additionalProperties)!;
  assert.deepEqual(ap.get(2), [0n]); // boolean = false, present
  assert.equal(a.has(SCHEMA.description), false);
  const x = named(msg(a, SCHEMA.properties), 1).get('x')!;
  assert.deepEqual(all(msg(x, SCHEMA.items)!, 1).map((s) => s.size), [0]); // one empty Schema
  assert.equal(str(named(x, SCHEMA.vendorExtension).get('x-kubernetes-preserve-unknown-fields')!, 2)!.trim(), 'true');
});

// ---- over HTTP

function get(c: Cluster, path: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, c.url), { headers: { authorization: `Bearer ${c.token}`, ...headers }, ca: c.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('GET /openapi/v2 negotiates JSON, protobuf (both spellings) and 406', async (t) => {
  const c = await startCluster();
  t.after(() => c.stop());
  const json = await get(c, '/openapi/v2', { accept: 'application/json' });
  assert.equal(json.status, 200);
  assert.equal(json.headers['content-type'], 'application/json');
  for (const accept of [V2_PROTOBUF_TYPE, V2_PROTOBUF_TYPE_DOTTED, `${V2_PROTOBUF_TYPE}, application/json`]) {
    const pb = await get(c, '/openapi/v2', { accept });
    assert.equal(pb.status, 200, accept);
    assert.equal(pb.headers['content-type'], V2_PROTOBUF_TYPE_DOTTED);
    assert.equal(pb.headers.etag, json.headers.etag);
    assert.ok(pb.body.equals(openapiV2Protobuf().body));
  }
  const notModified = await get(c, '/openapi/v2', { accept: V2_PROTOBUF_TYPE, 'if-none-match': String(json.headers.etag) });
  assert.equal(notModified.status, 304);
  const preferJson = await get(c, '/openapi/v2', { accept: `${V2_PROTOBUF_TYPE};q=0.5, application/json` });
  assert.equal(preferJson.headers['content-type'], 'application/json');
  const bad = await get(c, '/openapi/v2', { accept: 'application/xml' });
  assert.equal(bad.status, 406);
  assert.equal(JSON.parse(bad.body.toString()).kind, 'Status');
});

// ---- real kubectl

function kubectlBinary(version: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const k = join(d, 'kubectl');
    if (!existsSync(k)) continue;
    const b = join(dirname(realpathSync(k)), `kubectl.${version}`);
    if (existsSync(b)) return b;
  }
  return undefined;
}

function run(bin: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const DEPLOYMENT = (name: string, extra: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  ${extra}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
`;

const k127 = kubectlBinary('1.27');
const k128 = kubectlBinary('1.28');

test('kubectl 1.27 apply (create, then configure), 1.28 create, explain via the v2 protobuf', { skip: !k127 || !k128 ? 'kubectl.1.27/kubectl.1.28 not found beside kubectl' : false }, async (t) => {
  const c = await startCluster();
  const dir = mkdtempSync(join(tmpdir(), 'skiff-v2proto-'));
  t.after(async () => { await c.stop(); rmSync(dir, { recursive: true, force: true }); });
  const kc = ['--kubeconfig', c.kubeconfigPath];
  const f = join(dir, 'd.yaml');
  writeFileSync(f, DEPLOYMENT('web', 'replicas: 2'));
  let r = await run(k127!, [...kc, 'apply', '-f', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment\.apps\/web created/);
  writeFileSync(f, DEPLOYMENT('web', 'replicas: 3'));
  r = await run(k127!, [...kc, 'apply', '-f', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment\.apps\/web configured/);
  r = await run(k127!, [...kc, 'get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']);
  assert.equal(r.stdout, '3');

  writeFileSync(f, DEPLOYMENT('web28', 'replicas: 1'));
  r = await run(k128!, [...kc, 'create', '-f', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment\.apps\/web28 created/);

  // Unknown field: kubectl sees fieldValidation in the published paths, so the server rejects it (Strict).
  writeFileSync(f, DEPLOYMENT('bad', 'replicass: 2'));
  r = await run(k127!, [...kc, 'apply', '-f', f]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown field "spec\.replicass"/);

  r = await run(k127!, [...kc, 'explain', 'deployment.spec', '--output=plaintext-openapiv2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /RESOURCE: spec <Object>/);
  assert.match(r.stdout, /replicas\s+<integer>/);
});

/**
 * Client-side validation reads the v2 protobuf definitions by GVK. kubectl only uses it when the server does not
 * advertise fieldValidation, so a plain-HTTP proxy hides /openapi/v3 and serves a v2 protobuf without the
 * fieldValidation parameters (encoded by the code under test); everything else is forwarded to the cluster
 * with the cluster's token.
 */
test('kubectl 1.27 client-side validation rejects an unknown field from the v2 protobuf schema', { skip: !k127 ? 'kubectl.1.27 not found beside kubectl' : false }, async (t) => {
  const c = await startCluster();
  const spec = JSON.parse(openapiV2().body.toString('utf8')) as { paths: Record<string, Record<string, { parameters?: { name?: string; $ref?: string }[] }>> };
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (Array.isArray(op.parameters)) op.parameters = op.parameters.filter((p) => p.name !== 'fieldValidation' && !/\/fieldValidation-/.test(p.$ref ?? ''));
    }
  }
  const pb = Buffer.from(encodeOpenAPIV2(spec));
  let writes = 0;
  const proxy: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname.startsWith('/openapi/v3')) { res.statusCode = 404; res.end(); return; }
    if (u.pathname === '/openapi/v2') { res.setHeader('Content-Type', V2_PROTOBUF_TYPE_DOTTED); res.end(pb); return; }
    if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') writes++;
    const up = httpsRequest(new URL(req.url ?? '/', c.url), { method: req.method, headers: { ...req.headers, host: new URL(c.url).host, authorization: `Bearer ${c.token}` }, ca: c.caPem }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => { res.statusCode = 502; res.end(); });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'skiff-v2proto-'));
  t.after(async () => { await new Promise((r) => proxy.close(r)); await c.stop(); rmSync(dir, { recursive: true, force: true }); });
  const addr = proxy.address() as { port: number };
  const kcPath = join(dir, 'kubeconfig');
  writeFileSync(kcPath, `apiVersion: v1
kind: Config
clusters: [{name: p, cluster: {server: "http://127.0.0.1:${addr.port}"}}]
users: [{name: u, user: {}}]
contexts: [{name: p, context: {cluster: p, user: u, namespace: default}}]
current-context: p
`);
  const f = join(dir, 'bad.yaml');
  writeFileSync(f, DEPLOYMENT('bad', 'replicass: 2'));
  const r = await run(k127!, ['--kubeconfig', kcPath, 'apply', '-f', f]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /error validating data: .*unknown field "replicass" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
  assert.equal(writes, 0, 'rejected before any write reached the server');
  // A valid manifest passes the same client-side validation and is created through the proxy.
  writeFileSync(f, DEPLOYMENT('good', 'replicas: 1'));
  const ok = await run(k127!, ['--kubeconfig', kcPath, 'apply', '-f', f]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /deployment\.apps\/good created/);
});

