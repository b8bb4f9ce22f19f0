// Steady-state cost of N simulated nodes: Lease and Node writes per second and CPU, over a window
// of real time after start-up, then the writes caused by a 1-day clock jump.
//   node bench/nodes.ts [nodes=1000] [seconds=20]
import { startServer } from '../src/server.ts';
import { RealClock } from '../src/clock.ts';
import { findResource } from '../src/registry/resources.ts';

export async function run(n = 1000, secs = 20): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  const clock = new RealClock(1);
  const t0 = performance.now();
  const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, nodes: n, clock });
  out[`${n} nodes: registered in`] = `${Math.round(performance.now() - t0)} ms`;
  const count = { leases: 0, nodes: 0 };
  const watches = [];
  for (const [r, k] of [[findResource('coordination.k8s.io', 'v1', 'leases')!, 'leases'], [findResource('', 'v1', 'nodes')!, 'nodes']] as const) {
    const rv = (await s.store.list(r, undefined)).resourceVersion;
    watches.push(await s.store.watch(r, undefined, { resourceVersion: rv }, (evs) => { for (const e of evs) if (e.type === 'MODIFIED') count[k]++; }));
  }
  const cpu0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, secs * 1000));
  const cpu = process.cpuUsage(cpu0);
  out[`${n} nodes: steady Lease writes/s`] = (count.leases / secs).toFixed(1);
    out[`${n} nodes: steady Node writes/s`] = (count.nodes / secs).toFixed(2);
    out[`${n} nodes: steady CPU (% of a core)`] = (((cpu.user + cpu.system) / 1e6 / secs) * 100).toFixed(1);
  count.leases = 0; count.nodes = 0;
  clock.advance(86_400_000);
  await new Promise((r) => setTimeout(r, 3000));
  out[`${n} nodes: writes in 3 s after a 1-day clock jump`] = `${count.leases} Lease, ${count.nodes} Node`;
  for (const w of watches) w.cancel();
  await s.stop();
  return out;
}

if (import.meta.main) {
  const r = await run(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 20));
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(64)} ${v}`);
}
