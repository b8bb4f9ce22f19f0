// Seeded fuzzing of the API (issue 19). Every class of hostile input runs as its own test with its
// own seeded stream: the original mix of paths, query strings, content types and bodies, then
// hostile path segments per verb, Expect/Host/framing tricks, bad upgrades, bad selectors, huge
// inputs, deep nesting, prototype-named keys, scalars where lists belong and wrongly typed metadata.
// For every answer: never a 5xx (but upstream's own 504 "Too large resource version"), every error
// a well-formed Status (but the plain-text answers Go's net/http itself writes, where upstream does
// too), no connection left hanging, the server alive, no Object.prototype pollution, and the store
// unchanged by any request that was not answered 2xx (its revision does not move).
//
// SKIFF_FUZZ_SEED picks the seed (fixed by default, so CI is reproducible); SKIFF_FUZZ_COUNT the
// number of mixed requests (each other class gets a sixth of it, at least 20). `npm run fuzz`
// sweeps many seeds with larger counts (scripts/fuzz.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { cm, deployment, pod, prng, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';
import { rawRequest } from './raw-http.ts';
import { badSelector, badUpgrade, deepNesting, headerTricks, hostilePath, hugeInput, NS, prototypeKeys, SEEDS, wrongMetadata, wrongShapes } from './fuzz-classes.ts';
import type { FuzzRequest, Rand } from './fuzz-classes.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
  await f.api.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await reseed();
});
after(async () => { await f.stop(); });

/** Create whichever seeded object is missing (a 2xx request may legitimately have removed it). */
async function reseed(): Promise<void> {
  for (const [coll, obj] of SEEDS) await f.api.post(coll).send(obj);
}

const SEED = Number(process.env.SKIFF_FUZZ_SEED ?? 20260101);
const COUNT = Number(process.env.SKIFF_FUZZ_COUNT ?? 600);
const PER_CLASS = Math.max(20, Math.round(COUNT / 6));

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

interface Answer { status: number; contentType: string; text: string; timedOut?: boolean }

