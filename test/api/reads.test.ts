// Reads: resourceVersion semantics on get/list, pagination, label and field selectors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, cm, pod, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
const names = (res: any) => res.body.items.map((i: any) => i.metadata.name);

describe('resourceVersion on get and list', () => {
  test('get with RV "" and "0" answers the current object', async () => {
    const ns = await f.ns('rvget');
    await f.api.post(cms(ns)).send(cm('x'));
    const u = await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '2' }));
    for (const rv of ['', '0']) {
      const g = await f.api.get(`${cms(ns)}/x?resourceVersion=${rv}`);
      assert.equal(g.status, 200);
      assert.equal(g.body.metadata.resourceVersion, u.body.metadata.resourceVersion);
      assert.deepEqual(g.body.data, { a: '2' });
    }
  });

  test('list: "" and "0" list the current state, the list RV is at least every item RV', async () => {
    const ns = await f.ns('rvlist');
    await f.api.post(cms(ns)).send(cm('a'));
    const b = await f.api.post(cms(ns)).send(cm('b'));
    for (const rv of ['', '0']) {
      const l = await f.api.get(`${cms(ns)}?resourceVersion=${rv}`);
      assert.equal(l.status, 200);
      assert.equal(l.body.kind, 'ConfigMapList');
      assert.equal(l.body.apiVersion, 'v1');
      assert.deepEqual(names(l), ['a', 'b']);
      assert.ok(Number(l.body.metadata.resourceVersion) >= Number(b.body.metadata.resourceVersion));
    }
  });

  test('list with resourceVersionMatch=Exact answers the state at an older revision', async () => {
    const ns = await f.ns('exact');
    const a = await f.api.post(cms(ns)).send(cm('a', { v: 'old' }));
    const old = a.body.metadata.resourceVersion;
    await f.api.put(`${cms(ns)}/a`).send(cm('a', { v: 'new' }));
    await f.api.post(cms(ns)).send(cm('b'));
    const l = await f.api.get(`${cms(ns)}?resourceVersion=${old}&resourceVersionMatch=Exact`);
    assert.equal(l.status, 200, l.text);
    assert.equal(l.body.metadata.resourceVersion, old);
    assert.deepEqual(names(l), ['a']);
    assert.deepEqual(l.body.items[0].data, { v: 'old' });
    assert.equal(l.body.items[0].metadata.resourceVersion, old);
    const nowList = await f.api.get(`${cms(ns)}?resourceVersion=${old}&resourceVersionMatch=NotOlderThan`);
    assert.deepEqual(names(nowList), ['a', 'b'], 'NotOlderThan answers a state at least as new');
  });

  test('NotOlderThan (and Exact) with a future resourceVersion is 504 Timeout "Too large resource version"', async () => {
    const ns = await f.ns('future');
    const future = String(f.server.backend.currentRevision() + 100000);
    for (const q of [`resourceVersion=${future}`, `resourceVersion=${future}&resourceVersionMatch=NotOlderThan`, `resourceVersion=${future}&resourceVersionMatch=Exact`]) {
      const s = assertStatus(await f.api.get(`${cms(ns)}?${q}`), 504, 'Timeout');
      assert.match(s.message, new RegExp(`^Too large resource version: ${future}, current: \\d+$`));
      assert.deepEqual(s.details.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
    }
    await f.api.post(cms(ns)).send(cm('x'));
    const g = assertStatus(await f.api.get(`${cms(ns)}/x?resourceVersion=${future}`), 504, 'Timeout');
    assert.match(g.message, /^Too large resource version/);
  });

  test('resourceVersionMatch without resourceVersion is rejected', async () => {
    const ns = await f.ns('rvm');
    const s = assertStatus(await f.api.get(`${cms(ns)}?resourceVersionMatch=NotOlderThan`), 422, 'Invalid');
    assert.equal(s.details.causes[0].field, 'resourceVersionMatch');
    assertStatus(await f.api.get(`${cms(ns)}?resourceVersion=1&resourceVersionMatch=Sometimes`), 422, 'Invalid');
    assertStatus(await f.api.get(`${cms(ns)}?resourceVersion=0&resourceVersionMatch=Exact`), 422, 'Invalid');
  });

  test('a malformed resourceVersion is 400', async () => {
    const ns = await f.ns('badrv');
    await f.api.post(cms(ns)).send(cm('x'));
    assertStatus(await f.api.get(`${cms(ns)}?resourceVersion=abc`), 400, 'BadRequest');
    assertStatus(await f.api.get(`${cms(ns)}/x?resourceVersion=-1`), 400, 'BadRequest');
  });

  test('Exact at a compacted revision is 410 Expired', async () => {
    const ns = await f.ns('compacted');
    const a = await f.api.post(cms(ns)).send(cm('a'));
    await f.api.put(`${cms(ns)}/a`).send(cm('a', { a: '2' }));
    await f.server.backend.compact(f.server.backend.currentRevision());
    const s = assertStatus(await f.api.get(`${cms(ns)}?resourceVersion=${a.body.metadata.resourceVersion}&resourceVersionMatch=Exact`), 410, 'Expired');
    assert.match(s.message, /too old/);
  });
});

