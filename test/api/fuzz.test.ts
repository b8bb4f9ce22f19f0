// Seeded fuzzing of paths, query strings, content types and bodies: every answer is a success or a
// well-formed Status below 500 (the one 5xx upstream itself answers to clients, 504 "Too large
// resource version", is allowed), the process survives, and the server keeps answering.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { cm, deployment, pod, prng, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
  await f.api.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz' } });
  await f.api.post('/api/v1/namespaces/fz/configmaps').send(cm('x'));
  await f.api.post('/apis/apps/v1/namespaces/fz/deployments').send(deployment('x'));
  await f.api.post('/api/v1/namespaces/fz/pods').send(pod('x'));
});
after(async () => { await f.stop(); });

const SEED = Number(process.env.SKIFF_FUZZ_SEED ?? 20260101);
const COUNT = Number(process.env.SKIFF_FUZZ_COUNT ?? 600);

function gen(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const chance = (p: number) => rand() < p;
  const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0x250))).join('');

  const resources = [
    ['api/v1', 'configmaps', true], ['api/v1', 'pods', true], ['apis/apps/v1', 'deployments', true], ['api/v1', 'namespaces', false],
    ['api/v1', 'services', true], ['api/v1', 'secrets', true], ['api/v1', 'nodes', false], ['api/v1', 'events', true],
    ['apis/coordination.k8s.io/v1', 'leases', true], ['apis/apiextensions.k8s.io/v1', 'customresourcedefinitions', false],
    ['apis/authorization.k8s.io/v1', 'selfsubjectaccessreviews', false], ['apis/authentication.k8s.io/v1', 'tokenreviews', false],
    ['api/v1', 'bindings', true], ['apis/batch/v1', 'jobs', true], ['api/v1', 'replicationcontrollers', true], ['api/v1', 'componentstatuses', false],
  ] as const;
  const namespaces = ['fz', 'fz', 'default', 'nope', 'Bad_NS', '%2F', '..', '%00', 'x'.repeat(70)];
  const names = ['x', 'x', 'y', 'Bad', '..', '.', '%00', '%2e%2e', 'a'.repeat(300), '%E2%98%83', '%', 'x%20y'];
  const subs = ['', '', '', 'status', 'scale', 'binding', 'eviction', 'finalize', 'exec', 'log', 'proxy', 'nosuch', 'status/extra'];
  const [gv, res, namespaced] = pick(resources);
  let path: string;
  if (chance(0.08)) path = pick(['/', '/api', '/apis', '/apis/apps', '/openapi/v3', '/version', '/healthz?verbose', '//api//v1', '/api/v1/watch/configmaps', `/${encodeURIComponent(junk(5))}`, '/api/v1/namespaces/fz/configmaps/x/y/z']);
  else {
    path = `/${gv}`;
    if (namespaced && chance(0.8)) path += `/namespaces/${pick(namespaces)}`;
    path += `/${res}`;
    if (chance(0.6)) { path += `/${pick(names)}`; const s = pick(subs); if (s) path += `/${s}`; }
  }
  const params: string[] = [];
  const qv = () => pick(['', '0', '1', '-1', '1.5', 'abc', 'true', '99999999999999999999', '%', encodeURIComponent(junk(4)), 'All', 'Exact', 'NotOlderThan', 'Orphan']);
  const keys = ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'dryRun', 'timeoutSeconds',
    'gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'fieldManager', 'fieldValidation', 'pretty', 'allowWatchBookmarks', 'sendInitialEvents', 'watch', 'includeObject', 'force'];
  const nq = Math.floor(rand() * 4);
  for (let i = 0; i < nq; i++) {
    const k = pick(keys);
    let v = qv();
    if (k === 'labelSelector') v = encodeURIComponent(pick(['app=web', 'app in (a,b', '!x', 'a,b,,', 'x notin ()', junk(6), '=', 'a=b=c', 'a!=', `${'k'.repeat(70)}=v`]));
    if (k === 'fieldSelector') v = encodeURIComponent(pick(['metadata.name=x', 'spec.nodeName=n', 'status.phase!=Running', 'x', '=', 'metadata.name', junk(5)]));
    if (k === 'continue') v = encodeURIComponent(pick([junk(8), Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: pick([1, -1, 1.5, 1e12, 0]), start: pick(['fz/', '', 'zz', '\u0000']) })).toString('base64')]));
    params.push(`${k}=${v}`);
  }
  if (params.some((p) => p.startsWith('watch='))) params.push('timeoutSeconds=1');
  if (params.length) path += `?${params.join('&')}`;

  // (Unknown method tokens and CONNECT are handled by Node's HTTP server before the app sees them.)
  const method = pick(['GET', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE']);
  const contentType = pick(['application/json', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json',
    'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'text/plain', '', 'application/json; charset=utf-16', 'multipart/form-data']);
  const base: any = pick([cm('x'), deployment('x'), pod('x'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz' } }, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Orphan' },
    { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'x' }, spec: { replicas: 2 } }, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'x' }, target: { name: 'n' } },
    [{ op: 'replace', path: '/data/a', value: '2' }], [{ op: 'remove', path: '/metadata' }], [{ op: 'move', from: '/a', path: '/a/b' }], { metadata: { labels: { a: null } } }]);
  const mutate = (o: any, depth = 0): any => {
    if (depth > 4 || o === null || typeof o !== 'object') return o;
    const out: any = Array.isArray(o) ? [...o] : { ...o };
    for (const k of Object.keys(out)) {
      if (chance(0.12)) out[k] = pick([null, 42, -1, 1e308, '', 'x', [], {}, true, junk(3), [null], { '': '' }, '\u0000', 'a'.repeat(1000)]);
      else out[k] = mutate(out[k], depth + 1);
    }
    if (chance(0.1) && !Array.isArray(out)) out[pick(['__proto__', 'constructor', 'spec', 'status', 'metadata', junk(2)])] = pick([{ polluted: true }, null, 'x']);
    return out;
  };
  let body: string | Buffer | undefined;
  const kind = rand();
  if (kind < 0.55) body = JSON.stringify(mutate(base));
  else if (kind < 0.65) body = JSON.stringify(base).slice(0, Math.floor(rand() * 40));
  else if (kind < 0.72) body = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
  else if (kind < 0.76) body = Buffer.concat([Buffer.from('k8s\u0000'), Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)))]);
  else if (kind < 0.8) body = 'a: &a [1,2]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c]\n';
  else if (kind < 0.84) body = '['.repeat(5000) + ']'.repeat(5000);
  else if (kind < 0.88) body = JSON.stringify({ ...base, metadata: { ...(base.metadata ?? {}), annotations: { big: 'x'.repeat(Math.floor(rand() * 300_000)) } } });
  else body = undefined;
  return { method, path, contentType, body };
}

