// The controller runtime's Informer: initial adds, live add/update/delete with indexes, and a relist
// that reconciles a cache that fell out of step (as after the store ends a watch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { findResource } from '../../src/registry/resources.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { Informer } from '../../src/controllers/runtime.ts';
import { bootstrap } from '../../src/bootstrap.ts';

test('informer: initial state, live events, index, and relist after missing events', async () => {
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  const store = new Store({ backend, clock: new FakeClock(), strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const cms = findResource('', 'v1', 'configmaps')!;
  const mk = (name: string, team: string) => store.create(cms, 'default', { metadata: { name, labels: { team } }, data: { v: '1' } });
  await mk('a', 'red');
  const seen: string[] = [];
  const inf = new Informer(store, cms);
  inf.addIndex('team', (o) => [o.metadata.labels?.team ?? '']);
  inf.on({ add: (o) => seen.push(`add ${o.metadata.name}`), update: (o) => seen.push(`update ${o.metadata.name}`), delete: (o) => seen.push(`delete ${o.metadata.name}`) });
  await inf.start();
  assert.deepEqual(seen, ['add a']);

  await mk('b', 'red');
  await store.guaranteedUpdate(cms, 'default', 'a', (c) => { c.metadata.labels = { team: 'blue' }; return c; });
  await store.delete(cms, 'default', 'b');
  assert.deepEqual(seen, ['add a', 'add b', 'update a', 'delete b']);
  assert.deepEqual(inf.byIndexValue('team', 'blue').map((o) => o.metadata.name), ['a']);
  assert.deepEqual(inf.byIndexValue('team', 'red'), []);

  // Miss some events, then relist: new → add, changed → update, gone → delete, unchanged → nothing.
  await mk('c', 'red');
  await mk('f', 'red'); // stays unchanged: a relist must not report it
  (inf as unknown as { watch: { cancel(): void } }).watch.cancel();
  await mk('d', 'red');
  await store.guaranteedUpdate(cms, 'default', 'a', (x) => { x.data = { v: '2' }; return x; });
  await store.delete(cms, 'default', 'c');
  seen.length = 0;
  await (inf as unknown as { relist(): Promise<void> }).relist();
  assert.deepEqual(seen.sort(), ['add d', 'delete c', 'update a']);
  assert.deepEqual(inf.list('default').map((o) => o.metadata.name).sort(), ['a', 'd', 'f']);
  assert.equal(inf.get('default/a')!.data.v, '2');
  assert.equal(inf.get('default/c'), undefined);
  // …and keeps watching afterwards.
  await mk('e', 'green');
  assert.deepEqual(seen.sort(), ['add d', 'add e', 'delete c', 'update a']);
  inf.stop();
  await backend.close();
});

test('informer index: an update that keeps the values leaves them; one that changes them moves the key; emptied values go', async () => {
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  const store = new Store({ backend, clock: new FakeClock(), strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const cms = findResource('', 'v1', 'configmaps')!;
  const inf = new Informer(store, cms);
  // Several values per object, one of them repeated.
  inf.addIndex('tags', (o) => String(o.metadata.labels?.tags ?? '').split('.').filter(Boolean));
  await inf.start();
  const names = (v: string) => inf.byIndexValue('tags', v).map((o) => o.metadata.name).sort();
  const label = (name: string, tags: string) => store.guaranteedUpdate(cms, 'default', name, (c) => { c.metadata.labels = { tags }; return c; });
  await store.create(cms, 'default', { metadata: { name: 'a', labels: { tags: 'x.y' } } });
  await store.create(cms, 'default', { metadata: { name: 'b', labels: { tags: 'y' } } });
  assert.deepEqual([names('x'), names('y')], [['a'], ['a', 'b']]);
  await store.guaranteedUpdate(cms, 'default', 'a', (c) => { c.data = { v: '2' }; return c; }); // same tags
  assert.deepEqual([names('x'), names('y')], [['a'], ['a', 'b']]);
  await label('a', 'y.z.z');
  assert.deepEqual([names('x'), names('y'), names('z')], [[], ['a', 'b'], ['a']]);
  assert.equal(inf.countByIndex('tags', 'x'), 0);
  await label('a', 'z');
  assert.deepEqual([names('y'), names('z')], [['b'], ['a']]);
  await store.delete(cms, 'default', 'a');
  assert.deepEqual([names('y'), names('z')], [['b'], []]);
  assert.equal((inf as unknown as { indexes: Map<string, Map<string, Set<string>>> }).indexes.get('tags')!.has('z'), false, 'an emptied value is dropped');
  inf.stop();
  await backend.close();
});

test('informer: a late subscriber gets the cached objects as adds, unless it asks for no replay (then live events only)', async () => {
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  const store = new Store({ backend, clock: new FakeClock(), strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const cms = findResource('', 'v1', 'configmaps')!;
  await store.create(cms, 'default', { metadata: { name: 'a' } });
  await store.create(cms, 'default', { metadata: { name: 'b' } });
  const inf = new Informer(store, cms);
  await inf.start();
  const replayed: string[] = [], live: string[] = [];
  inf.on({ add: (o) => replayed.push(o.metadata.name!) });
  inf.on({ add: (o) => live.push(o.metadata.name!) }, { replay: false });
  assert.deepEqual(replayed.filter((n) => n === 'a' || n === 'b').sort(), ['a', 'b']);
  assert.deepEqual(live, []);
  await store.create(cms, 'default', { metadata: { name: 'c' } });
  assert.deepEqual(live, ['c']);
  assert.ok(replayed.includes('c'));
  inf.stop();
  await backend.close();
});
