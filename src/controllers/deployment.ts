// The Deployment controller (after upstream's pkg/controller/deployment): one ReplicaSet per pod
// template, named `<deployment>-<pod-template-hash>`; RollingUpdate bounded by maxSurge (rounded up)
// and maxUnavailable (rounded down), Recreate, proportional scaling of a rollout in progress,
// revision annotations, revisionHistoryLimit, paused, and the Available/Progressing conditions.
import { rfc3339 } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Store } from '../registry/store.ts';
import type { Deployment, DeploymentCondition, Pod, PodTemplateSpec, ReplicaSet } from '../types/generated.ts';
import { fromLabelSelectorObject, matchLabels } from '../api/selectors.ts';
import type { LabelSelector } from '../api/selectors.ts';
import { clone } from '../registry/codec.ts';
import { deepEqual } from '../util/deep-equal.ts';
import { StatusError } from '../errors.ts';
import { keyOf, runController } from './runtime.ts';
import type { Controller, Informer, WorkQueue } from './runtime.ts';
import type { EventRecorder } from './events.ts';
import { podTemplateHash } from './hash.ts';
import { controllerRef, ignoreNotFound, intOrPercent, newControllerRef, res, ts } from './util.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const HASH_LABEL = 'pod-template-hash';
/** Deployment annotations not copied onto its ReplicaSets (upstream's skip list). */
const NOT_COPIED = new Set(['kubectl.kubernetes.io/last-applied-configuration', REVISION, 'deployment.kubernetes.io/revision-history', DESIRED, MAX_REPLICAS, 'deprecated.deployment.rollback.to']);

type Cond = DeploymentCondition;

const replicasOf = (o: Deployment | ReplicaSet): number => o.spec?.replicas ?? 1;
const INT64_MAX = 2n ** 63n - 1n;
/**
 * The revision annotation as upstream's deploymentutil.Revision reads it: a base-10 int64 (revisions
 * such as 3546343826724305832 are beyond a double's exact range, hence bigint); absent is 0, anything
 * else is undefined (upstream logs the parse error and skips that ReplicaSet).
 */
