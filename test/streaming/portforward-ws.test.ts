// The older WebSocket port-forward protocol (client-node, Python): channels 2i / 2i+1 per port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startEnv, makePod } from './helpers.ts';
import type { Env } from './helpers.ts';

let env: Env;
before(async () => {
  env = await startEnv();
  await makePod(env.store, 'web', { containers: [{ name: 'main', image: 'nginx:1.27', ports: [{ containerPort: 80 }] } as any] });
});
after(async () => { await env.stop(); });

interface Msgs { byChannel: Map<number, Buffer[]>; closeCode?: number }

function forward(query: string, protocols: string[], send: Buffer[]): Promise<Msgs> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${env.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/portforward?${query}`, protocols);
    const m: Msgs = { byChannel: new Map() };
    ws.on('open', () => { for (const b of send) ws.send(b); });
    ws.on('message', (d: Buffer) => { const l = m.byChannel.get(d[0]) ?? []; l.push(d.subarray(1)); m.byChannel.set(d[0], l); });
    ws.on('unexpected-response', (_q, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c; }).on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(body) })));
    });
    ws.on('error', reject);
    ws.on('close', (code) => { m.closeCode = code; resolve(m); });
  });
}

test('each channel starts with its port; an HTTP request gets the simulated body; undeclared ports report on their error channel', async () => {
  const get = Buffer.concat([Buffer.from([0]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
  const m = await forward('ports=80&ports=81', ['v4.channel.k8s.io'], [get]);
  for (const ch of [0, 1]) assert.deepEqual(m.byChannel.get(ch)![0], Buffer.from([80, 0]));
  for (const ch of [2, 3]) assert.deepEqual(m.byChannel.get(ch)![0], Buffer.from([81, 0]));
  const res = Buffer.concat(m.byChannel.get(0)!.slice(1)).toString();
  assert.match(res, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nHello from pod default\/web, container main, port 80\n$/);
  assert.match(Buffer.concat(m.byChannel.get(3)!.slice(1)).toString(), /^error forwarding port 81 to pod [0-9a-f]+, uid : .*connection refused/);
  assert.equal(m.closeCode, 1000);
});

test('missing or bad ports and unknown subprotocols are 400 Status errors', async () => {
  for (const [q, protocols, re] of [
    ['', ['v4.channel.k8s.io'], /query parameter "port" is required/],
    ['ports=http', ['v4.channel.k8s.io'], /unable to parse "http" as a port/],
    ['ports=0', ['v4.channel.k8s.io'], /port "0" must be > 0/],
    ['ports=80', ['v9.channel.k8s.io'], /unsupported port-forward WebSocket subprotocol/],
  ] as const) {
    await assert.rejects(forward(q, [...protocols], []), (e: any) => e.status === 400 && re.test(e.body.message), `${q} ${protocols}`);
  }
});
