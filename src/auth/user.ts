// Who a request is: what the authenticator found, remembered per request for the reviews that echo it
// (SelfSubjectReview, `kubectl auth whoami`).
import type { IncomingMessage } from 'node:http';

export interface User { name: string; uid?: string; groups: string[]; extra?: Record<string, string[]> }

const users = new WeakMap<IncomingMessage, User>();

export function setRequestUser(req: IncomingMessage, user: User): void { users.set(req, user); }
export function requestUser(req: IncomingMessage): User | undefined { return users.get(req); }

/** Who a request without credentials is (upstream's anonymous authenticator). */
export const ANONYMOUS_USER: User = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
