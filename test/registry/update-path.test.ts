// The generic update path (Store.update / guaranteedUpdate → writeUpdate): it never changes the object
// it is given nor the previous revision, the object it stores shares nothing with the caller's and only
// its unchanged parts with the previous revision (util/share-equal.ts), writes that change nothing keep
// the resourceVersion, and what a status write or a PUT may change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { findResource } from '../../src/registry/resources.ts';
import { goJson } from '../../src/registry/wire-form.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const clock = new FakeClock();
let backend: SqliteBackend;
let store: Store;
const podsR = findResource('', 'v1', 'pods')!;
const nsR = findResource('', 'v1', 'namespaces')!;

before(async () => {
  backend = new SqliteBackend({ path: ':memory:', now: () => clock.now() });
  store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await store.create(nsR, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
});
after(async () => { await backend.close(); });

const pod = (name: string): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, labels: { b: '2', a: '1' }, finalizers: ['example.com/f'], annotations: { x: 'y' } },
  spec: { containers: [{ name: 'c', image: 'i', args: ['a'] }] },
});

/** Every object and array in a tree. */
function containers(v: unknown, out = new Set<object>()): Set<object> {
  if (v && typeof v === 'object') { out.add(v); for (const x of Object.values(v)) containers(x, out); }
  return out;
}
const shared = (a: unknown, b: unknown) => [...containers(a)].filter((c) => containers(b).has(c));

test('PUT: the input is not changed (nulls, out-of-order members, zero values) and nothing is shared with it', async () => {
  const cur = await store.create(podsR, 'default', pod('put-1'));
  const curBefore = goJson(cur);
  const input = structuredClone(cur) as any;
  input.metadata.labels = null;
  input.metadata.ownerReferences = null;
  input.metadata.annotations = { z: '1', a: '2' };
  input.spec.containers[0].resources = {};
  input.spec = { activeDeadlineSeconds: 30, ...input.spec };
  const before = JSON.stringify(input);
  const { obj } = await store.update(podsR, 'default', 'put-1', input);
  assert.equal(JSON.stringify(input), before);
  assert.deepEqual(shared(obj, input), []);
  // The previous revision is not changed; of it only unchanged parts are shared (the container, whose
  // `resources: {}` is its Go zero value), not the changed spec or metadata.
  assert.equal(goJson(cur), curBefore);
  assert.equal(obj.spec.containers[0], cur.spec.containers[0]);
  assert.notEqual(obj.spec, cur.spec);
  assert.notEqual(obj.metadata, cur.metadata);
  assert.equal(obj.metadata.labels, undefined);
  assert.deepEqual(Object.keys(obj.metadata.annotations ?? {}), ['a', 'z']);
  assert.equal(obj.spec.activeDeadlineSeconds, 30);
  assert.notEqual(obj.metadata.resourceVersion, cur.metadata.resourceVersion);
  // The stored JSON text is in wire form: the spec's members in struct order.
  const keys = Object.keys(obj.spec);
  assert.ok(keys.indexOf('containers') < keys.indexOf('activeDeadlineSeconds'), keys.join());
});

test('status writes: the previous revision is not changed and shares only its unchanged parts with the new one; spec and metadata stay', async () => {
  const cur = await store.create(podsR, 'default', pod('st-1'));
  const before = goJson(cur);
  const out = await store.guaranteedUpdate(podsR, 'default', 'st-1', (p) => {
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    p.spec.nodeName = 'ignored';
    p.metadata.labels = { ignored: 'yes' };
    return p;
  }, { subresource: 'status' });
  assert.equal(goJson(cur), before);
  // The unchanged spec and labels are the previous revision's; nothing of the new status is.
  assert.equal(out.spec, cur.spec);
  assert.equal(out.metadata.labels, cur.metadata.labels);
  assert.notEqual(out.metadata, cur.metadata, 'metadata has a new resourceVersion');
  assert.deepEqual(shared(out.status, cur), []);
  assert.equal(out.status.phase, 'Running');
  assert.equal(out.spec.nodeName, undefined);
  assert.deepEqual(out.metadata.labels, { a: '1', b: '2' });
  // Through update() with the object as the client holds it.
  const input = structuredClone(out) as any;
  input.status.phase = 'Succeeded';
  const snapshot = JSON.stringify(input);
  const { obj } = await store.update(podsR, 'default', 'st-1', input, { subresource: 'status' });
  assert.equal(JSON.stringify(input), snapshot);
  assert.equal(obj.status.phase, 'Succeeded');
  assert.deepEqual(shared(obj, input), []);
  assert.equal(obj.spec, out.spec);
  assert.notEqual(obj.status, out.status);
  assert.equal(obj.status.conditions[0], out.status.conditions[0], 'an unchanged condition is shared');
  assert.equal(out.status.phase, 'Running', 'the previous revision is not changed');
});

