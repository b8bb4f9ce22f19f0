// Port-forward reaches the pod's emulated program when one listens on the port (src/netsim), even on
// ports the pod does not declare; declared ports without a program keep the simulated responder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startEnv, makePod, pods } from './helpers.ts';
import type { Env } from './helpers.ts';
import { createNetwork, removeNetwork, PodNet, serveHttp } from '../../src/netsim/index.ts';
import type { Network } from '../../src/netsim/index.ts';

let env: Env;
let net: Network;
const stop = new AbortController();
before(async () => {
  env = await startEnv();
  await makePod(env.store, 'web', { containers: [{ name: 'main', image: 'nginx:1.27', ports: [{ containerPort: 80 }] } as any] });
  const pod = await env.store.get(pods(), 'default', 'web');
  (pod as any).status = { ...(pod as any).status, podIP: '10.244.0.7', podIPs: [{ ip: '10.244.0.7' }] };
  net = createNetwork({ now: () => env.clock.now(), setTimeout: (fn, ms) => env.clock.setTimeout(fn, ms) });
  net.index.put('pods', pod);
  serveHttp(new PodNet(net, pod), 8080, (req, res) => { res.end(`emulated ${req.method} ${req.url} from ${req.socket.remoteAddress}`); }, { signal: stop.signal });
  new PodNet(net, pod).listenStream(9000, (s) => { s.on('data', (b: Buffer) => s.write(Buffer.from(b.toString().toUpperCase()))); s.on('end', () => s.end()); }, stop.signal);
});
after(async () => { stop.abort(); removeNetwork(net); await env.stop(); });

function forward(query: string, send: Buffer[], closeAfterMs?: number): Promise<Map<number, Buffer[]>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${env.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/portforward?${query}`, ['v4.channel.k8s.io']);
    const m = new Map<number, Buffer[]>();
    ws.on('open', () => { for (const b of send) ws.send(b); if (closeAfterMs) setTimeout(() => ws.close(), closeAfterMs); });
    ws.on('message', (d: Buffer) => { const l = m.get(d[0]) ?? []; l.push(d.subarray(1)); m.set(d[0], l); });
    ws.on('error', reject);
    ws.on('close', () => resolve(m));
  });
}

test('an HTTP request through port-forward is answered by the emulated server; the declared port keeps its responder', async () => {
  const get = Buffer.concat([Buffer.from([0]), Buffer.from('GET /x?y=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]);
  const get80 = Buffer.concat([Buffer.from([2]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
  const m = await forward('ports=8080&ports=80', [get, get80]);
  const body = Buffer.concat(m.get(0)!.slice(1)).toString();
  assert.match(body, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nemulated GET \/x\?y=1 from 127\.0\.0\.1$/, 'port-forward dials localhost inside the pod');
  assert.match(Buffer.concat(m.get(2)!.slice(1)).toString(), /Hello from pod default\/web, container main, port 80/);
  assert.equal(m.get(1)!.length, 1, 'no error on the emulated port');
});

test('raw bytes flow both ways to an emulated TCP listener', async () => {
  const m = await forward('ports=9000', [Buffer.concat([Buffer.from([0]), Buffer.from('hello')])], 300);
  assert.equal(Buffer.concat(m.get(0)!.slice(1)).toString(), 'HELLO');
});
