// Event-loop turns for in-process background work (controllers, scheduler, kubelet).
// The API server shares one thread with its controllers. Work that never waits on I/O (a reconcile
// that re-adds keys, a promise chain that only resolves in microtasks) would otherwise run without a
// break and starve sockets, timers and TLS handshakes. So work queues start items only inside a short
// slice of real time that begins on a macrotask (setImmediate); once the slice is spent, they ask for
// the next turn, and the event loop polls I/O in between. The slice is shared by every queue, so many
// busy queues together still give way after about SLICE_MS.
// These are real-time turns (how the process shares its thread), not simulated time: the Clock
// module's timers stay the only source of simulated delays.

import { monotonicMs } from '../clock.ts';
import { outsideRequests } from '../util/request-scope.ts';

/** Real milliseconds of queued work per event-loop turn. */
export const SLICE_MS = 4;

let sliceStart = -Infinity;
let scheduled = false;
let waiting = new Set<() => void>();

/**
 * True while the current slice has budget left: for SLICE_MS of real time after a turn began, which
 * covers the microtasks its work chains (and, within that time, any other callback: the slice is a
 * time budget, not a scope).
 */
export function inSlice(): boolean {
  return monotonicMs() - sliceStart < SLICE_MS;
}

/** Run `fn` on the next event-loop turn (once, however often it is asked for before that turn). */
export function nextTurn(fn: () => void): void {
  waiting.add(fn);
  if (scheduled) return;
  scheduled = true;
  // Background work never runs as the request that happened to wake it.
  outsideRequests(() => setImmediate(runTurn));
}

function runTurn(): void {
  scheduled = false;
  sliceStart = monotonicMs();
  const due = waiting;
  waiting = new Set();
  for (const fn of due) {
    try { fn(); } catch { /* a queue's pump does not throw; one that did must not stop the others */ }
  }
}
