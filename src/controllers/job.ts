// Job controller (after upstream's pkg/controller/job): runs a Job's pods to completion.
// - pods come from the template with a controller ownerReference and the
//   `batch.kubernetes.io/job-tracking` finalizer; Indexed Jobs get one pod per completion index
//   (annotation/label batch.kubernetes.io/job-completion-index, hostname <job>-<i>,
//   env JOB_COMPLETION_INDEX);
// - finished pods are counted exactly once: their uids go to status.uncountedTerminatedPods, their
//   finalizers are removed, then they move into status.succeeded / status.failed;
// - parallelism, completions (nil = work queue), backoffLimit (with restartPolicy OnFailure the
//   restarts count), the 10 s·2^n (max 6 min) delay before replacing failed pods,
//   activeDeadlineSeconds, suspend/resume, podFailurePolicy (FailJob, Ignore, Count on exit codes
//   and pod conditions), podReplacementPolicy;
// - finishing as 1.32 does: SuccessCriteriaMet or FailureTarget first, remaining pods deleted,
//   then Complete (with completionTime) or Failed; events SuccessfulCreate, SuccessfulDelete,
//   Completed, BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy, Suspended, Resumed;
// - ttlSecondsAfterFinished: the finished Job is deleted (background propagation) after the TTL,
//   as upstream's ttl-after-finished controller does.
// Not supported (stated in the README): backoffLimitPerIndex/maxFailedIndexes (FailIndex rules),
// successPolicy, managedBy other than the default controller; such Jobs are run without them.
import type { Clock } from '../clock.ts';
import { rfc3339 } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';
import type { Job, JobSpec, Pod } from '../types/generated.ts';
import { fromLabelSelectorObject, matchLabels } from '../api/selectors.ts';
import { keyOf, runController } from './runtime.ts';
import type { Controller, Informer, WorkQueue } from './runtime.ts';
import { Expectations } from './expectations.ts';
import type { EventRecorder } from './events.ts';
import { podFromTemplate, rankForDeletion } from './replicaset.ts';
import { createPods, deletePods, runLimited } from './podops.ts';
import { adoptOrphan, controllerRef, ignoreNotFound, isPodReady, res } from './util.ts';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const BURST = 500;
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

type Cond = { type: string; status: string; lastProbeTime: string; lastTransitionTime: string; reason?: string; message?: string };

export interface JobControllerOptions { store: Store; clock: Clock; jobs: Informer<Job>; pods: Informer<Pod>; recorder: EventRecorder; log?: (m: string) => void }

const podsR = res('', 'v1', 'pods');
const jobsR = res('batch', 'v1', 'jobs');

const phase = (p: Pod) => p.status?.phase;
const isTerminal = (p: Pod) => phase(p) === 'Succeeded' || phase(p) === 'Failed';
const hasFinalizer = (p: Pod) => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
const cond = (j: Job, type: string): Cond | undefined => has((j.status?.conditions ?? []) as Cond[], type);
export const jobFinished = (j: Job): Cond | undefined => cond(j, 'Complete') ?? cond(j, 'Failed');
const podIndex = (p: Pod): number | undefined => {
  const v = p.metadata.annotations?.[COMPLETION_INDEX] ?? p.metadata.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};

/** "1,3-5,7" ⇄ sorted index lists (upstream's completedIndexes format). */
export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]), b = m[2] !== undefined ? Number(m[2]) : a;
    for (let i = a; i <= b && i - a < 1_000_000; i++) out.add(i);
  }
  return out;
}
export function formatIndexes(set: Set<number>): string {
  const xs = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < xs.length;) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    parts.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

// `action` is the rule's: FailJob, Ignore, Count, or FailIndex, which (unsupported, see above) counts as Count.
interface PodFailureVerdict { action: string; message?: string }

