// The container runtime on the fake clock: pods of known images run their commands; exit codes,
// restart policies, init containers, env, volumes, probes, deadlines and deletion as upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../../controllers/harness.ts';
import type { Cluster } from '../../controllers/harness.ts';
import type { KObject } from '../../../src/registry/strategy.ts';
import { workerFor } from '../../../src/kubelet/containers/workers.ts';

const get = (c: Cluster, name: string) => c.store.get(R.pods, 'default', name);
const cs = async (c: Cluster, name: string, i = 0) => (await get(c, name)).status?.containerStatuses?.[i];
const phase = async (c: Cluster, name: string) => (await get(c, name)).status?.phase;
const logs = async (c: Cluster, name: string, container?: string) => {
  const p = await get(c, name);
  const w = workerFor(p.metadata.uid);
  const s = w?.slots.find((x) => !container || x.spec.name === container);
  return (s?.current?.log.lines ?? []).map((l) => l.text).join('\n');
};
const events = async (c: Cluster, name: string) => (await c.list(R.events, 'default'))
  .filter((e) => e.involvedObject?.name === name).map((e) => `${e.type} ${e.reason}: ${e.message}`);
const pod = (name: string, spec: Record<string, any>, meta: Record<string, any> = {}): KObject => ({ metadata: { name, ...meta }, spec });
const sh = (script: string, extra: Record<string, any> = {}) => ({ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', script], ...extra });

test('a busybox pod runs its command: exit code 3, logs, Failed with restartPolicy Never', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('p1', { restartPolicy: 'Never', containers: [sh('echo hello; echo oops >&2; exit 3')] }));
    await c.until(async () => (await phase(c, 'p1')) === 'Failed', { what: 'Failed' });
    const s = await cs(c, 'p1');
    assert.equal(s.state.terminated.exitCode, 3);
    assert.equal(s.state.terminated.reason, 'Error');
    assert.equal(s.restartCount, 0);
    assert.equal(await logs(c, 'p1'), 'hello\noops');
  } finally { await c.close(); }
});

test('exit 0 with Never: Succeeded, Completed; OnFailure does not restart a success', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('ok', { restartPolicy: 'Never', containers: [sh('echo done')] }));
    await c.store.create(R.pods, 'default', pod('of', { restartPolicy: 'OnFailure', containers: [sh('true')] }));
    await c.until(async () => (await phase(c, 'ok')) === 'Succeeded' && (await phase(c, 'of')) === 'Succeeded', { what: 'Succeeded' });
    assert.equal((await cs(c, 'ok')).state.terminated.reason, 'Completed');
    assert.equal((await cs(c, 'of')).restartCount, 0);
  } finally { await c.close(); }
});

test('restartPolicy Always: restarts at once, then CrashLoopBackOff 10s, 20s; lastState holds the exit', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('crash', { containers: [sh('echo run; exit 2')] }));
    const uid = (await get(c, 'crash')).metadata.uid;
    await c.until(async () => (await cs(c, 'crash'))?.state?.waiting?.reason === 'CrashLoopBackOff', { what: 'CrashLoopBackOff' });
    let s = await cs(c, 'crash');
    assert.equal(s.restartCount, 1);
    assert.equal(s.state.waiting.message, `back-off 10s restarting failed container=main pod=crash_default(${uid})`);
    assert.equal(s.lastState.terminated.exitCode, 2);
    assert.equal((await phase(c, 'crash')), 'Running');
    await c.until(async () => (await cs(c, 'crash'))?.restartCount === 2 && (await cs(c, 'crash'))?.state?.waiting?.reason === 'CrashLoopBackOff', { what: 'second back-off' });
    s = await cs(c, 'crash');
    assert.match(s.state.waiting.message, /^back-off 20s /);
    assert.ok((await events(c, 'crash')).includes(`Warning BackOff: Back-off restarting failed container main in pod crash_default(${uid})`));
  } finally { await c.close(); }
});

