// Pure pieces of the container runtime: $(VAR) expansion, argv resolution, service env vars,
// resourceFieldRef values, downward API values, and the streaming rewrite of scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, lookupIn } from '../../../src/kubelet/containers/expand.ts';
import { resolveArgv, workingDir } from '../../../src/kubelet/containers/command.ts';
import { serviceEnv } from '../../../src/kubelet/containers/service-env.ts';
import { resourceFieldValue } from '../../../src/kubelet/containers/resource-env.ts';
import { formatMap, podFieldValue } from '../../../src/kubelet/containers/env.ts';
import { ConfigError } from '../../../src/kubelet/containers/sources.ts';
import { Logbook } from '../../../src/kubelet/containers/logbook.ts';
import { imageDefaults } from '../../../src/images/index.ts';

test('expand: defined, undefined, escaped, unterminated and lone $', () => {
  const l = lookupIn({ A: 'x', B: '$(A)' });
  assert.equal(expand('$(A)-$(Z)', l), 'x-$(Z)');
  assert.equal(expand('$$(A) $$ $', l), '$(A) $ $');
  assert.equal(expand('$(A', l), '$(A');
  assert.equal(expand('a$b $(B)', l), 'a$b $(A)', 'values are not expanded twice');
  assert.equal(expand('$()', l), '$()');
});

test('argv: command replaces ENTRYPOINT and drops CMD; args alone replace CMD', () => {
  const img = { entrypoint: ['/ep'], cmd: ['--default'], workingDir: '/app' };
  assert.deepEqual(resolveArgv({}, img, {}), ['/ep', '--default']);
  assert.deepEqual(resolveArgv({ args: ['a'] }, img, {}), ['/ep', 'a']);
  assert.deepEqual(resolveArgv({ command: ['sh'] }, img, {}), ['sh']);
  assert.deepEqual(resolveArgv({ command: ['echo'], args: ['$(X)', '$$(X)'] }, img, { X: '1' }), ['echo', '1', '$(X)']);
  assert.equal(workingDir({}, img), '/app');
  assert.equal(workingDir({ workingDir: '/w' }, img), '/w');
  const busybox = imageDefaults('registry.k8s.io/e2e-test-images/busybox:1.36.1-1');
  assert.deepEqual([busybox?.entrypoint, busybox?.cmd], [[], ['sh']]);
  assert.equal(imageDefaults('example.com/unknown-image:1'), undefined);
  assert.equal(imageDefaults('constructor'), undefined);
  assert.equal(imageDefaults('__proto__:1'), undefined);
  assert.equal(imageDefaults('toString'), undefined);
});

test('service env: host, ports, named ports and docker-link variables; headless services skipped', () => {
  const env = serviceEnv([
    { metadata: { name: 'my-svc' }, spec: { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] } },
    { metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 1 }] } },
  ]);
  assert.equal(env.MY_SVC_SERVICE_HOST, '10.96.0.5');
  assert.equal(env.MY_SVC_SERVICE_PORT, '80');
  assert.equal(env.MY_SVC_SERVICE_PORT_HTTP, '80');
  assert.equal(env.MY_SVC_SERVICE_PORT_DNS, '53');
  assert.equal(env.MY_SVC_PORT, 'tcp://10.96.0.5:80');
  assert.equal(env.MY_SVC_PORT_53_UDP, 'udp://10.96.0.5:53');
  assert.equal(env.MY_SVC_PORT_53_UDP_PROTO, 'udp');
  assert.equal(env.MY_SVC_PORT_80_TCP_ADDR, '10.96.0.5');
  assert.equal(Object.keys(env).some((k) => k.startsWith('HEADLESS')), false);
});

test('resourceFieldRef: divisor rounding up, node allocatable without a limit, unknown resources refused', () => {
  const c = { resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } } };
  const node = { cpu: '16', memory: '64Gi' };
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, c, node), '1');
  assert.equal(resourceFieldValue({ resource: 'limits.cpu', divisor: '1m' }, c, node), '500');
  assert.equal(resourceFieldValue({ resource: 'requests.cpu', divisor: '1m' }, c, node), '250');
  assert.equal(resourceFieldValue({ resource: 'limits.memory', divisor: '1Mi' }, c, node), '64');
  assert.equal(resourceFieldValue({ resource: 'limits.memory' }, {}, node), String(64 * 2 ** 30));
  assert.equal(resourceFieldValue({ resource: 'limits.cpu' }, {}, node), '16');
  assert.throws(() => resourceFieldValue({ resource: 'limits.gpu' }, c, node), ConfigError);
});

test('downward API values and map format', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { b: '2', a: 'x"y' } }, spec: { nodeName: 'n1', serviceAccountName: 'sa' } };
  const addr = { podIP: '10.244.0.9', hostIP: '10.0.0.2' };
  assert.equal(podFieldValue(pod, "metadata.labels['b']", addr), '2');
  assert.equal(podFieldValue(pod, 'spec.serviceAccountName', addr), 'sa');
  assert.equal(podFieldValue(pod, 'status.podIPs', addr), '10.244.0.9');
  assert.equal(formatMap(pod.metadata.labels), 'a="x\\"y"\nb="2"');
  assert.throws(() => podFieldValue(pod, 'spec.bogus', addr), /unsupported fieldPath: spec.bogus/);
});

test('logbook: lines split across chunks, the cap drops old lines, followers see new lines and the end', () => {
  let t = 0;
  const b = new Logbook(() => t);
  const seen: (string | undefined)[] = [];
  b.follow((l) => seen.push(l?.text));
  b.write('stdout', 'he'); t = 5; b.write('stdout', 'llo\nwor');
  b.close();
  assert.deepEqual(b.lines.map((l) => [l.ts, l.text]), [[5, 'hello'], [5, 'wor']]);
  assert.deepEqual(seen, ['hello', 'wor', undefined]);
  assert.equal(b.tail(1), 'wor', 'the run ended without a newline after it: read back as written');
  const big = new Logbook(() => 0);
  for (let i = 0; i < 3000; i++) big.write('stdout', `${'x'.repeat(1000)}\n`);
  assert.ok(big.lines.length < 1100);
});

test('ls -l shows the files\' real modes and owner root (volume files with defaultMode)', async () => {
  const { loadJustBash, newShell } = await import('../../../src/kubelet/containers/shell.ts');
  const jb = await loadJustBash();
  const vol = new jb.InMemoryFs();
  await vol.writeFile('/key', 'value'); await vol.chmod('/key', 0o400);
  await vol.mkdir('/sub'); await vol.writeFile('/sub/run', ''); await vol.chmod('/sub/run', 0o755);
  const fs = new jb.MountableFs({ base: new jb.InMemoryFs({ '/tmp/.keep': '' }) });
  fs.mount('/etc/c', vol);
  const r = await newShell(jb, { fs, env: {}, cwd: '/', hostname: 'h' }).exec('ls -l /etc/c; ls -l /etc/c/sub/run; cd /etc/c/sub && ls -l');
  assert.match(r.stdout, /^-r-------- 1 root root +5 .* key$/m);
  assert.match(r.stdout, /^drwxr-xr-x 1 root root .* sub\/?$/m);
  assert.match(r.stdout, /^-rwxr-xr-x 1 root root .* \/etc\/c\/sub\/run$/m);
  assert.match(r.stdout, /^-rwxr-xr-x 1 root root .* run$/m);
});