describe('pagination', () => {
  test('limit/continue pages across namespaces with remainingItemCount, from one snapshot', async () => {
    const ns1 = await f.ns('page-a');
    const ns2 = await f.ns('page-b');
    const want: string[] = [];
    for (const [ns, n] of [[ns1, 's1'], [ns1, 's2'], [ns1, 's3'], [ns2, 's1'], [ns2, 's2']]) {
      const r = await f.api.post(`/api/v1/namespaces/${ns}/secrets`).send({ apiVersion: 'v1', kind: 'Secret', metadata: { name: n }, data: {} });
      assert.equal(r.status, 201, r.text);
      want.push(`${ns}/${n}`);
    }
    const p1 = await f.api.get('/api/v1/secrets?limit=2');
    assert.equal(p1.status, 200);
    assert.equal(p1.body.items.length, 2);
    assert.equal(p1.body.metadata.remainingItemCount, 3);
    assert.ok(p1.body.metadata.continue);
    // Written after the first page: not part of this list.
    await f.api.post(`/api/v1/namespaces/${ns2}/secrets`).send({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's9' } });
    const p2 = await f.api.get(`/api/v1/secrets?limit=2&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    assert.equal(p2.status, 200, p2.text);
    assert.equal(p2.body.items.length, 2);
    assert.equal(p2.body.metadata.remainingItemCount, 1);
    assert.equal(p2.body.metadata.resourceVersion, p1.body.metadata.resourceVersion, 'every page is read at the first page\'s revision');
    const p3 = await f.api.get(`/api/v1/secrets?limit=2&continue=${encodeURIComponent(p2.body.metadata.continue)}`);
    assert.equal(p3.body.items.length, 1);
    assert.equal(p3.body.metadata.continue, undefined);
    assert.equal(p3.body.metadata.remainingItemCount, undefined);
    const got = [...p1.body.items, ...p2.body.items, ...p3.body.items].map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`);
    assert.deepEqual(got, want);
  });

  test('limit with a label selector fills pages with matches only', async () => {
    const ns = await f.ns('page-sel');
    for (let i = 0; i < 6; i++) await f.api.post(cms(ns)).send(cm(`c${i}`, {}, { even: String(i % 2 === 0) }));
    const p1 = await f.api.get(`${cms(ns)}?limit=2&labelSelector=even%3Dtrue`);
    assert.deepEqual(names(p1), ['c0', 'c2']);
    assert.ok(p1.body.metadata.continue);
    const p2 = await f.api.get(`${cms(ns)}?limit=2&labelSelector=even%3Dtrue&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    assert.deepEqual(names(p2), ['c4']);
    assert.equal(p2.body.metadata.continue, undefined);
  });

  test('a continue token after compaction is 410 Expired', async () => {
    const ns = await f.ns('page-exp');
    for (let i = 0; i < 3; i++) await f.api.post(cms(ns)).send(cm(`c${i}`));
    const p1 = await f.api.get(`${cms(ns)}?limit=1`);
    await f.api.put(`${cms(ns)}/c0`).send(cm('c0', { a: 'x' }));
    await f.server.backend.compact(f.server.backend.currentRevision());
    const expired = await f.api.get(`${cms(ns)}?limit=1&continue=${encodeURIComponent(p1.body.metadata.continue)}`);
    const s = assertStatus(expired, 410, 'Expired');
    assert.match(s.message, /too old to display a consistent list result.*inconsistent list/);
    // As upstream: the 410 carries a token that continues after the same key at the newest revision.
    const fresh = expired.body.metadata.continue;
    assert.equal(typeof fresh, 'string');
    await f.api.post(cms(ns)).send(cm('c3'));
    const p2 = await f.api.get(`${cms(ns)}?limit=1&continue=${encodeURIComponent(fresh)}`);
    assert.equal(p2.status, 200, p2.text);
    assert.deepEqual(names(p2), ['c1']);
    assert.notEqual(p2.body.metadata.resourceVersion, p1.body.metadata.resourceVersion);
    assert.equal(p2.body.metadata.remainingItemCount, 2, 'c2 and c3 (created after the first page) remain');
    const p3 = await f.api.get(`${cms(ns)}?limit=5&continue=${encodeURIComponent(p2.body.metadata.continue)}`);
    assert.deepEqual(names(p3), ['c2', 'c3']);
    assert.equal(p3.body.metadata.resourceVersion, p2.body.metadata.resourceVersion, 'later pages keep the new snapshot');
  });

  test('continue tokens with an out-of-range revision are 400', async () => {
    const ns = await f.ns('page-rv');
    for (const rv of [0, -2, 1.5, 'x']) {
      const tok = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: 'a\u0000' })).toString('base64');
      assertStatus(await f.api.get(`${cms(ns)}?limit=1&continue=${encodeURIComponent(tok)}`), 400, 'BadRequest');
    }
  });

  test('a malformed continue token or negative/invalid limit is 400', async () => {
    const ns = await f.ns('page-bad');
    assertStatus(await f.api.get(`${cms(ns)}?limit=1&continue=not-a-token`), 400, 'BadRequest');
    assertStatus(await f.api.get(`${cms(ns)}?limit=abc`), 400, 'BadRequest');
    const tok = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: 'x' })).toString('base64');
    assertStatus(await f.api.get(`${cms(ns)}?limit=1&continue=${tok}&resourceVersion=5`), 400, 'BadRequest');
  });
});

describe('label selectors', () => {
  let ns: string;
  before(async () => {
    ns = await f.ns('labels');
    await f.api.post(cms(ns)).send(cm('web', {}, { app: 'web', tier: 'fe' }));
    await f.api.post(cms(ns)).send(cm('db', {}, { app: 'db', tier: 'be' }));
    await f.api.post(cms(ns)).send(cm('cache', {}, { app: 'cache' }));
    await f.api.post(cms(ns)).send(cm('plain'));
  });
  const cases: [string, string[]][] = [
    ['app=web', ['web']],
    ['app==web', ['web']],
    ['app!=web', ['cache', 'db', 'plain']],
    ['app in (web,db)', ['db', 'web']],
    ['app notin (web,db)', ['cache', 'plain']],
    ['tier', ['db', 'web']],
    ['!tier', ['cache', 'plain']],
    ['app=web,tier=fe', ['web']],
    ['app in (web, db),!tier', []],
    ['app,tier notin (fe)', ['cache', 'db']],
  ];
  for (const [sel, want] of cases) {
    test(`labelSelector ${sel}`, async () => {
      const res = await f.api.get(`${cms(ns)}?labelSelector=${encodeURIComponent(sel)}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(names(res).sort(), want);
    });
  }
  for (const bad of ['app in (web', '=web', 'app=web=x', 'a b', 'app in web', '-bad-=x', 'app=' + 'v'.repeat(64), ',']) {
    test(`malformed labelSelector ${JSON.stringify(bad)} is 400`, async () => {
      assertStatus(await f.api.get(`${cms(ns)}?labelSelector=${encodeURIComponent(bad)}`), 400, 'BadRequest');
    });
  }
});

