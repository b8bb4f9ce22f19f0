// The admission chain every write of every kind goes through (the store calls it; see
// Store.create/writeUpdate/delete). Plugins register once at server start, and run in upstream's order.
import type { AdmissionContext, KObject } from '../registry/strategy.ts';
import { currentUser } from '../util/request-scope.ts';
import type { User } from '../auth/user.ts';
import { PLUGIN_ORDER } from './types.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

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

  async mutate(a: AdmissionAttributes, ctx: AdmissionContext): Promise<void> {
    for (const p of this.mutating) await p.mutate!(a, ctx);
  }

  async validate(a: AdmissionAttributes, ctx: AdmissionContext): Promise<void> {
    for (const p of this.validating) await p.validate!(a, ctx);
  }

  /** Tells plugins how a validated create ended (the stored object, or undefined when it failed). */
  settled(a: AdmissionAttributes, stored: KObject | undefined): void {
    for (const p of this.validating) {
      try { p.settled?.(a, stored); } catch { /* a plugin's bookkeeping must not fail the write */ }
    }
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
