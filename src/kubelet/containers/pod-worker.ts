// One pod on a simulated node, run for real (the kubelet's pod worker + SyncPod): init containers
// in order (sidecars stay up), then the containers; exits are handled by restartPolicy with the
// crash back-off; probes, hooks, activeDeadlineSeconds and graceful termination. Every change is
// written to the pod's status (coalesced: one write in flight, the latest state wins).
import type { InMemoryFs } from 'just-bash';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { Store } from '../../registry/store.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { EventRecorder } from '../../controllers/events.ts';
import { ignoreNotFound, res } from '../../controllers/util.ts';
import { imageDefaults } from '../../images/index.ts';
import { containerId, pulledEvent } from '../builtins.ts';
import { MAX_GRACE_SECONDS } from '../builtins.ts';
import { resolveArgv, workingDir } from './command.ts';
import { containerEnv } from './env.ts';
import { containerFs } from './container-fs.ts';
import { Logbook } from './logbook.ts';
import { PodVolumes } from './pod-volumes.ts';
import { idleProcess, startProcess } from './process.ts';
import { runHandler } from './probes.ts';
import { loadJustBash, newShell, BASE_PATH } from './shell.ts';
import type { JustBash } from './shell.ts';
import { ConfigError } from './sources.ts';
import type { Sources } from './sources.ts';
import type { FileContext, TokenIssuer } from './volume-files.ts';
import type { PodAddresses } from './env.ts';
import { arm, clearTimers, newSlot, nextBackoff, running } from './container-run.ts';
import type { Run, Slot, SlotKind } from './container-run.ts';
import { podStatus } from './status.ts';
import { gatesOutOfDate } from '../readiness-gates.ts';
import type { Pod } from '../../types/generated.ts';
import type { NodeImages } from '../image-pulls.ts';
import { deepEqual } from '../../util/deep-equal.ts';

export interface WorkerDeps {
  store: Store; clock: Clock; recorder: EventRecorder; sources: Sources; token?: TokenIssuer;
  nodeName: string; hostIP: string; allocatable: Record<string, string>;
  hostFs(jb: JustBash): InMemoryFs; log?: (m: string) => void;
  /** The node's images: whether a first start pulled its image (absent: it did). */
  images?: NodeImages;
}

const RETRY_MS = 10_000;

/** A container found running when Skiff restarted: it keeps its ID, start time and readiness. */
interface Resume { id: string; startedAt: number; ready: boolean }

