// A jump of simulated time on the real clock: each node beats once, not once per missed period,
// and no node is judged NotReady for the time it could not have renewed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { startNodes } from '../../src/kubelet/nodes.ts';
import { findResource } from '../../src/registry/resources.ts';

test('after a 1-day clock jump every node renews its Lease once', async () => {
  const clock = new RealClock(1);
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const sim = await startNodes(store, clock, 20);
  const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
  let writes = 0;
  const w = await store.watch(leases, 'kube-node-lease', { resourceVersion: (await store.list(leases, 'kube-node-lease')).resourceVersion }, (evs) => { for (const e of evs) if (e.type === 'MODIFIED') writes++; });
  try {
    const before = clock.now();
    clock.advance(86_400_000);
    // Let the writes land (event-loop turns, not a timed sleep), then a few more turns for any extras.
    for (let i = 0; i < 5000 && writes < 20; i++) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    assert.equal(writes, 20, 'one renewal per node');
    for (const e of (await store.list(leases, 'kube-node-lease')).items) {
      // The clock has sub-millisecond resolution; Date.parse has milliseconds, so compare at that resolution.
      assert.ok(Date.parse(e.obj.spec.renewTime) >= Math.floor(before) + 86_400_000, `${e.obj.metadata.name} renewed after the jump`);
    }
  } finally { sim.stop(); w.cancel(); await backend.close(); }
});
