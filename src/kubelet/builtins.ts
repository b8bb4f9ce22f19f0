// The built-in pieces the stage table (stages.default.yaml) refers to by name: status transforms,
// delays, predicates, per-container events and message placeholders. Transitions too involved for a
// patch template (crash-loop back-off, image pulls, probes, termination) stay TypeScript here, as
// kwok keeps built-in functions; which of them run, when and in what order is the table's business.
//
// Per-pod knobs (annotations) the defaults read:
//   skiff.dev/start-seconds   time from binding to Running (default 1)
//   skiff.dev/run-seconds     run time of a restartPolicy Never/OnFailure pod (default 5)
//   skiff.dev/exit-code       exit code of such a pod (default 0; non-zero → Failed)
//   skiff.dev/never-ready     "true": containers start but never become ready
//   skiff.dev/crash-loop      "true": containers exit (exit-code, default 1) after run-seconds and are
//                             restarted with back-off (10s doubling to 5m): CrashLoopBackOff
//   skiff.dev/image-pull-error  the image cannot be pulled (value: the error text, or "true"):
//                             ErrImagePull, then ImagePullBackOff
//   skiff.dev/readiness-flap-seconds  readiness fails and recovers every that many seconds
import { podHasAbsentImage } from '../images/absent.ts';
import { rfc3339 } from '../clock.ts';
import type { Container as GeneratedContainer, Pod } from '../types/generated.ts';
import { workerFor } from './containers/workers.ts';
import type { NodeImages } from './image-pulls.ts';
import { gatesOutOfDate, readyCondition } from './readiness-gates.ts';

export const ANN_START = 'skiff.dev/start-seconds';
export const ANN_RUN = 'skiff.dev/run-seconds';
export const ANN_EXIT = 'skiff.dev/exit-code';
export const ANN_NEVER_READY = 'skiff.dev/never-ready';
export const ANN_CRASH_LOOP = 'skiff.dev/crash-loop';
export const ANN_PULL_ERROR = 'skiff.dev/image-pull-error';
export const ANN_FLAP = 'skiff.dev/readiness-flap-seconds';
/** Restart back-off of a crashing container: 10s, doubling, capped at 5m (as the kubelet). */
export const backOffSeconds = (restarts: number): number => Math.min(300, 10 * 2 ** Math.max(0, restarts - 1));
/** Image pull back-off before the pod shows ImagePullBackOff. */
export const PULL_BACKOFF_SECONDS = 10;
/** Graceful deletion is honoured up to this many seconds of simulated time, so tests stay fast. */
export const MAX_GRACE_SECONDS = 1;

import type { StageContext, StageEvent } from './stages.ts';

export type StatusTransform = (pod: Pod, ctx: StageContext) => Record<string, any>;

type Cond = { type: string; status: string; lastProbeTime?: null; lastTransitionTime?: string; reason?: string; message?: string };

const ann = (p: Pod, k: string): string | undefined => p.metadata.annotations?.[k];
const seconds = (p: Pod, k: string, dflt: number): number => {
  const v = Number(ann(p, k));
  return Number.isFinite(v) && v >= 0 ? v : dflt;
};
const containers = (p: Pod): Container[] => p.spec?.containers ?? [];
const phase = (p: Pod) => p.status?.phase;
const startedAt = (p: Pod): number => {
  const s = (p.status?.containerStatuses ?? [])[0]?.state?.running?.startedAt;
  return Date.parse(s ?? '') || 0;
};
/** When the pod's containers become ready: initialDelaySeconds of the slowest readiness probe after start. */
const readyAt = (p: Pod): number => startedAt(p) + 1000 * Math.max(0, ...containers(p).map((c) => c.readinessProbe?.initialDelaySeconds ?? 0));
const neverReady = (p: Pod) => ann(p, ANN_NEVER_READY) === 'true';
/** Containers that exit and are restarted: the crash-loop annotation, or OnFailure with a failing exit code. */
const restarting = (p: Pod) => ann(p, ANN_CRASH_LOOP) === 'true' ? (p.spec?.restartPolicy ?? 'Always') !== 'Never'
  : p.spec?.restartPolicy === 'OnFailure' && Math.trunc(seconds(p, ANN_EXIT, 0)) !== 0;
