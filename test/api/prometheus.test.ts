// GET /metrics: Prometheus text with upstream's apiserver_* series, counting requests by verb,
// resource, scope and code; authenticated; writes to it are refused with a Status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { assertStatus, cm, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

/** The value of one series (exact label set, in any order) in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2].matchAll(/([a-z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(): Promise<string> {
  const res = await f.api.get('/metrics').buffer(true).parse((r, cb) => { let b = ''; r.setEncoding('utf8'); r.on('data', (c: string) => { b += c; }); r.on('end', () => cb(null, b)); });
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  return res.body as string;
}

test('requests are counted by verb, resource, scope and code, with latency histograms', async () => {
  const ns = await f.ns('metrics');
  const before = await scrape();
  const base = (labels: Record<string, string>) => sample(before, 'apiserver_request_total', labels) ?? 0;
  const created = { verb: 'POST', resource: 'configmaps', scope: 'namespace', code: '201', group: '', version: 'v1' };
  const conflict = { verb: 'POST', resource: 'configmaps', scope: 'namespace', code: '409' };
  const got = { verb: 'GET', resource: 'configmaps', scope: 'resource', code: '200' };
  const listed = { verb: 'LIST', resource: 'configmaps', scope: 'namespace', code: '200' };
  const b = { created: base(created), conflict: base(conflict), got: base(got), listed: base(listed) };

  for (const n of ['m1', 'm2', 'm3']) assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm(n))).status, 201);
  assertStatus(await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('m1')), 409, 'AlreadyExists');
  assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/m1`)).status, 200);
  assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps`)).status, 200);

  const text = await scrape();
  assert.equal(sample(text, 'apiserver_request_total', created), b.created + 3);
  assert.equal(sample(text, 'apiserver_request_total', conflict), b.conflict + 1);
  assert.equal(sample(text, 'apiserver_request_total', got), b.got + 1);
  assert.equal(sample(text, 'apiserver_request_total', listed), b.listed + 1);
  const count = sample(text, 'apiserver_request_duration_seconds_count', { verb: 'POST', resource: 'configmaps', scope: 'namespace' });
  assert.ok(count !== undefined && count >= 4, `duration histogram count: ${count}`);
  assert.ok(sample(text, 'apiserver_request_duration_seconds_bucket', { verb: 'POST', resource: 'configmaps', le: '+Inf' }) !== undefined);
  // Stored objects by resource, as upstream labels them.
  assert.ok((sample(text, 'apiserver_storage_objects', { resource: 'configmaps' }) ?? 0) >= 3);
  assert.ok((sample(text, 'apiserver_storage_objects', { resource: 'namespaces' }) ?? 0) >= 5);
  assert.ok(sample(text, 'apiserver_current_inflight_requests', { request_kind: 'mutating' }) !== undefined);
  assert.match(text, /^process_resident_memory_bytes \d+/m);
});

test('watches are long-running: counted in the gauge while open, and kept out of the latency histogram', async () => {
  const ns = await f.ns('metrics-watch');
  const ac = new AbortController();
  const res = await fetch(`${f.url}/api/v1/namespaces/${ns}/configmaps?watch=true`, { headers: { Authorization: `Bearer ${f.token}` }, signal: ac.signal });
  assert.equal(res.status, 200);
  try {
    const text = await scrape();
    assert.ok((sample(text, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps' }) ?? 0) >= 1, 'open watch in apiserver_longrunning_requests');
    assert.equal(sample(text, 'apiserver_request_duration_seconds_count', { verb: 'WATCH' }), undefined);
  } finally { ac.abort(); }
});

test('/metrics needs credentials and refuses writes with a Status', async () => {
  // Anonymous requests are authenticated as system:anonymous; only system:monitoring may read /metrics.
  const s = assertStatus(await request(f.url).get('/metrics'), 403, 'Forbidden');
  assert.equal(s.message, 'forbidden: User "system:anonymous" cannot get path "/metrics"');
  assertStatus(await f.api.post('/metrics').send({}), 405, 'MethodNotAllowed');
});

test('apiserver_request_duration_seconds, counted outside prom-client, reads as a prom-client Histogram of the same observations', async () => {
  const prom = await import('prom-client');
  const { durationHistogram, BUCKETS } = await import('../../src/api/metrics.ts');
  const labels = { verb: 'POST', group: '', version: 'v1', resource: 'configmaps', subresource: '', scope: 'namespace', component: 'apiserver' };
  const other = { ...labels, verb: 'GET', resource: 'pods', scope: 'resource' };
  const observations: [typeof labels, number][] = [[labels, 0.001], [labels, 0.005], [labels, 0.0051], [labels, 0.7], [labels, 100], [other, 0.3]];
  const reference = new prom.Registry();
  const h = new prom.Histogram({ name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.', labelNames: Object.keys(labels), buckets: BUCKETS, registers: [reference] });
  for (const [l, v] of observations) h.observe(l, v);
  const series = new Map<string, import('../../src/api/metrics.ts').Series>();
  for (const [l, v] of observations) {
    const key = JSON.stringify(l);
    let s = series.get(key);
    if (!s) series.set(key, s = { labels: l, codes: new Map(), buckets: new Array(BUCKETS.length).fill(0), sum: 0, count: 0 });
    let i = 0;
    while (i < BUCKETS.length && v > BUCKETS[i]) i++;
    if (i < BUCKETS.length) s.buckets[i]++;
    s.sum += v; s.count++;
  }
  // A series with no observation (long-running requests only) is not shown.
  series.set('idle', { labels: { ...labels, verb: 'WATCH' }, codes: new Map([[200, 1]]), buckets: new Array(BUCKETS.length).fill(0), sum: 0, count: 0 });
  const ours = new prom.Registry();
  ours.registerMetric(durationHistogram(series) as unknown as import('prom-client').Metric);
  assert.equal(await ours.metrics(), await reference.metrics());
});