/** The first matching podFailurePolicy rule for a failed pod (upstream's matchPodFailurePolicy). */
export function matchPodFailurePolicy(job: Job, pod: Pod): PodFailureVerdict | undefined {
  const rules = job.spec?.podFailurePolicy?.rules;
  if (!rules?.length) return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.onExitCodes) {
      const { containerName, operator, values } = r.onExitCodes;
      for (const s of statuses) {
        const code = s.state?.terminated?.exitCode;
        if (code === undefined || code === 0 || (containerName && s.name !== containerName)) continue;
        const inValues = values.includes(code);
        if ((operator === 'In' && inValues) || (operator === 'NotIn' && !inValues)) {
          return { action: r.action, message: `Container ${s.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${code} matching ${r.action} rule at index ${i}` };
        }
      }
    } else if (r.onPodConditions) {
      for (const pat of r.onPodConditions) {
        const c = (pod.status?.conditions ?? []).find((x) => x.type === pat.type && x.status === (pat.status ?? 'True'));
        if (c) return { action: r.action, message: `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${pat.type} matching ${r.action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}

/** The pod a Job creates (for Indexed Jobs, for completion index `index`). */
export function jobPod(job: Job, index?: number): Pod {
  const pod = podFromTemplate(job);
  pod.metadata.finalizers = [...new Set([...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER])];
  if (index !== undefined) {
    const i = String(index);
    pod.metadata.generateName = `${job.metadata.name}-${i}-`;
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX]: i };
    pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX]: i };
    pod.spec.hostname ??= `${job.metadata.name}-${i}`;
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX}']` } } };
    for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])] as { env?: { name: string }[] }[]) {
      if (!(c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) c.env = [...(c.env ?? []), env];
    }
  }
  return pod;
}

