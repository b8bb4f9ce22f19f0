import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodNet } from '../../src/netsim/pod-net.ts';
import { httpRequest, serveHttp } from '../../src/netsim/http.ts';
import { NetError } from '../../src/netsim/types.ts';
import { newNetwork, node, pod, service, slice } from './fixtures.ts';

/** A TCP listener that answers every connection with `reply` and closes. */
function answer(net: PodNet, port: number, reply: string) {
  return net.listenStream(port, (s) => { s.on('data', () => {}); s.end(reply); });
}
async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s as any) out += c;
  return out;
}
const code = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { assert.ok(e instanceof NetError, String(e)); return (e as NetError).code; } };

test('a Service with a named targetPort reaches the pod port its EndpointSlice names, endpoints in turn', async () => {
  const { net } = newNetwork();
  const a = pod('ns', 'a', '10.244.0.2'), b = pod('ns', 'b', '10.244.0.3'), client = pod('ns', 'client', '10.244.0.9');
  for (const p of [a, b, client]) net.index.put('pods', p);
  net.index.put('services', service('ns', 'web', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 'web' }] }));
  net.index.put('endpointslices', slice('ns', 'web', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.2' }, { ip: '10.244.0.3' }]));
  answer(new PodNet(net, a), 8080, 'from a');
  answer(new PodNet(net, b), 8080, 'from b');
  const c = new PodNet(net, client);
  const seen = new Set<string>();
  for (const host of ['web', 'web.ns', 'web.ns.svc', 'web.ns.svc.cluster.local', '10.96.0.20']) {
    const conn = await c.connect(host, 80);
    seen.add(await readAll(conn.socket));
    assert.equal(conn.remote.ip, '10.96.0.20');
  }
  assert.deepEqual([...seen].sort(), ['from a', 'from b']);
  // The Service port is 80: 8080 on the cluster IP goes nowhere.
  assert.equal(await code(c.connect('web', 8080, { timeoutMs: 1000, sleep: async () => {} })), 'ETIMEDOUT');
});

test('sessionAffinity ClientIP keeps a client on one endpoint until the affinity times out', async () => {
  const { net, advance } = newNetwork();
  for (const p of [pod('ns', 'a', '10.0.0.2'), pod('ns', 'b', '10.0.0.3'), pod('ns', 'c', '10.0.0.4')]) { net.index.put('pods', p); answer(new PodNet(net, p), 80, p.metadata.name!); }
  const client = pod('ns', 'client', '10.0.0.9');
  net.index.put('pods', client);
  net.index.put('services', service('ns', 'sticky', { clusterIP: '10.96.1.1', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } }, ports: [{ port: 80 }] }));
  net.index.put('endpointslices', slice('ns', 'sticky', [{ port: 80 }], [{ ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }]));
  const c = new PodNet(net, client);
  const first = await readAll((await c.connect('sticky', 80)).socket);
  for (let i = 0; i < 5; i++) assert.equal(await readAll((await c.connect('sticky', 80)).socket), first);
  advance(11_000);
  assert.notEqual(await readAll((await c.connect('sticky', 80)).socket), first);
});

test('no ready endpoints: refused; a not-ready endpoint is skipped; a pod port nobody listens on: refused', async () => {
  const { net } = newNetwork();
  const a = pod('ns', 'a', '10.0.0.2'), b = pod('ns', 'b', '10.0.0.3');
  net.index.put('pods', a); net.index.put('pods', b);
  answer(new PodNet(net, a), 80, 'a'); answer(new PodNet(net, b), 80, 'b');
  net.index.put('services', service('ns', 'empty', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] }));
  net.index.put('endpointslices', slice('ns', 'empty', [], []));
  net.index.put('services', service('ns', 'half', { clusterIP: '10.96.0.6', ports: [{ port: 80 }] }));
  net.index.put('endpointslices', { ...slice('ns', 'half', [{ port: 80 }], [{ ip: '10.0.0.2', ready: false }, { ip: '10.0.0.3' }]), metadata: { namespace: 'ns', name: 'half-x', labels: { 'kubernetes.io/service-name': 'half' } } } as any);
  const c = new PodNet(net, a);
  assert.equal(await code(c.connect('empty', 80)), 'ECONNREFUSED');
  for (let i = 0; i < 3; i++) assert.equal(await readAll((await c.connect('half', 80)).socket), 'b');
  assert.equal(await code(c.connect('10.0.0.3', 81)), 'ECONNREFUSED');
  await assert.rejects(c.connect('10.0.0.3', 81), /dial tcp 10\.0\.0\.3:81: connect: connection refused/);
});