test('init containers run in order before the containers; a failing one with Never fails the pod', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('init', {
      restartPolicy: 'Never',
      volumes: [{ name: 'shared', emptyDir: {} }],
      initContainers: [sh('echo one >> /work/order', { name: 'i1', volumeMounts: [{ name: 'shared', mountPath: '/work' }] }), sh('echo two >> /work/order', { name: 'i2', volumeMounts: [{ name: 'shared', mountPath: '/work' }] })],
      containers: [sh('cat /work/order', { volumeMounts: [{ name: 'shared', mountPath: '/work' }] })],
    }));
    await c.until(async () => (await phase(c, 'init')) === 'Succeeded', { what: 'Succeeded' });
    assert.equal(await logs(c, 'init', 'main'), 'one\ntwo');
    const p = await get(c, 'init');
    assert.deepEqual(p.status.initContainerStatuses.map((s: any) => s.state.terminated.reason), ['Completed', 'Completed']);

    await c.store.create(R.pods, 'default', pod('initbad', { restartPolicy: 'Never', initContainers: [sh('exit 1', { name: 'i1' })], containers: [sh('echo never')] }));
    await c.until(async () => (await phase(c, 'initbad')) === 'Failed', { what: 'init failure' });
    const q = await get(c, 'initbad');
    assert.equal(q.status.initContainerStatuses[0].state.terminated.reason, 'Error');
    assert.equal(q.status.containerStatuses[0].state.waiting.reason, 'PodInitializing');
  } finally { await c.close(); }
});

test('env: value with $(VAR), fieldRef, configMapKeyRef, envFrom with prefix; command $(VAR) expansion and $$ escaping', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'cfg' }, data: { color: 'blue', size: 'L' } });
    await c.store.create(R.pods, 'default', pod('env', {
      restartPolicy: 'Never',
      containers: [{
        name: 'main', image: 'busybox', command: ['echo', '$(GREETING)', '$$(GREETING)', '$(MISSING)'], args: ['$POD', '$(POD)', '$(NS)', '$(COLOR)', '$(CFG_size)'],
        env: [{ name: 'NAME', value: 'world' }, { name: 'GREETING', value: 'hello-$(NAME)' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }, { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } }],
        envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }],
      }],
    }));
    await c.until(async () => (await phase(c, 'env')) === 'Succeeded', { what: 'Succeeded' });
    assert.equal(await logs(c, 'env'), 'hello-world $(GREETING) $(MISSING) $POD env default blue L');
  } finally { await c.close(); }
});

test('a missing configMap key is CreateContainerConfigError until it appears', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'cfg' }, data: { a: '1' } });
    await c.store.create(R.pods, 'default', pod('cce', { restartPolicy: 'Never', containers: [sh('echo $V', { env: [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'b' } } }] })] }));
    await c.until(async () => (await cs(c, 'cce'))?.state?.waiting?.reason === 'CreateContainerConfigError', { what: 'config error' });
    assert.equal((await cs(c, 'cce')).state.waiting.message, "couldn't find key b in ConfigMap default/cfg");
    assert.ok((await events(c, 'cce')).includes("Warning Failed: Error: couldn't find key b in ConfigMap default/cfg"));
    await c.store.guaranteedUpdate(R.configmaps, 'default', 'cfg', (o) => { o.data.b = 'now'; return o; });
    await c.until(async () => (await phase(c, 'cce')) === 'Succeeded', { what: 'runs once the key exists' });
    assert.equal(await logs(c, 'cce'), 'now');
  } finally { await c.close(); }
});

test('configMap volume: files with defaultMode and items; updates propagate', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'vol' }, data: { 'a.txt': 'first', b: 'bee' } });
    await c.store.create(R.pods, 'default', pod('cmv', {
      containers: [sh('sleep 3600', { volumeMounts: [{ name: 'c', mountPath: '/etc/c' }, { name: 'i', mountPath: '/etc/i' }] })],
      volumes: [{ name: 'c', configMap: { name: 'vol', defaultMode: 0o400 } }, { name: 'i', configMap: { name: 'vol', items: [{ key: 'b', path: 'sub/renamed', mode: 0o600 }] } }],
    }));
    await c.until(async () => !!(await cs(c, 'cmv'))?.state?.running, { what: 'running' });
    const w = workerFor((await get(c, 'cmv')).metadata.uid)!;
    const fs = w.slots[0].current!.fs;
    assert.equal(await fs.readFile('/etc/c/a.txt'), 'first');
    assert.equal((await fs.stat('/etc/c/a.txt')).mode & 0o777, 0o400);
    assert.equal(await fs.readFile('/etc/i/sub/renamed'), 'bee');
    assert.equal((await fs.stat('/etc/i/sub/renamed')).mode & 0o777, 0o600);
    await c.store.guaranteedUpdate(R.configmaps, 'default', 'vol', (o) => { o.data['a.txt'] = 'second'; return o; });
    await c.until(async () => (await fs.readFile('/etc/c/a.txt')) === 'second', { what: 'update propagated' });
  } finally { await c.close(); }
});

