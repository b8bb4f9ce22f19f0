import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetwork, removeNetwork, PodNet, probeTransport, serveHttp } from '../../src/netsim/index.ts';
import { node, pod } from './fixtures.ts';

test('the probe transport: httpGet and tcpSocket from the node over the simulated network, upstream texts', async () => {
  const net = createNetwork({ now: () => 0, setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); return { cancel: () => clearTimeout(t) }; } });
  net.index.put('nodes', node('node-1', '172.18.0.2'));
  const p = pod('ns', 'p', '10.0.0.2');
  net.index.put('pods', p);
  const stop = new AbortController();
  let seen: any;
  serveHttp(new PodNet(net, p), 8080, (req, res) => {
    seen = { ua: req.headers['user-agent'], from: req.socket.remoteAddress, x: req.headers['x-custom'] };
    if (req.url === '/hang') return;
    if (req.url === '/bad') { res.statusCode = 500; res.end('no'); return; }
    res.end('ok');
  }, { signal: stop.signal });
  const http = (path: string, port = 8080, timeoutMs = 1000) => probeTransport.http({ pod: p, host: '10.0.0.2', port, path, scheme: 'http', headers: { 'X-Custom': 'v' }, timeoutMs });
  try {
    assert.deepEqual(await http('/healthz'), { status: 200, body: 'ok' });
    assert.deepEqual(seen, { ua: 'kube-probe/1.32', from: '172.18.0.2', x: 'v' });
    assert.deepEqual(await http('/bad'), { status: 500, body: 'no' });
    assert.deepEqual(await http('/', 9), { error: 'dial tcp 10.0.0.2:9: connect: connection refused' });
    // A server that never answers: the probe's timeout (on the network's clock) fails it.
    assert.deepEqual(await http('/hang', 8080, 50), { error: 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)' });
    assert.deepEqual(await probeTransport.tcp({ pod: p, host: '10.0.0.2', port: 8080, timeoutMs: 1000 }), {});
    assert.deepEqual(await probeTransport.tcp({ pod: p, host: '10.0.0.2', port: 9, timeoutMs: 1000 }), { error: 'dial tcp 10.0.0.2:9: connect: connection refused' });
  } finally { stop.abort(); removeNetwork(net); }
});
