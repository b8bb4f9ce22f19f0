// The CronJob controller on the fake clock: Jobs at each scheduled minute, history limits,
// concurrency policies, suspend, time zones and missed schedules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './harness.ts';
import type { Cluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { missedTimes, nextIn } from '../../src/controllers/cronjob.ts';
import { parseCron } from '../../src/registry/kinds/cron.ts';

const cjR = findResource('batch', 'v1', 'cronjobs')!;
const jobsR = findResource('batch', 'v1', 'jobs')!;
const eventsR = findResource('', 'v1', 'events')!;

function cronJob(name: string, schedule: string, spec: Record<string, any> = {}, runSeconds = '1'): KObject {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
    spec: {
      schedule, ...spec,
      jobTemplate: { metadata: { labels: { cron: name } }, spec: { template: { metadata: { annotations: { 'skiff.dev/run-seconds': runSeconds } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } } },
    },
  };
}
const jobsOf = async (c: Cluster, name: string) => (await c.list(jobsR, 'default')).filter((j) => j.metadata.labels?.cron === name && !j.metadata.deletionTimestamp);
const done = (j: KObject) => (j.status?.conditions ?? []).some((x: { type: string; status: string }) => x.type === 'Complete' && x.status === 'True');

test('schedules in a time zone and missed times', () => {
  const daily9 = parseCron('0 9 * * *');
  const jan1 = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(new Date(nextIn(daily9, jan1)!).toISOString(), '2026-01-01T09:00:00.000Z');
  assert.equal(new Date(nextIn(daily9, jan1, 'America/New_York')!).toISOString(), '2026-01-01T14:00:00.000Z');
  const jul1 = Date.parse('2026-07-01T00:00:00Z');
  assert.equal(new Date(nextIn(daily9, jul1, 'America/New_York')!).toISOString(), '2026-07-01T13:00:00.000Z');
  assert.equal(new Date(nextIn(daily9, jan1, 'Asia/Kolkata')!).toISOString(), '2026-01-01T03:30:00.000Z');
  const everyMin = parseCron('* * * * *');
  assert.deepEqual(missedTimes(everyMin, jan1, jan1 + 150_000), { last: jan1 + 120_000, count: 2 });
  const many = missedTimes(everyMin, jan1, jan1 + 86400e3);
  assert.ok(many.count > 100);
  assert.equal(many.last, jan1 + 86400e3);
});

test('a Job per scheduled minute, named <cronjob>-<minutes>; history limited; status and events', async () => {
  const c = await startCluster();
  try {
    await c.store.create(cjR, 'default', cronJob('tick', '* * * * *', { successfulJobsHistoryLimit: 2 }));
    await c.until(async () => {
      const cj = await c.store.get(cjR, 'default', 'tick');
      return (await c.list(eventsR, 'default')).filter((e) => e.involvedObject?.name === 'tick' && e.reason === 'SuccessfulCreate').length >= 4 && !cj.status?.active;
    }, { stepMs: 5000, maxSteps: 200, what: 'four runs' });
    const jobs = await jobsOf(c, 'tick');
    assert.equal(jobs.length, 2, `history limit keeps 2: ${jobs.map((j) => j.metadata.name)}`);
    for (const j of jobs) {
      const at = Date.parse(j.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']);
      assert.equal(at % 60000, 0);
      assert.equal(j.metadata.name, `tick-${at / 60000}`);
      assert.equal(j.metadata.ownerReferences![0].kind, 'CronJob');
      assert.ok(done(j));
    }
    const cj = await c.store.get(cjR, 'default', 'tick');
    assert.ok(cj.status.lastScheduleTime && cj.status.lastSuccessfulTime);
    const reasons = new Set((await c.list(eventsR, 'default')).filter((e) => e.involvedObject?.name === 'tick').map((e) => e.reason));
    for (const r of ['SuccessfulCreate', 'SawCompletedJob', 'SuccessfulDelete']) assert.ok(reasons.has(r), `event ${r}: ${[...reasons]}`);
  } finally { await c.close(); }
});

test('Forbid skips runs while one is active; Replace replaces the active Job; suspend creates none', async () => {
  const c = await startCluster();
  try {
    await c.store.create(cjR, 'default', cronJob('forbid', '* * * * *', { concurrencyPolicy: 'Forbid' }, '600'));
    await c.store.create(cjR, 'default', cronJob('replace', '* * * * *', { concurrencyPolicy: 'Replace' }, '600'));
    await c.store.create(cjR, 'default', cronJob('paused', '* * * * *', { suspend: true }));
    await c.until(async () => (await c.list(eventsR, 'default')).some((e) => e.involvedObject?.name === 'replace' && e.reason === 'SuccessfulDelete'), { stepMs: 5000, maxSteps: 200, what: 'a replacement' });
    c.clock.advance(120_000);
    await c.settle();
    assert.equal((await jobsOf(c, 'forbid')).length, 1, 'Forbid: one Job at a time');
    assert.ok((await c.list(eventsR, 'default')).some((e) => e.involvedObject?.name === 'forbid' && e.reason === 'JobAlreadyActive'));
    const rep = await jobsOf(c, 'replace');
    assert.equal(rep.length, 1, `Replace: one live Job: ${rep.map((j) => j.metadata.name)}`);
    assert.equal((await c.store.get(cjR, 'default', 'replace')).status.active[0].name, rep[0].metadata.name);
    assert.equal((await jobsOf(c, 'paused')).length, 0);
  } finally { await c.close(); }
});

test('startingDeadlineSeconds: a run missed by more than the deadline is not started', async () => {
  const c = await startCluster();
  try {
    // Created long before its first (missed) run: only the latest missed time counts, and it is late.
    await c.store.create(cjR, 'default', cronJob('late', '0 0 * * *', { startingDeadlineSeconds: 10 }));
    c.clock.advance(86400e3 + 60_000);
    await c.settle();
    assert.equal((await jobsOf(c, 'late')).length, 0);
    assert.ok((await c.list(eventsR, 'default')).some((e) => e.involvedObject?.name === 'late' && e.reason === 'MissSchedule'));
  } finally { await c.close(); }
});