/** A finished run as a stored `terminated` state describes it (for status only: it has no process). */
function pastRun(jb: JustBash, t: Record<string, any> | undefined, now: number): Run | undefined {
  if (!t || typeof t !== 'object') return undefined;
  const log = new Logbook(() => now);
  log.close();
  const exit = { code: Number.isInteger(t.exitCode) ? t.exitCode : 0, ...(t.reason === 'StartError' ? { startError: String(t.message ?? '') } : {}) };
  const run: Run = {
    id: String(t.containerID ?? ''), startedAt: Date.parse(t.startedAt) || now, finishedAt: Date.parse(t.finishedAt) || now, exit,
    message: typeof t.message === 'string' ? t.message : undefined, log, proc: { done: Promise.resolve(exit), term() {}, kill() {} },
    fs: new jb.InMemoryFs(), env: {}, cwd: '/',
  };
  run.settling = Promise.resolve();
  return run;
}
/** What of a pod's metadata downwardAPI volume files can show and a pod update can change. */
const metaSignature = (pod: KObject) => JSON.stringify([pod.metadata.labels ?? {}, pod.metadata.annotations ?? {}]);
const goDuration = (s: number) => (s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`);

/**
 * What a worker's volume files are made from. A class (its `pod` getter on the prototype): an object
 * literal with a getter and four fields was a dictionary-mode object of ~0.5 KB per pod.
 */
class WorkerFiles implements FileContext {
  private readonly w: PodWorker;
  readonly sources: Sources; readonly addr: PodAddresses; readonly allocatable: Record<string, string>; readonly token?: TokenIssuer;
  constructor(w: PodWorker, d: WorkerDeps, podIP: string | undefined) {
    this.w = w; this.sources = d.sources; this.addr = { podIP, hostIP: d.hostIP }; this.allocatable = d.allocatable; this.token = d.token;
  }
  get pod(): KObject { return this.w.pod; }
}

export class PodWorker {
  private current: KObject;
  readonly slots: Slot[];
  phase = 'Pending';
  reason?: string; message?: string;
  initialized = false;
  terminating = false;
  private disposed = false;
  private podIP?: string;
  private volumes?: PodVolumes;
  private jb?: JustBash;
  private timers: TimerHandle[] = [];
  private writing = false;
  private dirty = false;
  private readonly d: WorkerDeps;
  private readonly podsR = res('', 'v1', 'pods');

  constructor(pod: KObject, deps: WorkerDeps) {
    this.current = pod;
    this.d = deps;
    this.slots = [...(pod.spec?.initContainers ?? []).map((c: any) => newSlot(c, 'init')), ...(pod.spec?.containers ?? []).map((c: any) => newSlot(c, 'container'))];
  }

  /** The pod as the API has it now. */
  get pod(): KObject { return this.current; }
  /**
   * A newer version of the pod: each container's spec is taken from it when unchanged, so the
   * worker keeps no part of the version it started from (the store holds the current one anyway).
   */
  set pod(p: KObject) {
    this.current = p;
    for (const s of this.slots) {
      const list = s.kind === 'init' ? p.spec?.initContainers : s.kind === 'ephemeral' ? p.spec?.ephemeralContainers : p.spec?.containers;
      const now = Array.isArray(list) ? list.find((c: any) => c?.name === s.spec.name) : undefined;
      if (now && now !== s.spec && deepEqual(now, s.spec)) s.spec = now;
    }
  }

  get uid(): string { return String(this.pod.metadata.uid); }
  slot(name: string, kind?: SlotKind): Slot | undefined { return this.slots.find((s) => s.spec.name === name && (!kind || s.kind === kind)); }

  /**
   * The pod changed in the API: a new activeDeadlineSeconds re-arms the deadline; new ephemeral
   * containers start; new labels or annotations are written to downwardAPI volume files at once,
   * as upstream's kubelet re-syncs a pod (and its volumes) when the pod is updated.
   */
  podUpdated(): void {
    if (this.disposed || this.terminating || !this.jb) return;
    this.armDeadline();
    this.startNewEphemeral();
    const meta = metaSignature(this.pod);
    if (meta !== this.metaSeen) { this.metaSeen = meta; void this.volumes?.refresh().catch(() => {}); }
    // A readiness gate's condition set or changed (pods/status): Ready is written again.
    if (gatesOutOfDate(this.pod as Pod)) this.flush();
  }
  private metaSeen?: string;

  private deadlineTimer?: TimerHandle;
  private deadlineArmed?: number;
  /** activeDeadlineSeconds counts from the pod's startTime; it may be set or shortened while the pod runs. */
  private armDeadline(): void {
    const sec = this.pod.spec?.activeDeadlineSeconds;
    if (sec === this.deadlineArmed) return;
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
    this.deadlineArmed = sec;
    if (typeof sec !== 'number') return;
    const since = Date.parse(this.pod.status?.startTime ?? '') || this.d.clock.now();
    this.deadlineTimer = this.d.clock.setTimeout(() => this.deadline(), Math.max(0, since + sec * 1000 - this.d.clock.now()));
    this.timers.push(this.deadlineTimer);
  }

  /** Ephemeral containers added to the running pod (pods/ephemeralcontainers) start, each once. */
  startNewEphemeral(): void {
    if (this.disposed || this.terminating || !this.jb || this.phase !== 'Running') return;
    for (const c of this.pod.spec?.ephemeralContainers ?? []) {
      if (!c?.name || this.slot(c.name, 'ephemeral')) continue;
      const s = newSlot(c, 'ephemeral');
      this.slots.push(s);
      void this.startSlot(s);
    }
  }

  /** Creates and starts the containers; `podIP` gives the pod's address (asked once). */
  async start(podIP: () => string | undefined): Promise<void> {
    this.jb = await loadJustBash();
    this.podIP = podIP();
    this.armDeadline();
    // Pulling and creating the containers takes a moment, as the stage table's `running` stage models
    // it for other pods (1 s, skiff.dev/start-seconds, ±20%): observers see ContainerCreating first
    // (the kubelet's `pending` stage wrote it). As upstream's kubelet, which creates the sandbox, pulls
    // and starts the containers within one sync and reports the result on the next, nothing is written
    // in between: the next status is the one with the containers started.
    await new Promise<void>((resolve) => { arm(this.d.clock, this.timers, resolve, this.createDelayMs()); });
    if (this.disposed || this.terminating) return;
    if (await this.runInits()) this.startMains();
  }

  /**
   * Skiff restarted on its data directory and finds this pod Running: carry on as a restarted
   * kubelet does with the containers it finds running. Each container keeps its status (containerID,
   * startedAt, restartCount, lastState); one that was running gets its process started again (the
   * emulated process did not survive Skiff's own restart) without events or postStart hook; its
   * logs go on from there. A container waiting to be restarted is restarted after its back-off;
   * finished ones (init containers, exited containers) stay as they were.
   */
  async adopt(podIP: () => string | undefined): Promise<void> {
    this.jb = await loadJustBash();
    this.podIP = podIP();
    this.phase = 'Running';
    this.initialized = true;
    this.armDeadline();
    const byName = (list: any[] | undefined, name: string) => (list ?? []).find((x: any) => x?.name === name) ?? {};
    const resumed: Promise<unknown>[] = [];
    for (const s of this.slots) {
      const st = byName(s.kind === 'init' ? this.pod.status?.initContainerStatuses : this.pod.status?.containerStatuses, s.spec.name);
      s.restartCount = Number.isInteger(st.restartCount) && st.restartCount >= 0 ? st.restartCount : 0;
      s.last = pastRun(this.jb, st.lastState?.terminated, this.d.clock.now());
      const running = st.state?.running;
      if (running) {
        resumed.push(this.startSlot(s, { id: String(st.containerID || containerId(this.pod as any, `${s.spec.name}/${s.restartCount}`)), startedAt: Date.parse(running.startedAt) || this.d.clock.now(), ready: st.ready === true }));
        continue;
      }
      const done = pastRun(this.jb, st.state?.terminated, this.d.clock.now());
      if (done) { s.current = done; continue; }
      if (s.kind === 'init' && !s.sidecar) continue;
      // Waiting (CrashLoopBackOff, a start error being retried): restarted as the back-off says.
      if (s.last) { s.current = s.last; s.backoff = nextBackoff(0); }
      resumed.push(this.backOff(s).then(() => (this.disposed || this.terminating ? undefined : this.startSlot(s))));
    }
    this.flush();
    await Promise.all(resumed);
    if (this.pod.metadata.deletionTimestamp) await this.terminate();
  }

  private createDelayMs(): number {
    const fromAnnotation = Number(this.pod.metadata.annotations?.['skiff.dev/start-seconds']);
    const seconds = Number.isFinite(fromAnnotation) && fromAnnotation >= 0 ? fromAnnotation : 1;
    return Math.round(seconds * 1000 * (0.8 + 0.4 * this.d.clock.random()));
  }

  // ---------- init containers, then the containers ----------

  private async runInits(): Promise<boolean> {
    for (const s of this.slots.filter((x) => x.kind === 'init')) {
      if (this.disposed || this.terminating || this.phase === 'Failed') return false;
      if (s.sidecar) { await this.startSlot(s); continue; }
      for (;;) {
        const run = await this.startSlot(s);
        if (!run) return false;
        const exit = await run.proc.done;
        await this.settled(s, run);
        if (this.disposed || this.terminating || this.phase === 'Failed') return false;
        if (exit.code === 0) break;
        if ((this.pod.spec?.restartPolicy ?? 'Always') === 'Never') { this.finish('Failed'); return false; }
        await this.backOff(s);
        if (this.disposed || this.terminating) return false;
      }
    }
    this.initialized = true;
    return true;
  }

  /** Starts the containers; each start writes the status (phase Running once one runs, as upstream's getPhase). */
  private startMains(): void {
    this.phase = 'Running';
    for (const s of this.slots.filter((x) => x.kind === 'container')) void this.startSlot(s);
    this.startNewEphemeral();
  }

  /** Waits out the crash back-off (CrashLoopBackOff) if one is due, then counts the restart. */
  private async backOff(s: Slot): Promise<void> {
    if (s.backoff > 0) {
      s.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(s.backoff)} restarting failed container=${s.spec.name} pod=${this.podRef()}` };
      this.event(s, 'Warning', 'BackOff', `Back-off restarting failed container ${s.spec.name} in pod ${this.podRef()}`);
      this.flush();
      const wait = Math.max(0, (s.current?.finishedAt ?? this.d.clock.now()) + s.backoff * 1000 - this.d.clock.now());
      await new Promise<void>((resolve) => { arm(this.d.clock, s.timers, resolve, wait); });
    }
    s.backoff = nextBackoff(s.backoff);
    s.restartCount++;
  }

  // ---------- one container ----------

  /** Creates and starts the container's next run; undefined when its configuration failed (retried later). */
  async startSlot(s: Slot, resume?: Resume): Promise<Run | undefined> {
    if (this.disposed || this.terminating) return undefined;
    const c = s.spec;
    const known = imageDefaults(String(c.image ?? ''));
    const image = known ?? { entrypoint: [], cmd: [] };
    let env: Record<string, string>, fs, argv: string[];
    const cwd = workingDir(c, image);
    try {
      const own = await containerEnv({ pod: this.pod, container: c, sources: this.d.sources, addr: { podIP: this.podIP, hostIP: this.d.hostIP }, allocatable: this.d.allocatable });
      env = { PATH: BASE_PATH, HOSTNAME: this.hostname(), ...(image.env ?? {}), ...own };
      env.HOME ??= '/root';
      argv = resolveArgv(c, image, env);
      this.metaSeen ??= metaSignature(this.pod);
      this.volumes ??= this.newVolumes();
      fs = await containerFs(this.jb!, () => this.pod, c, this.volumes, { hostname: this.hostname(), podIP: this.podIP, namespace: String(this.pod.metadata.namespace), cwd }, env);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      s.waiting = { reason: 'CreateContainerConfigError', message: e.message };
      this.event(s, 'Warning', 'Failed', `Error: ${e.message}`);
      this.flush();
      return new Promise((resolve) => { arm(this.d.clock, s.timers, () => { resolve(this.startSlot(s)); }, RETRY_MS); });
    }
    const log = new Logbook(this.d.clock);
    if (s.current) s.last = s.current;
    // A container of an image the catalogue does not know runs until it is stopped, as Skiff's simulated containers always did.
    // The process sees the pod as it is when it looks (its labels, annotations), not as it was at the start.
    const worker = this;
    const proc = known ? startProcess({ argv, env, cwd, hostname: this.hostname(), fs, log, clock: this.d.clock, get pod() { return worker.pod; }, container: c.name }) : idleProcess(log);
    const run: Run = { id: resume?.id ?? containerId(this.pod as any, `${c.name}/${s.restartCount}`), startedAt: resume?.startedAt ?? this.d.clock.now(), log, proc, fs, env, cwd };
    s.current = run;
    s.waiting = undefined;
    s.ready = resume?.ready ?? false;
    s.started = false;
    if (!resume) {
      const first = s.restartCount === 0 && !s.last;
      const pulled = pulledEvent(c as { name: string; image?: string }, first && (this.d.images?.started(this.pod as any, c as { name: string }) ?? true));
      this.event(s, pulled.type, pulled.reason, pulled.message);
      this.event(s, 'Normal', 'Created', `Created container: ${c.name}`);
      this.event(s, 'Normal', 'Started', `Started container ${c.name}`);
    }
    void proc.done.then((exit) => this.exited(s, run, exit.code));
    // A resumed container kept running through the kubelet's restart: its postStart hook ran long ago.
    const post = resume ? undefined : c.lifecycle?.postStart;
    if (post) {
      const r = await runHandler(post, this.target(s, run), 30_000);
      if (!r.ok && !run.exit) {
        this.event(s, 'Warning', 'FailedPostStartHook', `${post.exec ? 'Exec' : 'HTTP'} lifecycle hook (${(post.exec?.command ?? []).join(' ') || post.httpGet?.path || ''}) for Container "${c.name}" in Pod "${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})" failed - error: ${r.message}`);
        this.stop(run, this.grace());
      }
    }
    if (!run.exit) this.startProbes(s, run);
    this.flush();
    return run;
  }

  /** A run ended: record it and, for containers (not init), restart per policy or settle the pod. */
  private async exited(s: Slot, run: Run, code: number): Promise<void> {
    run.finishedAt = this.d.clock.now();
    await this.settled(s, run);
    if (this.disposed) return;
    if (this.terminating || s.kind === 'init' && !s.sidecar || s.kind === 'ephemeral') { this.flush(); this.checkDone(); return; }
    const policy = s.sidecar ? 'Always' : this.pod.spec?.restartPolicy ?? 'Always';
    if (this.phase !== 'Failed' && this.phase !== 'Succeeded' && (policy === 'Always' || (policy === 'OnFailure' && code !== 0))) {
      // A container that ran long enough (twice the maximum back-off) starts over with no back-off.
      if (run.finishedAt - run.startedAt > 600_000) s.backoff = 0;
      await this.backOff(s);
      if (!this.disposed && !this.terminating && this.phase !== 'Failed') await this.startSlot(s);
      return;
    }
    this.flush();
    this.checkDone();
  }

  /** Termination message, readiness and timers of a finished run (once per run). */
  private settled(s: Slot, run: Run): Promise<void> {
    return run.settling ??= (async () => {
      run.exit = await run.proc.done;
      run.finishedAt ??= this.d.clock.now();
      clearTimers(s);
      s.ready = false;
      s.started = false;
      run.message = await this.terminationMessage(s, run);
    })();
  }

  private async terminationMessage(s: Slot, run: Run): Promise<string> {
    if (run.exit?.startError) return run.exit.startError;
    const path = String(s.spec.terminationMessagePath || '/dev/termination-log');
    const text = await run.fs.readFile(path).catch(() => '');
    if (text) return text.slice(0, 4096);
    if (s.spec.terminationMessagePolicy === 'FallbackToLogsOnError' && run.exit!.code !== 0) return run.log.tail();
    return '';
  }

  /** All containers done and none to restart: the pod's terminal phase; sidecars are stopped. */
  private checkDone(): void {
    if (this.phase === 'Succeeded' || this.phase === 'Failed') return;
    const mains = this.slots.filter((x) => x.kind === 'container');
    if (this.terminating) {
      if (this.slots.some(running)) return;
      this.finish(this.slots.every((x) => !x.current || x.current.exit?.code === 0 || x.sidecar) && mains.every((x) => x.current) ? 'Succeeded' : 'Failed');
      return;
    }
    if (!this.initialized || mains.some((x) => running(x) || x.waiting || !x.current?.exit)) return;
    this.finish(mains.every((x) => x.current!.exit!.code === 0) ? 'Succeeded' : 'Failed');
  }

  private finish(phase: 'Succeeded' | 'Failed', reason?: string, message?: string): void {
    this.phase = phase;
    if (reason) { this.reason = reason; this.message = message; }
    for (const t of this.timers) t.cancel();
    for (const s of this.slots) { clearTimers(s); if (s.waiting?.reason === 'CrashLoopBackOff') s.waiting = undefined; if (running(s)) this.stop(s.current!, this.grace()); }
    this.flush();
  }

  // ---------- stopping ----------

  /** SIGTERM, then SIGKILL after `graceMs` (the runtime's StopContainer). */
  private stop(run: Run, graceMs: number): void {
    if (run.exit || run.stopping) return;
    run.stopping = true;
    run.proc.term();
    const t = this.d.clock.setTimeout(() => run.proc.kill(), graceMs);
    void run.proc.done.then(() => t.cancel());
  }

  private grace(seconds?: number): number {
    const s = seconds ?? this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    return 1000 * Math.max(0, Math.min(MAX_GRACE_SECONDS, s));
  }

  /** The pod is being deleted: preStop hooks, then stop every container within the grace period. */
  async terminate(): Promise<void> {
    if (this.terminating || this.disposed) return;
    this.terminating = true;
    for (const t of this.timers) t.cancel();
    for (const s of this.slots) { clearTimers(s); if (s.waiting) s.waiting = undefined; }
    const live = this.slots.filter(running);
    if (this.phase === 'Succeeded' || this.phase === 'Failed') return;
    if (!live.length) { this.checkDone(); this.flush(); return; }
    await Promise.all(live.map(async (s) => {
      this.event(s, 'Normal', 'Killing', `Stopping container ${s.spec.name}`);
      const pre = s.spec.lifecycle?.preStop;
      if (pre) await runHandler(pre, this.target(s, s.current!), this.grace());
      this.stop(s.current!, this.grace());
    }));
  }

  private deadline(): void {
    if (this.phase === 'Succeeded' || this.phase === 'Failed' || this.terminating) return;
    const msg = 'Pod was active on the node longer than the specified deadline';
    this.d.recorder.event(this.pod, 'Warning', 'DeadlineExceeded', msg, { host: this.d.nodeName });
    this.finish('Failed', 'DeadlineExceeded', msg);
  }

  /** The pod is gone: stop everything at once. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) t.cancel();
    for (const s of this.slots) { clearTimers(s); s.current?.proc.kill(); }
  }

  // ---------- probes ----------

  private startProbes(s: Slot, run: Run): void {
    const c = s.spec;
    const begin = () => {
      s.started = true;
      if (!c.readinessProbe) s.ready = true;
      if (c.readinessProbe) this.probeLoop(s, run, 'readiness', c.readinessProbe, (ok) => { if (s.ready !== ok) { s.ready = ok; this.flush(); } });
      if (c.livenessProbe) this.probeLoop(s, run, 'liveness', c.livenessProbe, (ok) => { if (!ok) this.restartFor(s, run, 'liveness'); });
      this.flush();
    };
    if (!c.startupProbe) { begin(); return; }
    this.probeLoop(s, run, 'startup', c.startupProbe, (ok) => { if (ok) begin(); else this.restartFor(s, run, 'startup'); }, true);
  }

  private probeLoop(s: Slot, run: Run, kind: string, p: Record<string, any>, onResult: (ok: boolean) => void, once = false): void {
    const period = 1000 * (p.periodSeconds || 10), fails = p.failureThreshold || 3, succ = p.successThreshold || 1;
    const counts = s.probeCounts[kind] = { ok: 0, bad: 0 };
    const Kind = kind[0].toUpperCase() + kind.slice(1);
    const tick = async () => {
      if (run.exit || run.stopping || this.disposed) return;
      const r = await runHandler(p, this.target(s, run), 1000 * (p.timeoutSeconds || 1));
      if (run.exit || run.stopping || this.disposed) return;
      if (r.ok) { counts.ok++; counts.bad = 0; } else { counts.bad++; counts.ok = 0; this.event(s, 'Warning', 'Unhealthy', `${Kind} probe failed: ${r.message.trim()}`); }
      let settledNow = false;
      if (r.ok && counts.ok >= succ) { onResult(true); settledNow = once; }
      if (!r.ok && counts.bad >= fails) { onResult(false); settledNow = once || kind === 'liveness'; }
      if (!settledNow) arm(this.d.clock, s.timers, () => void tick(), period);
    };
    arm(this.d.clock, s.timers, () => void tick(), 1000 * (p.initialDelaySeconds ?? 0));
  }

  private restartFor(s: Slot, run: Run, probe: string): void {
    this.event(s, 'Normal', 'Killing', `Container ${s.spec.name} failed ${probe} probe, will be restarted`);
    this.stop(run, this.grace(this.pod.spec?.terminationGracePeriodSeconds ?? 30));
  }

  /** What probes and hooks act on: the run's filesystem and environment. */
  private target(s: Slot, run: Run) {
    return {
      pod: this.pod, container: s.spec, podIP: this.podIP ?? '',
      exec: async (argv: string[]) => {
        const bash = newShell(this.jb!, { fs: run.fs, env: run.env, cwd: run.cwd, hostname: this.hostname(), clock: this.d.clock, pod: this.pod, container: s.spec.name });
        const sh = argv.length >= 3 && argv[1] === '-c' && /(^|\/)(ba)?sh$/.test(argv[0]);
        const script = sh ? argv[2] : argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
        const r = await bash.exec(script, { cwd: run.cwd, env: run.env });
        return { code: r.exitCode, output: r.stdout + r.stderr };
      },
    };
  }

  // ---------- status ----------

  private hostname(): string { return String(this.pod.spec?.hostname ?? this.pod.metadata.name); }
  private podRef(): string { return `${this.pod.metadata.name}_${this.pod.metadata.namespace}(${this.uid})`; }
  private event(s: Slot, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const list = s.kind === 'init' ? 'initContainers' : s.kind === 'ephemeral' ? 'ephemeralContainers' : 'containers';
    this.d.recorder.event(this.pod, type, reason, message, { fieldPath: `spec.${list}{${s.spec.name}}`, host: this.d.nodeName });
  }

  /**
   * The pod's volumes. Their files are computed from the pod as it is when they are (re)computed,
   * not from the version the worker started with (which it would otherwise keep alive).
   */
  private newVolumes(): PodVolumes {
    const worker = this, d = this.d, jb = this.jb!;
    return new PodVolumes(jb, () => worker.pod.spec?.volumes ?? [], new WorkerFiles(this, d, this.podIP), () => d.hostFs(jb));
  }

  /** Configuration refresh (configMap/secret volumes) on the kubelet's sync period. */
  async refreshVolumes(): Promise<void> { await this.volumes?.refresh(); }

  flush(): void {
    this.dirty = true;
    if (this.writing || this.disposed) return;
    this.writing = true;
    queueMicrotask(() => void this.write());
  }

  private async write(): Promise<void> {
    try {
      while (this.dirty && !this.disposed) {
        this.dirty = false;
        const ns = String(this.pod.metadata.namespace), name = String(this.pod.metadata.name);
        await this.d.store.guaranteedUpdate(this.podsR, ns, name, (cur) => {
          if (cur.metadata.uid !== this.uid) return cur;
          if ((cur.status?.phase === 'Succeeded' || cur.status?.phase === 'Failed') && this.phase !== cur.status.phase) return cur;
          cur.status = podStatus(cur, { slots: this.slots, phase: this.phase, reason: this.reason, message: this.message, podIP: this.podIP, initialized: this.initialized }, this.d.clock.now());
          return cur;
        }, { subresource: 'status' }).catch(ignoreNotFound);
      }
    } catch (e) {
      this.d.log?.(`kubelet: pod ${this.pod.metadata.namespace}/${this.pod.metadata.name}: ${(e as Error).message}`);
    } finally {
      this.writing = false;
    }
  }
}
