import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryFs } from 'just-bash';
import { programFor, programNames, imageDefaults, isKnownImage } from '../../src/images/index.ts';
import { httpRequest, PodNet } from '../../src/netsim/index.ts';
import { World, settle } from './harness.ts';

const agnhost = programFor('/agnhost')!;

test('the catalogue: image defaults by repository whatever the registry and tag; unknown images undefined', () => {
  assert.deepEqual(imageDefaults('registry.k8s.io/e2e-test-images/agnhost:2.53')?.entrypoint, ['/agnhost']);
  assert.deepEqual(imageDefaults('registry.k8s.io/e2e-test-images/busybox:1.36.1-1')?.cmd, ['sh']);
  assert.deepEqual(imageDefaults('busybox')?.cmd, ['sh']);
  assert.deepEqual(imageDefaults('docker.io/library/nginx@sha256:abc')?.cmd, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(imageDefaults('registry.k8s.io/pause:3.10')?.entrypoint, ['/pause']);
  assert.equal(imageDefaults('localhost:5000/mystery:1'), undefined);
  assert.equal(imageDefaults(''), undefined);
  // Callers get copies: changing one does not change the catalogue.
  imageDefaults('busybox')!.cmd.push('x');
  assert.deepEqual(imageDefaults('busybox')?.cmd, ['sh']);
  // isKnownImage answers as imageDefaults does, whatever the registry, tag or digest.
  for (const i of ['registry.k8s.io/pause:3.10', 'busybox', 'docker.io/library/nginx@sha256:abc', 'localhost:5000/mystery:1', '', 'constructor', '__proto__']) {
    assert.equal(isKnownImage(i), imageDefaults(i) !== undefined, i);
  }
  assert.equal(isKnownImage('registry.k8s.io/pause:3.10'), true);
  assert.equal(isKnownImage('constructor'), false);
  assert.ok(programFor('/usr/sbin/nginx'));
  assert.ok(programFor('wget'));
  assert.equal(programFor('toString'), undefined);
  assert.equal(programFor('/bin/sh'), undefined);
  for (const n of ['agnhost', 'wget', 'curl', 'nc', 'nslookup', 'dig', 'getent', 'hostname', 'nginx']) assert.ok(programNames().includes(n), n);
  for (const n of programNames()) assert.ok(programFor(n), n);
});

test('every catalogued image runs a shell or a program of the catalogue', async () => {
  const { CATALOGUE } = await import('../../src/images/catalogue.ts');
  const SHELLS = new Set(['sh', 'bash', '/bin/sh', '/bin/bash']);
  for (const [name, d] of Object.entries(CATALOGUE)) {
    const argv0 = [...d.entrypoint, ...d.cmd][0];
    assert.ok(argv0 && (SHELLS.has(argv0) || programFor(argv0)), `${name}: ${argv0} is neither a shell nor a program`);
  }
});

test('agnhost: unknown subcommand and bad flags are cobra errors (exit 1); entrypoint-tester prints argv', async () => {
  const w = new World();
  const p = w.pod('ns', 'p', '10.0.0.2');
  const r1 = w.run(agnhost, p, ['/agnhost', 'nope']);
  assert.equal(await r1.done, 1);
  assert.match(r1.stderr(), /unknown command "nope" for "agnhost"/);
  const r1b = w.run(agnhost, p, ['/agnhost', 'tcp-reset']);
  assert.equal(await r1b.done, 1);
  assert.match(r1b.stderr(), /^Error: agnhost tcp-reset is not emulated by Skiff's simulated containers \(emulated: pause, netexec, /);
  const r2 = w.run(agnhost, p, ['/agnhost', 'netexec', '--http-port=abc']);
  assert.equal(await r2.done, 1);
  assert.match(r2.stderr(), /invalid argument "abc" for "--http-port" flag/);
  const r3 = w.run(agnhost, p, ['/agnhost', 'entrypoint-tester', 'override', 'arguments']);
  assert.equal(await r3.done, 0);
  assert.equal(r3.stdout(), '[/agnhost entrypoint-tester override arguments]\n');
  w.close();
});

test('agnhost pause runs until stopped and exits 0', async () => {
  const w = new World();
  const r = w.run(agnhost, w.pod('ns', 'p', '10.0.0.2'), ['/agnhost', 'pause']);
  let finished = false;
  void r.done.then(() => { finished = true; });
  await settle();
  assert.equal(finished, false);
  r.stop();
  assert.equal(await r.done, 0);
  w.close();
});

test('agnhost netexec: /hostname, /echo, /clientip, /dial over a Service, UDP, /shell, /exit', async () => {
  const w = new World();
  const server = w.pod('ns', 'server', '10.0.0.2', { hostname: 'srv' }), client = w.pod('ns', 'client', '10.0.0.3');
  const srv = w.run(agnhost, server, ['/agnhost', 'netexec', '--http-port=8080', '--udp-port=8081']);
  const cli = w.run(agnhost, client, ['/agnhost', 'netexec', '--http-port', '80']);
  await settle();
  w.net.index.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 'svc' }, spec: { clusterIP: '10.96.0.9', ports: [{ name: 'http', port: 80 }, { name: 'udp', port: 90, protocol: 'UDP' }] } } as any);
  w.net.index.put('endpointslices', { metadata: { namespace: 'ns', name: 'svc-1', labels: { 'kubernetes.io/service-name': 'svc' } }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'udp', port: 8081, protocol: 'UDP' }], endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: true } }] } as any);
  const from = new PodNet(w.net, client);
  const get = async (path: string) => { const r = await httpRequest(from, { url: `http://10.0.0.2:8080${path}` }); return { status: r.status, body: r.body.toString() }; };
  assert.deepEqual(await get('/hostname'), { status: 200, body: 'srv' });
  assert.deepEqual(await get('/hostName'), { status: 200, body: 'srv' });
  assert.deepEqual(await get('/echo?msg=hello%20there&code=418'), { status: 418, body: 'hello there' });
  assert.match((await get('/echo?code=x')).body, /argument 'code' must be an integer or empty, got "x"/);
  assert.match((await get('/clientip')).body, /^10\.0\.0\.3:\d+$/);
  assert.equal((await get('/healthz')).status, 200);
  assert.match((await get('/')).body, /^NOW: \d{4}-\d\d-\d\d /);
  // /dial from the client pod's netexec to the Service by name, over HTTP and UDP.
  const dial = await httpRequest(new PodNet(w.net, server), { url: 'http://10.0.0.3:80/dial?request=hostname&protocol=http&host=svc&port=80&tries=2' });
  assert.deepEqual(JSON.parse(dial.body.toString()), { responses: ['srv', 'srv'] });
  const udp = await httpRequest(new PodNet(w.net, server), { url: 'http://10.0.0.3:80/dial?request=echo%20hi&protocol=udp&host=svc.ns.svc.cluster.local&port=90' });
  assert.deepEqual(JSON.parse(udp.body.toString()), { responses: ['hi'] });
  const bad = await httpRequest(new PodNet(w.net, server), { url: 'http://10.0.0.3:80/dial?request=x&protocol=gopher&host=svc&port=80' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.toString(), /unsupported protocol. gopher/);
  const refused = await httpRequest(new PodNet(w.net, server), { url: 'http://10.0.0.3:80/dial?request=hostname&host=10.0.0.2&port=9999' });
  assert.match(JSON.parse(refused.body.toString()).errors[0], /connection refused/);
  const shell = await get('/shell?cmd=echo%20out;%20exit%203');
  assert.deepEqual(JSON.parse(shell.body), { output: 'out\n', error: 'exit status 3' });
  assert.equal((await new PodNet(w.net, client).datagram('10.0.0.2', 8081, 'hostname')).toString(), 'srv');
  // /exit ends the program with the code asked for.
  await get('/exit?code=7&timeout=1s').catch(() => {});
  assert.equal(await srv.done, 7);
  cli.stop();
  assert.equal(await cli.done, 143);
  w.close();
});

