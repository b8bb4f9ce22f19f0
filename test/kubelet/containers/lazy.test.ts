// What a container holds before anything looks at it (issue #18's memory per running container): its
// root filesystem and its file volumes are made on first use. These tests check that a container
// which was never touched still shows everything as if they had been made at its start: volumes
// (with updates that came meanwhile), the atomic writer's layout, /etc files, subPath copies as they
// were at the start, termination messages; and that the checks done at the start still happen then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../../controllers/harness.ts';
import type { Cluster } from '../../controllers/harness.ts';
import type { KObject } from '../../../src/registry/strategy.ts';
import { workerFor } from '../../../src/kubelet/containers/workers.ts';
import { LazyFs } from '../../../src/kubelet/containers/lazy-fs.ts';
import { DeferredFs } from '../../../src/kubelet/containers/deferred-fs.ts';
import { PodVolumes } from '../../../src/kubelet/containers/pod-volumes.ts';
import { loadJustBash, newShell } from '../../../src/kubelet/containers/shell.ts';
import { startProcess } from '../../../src/kubelet/containers/process.ts';
import { Logbook } from '../../../src/kubelet/containers/logbook.ts';
import { tokenIssuer } from '../../../src/kubelet/containers/token.ts';
import type { Sources } from '../../../src/kubelet/containers/sources.ts';
import { FakeClock } from '../../../src/clock.ts';

const get = (c: Cluster, name: string) => c.store.get(R.pods, 'default', name);
const cs = async (c: Cluster, name: string) => (await get(c, name)).status?.containerStatuses?.[0];
const pod = (name: string, spec: Record<string, any>): KObject => ({ metadata: { name }, spec });
const sleeper = (extra: Record<string, any> = {}) => ({ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'], ...extra });
const runOf = async (c: Cluster, name: string) => workerFor((await get(c, name)).metadata.uid)!.slots[0].current!;
/** A shell on the run's filesystem and environment, as exec (streaming/exec.ts) makes one. */
async function execIn(run: { fs: any; env: Record<string, string>; cwd: string }, script: string) {
  const jb = await loadJustBash();
  const r = await newShell(jb, { fs: run.fs, env: run.env, cwd: run.cwd, hostname: 'h' }).exec(script, { cwd: run.cwd, env: run.env });
  return { code: r.exitCode, out: r.stdout, err: r.stderr };
}

test('a sleeping container holds no filesystem and no written-out volume until exec; then it sees them, with updates made meanwhile', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'cfg' }, data: { color: 'red' } });
    await c.store.create(R.pods, 'default', pod('idle', {
      containers: [sleeper({ volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'scratch', mountPath: '/scratch' }] })],
      volumes: [{ name: 'cfg', configMap: { name: 'cfg', defaultMode: 0o440 } }, { name: 'scratch', emptyDir: {} }],
    }));
    await c.until(async () => !!(await cs(c, 'idle'))?.state?.running, { what: 'running' });
    const run = await runOf(c, 'idle');
    assert.ok(run.fs instanceof LazyFs);
    assert.equal((run.fs as LazyFs).built, false, 'the root is not made by a sleep');
    const w = workerFor((await get(c, 'idle')).metadata.uid)!;
    // The configMap changes while nobody looks: the refresh only replaces what is to be written.
    await c.store.guaranteedUpdate(R.configmaps, 'default', 'cfg', (o) => { o.data.color = 'blue'; o.data.size = 'L'; return o; });
    await w.refreshVolumes();
    assert.equal((run.fs as LazyFs).built, false);

    const r = await execIn(run, 'cat /etc/cfg/color; echo; cat /etc/cfg/size; echo; cat /etc/hostname; ls -a /etc/cfg');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.deepEqual(lines.slice(0, 3), ['blue', 'L', 'idle']);
    // The atomic writer's layout: one version directory, `..data`, and the user-visible links.
    assert.ok(lines.includes('..data') && lines.includes('color') && lines.includes('size'), r.out);
    assert.equal(lines.filter((l) => /^\.\.\d{4}_/.test(l)).length, 1, r.out);
    assert.equal((await run.fs.stat('/etc/cfg/color')).mode & 0o777, 0o440);
    assert.equal((await run.fs.stat('/scratch')).mode & 0o777, 0o777, 'emptyDir is drwxrwxrwx');
    assert.equal((run.fs as LazyFs).built, true);

    // Later updates are written as new versions, as before.
    await c.store.guaranteedUpdate(R.configmaps, 'default', 'cfg', (o) => { o.data.color = 'green'; return o; });
    await w.refreshVolumes();
    assert.equal(await run.fs.readFile('/etc/cfg/color'), 'green');
  } finally { await c.close(); }
});