describe('field selectors', () => {
  test('metadata.name and metadata.namespace (=, ==, !=)', async () => {
    const ns = await f.ns('fields');
    const other = await f.ns('fields-other');
    for (const n of ['a', 'b']) await f.api.post(cms(ns)).send(cm(n));
    await f.api.post(cms(other)).send(cm('a'));
    assert.deepEqual(names(await f.api.get(`${cms(ns)}?fieldSelector=metadata.name%3Da`)), ['a']);
    assert.deepEqual(names(await f.api.get(`${cms(ns)}?fieldSelector=metadata.name%3D%3Db`)), ['b']);
    assert.deepEqual(names(await f.api.get(`${cms(ns)}?fieldSelector=metadata.name!%3Da`)), ['b']);
    const all = await f.api.get(`/api/v1/configmaps?fieldSelector=${encodeURIComponent(`metadata.namespace=${other}`)}`);
    assert.deepEqual(all.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`), [`${other}/a`]);
    const both = await f.api.get(`/api/v1/configmaps?fieldSelector=${encodeURIComponent(`metadata.namespace=${ns},metadata.name=b`)}`);
    assert.deepEqual(names(both), ['b']);
  });

  test('an unsupported field is 400 naming it', async () => {
    const ns = await f.ns('fields-bad');
    const s = assertStatus(await f.api.get(`${cms(ns)}?fieldSelector=spec.foo%3Dbar`), 400, 'BadRequest');
    assert.equal(s.message, 'field label not supported: spec.foo');
    assertStatus(await f.api.get(`${cms(ns)}?fieldSelector=garbage`), 400, 'BadRequest');
  });

  test('pods support spec.nodeName and status.phase', async () => {
    const ns = await f.ns('fields-pods');
    await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('on-n1', { nodeName: 'n1' }));
    await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('unscheduled'));
    const res = await f.api.get(`/api/v1/namespaces/${ns}/pods?fieldSelector=spec.nodeName%3Dn1`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(names(res), ['on-n1']);
    const unsched = await f.api.get(`/api/v1/namespaces/${ns}/pods?fieldSelector=spec.nodeName%3D`);
    assert.deepEqual(names(unsched), ['unscheduled']);
    const phase = await f.api.get(`/api/v1/namespaces/${ns}/pods?fieldSelector=status.phase!%3DRunning`);
    assert.equal(phase.status, 200, phase.text);
  });
});
