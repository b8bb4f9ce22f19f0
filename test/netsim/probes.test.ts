import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNetwork, removeNetwork, httpGetProbe, tcpSocketProbe, PodNet, serveHttp } from '../../src/netsim/index.ts';
import { node, pod } from './fixtures.ts';

test('httpGet and tcpSocket probes over the simulated network, from the node, named ports, upstream texts', async () => {
  const net = createNetwork({ now: () => 0, setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); return { cancel: () => clearTimeout(t) }; } });
  net.index.put('nodes', node('node-1', '172.18.0.2'));
  const p = pod('ns', 'p', '10.0.0.2', { spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] } });
  net.index.put('pods', p);
  const stop = new AbortController();
  let seen: any;
  serveHttp(new PodNet(net, p), 8080, (req, res) => {
    seen = { ua: req.headers['user-agent'], from: req.socket.remoteAddress, x: req.headers['x-custom'] };
    if (req.url === '/hang') return;
    if (req.url === '/bad') { res.statusCode = 500; res.end('no'); return; }
    if (req.url === '/moved') { res.statusCode = 301; res.setHeader('Location', 'http://elsewhere/'); res.end(); return; }
    res.end('ok');
  }, { signal: stop.signal });
  try {
    assert.deepEqual(await httpGetProbe(p, 'c', { port: 'http', path: '/healthz', httpHeaders: [{ name: 'X-Custom', value: 'v' }] }, 1000), { result: 'success', output: 'ok' });
    assert.deepEqual(seen, { ua: 'kube-probe/1.32', from: '172.18.0.2', x: 'v' });
    assert.deepEqual(await httpGetProbe(p, 'c', { port: 8080, path: '/bad' }, 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
    assert.equal((await httpGetProbe(p, 'c', { port: 8080, path: '/moved' }, 1000)).result, 'warning');
    assert.deepEqual(await httpGetProbe(p, 'c', { port: 9090, path: '/' }, 1000), { result: 'failure', output: 'Get "http://10.0.0.2:9090/": dial tcp 10.0.0.2:9090: connect: connection refused' });
    assert.equal((await httpGetProbe(p, 'c', { port: 'nope' }, 1000)).output, 'Get "http://10.0.0.2:nope/": dial tcp: address nope: invalid port');
    assert.deepEqual(await tcpSocketProbe(p, 'c', { port: 'http' }, 1000), { result: 'success', output: '' });
    // A server that never answers: the probe's timeout (on the network's clock) fails it.
    assert.deepEqual(await httpGetProbe(p, 'c', { port: 8080, path: '/hang' }, 50), { result: 'failure', output: 'Get "http://10.0.0.2:8080/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' });
    assert.deepEqual(await tcpSocketProbe(p, 'c', { port: 81 }, 1000), { result: 'failure', output: 'dial tcp 10.0.0.2:81: connect: connection refused' });
  } finally { stop.abort(); removeNetwork(net); }
});
