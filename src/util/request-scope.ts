// Who the current request is, for code deep below the HTTP layer (admission reads it to fill
// AdmissionReview.userInfo, policies' `request.userInfo`, Pod Security exemptions). The HTTP layer
// runs each authenticated request inside `asUser`; background work (controllers, the scheduler, the
// kubelet) runs outside any request (`outsideRequests`), where the store acts as the system itself.
// The scope is one object per request, so other per-request state (request-warnings.ts) can ride
// on it instead of entering an AsyncLocalStorage of its own.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { User } from '../auth/user.ts';

export interface RequestScope {
  readonly user: User;
  /** Where warnings raised within the request go (set by request-warnings.ts). */
  warnings?: { seen: Set<string>; emit: (text: string) => void };
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` as `user`: everything it starts (promises, timers) sees that user. */
export function asUser<T>(user: User, fn: () => T): T {
  return scope.run({ user }, fn);
}

/** The user of the request this code runs for, or undefined outside requests. */
export function currentUser(): User | undefined {
  return scope.getStore()?.user;
}

/** The current request's scope, or undefined outside requests. */
export function currentScope(): RequestScope | undefined {
  return scope.getStore();
}

/** Runs `fn` outside any request, so work it schedules does not inherit a request's identity. */
export function outsideRequests<T>(fn: () => T): T {
  return scope.exit(fn);
}