export function jobController(o: JobControllerOptions): Controller {
  const { store, clock, jobs, pods, recorder } = o;
  const exp = new Expectations(clock);
  const jobKeyOf = (p: Pod): string | undefined => {
    const ref = controllerRef(p);
    return ref?.kind === 'Job' && ref.apiVersion?.startsWith('batch/') ? `${p.metadata.namespace}/${ref.name}` : undefined;
  };
  pods.on({
    add: (p) => { const k = jobKeyOf(p); if (k) { exp.observedCreate(k); if (p.metadata.deletionTimestamp) exp.observedDelete(k, keyOf(p)); } },
    update: (p) => { const k = jobKeyOf(p); if (k && p.metadata.deletionTimestamp) exp.observedDelete(k, keyOf(p)); },
    delete: (p) => { const k = jobKeyOf(p); if (k) exp.observedDelete(k, keyOf(p)); },
  });
  /** A pod event concerns its Job; a tracked pod whose Job is gone needs its finalizer removed. */
  const keysForPod = (p: Pod): string[] => {
    const k = jobKeyOf(p);
    if (k) {
      const j = jobs.get(k);
      if (j && j.metadata.uid === controllerRef(p)!.uid) return [k];
      return hasFinalizer(p) ? [`pod:${keyOf(p)}`] : [];
    }
    if (controllerRef(p) || p.metadata.deletionTimestamp) return [];
    const out: string[] = [];
    for (const j of jobs.byIndexValue('namespace', p.metadata.namespace!)) {
      const sel = fromLabelSelectorObject(j.spec?.selector);
      if (sel && matchLabels(sel, p.metadata.labels)) out.push(keyOf(j));
    }
    return out;
  };

  const removeFinalizer = (p: Pod) => store.guaranteedUpdate(podsR, p.metadata.namespace, p.metadata.name!, (cur) => {
    if (cur.metadata.uid !== p.metadata.uid) return cur;
    const f = (cur.metadata.finalizers ?? []).filter((x: string) => x !== JOB_TRACKING_FINALIZER);
    if (f.length) cur.metadata.finalizers = f; else delete cur.metadata.finalizers;
    return cur;
  }).then(() => true, (e) => { ignoreNotFound(e); return true; });

  const releasePod = (p: Pod, jobUid: string) => store.guaranteedUpdate(podsR, p.metadata.namespace, p.metadata.name!, (cur) => {
    if (cur.metadata.uid !== p.metadata.uid) return cur;
    const refs = (cur.metadata.ownerReferences ?? []).filter((r: { uid: string }) => r.uid !== jobUid);
    if (refs.length) cur.metadata.ownerReferences = refs; else delete cur.metadata.ownerReferences;
    const f = (cur.metadata.finalizers ?? []).filter((x: string) => x !== JOB_TRACKING_FINALIZER);
    if (f.length) cur.metadata.finalizers = f; else delete cur.metadata.finalizers;
    return cur;
  }).catch(ignoreNotFound);

  async function writeStatus(job: Job, status: Record<string, any>): Promise<KObject> {
    return store.guaranteedUpdate(jobsR, job.metadata.namespace, job.metadata.name!, (cur) => {
      if (cur.metadata.uid !== job.metadata.uid) return cur;
      cur.status = structuredClone(status);
      return cur;
    }, { subresource: 'status' });
  }

  async function orphanPod(key: string): Promise<void> {
    const p = pods.get(key.slice(4));
    if (!p || !hasFinalizer(p)) return;
    const k = jobKeyOf(p);
    const j = k ? jobs.get(k) : undefined;
    if (j && j.metadata.uid === controllerRef(p)?.uid) return;
    await removeFinalizer(p);
  }

  async function reconcile(key: string, queue: WorkQueue): Promise<void> {
    if (key.startsWith('pod:')) return orphanPod(key);
    const job = jobs.get(key);
    if (!job) { exp.forget(key); return; }
    const ns = job.metadata.namespace!;
    const uid = job.metadata.uid!;
    const now = clock.now();
    const spec: Partial<JobSpec> = job.spec ?? {};
    const indexed = spec.completionMode === 'Indexed';
    const sel = fromLabelSelectorObject(spec.selector);
    if (!sel) return;

    // Claim pods: owned ones that match, plus orphans that match (adopted, with the tracking finalizer);
    // owned ones that stopped matching are released (upstream's ReleasePod: owner reference and finalizer go).
    const mine: Pod[] = [];
    for (const p of pods.byIndexValue('owner', uid)) {
      if (controllerRef(p)?.uid !== uid) continue;
      if (matchLabels(sel, p.metadata.labels) || p.metadata.deletionTimestamp || jobFinished(job)) { mine.push(p); continue; }
      await releasePod(p, uid);
    }
    if (!job.metadata.deletionTimestamp && !jobFinished(job)) {
      for (const p of pods.byIndexValue('orphan', ns)) {
        if (p.metadata.deletionTimestamp || !matchLabels(sel, p.metadata.labels)) continue;
        const adopted = await adoptOrphan(store, podsR, p, job);
        if (adopted) mine.push(adopted);
      }
    }

    const status: Record<string, any> = structuredClone(job.status ?? {});
    status.uncountedTerminatedPods ??= {};
    const uncounted = { succeeded: new Set<string>(status.uncountedTerminatedPods.succeeded ?? []), failed: new Set<string>(status.uncountedTerminatedPods.failed ?? []) };
    const completed = parseIndexes(status.completedIndexes);
    const conds: Cond[] = status.conditions ?? [];
    const finishing = cond(job, 'SuccessCriteriaMet') ?? cond(job, 'FailureTarget');
    const finished = jobFinished(job);

    const waitTerminal = !!spec.podFailurePolicy || spec.podReplacementPolicy === 'Failed';
    // 1. Newly finished pods: record their uids as uncounted, then remove their finalizers.
    //    A pod deleted before it finished counts as failed, unless the Job is already finishing.
    const toRelease: Pod[] = [];
    for (const p of mine) {
      if (!hasFinalizer(p)) continue;
      const pu = p.metadata.uid!;
      if (uncounted.succeeded.has(pu) || uncounted.failed.has(pu)) { toRelease.push(p); continue; }
      // With a podFailurePolicy (or podReplacementPolicy Failed) a deleted pod is judged once it is
      // terminal (its conditions and exit codes are final then), as upstream's isPodFailed; one on no
      // node never gets there and counts at once.
      const deleted = !!p.metadata.deletionTimestamp && !(waitTerminal && p.spec?.nodeName);
      if (!isTerminal(p) && !deleted && !finished) continue;
      toRelease.push(p);
      // Not counted: the Job has its outcome already, or the pod was stopped by a suspension.
      if (finished || (!isTerminal(p) && (finishing || spec.suspend === true))) continue;
      if (phase(p) === 'Succeeded') {
        uncounted.succeeded.add(pu);
        const i = podIndex(p);
        if (indexed && i !== undefined && i < (spec.completions ?? 0)) completed.add(i);
      } else {
        const verdict = phase(p) === 'Failed' ? matchPodFailurePolicy(job, p) : undefined;
        if (verdict?.action === 'Ignore') continue; // replaced, but not counted against backoffLimit
        uncounted.failed.add(pu);
        if (verdict?.action === 'FailJob' && !finishing) {
          setCond(conds, 'FailureTarget', 'PodFailurePolicy', verdict.message!, now);
        }
      }
    }
    const uncountedChanged = uncounted.succeeded.size !== (status.uncountedTerminatedPods.succeeded ?? []).length || uncounted.failed.size !== (status.uncountedTerminatedPods.failed ?? []).length;
    let written: unknown = job.status; // the status last stored (the cached Job itself is never modified)
    if (uncountedChanged) {
      status.uncountedTerminatedPods = compactUncounted(uncounted);
      if (indexed) setOrDelete(status, 'completedIndexes', formatIndexes(completed));
      status.conditions = conds;
      written = structuredClone((await writeStatus(job, status)).status);
    }
    const released = new Set<string>();
    await runLimited(toRelease.length, 32, async (i) => { if (await removeFinalizer(toRelease[i])) released.add(toRelease[i].metadata.uid!); });
    // 2. Move released uids into the counters.
    for (const u of [...uncounted.succeeded]) if (released.has(u) || !mine.some((p) => p.metadata.uid === u)) { uncounted.succeeded.delete(u); status.succeeded = (status.succeeded ?? 0) + 1; }
    for (const u of [...uncounted.failed]) if (released.has(u) || !mine.some((p) => p.metadata.uid === u)) { uncounted.failed.delete(u); status.failed = (status.failed ?? 0) + 1; }
    status.uncountedTerminatedPods = compactUncounted(uncounted);
    if (finished) {
      if (!sameJson(written, status)) await writeStatus(job, status).catch(ignoreNotFound);
      await ttl(job, key, queue);
      return;
    }

    const live = mine.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    const terminating = mine.filter((p) => !isTerminal(p) && p.metadata.deletionTimestamp).length;
    const restarts = spec.template?.spec?.restartPolicy === 'OnFailure'
      ? live.reduce((a, p) => a + ((p.status?.containerStatuses ?? []) as { restartCount?: number }[]).reduce((s, c) => s + (c.restartCount ?? 0), 0), 0) : 0;
    const succeeded = status.succeeded ?? 0;
    const failures = (status.failed ?? 0) + uncounted.failed.size + restarts;

    // 3. Suspension.
    const suspended = spec.suspend === true;
    const wasSuspended = conds.find((c) => c.type === 'Suspended')?.status === 'True';
    if (suspended && !wasSuspended && !finishing) {
      setCond(conds, 'Suspended', 'JobSuspended', 'Job suspended', now);
      recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
    } else if (!suspended && wasSuspended) {
      setCond(conds, 'Suspended', 'JobResumed', 'Job resumed', now, 'False');
      status.startTime = rfc3339(now);
      recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
    }
    if (!suspended && !status.startTime) status.startTime = rfc3339(now);

    // 4. Outcome.
    if (!has(conds, 'SuccessCriteriaMet') && !has(conds, 'FailureTarget')) {
      const backoffLimit = spec.backoffLimit ?? 6;
      const startMs = Date.parse(status.startTime ?? '') || now;
      if (failures > backoffLimit) setCond(conds, 'FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      else if (!suspended && spec.activeDeadlineSeconds != null && now - startMs >= spec.activeDeadlineSeconds * 1000) setCond(conds, 'FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      else if (indexed ? completed.size >= (spec.completions ?? 0) : spec.completions != null ? succeeded >= spec.completions : succeeded > 0 && live.length === 0) {
        setCond(conds, 'SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (!suspended && spec.activeDeadlineSeconds != null) {
        queue.addAfter(key, startMs + spec.activeDeadlineSeconds * 1000 - now + 1);
      }
    }
    const target = has(conds, 'SuccessCriteriaMet') ?? has(conds, 'FailureTarget');

    // 5. Pods: delete them all when finishing or suspended, else keep the wanted number running.
    let active = live;
    let deletedNow = 0;
    if (exp.satisfied(key) && !job.metadata.deletionTimestamp) {
      if (target || suspended) {
        deletedNow += await deleteJobPods(job, key, live);
        active = [];
      } else {
        const parallelism = Math.max(0, spec.parallelism ?? 1);
        // Replacements wait for terminating pods when podReplacementPolicy is Failed.
        const blocked = spec.podReplacementPolicy === 'Failed' ? terminating : 0;
        let want: number;
        let creates: (number | undefined)[] = [];
        let surplus: Pod[] = [];
        if (indexed) {
          const completions = spec.completions ?? 0; // validation requires it for Indexed Jobs
          const byIndex = new Map<number, Pod[]>();
          for (const p of live) {
            const i = podIndex(p);
            if (i === undefined || i >= completions || completed.has(i)) { surplus.push(p); continue; }
            byIndex.set(i, [...(byIndex.get(i) ?? []), p]);
          }
          for (const ps of byIndex.values()) if (ps.length > 1) surplus.push(...rankForDeletion(ps).slice(0, ps.length - 1));
          want = Math.min(parallelism, completions - completed.size);
          const running = live.length - surplus.length;
          const pending: number[] = [];
          for (let i = 0; i < completions && pending.length < want - running - blocked; i++) if (!completed.has(i) && !byIndex.has(i)) pending.push(i);
          creates = pending;
          if (running > want) surplus.push(...rankForDeletion(live.filter((p) => !surplus.includes(p))).slice(0, running - want));
        } else {
          // A work queue (completions unset) starts no pod once one succeeded, and lets the others finish.
          want = spec.completions == null ? (succeeded > 0 ? Math.min(live.length, parallelism) : parallelism) : Math.min(parallelism, Math.max(0, spec.completions - succeeded));
          if (live.length > want) surplus = rankForDeletion(live).slice(0, live.length - want);
          else creates = Array.from({ length: Math.max(0, want - live.length - blocked) }, () => undefined);
        }
        if (surplus.length) {
          deletedNow += await deleteJobPods(job, key, surplus.slice(0, BURST));
          active = live.filter((p) => !surplus.includes(p));
        }
        if (creates.length) {
          // After failures, replacements wait 10 s · 2^(failures-1), at most 6 minutes, from the last failure.
          const fails = (status.failed ?? 0) + uncounted.failed.size;
          const delay = fails > 0 ? Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(fails - 1, 10)) : 0;
          const last = lastFailureMs(mine);
          const wait = fails > 0 && last > 0 ? last + delay - now : 0;
          if (wait > 0) queue.addAfter(key, wait + 1);
          else active = [...active, ...await createJobPods(job, key, creates.slice(0, BURST))];
        }
      }
    }
    // 6. Status.
    setOrDelete(status, 'active', active.length);
    status.ready = active.filter(isPodReady).length;
    status.terminating = terminating;
    if (indexed) setOrDelete(status, 'completedIndexes', formatIndexes(completed));
    status.conditions = conds;
    if (!conds.length) delete status.conditions;
    // Finishing: once no pod is left running or terminating, the final condition.
    const t = target;
    if (t && active.length === 0 && terminating === 0 && deletedNow === 0) {
      const type = t.type === 'SuccessCriteriaMet' ? 'Complete' : 'Failed';
      setCond(conds, type, t.reason!, t.message!, now);
      if (type === 'Complete') {
        status.completionTime = rfc3339(now);
        recorder.event(job, 'Normal', 'Completed', 'Job completed');
      } else recorder.event(job, 'Warning', t.reason!, t.message!);
    } else if (t) queue.addAfter(key, 1000);
    if (!sameJson(written, status)) {
      const out = await writeStatus(job, status).catch((e) => { ignoreNotFound(e); return undefined; });
      // A Job that just finished: its TTL (if any) starts now.
      if (out && jobFinished(out) && spec.ttlSecondsAfterFinished != null) queue.addAfter(key, 1);
    }
  }

  /** ttl-after-finished: delete the Job (and, in the background, its pods) once its TTL has passed. */
  async function ttl(job: Job, key: string, queue: WorkQueue): Promise<void> {
    const secs = job.spec?.ttlSecondsAfterFinished;
    if (secs == null || job.metadata.deletionTimestamp) return;
    const done = jobFinished(job);
    const at = (Date.parse(job.status?.completionTime ?? done?.lastTransitionTime ?? '') || clock.now()) + secs * 1000;
    const wait = at - clock.now();
    if (wait > 0) { queue.addAfter(key, wait + 1); return; }
    await store.delete(jobsR, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } }).catch((e) => {
      if ((e as { code?: number }).code === 409) return;
      ignoreNotFound(e);
    });
  }

  const writer = { store, recorder, exp };
  const deleteJobPods = async (job: Job, key: string, victims: Pod[]) => { await deletePods(writer, job, key, victims); return victims.length; };
  const createJobPods = (job: Job, key: string, indexes: (number | undefined)[]) => createPods(writer, job, key, indexes.map((i) => jobPod(job, i)));

  return runController({
    name: 'job', clock, log: o.log, workers: 4,
    watch: [{ informer: jobs }, { informer: pods, toKeys: keysForPod }],
    reconcile,
  });
}