test('an unknown address times out in simulated time; an unknown name is NXDOMAIN', async () => {
  const { net } = newNetwork();
  const a = pod('ns', 'a', '10.0.0.2');
  net.index.put('pods', a);
  const c = new PodNet(net, a);
  let slept = 0;
  assert.equal(await code(c.connect('192.0.2.1', 80, { timeoutMs: 3000, sleep: async (ms) => { slept += ms; } })), 'ETIMEDOUT');
  assert.equal(slept, 3000);
  await assert.rejects(async () => c.lookup('nope'), /lookup nope on 10\.96\.0\.10:53: no such host/);
  await assert.rejects(async () => c.lookup('nope.other.svc.cluster.local'), /no such host/);
});

test('headless Services resolve to ready endpoint addresses and hostname.subdomain to one pod', async () => {
  const { net } = newNetwork();
  const a = pod('ns', 'a', '10.0.0.2', { spec: { hostname: 'web-0', subdomain: 'hs' } }), b = pod('ns', 'b', '10.0.0.3');
  net.index.put('pods', a); net.index.put('pods', b);
  net.index.put('services', service('ns', 'hs', { clusterIP: 'None', ports: [{ port: 80 }] }));
  net.index.put('endpointslices', slice('ns', 'hs', [{ port: 80 }], [{ ip: '10.0.0.2', hostname: 'web-0' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4', ready: false }]));
  const c = new PodNet(net, b);
  assert.deepEqual(c.lookup('hs').addresses.sort(), ['10.0.0.2', '10.0.0.3']);
  assert.deepEqual(c.lookup('web-0.hs').addresses, ['10.0.0.2']);
  assert.deepEqual(c.lookup('web-0.hs.ns.svc.cluster.local.').addresses, ['10.0.0.2']);
  assert.deepEqual(c.lookup('10-0-0-3.ns.pod.cluster.local').addresses, ['10.0.0.3']);
  // The pod's own names come from its /etc/hosts.
  assert.deepEqual(new PodNet(net, a).lookup('web-0.hs.ns.svc.cluster.local').addresses, ['10.0.0.2']);
  assert.deepEqual(c.lookup('localhost').addresses, ['127.0.0.1']);
  // Another namespace's service needs its namespace in the name.
  const other = pod('other', 'x', '10.0.0.7');
  net.index.put('pods', other);
  assert.throws(() => new PodNet(net, other).lookup('hs'), /no such host/);
  assert.deepEqual(new PodNet(net, other).lookup('hs.ns').addresses.sort(), ['10.0.0.2', '10.0.0.3']);
});

test('ExternalName answers with a CNAME; node ports reach the Service on every node address', async () => {
  const { net } = newNetwork();
  const a = pod('ns', 'a', '10.0.0.2');
  net.index.put('pods', a);
  answer(new PodNet(net, a), 9376, 'served');
  net.index.put('nodes', node('node-1', '172.18.0.2'));
  net.index.put('services', service('ns', 'ext', { type: 'ExternalName', externalName: 'np.ns.svc.cluster.local' }));
  net.index.put('services', service('ns', 'np', { type: 'NodePort', clusterIP: '10.96.0.30', ports: [{ port: 80, nodePort: 30080, targetPort: 9376 }] }));
  net.index.put('endpointslices', slice('ns', 'np', [{ port: 9376 }], [{ ip: '10.0.0.2' }]));
  const c = new PodNet(net, a);
  const ans = c.lookup('ext');
  assert.equal(ans.cname, 'np.ns.svc.cluster.local');
  assert.deepEqual(ans.addresses, ['10.96.0.30']);
  assert.equal(await readAll((await c.connect('172.18.0.2', 30080)).socket), 'served');
  assert.equal(await code(c.connect('172.18.0.2', 30081)), 'ECONNREFUSED');
});

test('loopback reaches the pod itself; a port is bound once; a deleted pod loses its listeners', async () => {
  const { net } = newNetwork();
  const a = pod('ns', 'a', '10.0.0.2');
  net.index.put('pods', a);
  const pn = new PodNet(net, a);
  const ac = new AbortController();
  answer(pn, 80, 'me');
  assert.throws(() => answer(pn, 80, 'again'), /address already in use/);
  assert.equal(await readAll((await pn.connect('localhost', 80)).socket), 'me');
  assert.equal(await readAll((await pn.connect('127.0.0.1', 80)).socket), 'me');
  pn.listenStream(81, (s) => s.end('x'), ac.signal);
  ac.abort();
  assert.equal(await code(pn.connect('127.0.0.1', 81)), 'ECONNREFUSED');
  net.index.drop('pods', a);
  net.index.put('pods', a);
  assert.equal(await code(pn.connect('10.0.0.2', 80)), 'ECONNREFUSED');
});

test('HTTP over the simulated network: server sees the client pod address, UDP datagrams answer', async () => {
  const { net, sleep } = newNetwork();
  const a = pod('ns', 'a', '10.0.0.2'), b = pod('ns', 'b', '10.0.0.3');
  net.index.put('pods', a); net.index.put('pods', b);
  const ac = new AbortController();
  serveHttp(new PodNet(net, a), 8080, (req, res) => { res.setHeader('x-path', req.url!); res.end(`client ${req.socket.remoteAddress}`); }, { signal: ac.signal });
  new PodNet(net, a).listenDatagram(8081, (msg) => `echo ${msg}`, ac.signal);
  const r = await httpRequest(new PodNet(net, b), { url: 'http://10.0.0.2:8080/x?y=1', timeoutMs: 5000, sleep });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-path'], '/x?y=1');
  assert.equal(r.body.toString(), 'client 10.0.0.3');
  assert.equal((await new PodNet(net, b).datagram('10.0.0.2', 8081, 'hi')).toString(), 'echo hi');
  ac.abort();
  await assert.rejects(httpRequest(new PodNet(net, b), { url: 'http://10.0.0.2:8080/' }), /connection refused/);
  await assert.rejects(httpRequest(new PodNet(net, b), { url: 'ftp://10.0.0.2/' }), /unsupported protocol scheme "ftp"/);
});

test('node ports win over host-network pods on the node address; the pod\'s own ports stay reachable', async () => {
  const { net } = newNetwork();
  net.index.put('nodes', node('node-1', '172.18.0.2'));
  const hostPod = pod('kube-system', 'agent', '172.18.0.2', { spec: { hostNetwork: true } });
  const backend = pod('ns', 'b', '10.0.0.2');
  net.index.put('pods', hostPod); net.index.put('pods', backend);
  answer(new PodNet(net, hostPod), 9100, 'host agent');
  answer(new PodNet(net, backend), 8080, 'backend');
  net.index.put('services', service('ns', 'np', { type: 'NodePort', clusterIP: '10.96.0.31', ports: [{ port: 80, nodePort: 30090, targetPort: 8080 }] }));
  net.index.put('endpointslices', slice('ns', 'np', [{ port: 8080 }], [{ ip: '10.0.0.2' }]));
  const c = new PodNet(net, backend);
  assert.equal(await readAll((await c.connect('172.18.0.2', 30090)).socket), 'backend');
  assert.equal(await readAll((await c.connect('172.18.0.2', 9100)).socket), 'host agent');
  assert.equal(await code(c.connect('172.18.0.2', 9101)), 'ECONNREFUSED');
});

test('hostPort: the node address reaches the pod publishing it (by hostIP and protocol); a host-network pod reaches 127.0.0.1-bound ones', async () => {
  const { net } = newNetwork();
  net.index.put('nodes', node('node-1', '172.18.0.2'));
  const ports = (hostIP: string, protocol = 'TCP') => ({ spec: { containers: [{ name: 'c', image: 'agnhost', ports: [{ containerPort: 8080, hostPort: 54323, hostIP, protocol }] }] } });
  const p1 = pod('ns', 'p1', '10.244.0.11', ports('127.0.0.1')), p2 = pod('ns', 'p2', '10.244.0.12', ports('172.18.0.2')), p3 = pod('ns', 'p3', '10.244.0.13', ports('172.18.0.2', 'UDP'));
  const host = pod('ns', 'host', '172.18.0.2', { spec: { hostNetwork: true } }), other = pod('ns', 'other', '10.244.0.20');
  for (const p of [p1, p2, p3, host, other]) net.index.put('pods', p);
  answer(new PodNet(net, p1), 8080, 'p1');
  answer(new PodNet(net, p2), 8080, 'p2');
  new PodNet(net, p3).listenDatagram(8080, () => 'p3');
  const h = new PodNet(net, host), o = new PodNet(net, other);
  assert.equal(await readAll((await h.connect('127.0.0.1', 54323)).socket), 'p1');
  assert.equal(await readAll((await h.connect('172.18.0.2', 54323)).socket), 'p2');
  assert.equal(await readAll((await o.connect('172.18.0.2', 54323)).socket), 'p2', 'from any pod, through the node address');
  assert.equal(String(await h.datagram('172.18.0.2', 54323, 'hostname')), 'p3');
  assert.equal(await code(o.connect('127.0.0.1', 54323)), 'ECONNREFUSED', 'a pod network pod\'s loopback is its own');
  assert.equal(await code(h.connect('172.18.0.2', 54324)), 'ECONNREFUSED', 'no such hostPort: the node refuses');
});

test('connections are counted per pod and released when they close; a request that calls itself without end stops at EMFILE', async () => {
  const { net, sleep } = newNetwork();
  const a = pod('ns', 'a', '10.0.0.2'), b = pod('ns', 'b', '10.0.0.3');
  net.index.put('pods', a); net.index.put('pods', b);
  const ac = new AbortController();
  serveHttp(new PodNet(net, a), 8080, (_req, res) => { res.end('ok'); }, { signal: ac.signal });
  for (let i = 0; i < 50; i++) assert.equal((await httpRequest(new PodNet(net, b), { url: 'http://10.0.0.2:8080/', timeoutMs: 5000, sleep })).status, 200);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(net.openConnections(String(b.metadata.uid)), 0, 'the client pod holds no connection after its requests');
  assert.equal(net.openConnections(String(a.metadata.uid)), 0, 'nor does the server pod');
  // A handler that answers only once its own request to itself is answered (the agnhost guestbook
  // primary propagating a /set to a replica registered at its own address): each level holds two ends.
  let deepest = '';
  serveHttp(new PodNet(net, a), 9090, async (_req, res) => {
    try { await httpRequest(new PodNet(net, a), { url: 'http://127.0.0.1:9090/', sleep }); res.end('nested'); } catch (e) { deepest ||= (e as Error).message; res.statusCode = 500; res.end(); }
  }, { signal: ac.signal });
  const r = await httpRequest(new PodNet(net, b), { url: 'http://10.0.0.2:9090/', sleep });
  assert.equal(r.status, 200, 'the outer request is answered once the innermost dial is refused');
  assert.equal(deepest, 'dial tcp 127.0.0.1:9090: socket: too many open files');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(net.openConnections(String(a.metadata.uid)), 0, 'every level released its connection');
  ac.abort();
});