const exitCode = (p: Pod) => Math.trunc(seconds(p, ANN_EXIT, ann(p, ANN_CRASH_LOOP) === 'true' ? 1 : 0));
const pullError = (p: Pod): string | undefined => {
  const v = ann(p, ANN_PULL_ERROR);
  if (v === undefined || v === 'false') return undefined;
  return v && v !== 'true' ? v : undefined;
};
/** skiff.dev/image-pull-error, or a container image that plainly does not exist (images/absent.ts). */
const pullFails = (p: Pod) => { const v = ann(p, ANN_PULL_ERROR); return v !== undefined ? v !== 'false' : podHasAbsentImage(p); };
const pullErrorText = (p: Pod, image: string | undefined) => {
  const ref = imageRef(image).image;
  return pullError(p) ?? `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
};
const podRef = (p: Pod) => `${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})`;
const ev = (type: 'Normal' | 'Warning', reason: string, message: string, c: { name: string }): StageEvent => ({ type, reason, message, fieldPath: `spec.containers{${c.name}}` });
/** The pull policy the API server defaults: Always for `:latest` or an untagged image, else IfNotPresent. */
export const pullPolicy = (c: { image?: string; imagePullPolicy?: string }): string =>
  c.imagePullPolicy ?? (/:latest$/.test(imageRef(c.image).image) ? 'Always' : 'IfNotPresent');
/** Pulled event: "already present" unless the image was pulled (`pulled`; policy Always always pulls). */
export const pulledEvent = (c: { name: string; image?: string; imagePullPolicy?: string }, pulled: boolean): StageEvent => {
  const policy = pullPolicy(c);
  return policy === 'Always' || (pulled && policy !== 'Never')
    ? ev('Normal', 'Pulled', `Successfully pulled image "${c.image}" in 1s (1s including waiting). Image size: ${imageSize(c.image)} bytes.`, c)
    : ev('Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c);
};
const flapSeconds = (p: Pod) => seconds(p, ANN_FLAP, 0);
/** The probe's failure text, by probe kind (HTTP unless it is a TCP or exec probe). */
function probeFailure(p: Pod, c: { readinessProbe?: Record<string, any> }): string {
  const pr = c.readinessProbe ?? {};
  if (pr.tcpSocket) return `dial tcp ${p.status?.podIP ?? '127.0.0.1'}:${pr.tcpSocket.port}: connect: connection refused`;
  if (pr.exec) return 'command failed with exit code 1';
  return 'HTTP probe failed with statuscode: 503';
}
/** Go's time.Duration form of whole seconds: 10s, 1m20s, 5m0s. */
const backOffText = (s: number) => (s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`);
/** A deterministic fake image size (bytes). */
function imageSize(image: string | undefined): number {
  let h = 0; for (const ch of imageRef(image).image) h = (Math.imul(h, 37) + ch.charCodeAt(0)) >>> 0;
  return 10_000_000 + (h % 90_000_000);
}

/** Set a condition, keeping lastTransitionTime when the status does not change. */
export function setCondition(conds: Cond[], c: Cond): Cond[] {
  const i = conds.findIndex((x) => x.type === c.type);
  if (i >= 0 && conds[i].status === c.status) { conds[i] = { ...c, lastTransitionTime: conds[i].lastTransitionTime }; return conds; }
  if (i >= 0) conds[i] = c; else conds.push(c);
  return conds;
}
const cond = (type: string, status: string, now: number, reason?: string, message?: string): Cond =>
  ({ type, status, lastProbeTime: null, lastTransitionTime: rfc3339(now), ...(reason ? { reason } : {}), ...(message ? { message } : {}) });

/** The pod's conditions with ContainersReady and Ready False because these containers are not ready. */
function notReadyConditions(p: Pod, statuses: { name: string }[], now: number): Cond[] {
  const message = `containers with unready status: [${statuses.map((s) => s.name).join(' ')}]`;
  const conds = (p.status?.conditions ?? []) as Cond[];
  setCondition(conds, cond('ContainersReady', 'False', now, 'ContainersNotReady', message));
  setCondition(conds, cond('Ready', 'False', now, 'ContainersNotReady', message));
  return order(conds);
}

