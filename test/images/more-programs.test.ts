import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryFs } from 'just-bash';
import { NETWORK_COMMANDS, programFor } from '../../src/images/index.ts';
import { parseDuration, parseFlags } from '../../src/images/flags.ts';
import { World, settle } from './harness.ts';

const agnhost = programFor('/agnhost')!;

test('flags as pflag reads them; Go durations', () => {
  const spec = { port: { type: 'int' as const, default: 80 }, tcp: { type: 'bool' as const, default: false }, name: { type: 'string' as const, short: 'n' } };
  assert.deepEqual(parseFlags(['--port', '81', '--tcp', '-n', 'x', 'rest'], spec), { values: { port: 81, tcp: true, name: 'x' }, rest: ['rest'] });
  assert.deepEqual(parseFlags(['--port=82', '--tcp=false'], spec).values, { port: 82, tcp: false });
  assert.throws(() => parseFlags(['--nope'], spec), /unknown flag: --nope/);
  assert.throws(() => parseFlags(['--port'], spec), /flag needs an argument: --port/);
  assert.throws(() => parseFlags(['--tcp=maybe'], spec), /strconv.ParseBool/);
  assert.equal(parseDuration('1h2m3.5s'), 3_723_500);
  assert.equal(parseDuration('300ms'), 300);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration(''), undefined);
});

test('agnhost test-webserver serves the container files (the DNS specs read /results through the pod proxy)', async () => {
  const w = new World();
  const fs = new InMemoryFs();
  await fs.writeFile('/results/wheezy_udp@kubernetes.default', 'OK\n');
  const pod = w.pod('ns', 'dns', '10.0.0.2'), client = w.pod('ns', 'c', '10.0.0.3');
  const r = w.run(agnhost, pod, ['/agnhost', 'test-webserver'], { fs });
  await settle();
  const get = async (url: string) => { const c = w.run(NETWORK_COMMANDS.curl, client, ['curl', '-s', '-w', ' %{http_code}', url]); await c.done; return c.stdout(); };
  assert.equal(await get('http://10.0.0.2/results/wheezy_udp@kubernetes.default'), 'OK\n 200');
  assert.match(await get('http://10.0.0.2/results/'), /wheezy_udp@kubernetes\.default[\s\S]* 200$/);
  assert.equal(await get('http://10.0.0.2/results/none'), '404 page not found\n 404');
  r.stop();
  assert.equal(await r.done, 143);
  w.close();
});

test('agnhost logs-generator writes N klog lines over the run duration (simulated time)', async () => {
  const w = new World();
  const r = w.run(agnhost, w.pod('ns', 'p', '10.0.0.2'), ['/agnhost', 'logs-generator', '--log-lines-total', '4', '--run-duration', '2s']);
  await settle();
  for (let i = 0; i < 4; i++) { await w.advance(500); await settle(); }
  assert.equal(await r.done, 0);
  const lines = r.stderr().trim().split('\n');
  assert.equal(lines.length, 4);
  lines.forEach((l, i) => assert.match(l, new RegExp(`^I\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{6} +1 logs_generator\\.go:67\\] ${i} (GET|POST|PUT) /api/v1/namespaces/(kube-system|default|ns)/pods/\\w{3,4} \\d{3}$`)));
  const bad = w.run(agnhost, w.pod('ns', 'q', '10.0.0.3'), ['/agnhost', 'logs-generator', '-t', '0', '-d', '1s']);
  assert.equal(await bad.done, 255);
  assert.match(bad.stderr(), /Invalid total number of lines: 0/);
  w.close();
});

