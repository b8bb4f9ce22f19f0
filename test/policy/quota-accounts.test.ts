// Quota charges kept in in-memory accounts and written later (admission/quota/accounts.ts): parallel
// creates against a quota of M admit exactly M, with and without the quota controller; the written
// status.used ends exact; a server stopped before writing its charges (a crash) loses no unit, because
// a quota not counted since start is recounted before admission trusts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { findResource } from '../../src/registry/resources.ts';
import { quotaAccountsOf } from '../../src/admission/quota/accounts.ts';
import { FakeClock } from '../../src/clock.ts';

const quotas = findResource('', 'v1', 'resourcequotas')!;
const pods = findResource('', 'v1', 'pods')!;
const namespaces = findResource('', 'v1', 'namespaces')!;

const pod = (name: string, cpu = '100m') => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }] } });

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) { const v = await fn(); if (v !== undefined) return v; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error(`timed out: ${what}`);
}

/** A quota with status set by hand, as when no controller runs. */
async function handQuota(s: RunningServer, ns: string, hard: Record<string, string>, used: Record<string, string>): Promise<void> {
  await s.store.create(quotas, ns, { metadata: { name: 'q' }, spec: { hard } });
  const q = await s.store.get(quotas, ns, 'q');
  await s.store.update(quotas, ns, 'q', { ...q, status: { hard, used } }, { subresource: 'status' });
}

async function parallelCreates(s: RunningServer, ns: string, n: number, prefix: string): Promise<{ ok: number; refusals: string[] }> {
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => s.store.create(pods, ns, pod(`${prefix}-${i}`))));
  return { ok: results.filter((r) => r.status === 'fulfilled').length, refusals: results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : [])) };
}

const usedOf = async (s: RunningServer, ns: string) => (await s.store.get(quotas, ns, 'q')).status?.used as Record<string, string> | undefined;

test('quota accounts: 40 parallel creates against pods=7 admit exactly 7, without a controller; status.used is written exactly', async () => {
  const s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, controllers: false });
  try {
    await s.store.create(namespaces, undefined, { metadata: { name: 'acc' } });
    await handQuota(s, 'acc', { pods: '7', 'requests.cpu': '10' }, { pods: '0', 'requests.cpu': '0' });
    const { ok, refusals } = await parallelCreates(s, 'acc', 40, 'p');
    assert.equal(ok, 7);
    assert.equal(refusals.length, 33);
    for (const m of refusals) assert.match(m, /exceeded quota: q, requested: pods=1, used: pods=7, limited: pods=7/);
    await until('usage written', async () => ((await usedOf(s, 'acc'))?.pods === '7' ? true : undefined));
    assert.deepEqual(await usedOf(s, 'acc'), { pods: '7', 'requests.cpu': '700m' });
    // A failed create (the name is taken) gives its unit back at once.
    await s.store.delete(pods, 'acc', 'p-0').catch(() => s.store.delete(pods, 'acc', 'p-1'));
    await assert.rejects(s.store.create(pods, 'acc', pod('p-2')), /already exists|exceeded quota/);
  } finally { await s.stop(); }
});

test('quota accounts: with the controller recounting during parallel creates and deletes, exactly the free units are handed out', async () => {
  const s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, nodes: 1 });
  try {
    await s.store.create(namespaces, undefined, { metadata: { name: 'acc2' } });
    await s.store.create(quotas, 'acc2', { metadata: { name: 'q' }, spec: { hard: { pods: '10' } } });
    await until('first count', async () => ((await usedOf(s, 'acc2'))?.pods === '0' ? true : undefined));
    assert.equal((await parallelCreates(s, 'acc2', 30, 'a')).ok, 10);
    // Deletions make room (the controller's recount hands the units back) while more creates race for them.
    const created = (await s.store.list(pods, 'acc2')).items.map((e) => e.obj.metadata.name!).slice(0, 3);
    for (const n of created) await s.store.delete(pods, 'acc2', n, { gracePeriodSeconds: 0 });
    await until('3 released', async () => ((await usedOf(s, 'acc2'))?.pods === '7' ? true : undefined));
    const second = await parallelCreates(s, 'acc2', 12, 'b');
    assert.equal(second.ok, 3);
    await until('usage settled', async () => ((await usedOf(s, 'acc2'))?.pods === '10' ? true : undefined));
    assert.equal((await s.store.list(pods, 'acc2')).items.filter((e) => !e.obj.metadata.deletionTimestamp).length, 10);
  } finally { await s.stop(); }
});

