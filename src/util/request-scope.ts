// Who the current request is, for code deep below the HTTP layer (admission reads it to fill
// AdmissionReview.userInfo, policies' `request.userInfo`, Pod Security exemptions). The HTTP layer
// runs each authenticated request inside `asUser`; background work (controllers, the scheduler, the
// kubelet) runs outside any request (`outsideRequests`), where the store acts as the system itself.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { User } from '../auth/user.ts';

const scope = new AsyncLocalStorage<User>();

/** Runs `fn` as `user`: everything it starts (promises, timers) sees that user. */
export function asUser<T>(user: User, fn: () => T): T {
  return scope.run(user, fn);
}

/** The user of the request this code runs for, or undefined outside requests. */
export function currentUser(): User | undefined {
  return scope.getStore();
}

/** Runs `fn` outside any request, so work it schedules does not inherit a request's identity. */
export function outsideRequests<T>(fn: () => T): T {
  return scope.exit(fn);
}
