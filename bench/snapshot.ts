// Snapshot reset: `npm run bench -- snapshot`. A cluster (in memory, controllers running) holding 1,000
// ConfigMaps of ~1 KB is snapshotted once; each round then changes it (100 creates, 100 updates, 100
// deletes) and restores the snapshot, timing restore() until it resolves and until a GET over HTTPS sees
// an object the round deleted (a full list then checks the fixture is whole, outside the timing). Target: a reset
// of 1,000 objects in <= 50 ms.
import { request } from 'node:https';
import { startCluster } from '../src/index.ts';
import type { Cluster } from '../src/index.ts';
import { findResource } from '../src/registry/resources.ts';
import { encodeClusterSnapshot, decodeClusterSnapshot } from '../src/snapshot/cluster.ts';

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const max = (xs: number[]) => Math.max(...xs);
const ms = (x: number) => Number(x.toFixed(1));

function get(c: Cluster, path: string): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    request(new URL(path, c.url), { ca: c.caPem, headers: { Authorization: `Bearer ${c.token}` } }, (res) => {
      let t = '';
      res.setEncoding('utf8').on('data', (d) => (t += d)).on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(t) }));
    }).on('error', reject).end();
  });
}
const listCount = async (c: Cluster) => (await get(c, '/api/v1/namespaces/fixture/configmaps')).body.items.length as number;

export async function run(): Promise<Record<string, number | string>> {
  const N = 1000;
  const ROUNDS = 20;
  const c = await startCluster({ nodes: 1 });
  const store = c.server.store;
  const cm = findResource('', 'v1', 'configmaps')!;
  const ns = findResource('', 'v1', 'namespaces')!;
  await store.create(ns, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fixture' } });
  const body = 'x'.repeat(1000);
  for (let i = 0; i < N; i++) await store.create(cm, 'fixture', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { body } });
  const want = await listCount(c); // the fixture plus the kube-root-ca.crt the controllers add
  const t0 = performance.now();
  const snap = c.snapshot();
  const snapshotMs = performance.now() - t0;
  const bytes = encodeClusterSnapshot(snap);
  const t1 = performance.now();
  decodeClusterSnapshot(bytes);
  const decodeMs = performance.now() - t1;
  const restore: number[] = [];
  const usable: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < 100; i++) await store.create(cm, 'fixture', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `extra-${r}-${i}` }, data: { body } });
    for (let i = 0; i < 100; i++) { const cur = await store.get(cm, 'fixture', `cm-${i}`); await store.update(cm, 'fixture', `cm-${i}`, { ...cur, data: { body: 'changed' } }); }
    for (let i = 100; i < 200; i++) await store.delete(cm, 'fixture', `cm-${i}`);
    const s = performance.now();
    await c.restore(snap);
    restore.push(performance.now() - s);
    // A ConfigMap this round deleted answers again: the API serves the restored state.
    const back = await get(c, '/api/v1/namespaces/fixture/configmaps/cm-150');
    usable.push(performance.now() - s);
    if (back.code !== 200 || back.body.data.body !== body) throw new Error(`after restore cm-150 answers ${back.code}`);
    const n = await listCount(c);
    if (n !== want) throw new Error(`after restore the fixture namespace holds ${n} ConfigMaps, not ${want}`);
  }
  await c.stop();
  return {
    'objects in the fixture (plus the cluster\'s own)': `${N} ConfigMaps of ~1 KB (${snap.storage.kvs.length} keys in all)`,
    'snapshot() ms': ms(snapshotMs),
    'snapshot file bytes (encode) / decode ms': `${bytes.length} / ${ms(decodeMs)}`,
    'restore() ms, median / max of 20 (after 300 changes each)': `${ms(median(restore))} / ${ms(max(restore))}`,
    'restore until a GET over HTTPS sees a deleted object back, median / max': `${ms(median(usable))} / ${ms(max(usable))}`,
    'target: reset 1,000 objects <= 50 ms (median)': median(usable) <= 50 ? 'met' : 'NOT met',
  };
}