test('agnhost serve-hostname and porter (TCP, UDP, TLS with the image certificate)', async () => {
  const w = new World();
  const a = w.pod('ns', 'a', '10.0.0.2'), b = w.pod('ns', 'b', '10.0.0.3');
  const sh = w.run(agnhost, a, ['/agnhost', 'serve-hostname']);
  const po = w.run(agnhost, b, ['/agnhost', 'porter'], { env: { SERVE_PORT_80: 'foo', SERVE_TLS_PORT_443: 'tls foo', SERVE_UDP_PORT_81: 'udp foo', SERVE_PORT_bad: 'x' } });
  await settle();
  const from = new PodNet(w.net, b);
  assert.equal((await httpRequest(from, { url: 'http://10.0.0.2:9376/' })).body.toString(), 'a');
  const na = new PodNet(w.net, a);
  assert.equal((await httpRequest(na, { url: 'http://10.0.0.3/' })).body.toString(), 'foo');
  assert.equal((await httpRequest(na, { url: 'https://10.0.0.3/', insecure: true })).body.toString(), 'tls foo');
  await assert.rejects(httpRequest(na, { url: 'https://10.0.0.3/' }), /tls/);
  assert.equal((await na.datagram('10.0.0.3', 81, 'x')).toString(), 'udp foo');
  assert.match(po.stderr(), /server on port "bad" failed/);
  po.stop();
  assert.equal(await po.done, 143);
  sh.stop();
  await settle();
  await w.advance(60_000);
  assert.equal(await sh.done, 0);
  assert.match(sh.stderr(), /Awaiting pod deletion/);
  w.close();
});

