// The Job controller on the fake clock: completions and parallelism, Indexed Jobs, failures with
// backoff and backoffLimit, podFailurePolicy, activeDeadlineSeconds, suspend/resume, TTL, deletion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';
import type { Cluster } from './harness.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { formatIndexes, parseIndexes, JOB_TRACKING_FINALIZER } from '../../src/controllers/job.ts';

const jobsR = findResource('batch', 'v1', 'jobs')!;

function job(name: string, spec: Record<string, any> = {}, annotations: Record<string, string> = {}): KObject {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: {
      ...spec,
      template: { metadata: { annotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'example.com/agent:1.36' }] } },
    },
  };
}
const get = (c: Cluster, name: string) => c.store.get(jobsR, 'default', name);
const condition = (j: KObject, type: string) => (j.status?.conditions ?? []).find((x: { type: string; status: string }) => x.type === type && x.status === 'True');
const jobPods = async (c: Cluster, name: string) => (await c.list(R.pods, 'default')).filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);

test('completion indexes are parsed and formatted as upstream writes them', () => {
  assert.equal(formatIndexes(new Set([0, 1, 2, 4, 6, 7])), '0-2,4,6-7');
  assert.deepEqual([...parseIndexes('0-2,4,6-7')].sort(), [0, 1, 2, 4, 6, 7]);
  assert.equal(formatIndexes(new Set()), '');
});

test('completions 3 with parallelism 2: at most 2 pods at once, then SuccessCriteriaMet and Complete', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(jobsR, 'default', job('batch3', { completions: 3, parallelism: 2 }));
    let maxActive = 0;
    await c.until(async () => {
      const live = (await jobPods(c, 'batch3')).filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase) && !p.metadata.deletionTimestamp);
      maxActive = Math.max(maxActive, live.length);
      return !!condition(await get(c, 'batch3'), 'Complete');
    }, { stepMs: 500, what: 'job complete' });
    assert.ok(maxActive <= 2 && maxActive >= 1, `active pods at once: ${maxActive}`);
    const j = await get(c, 'batch3');
    assert.equal(j.status.succeeded, 3);
    assert.equal(j.status.failed, undefined);
    assert.equal(j.status.active, undefined);
    assert.equal(j.status.ready, 0);
    assert.equal(j.status.terminating, 0);
    assert.deepEqual(j.status.uncountedTerminatedPods, {});
    assert.ok(j.status.startTime && j.status.completionTime);
    const types = j.status.conditions.map((x: { type: string }) => x.type);
    assert.deepEqual(types, ['SuccessCriteriaMet', 'Complete']);
    assert.equal(condition(j, 'Complete').reason, 'CompletionsReached');
    assert.equal(condition(j, 'Complete').message, 'Reached expected number of succeeded pods');
    const pods = await jobPods(c, 'batch3');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.equal(p.status.phase, 'Succeeded');
      assert.ok(!(p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER), 'tracking finalizer removed');
      assert.equal(p.metadata.ownerReferences![0].kind, 'Job');
      assert.equal(p.metadata.ownerReferences![0].blockOwnerDeletion, true);
    }
    const events = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.name === 'batch3');
    assert.equal(events.filter((e) => e.reason === 'SuccessfulCreate').length, 3);
    assert.ok(events.some((e) => e.reason === 'Completed' && e.message === 'Job completed'));
    // Level-triggered and idempotent: another sync changes nothing.
    const rv = j.metadata.resourceVersion;
    c.clock.advance(60_000);
    await c.settle();
    assert.equal((await get(c, 'batch3')).metadata.resourceVersion, rv);
  } finally { await c.close(); }
});

test('failing pods: replacements back off 10 s, 20 s, …; beyond backoffLimit the Job fails', async () => {
  const c = await startCluster();
  try {
    await c.store.create(jobsR, 'default', job('fails', { backoffLimit: 2 }, { 'skiff.dev/exit-code': '3', 'skiff.dev/run-seconds': '1' }));
    await c.until(async () => !!condition(await get(c, 'fails'), 'Failed'), { stepMs: 500, maxSteps: 400, what: 'job failed' });
    const j = await get(c, 'fails');
    assert.equal(j.status.failed, 3);
    assert.equal(condition(j, 'FailureTarget').reason, 'BackoffLimitExceeded');
    assert.equal(condition(j, 'Failed').message, 'Job has reached the specified backoff limit');
    assert.equal(j.status.completionTime, undefined);
    const created = (await jobPods(c, 'fails')).map((p) => Date.parse(p.metadata.creationTimestamp!)).sort((a, b) => a - b);
    assert.equal(created.length, 3);
    // Each pod runs ~2 s (start + run); the waits before replacements grow: ≥10 s, then ≥20 s.
    assert.ok(created[1] - created[0] >= 10_000, `first replacement after ${created[1] - created[0]} ms`);
    assert.ok(created[2] - created[1] >= 20_000, `second replacement after ${created[2] - created[1]} ms`);
    const events = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.name === 'fails');
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded'));
  } finally { await c.close(); }
});