test('a failing liveness exec probe restarts the container', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('live', { containers: [sh('touch /tmp/healthy; sleep 20; rm /tmp/healthy; sleep 600', {
      livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5, failureThreshold: 1 },
    })] }));
    await c.until(async () => (await cs(c, 'live'))?.restartCount === 1, { what: 'restart', maxSteps: 5000 });
    const ev = await events(c, 'live');
    assert.ok(ev.some((e) => e.startsWith('Warning Unhealthy: Liveness probe failed: cat: /tmp/healthy: No such file or directory')), ev.join('\n'));
    assert.ok(ev.includes('Normal Killing: Container main failed liveness probe, will be restarted'), ev.join('\n'));
    assert.equal((await cs(c, 'live')).lastState.terminated.exitCode, 137);
  } finally { await c.close(); }
});

test('readiness exec probe drives Ready', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('ready', { containers: [sh('sleep 30; touch /tmp/ready; sleep 600', { readinessProbe: { exec: { command: ['test', '-e', '/tmp/ready'] }, periodSeconds: 5 } })] }));
    await c.until(async () => !!(await cs(c, 'ready'))?.state?.running, { what: 'running' });
    assert.equal((await cs(c, 'ready')).ready, false);
    await c.until(async () => (await cs(c, 'ready'))?.ready === true, { what: 'ready', maxSteps: 5000 });
    const p = await get(c, 'ready');
    assert.equal(p.status.conditions.find((x: any) => x.type === 'Ready').status, 'True');
  } finally { await c.close(); }
});

test('activeDeadlineSeconds: DeadlineExceeded; termination message from the file and FallbackToLogsOnError', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('dl', { activeDeadlineSeconds: 5, containers: [sh('sleep 600')] }));
    await c.store.create(R.pods, 'default', pod('tm', { restartPolicy: 'Never', containers: [sh('echo bye > /dev/termination-log; exit 0', { name: 'a' }), sh('echo last words; exit 4', { name: 'b', terminationMessagePolicy: 'FallbackToLogsOnError' })] }));
    await c.until(async () => (await phase(c, 'dl')) === 'Failed' && (await phase(c, 'tm')) === 'Failed', { what: 'both fail', maxSteps: 5000 });
    const p = await get(c, 'dl');
    assert.equal(p.status.reason, 'DeadlineExceeded');
    assert.equal(p.status.message, 'Pod was active on the node longer than the specified deadline');
    assert.equal((await cs(c, 'tm', 0)).state.terminated.message, 'bye\n');
    assert.equal((await cs(c, 'tm', 1)).state.terminated.message, 'last words\n');
  } finally { await c.close(); }
});

test('an unknown command is a StartError (exit 128); deletion stops a running pod and removes it', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('nf', { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['nosuchcmd'] }] }));
    await c.until(async () => (await phase(c, 'nf')) === 'Failed', { what: 'failed' });
    const t = (await cs(c, 'nf')).state.terminated;
    assert.equal(t.reason, 'StartError');
    assert.equal(t.exitCode, 128);
    assert.match(t.message, /exec: "nosuchcmd": executable file not found in \$PATH/);
    await c.store.create(R.pods, 'default', pod('del', { containers: [sh('while true; do echo tick; sleep 1; done')] }));
    await c.until(async () => !!(await cs(c, 'del'))?.state?.running, { what: 'running' });
    await c.store.delete(R.pods, 'default', 'del', {});
    await c.until(async () => !(await c.store.tryGet(R.pods, 'default', 'del')), { what: 'removed', maxSteps: 5000 });
  } finally { await c.close(); }
});