test('a volume written by one container shows in a never-touched sibling; a subPath file is the start-time copy', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.configmaps, 'default', { metadata: { name: 'one' }, data: { conf: 'v1' } });
    await c.store.create(R.pods, 'default', pod('pair', {
      containers: [
        sleeper({ volumeMounts: [{ name: 'shared', mountPath: '/data' }, { name: 'one', mountPath: '/etc/app.conf', subPath: 'conf' }] }),
        { name: 'writer', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi > /out/note; sleep 3600'], volumeMounts: [{ name: 'shared', mountPath: '/out' }] },
      ],
      volumes: [{ name: 'shared', emptyDir: {} }, { name: 'one', configMap: { name: 'one' } }],
    }));
    const w = async () => workerFor((await get(c, 'pair')).metadata.uid)!;
    await c.until(async () => (await w())?.slot('writer')?.current?.log !== undefined && (await (await w()).slot('writer')!.current!.fs.exists('/out/note')), { what: 'writer wrote' });
    const main = (await w()).slot('main')!.current!;
    assert.equal((main.fs as LazyFs).built, false);
    await c.store.guaranteedUpdate(R.configmaps, 'default', 'one', (o) => { o.data.conf = 'v2'; return o; });
    await (await w()).refreshVolumes();
    const r = await execIn(main, 'cat /data/note; cat /etc/app.conf');
    assert.equal(r.out, 'hi\nv1', 'a subPath mount does not see later updates, as upstream');
  } finally { await c.close(); }
});

test('what can fail still fails at the start: a missing configMap and a bad subPathExpr are CreateContainerConfigError', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('nocm', {
      containers: [sleeper({ volumeMounts: [{ name: 'v', mountPath: '/v' }] })], volumes: [{ name: 'v', configMap: { name: 'absent' } }],
    }));
    await c.store.create(R.pods, 'default', pod('badsub', {
      containers: [sleeper({ volumeMounts: [{ name: 'e', mountPath: '/e', subPathExpr: '$(NOPE)' }] })], volumes: [{ name: 'e', emptyDir: {} }],
    }));
    await c.until(async () => (await cs(c, 'nocm'))?.state?.waiting?.reason === 'CreateContainerConfigError' && (await cs(c, 'badsub'))?.state?.waiting?.reason === 'CreateContainerConfigError', { what: 'config errors' });
    assert.equal((await cs(c, 'nocm')).state.waiting.message, 'configmap "absent" not found');
    assert.equal((await cs(c, 'badsub')).state.waiting.message, 'missing value for NOPE');
  } finally { await c.close(); }
});

test('the termination message of a container whose filesystem was never made: read from a volume another container wrote', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', pod('msg', {
      restartPolicy: 'Never',
      containers: [
        sleeper({ command: ['sleep', '30'], terminationMessagePath: '/shared/why', volumeMounts: [{ name: 's', mountPath: '/shared' }] }),
        { name: 'writer', image: 'busybox:1.36', command: ['sh', '-c', 'echo -n done-by-writer > /w/why'], volumeMounts: [{ name: 's', mountPath: '/w' }] },
      ],
      volumes: [{ name: 's', emptyDir: {} }],
    }));
    await c.until(async () => (await get(c, 'msg')).status?.phase === 'Succeeded', { what: 'Succeeded', stepMs: 1000 });
    const st = (await get(c, 'msg')).status.containerStatuses.find((x: any) => x.name === 'main');
    assert.equal(st.state.terminated.message, 'done-by-writer');
    assert.equal(st.state.terminated.exitCode, 0);
  } finally { await c.close(); }
});

