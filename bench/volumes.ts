// Volume benchmark: N pods each with its own claim of the default WaitForFirstConsumer class
// (scheduled, claim annotated, volume provisioned and bound, then the pod bound and Running), next to
// N pods without claims on the same cluster shape. Real clock, in-memory SQLite, no HTTP; figures
// include the kubelet's simulated start delay (1 s ± 10%).
//   node bench/volumes.ts [--quick]
import { RealClock } from '../src/clock.ts';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { Store } from '../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../src/registry/kinds-adapter.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { startControllers } from '../src/controllers/index.ts';
import { findResource } from '../src/registry/resources.ts';
import type { KObject } from '../src/registry/strategy.ts';

const podsR = findResource('', 'v1', 'pods')!;
const pvcR = findResource('', 'v1', 'persistentvolumeclaims')!;

async function runPods(nodes: number, count: number, withClaims: boolean): Promise<{ ms: number; ok: boolean; bound: number }> {
  const clock = new RealClock();
  const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now() });
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  const ctl = await startControllers({ store, clock, nodes });
  try {
    let running = 0, bound = 0;
    ctl.informers.get('/pods')!.on({ update: (p, old) => { if (p.status?.phase === 'Running' && old.status?.phase !== 'Running') running++; } });
    ctl.informers.get('/persistentvolumeclaims')!.on({ update: (c, old) => { if (c.status?.phase === 'Bound' && old.status?.phase !== 'Bound') bound++; } });
    const pod = (i: number): KObject => ({
      metadata: { name: `p-${i}` },
      spec: { containers: [{ name: 'c', image: 'nginx' }], ...(withClaims ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `c-${i}` } }] } : {}) },
    });
    const claim = (i: number): KObject => ({ metadata: { name: `c-${i}` }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < count) {
        const i = next++;
        if (withClaims) await store.create(pvcR, 'default', claim(i));
        await store.create(podsR, 'default', pod(i));
      }
    }));
    const end = t0 + 300_000;
    while (running < count && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    return { ms: performance.now() - t0, ok: running >= count, bound };
  } finally { await ctl.stop(); await backend.close(); }
}

export async function run(): Promise<Record<string, string | number>> {
  const quick = process.argv.includes('--quick');
  const out: Record<string, string | number> = {};
  const n = quick ? 200 : 1000;
  const plain = await runPods(10, n, false);
  out[`${n} pods without claims on 10 nodes → all Running`] = plain.ok ? `${(plain.ms / 1000).toFixed(2)} s` : 'timed out';
  const vols = await runPods(10, n, true);
  out[`${n} pods, each with its own WaitForFirstConsumer claim → all Running`] = vols.ok ? `${(vols.ms / 1000).toFixed(2)} s` : 'timed out';
  out[`${n} claims Bound`] = vols.bound;
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(72)} ${v}`);
}