test('sidecar (restartable init container) keeps running beside the containers; postStart and preStop hooks run in the container', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('side', {
      volumes: [{ name: 'v', emptyDir: {} }],
      initContainers: [sh('while true; do sleep 5; done', { name: 'side', restartPolicy: 'Always', volumeMounts: [{ name: 'v', mountPath: '/v' }] })],
      containers: [sh('sleep 600', { volumeMounts: [{ name: 'v', mountPath: '/v' }], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo started > /v/post'] } }, preStop: { exec: { command: ['sh', '-c', 'echo stopping > /v/pre'] } } } })],
    }));
    await c.until(async () => (await phase(c, 'side')) === 'Running' && !!(await cs(c, 'side'))?.state?.running, { what: 'running' });
    const p = await get(c, 'side');
    assert.ok(p.status.initContainerStatuses[0].state.running, JSON.stringify(p.status.initContainerStatuses));
    assert.equal(p.status.conditions.find((x: any) => x.type === 'Initialized').status, 'True');
    const w = workerFor(p.metadata.uid)!;
    const fs = w.slots[1].current!.fs;
    await c.until(async () => (await fs.readFile('/v/post').catch(() => '')) === 'started\n', { what: 'postStart' });
    await c.store.delete(R.pods, 'default', 'side', {});
    await c.until(async () => (await fs.readFile('/v/pre').catch(() => '')) === 'stopping\n', { what: 'preStop' });
    await c.until(async () => !(await c.store.tryGet(R.pods, 'default', 'side')), { what: 'removed', maxSteps: 5000 });
  } finally { await c.close(); }
});

test('secret, downwardAPI and projected volumes; subPath; hostPath shared on the node; service account token files', async () => {
  const c = await startCluster();
  try {
    const secrets = (await import('../../../src/registry/resources.ts')).findResource('', 'v1', 'secrets')!;
    await c.store.create(secrets, 'default', { metadata: { name: 's' }, data: { pw: Buffer.from('hunter2').toString('base64') } });
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'cm' }, data: { 'app.conf': 'x=1' } });
    const mounts = [{ name: 's', mountPath: '/s' }, { name: 'd', mountPath: '/d' }, { name: 'p', mountPath: '/p' }, { name: 'cm', mountPath: '/etc/app.conf', subPath: 'app.conf' }, { name: 'h', mountPath: '/host' }];
    const volumes = [
      { name: 's', secret: { secretName: 's', defaultMode: 0o440 } },
      { name: 'd', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }, { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'p', projected: { sources: [{ configMap: { name: 'cm' } }, { secret: { name: 's', items: [{ key: 'pw', path: 'creds/pw' }] } }] } },
      { name: 'cm', configMap: { name: 'cm' } },
      { name: 'h', hostPath: { path: '/srv/shared', type: 'DirectoryOrCreate' } },
    ];
    await c.store.create(R.pods, 'default', pod('vols', { containers: [sh('echo one > /host/f; sleep 600', { volumeMounts: mounts })], volumes }, { labels: { app: 'v' } }));
    await c.store.create(R.pods, 'default', pod('vols2', { containers: [sh('sleep 600', { volumeMounts: [{ name: 'h', mountPath: '/h2' }] })], volumes: [volumes[4]] }));
    await c.until(async () => !!(await cs(c, 'vols'))?.state?.running && !!(await cs(c, 'vols2'))?.state?.running, { what: 'running' });
    const fs = workerFor((await get(c, 'vols')).metadata.uid)!.slots[0].current!.fs;
    assert.equal(await fs.readFile('/s/pw'), 'hunter2');
    assert.equal((await fs.stat('/s/pw')).mode & 0o777, 0o440);
    assert.equal(await fs.readFile('/d/name'), 'vols');
    assert.equal(await fs.readFile('/d/labels'), 'app="v"');
    assert.equal(await fs.readFile('/p/app.conf'), 'x=1');
    assert.equal(await fs.readFile('/p/creds/pw'), 'hunter2');
    assert.equal(await fs.readFile('/etc/app.conf'), 'x=1');
    const token = await fs.readFile('/var/run/secrets/kubernetes.io/serviceaccount/token');
    assert.equal(token.split('.').length, 3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.equal(claims['kubernetes.io'].pod.name, 'vols');
    assert.equal(await fs.readFile('/var/run/secrets/kubernetes.io/serviceaccount/namespace'), 'default');
    const fs2 = workerFor((await get(c, 'vols2')).metadata.uid)!.slots[0].current!.fs;
    await c.until(async () => (await fs2.readFile('/h2/f').catch(() => '')) === 'one\n', { what: 'hostPath shared on the node' });
  } finally { await c.close(); }
});

