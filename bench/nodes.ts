// Steady-state cost of N simulated nodes: Lease and Node writes per second and CPU, over a window
// of real time after start-up, then the writes caused by a 1-day clock jump.
//   node bench/nodes.ts [nodes=1000] [seconds=20]
import { startServer } from '../src/server.ts';
import { RealClock } from '../src/clock.ts';
import { findResource } from '../src/registry/resources.ts';

const n = Number(process.argv[2] ?? 1000), secs = Number(process.argv[3] ?? 20);
const clock = new RealClock(1);
const t0 = performance.now();
const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, nodes: n, clock });
console.log(`${n} nodes registered in ${Math.round(performance.now() - t0)} ms`);
const count = { leases: 0, nodes: 0 };
const watches = [];
for (const [r, k] of [[findResource('coordination.k8s.io', 'v1', 'leases')!, 'leases'], [findResource('', 'v1', 'nodes')!, 'nodes']] as const) {
  const rv = (await s.store.list(r, undefined)).resourceVersion;
  watches.push(await s.store.watch(r, undefined, { resourceVersion: rv }, (evs) => { for (const e of evs) if (e.type === 'MODIFIED') count[k]++; }));
}
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, secs * 1000));
const cpu = process.cpuUsage(cpu0);
console.log(`steady: ${(count.leases / secs).toFixed(1)} lease writes/s, ${(count.nodes / secs).toFixed(2)} node writes/s, CPU ${(((cpu.user + cpu.system) / 1e6 / secs) * 100).toFixed(1)}% of a core`);
count.leases = 0; count.nodes = 0;
clock.advance(86_400_000);
await new Promise((r) => setTimeout(r, 3000));
console.log(`after a 1-day jump (3 s): ${count.leases} lease writes, ${count.nodes} node writes`);
for (const w of watches) w.cancel();
await s.stop();
