// Watch: streaming semantics as client-go, kubectl and client-node expect them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, cm, deployment, startFixture, stream } from './fixture.ts';
import type { Fixture, Stream } from './fixture.ts';
import { watchSettings } from '../../src/api/watch.ts';

let f: Fixture;
const open: Stream[] = [];
before(async () => { f = await startFixture(); });
after(async () => { for (const s of open) s.close(); await f.stop(); });

const cms = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;
async function watch(path: string, headers?: Record<string, string>): Promise<Stream> {
  const s = await stream(f, path, headers);
  open.push(s);
  return s;
}
function checkObject(ev: any, kind = 'ConfigMap', apiVersion = 'v1') {
  assert.equal(ev.object.kind, kind, `event ${ev.type} carries kind`);
  assert.equal(ev.object.apiVersion, apiVersion, `event ${ev.type} carries apiVersion`);
  assert.match(ev.object.metadata.resourceVersion, /^\d+$/);
}

describe('watch', { timeout: 30_000 }, () => {
  test('headers arrive before any event', async () => {
    const ns = await f.ns('w-headers');
    const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
    // stream() resolves on the response event: it would never resolve if headers were held back.
    const s = await watch(`${cms(ns)}?watch=true&resourceVersion=${rv}`);
    assert.equal(s.status, 200);
    assert.match(String(s.headers['content-type']), /^application\/json/);
    assert.equal(s.headers['transfer-encoding'], 'chunked');
    assert.deepEqual(s.buffered(), []);
    await f.api.post(cms(ns)).send(cm('x'));
    const ev = await s.next();
    assert.equal(ev.type, 'ADDED');
    s.close();
  });

  test('ADDED, MODIFIED, DELETED in order, each with apiVersion and kind', async () => {
    const ns = await f.ns('w-crud');
    const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
    const s = await watch(`${cms(ns)}?watch=true&resourceVersion=${rv}`);
    const c = await f.api.post(cms(ns)).send(cm('x'));
    const u = await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '2' }));
    await f.api.delete(`${cms(ns)}/x`);
    const e1 = await s.next(), e2 = await s.next(), e3 = await s.next();
    assert.deepEqual([e1.type, e2.type, e3.type], ['ADDED', 'MODIFIED', 'DELETED']);
    for (const e of [e1, e2, e3]) checkObject(e);
    assert.equal(e1.object.metadata.resourceVersion, c.body.metadata.resourceVersion);
    assert.deepEqual(e2.object.data, { a: '2' });
    assert.equal(e2.object.metadata.resourceVersion, u.body.metadata.resourceVersion);
    assert.ok(Number(e3.object.metadata.resourceVersion) > Number(u.body.metadata.resourceVersion), 'DELETED carries the deletion revision');
    s.close();
  });

  test('a group resource watch carries its group version', async () => {
    const ns = await f.ns('w-apps');
    const rv = (await f.api.get(`/apis/apps/v1/namespaces/${ns}/deployments`)).body.metadata.resourceVersion;
    const s = await watch(`/apis/apps/v1/namespaces/${ns}/deployments?watch=1&resourceVersion=${rv}`);
    await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send(deployment('d'));
    const ev = await s.next();
    assert.equal(ev.type, 'ADDED');
    checkObject(ev, 'Deployment', 'apps/v1');
    s.close();
  });

  test('from a resourceVersion: only changes after it, replayed from history', async () => {
    const ns = await f.ns('w-from');
    const a = await f.api.post(cms(ns)).send(cm('a'));
    await f.api.put(`${cms(ns)}/a`).send(cm('a', { a: '2' }));
    await f.api.post(cms(ns)).send(cm('b'));
    const s = await watch(`${cms(ns)}?watch=true&resourceVersion=${a.body.metadata.resourceVersion}`);
    const e1 = await s.next(), e2 = await s.next();
    assert.deepEqual([e1.type, e1.object.metadata.name], ['MODIFIED', 'a']);
    assert.deepEqual([e2.type, e2.object.metadata.name], ['ADDED', 'b']);
    s.close();
  });

  for (const rv of ['', '0']) {
    test(`from now (resourceVersion=${JSON.stringify(rv)}): initial ADDED for existing objects, then changes`, async () => {
      const ns = await f.ns('w-now');
      await f.api.post(cms(ns)).send(cm('a'));
      await f.api.post(cms(ns)).send(cm('b'));
      const s = await watch(`${cms(ns)}?watch=true${rv === '' ? '' : `&resourceVersion=${rv}`}`);
      const e1 = await s.next(), e2 = await s.next();
      assert.deepEqual([e1.type, e2.type], ['ADDED', 'ADDED']);
      assert.deepEqual([e1.object.metadata.name, e2.object.metadata.name].sort(), ['a', 'b']);
      await f.api.delete(`${cms(ns)}/a`);
      const e3 = await s.next();
      assert.deepEqual([e3.type, e3.object.metadata.name], ['DELETED', 'a']);
      s.close();
    });
  }

  test('allowWatchBookmarks: periodic BOOKMARK with kind, apiVersion and resourceVersion', async () => {
    const saved = watchSettings.bookmarkIntervalMs;
    watchSettings.bookmarkIntervalMs = 20;
    try {
      const ns = await f.ns('w-bm');
      const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
      const s = await watch(`${cms(ns)}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
      const c = await f.api.post(cms(ns)).send(cm('x'));
      let ev = await s.next();
      assert.equal(ev.type, 'ADDED');
      do { ev = await s.next(); } while (ev.type !== 'BOOKMARK');
      assert.deepEqual(Object.keys(ev.object).sort(), ['apiVersion', 'kind', 'metadata']);
      checkObject(ev);
      assert.ok(Number(ev.object.metadata.resourceVersion) >= Number(c.body.metadata.resourceVersion));
      s.close();
      // Without allowWatchBookmarks there are none: the next event after a change is the change.
      const s2 = await watch(`${cms(ns)}?watch=true&resourceVersion=${c.body.metadata.resourceVersion}`);
      await new Promise((r) => setTimeout(r, 60)); // several bookmark intervals
      await f.api.delete(`${cms(ns)}/x`);
      assert.equal((await s2.next()).type, 'DELETED');
      s2.close();
    } finally {
      watchSettings.bookmarkIntervalMs = saved;
    }
  });

  test('a too-old resourceVersion after compaction: 200 with one ERROR event carrying 410 Expired', async () => {
    const ns = await f.ns('w-old');
    const a = await f.api.post(cms(ns)).send(cm('a'));
    await f.api.put(`${cms(ns)}/a`).send(cm('a', { a: '2' }));
    await f.server.backend.compact(f.server.backend.currentRevision());
    const s = await watch(`${cms(ns)}?watch=true&resourceVersion=${a.body.metadata.resourceVersion}`);
    assert.equal(s.status, 200);
    const ev = await s.next();
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.kind, 'Status');
    assert.equal(ev.object.apiVersion, 'v1');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
    assert.match(ev.object.message, /^too old resource version: \d+ \(\d+\)$/);
    await s.ended;
    assert.deepEqual(s.buffered(), [], 'nothing after the ERROR event');
  });

  test('timeoutSeconds ends the stream', async () => {
    const ns = await f.ns('w-timeout');
    const s = await watch(`${cms(ns)}?watch=true&timeoutSeconds=1`);
    await s.ended;
    assert.equal(s.status, 200);
  });

  test('label selector transitions: leaving the selection is DELETED, entering is ADDED', async () => {
    const ns = await f.ns('w-labels');
    const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
    const s = await watch(`${cms(ns)}?watch=true&resourceVersion=${rv}&labelSelector=app%3Dweb`);
    await f.api.post(cms(ns)).send(cm('other', {}, { app: 'db' }));
    await f.api.post(cms(ns)).send(cm('x', {}, { app: 'web' }));
    await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '2' }, { app: 'web' }));
    await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '2' }, { app: 'db' }));
    await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '3' }, { app: 'db' }));
    await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '3' }, { app: 'web' }));
    await f.api.delete(`${cms(ns)}/other`);
    await f.api.delete(`${cms(ns)}/x`);
    const got = [];
    for (let i = 0; i < 5; i++) { const e = await s.next(); got.push(`${e.type} ${e.object.metadata.name} ${e.object.metadata.labels.app}`); }
    assert.deepEqual(got, ['ADDED x web', 'MODIFIED x web', 'DELETED x db', 'ADDED x web', 'DELETED x web']);
    s.close();
  });

  test('field selector on metadata.name, and a watch on a single object by name', async () => {
    const ns = await f.ns('w-name');
    await f.api.post(cms(ns)).send(cm('x'));
    await f.api.post(cms(ns)).send(cm('y'));
    const byField = await watch(`${cms(ns)}?watch=true&fieldSelector=metadata.name%3Dx&resourceVersion=0`);
    const byName = await watch(`${cms(ns)}/x?watch=true`);
    for (const s of [byField, byName]) {
      const e = await s.next();
      assert.deepEqual([e.type, e.object.metadata.name], ['ADDED', 'x']);
    }
    await f.api.put(`${cms(ns)}/y`).send(cm('y', { b: '1' }));
    await f.api.put(`${cms(ns)}/x`).send(cm('x', { b: '1' }));
    for (const s of [byField, byName]) {
      const e = await s.next();
      assert.deepEqual([e.type, e.object.metadata.name], ['MODIFIED', 'x'], 'changes to y are not seen');
      s.close();
    }
    assertStatus(await f.api.get(`${cms(ns)}?watch=true&fieldSelector=spec.nope%3D1`), 400, 'BadRequest');
  });

  test('sendInitialEvents: ADDED for each object, then a BOOKMARK annotated initial-events-end, then changes', async () => {
    const ns = await f.ns('w-initial');
    await f.api.post(cms(ns)).send(cm('a'));
    const b = await f.api.post(cms(ns)).send(cm('b'));
    const s = await watch(`${cms(ns)}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    const e1 = await s.next(), e2 = await s.next(), bm = await s.next();
    assert.deepEqual([e1.type, e2.type].sort(), ['ADDED', 'ADDED']);
    assert.deepEqual([e1.object.metadata.name, e2.object.metadata.name].sort(), ['a', 'b']);
    assert.equal(bm.type, 'BOOKMARK');
    checkObject(bm);
    assert.deepEqual(bm.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    assert.ok(Number(bm.object.metadata.resourceVersion) >= Number(b.body.metadata.resourceVersion));
    await f.api.post(cms(ns)).send(cm('c'));
    let ev;
    do { ev = await s.next(); } while (ev.type === 'BOOKMARK');
    assert.deepEqual([ev.type, ev.object.metadata.name], ['ADDED', 'c']);
    s.close();
  });

  test('sendInitialEvents with resourceVersion=0 and NotOlderThan works the same', async () => {
    const ns = await f.ns('w-initial0');
    await f.api.post(cms(ns)).send(cm('a'));
    const s = await watch(`${cms(ns)}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0&allowWatchBookmarks=true`);
    const e1 = await s.next(), bm = await s.next();
    assert.deepEqual([e1.type, e1.object.metadata.name], ['ADDED', 'a']);
    assert.equal(bm.type, 'BOOKMARK');
    assert.equal(bm.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    s.close();
  });

  test('sendInitialEvents without resourceVersionMatch=NotOlderThan is rejected', async () => {
    const ns = await f.ns('w-initial-bad');
    const s = assertStatus(await f.api.get(`${cms(ns)}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`), 422, 'Invalid');
    assert.match(s.message, /sendInitialEvents/);
    assertStatus(await f.api.get(`${cms(ns)}?watch=true&sendInitialEvents=true&resourceVersionMatch=Exact&resourceVersion=1&allowWatchBookmarks=true`), 422, 'Invalid');
    assertStatus(await f.api.get(`${cms(ns)}?watch=true&timeoutSeconds=abc`), 400, 'BadRequest');
  });

  test('watchers of one object share its frames, yet each sees its own event type', async () => {
    const ns = await f.ns('w-shared');
    await f.api.post(cms(ns)).send(cm('x', { a: '1' }, { keep: 'yes' }));
    const rv = (await f.api.get(cms(ns))).body.metadata.resourceVersion;
    const all = await watch(`${cms(ns)}?watch=true&resourceVersion=${rv}`);
    const kept = await watch(`${cms(ns)}?watch=true&resourceVersion=${rv}&labelSelector=keep%3Dyes`);
    const all2 = await watch(`${cms(ns)}?watch=true&resourceVersion=${rv}`);
    // The update takes the object out of `kept`'s selection: DELETED there, MODIFIED for the others.
    await f.api.put(`${cms(ns)}/x`).send(cm('x', { a: '2' }));
    const [a, k, a2] = [await all.next(), await kept.next(), await all2.next()];
    assert.equal(a.type, 'MODIFIED');
    assert.equal(k.type, 'DELETED');
    assert.equal(a2.type, 'MODIFIED');
    for (const e of [a, k, a2]) assert.deepEqual(e.object.data, { a: '2' });
    // Several writes in one turn reach a watcher in order.
    await Promise.all([1, 2, 3].map((i) => f.api.post(cms(ns)).send(cm(`y${i}`))));
    const names = [(await all.next()).object.metadata.name, (await all.next()).object.metadata.name, (await all.next()).object.metadata.name];
    assert.deepEqual([...names].sort(), ['y1', 'y2', 'y3']);
    const revs = (await Promise.all(names.map((n) => f.api.get(`${cms(ns)}/${n}`)))).map((r) => Number(r.body.metadata.resourceVersion));
    assert.deepEqual(revs, [...revs].sort((x, y) => x - y), 'events arrive in revision order');
  });
});
