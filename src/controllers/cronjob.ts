// CronJob controller (after upstream's pkg/controller/cronjob, the v2 controller): at each
// scheduled time of simulated time it creates a Job `<cronjob>-<minutes since the epoch>` from
// spec.jobTemplate (annotation batch.kubernetes.io/cronjob-scheduled-timestamp, controller
// ownerReference), honouring suspend, concurrencyPolicy (Allow, Forbid, Replace),
// startingDeadlineSeconds, timeZone, and the successful/failed history limits. Status: active
// (references to unfinished Jobs), lastScheduleTime, lastSuccessfulTime. Events as upstream:
// SuccessfulCreate, SawCompletedJob, SuccessfulDelete, JobAlreadyActive, MissSchedule,
// TooManyMissedTimes, UnparseableSchedule. Only the most recent missed time is started, as upstream.
import type { Clock } from '../clock.ts';
import { rfc3339 } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec } from '../types/generated.ts';
import { CronError, nextActivation, parseCron } from '../registry/kinds/cron.ts';
import type { CronSchedule } from '../registry/kinds/cron.ts';
import { runController } from './runtime.ts';
import type { Controller, Informer, WorkQueue } from './runtime.ts';
import type { EventRecorder } from './events.ts';
import { jobFinished } from './job.ts';
import { controllerRef, ignoreNotFound, newControllerRef, res } from './util.ts';

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const MAX_MISSED = 100;

const cronJobsR = res('batch', 'v1', 'cronjobs');
const jobsR = res('batch', 'v1', 'jobs');

/** Offset (ms) of `tz` from UTC at instant `ms`. */
function tzOffset(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(ms));
  const v = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(v('year'), v('month') - 1, v('day'), v('hour') % 24, v('minute'), v('second'));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The first activation strictly after `afterMs`, reading the schedule in time zone `tz` (UTC by default). */
export function nextIn(c: CronSchedule, afterMs: number, tz?: string): number | undefined {
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC' || c.everyMs) return nextActivation(c, afterMs);
  const off = tzOffset(tz, afterMs);
  const local = nextActivation(c, afterMs + off);
  if (local === undefined) return undefined;
  // Convert the local wall time back, with the offset in force then (DST changes between the two).
  return local - tzOffset(tz, local - off);
}

/** Scheduled times in (since, now]: the most recent one and how many there were (capped). */
export function missedTimes(c: CronSchedule, sinceMs: number, nowMs: number, tz?: string): { last?: number; count: number } {
  let t = sinceMs, last: number | undefined, count = 0;
  for (;;) {
    const n = nextIn(c, t, tz);
    if (n === undefined || n > nowMs) return { last, count };
    last = n; count++; t = n;
    if (count > MAX_MISSED) {
      // Too many to walk one by one: jump close to now and find the latest.
      let probe = Math.max(t, nowMs - 3 * 86400e3);
      for (;;) { const m = nextIn(c, probe, tz); if (m === undefined || m > nowMs) break; last = m; probe = m; }
      return { last, count };
    }
  }
}

export interface CronJobControllerOptions { store: Store; clock: Clock; cronjobs: Informer<CronJob>; jobs: Informer<Job>; recorder: EventRecorder; log?: (m: string) => void }

