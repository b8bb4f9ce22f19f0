// The authorizer chain kube-apiserver builds for --authorization-mode: members of system:masters are
// always allowed (the privileged-group authorizer upstream puts first), then RBAC; AlwaysAllow lets
// everything through. A decision is synchronous (caches), offered as a Promise for callers such as
// ValidatingAdmissionPolicy's `authorizer` variable.
import type { Store } from '../../registry/store.ts';
import type { User } from '../user.ts';
import { RbacAuthorizer } from './authorizer.ts';
import type { AuthorizationResult } from './authorizer.ts';
import type { Attributes, PolicyRule } from './rules.ts';

export type AuthorizationMode = 'RBAC' | 'AlwaysAllow';
export const AUTHORIZATION_MODES: AuthorizationMode[] = ['RBAC', 'AlwaysAllow'];
export const PRIVILEGED_GROUP = 'system:masters';

export type { Attributes, PolicyRule, AuthorizationResult };

export interface Authorizer {
  mode: AuthorizationMode;
  /** The decision for one request (synchronous). */
  check(a: Attributes): AuthorizationResult;
  /** The same, as ValidatingAdmissionPolicy and webhooks ask it. */
  authorize(user: User, attributes: Omit<Attributes, 'user'>): Promise<AuthorizationResult>;
  /** The rules a user holds in a namespace ('' = cluster scope): what RulesReview and escalation checks read. */
  rulesFor(user: User, namespace: string): { rules: PolicyRule[]; errors: string[] };
  /** The RBAC caches (present in RBAC mode). */
  rbac?: RbacAuthorizer;
  start(): Promise<void>;
  stop(): void;
}

const ALL: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

export function createAuthorizer(store: Store, mode: AuthorizationMode = 'RBAC'): Authorizer {
  if (mode === 'AlwaysAllow') {
    const allow = (): AuthorizationResult => ({ decision: 'allow', reason: '' });
    return { mode, check: allow, authorize: async () => allow(), rulesFor: () => ({ rules: ALL, errors: [] }), start: async () => {}, stop: () => {} };
  }
  const rbac = new RbacAuthorizer(store);
  const check = (a: Attributes): AuthorizationResult => {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) return { decision: 'allow', reason: '' };
    return rbac.check(a);
  };
  return {
    mode, rbac, check,
    authorize: async (user, attributes) => check({ ...attributes, user }),
    rulesFor: (user, ns) => rbac.rulesFor(user, ns),
    start: () => rbac.start(),
    stop: () => rbac.stop(),
  };
}