test('Indexed: one pod per index with its hostname and JOB_COMPLETION_INDEX; completedIndexes', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(jobsR, 'default', job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    await c.until(async () => (await jobPods(c, 'idx')).length === 3, { what: 'indexed pods' });
    const pods = await jobPods(c, 'idx');
    const idx = pods.map((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index']).sort();
    assert.deepEqual(idx, ['0', '1', '2']);
    for (const p of pods) {
      const i = p.metadata.labels!['batch.kubernetes.io/job-completion-index'];
      assert.equal(p.spec.hostname, `idx-${i}`);
      assert.ok(p.metadata.name!.startsWith(`idx-${i}-`));
      assert.ok(p.spec.containers[0].env.some((e: { name: string }) => e.name === 'JOB_COMPLETION_INDEX'));
    }
    await c.until(async () => !!condition(await get(c, 'idx'), 'Complete'), { stepMs: 500, what: 'indexed complete' });
    const j = await get(c, 'idx');
    assert.equal(j.status.completedIndexes, '0-2');
    assert.equal(j.status.succeeded, 3);
  } finally { await c.close(); }
});

test('podFailurePolicy FailJob on an exit code fails the Job at once; Ignore does not count', async () => {
  const c = await startCluster();
  try {
    const rules = [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } }, { action: 'FailJob', onExitCodes: { containerName: 'work', operator: 'In', values: [42] } }];
    await c.store.create(jobsR, 'default', job('pfp', { backoffLimit: 6, podFailurePolicy: { rules } }, { 'skiff.dev/exit-code': '42' }));
    await c.until(async () => !!condition(await get(c, 'pfp'), 'Failed'), { stepMs: 500, what: 'FailJob' });
    const j = await get(c, 'pfp');
    assert.equal(condition(j, 'Failed').reason, 'PodFailurePolicy');
    assert.match(condition(j, 'Failed').message, /^Container work for pod default\/pfp-\w+ failed with exit code 42 matching FailJob rule at index 1$/);
    assert.equal((await jobPods(c, 'pfp')).length, 1);

    await c.store.create(jobsR, 'default', job('ign', { backoffLimit: 0, podFailurePolicy: { rules } }, { 'skiff.dev/exit-code': '7' }));
    await c.until(async () => (await jobPods(c, 'ign')).filter((p) => p.status?.phase === 'Failed').length >= 2, { stepMs: 500, what: 'ignored failures replaced' });
    const ign = await get(c, 'ign');
    assert.equal(condition(ign, 'Failed'), undefined, 'ignored failures do not exhaust backoffLimit 0');
    assert.equal(ign.status.failed, undefined);
  } finally { await c.close(); }
});

test('activeDeadlineSeconds: the Job fails with DeadlineExceeded and its pods are deleted', async () => {
  const c = await startCluster();
  try {
    await c.store.create(jobsR, 'default', job('slow', { activeDeadlineSeconds: 5 }, { 'skiff.dev/run-seconds': '600' }));
    await c.until(async () => !!condition(await get(c, 'slow'), 'Failed'), { stepMs: 500, what: 'deadline' });
    const j = await get(c, 'slow');
    assert.equal(condition(j, 'Failed').reason, 'DeadlineExceeded');
    assert.equal(condition(j, 'Failed').message, 'Job was active longer than specified deadline');
    assert.ok(Date.parse(condition(j, 'Failed').lastTransitionTime) - Date.parse(j.status.startTime) >= 5000);
    await c.until(async () => (await jobPods(c, 'slow')).length === 0, { what: 'pods deleted' });
  } finally { await c.close(); }
});

test('suspend: no pods while suspended (Suspended condition); resume runs the Job to completion', async () => {
  const c = await startCluster();
  try {
    await c.store.create(jobsR, 'default', job('sus', { suspend: true }));
    await c.until(async () => !!condition(await get(c, 'sus'), 'Suspended'), { what: 'suspended' });
    assert.equal((await jobPods(c, 'sus')).length, 0);
    assert.equal(condition(await get(c, 'sus'), 'Suspended').reason, 'JobSuspended');
    await c.store.guaranteedUpdate(jobsR, 'default', 'sus', (j) => { j.spec.suspend = false; return j; });
    await c.until(async () => !!condition(await get(c, 'sus'), 'Complete'), { stepMs: 500, what: 'resumed and complete' });
    const s = (await get(c, 'sus')).status.conditions.find((x: { type: string }) => x.type === 'Suspended');
    assert.equal(s.status, 'False');
    assert.equal(s.reason, 'JobResumed');
  } finally { await c.close(); }
});