/** When the newest failure happened: the latest container finish (or deletion) among failed pods; 0 if unknown. */
function lastFailureMs(pods: Pod[]): number {
  let last = 0;
  for (const p of pods) {
    if (phase(p) === 'Succeeded' || (phase(p) !== 'Failed' && !p.metadata.deletionTimestamp)) continue;
    for (const s of (p.status?.containerStatuses ?? []) as { state?: { terminated?: { finishedAt?: string } } }[]) {
      last = Math.max(last, Date.parse(s.state?.terminated?.finishedAt ?? '') || 0);
    }
    last = Math.max(last, Date.parse(p.metadata.deletionTimestamp ?? '') || 0);
  }
  return last;
}

function has(conds: Cond[], type: string): Cond | undefined { return conds.find((c) => c.type === type && c.status === 'True'); }

function setCond(conds: Cond[], type: string, reason: string, message: string, now: number, status = 'True'): void {
  const t = rfc3339(now);
  const i = conds.findIndex((c) => c.type === type);
  const c: Cond = { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
  if (i < 0) conds.push(c);
  else if (conds[i].status === status) conds[i] = { ...conds[i], lastProbeTime: t, reason, message };
  else conds[i] = c;
}

function compactUncounted(u: { succeeded: Set<string>; failed: Set<string> }): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (u.succeeded.size) out.succeeded = [...u.succeeded];
  if (u.failed.size) out.failed = [...u.failed];
  return out;
}

function setOrDelete(o: Record<string, any>, k: string, v: number | string): void {
  if (v === 0 || v === '') delete o[k]; else o[k] = v;
}

function sameJson(a: unknown, b: unknown): boolean { return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {}); }
