// Review kinds are questions, not stored objects: answered on create and never persisted.
// Until RBAC lands every authenticated user (the admin or a service account) may do everything; the
// answers say so.
import type { IncomingMessage } from 'node:http';
import { errors, field } from '../errors.ts';
import { ADMIN_USER } from './token.ts';
import type { TokenAuthenticator } from './token.ts';
import { requestUser } from './user.ts';
import type { User } from './user.ts';

type Handler = (body: Record<string, any>, ctx: { req: IncomingMessage; namespace?: string }) => Promise<object>;

const REASON = 'Skiff authorizes every authenticated request (RBAC is not enforced yet)';

function echo(body: Record<string, any>, kind: string, group: string, status: object): object {
  return { kind, apiVersion: `${group}/v1`, metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec: body.spec ?? {}, status };
}

function requireAttributes(body: Record<string, any>, kind: string, group: string): void {
  const spec = body.spec;
  if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes)) {
    throw errors.invalid(group, kind, '', [field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')]);
  }
}

export function reviewHandlers(): Map<string, Handler> {
  const m = new Map<string, Handler>();
  const authz = 'authorization.k8s.io';
  m.set(`${authz}/SelfSubjectAccessReview`, async (b) => { requireAttributes(b, 'SelfSubjectAccessReview', authz); return echo(b, 'SelfSubjectAccessReview', authz, { allowed: true, reason: REASON }); });
  m.set(`${authz}/SubjectAccessReview`, async (b) => {
    requireAttributes(b, 'SubjectAccessReview', authz);
    if (!b.spec.user && !(b.spec.groups?.length)) throw errors.invalid(authz, 'SubjectAccessReview', '', [field.invalid('spec.user', '', 'at least one of user or group must be specified')]);
    return echo(b, 'SubjectAccessReview', authz, { allowed: true, reason: REASON });
  });
  m.set(`${authz}/LocalSubjectAccessReview`, async (b, ctx) => {
    requireAttributes(b, 'LocalSubjectAccessReview', authz);
    if (b.spec.resourceAttributes && b.spec.resourceAttributes.namespace !== ctx.namespace) {
      throw errors.invalid(authz, 'LocalSubjectAccessReview', '', [field.invalid('spec.resourceAttributes.namespace', b.spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace')]);
    }
    return echo(b, 'LocalSubjectAccessReview', authz, { allowed: true, reason: REASON });
  });
  m.set(`${authz}/SelfSubjectRulesReview`, async (b) => echo(b, 'SelfSubjectRulesReview', authz, {
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: false,
  }));
  const authn = 'authentication.k8s.io';
  m.set(`${authn}/SelfSubjectReview`, async (b, ctx) => ({ kind: 'SelfSubjectReview', apiVersion: `${authn}/v1`, metadata: { ...(b.metadata ?? {}), creationTimestamp: null },
    status: { userInfo: userInfo(requestUser(ctx.req) ?? ADMIN_USER) } }));
  return m;
}

function userInfo(u: User): object {
  return { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) };
}

/** TokenReview asks the same authenticators as requests do; a service-account token is checked against spec.audiences. */
export function tokenReviewHandler(users: TokenAuthenticator): Handler {
  return async (b) => {
    const token = b.spec?.token;
    if (typeof token !== 'string' || !token) throw errors.invalid('authentication.k8s.io', 'TokenReview', '', [field.required('spec.token')]);
    const listed = Array.isArray(b.spec.audiences) ? b.spec.audiences.filter((x: unknown): x is string => typeof x === 'string') : [];
    const asked = listed.length ? listed : undefined;
    let status: object;
    try {
      const found = await users(token, asked);
      status = found
        ? { authenticated: true, user: userInfo(found.user), audiences: found.audiences ?? asked ?? [] }
        : { authenticated: false, error: 'invalid bearer token' };
    } catch (e) {
      status = { authenticated: false, error: (e as Error).message };
    }
    return { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: b.spec, status };
  };
}