test('agnhost dns-suffix/dns-server-list read resolv.conf; connect reports refusals', async () => {
  const w = new World();
  const fs = new InMemoryFs();
  await fs.writeFile('/etc/resolv.conf', 'search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  const p = w.pod('ns', 'p', '10.0.0.2');
  const s = w.run(agnhost, p, ['/agnhost', 'dns-suffix'], { fs });
  assert.equal(await s.done, 0);
  assert.equal(s.stdout(), 'ns.svc.cluster.local,svc.cluster.local,cluster.local');
  const l = w.run(agnhost, p, ['/agnhost', 'dns-server-list'], { fs });
  await l.done;
  assert.equal(l.stdout(), '10.96.0.10');
  const c = w.run(agnhost, p, ['/agnhost', 'connect', '10.0.0.2:81', '--timeout=1s']);
  assert.equal(await c.done, 1);
  assert.equal(c.stderr(), 'REFUSED\n');
  w.close();
});

test('busybox option bundling and the flags e2e scripts use: wget -qO- -T1, curl -g -q -s, echo hostName | nc -u -t -w 2', async () => {
  const w = new World();
  const server = w.pod('ns', 's', '10.0.0.2', { hostname: 'srv' }), client = w.pod('ns', 'c', '10.0.0.3');
  const ne = w.run(agnhost, server, ['/agnhost', 'netexec', '--http-port=8080', '--udp-port=8081']);
  await settle();
  const wg = w.run(NETWORK_COMMANDS.wget, client, ['wget', '-qO-', '-T1', 'http://10.0.0.2:8080/hostname']);
  assert.equal(await wg.done, 0);
  assert.equal(wg.stdout(), 'srv');
  const cu = w.run(NETWORK_COMMANDS.curl, client, ['curl', '-g', '-q', '-s', "http://10.0.0.2:8080/dial?request=hostname&protocol=http&host=10.0.0.2&port=8080&tries=1"]);
  assert.equal(await cu.done, 0);
  assert.deepEqual(JSON.parse(cu.stdout()), { responses: ['srv'] });
  const nc = w.run(NETWORK_COMMANDS.nc, client, ['nc', '-v', '-u', '-t', '-w', '2', '10.0.0.2', '8081'], { stdin: 'hostName\n' });
  assert.equal(await nc.done, 0);
  assert.equal(nc.stdout(), 'srv');
  // The e2e TCP reachability check: any answer on stdout counts; a Go HTTP server answers 400 to "hostName".
  const tcp = w.run(NETWORK_COMMANDS.nc, client, ['nc', '-v', '-t', '-w', '2', '10.0.0.2', '8080'], { stdin: 'hostName\n' });
  await settle();
  await w.advance(2000);
  assert.equal(await tcp.done, 0);
  assert.match(tcp.stdout(), /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*400 Bad Request$/);
  ne.stop();
  await ne.done;
  w.close();
});

test('agnhost grpc-health-checking: SERVING, NOT_FOUND for other services, /make-not-serving and --delay-unhealthy-sec; TLS refused', async () => {
  const { healthCheck } = await import('../../src/netsim/grpc-health.ts');
  const w = new World();
  const pod = w.pod('ns', 'g', '10.0.0.2'), client = w.pod('ns', 'c', '10.0.0.3');
  const r = w.run(agnhost, pod, ['/agnhost', 'grpc-health-checking', '--service', 'svc', '--delay-unhealthy-sec', '30']);
  await settle();
  const check = async (service: string) => {
    const { socket } = await w.net.dial({ pod: client, ip: '10.0.0.3' }, '10.0.0.2', 5000);
    return healthCheck(socket, '10.0.0.2:5000', service, 5000, w.sleep).then((s) => String(s), (e: Error) => e.message);
  };
  const curl = async (url: string) => { const c = w.run(NETWORK_COMMANDS.curl, client, ['curl', '-s', '-w', '%{http_code}', url]); await c.done; return c.stdout(); };
  assert.equal(await check(''), '1');
  assert.equal(await check('svc'), '1');
  assert.equal(await check('other'), 'rpc error: code = NotFound desc = unknown service other');
  assert.equal(await curl('http://10.0.0.2:8080/make-not-serving'), '200');
  assert.equal(await check('svc'), '2');
  assert.equal(await curl('http://10.0.0.2:8080/make-serving'), '200');
  assert.equal(await check('svc'), '1');
  r.stop();
  assert.equal(await r.done, 143);
  const late = w.run(agnhost, pod, ['/agnhost', 'grpc-health-checking', '--delay-unhealthy-sec', '30']);
  await settle();
  await w.advance(31_000);
  assert.equal(await check(''), '2', 'NOT_SERVING once the delay has passed');
  late.stop();
  await late.done;
  const tls = w.run(agnhost, pod, ['/agnhost', 'grpc-health-checking', '--tls-cert-file', '/c.pem']);
  assert.equal(await tls.done, 1);
  assert.match(tls.stderr(), /TLS is not emulated/);
  w.close();
});
