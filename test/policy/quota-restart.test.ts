// Quota accounting survives a restart exactly: the stored status.used is what the restarted
// controller recounts, and admission keeps refusing at the limit (no units handed out twice).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { findResource } from '../../src/registry/resources.ts';

const quotas = findResource('', 'v1', 'resourcequotas')!;
const cms = findResource('', 'v1', 'configmaps')!;
const pods = findResource('', 'v1', 'pods')!;

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 500; i++) { const v = await fn(); if (v !== undefined) return v; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error(`timed out: ${what}`);
}

const used = async (s: RunningServer) => (await s.store.get(quotas, 'default', 'q')).status?.used;

test('quota: status.used and refusals are the same after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-quota-restart-'));
  try {
    const first = await startServer({ port: 0, dataDir: dir, nodes: 1, kubeconfigPath: false });
    let before: Record<string, string>;
    try {
      await first.store.create(quotas, 'default', { metadata: { name: 'q' }, spec: { hard: { 'count/configmaps': '4', pods: '2', 'requests.memory': '1Gi' } } });
      const base = await until('first count', async () => (await used(first))?.['count/configmaps']);
      for (let i = 0; 4 - Number(base) - i > 0; i++) await first.store.create(cms, 'default', { metadata: { name: `cm-${i}` }, data: {} });
      await first.store.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { memory: '300Mi' } } }] } });
      before = await until('settled usage', async () => { const u = await used(first); return u?.pods === '1' && u['count/configmaps'] === '4' ? u : undefined; });
      assert.equal(before['requests.memory'], '300Mi');
    } finally { await first.stop(); }

    const second = await startServer({ port: 0, dataDir: dir, nodes: 1, kubeconfigPath: false });
    try {
      assert.deepEqual(await used(second), before, 'the stored usage survives');
      await assert.rejects(second.store.create(cms, 'default', { metadata: { name: 'extra' }, data: {} }), /exceeded quota: q, requested: count\/configmaps=1, used: count\/configmaps=4, limited: count\/configmaps=4/);
      await assert.rejects(second.store.create(pods, 'default', { metadata: { name: 'p2' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { memory: '800Mi' } } }] } }),
        /exceeded quota: q, requested: requests.memory=800Mi, used: requests.memory=300Mi, limited: requests.memory=1Gi/);
      // Let the restarted controller recount: it agrees with what was stored.
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(await used(second), before, 'the recount after restart agrees exactly');
    } finally { await second.stop(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
