// ConfigMap creates from 32 client-go workers without a client-side rate limit (conformance/go/load),
// against `skiff serve` in its own process: creates/s, latency p50/p99, and the server's CPU time per
// create (steadier than wall time on a shared machine). Skipped, saying so, without a Go toolchain.
import { goLoad } from './go-load.ts';
import { cpuMs, startSkiff } from './serve.ts';

const COUNT = Number(process.env.SKIFF_BENCH_CREATES ?? 20000);

export async function run(): Promise<Record<string, number | string>> {
  const s = await startSkiff();
  try {
    const out: Record<string, number | string> = {};
    // The first run is on a fresh server: V8 is still optimizing the create path (its compiler threads
    // add ~0.1 ms of CPU per create over the first ~12,000). The next two are the steady state, which
    // is what the target is about. client-go's own transport keeps 25 idle connections per host: over
    // HTTP/1.1 the other workers' connections close and re-open (a TLS handshake each); over HTTP/2
    // (what client-go negotiates) all workers share one connection. The last run keeps all 32 open.
    for (const [label, idle] of [['fresh server, client-go transport', '0'], ['client-go transport', '0'], ['32 idle connections kept', '32']]) {
      const cpu0 = cpuMs(s.child.pid);
      const r = goLoad(s, 'creates', ['-workers', '32', '-count', String(COUNT), '-warmup', '2000', '-idle', idle]);
      if ('skip' in r) return { 'client-go ConfigMap creates': `skipped: ${r.skip}` };
      const cpu1 = cpuMs(s.child.pid);
      out[`client-go, 32 workers, ${COUNT} ConfigMap creates (${label}): creates/s`] = Math.round(r.perSecond);
      out[`  ${label}: latency p50 / p99 (ms), new connections`] = `${r.p50ms.toFixed(1)} / ${r.p99ms.toFixed(1)}, ${r.newConnections}`;
      out[`  ${label}: server CPU per create, incl. warm-up (ms)`] = cpu0 === undefined ? '?' : +((cpu1! - cpu0) / (COUNT + 2000)).toFixed(3);
    }
    return out;
  } finally {
    await s.stop();
  }
}
