// Controller expectations (after upstream's ControllerExpectations): a controller that has just
// created or deleted pods waits until its informer has seen those changes before it counts pods
// again, so it never creates twice for one gap. Expectations expire after 5 minutes as a safety net.
import type { Clock } from '../clock.ts';

const TTL_MS = 5 * 60_000;

export class Expectations {
  private readonly clock: Clock;
  private readonly adds = new Map<string, number>();       // controller key → creations still to be seen
  private readonly dels = new Map<string, Set<string>>();  // controller key → pod keys still to be seen deleting
  private readonly since = new Map<string, number>();
  constructor(clock: Clock) { this.clock = clock; }

  expectCreates(ctrl: string, n: number): void { this.adds.set(ctrl, (this.adds.get(ctrl) ?? 0) + n); this.since.set(ctrl, this.clock.now()); }
  expectDelete(ctrl: string, pod: string): void { this.bucket(this.dels, ctrl).add(pod); this.since.set(ctrl, this.clock.now()); }
  /** A create that failed will never be observed. */
  lowerCreate(ctrl: string): void { this.observedCreate(ctrl); }
  lowerDelete(ctrl: string, pod: string): void { this.dels.get(ctrl)?.delete(pod); }
  observedCreate(ctrl: string): void { const n = this.adds.get(ctrl); if (n !== undefined) { if (n <= 1) this.adds.delete(ctrl); else this.adds.set(ctrl, n - 1); } }
  observedDelete(ctrl: string, pod: string): void { this.dels.get(ctrl)?.delete(pod); }

  satisfied(ctrl: string): boolean {
    const a = this.adds.get(ctrl) ?? 0;
    const d = this.dels.get(ctrl)?.size ?? 0;
    if (a === 0 && d === 0) return true;
    if (this.clock.now() - (this.since.get(ctrl) ?? 0) > TTL_MS) { this.forget(ctrl); return true; }
    return false;
  }
  forget(ctrl: string): void { this.adds.delete(ctrl); this.dels.delete(ctrl); this.since.delete(ctrl); }

  private bucket(m: Map<string, Set<string>>, k: string): Set<string> {
    let s = m.get(k);
    if (!s) m.set(k, s = new Set());
    return s;
  }
}