test('PodVolumes: a file volume is checked at once but written out on first use; refreshes before that leave one version', async () => {
  const jb = await loadJustBash();
  let value = 'one';
  const sources = { configMap: async () => ({ metadata: { name: 'cm' }, data: { k: value } }) } as unknown as Sources;
  const p = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] } };
  const vols = new PodVolumes(jb, [{ name: 'c', configMap: { name: 'cm' } }, { name: 'bad', configMap: { name: 'cm', items: [{ key: 'nope', path: 'x' }] } }],
    { pod: p, sources, addr: {}, allocatable: {} }, () => new jb.InMemoryFs());
  await assert.rejects(vols.get('bad'), /non-existent config key: nope/);
  const fs = (await vols.get('c'))!;
  assert.ok(fs instanceof DeferredFs && !fs.built);
  value = 'two';
  await vols.refresh();
  value = 'three';
  await vols.refresh();
  assert.equal(fs.built, false);
  // Two readers at once share the one making.
  const [a, b] = await Promise.all([fs.readFile('/k'), fs.readFile('/k')]);
  assert.deepEqual([a, b], ['three', 'three']);
  assert.equal((await fs.readdir('/')).filter((n) => /^\.\.\d/.test(n)).length, 1);
  assert.equal(fs.resolvePath('/a/b', '../c'), '/a/c');
});

test('sleep as the whole command: ignores SIGTERM, ends 0 on time, 137 when killed, with no interpreter', async () => {
  const clock = new FakeClock();
  const spec = (argv: string[]) => ({ argv, env: {}, cwd: '/', hostname: 'h', fs: null as never, log: new Logbook(clock), clock, pod: { metadata: { name: 'p' } }, container: 'c' });
  const a = startProcess(spec(['sleep', '5']));
  a.term();
  clock.advance(4000);
  let ended = false;
  void a.done.then(() => { ended = true; });
  await new Promise((r) => setImmediate(r));
  assert.equal(ended, false, 'SIGTERM is ignored by sleep as PID 1');
  clock.advance(1000);
  assert.deepEqual(await a.done, { code: 0 });
  const b = startProcess(spec(['/bin/sleep', '1h']));
  b.kill();
  assert.deepEqual(await b.done, { code: 137 });
  // Any other shape goes to the interpreter (and fails there like busybox would).
  const c = startProcess({ ...spec(['sleep', 'soon']), fs: new (await loadJustBash()).InMemoryFs() });
  assert.notEqual((await c.done).code, 0);
});

test('tokens are kept per holder: a pod object that changed does not sign a new token', async () => {
  const c = await startCluster();
  try {
    const issue = tokenIssuer(c.store, c.clock);
    const holder = {};
    const p1 = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { serviceAccountName: 'default' } } as KObject;
    const p2 = structuredClone(p1);
    await c.until(async () => !!(await c.store.tryGet(R.serviceaccounts, 'default', 'default')), { what: 'default service account' });
    const t1 = await issue(p1, undefined, 3600, holder);
    const t2 = await issue(p2, undefined, 3600, holder);
    assert.equal(t2, t1);
    const t3 = await issue(p2, undefined, 3600, {});
    assert.notEqual(t3, t1, 'another holder gets its own');
  } finally { await c.close(); }
});

test('arm: a timer the clock fires within setTimeout (already due on a real clock) runs once and is not left listed', async () => {
  const { arm } = await import('../../../src/kubelet/containers/container-run.ts');
  const { RealClock } = await import('../../../src/clock.ts');
  const list: { cancel(): void }[] = [];
  let runs = 0;
  arm(new RealClock(), list, () => { runs++; }, 0);
  assert.equal(runs, 1);
  assert.equal(list.length, 0);
  const clock = new FakeClock();
  arm(clock, list, () => { runs++; }, 1000);
  assert.equal(list.length, 1);
  clock.advance(1000);
  assert.equal(runs, 2);
  assert.equal(list.length, 0, 'a fired timer leaves the list');
});
