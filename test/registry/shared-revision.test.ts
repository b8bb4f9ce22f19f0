// The store and in-process watchers share one parsed object per revision (memory at scale).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import type { ObjectEvent } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { findResource } from '../../src/registry/resources.ts';

const configmaps = findResource('', 'v1', 'configmaps')!;

test('a written revision is one object for the writer, watchers and readers', async () => {
  const clock = new RealClock();
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now(), compactIntervalMs: 0 });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const seen: ObjectEvent[] = [];
  const w = await store.watch(configmaps, 'default', {}, (evs) => seen.push(...evs));
  try {
    const created = await store.create(configmaps, 'default', { metadata: { name: 'a' }, data: { k: '1' } });
    assert.equal(seen.length, 1);
    assert.equal(seen[0].entry.obj, created, 'the writer gets the object the watcher was handed');
    assert.equal(await store.tryGet(configmaps, 'default', 'a'), created, 'a read gets the same object');

    const updated = await store.guaranteedUpdate(configmaps, 'default', 'a', (o) => { o.data.k = '2'; return o; });
    assert.equal(seen.length, 2);
    assert.equal(seen[1].entry.obj, updated);
    assert.equal(await store.tryGet(configmaps, 'default', 'a'), updated);
    assert.equal(updated.data.k, '2');
    assert.equal(created.data.k, '1', 'the old revision is untouched');

    // A watch resumed from the first revision re-reads the superseded revision from its bytes.
    const replay: ObjectEvent[] = [];
    const w2 = await store.watch(configmaps, 'default', { resourceVersion: String(Number(created.metadata.resourceVersion) - 1) }, (evs) => replay.push(...evs));
    w2.cancel();
    assert.deepEqual(replay.map((e) => [e.type, e.entry.obj.data.k, e.entry.obj.metadata.resourceVersion]),
      [['ADDED', '1', created.metadata.resourceVersion], ['MODIFIED', '2', updated.metadata.resourceVersion]]);
  } finally {
    w.cancel();
    await backend.close();
  }
});