export function cronJobController(o: CronJobControllerOptions): Controller {
  const { store, clock, cronjobs, jobs, recorder } = o;
  const ownerKey = (j: Job): string[] => {
    const ref = controllerRef(j);
    return ref?.kind === 'CronJob' ? [`${j.metadata.namespace}/${ref.name}`] : [];
  };

  /** Delete a Job of `cj` (its pods in the background); gone or replaced already is fine. */
  const deleteJob = (cj: CronJob, j: Job) => store.delete(jobsR, j.metadata.namespace, j.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: j.metadata.uid } })
    .then(() => recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`), (e) => { if ((e as { code?: number }).code !== 409) ignoreNotFound(e); });

  async function reconcile(key: string, queue: WorkQueue): Promise<void> {
    const cj = cronjobs.get(key);
    if (!cj) return;
    if (cj.metadata.deletionTimestamp) return;
    const ns = cj.metadata.namespace!;
    const uid = cj.metadata.uid!;
    const spec: Partial<CronJobSpec> = cj.spec ?? {};
    const now = clock.now();
    const owned = jobs.byIndexValue('owner', uid).filter((j) => controllerRef(j)?.uid === uid);
    const status: Record<string, any> = structuredClone(cj.status ?? {});

    // Finished Jobs: note them once, track the last success, and trim the history.
    const finished = owned.filter((j) => jobFinished(j));
    for (const j of finished) {
      const c = jobFinished(j)!;
      if (status.active?.some((a: { uid: string }) => a.uid === j.metadata.uid)) recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${c.type}`);
      if (c.type === 'Complete' && j.status?.completionTime && (!status.lastSuccessfulTime || j.status.completionTime > status.lastSuccessfulTime)) status.lastSuccessfulTime = j.status.completionTime;
    }
    const trim = async (list: Job[], limit: number | undefined) => {
      if (limit == null) return;
      const sorted = [...list].sort((a, b) => (a.status?.startTime ?? a.metadata.creationTimestamp ?? '').localeCompare(b.status?.startTime ?? b.metadata.creationTimestamp ?? ''));
      for (const j of sorted.slice(0, Math.max(0, sorted.length - limit))) {
        if (j.metadata.deletionTimestamp) continue;
        await deleteJob(cj, j);
      }
    };
    await trim(finished.filter((j) => jobFinished(j)!.type === 'Complete'), spec.successfulJobsHistoryLimit);
    await trim(finished.filter((j) => jobFinished(j)!.type === 'Failed'), spec.failedJobsHistoryLimit);
    let active = owned.filter((j) => !jobFinished(j) && !j.metadata.deletionTimestamp);

    // The schedule.
    let sched: CronSchedule | undefined;
    try { sched = parseCron(spec.schedule ?? ''); } catch (e) {
      if (e instanceof CronError) recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${e.message}`);
      else throw e;
    }
    if (sched && spec.suspend !== true) {
      const since = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
      const { last, count } = missedTimes(sched, since, now, spec.timeZone);
      if (count > MAX_MISSED) recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      if (last !== undefined) {
        const tooLate = spec.startingDeadlineSeconds != null && now - last > spec.startingDeadlineSeconds * 1000;
        if (tooLate) {
          recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(last)}`);
        } else if (spec.concurrencyPolicy === 'Forbid' && active.length) {
          recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
          // The active Job's completion triggers another sync, which starts the missed run then.
        } else {
          if (spec.concurrencyPolicy === 'Replace') {
            for (const j of active) {
              await deleteJob(cj, j);
            }
            active = [];
          }
          const job = jobFor(cj, last);
          try {
            const made = await store.create(jobsR, ns, job);
            recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${made.metadata.name}`);
            active.push(made);
          } catch (e) {
            if ((e as { code?: number }).code !== 409) {
              recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
              throw e;
            }
          }
          status.lastScheduleTime = rfc3339(last);
        }
      }
      const next = nextIn(sched, now, spec.timeZone);
      if (next !== undefined) queue.addAfter(key, next - now + 1);
    }

    const refs = active.map((j) => ({ apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, namespace: ns, uid: j.metadata.uid, resourceVersion: j.metadata.resourceVersion }))
      .sort((a, b) => a.name!.localeCompare(b.name!));
    if (refs.length) status.active = refs; else delete status.active;
    if (JSON.stringify(stripRv(status)) !== JSON.stringify(stripRv(cj.status ?? {}))) {
      await store.guaranteedUpdate(cronJobsR, ns, cj.metadata.name!, (cur) => {
        if (cur.metadata.uid !== uid) return cur;
        cur.status = structuredClone(status);
        return cur;
      }, { subresource: 'status' }).catch(ignoreNotFound);
    }
  }

  return runController({
    name: 'cronjob', clock, log: o.log, workers: 2,
    watch: [{ informer: cronjobs }, { informer: jobs, toKeys: ownerKey }],
    reconcile,
  });
}

/** Active references compare without their resourceVersion (it changes on every Job status write). */
function stripRv(s: Record<string, any>): Record<string, any> {
  return { ...s, active: s.active?.map((a: Record<string, unknown>) => ({ ...a, resourceVersion: undefined })) };
}

/** The Job for scheduled time `at` (upstream's getJobFromTemplate2). */
export function jobFor(cj: CronJob, at: number): Job {
  const t: JobTemplateSpec = cj.spec?.jobTemplate ?? {};
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(at / 60000)}`,
      namespace: cj.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}), [SCHEDULED_TIMESTAMP]: rfc3339(at) },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: structuredClone(t.spec ?? ({} as JobSpec)), // validation requires the template's spec
  };
}
