// An in-process cluster for benchmarks: SQLite in memory, the real clock, controllers with `nodes` simulated nodes.
import { RealClock } from '../src/clock.ts';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { Store } from '../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../src/registry/kinds-adapter.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { startControllers } from '../src/controllers/index.ts';

export async function cluster(nodes: number) {
  const clock = new RealClock();
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const ctl = await startControllers({ store, clock, nodes });
  return { store, ctl, async close() { await ctl.stop(); await backend.close(); } };
}