test('ttlSecondsAfterFinished deletes the finished Job and its pods; deleting a running Job leaves no pods behind', async () => {
  const c = await startCluster();
  try {
    await c.store.create(jobsR, 'default', job('ttl', { ttlSecondsAfterFinished: 30 }));
    await c.until(async () => !!condition(await get(c, 'ttl'), 'Complete'), { stepMs: 500, what: 'complete' });
    const doneAt = c.clock.now();
    await c.until(async () => !(await c.store.tryGet(jobsR, 'default', 'ttl')), { stepMs: 1000, what: 'ttl deletion' });
    assert.ok(c.clock.now() - doneAt >= 29_000, `deleted after ${c.clock.now() - doneAt} ms`);
    await c.until(async () => (await jobPods(c, 'ttl')).length === 0, { what: 'pods collected' });

    await c.store.create(jobsR, 'default', job('run', {}, { 'skiff.dev/run-seconds': '600' }));
    await c.until(async () => (await jobPods(c, 'run')).some((p) => p.status?.phase === 'Running'), { what: 'running' });
    await c.store.delete(jobsR, 'default', 'run', { propagationPolicy: 'Background' });
    await c.until(async () => (await jobPods(c, 'run')).length === 0, { what: 'pods of a deleted job removed (tracking finalizer released)' });
  } finally { await c.close(); }
});

test('work queue (completions unset, parallelism 2): complete once one pod succeeded and none is left running', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    await c.store.create(jobsR, 'default', { ...job('wq', { parallelism: 2 }), spec: { ...job('wq').spec, parallelism: 2, completions: null } });
    await c.until(async () => !!condition(await get(c, 'wq'), 'Complete'), { stepMs: 500, what: 'work queue complete' });
    const j = await get(c, 'wq');
    assert.equal(j.status.succeeded, 2);
    assert.equal(j.spec.completions ?? undefined, undefined);
  } finally { await c.close(); }
});

test('a pod whose labels stop matching is released (owner reference and tracking finalizer gone) and replaced; an orphan that matches is adopted', async () => {
  const c = await startCluster();
  try {
    await c.store.create(jobsR, 'default', job('adopt', { parallelism: 2, completions: 2 }, { 'skiff.dev/run-seconds': '600' }));
    await c.until(async () => (await jobPods(c, 'adopt')).length === 2, { what: 'two pods' });
    const [first, second] = await jobPods(c, 'adopt');
    // Orphaned by hand: the Job adopts it again.
    await c.store.guaranteedUpdate(R.pods, 'default', first.metadata.name!, (p) => { delete p.metadata.ownerReferences; return p; });
    await c.until(async () => (await c.store.get(R.pods, 'default', first.metadata.name!)).metadata.ownerReferences?.[0]?.name === 'adopt', { what: 'adopted' });
    // Relabelled out of the selector: released, and a replacement keeps parallelism 2.
    await c.store.guaranteedUpdate(R.pods, 'default', second.metadata.name!, (p) => { p.metadata.labels = { elsewhere: 'yes' }; return p; });
    await c.until(async () => {
      const p = await c.store.get(R.pods, 'default', second.metadata.name!);
      return !p.metadata.ownerReferences?.length && !(p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
    }, { what: 'released' });
    await c.until(async () => (await jobPods(c, 'adopt')).filter((p) => p.metadata.ownerReferences?.[0]?.name === 'adopt').length === 2, { what: 'replacement' });
  } finally { await c.close(); }
});

test('podFailurePolicy Ignore on DisruptionTarget: an evicted pod is judged once terminal, not counted, and replaced', async () => {
  const c = await startCluster();
  try {
    const rules = [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }];
    await c.store.create(jobsR, 'default', job('evicted', { backoffLimit: 0, completionMode: 'Indexed', completions: 1, parallelism: 1, podFailurePolicy: { rules } }, { 'skiff.dev/run-seconds': '600' }));
    await c.until(async () => (await jobPods(c, 'evicted')).some((p) => p.status?.phase === 'Running'), { what: 'running' });
    const [victim] = await jobPods(c, 'evicted');
    // What the eviction API does: the condition, then a graceful delete (a long grace period: the
    // kubelet's part, the terminal status, is written below by hand).
    await c.store.guaranteedUpdate(R.pods, 'default', victim.metadata.name!, (p) => {
      p.status.conditions = [...(p.status.conditions ?? []), { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }];
      return p;
    }, { subresource: 'status' });
    await c.store.delete(R.pods, 'default', victim.metadata.name!, { gracePeriodSeconds: 3600 });
    await c.settle();
    let j = await get(c, 'evicted');
    assert.equal(condition(j, 'Failed'), undefined, 'a terminating pod is not judged before it is terminal');
    assert.equal(j.status.failed, undefined);
    // The kubelet stops it: killed, exit code 137, Failed.
    await c.store.guaranteedUpdate(R.pods, 'default', victim.metadata.name!, (p) => {
      p.status.phase = 'Failed';
      p.status.containerStatuses = p.status.containerStatuses.map((s: any) => ({ ...s, ready: false, state: { terminated: { exitCode: 137, reason: 'Error' } } }));
      return p;
    }, { subresource: 'status' });
    await c.until(async () => (await jobPods(c, 'evicted')).some((p) => p.metadata.uid !== victim.metadata.uid && !p.metadata.deletionTimestamp), { stepMs: 500, what: 'replacement' });
    j = await get(c, 'evicted');
    assert.equal(condition(j, 'Failed'), undefined, 'the Job did not fail');
    assert.equal(j.status.failed, undefined, 'the ignored failure is not counted');
  } finally { await c.close(); }
});
