// The security steps every request passes, in upstream's filter order: authentication (no
// credentials: system:anonymous when anonymous requests are allowed), impersonation, authorization of
// the attributes its path asks for. Shared by the request pipeline and upgraded (streaming) requests.
import type { IncomingMessage } from 'node:http';
import { errors } from '../errors.ts';
import type { Authenticator } from '../api/app.ts';
import { ANONYMOUS_USER, setRequestUser } from './user.ts';
import type { User } from './user.ts';
import type { Authorizer } from './rbac/index.ts';
import { forbidden, requestAttributes } from './rbac/attributes.ts';
import { impersonate } from './impersonation.ts';

export interface RequestSecurity {
  auth?: Authenticator;
  /** Who may do what (--authorization-mode); absent: every authenticated request is allowed. */
  authz?: Authorizer;
  /** Requests without credentials are system:anonymous (--anonymous-auth, default true) rather than 401. */
  anonymous?: boolean;
}

/**
 * The user a request acts as, remembered on it (requestUser), once it is allowed; throws 401 or 403.
 * Undefined when no authenticator is configured, or for a credential-less request to a path that
 * needs none (`open`) when anonymous requests are off.
 */
export async function secureRequest(s: RequestSecurity, req: IncomingMessage, path: string, query: URLSearchParams, open = false, extraVerbs: string[] = []): Promise<User | undefined> {
  if (!s.auth) return undefined;
  const found = s.auth.authenticate(req);
  let user = found instanceof Promise ? await found : found;
  if (!user) {
    if (s.anonymous === false || !s.authz) { if (open) return undefined; throw errors.unauthorized(); }
    user = ANONYMOUS_USER;
  }
  if (s.authz) user = impersonate(req, user, s.authz);
  setRequestUser(req, user);
  if (!s.authz) return user;
  const attrs = requestAttributes(user, req.method ?? 'GET', path, query);
  const { decision, reason } = s.authz.check(attrs);
  if (decision !== 'allow') throw forbidden(attrs, reason);
  for (const verb of extraVerbs) {
    const a = { ...attrs, verb };
    const extra = s.authz.check(a);
    if (extra.decision !== 'allow') throw forbidden(a, extra.reason);
  }
  return user;
}
