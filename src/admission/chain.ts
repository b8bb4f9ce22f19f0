// The admission chain every write of every kind goes through (the store calls it; see
// Store.create/writeUpdate/delete). Plugins register once at server start, and run in upstream's order.
import type { AdmissionContext, KObject } from '../registry/strategy.ts';
import { currentUser } from '../util/request-scope.ts';
import type { User } from '../auth/user.ts';
import { PLUGIN_ORDER } from './types.ts';
import type { AdmissionAttributes, AdmissionPhase, AdmissionPlugin } from './types.ts';

/** The context plugins read, or a function making it (made only when some plugin runs). */
export type AdmissionContextSource = AdmissionContext | (() => AdmissionContext);

/** Who writes when no request is being served: the server's own controllers, as upstream's loopback client. */
export const SYSTEM_USER: User = { name: 'system:apiserver', uid: '', groups: ['system:authenticated', 'system:masters'] };

export class AdmissionChain {
  private mutating: AdmissionPlugin[] = [];
  private validating: AdmissionPlugin[] = [];

  /** Adds a plugin; it runs at its place in upstream's order (unknown names run last). */
  register(plugin: AdmissionPlugin): void {
    if (plugin.mutate) this.mutating = sorted([...this.mutating, plugin]);
    if (plugin.validate) this.validating = sorted([...this.validating, plugin]);
  }

  /** Whether any plugin would run (lets the store skip building attributes). */
  get empty(): boolean { return this.mutating.length === 0 && this.validating.length === 0; }

  /**
   * Runs the mutating plugins that apply. Undefined when none does (the write goes on without a
   * promise or an event-loop turn); else a promise of the run.
   */
  mutate(a: AdmissionAttributes, ctx: AdmissionContextSource): Promise<void> | undefined {
    return this.run(this.mutating, 'mutate', a, ctx);
  }

  /** Runs the validating plugins that apply; undefined when none does (see mutate). */
  validate(a: AdmissionAttributes, ctx: AdmissionContextSource): Promise<void> | undefined {
    return this.run(this.validating, 'validate', a, ctx);
  }

  private run(ps: AdmissionPlugin[], phase: AdmissionPhase, a: AdmissionAttributes, ctx: AdmissionContextSource): Promise<void> | undefined {
    for (let i = 0; i < ps.length; i++) {
      if (applies(ps[i], a, phase)) return runFrom(ps, i, phase, a, typeof ctx === 'function' ? ctx() : ctx);
    }
    return undefined;
  }

  /** Tells plugins how a validated create ended (the stored object, or undefined when it failed). */
  settled(a: AdmissionAttributes, stored: KObject | undefined): void {
    for (const p of this.validating) {
      try { p.settled?.(a, stored); } catch { /* a plugin's bookkeeping must not fail the write */ }
    }
  }
}

const applies = (p: AdmissionPlugin, a: AdmissionAttributes, phase: AdmissionPhase): boolean => !p.applies || p.applies(a, phase);

/** Calls plugin `first` and every later one that applies when its turn comes, one after another. */
async function runFrom(ps: AdmissionPlugin[], first: number, phase: AdmissionPhase, a: AdmissionAttributes, ctx: AdmissionContext): Promise<void> {
  await ps[first][phase]!(a, ctx);
  for (let i = first + 1; i < ps.length; i++) {
    if (applies(ps[i], a, phase)) await ps[i][phase]!(a, ctx);
  }
}

function rank(p: AdmissionPlugin): number {
  const i = PLUGIN_ORDER.indexOf(p.name);
  return i < 0 ? PLUGIN_ORDER.length : i;
}

function sorted(ps: AdmissionPlugin[]): AdmissionPlugin[] {
  return ps.sort((a, b) => rank(a) - rank(b));
}

/** The user a write is admitted as: the request's, or the system's for background work. */
export function admissionUser(): User {
  return currentUser() ?? SYSTEM_USER;
}