test('a pod of a known image reports as upstream\'s kubelet does: Pending with ContainerCreating, then Running and Ready, nothing in between', async () => {
  const c = await startCluster();
  try {
    const seen: string[] = [];
    const rv = (await c.store.list(R.pods, 'default')).resourceVersion;
    const w = await c.store.watch(R.pods, 'default', { resourceVersion: rv }, (evs) => {
      for (const e of evs) {
        const p = e.entry.obj as KObject;
        if (p.metadata.name !== 'pp' || !p.spec?.nodeName) continue;
        const conds = (p.status?.conditions ?? []).filter((x: any) => x.type !== 'PodScheduled').map((x: any) => `${x.type}=${x.status}`).join(',');
        const states = (p.status?.containerStatuses ?? []).map((s: any) => Object.keys(s.state)[0] + (s.state.waiting ? `:${s.state.waiting.reason}` : '')).join(',');
        seen.push(`${p.status?.phase} [${conds}] [${states}]${p.status?.podIP ? ' ip' : ''}`);
      }
    });
    await c.store.create(R.pods, 'default', pod('pp', { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] }));
    await c.until(async () => (await get(c, 'pp')).status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'), { what: 'Ready' });
    w.cancel();
    assert.deepEqual(seen, [
      'Pending [] []', // bound by the scheduler (PodScheduled only)
      'Pending [PodReadyToStartContainers=False,Initialized=True,Ready=False,ContainersReady=False] [waiting:ContainerCreating]',
      'Running [PodReadyToStartContainers=True,Initialized=True,Ready=True,ContainersReady=True] [running] ip',
    ]);
  } finally { await c.close(); }
});

