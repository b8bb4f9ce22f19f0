// The simulated network at scale: indexing 10,000 pods, one listener on each, connections through a
// Service with 100 endpoints and HTTP requests over in-memory streams, and the heap it all takes.
import { Network } from '../src/netsim/network.ts';
import { PodNet } from '../src/netsim/pod-net.ts';
import { httpRequest, serveHttp } from '../src/netsim/http.ts';

const N = 10_000;
const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

export async function run(): Promise<Record<string, number | string>> {
  const net = new Network({ now: () => 0, setTimeout: () => ({ cancel() {} }) });
  const pods = Array.from({ length: N }, (_, i) => ({ metadata: { namespace: 'ns', name: `p${i}`, uid: `u${i}`, labels: { app: 'web' } }, spec: {}, status: { podIP: ipOf(i), podIPs: [{ ip: ipOf(i) }] } }) as any);
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  for (const p of pods) net.index.put('pods', p);
  const indexMs = performance.now() - t;
  const stop = new AbortController();
  for (const p of pods) new PodNet(net, p).listenStream(80, (s) => { s.on('error', () => {}); s.end('x'); }, stop.signal);
  globalThis.gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  net.index.put('services', { metadata: { namespace: 'ns', name: 'web' }, spec: { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] } } as any);
  net.index.put('endpointslices', { metadata: { namespace: 'ns', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints: pods.slice(0, 100).map((p: any) => ({ addresses: [p.status.podIP], conditions: { ready: true } })) } as any);
  const client = new PodNet(net, pods[N - 1]);
  t = performance.now();
  for (let i = 0; i < N; i++) { const c = await client.connect('web.ns.svc.cluster.local', 80); c.socket.resume(); }
  const dialUs = ((performance.now() - t) * 1000) / N;
  serveHttp(new PodNet(net, pods[1]), 8080, (_req, res) => { res.end('ok'); }, { signal: stop.signal });
  const HTTP = 2000;
  t = performance.now();
  for (let i = 0; i < HTTP; i++) await httpRequest(client, { url: `http://${ipOf(1)}:8080/` });
  const httpUs = ((performance.now() - t) * 1000) / HTTP;
  stop.abort();
  return {
    'index 10,000 pods (ms)': indexMs.toFixed(1),
    'heap per indexed pod (bytes)': Math.round((heap1 - heap0) / N) + ' incl. one listener',
    'connect through a Service by DNS name, 100 endpoints (µs)': dialUs.toFixed(1),
    'HTTP request over the simulated network (µs)': httpUs.toFixed(1),
  };
}
