// The generic update path (issue #23): CPU per write for the writes a pod sees on its way to Running —
// a binding (pods/binding, the whole object), kubelet status writes (pods/status through
// guaranteedUpdate), a PUT of the whole object with a field manager (managedFields recorded), and a
// status write that changes nothing (no-op detection). In process, SQLite in memory, no controllers.
//   node bench/updates.ts [--pods N] [--rounds N]
import { RealClock } from '../src/clock.ts';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { Store } from '../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../src/registry/kinds-adapter.ts';
import { bootstrap } from '../src/bootstrap.ts';
import { findResource } from '../src/registry/resources.ts';
import { bindPod } from '../src/api/subresources.ts';
import { updateManagedFields } from '../src/api/server-side-apply.ts';
import { rfc3339 } from '../src/clock.ts';
import type { KObject } from '../src/registry/strategy.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const PODS = arg('pods', 2000);
const ROUNDS = arg('rounds', 3);

const clock = new RealClock();
const backend = new SqliteBackend({ path: ':memory:', now: () => clock.now() });
const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
store.managedFields = (old, next, manager, r, subresource) => updateManagedFields(old, next, manager, 'Update', { group: r.group, version: r.version, kind: r.kind }, subresource);
await bootstrap(store);
const podsR = findResource('', 'v1', 'pods')!;

const pod = (i: number): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `p-${i}`, namespace: 'default', labels: { app: 'bench', tier: String(i % 7) } },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
});

function status(cur: KObject, phase: string, now: number): Record<string, any> {
  const t = rfc3339(now);
  const ready = phase === 'Running' ? 'True' : 'False';
  return {
    ...(cur.status ?? {}), phase, hostIP: '10.0.0.1', hostIPs: [{ ip: '10.0.0.1' }], podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], startTime: t,
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: type === 'Ready' || type === 'ContainersReady' ? ready : 'True', lastProbeTime: null, lastTransitionTime: t })),
    containerStatuses: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', imageID: 'registry.k8s.io/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a', containerID: `containerd://${cur.metadata.uid}`, ready: phase === 'Running', restartCount: 0, started: phase === 'Running', state: phase === 'Running' ? { running: { startedAt: t } } : { waiting: { reason: 'ContainerCreating' } } }],
    qosClass: 'BestEffort',
  };
}

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
async function phase(label: string, fn: (i: number) => Promise<unknown>): Promise<number> {
  const c0 = cpu(), t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, async (_, w) => { for (let i = w; i < PODS; i += 16) await fn(i); }));
  const us = ((cpu() - c0) * 1000) / PODS;
  console.log(`${label.padEnd(44)} ${us.toFixed(1).padStart(7)} µs CPU/write  ${(((performance.now() - t0) * 1000) / PODS).toFixed(1).padStart(7)} µs wall/write`);
  return us;
}

const totals: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  console.log(`round ${round + 1}`);
  const rec = (k: string, v: number) => (totals[k] ??= []).push(v);
  for (let i = 0; i < PODS; i++) await store.create(podsR, 'default', pod(i), { fieldManager: 'bench' });
  rec('binding', await phase('pods/binding', (i) => bindPod(store, 'default', { target: { name: `node-${i % 100}` } }, `p-${i}`, false)));
  for (const ph of ['Pending', 'Running']) {
    rec(`status ${ph}`, await phase(`pods/status (guaranteedUpdate) → ${ph}`, (i) => store.guaranteedUpdate(podsR, 'default', `p-${i}`, (cur) => { cur.status = status(cur, ph, clock.now()); return cur; }, { subresource: 'status' })));
  }
  rec('status no-op', await phase('pods/status that changes nothing', (i) => store.guaranteedUpdate(podsR, 'default', `p-${i}`, (cur) => cur, { subresource: 'status' })));
  rec('put', await phase('PUT pod with a field manager (label change)', async (i) => {
    const cur = await store.get(podsR, 'default', `p-${i}`);
    const next = structuredClone(cur);
    next.metadata.labels = { ...next.metadata.labels, round: String(round) };
    return store.update(podsR, 'default', `p-${i}`, next, { fieldManager: 'kubectl-edit' });
  }));
  for (let i = 0; i < PODS; i++) await store.delete(podsR, 'default', `p-${i}`, { gracePeriodSeconds: 0 });
}
const best = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return `${s[0].toFixed(1)} (median ${s[Math.floor(s.length / 2)].toFixed(1)})`; };
console.log('least µs CPU/write over the rounds:', Object.entries(totals).map(([k, v]) => `${k} ${best(v)}`).join(', '));
await backend.close();