test('agnhost mounttest prints fs type, modes, content; missing files fail with exit 1', async () => {
  const w = new World();
  const fs = new InMemoryFs();
  await fs.mkdir('/test-volume', { recursive: true });
  await fs.writeFile('/etc/cm/data-1', 'value-1');
  const pod = w.pod('ns', 'p', '10.0.0.2', {
    containers: [{ name: 'c', image: 'agnhost', volumeMounts: [{ name: 'v', mountPath: '/test-volume' }, { name: 'cm', mountPath: '/etc/cm' }] }],
    volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }, { name: 'cm', configMap: { name: 'x' } }],
  });
  const r = w.run(agnhost, pod, ['/agnhost', 'mounttest', '--fs_type=/test-volume', '--new_file_0644=/test-volume/test-file', '--file_perm=/test-volume/test-file', '--file_content=/etc/cm/data-1', '--file_mode=/test-volume'], { fs });
  assert.equal(await r.done, 0, r.stdout());
  assert.equal(r.stdout(), [
    'mount type of "/test-volume": tmpfs',
    'content of file "/test-volume/test-file": mount-tester new file\n',
    'perms of file "/test-volume/test-file": -rw-r--r--',
    'content of file "/etc/cm/data-1": value-1',
  ].join('\n').replace('perms', 'mode of file "/test-volume": drwxr-xr-x\nperms').replace(/\n$/, '') + '\n');
  const bad = w.run(agnhost, pod, ['/agnhost', 'mounttest', '--file_content=/nope'], { fs });
  assert.equal(await bad.done, 1);
  assert.equal(bad.stdout(), 'error reading file content for "/nope": open /nope: no such file or directory\n');
  const fsType = w.run(agnhost, pod, ['/agnhost', 'mounttest', '--fs_type=/etc/cm'], { fs });
  assert.equal(await fsType.done, 0);
  assert.equal(fsType.stdout(), 'mount type of "/etc/cm": 61267\n');
  w.close();
});

test('agnhost liveness: /healthz is ok for 10 s of simulated time, then 500', async () => {
  const w = new World();
  const a = w.pod('ns', 'a', '10.0.0.2');
  const r = w.run(agnhost, a, ['/agnhost', 'liveness']);
  await settle();
  const from = new PodNet(w.net, a);
  const first = await httpRequest(from, { url: 'http://localhost:8080/healthz' });
  assert.equal(first.status, 200);
  await w.advance(11_000);
  const later = await httpRequest(from, { url: 'http://127.0.0.1:8080/healthz' });
  assert.equal(later.status, 500);
  assert.match(later.body.toString(), /^error: 11/);
  r.stop();
  await r.done;
  w.close();
});
