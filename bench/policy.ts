// Policy benchmark: pod creates/s over HTTP (32 concurrent keep-alive requests, in-process server,
// controllers off so only the API path is measured) with no policy objects, with 100 ResourceQuotas
// and 100 LimitRanges in place in other namespaces, and with pods created in 100 namespaces each
// governed by a quota (pods, requests.cpu, requests.memory) and a LimitRange that defaults them.
// Quota status is set by hand (no controller), so every governed create is checked and charged; the
// last figure puts every pod in one governed namespace, where concurrent charges share one status write.
// 'none-sized' creates the pods as the LimitRange leaves them (requests, limits, annotation) without any
// policy: the difference to it is what the policy itself costs, not the larger pod. 'none-spread' puts
// those sized pods in the 100 namespaces the governed figure uses, still without policy ('none' and
// 'none-sized' use one namespace): the difference to it is the policy alone, per namespace.
import http from 'node:http';
import { loadavg } from 'node:os';
import { startServer } from '../src/server.ts';
import type { RunningServer } from '../src/server.ts';

const PODS = 3000;
const CONCURRENCY = 32;
const NAMESPACES = 100;

function call(agent: http.Agent, s: RunningServer, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const url = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method, agent, headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function must(p: Promise<{ status: number; text: string }>): Promise<void> {
  const r = await p;
  if (r.status >= 300) throw new Error(`bench setup: ${r.status} ${r.text.slice(0, 300)}`);
}

const pod = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
/** The same pod as the LimitRange below leaves it (defaults and their annotation written by the client). */
const sizedPod = (i: number) => {
  const p: any = pod(i);
  p.metadata.annotations = { 'kubernetes.io/limit-ranger': 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c' };
  p.spec.containers[0].resources = { limits: { cpu: '100m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } };
  return p;
};

type Mode = 'none' | 'none-sized' | 'none-spread' | 'elsewhere' | 'governed' | 'one-namespace';

async function setup(agent: http.Agent, s: RunningServer, mode: Mode): Promise<string[]> {
  const targets: string[] = [];
  for (let i = 0; i < NAMESPACES; i++) {
    const ns = `bench-${i}`;
    await must(call(agent, s, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    if (mode !== 'none' && mode !== 'none-sized' && mode !== 'none-spread') {
      const hard = { pods: '100000', 'requests.cpu': '100k', 'requests.memory': '1Pi' };
      await must(call(agent, s, 'POST', `/api/v1/namespaces/${ns}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard } }));
      await must(call(agent, s, 'PUT', `/api/v1/namespaces/${ns}/resourcequotas/q/status`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard }, status: { hard, used: { pods: '0', 'requests.cpu': '0', 'requests.memory': '0' } } }));
      await must(call(agent, s, 'POST', `/api/v1/namespaces/${ns}/limitranges`, { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', default: { cpu: '100m', memory: '64Mi' }, max: { cpu: '2' } }] } }));
    }
    targets.push(ns);
  }
  if (mode === 'governed' || mode === 'none-spread') return targets;
  if (mode === 'one-namespace') return [targets[0]];
  await must(call(agent, s, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'free' } }));
  return ['free'];
}

/** Creates per second (wall) and CPU microseconds per create (this process: server and client; steadier on a shared machine). */
export async function measure(mode: Mode): Promise<{ rate: number; cpu: number }> {
  const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const targets = await setup(agent, s, mode);
    // Warm-up: the first creates load lazily imported code paths.
    await new Promise((r) => setTimeout(r, 300)); // the schema engine loads in the background after ready
    const make = mode === 'none-sized' || mode === 'none-spread' ? sizedPod : pod;
    for (let i = 0; i < 200; i++) await must(call(agent, s, 'POST', `/api/v1/namespaces/${targets[i % targets.length]}/pods`, make(-1 - i)));
    let next = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < PODS) {
        const i = next++;
        await must(call(agent, s, 'POST', `/api/v1/namespaces/${targets[i % targets.length]}/pods`, make(i)));
      }
    }));
    const rate = PODS / ((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    return { rate, cpu: (c.user + c.system) / PODS };
  } finally {
    agent.destroy();
    await s.stop();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const modes: Mode[] = ['none', 'none-sized', 'none-spread', 'elsewhere', 'governed', 'one-namespace'];
  const load0 = loadavg().map((l) => l.toFixed(1)).join(' ');
  const rate = new Map<Mode, number>();
  const cpu = new Map<Mode, number>();
  // Rounds interleave the modes so JIT warm-up and machine load fall on all of them alike.
  for (let round = 0; round < 3; round++) {
    for (const m of modes) {
      const r = await measure(m);
      rate.set(m, Math.max(rate.get(m) ?? 0, r.rate));
      cpu.set(m, Math.min(cpu.get(m) ?? Infinity, r.cpu));
    }
  }
  const label: Record<Mode, string> = {
    none: 'no quotas or limit ranges',
    'none-sized': 'no quotas or limit ranges, pods already carrying the defaults',
    'none-spread': 'the same, pods spread over 100 namespaces',
    elsewhere: '100 quotas + 100 limit ranges in other namespaces',
    governed: 'each pod in one of 100 namespaces under a quota + limit range',
    'one-namespace': 'all pods in one namespace under a quota + limit range',
  };
  out[`(${PODS} pod creates over HTTP, ${CONCURRENCY} concurrent, best of 3 rounds; load average ${load0} at start, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at end)`] = '';
  for (const m of modes) {
    const pct = (base: Mode) => `${(((cpu.get(m)! - cpu.get(base)!) / cpu.get(base)!) * 100).toFixed(1)}% CPU vs ${base}`;
    const vs = m === 'none' ? '' : m === 'governed' ? ` (${pct('none')}, ${pct('none-sized')}, ${pct('none-spread')})`
      : m === 'one-namespace' ? ` (${pct('none')}, ${pct('none-sized')})` : ` (${pct('none')})`;
    out[`${label[m]}: creates/s`] = Math.round(rate.get(m)!);
    out[`${label[m]}: CPU µs per create`] = `${Math.round(cpu.get(m)!)}${vs}`;
  }
  // The figure: with quotas and limit ranges in place, pod creates/s within 10% of no policy.
  const ratio = (m: Mode) => `${((rate.get(m)! / rate.get('none')!) * 100).toFixed(0)}% of no policy's creates/s (CPU per create ${((cpu.get(m)! / cpu.get('none')!) * 100).toFixed(0)}% of no policy's)`;
  out['governed vs none: throughput'] = ratio('governed');
  out['governed vs none-spread: throughput'] = `${((rate.get('governed')! / rate.get('none-spread')!) * 100).toFixed(0)}% (the policy alone: same pods, same namespaces)`;
  out['elsewhere vs none: throughput'] = ratio('elsewhere');
  return out;
}
