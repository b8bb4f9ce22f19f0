// Fresh clusters: `npm run bench -- cluster-start`. In one already-running Node process, startCluster()
// (in memory, HTTPS, controllers and one simulated node) until a GET over HTTPS answers 200, then
// stop(); the first start pays for loading modules and is reported apart. Target: <= 100 ms warm.
import { request } from 'node:https';
import { startCluster } from '../src/index.ts';
import type { Cluster } from '../src/index.ts';

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = (x: number) => Number(x.toFixed(1));

function get(c: Cluster, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(new URL(path, c.url), { ca: c.caPem, agent: false, headers: { Authorization: `Bearer ${c.token}` } }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject).end();
  });
}

export async function run(): Promise<Record<string, number | string>> {
  const starts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    const c = await startCluster();
    const code = await get(c, '/api/v1/namespaces/default');
    starts.push(performance.now() - t0);
    if (code !== 200) throw new Error(`GET namespace default answered ${code}`);
    const t1 = performance.now();
    await c.stop();
    stops.push(performance.now() - t1);
  }
  const warm = starts.slice(1);
  return {
    'first startCluster() to a 200 over HTTPS (loads modules) ms': ms(starts[0]),
    'warm startCluster() to a 200 over HTTPS, median / max of 10 ms': `${ms(median(warm))} / ${ms(Math.max(...warm))}`,
    'stop() ms, median': ms(median(stops.slice(1))),
    'target: warm start <= 100 ms': median(warm) <= 100 ? 'met' : 'NOT met',
  };
}
