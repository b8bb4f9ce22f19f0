import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryFs } from 'just-bash';
import { NETWORK_COMMANDS, programFor } from '../../src/images/index.ts';
import { HTTPD_INDEX } from '../../src/images/catalogue.ts';
import { PodNet, serveHttp } from '../../src/netsim/index.ts';
import { World, settle } from './harness.ts';

const { wget, curl, nc, nslookup, getent, dig } = NETWORK_COMMANDS;

/** A world with a web pod behind Service "web" (port 80 → 8080) and a client pod. */
async function world() {
  const w = new World();
  const web = w.pod('ns', 'web', '10.0.0.2', { hostname: 'web-0', subdomain: 'hs' });
  const client = w.pod('ns', 'client', '10.0.0.3');
  const stop = new AbortController();
  serveHttp(new PodNet(w.net, web), 8080, async (req, res) => {
    if (req.url === '/missing') { res.statusCode = 404; res.end('nope'); return; }
    if (req.url === '/redirect') { res.statusCode = 302; res.setHeader('Location', '/final'); res.end(); return; }
    if (req.url === '/slow') { await w.sleep(60_000); res.end('late'); return; }
    let body = '';
    for await (const c of req) body += c;
    res.setHeader('X-Method', req.method!);
    res.end(`${req.method} ${req.url} ${req.headers['x-test'] ?? ''}${body}`);
  }, { signal: stop.signal });
  new PodNet(w.net, web).listenStream(7000, (s) => { s.on('data', (b: Buffer) => s.end(`echo:${b}`)); }, stop.signal);
  new PodNet(w.net, web).listenDatagram(7001, (m) => `udp:${m}`, stop.signal);
  w.net.index.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 'web' }, spec: { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] } } as any);
  w.net.index.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 'hs' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } } as any);
  w.net.index.put('endpointslices', { metadata: { namespace: 'ns', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: true } }] } as any);
  w.net.index.put('endpointslices', { metadata: { namespace: 'ns', name: 'hs-1', labels: { 'kubernetes.io/service-name': 'hs' } }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.2'], hostname: 'web-0', conditions: { ready: true } }] } as any);
  return { w, client, done: () => { stop.abort(); w.close(); } };
}

test('wget: -q -O - prints the body; saves a file; errors and exit statuses as busybox', async () => {
  const { w, client, done } = await world();
  const r = w.run(wget, client, ['wget', '-q', '-O', '-', 'http://web/path?q=1']);
  assert.equal(await r.done, 0);
  assert.equal(r.stdout(), 'GET /path?q=1 ');
  const fs = new InMemoryFs();
  const save = w.run(wget, client, ['wget', 'web.ns.svc.cluster.local'], { fs });
  assert.equal(await save.done, 0);
  assert.equal(await fs.readFile('/index.html'), 'GET / ');
  assert.match(save.stderr(), /^Connecting to web\.ns\.svc\.cluster\.local:80 \(10\.96\.0\.5:80\)\nsaving to 'index\.html'\n/);
  const devnull = w.run(wget, client, ['wget', '-q', '-O', '/dev/null', 'http://web/'], { fs: new InMemoryFs() });
  assert.equal(await devnull.done, 0, 'no /dev in the filesystem: /dev/null still discards');
  const missing = w.run(wget, client, ['wget', '-q', '-O-', 'http://web/missing']);
  assert.equal(await missing.done, 1);
  assert.equal(missing.stderr(), 'wget: server returned error: HTTP/1.1 404 Not Found\n');
  const refused = w.run(wget, client, ['wget', '-q', 'http://10.0.0.2:9/']);
  assert.equal(await refused.done, 1);
  assert.equal(refused.stderr(), "wget: can't connect to remote host (10.0.0.2): Connection refused\n");
  const bad = w.run(wget, client, ['wget', '-q', 'http://nosuch/']);
  assert.equal(await bad.done, 1);
  assert.equal(bad.stderr(), "wget: bad address 'nosuch'\n");
  const follow = w.run(wget, client, ['wget', '-q', '-O', '-', 'http://web/redirect']);
  assert.equal(await follow.done, 0);
  assert.equal(follow.stdout(), 'GET /final ');
  const spider = w.run(wget, client, ['wget', '--spider', '-S', 'http://web/']);
  assert.equal(await spider.done, 0);
  assert.match(spider.stderr(), /HTTP\/1\.1 200 OK[\s\S]*remote file exists/);
  const slow = w.run(wget, client, ['wget', '-q', '-T', '2', '-O-', 'http://web/slow']);
  await settle();
  await w.advance(2000);
  assert.equal(await slow.done, 1);
  assert.equal(slow.stderr(), 'wget: download timed out\n');
  const opt = w.run(wget, client, ['wget', '--bogus', 'http://web/']);
  assert.equal(await opt.done, 1);
  assert.match(opt.stderr(), /unrecognized option '--bogus'/);
  done();
});

test('curl: -s, -w http_code, -X/-d/-H, -f, -o, -m, error codes 6/7/22/28', async () => {
  const { w, client, done } = await world();
  const run = async (...args: string[]) => { const r = w.run(curl, client, ['curl', ...args]); const code = await r.done; return { code, out: r.stdout(), err: r.stderr() }; };
  assert.deepEqual(await run('-s', 'web:80/a'), { code: 0, out: 'GET /a ', err: '' });
  assert.deepEqual(await run('-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://web/missing'), { code: 0, out: '404', err: '' });
  assert.deepEqual(await run('-sX', 'PUT', '-d', 'x=1', '-H', 'X-Test: t', 'http://web/p'), { code: 0, out: 'PUT /p tx=1', err: '' });
  assert.deepEqual(await run('-sf', 'http://web/missing'), { code: 22, out: '', err: '' });
  assert.deepEqual(await run('-sSf', 'http://web/missing'), { code: 22, out: '', err: 'curl: (22) The requested URL returned error: 404\n' });
  assert.deepEqual(await run('-sS', 'http://nosuch/'), { code: 6, out: '', err: 'curl: (6) Could not resolve host: nosuch\n' });
  const refused = await run('-S', '-s', 'http://10.0.0.2:9/');
  assert.equal(refused.code, 7);
  assert.match(refused.err, /^curl: \(7\) Failed to connect to 10\.0\.0\.2 port 9 after \d+ ms: Couldn't connect to server\n$/);
  const include = await run('-si', 'http://web/');
  assert.match(include.out, /^HTTP\/1\.1 200 OK\r\n[\s\S]*X-Method: GET\r\n[\s\S]*\r\n\r\nGET \/ $/);
  const r = w.run(curl, client, ['curl', '-sS', '-m', '3', 'http://web/slow']);
  await settle();
  await w.advance(3000);
  assert.equal(await r.done, 28);
  assert.match(r.stderr(), /^curl: \(28\) Operation timed out after \d+ milliseconds with 0 bytes received\n$/);
  assert.equal((await run('--nope', 'http://web/')).code, 2);
  assert.equal((await run('-s')).code, 2);
  assert.equal((await run('-m', 'abc', 'http://web/')).code, 2);
  done();
});

test('nc: -z -v checks a port, sends stdin and prints the answer, UDP, listens with -l', async () => {
  const { w, client, done } = await world();
  const z = w.run(nc, client, ['nc', '-zv', 'web.ns', '80']);
  assert.equal(await z.done, 0);
  assert.equal(z.stderr(), 'web.ns (10.96.0.5:80) open\n');
  const closed = w.run(nc, client, ['nc', '-z', '-w', '1', '10.0.0.2', '81']);
  assert.equal(await closed.done, 1);
  const talk = w.run(nc, client, ['nc', '10.0.0.2', '7000'], { stdin: 'hi' });
  assert.equal(await talk.done, 0);
  assert.equal(talk.stdout(), 'echo:hi');
  const udp = w.run(nc, client, ['nc', '-u', '-w', '1', 'web-0.hs', '7001'], { stdin: 'ping' });
  assert.equal(await udp.done, 0);
  assert.equal(udp.stdout(), 'udp:ping');
  const server = w.run(nc, client, ['nc', '-l', '-p', '5000'], { stdin: 'from server' });
  await settle();
  const peer = w.run(nc, w.pod('ns', 'other', '10.0.0.4'), ['nc', 'client', '5000'], { stdin: 'from client' });
  // "client" is not a Service: the short name does not resolve, so dial the pod IP.
  assert.equal(await peer.done, 1);
  const peer2 = w.run(nc, w.pod('ns', 'other2', '10.0.0.5'), ['nc', '10.0.0.3', '5000'], { stdin: 'from client' });
  assert.equal(await peer2.done, 0);
  assert.equal(peer2.stdout(), 'from server');
  assert.equal(await server.done, 0);
  assert.equal(server.stdout(), 'from client');
  const bad = w.run(nc, client, ['nc', 'web', 'http']);
  assert.equal(await bad.done, 1);
  assert.equal(bad.stderr(), "nc: bad port 'http'\n");
  done();
});

test('nslookup, getent hosts and dig over the cluster DNS', async () => {
  const { w, client, done } = await world();
  const ns = w.run(nslookup, client, ['nslookup', 'web']);
  assert.equal(await ns.done, 0);
  assert.equal(ns.stdout(), 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.ns.svc.cluster.local\nAddress: 10.96.0.5\n\n');
  const nx = w.run(nslookup, client, ['nslookup', 'nosuch']);
  assert.equal(await nx.done, 1);
  assert.match(nx.stdout(), /\*\* server can't find nosuch\.cluster\.local: NXDOMAIN/);
  const ge = w.run(getent, client, ['getent', 'hosts', 'web-0.hs']);
  assert.equal(await ge.done, 0);
  assert.equal(ge.stdout(), '10.0.0.2        web-0.hs.ns.svc.cluster.local\n');
  assert.equal(await w.run(getent, client, ['getent', 'hosts', 'nosuch']).done, 2);
  const d = w.run(dig, client, ['dig', '+notcp', '+noall', '+answer', '+search', 'web', 'A']);
  assert.equal(await d.done, 0);
  assert.equal(d.stdout(), 'web.ns.svc.cluster.local.\t\t30\tIN\tA\t10.96.0.5\n');
  const noSearch = w.run(dig, client, ['dig', '+short', 'web']);
  assert.equal(await noSearch.done, 0);
  assert.equal(noSearch.stdout(), '', 'without +search a short name is asked as given');
  const srv = w.run(dig, client, ['dig', '+short', '+search', '_http._tcp.web', 'SRV']);
  assert.equal(await srv.done, 0);
  assert.equal(srv.stdout(), '0 100 80 web.ns.svc.cluster.local.\n');
  const ptr = w.run(dig, client, ['dig', '+short', '-x', '10.96.0.5']);
  assert.equal(await ptr.done, 0);
  assert.equal(ptr.stdout(), 'web.ns.svc.cluster.local.\n');
  done();
});

test('nginx and httpd serve their default page on 80, files from their document root, 404 otherwise', async () => {
  const w = new World();
  const a = w.pod('ns', 'a', '10.0.0.2'), b = w.pod('ns', 'b', '10.0.0.3'), c = w.pod('ns', 'c', '10.0.0.4');
  const fs = new InMemoryFs();
  await fs.writeFile('/usr/share/nginx/html/hello.txt', 'hi there');
  const ng = w.run(programFor('nginx')!, a, ['nginx', '-g', 'daemon off;'], { fs });
  const htdocs = new InMemoryFs();
  await htdocs.writeFile('/usr/local/apache2/htdocs/index.html', HTTPD_INDEX); // the image's file (catalogue.ts)
  const hd = w.run(programFor('httpd-foreground')!, b, ['httpd-foreground'], { fs: htdocs });
  await settle();
  const get = async (url: string) => { const r = w.run(curl, c, ['curl', '-s', '-w', ' %{http_code}', url]); await r.done; return r.stdout(); };
  assert.match(await get('http://10.0.0.2/'), /<title>Welcome to nginx!<\/title>[\s\S]* 200$/);
  assert.equal(await get('http://10.0.0.2/hello.txt'), 'hi there 200');
  assert.match(await get('http://10.0.0.2/../../etc/passwd'), /404 Not Found[\s\S]* 404$/);
  assert.equal(await get('http://10.0.0.3/'), '<html><body><h1>It works!</h1></body></html>\n 200');
  // Moved away (as the StatefulSet e2e specs do to fail a readiness probe): 404, and the directory is forbidden.
  await htdocs.mv('/usr/local/apache2/htdocs/index.html', '/tmp/index.html');
  assert.match(await get('http://10.0.0.3/index.html'), /404 Not Found[\s\S]* 404$/);
  assert.match(await get('http://10.0.0.3/'), /403 Forbidden[\s\S]* 403$/);
  await htdocs.mv('/tmp/index.html', '/usr/local/apache2/htdocs/index.html');
  assert.equal(await get('http://10.0.0.3/index.html'), '<html><body><h1>It works!</h1></body></html>\n 200');
  assert.match(ng.stdout(), /"GET \/hello.txt HTTP\/1.1" 200 8/);
  ng.stop(); hd.stop();
  assert.equal(await ng.done, 0);
  assert.equal(await hd.done, 0);
  w.close();
});

test('the DNS e2e probe commands: dig +search A/SRV/PTR/CNAME, hostname -i for the pod A record, /etc files', async () => {
  const { w, client, done } = await world();
  const { etcHostsFile, resolvConfFile } = await import('../../src/netsim/index.ts');
  const run = async (prog: keyof typeof NETWORK_COMMANDS, pod: any, ...args: string[]) => { const r = w.run(NETWORK_COMMANDS[prog], pod, [prog, ...args]); const code = await r.done; return { code, out: r.stdout() }; };
  const web = w.net.index.get('pods', 'ns', 'web')!;
  assert.deepEqual(await run('hostname', web, '-i'), { code: 0, out: '10.0.0.2\n' });
  assert.deepEqual(await run('hostname', web, '-f'), { code: 0, out: 'web-0.hs.ns.svc.cluster.local\n' });
  assert.deepEqual(await run('hostname', web), { code: 0, out: 'web-0\n' });
  assert.equal((await run('dig', client, '+notcp', '+noall', '+answer', '+search', '10-0-0-2.ns.pod.cluster.local', 'A')).out, '10-0-0-2.ns.pod.cluster.local.\t\t30\tIN\tA\t10.0.0.2\n');
  assert.equal((await run('dig', client, '+tcp', '+noall', '+answer', '+search', '_http._tcp.hs.ns.svc', 'SRV')).out, '_http._tcp.hs.ns.svc.cluster.local.\t\t30\tIN\tSRV\t0 100 80 web-0.hs.ns.svc.cluster.local.\n');
  assert.equal((await run('dig', client, '+noall', '+answer', '+search', '5.0.96.10.in-addr.arpa.', 'PTR')).out, '5.0.96.10.in-addr.arpa.\t\t30\tIN\tPTR\tweb.ns.svc.cluster.local.\n');
  w.net.index.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'foo.example.com' } } as any);
  assert.equal((await run('dig', client, '+short', 'ext.ns.svc.cluster.local', 'CNAME')).out, 'foo.example.com.\n');
  assert.equal((await run('dig', client, '+short', '+search', 'nosuch', 'A')).out, '');
  assert.equal(etcHostsFile(web), '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.0.0.2\tweb-0.hs.ns.svc.cluster.local\tweb-0\n');
  assert.equal(resolvConfFile(web), 'search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  const custom = w.pod('ns', 'custom', '10.0.0.9', { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['resolv.conf.local'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] }, hostAliases: [{ ip: '123.45.67.89', hostnames: ['foo.local', 'bar.local'] }] });
  assert.equal(resolvConfFile(custom), 'search resolv.conf.local\nnameserver 1.1.1.1\noptions ndots:2 edns0\n');
  assert.match(etcHostsFile(custom), /\n# Entries added by HostAliases\.\n123\.45\.67\.89\tfoo\.local\tbar\.local\n$/);
  done();
});
