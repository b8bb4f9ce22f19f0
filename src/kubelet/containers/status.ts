// The pod status the runtime writes: container statuses from the slots' runs (state, lastState,
// restartCount, ready, started), conditions, and phase (upstream's getPhase).
import { rfc3339 } from '../../clock.ts';
import type { KObject } from '../../registry/strategy.ts';
import { setCondition, orderConditions, imageRef } from '../builtins.ts';
import type { Run, Slot } from './container-run.ts';
import { running } from './container-run.ts';
import { readyCondition } from '../readiness-gates.ts';
import type { Pod } from '../../types/generated.ts';

type Cond = Parameters<typeof setCondition>[1];

function terminated(r: Run): Record<string, any> {
  const code = r.exit!.code;
  const reason = r.exit!.startError ? 'StartError' : code === 0 ? 'Completed' : 'Error';
  return {
    terminated: {
      exitCode: code, reason, ...(r.message ? { message: r.message } : {}),
      startedAt: r.exit!.startError ? '1970-01-01T00:00:00Z' : rfc3339(r.startedAt), finishedAt: rfc3339(r.finishedAt ?? r.startedAt), containerID: r.id,
    },
  };
}

/** `initializing`: init containers still have to finish (main containers then wait PodInitializing, else ContainerCreating). */
export function containerStatus(s: Slot, initializing = false): Record<string, any> {
  const img = imageRef(s.spec.image);
  const cur = s.current;
  let state: Record<string, any>;
  if (s.waiting) state = { waiting: { reason: s.waiting.reason, ...(s.waiting.message ? { message: s.waiting.message } : {}) } };
  else if (cur && !cur.exit) state = { running: { startedAt: rfc3339(cur.startedAt) } };
  else if (cur) state = terminated(cur);
  else state = { waiting: { reason: s.kind === 'init' || (s.kind === 'container' && initializing) ? 'PodInitializing' : 'ContainerCreating' } };
  const out: Record<string, any> = {
    name: s.spec.name, ...img, ...(cur ? { containerID: cur.id } : { imageID: '' }),
    // A (non-sidecar) init container that completed is Ready, as the kubelet reports it.
    ready: s.kind === 'ephemeral' ? false : s.kind === 'init' && !s.sidecar ? !s.waiting && cur?.exit?.code === 0 : s.ready, restartCount: s.restartCount, started: running(s) && s.started, state,
  };
  const last = s.waiting ? cur?.exit ? cur : s.last : s.last;
  if (last?.exit) out.lastState = terminated(last);
  return out;
}

const cond = (type: string, status: string, now: number, reason?: string, message?: string): Cond =>
  ({ type, status, lastProbeTime: null, lastTransitionTime: rfc3339(now), ...(reason ? { reason } : {}), ...(message ? { message } : {}) });

export interface PodView { slots: Slot[]; phase: string; reason?: string; message?: string; podIP?: string; initialized: boolean }

export function podStatus(pod: KObject, v: PodView, now: number): Record<string, any> {
  const mains = v.slots.filter((s) => s.kind === 'container');
  const inits = v.slots.filter((s) => s.kind === 'init');
  const conds = (pod.status?.conditions ?? []).map((c: Cond) => ({ ...c })) as Cond[];
  const terminal = v.phase === 'Succeeded' || v.phase === 'Failed';
  setCondition(conds, cond('PodReadyToStartContainers', terminal ? 'False' : 'True', now));
  const pendingInit = inits.filter((s) => !(s.sidecar ? s.started : s.current?.exit?.code === 0)).map((s) => s.spec.name);
  setCondition(conds, v.initialized || !pendingInit.length ? cond('Initialized', 'True', now) : cond('Initialized', 'False', now, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`));
  const unready = mains.filter((s) => !s.ready).map((s) => s.spec.name);
  if (terminal) {
    setCondition(conds, cond('ContainersReady', 'False', now, 'PodCompleted'));
    setCondition(conds, cond('Ready', 'False', now, 'PodCompleted'));
  } else if (unready.length) {
    const msg = `containers with unready status: [${unready.join(' ')}]`;
    setCondition(conds, cond('ContainersReady', 'False', now, 'ContainersNotReady', msg));
    setCondition(conds, cond('Ready', 'False', now, 'ContainersNotReady', msg));
  } else {
    setCondition(conds, cond('ContainersReady', 'True', now));
    setCondition(conds, readyCondition(pod as Pod, conds, rfc3339(now)));
  }
  // upstream's getPhase: a container that has never started (waiting, no last state) keeps the pod Pending.
  const phase = v.phase === 'Running' && mains.some((m) => !m.current && !m.last) ? 'Pending' : v.phase;
  const st: Record<string, any> = { ...(pod.status ?? {}), phase, conditions: orderConditions(conds), containerStatuses: mains.map((m) => containerStatus(m, pendingInit.length > 0 && !v.initialized)) };
  if (inits.length) st.initContainerStatuses = inits.map((i) => containerStatus(i));
  const ephemeral = v.slots.filter((s) => s.kind === 'ephemeral');
  if (ephemeral.length) st.ephemeralContainerStatuses = ephemeral.map((e) => containerStatus(e));
  if (v.podIP) { st.podIP = v.podIP; st.podIPs = [{ ip: v.podIP }]; }
  if (v.reason) st.reason = v.reason; else delete st.reason;
  if (v.message) st.message = v.message; else delete st.message;
  return st;
}