test('quota accounts: charges a stopped server never wrote are recounted after the restart (no unit handed out twice)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-quota-crash-'));
  try {
    // A clock that stands still: the charges after the first wait for a flush that never comes, however
    // slowly this machine runs the creates (with the real clock a slow run flushed them all).
    const still = new FakeClock();
    const first = await startServer({ port: 0, dataDir: dir, kubeconfigPath: false, controllers: false, clock: still });
    try {
      await first.store.create(namespaces, undefined, { metadata: { name: 'crash' } });
      await handQuota(first, 'crash', { pods: '5' }, { pods: '0' });
      for (let i = 0; i < 3; i++) await first.store.create(pods, 'crash', pod(`p-${i}`));
      // As a crash: the charges still waiting are never written.
      quotaAccountsOf(first.store, still).flushAll = async () => {};
    } finally { await first.stop(); }

    const second = await startServer({ port: 0, dataDir: dir, kubeconfigPath: false, controllers: false });
    try {
      const stale = Number((await usedOf(second, 'crash'))!.pods);
      assert.ok(stale < 3, `the stored usage lacks charges (${stale}): otherwise this test proves nothing`);
      const { ok, refusals } = await parallelCreates(second, 'crash', 6, 'after');
      assert.equal(ok, 2, 'only the 2 units really free');
      for (const m of refusals) assert.match(m, /exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5/);
      await until('usage written', async () => ((await usedOf(second, 'crash'))?.pods === '5' ? true : undefined));
    } finally { await second.stop(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('quota accounts: a graceful stop writes every pending charge', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-quota-stop-'));
  try {
    const first = await startServer({ port: 0, dataDir: dir, kubeconfigPath: false, controllers: false });
    try {
      await first.store.create(namespaces, undefined, { metadata: { name: 'stop' } });
      await handQuota(first, 'stop', { pods: '9' }, { pods: '0' });
      for (let i = 0; i < 4; i++) await first.store.create(pods, 'stop', pod(`p-${i}`));
    } finally { await first.stop(); }
    const second = await startServer({ port: 0, dataDir: dir, kubeconfigPath: false, controllers: false });
    try {
      assert.equal((await usedOf(second, 'stop'))?.pods, '4');
    } finally { await second.stop(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('quota accounts: a recount that snapshotted before a charge counts it even after it was written; once no recount waits, written charges are let go', async () => {
  const s = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, controllers: false });
  try {
    await s.store.create(namespaces, undefined, { metadata: { name: 'pin' } });
    const hard = { pods: '10', 'requests.cpu': '10' };
    await handQuota(s, 'pin', hard, { pods: '0', 'requests.cpu': '0' });
    await s.store.create(pods, 'pin', pod('a'));
    await until('a written', async () => ((await usedOf(s, 'pin'))?.pods === '1' ? true : undefined));
    const accounts = quotaAccountsOf(s.store, undefined as never);
    // A recount snapshots (it sees only "a"), then "b" is charged and written before the recount reports.
    const snap = accounts.snapshot();
    await s.store.create(pods, 'pin', pod('b', '200m'));
    await until('b written', async () => ((await usedOf(s, 'pin'))?.pods === '2' ? true : undefined));
    const q = await s.store.get(quotas, 'pin', 'q');
    const { fromList } = await import('../../src/admission/quota/resource-list.ts');
    await accounts.recounted(q, hard, fromList({ pods: '1', 'requests.cpu': '100m' }), snap);
    assert.deepEqual(await usedOf(s, 'pin'), { pods: '2', 'requests.cpu': '300m' }, 'b counted on top of the recount');
    // No recount waits now: the next write keeps no written charges for later.
    await s.store.create(pods, 'pin', pod('c'));
    await until('c written', async () => ((await usedOf(s, 'pin'))?.pods === '3' ? true : undefined));
    const kept = (accounts as unknown as { accounts: Map<string, { written: unknown[] }> }).accounts.get('pin/q')!.written;
    assert.equal(kept.length, 0);
    // A recount snapshotted now still adds a charge written after it.
    const snap2 = accounts.snapshot();
    await s.store.create(pods, 'pin', pod('d'));
    await until('d written', async () => ((await usedOf(s, 'pin'))?.pods === '4' ? true : undefined));
    await accounts.recounted(await s.store.get(quotas, 'pin', 'q'), hard, fromList({ pods: '3', 'requests.cpu': '400m' }), snap2);
    assert.deepEqual(await usedOf(s, 'pin'), { pods: '4', 'requests.cpu': '500m' });
  } finally { await s.stop(); }
});