test('writes that change nothing keep the resourceVersion; one changed member anywhere bumps it', async () => {
  const cur = await store.create(podsR, 'default', pod('noop-1'));
  const st = await store.guaranteedUpdate(podsR, 'default', 'noop-1', (p) => { p.status = { phase: 'Pending' }; return p; }, { subresource: 'status' });
  const rv = st.metadata.resourceVersion;
  assert.notEqual(rv, cur.metadata.resourceVersion);
  // The same status, written again (members in another order, zero values spelled out).
  const same = await store.guaranteedUpdate(podsR, 'default', 'noop-1', (p) => { p.status = { conditions: [], phase: 'Pending' }; return p; }, { subresource: 'status' });
  assert.equal(same.metadata.resourceVersion, rv);
  // A PUT whose only difference is status (ignored on the main resource) and member order.
  const input = structuredClone(same) as any;
  input.status = { phase: 'Failed' };
  input.metadata.labels = { b: '2', a: '1' };
  const put = await store.update(podsR, 'default', 'noop-1', input);
  assert.equal(put.obj.metadata.resourceVersion, rv);
  // A change deep in spec (the update path must not stop at status when comparing).
  const changed = structuredClone(same) as any;
  changed.spec.containers[0].args = ['b'];
  await assert.rejects(store.update(podsR, 'default', 'noop-1', changed), (e: any) => e.code === 422); // pod spec is immutable
  changed.spec.containers[0].args = ['a'];
  changed.metadata.annotations = { x: 'z' };
  const ann = await store.update(podsR, 'default', 'noop-1', changed);
  assert.notEqual(ann.obj.metadata.resourceVersion, rv);
  assert.deepEqual(ann.obj.metadata.annotations, { x: 'z' });
  // A status change with equal metadata and spec.
  const st2 = await store.guaranteedUpdate(podsR, 'default', 'noop-1', (p) => { p.status = { phase: 'Pending', message: 'm' }; return p; }, { subresource: 'status' });
  assert.notEqual(st2.metadata.resourceVersion, ann.obj.metadata.resourceVersion);
});

test('a stale resourceVersion is a conflict; wrongly typed bodies are 400 and change nothing', async () => {
  const cur = await store.create(podsR, 'default', pod('bad-1'));
  const stale = structuredClone(cur) as any;
  stale.metadata.resourceVersion = '1';
  await assert.rejects(store.update(podsR, 'default', 'bad-1', stale), (e: any) => e.code === 409);
  for (const body of [{ metadata: 7 }, { metadata: { labels: [1] } }, { metadata: { name: 'bad-1', finalizers: 'x' } }]) {
    await assert.rejects(store.update(podsR, 'default', 'bad-1', body as unknown as KObject), (e: any) => e.code === 400, JSON.stringify(body));
    await assert.rejects(store.update(podsR, 'default', 'bad-1', body as unknown as KObject, { subresource: 'status' }), (e: any) => e.code === 400, JSON.stringify(body));
  }
  await assert.rejects(store.update(podsR, 'default', 'bad-1', [] as unknown as KObject), (e: any) => e.code === 400);
  assert.equal((await store.get(podsR, 'default', 'bad-1')).metadata.resourceVersion, cur.metadata.resourceVersion);
});