test('httpd ships index.html as a file: moving it away in the container fails an httpGet readiness probe, moving it back passes', async () => {
  const { loadJustBash, newShell } = await import('../../../src/kubelet/containers/shell.ts');
  const c = await startCluster();
  try {
    const probe = { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, successThreshold: 1, failureThreshold: 1 };
    await c.store.create(R.pods, 'default', pod('web', { containers: [{ name: 'webserver', image: 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4', readinessProbe: probe }] }));
    await c.until(async () => (await cs(c, 'web'))?.ready === true, { what: 'ready' });
    const run = workerFor((await get(c, 'web')).metadata.uid)!.slots[0].current!;
    // As upstream's breakHTTPProbe and restoreHTTPProbe do, through the container's shell (exec shares its filesystem).
    const sh = (script: string) => newShell(jb, { fs: run.fs, env: run.env, cwd: run.cwd, hostname: 'web' }).exec(script, { cwd: run.cwd, env: run.env });
    const jb = await loadJustBash();
    const moved = await sh('mv -v /usr/local/apache2/htdocs/index.html /tmp/ || true');
    assert.match(moved.stdout, /index\.html/);
    await c.until(async () => (await cs(c, 'web'))?.ready === false, { what: 'unready' });
    assert.equal((await get(c, 'web')).status.phase, 'Running');
    assert.ok((await events(c, 'web')).some((e) => e === 'Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404'), (await events(c, 'web')).join('\n'));
    await sh('mv -v /tmp/index.html /usr/local/apache2/htdocs/ || true');
    await c.until(async () => (await cs(c, 'web'))?.ready === true, { what: 'ready again' });
  } finally { await c.close(); }
});

test('new labels and annotations reach downwardAPI and projected files on the pod update, before the periodic volume sync', async () => {
  const c = await startCluster();
  try {
    const items = [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }];
    await c.store.create(R.pods, 'default', pod('dapi', {
      containers: [sh('sleep 3600', { volumeMounts: [{ name: 'd', mountPath: '/d' }, { name: 'p', mountPath: '/p' }] })],
      volumes: [{ name: 'd', downwardAPI: { items } }, { name: 'p', projected: { sources: [{ downwardAPI: { items } }] } }],
    }, { labels: { key1: 'value1' }, annotations: { builder: 'bar' } }));
    await c.until(async () => !!(await cs(c, 'dapi'))?.state?.running, { what: 'running' });
    const fs = workerFor((await get(c, 'dapi')).metadata.uid)!.slots[0].current!.fs;
    assert.equal(await fs.readFile('/d/labels'), 'key1="value1"');
    assert.equal(await fs.readFile('/p/annotations'), 'builder="bar"');
    await c.store.guaranteedUpdate(R.pods, 'default', 'dapi', (o) => { o.metadata.labels = { ...o.metadata.labels, key3: 'value3' }; o.metadata.annotations = { builder: 'foo' }; return o; });
    // 2 s of simulated time at most: well inside the 10 s periodic sync, so only the pod update can do it.
    await c.until(async () => (await fs.readFile('/d/labels')) === 'key1="value1"\nkey3="value3"' && (await fs.readFile('/p/annotations')) === 'builder="foo"',
      { what: 'labels and annotations refreshed', maxSteps: 20 });
    assert.equal(await fs.readFile('/p/labels'), 'key1="value1"\nkey3="value3"');
    assert.equal(await fs.readFile('/d/annotations'), 'builder="foo"');
  } finally { await c.close(); }
});

test('configMap binaryData keys are files of exactly their bytes (busybox hexdump -C shows them); data keys are UTF-8', async () => {
  const c = await startCluster();
  try {
    const bin = Buffer.from([0xde, 0xca, 0xfe, 0xba, 0xd0, 0xfe, 0xff]).toString('base64');
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'bin' }, data: { text: 'café' }, binaryData: { 'dump.bin': bin } });
    await c.store.create(R.pods, 'default', pod('hex', {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox:1.36', command: ['hexdump', '-C', '/etc/cm/dump.bin', '/etc/cm/text'], volumeMounts: [{ name: 'c', mountPath: '/etc/cm' }] }],
      volumes: [{ name: 'c', configMap: { name: 'bin' } }],
    }));
    await c.until(async () => (await phase(c, 'hex')) === 'Succeeded', { what: 'hexdump ran' });
    assert.equal(await logs(c, 'hex'), '00000000  de ca fe ba d0 fe ff 63  61 66 c3 a9              |.......caf..|\n0000000c');
  } finally { await c.close(); }
});

test('readOnlyRootFilesystem: a redirect onto the root fails as busybox sh says and the script goes on; volumes, /dev and readOnly mounts as mounted', async () => {
  const c = await startCluster();
  try {
    const script = 'echo test > /file; echo rc=$?; echo x 2>/dev/null > /tmp/x; echo y > /ro/f; echo fine > /w/f && cat /w/f; echo done > /dev/termination-log; sleep 3600';
    await c.store.create(R.pods, 'default', pod('ro', {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox:1.36', command: ['/bin/sh', '-c', script], securityContext: { readOnlyRootFilesystem: true },
        volumeMounts: [{ name: 'w', mountPath: '/w' }, { name: 'w', mountPath: '/ro', readOnly: true }] }],
      volumes: [{ name: 'w', emptyDir: {} }],
    }));
    await c.until(async () => (await logs(c, 'ro')).includes('fine'), { what: 'script ran' });
    assert.equal(await logs(c, 'ro'), "/bin/sh: can't create /file: Read-only file system\nrc=1\n/bin/sh: can't create /ro/f: Read-only file system\nfine");
    const fs = workerFor((await get(c, 'ro')).metadata.uid)!.slots[0].current!.fs;
    assert.equal(await fs.exists('/file'), false);
    assert.equal(await fs.readFile('/dev/termination-log'), 'done\n');
    await assert.rejects(fs.writeFile('/etc/x', 'y'), /EROFS/);
    // Without the flag the root is writable, as before.
    await c.store.create(R.pods, 'default', pod('rw', { restartPolicy: 'Never', containers: [sh('echo test > /file; cat /file')] }));
    await c.until(async () => (await phase(c, 'rw')) === 'Succeeded', { what: 'rw ran' });
    assert.equal(await logs(c, 'rw'), 'test');
  } finally { await c.close(); }
});

