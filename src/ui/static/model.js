// The page's model: slim copies of the objects the views draw, kept current by informers (kube.js).
// Each kind is reduced on arrival to the few fields the views need, so 10,000 pods stay cheap.

const key = (o) => (o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata?.name ?? '');
const cond = (o, type) => (o.status?.conditions ?? []).find((c) => c.type === type);
const BAD_WAITING = new Set(['CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'CreateContainerError', 'CreateContainerConfigError', 'InvalidImageName', 'RunContainerError']);

export function slimPod(p) {
  const st = p.status ?? {};
  let reason = st.reason ?? '';
  let restarts = 0;
  let bad = false;
  for (const c of [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])]) {
    restarts += c.restartCount ?? 0;
    const waiting = c.state?.waiting?.reason;
    if (waiting) { reason ||= waiting; bad ||= BAD_WAITING.has(waiting); }
    const term = c.state?.terminated?.reason;
    if (term && !reason) reason = term;
  }
  const owner = p.metadata?.ownerReferences?.[0];
  const slim = {
    key: key(p), ns: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', node: p.spec?.nodeName ?? '',
    phase: st.phase ?? 'Pending', ready: cond(p, 'Ready')?.status === 'True', deleting: !!p.metadata?.deletionTimestamp,
    reason, restarts, bad, owner: owner ? `${owner.kind}/${owner.name}` : '', ip: st.podIP ?? '', created: p.metadata?.creationTimestamp ?? '', cls: '',
  };
  slim.cls = podClass(slim);
  return slim;
}

/** The colour class of a pod's mark: phase first, then readiness, termination and trouble. */
export function podClass(p) {
  if (p.deleting) return 'terminating';
  if (p.bad || p.phase === 'Failed') return 'failed';
  if (p.phase === 'Running') return p.ready ? 'running' : 'notready';
  if (p.phase === 'Succeeded') return 'succeeded';
  if (p.phase === 'Pending') return 'pending';
  return 'unknown';
}

