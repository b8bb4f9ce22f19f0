// The container runtime through the HTTP API of a whole server on a fake clock: a busybox pod's
// exit code and logs, log streaming with follow while time advances, exec into a running
// container's filesystem (a configMap volume), and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { servedCluster } from './served.ts';

const served = servedCluster();
const { api, until } = served;
const tick = () => new Promise((r) => setTimeout(r, 5));
const podPath = (n: string) => `/api/v1/namespaces/default/pods/${n}`;
const getPod = async (n: string) => (await api('GET', podPath(n))).body;

function exec(pod: string, command: string[]): Promise<{ out: string; err: string; status: string }> {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('stdout', 'true'); q.set('stderr', 'true');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${served.srv.url.replace('http', 'ws')}${podPath(pod)}/exec?${q}`, ['v5.channel.k8s.io'], { headers: { authorization: `Bearer ${served.srv.token}` } });
    let out = '', err = '', status = '';
    ws.on('message', (d: Buffer) => { if (d[0] === 1) out += d.subarray(1); else if (d[0] === 2) err += d.subarray(1); else if (d[0] === 3) status += d.subarray(1); });
    ws.on('close', () => resolve({ out, err, status }));
    ws.on('error', reject);
  });
}

test('busybox sh -c "echo hello; exit 3": exitCode 3 and logs "hello"', async () => {
  const r = await api('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'hello' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello; exit 3'] }] } });
  assert.equal(r.status, 201, r.text);
  await until(async () => (await getPod('hello')).status?.phase === 'Failed', 'Failed');
  assert.equal((await getPod('hello')).status.containerStatuses[0].state.terminated.exitCode, 3);
  const logs = await api('GET', `${podPath('hello')}/log`);
  assert.equal(logs.status, 200);
  assert.equal(logs.text, 'hello\n');
  const ts = await api('GET', `${podPath('hello')}/log?timestamps=true`);
  assert.match(ts.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello\n$/);
  const prev = await api('GET', `${podPath('hello')}/log?previous=true`);
  assert.equal(prev.status, 400);
  assert.equal(prev.body.message, 'previous terminated container "c" in pod "hello" not found');
});

test('follow streams a busybox loop as simulated time passes; tailLines and sinceSeconds', async () => {
  await api('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'loop' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done'] }] } });
  await until(async () => !!(await getPod('loop')).status?.containerStatuses?.[0]?.state?.running, 'running');
  const ac = new AbortController();
  const res = await fetch(`${served.srv.url}${podPath('loop')}/log?follow=true`, { headers: { authorization: `Bearer ${served.srv.token}` }, signal: ac.signal });
  const reader = res.body!.getReader();
  let got = '';
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  for (let i = 0; i < 200 && !got.includes('tick 5\n'); i++) {
    served.clock.advance(500);
    await tick();
    pending ??= reader.read();
    const r = await Promise.race([pending, new Promise<undefined>((ok) => setTimeout(ok, 20))]);
    if (r) { pending = undefined; if (!r.done) got += Buffer.from(r.value).toString(); }
  }
  ac.abort();
  assert.match(got, /^tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ntick 5\n/);
  const tail = await api('GET', `${podPath('loop')}/log?tailLines=2`);
  assert.equal(tail.text.split('\n').length, 3);
  const since = await api('GET', `${podPath('loop')}/log?sinceSeconds=2`);
  assert.ok(since.text.split('\n').length <= 4, since.text);
});

test('kubectl exec cat reads a configMap volume file of the running container; env from fieldRef', async () => {
  await api('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'web' }, data: { 'index.html': '<h1>hi</h1>' } });
  await api('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'cm' }, spec: { containers: [{
    name: 'c', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'w', mountPath: '/usr/share/web' }],
    env: [{ name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
  }], volumes: [{ name: 'w', configMap: { name: 'web' } }] } });
  await until(async () => !!(await getPod('cm')).status?.containerStatuses?.[0]?.state?.running, 'running');
  const r = await exec('cm', ['cat', '/usr/share/web/index.html']);
  assert.equal(r.out, '<h1>hi</h1>');
  const e = await exec('cm', ['sh', '-c', 'echo $MY_NODE; ls /var/run/secrets/kubernetes.io/serviceaccount']);
  assert.equal(e.out, 'skiff-node-0\nca.crt\nnamespace\ntoken\n');
  const w = await exec('cm', ['sh', '-c', 'echo written > /tmp/f']);
  assert.match(w.status, /Success/);
  assert.equal((await exec('cm', ['cat', '/tmp/f'])).out, 'written\n');
});

test('bad input: an unresolvable $(VAR) stays literal; a missing configMap is CreateContainerConfigError', async () => {
  await api('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'lit' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['echo', '$(NOPE)'] }] } });
  await api('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'nocm' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'], envFrom: [{ configMapRef: { name: 'absent' } }] }] } });
  await until(async () => (await getPod('lit')).status?.phase === 'Succeeded', 'lit done');
  assert.equal((await api('GET', `${podPath('lit')}/log`)).text, '$(NOPE)\n');
  await until(async () => (await getPod('nocm')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError', 'config error');
  assert.equal((await getPod('nocm')).status.containerStatuses[0].state.waiting.message, 'configmap "absent" not found');
  const logs = await api('GET', `${podPath('nocm')}/log`);
  assert.equal(logs.status, 400);
  assert.equal(logs.body.message, 'container "c" in pod "nocm" is waiting to start: CreateContainerConfigError');
});
