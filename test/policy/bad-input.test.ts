// ResourceQuota and LimitRange writes with wrongly typed, malformed, oversized and conflicting input:
// each gets a Kubernetes Status (400/409/413/422 as upstream), never a 500; the quota controller's
// own status writes are never refused by a quota, even one that is full.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, assertStatus } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: true }); });
after(async () => { await f.stop(); });

const rq = (ns: string) => `/api/v1/namespaces/${ns}/resourcequotas`;
const lr = (ns: string) => `/api/v1/namespaces/${ns}/limitranges`;

function refused(res: { status: number; body: any; text: string }, codes: number[]): void {
  assert.ok(codes.includes(res.status), `status ${res.status}: ${res.text.slice(0, 300)}`);
  assert.equal(res.body.kind, 'Status');
  assert.equal(res.body.status, 'Failure');
}

test('ResourceQuota: wrongly typed specs and statuses are 400/422 Status answers', async () => {
  const ns = await f.ns('rq-typed');
  const post = (spec: unknown) => f.api.post(rq(ns)).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec });
  for (const spec of ['pods', 5, { hard: 'pods=1' }, { hard: { pods: 1.5 } }, { hard: { pods: { n: 1 } } }, { scopes: 'Terminating', hard: { pods: '1' } },
    { hard: { pods: '1' }, scopeSelector: { matchExpressions: 'x' } }, { hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'Bogus', operator: 'Exists' }] } }]) {
    refused(await post(spec), [400, 422]);
  }
  const ok = await post({ hard: { pods: '2' } });
  assert.equal(ok.status, 201, ok.text);
  // A status with negative or unparsable usage is refused with upstream's field path.
  const cur = (await f.api.get(`${rq(ns)}/q`)).body;
  const neg = assertStatus(await f.api.put(`${rq(ns)}/q/status`).send({ ...cur, status: { hard: { pods: '2' }, used: { pods: '-1' } } }), 422, 'Invalid');
  assert.match(neg.message, /status.used\[pods\]: Invalid value: "-1": must be greater than or equal to 0/);
  refused(await f.api.put(`${rq(ns)}/q/status`).send({ ...cur, status: { used: { pods: 'many' } } }), [400, 422]);
  // A stale resourceVersion is a conflict.
  assertStatus(await f.api.put(`${rq(ns)}/q`).send({ ...cur, metadata: { ...cur.metadata, resourceVersion: '1' } }), 409, 'Conflict');
});

test('LimitRange: wrongly typed and unknown limit types are 400/422 Status answers', async () => {
  const ns = await f.ns('lr-typed');
  const post = (spec: unknown) => f.api.post(lr(ns)).send({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec });
  for (const spec of ['x', { limits: 'Container' }, { limits: [5] }, { limits: [{ type: 5 }] }, { limits: [{ type: 'Container', max: 'lots' }] },
    { limits: [{ type: 'Container', max: { cpu: 'lots' } }] }, { limits: [{ type: 'Container', max: { cpu: '-1' } }] }, { limits: [{ type: 'Container', default: { cpu: '2' }, max: { cpu: '1' } }] }]) {
    refused(await post(spec), [400, 422]);
  }
});

test('oversized quota and limit range bodies are 413; many resource names are judged, not crashed on', async () => {
  const ns = await f.ns('rq-big');
  const huge = 'x'.repeat(4 * 1024 * 1024);
  refused(await f.api.post(rq(ns)).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', annotations: { a: huge } }, spec: { hard: { pods: '1' } } }), [413]);
  refused(await f.api.post(lr(ns)).send({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', annotations: { a: huge } }, spec: { limits: [] } }), [413]);
  const hard: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) hard[`requests.example.com/r${i}`] = '1';
  hard[`requests.${'y'.repeat(300)}.example.com/r`] = '1';
  refused(await f.api.post(rq(ns)).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'wide' }, spec: { hard } }), [422]);
});

test('a full quota never blocks its own controller: deletions are counted back and the freed unit is usable', async () => {
  const ns = await f.ns('rq-full');
  const res = await f.api.post(rq(ns)).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '1', 'count/resourcequotas': '1', resourcequotas: '1' } } });
  assert.equal(res.status, 201, res.text);
  const until = async (what: string, ok: (b: any) => boolean) => {
    for (let i = 0; i < 500; i++) { const b = (await f.api.get(`${rq(ns)}/q`)).body; if (ok(b)) return b; await new Promise((r) => setTimeout(r, 10)); }
    throw new Error(`timed out: ${what}`);
  };
  await until('counted', (b) => b.status?.used?.resourcequotas === '1' && b.status?.used?.pods === '0');
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('a'))).status, 201);
  assertStatus(await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('b')), 403, 'Forbidden');
  await until('full', (b) => b.status?.used?.pods === '1');
  assert.equal((await f.api.delete(`/api/v1/namespaces/${ns}/pods/a?gracePeriodSeconds=0`)).status, 200);
  await until('released by the controller', (b) => b.status?.used?.pods === '0');
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('b'))).status, 201);
});