interface Answer { status: number; contentType: string; text: string; streamed: boolean }

function send(req: { method: string; path: string; contentType: string; body?: string | Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${f.token}` };
    if (req.contentType) headers['Content-Type'] = req.contentType;
    // Frame every body (Node's client sends GET/DELETE bodies unframed otherwise, which is a client bug, not a server one).
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = httpRequest(new URL(f.url), { method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      const streamed = res.headers['transfer-encoding'] === 'chunked' && res.statusCode === 200;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8'), streamed }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

test(`fuzz: ${COUNT} seeded requests (seed ${SEED}) never get a 5xx or a non-Status error`, { timeout: 120_000 }, async () => {
  const rand = prng(SEED);
  const problems: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const req = gen(rand);
    const label = `#${i} ${req.method} ${req.path.slice(0, 160)} [${req.contentType}] body=${req.body === undefined ? '-' : String(req.body).slice(0, 120)}`;
    let a: Answer;
    try { a = await send(req); } catch (e) { problems.push(`${label} → connection error ${(e as Error).message}`); continue; }
    if (a.status >= 200 && a.status < 300) continue;
    // HEAD has no body to read a reason from: a 504 there can only be the too-large-resourceVersion answer.
    if (req.method === 'HEAD') { if (a.status >= 500 && !(a.status === 504 && /[?&](resourceVersion=\d|continue=)/.test(req.path))) problems.push(`${label} → ${a.status}`); continue; }
    let s: any;
    try { s = JSON.parse(a.text); } catch { problems.push(`${label} → ${a.status} non-JSON error body: ${a.text.slice(0, 200)}`); continue; }
    const wellFormed = s && s.kind === 'Status' && s.apiVersion === 'v1' && s.status === 'Failure' && s.code === a.status && typeof s.message === 'string' && typeof s.reason === 'string';
    if (!wellFormed) { problems.push(`${label} → ${a.status} malformed Status: ${a.text.slice(0, 200)}`); continue; }
    const tooLargeRV = a.status === 504 && s.reason === 'Timeout' && s.details?.causes?.[0]?.reason === 'ResourceVersionTooLarge';
    if (a.status >= 500 && !tooLargeRV) problems.push(`${label} → ${a.status} ${s.reason}: ${s.message.slice(0, 200)}`);
  }
  assert.deepEqual(problems, []);
  // Still serving, and the seeded objects are intact in shape.
  const ok = await f.api.get('/api/v1/namespaces/fz');
  assert.equal(ok.status, 200);
  const list = await f.api.get('/api/v1/namespaces/fz/configmaps');
  assert.equal(list.status, 200);
  for (const item of list.body.items) assert.equal(typeof item.metadata.name, 'string');
});