export function parseRevision(v: string | undefined): bigint | undefined {
  if (v === undefined) return 0n;
  if (!/^[+-]?\d{1,19}$/.test(v)) return undefined;
  const n = BigInt(v);
  return n > INT64_MAX || n < -INT64_MAX - 1n ? undefined : n;
}
const revisionOf = (rs: { metadata: { annotations?: Record<string, string> } }): bigint => parseRevision(rs.metadata.annotations?.[REVISION]) ?? 0n;
const cmpBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
const isRolling = (d: Deployment) => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** maxSurge (rounded up) and maxUnavailable (rounded down); both 0 becomes unavailable 1, as upstream. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  if (!isRolling(d)) return { surge: 0, unavailable: 0 };
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const want = replicasOf(d);
  const surge = intOrPercent(ru.maxSurge, want, true, '25%');
  let unavailable = intOrPercent(ru.maxUnavailable, want, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
export function maxUnavailable(d: Deployment): number {
  const want = replicasOf(d);
  if (!isRolling(d) || want === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, want);
}

function withoutHash(t: PodTemplateSpec | undefined): unknown {
  const c: any = clone(t ?? {});
  if (c.metadata?.labels) { delete c.metadata.labels[HASH_LABEL]; if (!Object.keys(c.metadata.labels).length) delete c.metadata.labels; }
  if (c.metadata && !Object.keys(c.metadata).length) delete c.metadata;
  return c;
}
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean { return deepEqual(withoutHash(a), withoutHash(b)); }

function setCond(conds: Cond[], c: Cond, force = false): Cond[] {
  const cur = conds.find((x) => x.type === c.type);
  if (!force && cur && cur.status === c.status && cur.reason === c.reason) return conds;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  return [...conds.filter((x) => x.type !== c.type), c];
}

export interface DeploymentControllerOptions {
  store: Store; clock: Clock; deployments: Informer<Deployment>; replicasets: Informer<ReplicaSet>; pods: Informer<Pod>; recorder: EventRecorder; log?: (m: string) => void;
}

export function deploymentController(o: DeploymentControllerOptions): Controller {
  const { store, clock, deployments, replicasets, pods, recorder } = o;
  const dR = res('apps', 'v1', 'deployments');
  const rsR = res('apps', 'v1', 'replicasets');
  const now = () => rfc3339(clock.now());
  const cond = (type: string, status: string, reason: string, message: string): Cond => ({ type, status, lastUpdateTime: now(), lastTransitionTime: now(), reason, message });

  // Per-sync working state.
  interface Sync { d: Deployment; rsList: ReplicaSet[]; conds: Cond[]; queue: WorkQueue; key: string }

  async function claim(d: Deployment, sel: LabelSelector): Promise<ReplicaSet[]> {
    const uid = d.metadata.uid!;
    const out: ReplicaSet[] = [];
    for (const rs of replicasets.byIndexValue('owner', uid)) {
      if (controllerRef(rs)?.uid !== uid) continue;
      if (matchLabels(sel, rs.metadata.labels)) { out.push(rs); continue; }
      if (rs.metadata.deletionTimestamp) continue;
      await store.guaranteedUpdate(rsR, rs.metadata.namespace, rs.metadata.name!, (cur) => {
        cur.metadata.ownerReferences = (cur.metadata.ownerReferences ?? []).filter((r: { uid: string }) => r.uid !== uid);
        if (!cur.metadata.ownerReferences.length) delete cur.metadata.ownerReferences;
        return cur;
      }).catch(ignoreNotFound);
    }
    if (!d.metadata.deletionTimestamp) {
      for (const rs of replicasets.byIndexValue('orphan', d.metadata.namespace!)) {
        if (rs.metadata.deletionTimestamp || !matchLabels(sel, rs.metadata.labels)) continue;
        try {
          out.push(await store.guaranteedUpdate(rsR, rs.metadata.namespace, rs.metadata.name!, (cur) => {
            if (controllerRef(cur)) throw new Error('owned');
            cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), newControllerRef(d)];
            return cur;
          }));
        } catch { /* taken or gone */ }
      }
    }
    return out;
  }

  /** Split into the new ReplicaSet (template matches) and the old ones; optionally create the new one. */
  async function getAll(s: Sync, create: boolean): Promise<{ newRS?: ReplicaSet; old: ReplicaSet[] }> {
    const { d } = s;
    const sorted = [...s.rsList].sort((a, b) => ts(a) - ts(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
    let newRS = sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    const old = sorted.filter((rs) => rs !== newRS);
    const maxOld = old.reduce((m, rs) => (revisionOf(rs) > m ? revisionOf(rs) : m), 0n);
    const newRevision = maxOld + 1n;
    if (newRS) {
      // A revision that is not an int64 is left as it is (upstream logs it and does not update).
      const cur = parseRevision(newRS.metadata.annotations?.[REVISION]);
      if (cur !== undefined && cur < newRevision) {
        newRS = await store.guaranteedUpdate(rsR, newRS.metadata.namespace, newRS.metadata.name!, (cur) => {
          cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [REVISION]: String(newRevision) };
          return cur;
        });
        replace(s, newRS);
      }
      if (!s.conds.find((c) => c.type === 'Progressing')) {
        s.conds = setCond(s.conds, cond('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${newRS.metadata.name}"`));
      }
    } else if (create) {
      newRS = await createNewRS(s, old, newRevision);
    }
    if (newRS) await syncRevision(s, newRS.metadata.annotations?.[REVISION]);
    return { newRS, old };
  }

  async function syncRevision(s: Sync, rev: string | undefined): Promise<void> {
    if (!rev || s.d.metadata.annotations?.[REVISION] === rev) return;
    s.d = await store.guaranteedUpdate(dR, s.d.metadata.namespace, s.d.metadata.name!, (cur) => {
      if (cur.metadata.uid !== s.d.metadata.uid) throw new StatusError(409, 'Conflict', 'deployment was replaced');
      cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [REVISION]: rev };
      return cur;
    });
  }

  async function createNewRS(s: Sync, old: ReplicaSet[], revision: bigint): Promise<ReplicaSet> {
    const { d } = s;
    const collisions = d.status?.collisionCount ?? 0;
    const hash = podTemplateHash(d.spec?.template, collisions);
    const template = clone(d.spec?.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const selector = clone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries((d.metadata.annotations ?? {}) as Record<string, string>)) if (!NOT_COPIED.has(k)) annotations[k] = v;
    const { surge } = resolveFenceposts(d);
    annotations[REVISION] = String(revision);
    annotations[DESIRED] = String(replicasOf(d));
    annotations[MAX_REPLICAS] = String(replicasOf(d) + surge);
    const replicas = newRSReplicas(d, old, undefined);
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, annotations, ownerReferences: [newControllerRef(d)] },
      spec: { replicas, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    try {
      const created = await store.create(rsR, d.metadata.namespace, rs);
      s.rsList.push(created);
      if (replicas > 0) recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
      s.conds = setCond(s.conds, cond('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`), true);
      return created;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      // The name is taken: ours with the same template (a stale cache) is fine; anything else is a hash collision.
      const existing = await store.tryGet(rsR, d.metadata.namespace, rs.metadata.name!);
      if (existing && controllerRef(existing)?.uid === d.metadata.uid && equalIgnoreHash(existing.spec?.template, d.spec?.template)) {
        s.rsList.push(existing);
        return existing;
      }
      await store.guaranteedUpdate(dR, d.metadata.namespace, d.metadata.name!, (cur) => {
        cur.status = { ...(cur.status ?? {}), collisionCount: (cur.status?.collisionCount ?? 0) + 1 };
        return cur;
      }, { subresource: 'status' });
      throw new StatusError(409, 'Conflict', `hash collision for ReplicaSet ${rs.metadata.name}; retrying with a new collision count`);
    }
  }

  function replace(s: Sync, rs: ReplicaSet): void {
    s.rsList = s.rsList.map((x) => (x.metadata.uid === rs.metadata.uid ? rs : x));
  }

  /** Upstream's NewRSNewReplicas. */
  function newRSReplicas(d: Deployment, old: ReplicaSet[], newRS: ReplicaSet | undefined): number {
    if (!isRolling(d)) return replicasOf(d);
    const cur = newRS ? replicasOf(newRS) : 0;
    const total = old.reduce((a, rs) => a + replicasOf(rs), 0) + cur;
    const { surge } = resolveFenceposts(d);
    const maxTotal = replicasOf(d) + surge;
    if (total >= maxTotal) return cur;
    return cur + Math.max(0, Math.min(maxTotal - total, replicasOf(d) - cur));
  }

  async function scaleRS(s: Sync, rs: ReplicaSet, to: number): Promise<ReplicaSet> {
    const { d } = s;
    const from = replicasOf(rs);
    const desired = String(replicasOf(d));
    const max = String(replicasOf(d) + resolveFenceposts(d).surge);
    const a = rs.metadata.annotations ?? {};
    if (from === to && a[DESIRED] === desired && a[MAX_REPLICAS] === max) return rs;
    const out = await store.guaranteedUpdate(rsR, rs.metadata.namespace, rs.metadata.name!, (cur) => {
      cur.spec = { ...(cur.spec ?? {}), replicas: to };
      cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), [DESIRED]: desired, [MAX_REPLICAS]: max };
      return cur;
    });
    if (from !== to) recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`);
    replace(s, out);
    return out;
  }

  // ---------- rolling update ----------

  async function rolloutRolling(s: Sync): Promise<void> {
    let { newRS, old } = await getAll(s, true);
    if (newRS) {
      const want = replicasOf(s.d);
      const cur = replicasOf(newRS);
      const target = cur > want ? want : newRSReplicas(s.d, old, newRS);
      if (target !== cur) {
        await scaleRS(s, newRS, target);
        await syncRolloutStatus(s);
        return;
      }
    }
    newRS = s.rsList.find((x) => x.metadata.uid === newRS?.metadata.uid);
    old = old.map((x) => s.rsList.find((y) => y.metadata.uid === x.metadata.uid) ?? x);
    if (await reconcileOld(s, newRS, old)) { await syncRolloutStatus(s); return; }
    const st = calculateStatus(s, newRS);
    if (complete(s.d, st)) await cleanup(s, old);
    await syncRolloutStatus(s);
  }

  async function reconcileOld(s: Sync, newRS: ReplicaSet | undefined, old: ReplicaSet[]): Promise<boolean> {
    const oldCount = old.reduce((a, rs) => a + replicasOf(rs), 0);
    if (oldCount === 0) return false;
    const all = newRS ? [...old, newRS] : old;
    const allCount = all.reduce((a, rs) => a + replicasOf(rs), 0);
    const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
    const newUnavailable = newRS ? replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
    const maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // First, old ReplicaSets' unhealthy replicas (they cost no availability).
    let cleaned = 0;
    const byAge = [...old].sort((a, b) => ts(a) - ts(b));
    for (let i = 0; i < byAge.length; i++) {
      const rs = byAge[i];
      if (cleaned >= maxScaledDown) break;
      const r = replicasOf(rs);
      if (r === 0) continue;
      const unhealthy = r - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unhealthy);
      byAge[i] = await scaleRS(s, rs, r - n);
      cleaned += n;
    }
    // Then as many available ones as availability allows.
    const allNow = newRS ? [...byAge, newRS] : byAge;
    const available = allNow.reduce((a, rs) => a + (rs.status?.availableReplicas ?? 0), 0);
    let scaled = 0;
    if (available > minAvailable) {
      let budget = Math.min(available - minAvailable, maxScaledDown - cleaned);
      for (const rs of byAge) {
        if (budget <= 0) break;
        const r = replicasOf(rs);
        if (r === 0) continue;
        const n = Math.min(r, budget);
        await scaleRS(s, rs, r - n);
        budget -= n; scaled += n;
      }
    }
    return cleaned + scaled > 0;
  }

  // ---------- recreate ----------

  async function rolloutRecreate(s: Sync): Promise<void> {
    let { newRS, old } = await getAll(s, false);
    let scaled = false;
    for (const rs of old) if (replicasOf(rs) !== 0) { await scaleRS(s, rs, 0); scaled = true; }
    if (scaled) { await syncRolloutStatus(s); return; }
    old = old.map((x) => s.rsList.find((y) => y.metadata.uid === x.metadata.uid) ?? x);
    const oldRunning = old.some((rs) => (rs.status?.replicas ?? 0) > 0 ||
      pods.byIndexValue('owner', rs.metadata.uid!).some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed'));
    if (oldRunning) { await syncRolloutStatus(s); return; }
    ({ newRS, old } = await getAll(s, true));
    if (newRS && replicasOf(newRS) !== replicasOf(s.d)) { await scaleRS(s, newRS, replicasOf(s.d)); await syncRolloutStatus(s); return; }
    const st = calculateStatus(s, newRS);
    if (complete(s.d, st)) await cleanup(s, old);
    await syncRolloutStatus(s);
  }

  // ---------- scaling (paused, or replicas changed mid-rollout) ----------

  async function scale(s: Sync, newRS: ReplicaSet | undefined, old: ReplicaSet[]): Promise<void> {
    const d = s.d;
    const want = replicasOf(d);
    const active = [newRS, ...old].filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);
    const latest = newRS ?? [...old].sort((a, b) => ts(b) - ts(a))[0];
    const single = active.length === 1 ? active[0] : active.length === 0 ? latest : undefined;
    if (single) { if (replicasOf(single) !== want || single.metadata.annotations?.[DESIRED] !== String(want)) await scaleRS(s, single, want); return; }
    if (newRS && replicasOf(newRS) === want && (newRS.status?.availableReplicas ?? 0) === want) {
      for (const rs of old) if (replicasOf(rs) !== 0) await scaleRS(s, rs, 0);
      return;
    }
    if (!isRolling(d)) return;
    // Proportional scaling: spread the difference over the active ReplicaSets by their share.
    const allowed = want + resolveFenceposts(d).surge;
    const total = active.reduce((a, rs) => a + replicasOf(rs), 0);
    const toAdd = allowed - total;
    const sorted = [...active].sort((a, b) => toAdd > 0
      ? replicasOf(b) - replicasOf(a) || ts(b) - ts(a)
      : replicasOf(b) - replicasOf(a) || ts(a) - ts(b));
    let added = 0;
    const targets = new Map<ReplicaSet, number>();
    for (const rs of sorted) {
      let proportion = 0;
      if (toAdd !== 0) {
        const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? 0) || (d.status?.replicas ?? 0);
        const frac = want === 0 ? -replicasOf(rs) : (annotated ? Math.round((replicasOf(rs) * allowed) / annotated) - replicasOf(rs) : 0);
        const left = toAdd - added;
        proportion = toAdd > 0 ? Math.min(frac, left) : Math.max(frac, left);
      }
      targets.set(rs, replicasOf(rs) + proportion);
      added += proportion;
    }
    if (sorted.length && added !== toAdd) targets.set(sorted[0], Math.max(0, targets.get(sorted[0])! + toAdd - added));
    for (const [rs, n] of targets) await scaleRS(s, rs, Math.max(0, n));
  }

  // ---------- cleanup and status ----------

  async function cleanup(s: Sync, old: ReplicaSet[]): Promise<void> {
    const limit = s.d.spec?.revisionHistoryLimit ?? 10;
    const cleanable = old.filter((rs) => replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp)
      .sort((a, b) => cmpBig(revisionOf(a), revisionOf(b)) || ts(a) - ts(b));
    const n = cleanable.length - limit;
    for (let i = 0; i < n; i++) {
      await store.delete(rsR, cleanable[i].metadata.namespace, cleanable[i].metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: cleanable[i].metadata.uid } }).catch(ignoreNotFound);
    }
  }

  function calculateStatus(s: Sync, newRS: ReplicaSet | undefined): Record<string, any> {
    const d = s.d;
    let replicas = 0, ready = 0, available = 0;
    for (const rs of s.rsList) {
      replicas += rs.status?.replicas ?? 0;
      ready += rs.status?.readyReplicas ?? 0;
      available += rs.status?.availableReplicas ?? 0;
    }
    const want = replicasOf(d);
    const st: Record<string, any> = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas, updatedReplicas: newRS?.status?.replicas ?? 0, readyReplicas: ready, availableReplicas: available,
      unavailableReplicas: Math.max(0, want - available),
    };
    if (d.status?.collisionCount !== undefined) st.collisionCount = d.status.collisionCount;
    let conds = s.conds;
    conds = available >= want - maxUnavailable(d)
      ? setCond(conds, cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'))
      : setCond(conds, cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'));
    st.conditions = conds;
    return st;
  }

  function complete(d: Deployment, st: Record<string, any>): boolean {
    const want = replicasOf(d);
    return st.updatedReplicas === want && st.replicas === want && st.availableReplicas === want && st.observedGeneration >= (d.metadata.generation ?? 1);
  }

  async function writeStatus(s: Sync, st: Record<string, any>): Promise<void> {
    const cur = s.d.status ?? {};
    const trimmed = trim(st);
    if (deepEqual(trim({ ...cur }), trimmed)) return;
    s.d = await store.guaranteedUpdate(dR, s.d.metadata.namespace, s.d.metadata.name!, (c) => {
      if (c.metadata.uid !== s.d.metadata.uid) return c;
      c.status = trimmed;
      return c;
    }, { subresource: 'status' });
  }

  async function syncStatusOnly(s: Sync): Promise<void> {
    const { newRS } = await getAll(s, false);
    await writeStatus(s, calculateStatus(s, newRS));
  }

  async function syncRolloutStatus(s: Sync): Promise<void> {
    const d = s.d;
    const newRS = s.rsList.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    const st = calculateStatus(s, newRS);
    const deadline = d.spec?.progressDeadlineSeconds ?? 600;
    const hasDeadline = deadline !== 2147483647;
    let conds: Cond[] = st.conditions;
    if (!hasDeadline) conds = conds.filter((c) => c.type !== 'Progressing');
    const current = conds.find((c) => c.type === 'Progressing');
    const alreadyComplete = st.replicas === st.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
    const name = newRS?.metadata.name;
    if (hasDeadline && !alreadyComplete && !d.spec?.paused) {
      const old = d.status ?? {};
      const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
      const newOld = st.replicas - st.updatedReplicas;
      if (complete(d, st)) {
        conds = setCond(conds, cond('Progressing', 'True', 'NewReplicaSetAvailable', name ? `ReplicaSet "${name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`));
      } else if (st.updatedReplicas > (old.updatedReplicas ?? 0) || newOld < oldOld || st.readyReplicas > (old.readyReplicas ?? 0) || st.availableReplicas > (old.availableReplicas ?? 0)) {
        const c = cond('Progressing', 'True', 'ReplicaSetUpdated', name ? `ReplicaSet "${name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`);
        conds = setCond(conds, c, true);
      } else if (timedOut(current, deadline)) {
        conds = setCond(conds, cond('Progressing', 'False', 'ProgressDeadlineExceeded', name ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`));
      }
    }
    st.conditions = conds;
    await writeStatus(s, st);
    // A rollout that stops moving must be looked at again when its deadline passes.
    const p = conds.find((c) => c.type === 'Progressing');
    if (hasDeadline && p && p.reason !== 'NewReplicaSetAvailable' && p.reason !== 'ProgressDeadlineExceeded' && !complete(d, st) && !d.spec?.paused) {
      const at = (Date.parse(p.lastUpdateTime ?? '') || clock.now()) + deadline * 1000;
      s.queue.addAfter(s.key, Math.max(1000, at - clock.now() + 1000));
    }
  }

  function timedOut(c: Cond | undefined, deadline: number): boolean {
    if (!c) return false;
    if (c.reason === 'NewReplicaSetAvailable') return false;
    if (c.reason === 'ProgressDeadlineExceeded') return true;
    const from = Date.parse(c.lastUpdateTime ?? '');
    return Number.isFinite(from) && from + deadline * 1000 < clock.now();
  }

  async function checkPaused(s: Sync): Promise<void> {
    const p = s.conds.find((c) => c.type === 'Progressing');
    const pausedCond = p?.reason === 'DeploymentPaused';
    if (s.d.spec?.paused && !pausedCond) s.conds = setCond(s.conds, cond('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'), true);
    else if (!s.d.spec?.paused && pausedCond) s.conds = setCond(s.conds, cond('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed'), true);
  }

  function isScalingEvent(s: Sync): boolean {
    const want = String(replicasOf(s.d));
    return s.rsList.some((rs) => replicasOf(rs) > 0 && rs.metadata.annotations?.[DESIRED] !== undefined && rs.metadata.annotations[DESIRED] !== want);
  }

  async function reconcile(key: string, queue: WorkQueue): Promise<void> {
    const d = deployments.get(key);
    if (!d) return;
    const sel = fromLabelSelectorObject(d.spec?.selector);
    if (!sel || !sel.length) {
      recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const s: Sync = { d, rsList: await claim(d, sel), conds: [...((d.status?.conditions ?? []) as Cond[])], queue, key };
    if (d.metadata.deletionTimestamp) { await syncStatusOnly(s); return; }
    await checkPaused(s);
    if (d.spec?.paused || isScalingEvent(s)) {
      const { newRS, old } = await getAll(s, false);
      await scale(s, newRS, old);
      if (d.spec?.paused) await cleanup(s, old.map((x) => s.rsList.find((y) => y.metadata.uid === x.metadata.uid) ?? x));
      const cur = s.rsList.find((x) => x.metadata.uid === newRS?.metadata.uid);
      await writeStatus(s, calculateStatus(s, cur));
      return;
    }
    if (isRolling(d)) await rolloutRolling(s);
    else await rolloutRecreate(s);
  }

  const ctrl = runController({
    name: 'deployment', clock, log: o.log, workers: 8,
    watch: [
      { informer: deployments },
      {
        informer: replicasets, toKeys: (rs) => {
          const ref = controllerRef(rs);
          if (ref) return ref.kind === 'Deployment' ? [`${rs.metadata.namespace}/${ref.name}`] : [];
          const out: string[] = [];
          for (const d of deployments.byIndexValue('namespace', rs.metadata.namespace!)) {
            const sel = fromLabelSelectorObject(d.spec?.selector);
            if (sel && sel.length && matchLabels(sel, rs.metadata.labels)) out.push(keyOf(d));
          }
          return out;
        },
      },
    ],
    reconcile,
  });
  // Recreate waits for old pods to be gone: a deleted pod wakes its deployment.
  pods.on({
    delete: (p) => {
      const ref = controllerRef(p);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = replicasets.get(`${p.metadata.namespace}/${ref.name}`);
      const dref = rs && controllerRef(rs);
      if (dref?.kind === 'Deployment') {
        const d = deployments.get(`${p.metadata.namespace}/${dref.name}`);
        if (d && d.spec?.strategy?.type === 'Recreate') ctrl.queue.add(keyOf(d));
      }
    },
  });
  return ctrl;
}

/** Status as upstream serialises it: zero counters omitted except `replicas`... kept simple: drop undefined. */
function trim(st: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(st)) {
    if (v === undefined) continue;
    if (v === 0 && k !== 'observedGeneration' && k !== 'replicas' && k !== 'collisionCount') continue;
    out[k] = v;
  }
  return out;
}