export function slimNode(n) {
  const ready = cond(n, 'Ready');
  return {
    key: key(n), name: n.metadata?.name ?? '', ready: ready?.status ?? 'Unknown', readyReason: ready?.reason ?? '',
    cordoned: !!n.spec?.unschedulable, taints: (n.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
    podCapacity: Number(n.status?.allocatable?.pods ?? n.status?.capacity?.pods ?? 110) || 110,
    zone: n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '', created: n.metadata?.creationTimestamp ?? '',
  };
}

const num = (v) => (typeof v === 'number' ? v : 0);

/** Desired/ready counts and whether a rollout is in progress, as `kubectl rollout status` judges it. */
export function slimWorkload(kind, o) {
  const s = o.status ?? {};
  const spec = o.spec ?? {};
  const stale = num(s.observedGeneration) < num(o.metadata?.generation);
  const base = { key: `${kind}/${key(o)}`, kind, ns: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' };
  switch (kind) {
    case 'Deployment': {
      const desired = spec.replicas ?? 1;
      const updated = num(s.updatedReplicas);
      const rolling = stale || updated < desired || num(s.replicas) > updated || num(s.availableReplicas) < updated;
      const progressing = cond(o, 'Progressing');
      const failed = progressing?.reason === 'ProgressDeadlineExceeded';
      return { ...base, desired, ready: num(s.readyReplicas), updated, rolling, failed, note: failed ? 'progress deadline exceeded' : rolling ? `rolling out: ${updated} of ${desired} updated` : spec.paused ? 'paused' : '' };
    }
    case 'StatefulSet': {
      const desired = spec.replicas ?? 1;
      const updated = num(s.updatedReplicas);
      const rolling = stale || (s.updateRevision && s.currentRevision && s.updateRevision !== s.currentRevision) || num(s.readyReplicas) < desired;
      return { ...base, desired, ready: num(s.readyReplicas), updated, rolling: !!rolling, failed: false, note: rolling ? `rolling out: ${updated} of ${desired} updated` : '' };
    }
    case 'DaemonSet': {
      const desired = num(s.desiredNumberScheduled);
      const updated = num(s.updatedNumberScheduled);
      const rolling = stale || updated < desired || num(s.numberAvailable) < desired;
      return { ...base, desired, ready: num(s.numberReady), updated, rolling, failed: false, note: rolling ? `rolling out: ${updated} of ${desired} updated` : '' };
    }
    case 'Job': {
      const desired = spec.completions ?? spec.parallelism ?? 1;
      const complete = cond(o, 'Complete')?.status === 'True';
      const failed = cond(o, 'Failed')?.status === 'True';
      const active = num(s.active);
      const note = complete ? 'complete' : failed ? `failed: ${cond(o, 'Failed')?.reason ?? ''}` : active ? `${active} running` : spec.suspend ? 'suspended' : '';
      return { ...base, desired, ready: num(s.succeeded), updated: num(s.succeeded), rolling: !complete && !failed && active > 0, failed, note, failedPods: num(s.failed) };
    }
    case 'CronJob':
      return { ...base, desired: 0, ready: 0, updated: 0, rolling: false, failed: false, schedule: spec.schedule ?? '', lastSchedule: s.lastScheduleTime ?? '', active: (s.active ?? []).length, suspend: !!spec.suspend, note: '' };
  }
  return { ...base, desired: 0, ready: 0, updated: 0, rolling: false, failed: false, note: '' };
}

export function slimEvent(e) {
  const ts = e.lastTimestamp ?? e.eventTime ?? e.series?.lastObservedTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';
  const io = e.involvedObject ?? e.regarding ?? {};
  return {
    key: e.metadata?.uid ?? key(e), t: Date.parse(ts) || 0, ts, type: e.type ?? 'Normal', reason: e.reason ?? '', message: e.message ?? e.note ?? '',
    kind: io.kind ?? '', ns: io.namespace ?? '', name: io.name ?? '', count: e.count ?? e.series?.count ?? 1,
    source: e.source?.component ?? e.reportingComponent ?? '',
  };
}

/** A map of slim objects with change counting; `index` keeps extra lookups (pods by node) in step. */
class Collection {
  constructor(slim, index) { this.slim = slim; this.items = new Map(); this.version = 0; this.members = 0; this.index = index; }
  reset(objs) {
    const next = new Map();
    for (const o of objs) { const s = this.slim(o); next.set(s.key, s); }
    this.items = next;
    this.index?.rebuild(next);
    this.version++;
    this.members++;
  }
  apply(type, obj) {
    const s = this.slim(obj);
    const old = this.items.get(s.key);
    if (type === 'DELETED') this.items.delete(s.key); else this.items.set(s.key, s);
    if (type === 'DELETED' || !old) this.members++;
    this.index?.update(old, type === 'DELETED' ? undefined : s);
    this.version++;
  }
}

class PodsByNode {
  constructor() { this.byNode = new Map(); }
  rebuild(items) { this.byNode = new Map(); for (const p of items.values()) this.update(undefined, p); }
  update(old, next) {
    if (old) this.byNode.get(old.node)?.delete(old.key);
    if (next) {
      let set = this.byNode.get(next.node);
      if (!set) this.byNode.set(next.node, (set = new Map()));
      set.set(next.key, next);
    }
  }
  /** The pods on a node in a stable order (by name). */
  on(node) { return [...(this.byNode.get(node)?.values() ?? [])]; }
}

const MAX_EVENTS = 20_000;

/**
 * Events in time order, capped to the most recent MAX_EVENTS. Events mostly arrive in order, so a
 * newer one is appended; only one arriving out of order (or updated in place) costs a sort later.
 */
class EventLog {
  constructor() { this.byKey = new Map(); this.version = 0; this.sorted = []; this.dirtySort = false; }
  reset(objs) {
    this.byKey = new Map();
    this.sorted = [];
    for (const o of objs) { const e = slimEvent(o); this.byKey.set(e.key, e); }
    this.sorted = [...this.byKey.values()];
    this.dirtySort = true;
    this.version++;
    this.trim();
  }
  apply(type, obj) {
    const e = slimEvent(obj);
    const old = this.byKey.get(e.key);
    if (type === 'DELETED') {
      if (old) { this.byKey.delete(e.key); this.dirtySort = true; }
    } else if (old) {
      this.byKey.set(e.key, e);
      this.dirtySort = true;
    } else {
      this.byKey.set(e.key, e);
      const last = this.sorted[this.sorted.length - 1];
      if (!this.dirtySort && last && e.t < last.t) this.dirtySort = true;
      this.sorted.push(e);
    }
    this.version++;
    this.trim();
  }
  trim() {
    if (this.byKey.size <= MAX_EVENTS * 1.1) return;
    // The earliest to arrive go first (a Map keeps arrival order): no sort on the watch's path.
    let drop = this.byKey.size - MAX_EVENTS;
    for (const k of this.byKey.keys()) { if (drop-- <= 0) break; this.byKey.delete(k); }
    this.dirtySort = true;
  }
  list() {
    if (this.dirtySort) {
      this.sorted = [...this.byKey.values()].sort((a, b) => a.t - b.t);
      this.dirtySort = false;
    }
    return this.sorted;
  }
  /** Recent events about one object, newest first. */
  about(kind, ns, name, n = 20) {
    const out = [];
    const all = this.list();
    for (let i = all.length - 1; i >= 0 && out.length < n; i--) {
      const e = all[i];
      if (e.kind === kind && e.name === name && (e.ns === ns || !ns)) out.push(e);
    }
    return out;
  }
}

export class Model {
  constructor() {
    this.podIndex = new PodsByNode();
    this.nodes = new Collection(slimNode);
    this.pods = new Collection(slimPod, this.podIndex);
    this.events = new EventLog();
    this.workloads = new Map();
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']) this.workloads.set(kind, new Collection((o) => slimWorkload(kind, o)));
  }
}
