// One container of a pod as the runtime tracks it: its runs (current and last), restart count,
// back-off, readiness and probe timers.
import type { IFileSystem } from 'just-bash';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { Logbook } from './logbook.ts';
import type { ContainerProcess, Exit } from './process.ts';

export interface Run {
  id: string; startedAt: number; finishedAt?: number; exit?: Exit; message?: string;
  log: Logbook; proc: ContainerProcess; fs: IFileSystem; env: Record<string, string>; cwd: string;
  /** Why the runtime stopped it (liveness, deadline, deletion): the event was sent. */
  stopping?: boolean;
  settling?: Promise<void>;
}

export interface Slot {
  spec: Record<string, any>;
  /** `ephemeral`: added through pods/ephemeralcontainers; runs once, never restarted. */
  kind: SlotKind;
  /** A restartable init container (restartPolicy: Always). */
  sidecar: boolean;
  restartCount: number;
  current?: Run;
  last?: Run;
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
  /** Current crash back-off in seconds (0: the next restart is immediate). */
  backoff: number;
  timers: TimerHandle[];
  probeCounts: Record<string, { ok: number; bad: number }>;
}

export type SlotKind = 'init' | 'container' | 'ephemeral';

export function newSlot(spec: Record<string, any>, kind: SlotKind): Slot {
  return { spec, kind, sidecar: kind === 'init' && spec.restartPolicy === 'Always', restartCount: 0, ready: false, started: false, backoff: 0, timers: [], probeCounts: {} };
}

export const running = (s: Slot): boolean => !!s.current && !s.current.exit;
export function clearTimers(s: Slot): void { for (const t of s.timers) t.cancel(); s.timers = []; }

/**
 * A timer kept in `list` (to be cancelled with it) until it fires: fired ones do not pile up. A
 * clock may fire a timer that is already due within setTimeout itself: then it is never listed.
 */
export function arm(clock: Clock, list: TimerHandle[], fn: () => void, ms: number): TimerHandle {
  let t: TimerHandle | undefined, fired = false;
  t = clock.setTimeout(() => { fired = true; const i = t ? list.indexOf(t) : -1; if (i >= 0) list.splice(i, 1); fn(); }, ms);
  if (!fired) list.push(t);
  return t;
}

/** Back-off as the kubelet: 10 s, doubling per crash, capped at 5 min. */
export const MAX_BACKOFF = 300;
export const nextBackoff = (cur: number): number => (cur === 0 ? 10 : Math.min(MAX_BACKOFF, cur * 2));
