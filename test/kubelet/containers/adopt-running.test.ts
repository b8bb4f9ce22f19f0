// Skiff restarted on its data directory finds emulated pods Running: as after a kubelet restart,
// they stay Running with the same container IDs, start times and restart counts, their programs go
// on (a loop logs again, exec reaches the container), finished pods and containers stay finished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../../src/server.ts';
import type { RunningServer } from '../../../src/server.ts';
import { findResource } from '../../../src/registry/resources.ts';
import { workerFor } from '../../../src/kubelet/containers/workers.ts';

const podsR = findResource('', 'v1', 'pods')!;
const sh = (name: string, script: string) => ({ name, image: 'busybox:1.36', command: ['sh', '-c', script] });

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const get = (s: RunningServer, name: string) => s.store.get(podsR, 'default', name);
const started = async (s: RunningServer) => (await s.store.list(findResource('', 'v1', 'events')!, 'default')).items.map((e: any) => e.obj)
  .filter((e: any) => e.involvedObject?.name === 'loop' && e.reason === 'Started');
const logLines = (uid: string, container: string) => workerFor(uid)?.slot(container)?.current?.log.lines.map((l) => l.text) ?? [];

test('after a restart on the same data directory, running emulated pods carry on as after a kubelet restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-adopt-'));
  try {
    const first = await startServer({ port: 0, dataDir: dir, nodes: 1 });
    let before: Record<string, any>, done: Record<string, any>;
    try {
      await first.store.create(podsR, 'default', { metadata: { name: 'loop' }, spec: { containers: [sh('main', 'echo started; while true; do echo tick; sleep 1; done'), sh('side', 'sleep 3600')] } });
      await first.store.create(podsR, 'default', { metadata: { name: 'once' }, spec: { restartPolicy: 'Never', containers: [sh('main', 'echo bye')] } });
      before = await until('loop Running and ready', async () => { const p = await get(first, 'loop'); return p.status?.phase === 'Running' && p.status.containerStatuses.every((c: any) => c.ready) && p; });
      done = await until('once Succeeded', async () => { const p = await get(first, 'once'); return p.status?.phase === 'Succeeded' && p; });
      await until('a tick', async () => logLines(before.metadata.uid, 'main').includes('tick'));
      await until('the Started events stored', async () => (await started(first)).length === 2);
    } finally { await first.stop(); }
    assert.equal(workerFor(before.metadata.uid), undefined, 'the first server left no worker behind');

    const second = await startServer({ port: 0, dataDir: dir, nodes: 1 });
    try {
      const uid = before.metadata.uid;
      await until('the pod adopted', async () => workerFor(uid)?.slot('main')?.current && !workerFor(uid)!.slot('main')!.current!.exit);
      await until('the loop logging again', async () => logLines(uid, 'main').includes('tick'));
      const after = await get(second, 'loop');
      assert.equal(after.status.phase, 'Running');
      for (const name of ['main', 'side']) {
        const b = before.status.containerStatuses.find((c: any) => c.name === name);
        const a = after.status.containerStatuses.find((c: any) => c.name === name);
        assert.equal(a.restartCount, b.restartCount, `${name}: restartCount unchanged`);
        assert.equal(a.containerID, b.containerID, `${name}: same container`);
        assert.deepEqual(a.state, b.state, `${name}: running since the same time`);
        assert.equal(a.ready, true);
      }
      assert.equal(after.status.podIP, before.status.podIP);
      // The resumed container is a live one: exec reaches its filesystem and environment.
      const w = workerFor(uid)!;
      assert.equal(w.phase, 'Running');
      const run = w.slot('main')!.current!;
      await run.fs.writeFile('/tmp/probe', 'x');
      assert.equal(await run.fs.readFile('/etc/hostname'), 'loop\n');
      // No new Started/Created events for containers that kept running.
      const events = await started(second);
      assert.equal(events.length, 2, events.map((e: any) => e.message).join('\n'));
      // A finished pod is left as it was.
      const once = await get(second, 'once');
      assert.equal(once.status.phase, 'Succeeded');
      assert.deepEqual(once.status.containerStatuses[0].state, done.status.containerStatuses[0].state);
      assert.equal(workerFor(once.metadata.uid), undefined);
      // Deleting the adopted pod stops its containers as usual.
      await second.store.delete(podsR, 'default', 'loop', { gracePeriodSeconds: 0 });
      await until('the pod gone', async () => !(await get(second, 'loop').catch(() => undefined)));
    } finally { await second.stop(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
