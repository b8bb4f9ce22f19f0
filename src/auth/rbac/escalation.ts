// Escalation prevention on RBAC writes (pkg/registry/rbac/*/policybased): a user may write a role
// only with rules they already hold (or the `escalate` verb on it), and a binding only to a role whose
// rules they hold (or the `bind` verb on it); members of system:masters may do both. A write that
// changes only what the garbage collector touches (owner references, finalizers) is never checked.
import { StatusError } from '../../errors.ts';
import type { ResourceInfo } from '../../registry/resources.ts';
import type { KObject } from '../../registry/strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import type { User } from '../user.ts';
import { compactRules, compactString, covers, goQuoteList, rulesOfRole } from './rules.ts';
import type { PolicyRule } from './rules.ts';
import type { Authorizer } from './index.ts';
import { PRIVILEGED_GROUP } from './index.ts';

const RBAC = 'rbac.authorization.k8s.io';
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

const forbiddenWrite = (resource: string, name: string, msg: string) =>
  new StatusError(403, 'Forbidden', `${resource}.${RBAC} ${JSON.stringify(name)} is forbidden: ${msg}`, { name, group: RBAC, kind: resource });

/** ConfirmNoEscalation: the message naming what the user would grant without holding it, or undefined. */
export function escalationMessage(authz: Authorizer, user: User, namespace: string, rules: PolicyRule[]): string | undefined {
  const owner = authz.rulesFor(user, namespace);
  const { ok, missing } = covers(owner.rules, rules);
  if (ok) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (owner.errors.length) msg += `; resolution errors: [${owner.errors.join(' ')}]`;
  return msg;
}

/** IsOnlyMutatingGCFields: equal once owner references, finalizers and managedFields are set aside. */
function onlyGcFields(obj: KObject, old: KObject): boolean {
  const strip = (o: KObject) => {
    const { ownerReferences: _o, finalizers: _f, managedFields: _m, resourceVersion: _r, ...meta } = o.metadata ?? {};
    const { metadata: _meta, status: _s, ...rest } = o;
    return { ...rest, metadata: meta };
  };
  return deepEqual(strip(obj), strip(old));
}

const rulesOf = (o: KObject): PolicyRule[] => rulesOfRole(o);
const hasAggregation = (o: KObject | undefined) => !!o?.aggregationRule && typeof o.aggregationRule === 'object';

/**
 * The check the store runs before writing a Role, ClusterRole, RoleBinding or ClusterRoleBinding on a
 * user's behalf (create, update and patch); throws upstream's 403 (or the missing role's 404).
 */
export function rbacWriteGuard(authz: Authorizer) {
  return async (r: ResourceInfo, obj: KObject, old: KObject | undefined, user: User): Promise<void> => {
    if (r.group !== RBAC || user.groups.includes(PRIVILEGED_GROUP)) return;
    if (old && onlyGcFields(obj, old)) return;
    const name = obj.metadata.name ?? '';
    const ns = r.namespaced ? obj.metadata.namespace ?? '' : '';
    const allowed = (verb: string, resource: string, resourceName: string) =>
      authz.check({ user, verb, resourceRequest: true, apiGroup: RBAC, apiVersion: '*', resource, name: resourceName, namespace: ns }).decision === 'allow';
    if (r.resource === 'roles' || r.resource === 'clusterroles') {
      if (allowed('escalate', r.resource, name)) return;
      const msg = escalationMessage(authz, user, ns, rulesOf(obj));
      if (msg) throw forbiddenWrite(r.resource, name, msg);
      if (r.resource === 'clusterroles' && (hasAggregation(obj) || hasAggregation(old)) && escalationMessage(authz, user, ns, FULL_AUTHORITY)) {
        throw forbiddenWrite(r.resource, name, 'must have cluster-admin privileges to use the aggregationRule');
      }
      return;
    }
    if (r.resource !== 'rolebindings' && r.resource !== 'clusterrolebindings') return;
    const ref = obj.roleRef && typeof obj.roleRef === 'object' ? obj.roleRef : {};
    // Any other roleRef is refused by validation (422), which upstream reaches only after this check.
    if ((ref.kind !== 'ClusterRole' && ref.kind !== 'Role') || typeof ref.name !== 'string') return;
    if (allowed('bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', ref.name)) return;
    const resolved = authz.rbac?.roleRefRules(ref, ns);
    if (!resolved) return;
    if (resolved.err !== undefined) throw new StatusError(404, 'NotFound', resolved.err, { name: ref.name, group: RBAC, kind: ref.kind === 'Role' ? 'role' : 'clusterrole' });
    const msg = escalationMessage(authz, user, ns, resolved.rules!);
    if (msg) throw forbiddenWrite(r.resource, name, msg);
  };
}
