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

test('the gRPC probe: Health/Check over HTTP/2 on the simulated network, with the kubelet\'s messages', async () => {
  const { healthServer, GRPC_NOT_FOUND, encodeRequest, decodeRequest, decodeResponse, encodeResponse } = await import('../../src/netsim/grpc-health.ts');
  const net = createNetwork({ now: () => 0, setTimeout: (fn, ms) => { const t = setTimeout(fn, ms); return { cancel: () => clearTimeout(t) }; } });
  net.index.put('nodes', node('node-1', '172.18.0.2'));
  const p = pod('ns', 'g', '10.0.0.7');
  net.index.put('pods', p);
  let status = 1;
  const seen: string[] = [];
  const server = healthServer((svc) => { seen.push(svc); return svc === 'other' ? { code: GRPC_NOT_FOUND, message: 'unknown service other' } : { status }; });
  const stop = new AbortController();
  new PodNet(net, p).listenStream(5000, (s) => server.accept(s), stop.signal);
  // A server that accepts and never answers.
  new PodNet(net, p).listenStream(5001, () => {}, stop.signal);
  const grpc = (port: number, service = '', timeoutMs = 1000) => probeTransport.grpc({ pod: p, host: '10.0.0.7', port, service, timeoutMs });
  try {
    assert.deepEqual(await grpc(5000), { ok: true, message: 'service healthy' });
    status = 2;
    assert.deepEqual(await grpc(5000, 'mine'), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
    assert.deepEqual(seen, ['', 'mine']);
    assert.deepEqual(await grpc(5000, 'other'), { ok: false, message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service other' });
    assert.deepEqual(await grpc(2333, '', 20), { ok: false, message: 'timeout: failed to connect service "10.0.0.7:2333" within 0.02s: context deadline exceeded' });
    assert.deepEqual(await grpc(5001, '', 30), { ok: false, message: 'timeout: health rpc did not complete within 0.03s' });
  } finally { stop.abort(); server.close(); removeNetwork(net); }
  // The two protobufs, both ways; malformed input is refused, never read past its end.
  assert.equal(decodeRequest(encodeRequest('svc')), 'svc');
  assert.equal(decodeRequest(encodeRequest('')), '');
  assert.equal(decodeResponse(encodeResponse(2)), 2);
  assert.equal(decodeResponse(encodeResponse(0)), 0);
  assert.throws(() => decodeRequest(Buffer.from([0x0a])), /truncated/);
  assert.throws(() => decodeResponse(Buffer.from([0x0a, 1, 0])), /unexpected field/);
  assert.throws(() => decodeRequest(Buffer.from([0x0b])), /unsupported wire type/);
  assert.throws(() => encodeRequest('x'.repeat(200)), /too long/);
});