export function imageRef(image: string | undefined): { image: string; imageID: string } {
  const img = image ?? 'unknown';
  const full = img.includes('/') ? (img.includes('.') && img.split('/')[0].includes('.') ? img : `docker.io/${img}`) : `docker.io/library/${img}`;
  const withTag = /:[^/]+$/.test(full) || full.includes('@') ? full : `${full}:latest`;
  // A deterministic fake digest per image.
  let h = 0; for (const ch of withTag) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  const digest = h.toString(16).padStart(8, '0').repeat(8);
  return { image: withTag, imageID: `${withTag.replace(/:[^/:]+$/, '')}@sha256:${digest}` };
}
export const containerId = (p: Pod, name: string) => {
  let h = 0; for (const ch of `${p.metadata.uid}/${name}`) h = (Math.imul(h, 33) + ch.charCodeAt(0)) >>> 0;
  return `containerd://${h.toString(16).padStart(8, '0').repeat(8)}`;
};

export const STATUS_TRANSFORMS: Record<string, StatusTransform> = {
  // A deleted pod: after its grace period (capped) the containers are stopped and the pod reaches
  // a terminal phase (as the kubelet does since v1.27) ...
  'terminate': (p, ctx) => {
    const statuses = (p.status?.containerStatuses ?? []).map((s) => ({
      ...s, ready: false, started: false,
      state: s.state?.running
        ? { terminated: { exitCode: 0, reason: 'Completed', startedAt: s.state.running.startedAt, finishedAt: rfc3339(ctx.now), containerID: s.containerID } }
        : { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', finishedAt: rfc3339(ctx.now) } },
    }));
    const conds = (p.status?.conditions ?? []) as Cond[];
    setCondition(conds, cond('PodReadyToStartContainers', 'False', ctx.now));
    setCondition(conds, cond('ContainersReady', 'False', ctx.now, 'PodCompleted'));
    setCondition(conds, cond('Ready', 'False', ctx.now, 'PodCompleted'));
    const ok = statuses.every((s) => s.state.terminated.exitCode === 0);
    return { ...(p.status ?? {}), phase: ok ? 'Succeeded' : 'Failed', conditions: order(conds), containerStatuses: statuses };
  },
  // Just bound: Pending, containers being created.
  'pending': (p, ctx) => {
    const now = ctx.now;
    const conds = (p.status?.conditions ?? []) as Cond[];
    setCondition(conds, cond('PodReadyToStartContainers', 'False', now));
    setCondition(conds, cond('Initialized', p.spec?.initContainers?.length ? 'False' : 'True', now, p.spec?.initContainers?.length ? 'ContainersNotInitialized' : undefined,
      p.spec?.initContainers?.length ? `containers with incomplete status: [${p.spec.initContainers.map((c: { name: string }) => c.name).join(' ')}]` : undefined));
    const names = containers(p).map((c) => c.name).join(' ');
    setCondition(conds, cond('Ready', 'False', now, 'ContainersNotReady', `containers with unready status: [${names}]`));
    setCondition(conds, cond('ContainersReady', 'False', now, 'ContainersNotReady', `containers with unready status: [${names}]`));
    setCondition(conds, cond('PodScheduled', 'True', now));
    return {
      ...(p.status ?? {}),
      phase: 'Pending', conditions: order(conds), hostIP: ctx.hostIP, hostIPs: [{ ip: ctx.hostIP }], startTime: rfc3339(now), qosClass: qosClass(p),
      ...(p.spec?.initContainers?.length ? { initContainerStatuses: p.spec.initContainers.map((c: { name: string; image?: string }) => ({
        name: c.name, ...imageRef(c.image), imageID: '', ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'PodInitializing' } },
      })) } : {}),
      containerStatuses: containers(p).map((c) => ({
        name: c.name, ...imageRef(c.image), imageID: '', ready: false, restartCount: 0, started: false,
        // Behind init containers the app containers wait PodInitializing, as the kubelet reports them.
        state: { waiting: { reason: p.spec?.initContainers?.length ? 'PodInitializing' : 'ContainerCreating' } },
      })),
    };
  },
  // skiff.dev/image-pull-error: the pull fails after the start delay (ErrImagePull) ...
  'pull-failed': (p) => ({
    ...(p.status ?? {}),
    containerStatuses: containers(p).map((c) => ({
      name: c.name, ...imageRef(c.image), imageID: '', ready: false, restartCount: 0, started: false,
      state: { waiting: { reason: 'ErrImagePull', message: pullErrorText(p, c.image) } },
    })),
  }),
  // ... and after the pull back-off the containers wait in ImagePullBackOff.
  'pull-backoff': (p) => ({
    ...(p.status ?? {}),
    containerStatuses: containers(p).map((c) => ({
      name: c.name, ...imageRef(c.image), imageID: '', ready: false, restartCount: 0, started: false,
      state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } },
    })),
  }),
  // Containers start (init containers, if any, have run to completion first).
  'running': (p, ctx) => {
    const now = ctx.now;
    const ip = ctx.podIP();
    const readyNow = !neverReady(p) && containers(p).every((c) => !(c.readinessProbe?.initialDelaySeconds ?? 0));
    const statuses = containers(p).map((c) => ({
      name: c.name, ...imageRef(c.image), containerID: containerId(p, c.name), ready: readyNow, restartCount: 0, started: true,
      state: { running: { startedAt: rfc3339(now) } },
    }));
    const conds = (p.status?.conditions ?? []) as Cond[];
    setCondition(conds, cond('PodReadyToStartContainers', 'True', now));
    setCondition(conds, cond('Initialized', 'True', now));
    if (readyNow) { setCondition(conds, cond('ContainersReady', 'True', now)); setCondition(conds, readyCondition(p, conds, rfc3339(now))); }
    const out: Record<string, any> = { ...(p.status ?? {}), phase: 'Running', conditions: order(conds), containerStatuses: statuses };
    if (ip) { out.podIP = ip; out.podIPs = [{ ip }]; }
    if (p.spec?.initContainers?.length) {
      out.initContainerStatuses = p.spec.initContainers.map((c: { name: string; image?: string }) => ({
        name: c.name, ...imageRef(c.image), containerID: containerId(p, c.name), ready: true, restartCount: 0, started: false,
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: rfc3339(now), finishedAt: rfc3339(now), containerID: containerId(p, c.name) } },
      }));
    }
    return out;
  },
  // Readiness after the readiness probes' initialDelaySeconds.
  'ready': (p, ctx) => {
    const statuses = (p.status?.containerStatuses ?? []).map((s) => ({ ...s, ready: true }));
    const conds = (p.status?.conditions ?? []) as Cond[];
    setCondition(conds, cond('ContainersReady', 'True', ctx.now));
    setCondition(conds, readyCondition(p, conds, rfc3339(ctx.now)));
    return { ...(p.status ?? {}), conditions: order(conds), containerStatuses: statuses };
  },
  // spec.readinessGates: a gate's condition changed; Ready says again what the gates say.
  'readiness-gates': (p, ctx) => {
    const conds = (p.status?.conditions ?? []) as Cond[];
    setCondition(conds, readyCondition(p, conds, rfc3339(ctx.now)));
    return { ...(p.status ?? {}), conditions: order(conds) };
  },
  // skiff.dev/readiness-flap-seconds: a ready pod's readiness probe fails after that long, and it
  // is ready again the same time later (Unhealthy events).
  'unready': (p, ctx) => {
    const statuses = (p.status?.containerStatuses ?? []).map((s) => ({ ...s, ready: false }));
    return { ...(p.status ?? {}), conditions: notReadyConditions(p, statuses, ctx.now), containerStatuses: statuses };
  },
  // A crashing container (skiff.dev/crash-loop, or OnFailure with a failing exit code) exits after
  // its run time; the kubelet restarts it after a back-off that doubles per restart (CrashLoopBackOff).
  'crash': (p, ctx) => {
    const code = exitCode(p);
    const statuses = (p.status?.containerStatuses ?? []).map((s) => {
      const restarts = (s.restartCount ?? 0) + 1;
      return {
        ...s, ready: false, started: false, restartCount: restarts,
        lastState: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: s.state?.running?.startedAt, finishedAt: rfc3339(ctx.now), containerID: s.containerID } },
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${backOffText(backOffSeconds(restarts))} restarting failed container=${s.name} pod=${podRef(p)}` } },
      };
    });
    return { ...(p.status ?? {}), conditions: notReadyConditions(p, statuses, ctx.now), containerStatuses: statuses };
  },
  // The back-off is over: the container runs again (a new containerID; the image is present).
  'restart': (p, ctx) => {
    const now = ctx.now;
    const readyNow = !neverReady(p) && containers(p).every((c) => !(c.readinessProbe?.initialDelaySeconds ?? 0));
    const statuses = (p.status?.containerStatuses ?? []).map((s) => ({
      ...s, containerID: containerId(p, `${s.name}/${s.restartCount ?? 0}`), ready: readyNow, started: true, state: { running: { startedAt: rfc3339(now) } },
    }));
    const conds = (p.status?.conditions ?? []) as Cond[];
    if (readyNow) { setCondition(conds, cond('ContainersReady', 'True', now)); setCondition(conds, readyCondition(p, conds, rfc3339(now))); }
    return { ...(p.status ?? {}), conditions: order(conds), containerStatuses: statuses };
  },
  // restartPolicy Never/OnFailure: the containers finish after their run time.
  'complete': (p, ctx) => {
    const code = Math.trunc(seconds(p, ANN_EXIT, 0));
    const ok = code === 0;
    const statuses = (p.status?.containerStatuses ?? []).map((s) => ({
      ...s, ready: false, started: false,
      state: { terminated: { exitCode: code, reason: ok ? 'Completed' : 'Error', startedAt: s.state?.running?.startedAt, finishedAt: rfc3339(ctx.now), containerID: s.containerID } },
    }));
    const conds = (p.status?.conditions ?? []) as Cond[];
    setCondition(conds, cond('PodReadyToStartContainers', 'False', ctx.now));
    setCondition(conds, cond('ContainersReady', 'False', ctx.now, 'PodCompleted'));
    setCondition(conds, cond('Ready', 'False', ctx.now, 'PodCompleted'));
    return { ...(p.status ?? {}), phase: ok ? 'Succeeded' : 'Failed', conditions: order(conds), containerStatuses: statuses };
  },
};

/** Named conditions a selector can require (`is:`) or exclude (`not:`). */
export const PREDICATES: Record<string, (p: Pod) => boolean> = {
  /** skiff.dev/image-pull-error is set (and not "false"). */
  'pull-fails': pullFails,
  /** Containers exit and are restarted: the crash-loop annotation, or OnFailure with a failing exit code. */
  'restarting': restarting,
  /** skiff.dev/readiness-flap-seconds is above 0. */
  'flapping': (p) => flapSeconds(p) > 0,
  /** The container runtime runs the pod's containers (containers/): the stages that simulate them do not apply. */
  'emulated': (p) => workerFor(p.metadata.uid) !== undefined,
  /** A deleted pod the kubelet may remove: no finalizers, or not yet asked (grace period not 0). */
  'removable': (p) => !p.metadata.finalizers?.length || (p.metadata.deletionGracePeriodSeconds ?? 0) !== 0,
  /** spec.readinessGates: the containers are ready and Ready does not say what the gates' conditions say now. */
  'gates-changed': gatesOutOfDate,
};

/** Named delays (milliseconds of simulated time, given the pod and now). */
export const DELAYS: Record<string, (p: Pod, now: number) => number> = {
  /** The deletion grace period, capped at MAX_GRACE_SECONDS. */
  'grace-period': (p) => 1000 * Math.min(MAX_GRACE_SECONDS, p.metadata.deletionGracePeriodSeconds ?? 0),
  /** Readiness after the probes' initialDelaySeconds; a flapping pod that went unready is ready again one period later. */
  'readiness': (p, now) => {
    const unreadySince = Date.parse(((p.status?.conditions ?? []) as Cond[]).find((c) => c.type === 'ContainersReady')?.lastTransitionTime ?? '') || 0;
    const back = flapSeconds(p) > 0 && unreadySince > startedAt(p) ? unreadySince + 1000 * flapSeconds(p) : 0;
    return Math.max(0, readyAt(p) - now, back - now);
  },
  /** A flapping pod's readiness fails the flap period after it became ready. */
  'readiness-flap': (p, now) => {
    const readySince = Date.parse(((p.status?.conditions ?? []) as Cond[]).find((c) => c.type === 'ContainersReady')?.lastTransitionTime ?? '') || now;
    return Math.max(0, readySince + 1000 * flapSeconds(p) - now);
  },
  /** The crash-loop back-off after the container's last exit (10s doubling per restart, capped at 5m). */
  'crash-back-off': (p, now) => {
    const s = (p.status?.containerStatuses ?? [])[0] ?? {};
    return Math.max(0, (Date.parse(s.lastState?.terminated?.finishedAt ?? '') || now) + 1000 * backOffSeconds(s.restartCount ?? 1) - now);
  },
};

/** The time the pod's containers started (ms; 0 if not running): the base of `since: containerStart`. */
export const containersStartedAt = startedAt;
/** An annotation as a number of seconds (≥ 0), or the default. */
export const annotationSeconds = seconds;

type Container = GeneratedContainer;

/** What events may consult beyond the pod: the images of the kubelet's nodes (absent: every image is pulled). */
export interface EventContext { images?: NodeImages }

/** Named per-container events: each gives the event for one container, or none. */
export const EVENT_BUILTINS: Record<string, (p: Pod, c: Container, x?: EventContext) => StageEvent | undefined> = {
  /** Killing, for a pod that was running when deleted. */
  'killing': (p, c) => (phase(p) === 'Running' ? ev('Normal', 'Killing', `Stopping container ${c.name}`, c) : undefined),
  /** Pulling, when the image is pulled: policy Always, an image the node lacks, or a pull bound to fail. */
  'pulling': (p, c, x) => (!x?.images || x.images.pulling(p, c, pullFails(p)) ? ev('Normal', 'Pulling', `Pulling image "${c.image}"`, c) : undefined),
  /** Pulled: "Successfully pulled" when the image was pulled for this container, else "already present". */
  'pulled': (p, c, x) => pulledEvent(c, x?.images ? x.images.started(p, c) : true),
};

/** Placeholders of event templates: {{name}} → text, given the pod and (for per-container events) the container. */
export const PLACEHOLDERS: Record<string, (p: Pod, c?: Container) => string> = {
  pod: (p) => p.metadata.name ?? '',
  namespace: (p) => p.metadata.namespace ?? '',
  /** name_namespace(uid), as the kubelet names a pod in messages. */
  podRef,
  node: (p) => p.spec?.nodeName ?? '',
  container: (_p, c) => c?.name ?? '',
  image: (_p, c) => c?.image ?? '',
  /** The image pull error text (skiff.dev/image-pull-error, or containerd's not-found message). */
  pullError: (p, c) => pullErrorText(p, c?.image),
  /** The readiness probe's failure text, by probe kind. */
  probeFailure: (p, c) => probeFailure(p, c ?? { readinessProbe: {} }),
};

const CONDITION_ORDER = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
export function orderConditions(conds: Cond[]): Cond[] { return order(conds); }
function order(conds: Cond[]): Cond[] {
  return [...conds].sort((a, b) => (CONDITION_ORDER.indexOf(a.type) + 1 || 99) - (CONDITION_ORDER.indexOf(b.type) + 1 || 99));
}

/** Guaranteed if every container sets equal cpu and memory requests and limits; BestEffort if none set any. */
export function qosClass(p: Pod): string {
  const cs = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])];
  let any = false, guaranteed = cs.length > 0;
  for (const c of cs) {
    const req = { ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) }, lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) if (!lim[r] || req[r] !== lim[r]) guaranteed = false;
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}