test('gRPC liveness probes against agnhost grpc-health-checking: the right port keeps the container, a wrong one restarts it', async () => {
  const c = await startCluster();
  try {
    const grpcPod = (name: string, port: number) => pod(name, { containers: [{
      name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', command: ['/agnhost', 'grpc-health-checking'],
      ports: [{ containerPort: 5000 }, { containerPort: 8080 }],
      livenessProbe: { grpc: { port }, initialDelaySeconds: 10, timeoutSeconds: 5, periodSeconds: 10, failureThreshold: 1 },
    }] });
    await c.store.create(R.pods, 'default', grpcPod('grpc-ok', 5000));
    await c.store.create(R.pods, 'default', grpcPod('grpc-bad', 2333));
    await c.until(async () => (await cs(c, 'grpc-bad'))?.restartCount >= 1, { what: 'restart on the wrong port', maxSteps: 5000 });
    const ev = await events(c, 'grpc-bad');
    assert.ok(ev.some((e) => e.includes('Liveness probe failed: timeout: failed to connect service') && e.includes(':2333" within 5s')), ev.join('\n'));
    const ok = await cs(c, 'grpc-ok');
    assert.equal(ok.restartCount, 0);
    assert.ok(ok.state.running, JSON.stringify(ok));
    assert.ok(!(await events(c, 'grpc-ok')).some((e) => e.includes('Unhealthy')));
  } finally { await c.close(); }
});

test('service environment from the kubelet\'s service lister: the namespace\'s Services in name order, `kubernetes` of default; a Service made just before the pod counts; enableServiceLinks false leaves only `kubernetes`', async () => {
  const c = await startCluster();
  try {
    const svc = (name: string, ip: string, port: number) => ({ metadata: { name }, spec: { clusterIP: ip, ports: [{ port, protocol: 'TCP' }] } });
    await c.store.create(R.namespaces, undefined, { metadata: { name: 'env' } });
    await c.store.create(R.services, 'env', svc('zeta', '10.96.7.2', 82));
    await c.store.create(R.services, 'env', svc('alpha', '10.96.7.1', 81));
    await c.store.create(R.services, 'default', svc('elsewhere', '10.96.7.3', 83));
    const envPod = (name: string, links?: boolean) => ({ metadata: { name }, spec: { restartPolicy: 'Never', ...(links === undefined ? {} : { enableServiceLinks: links }), containers: [sh('env | grep _SERVICE_HOST=')] } }); // in the order the runtime set them
    await c.store.create(R.pods, 'env', envPod('links'));
    await c.store.create(R.pods, 'env', envPod('nolinks', false));
    const done = async (n: string) => (await c.store.get(R.pods, 'env', n)).status?.phase === 'Succeeded';
    await c.until(async () => (await done('links')) && (await done('nolinks')), { what: 'Succeeded' });
    const out = async (n: string) => {
      const w = workerFor((await c.store.get(R.pods, 'env', n)).metadata.uid);
      return (w?.slots[0].current?.log.lines ?? []).map((l) => l.text).join('\n');
    };
    const k8s = (await c.store.get(R.services, 'default', 'kubernetes')).spec.clusterIP;
    assert.equal(await out('links'), `ALPHA_SERVICE_HOST=10.96.7.1\nZETA_SERVICE_HOST=10.96.7.2\nKUBERNETES_SERVICE_HOST=${k8s}`);
    assert.equal(await out('nolinks'), `KUBERNETES_SERVICE_HOST=${k8s}`);
  } finally { await c.close(); }
});