function send(req: FuzzRequest): Promise<Answer> {
  if (req.raw !== undefined) {
    return rawRequest(f.server.port, req.raw.replace('{{TOKEN}}', f.token)).then((a) => ({ status: a.status, contentType: a.headers['content-type'] ?? '', text: a.text, timedOut: a.timedOut }));
  }
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${f.token}`, ...req.headers };
    if (req.contentType) headers['Content-Type'] = req.contentType;
    // Frame every body (Node's client sends GET/DELETE bodies unframed otherwise, which is a client bug, not a server one).
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const r = httpRequest(new URL(f.url), { method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.setTimeout(15_000, () => r.destroy(new Error('no answer in 15 s')));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Answers Go's net/http writes itself (not Status bodies upstream either). */
function goOwnAnswer(a: Answer): boolean {
  const plain = a.contentType === 'text/plain; charset=utf-8';
  return (a.status === 400 && plain && /^400 Bad Request(: .*)?$/.test(a.text))
    || (a.status === 417 && a.text === '')
    || (a.status === 431 && a.text === '431 Request Header Fields Too Large')
    || (a.status === 501 && a.text === 'Unsupported transfer encoding');
}

/** What is wrong with an answer, if anything. */
function judge(req: FuzzRequest, a: Answer): string | undefined {
  if (a.timedOut) return 'no complete answer before the timeout';
  if (a.status === 0) return 'no answer';
  if (a.status === 101) return undefined;
  if (a.status >= 200 && a.status < 300) return undefined;
  if (goOwnAnswer(a)) return undefined;
  // HEAD has no body to read a reason from: a 504 there can only be the too-large-resourceVersion answer.
  if (req.method === 'HEAD') return a.status >= 500 && !(a.status === 504 && /[?&](resourceVersion=\d|continue=)/.test(req.path)) ? `${a.status}` : undefined;
  let s: any;
  try { s = JSON.parse(a.text); } catch { return `${a.status} non-JSON error body: ${a.text.slice(0, 200)}`; }
  const wellFormed = s && s.kind === 'Status' && s.apiVersion === 'v1' && s.status === 'Failure' && s.code === a.status && typeof s.message === 'string' && typeof s.reason === 'string';
  if (!wellFormed) return `${a.status} malformed Status: ${a.text.slice(0, 200)}`;
  const tooLargeRV = a.status === 504 && s.reason === 'Timeout' && s.details?.causes?.[0]?.reason === 'ResourceVersionTooLarge';
  if (a.status >= 500 && !tooLargeRV) return `${a.status} ${s.reason}: ${s.message.slice(0, 200)}`;
  if (req.boundedEcho && a.text.length > 16 * 1024) return `${a.status} error body of ${a.text.length} bytes echoes the input: ${s.message.slice(0, 120)}`;
  return undefined;
}

/** The seeded namespace still lists, as JSON and as protobuf (a stored object of the wrong type breaks the latter). */
async function listsStillWork(): Promise<string[]> {
  const problems: string[] = [];
  for (const coll of [...new Set(SEEDS.map(([c]) => c))]) {
    for (const accept of ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io']) {
      const a = await send({ method: 'GET', path: coll, headers: { Accept: accept } });
      if (a.status !== 200) problems.push(`list ${coll} as ${accept} → ${a.status} ${a.text.slice(0, 200)}`);
    }
  }
  return problems;
}

async function runClass(name: string, count: number, seed: number, generate: (rand: Rand) => FuzzRequest, listsAfterEach = false): Promise<void> {
  const rand = prng(seed);
  const problems: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 25 === 0) await reseed();
    const req = generate(rand);
    const shown = req.raw !== undefined ? JSON.stringify(req.raw.slice(0, 200)) : `${req.method} ${req.path.slice(0, 160)} [${req.contentType ?? ''}] body=${req.body === undefined ? '-' : String(req.body).slice(0, 120)}`;
    const label = `${name} #${i} ${shown}`;
    const revision = f.server.backend.currentRevision();
    let a: Answer;
    try { a = await send(req); } catch (e) { problems.push(`${label} → connection error ${(e as Error).message}`); continue; }
    const problem = judge(req, a);
    if (problem) problems.push(`${label} → ${problem}`);
    const ok = a.status >= 200 && a.status < 300;
    if (!ok && f.server.backend.currentRevision() !== revision) problems.push(`${label} → ${a.status}, yet the store changed (revision ${revision} → ${f.server.backend.currentRevision()})`);
    if (({} as Record<string, unknown>).polluted !== undefined || Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')) {
      problems.push(`${label} → Object.prototype was polluted`);
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    if (listsAfterEach) for (const p of await listsStillWork()) problems.push(`${label} → then ${p}`);
  }
  assert.deepEqual(problems, []);
  // Still serving, and the seeded objects are intact in shape.
  const alive = await f.api.get(`/api/v1/namespaces/${NS}`);
  assert.equal(alive.status, 200);
  assert.deepEqual(await listsStillWork(), []);
}

const CLASSES: [string, (rand: Rand) => FuzzRequest, boolean?][] = [
  ['hostile paths', hostilePath],
  ['Expect, Host and framing', headerTricks],
  ['bad upgrades', badUpgrade],
  ['bad selectors', badSelector],
  ['huge inputs', hugeInput],
  ['deep nesting', deepNesting],
  ['prototype-named keys', prototypeKeys],
  ['scalars where lists belong', wrongShapes],
  ['wrongly typed metadata', wrongMetadata, true],
];

test(`fuzz mixed: ${COUNT} seeded requests (seed ${SEED})`, { timeout: 300_000 }, async () => {
  await runClass('mixed', COUNT, SEED, gen);
});

CLASSES.forEach(([name, generate, listsAfterEach], i) => {
  test(`fuzz ${name}: ${PER_CLASS} seeded requests (seed ${SEED + i + 1})`, { timeout: 300_000 }, async () => {
    await runClass(name, PER_CLASS, SEED + i + 1, generate, listsAfterEach);
  });
});
