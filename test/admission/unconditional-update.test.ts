// A PUT without resourceVersion is unconditional: a write landing between the read and the
// compare-and-swap (here: a status write made from inside admission) is retried on the newer
// object; with a resourceVersion it stays a 409.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { findResource } from '../../src/registry/resources.ts';

const quotas = findResource('', 'v1', 'resourcequotas')!;

test('update without resourceVersion survives a concurrent status write; with one it is a conflict', async () => {
  const clock = new FakeClock();
  const store = new Store({ backend: new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() }), clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  let sneak = 0;
  store.admission.register({
    name: 'ResourceQuota',
    async validate(a) {
      if (a.resource.resource !== 'resourcequotas' || a.subresource || a.operation !== 'UPDATE' || sneak <= 0) return;
      const n = String(10 - sneak--);
      await store.guaranteedUpdate(quotas, 'default', 'q', (cur) => { cur.status = { hard: { pods: n } }; return cur; }, { subresource: 'status' });
    },
  });
  const created = await store.create(quotas, 'default', { metadata: { name: 'q' }, spec: { hard: { pods: '1' } } });
  sneak = 1; // writes status.hard.pods=9
  const { obj } = await store.update(quotas, 'default', 'q', { metadata: { name: 'q' }, spec: { hard: { pods: '2' } } });
  assert.equal(obj.spec.hard.pods, '2');
  assert.equal(obj.status?.hard?.pods, '9', 'the status written meanwhile is kept');
  sneak = 2; // writes status.hard.pods=8
  await assert.rejects(store.update(quotas, 'default', 'q', { metadata: { name: 'q', resourceVersion: obj.metadata.resourceVersion }, spec: { hard: { pods: '3' } } }),
    (e: any) => e.code === 409);
  assert.notEqual(created.metadata.resourceVersion, obj.metadata.resourceVersion);
});
