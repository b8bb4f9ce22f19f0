// Who a request is: what the authenticator found, remembered per request for the reviews that echo it
// (SelfSubjectReview, `kubectl auth whoami`).
import type { IncomingMessage } from 'node:http';

export interface User { name: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }

// Kept on the request itself (a symbol-keyed property: every request takes the same shape), which is
// cheaper per request than an entry in a WeakMap.
const USER = Symbol('requestUser');
type WithUser = IncomingMessage & { [USER]?: User };

export function setRequestUser(req: IncomingMessage, user: User): void { (req as WithUser)[USER] = user; }
export function requestUser(req: IncomingMessage): User | undefined { return (req as WithUser)[USER]; }

/** Who a request without credentials is (upstream's anonymous authenticator). */
export const ANONYMOUS_USER: User = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
