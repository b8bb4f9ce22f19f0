// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac): a request is allowed when a rule of a role
// bound to the user, one of their groups or their service account allows it. Roles and bindings are
// read from caches kept current by the store's watch; bindings are indexed by subject, so a decision
// looks only at the bindings naming this user, never at all of them.
import type { Store } from '../../registry/store.ts';
import { findResource } from '../../registry/resources.ts';
import { Informer } from '../../controllers/runtime.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { User } from '../user.ts';
import { ruleAllows, rulesOfRole } from './rules.ts';
import type { Attributes, PolicyRule } from './rules.ts';

export type Decision = 'allow' | 'deny' | 'noOpinion';
export interface AuthorizationResult { decision: Decision; reason: string }

interface Subject { kind: string; name: string; namespace?: string; apiGroup?: string }

const SA_PREFIX = 'system:serviceaccount:';
const RBAC = 'rbac.authorization.k8s.io';

/** Index keys of a binding's subjects (a service account without namespace is in the binding's). */
function subjectKeys(b: KObject): string[] {
  const ns = b.metadata.namespace ?? '';
  const keys: string[] = [];
  for (const s of (Array.isArray(b.subjects) ? b.subjects : []) as Subject[]) {
    if (!s || typeof s !== 'object') continue;
    if (s.kind === 'User') keys.push(`${ns}|u:${s.name}`);
    else if (s.kind === 'Group') keys.push(`${ns}|g:${s.name}`);
    else if (s.kind === 'ServiceAccount' && (s.namespace || ns)) keys.push(`${ns}|u:${SA_PREFIX}${s.namespace || ns}:${s.name}`);
  }
  return keys;
}

function appliesTo(user: User, s: Subject, bindingNs: string): boolean {
  switch (s?.kind) {
    case 'User': return user.name === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNs;
      return !!ns && user.name === `${SA_PREFIX}${ns}:${s.name}`;
    }
    default: return false;
  }
}

function describeSubject(s: Subject, bindingNs: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNs}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** Where a rule came from, as upstream's describers print it in an allow reason. */
function describeBinding(b: KObject, s: Subject): string {
  const ns = b.metadata.namespace;
  const head = ns ? `RoleBinding ${JSON.stringify(`${b.metadata.name}/${ns}`)}` : `ClusterRoleBinding ${JSON.stringify(b.metadata.name)}`;
  return `${head} of ${b.roleRef?.kind} ${JSON.stringify(b.roleRef?.name)} to ${describeSubject(s, ns ?? '')}`;
}

/** A visitor sees each rule with its source, or an error; returning false stops the walk. */
export type RuleVisitor = (source: (() => string) | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

export class RbacAuthorizer {
  private readonly roles: Informer;
  private readonly clusterRoles: Informer;
  private readonly bindings: Informer;
  private readonly clusterBindings: Informer;

  constructor(store: Store) {
    const inf = (r: string) => new Informer(store, findResource(RBAC, 'v1', r)!);
    this.roles = inf('roles');
    this.clusterRoles = inf('clusterroles');
    this.bindings = inf('rolebindings');
    this.clusterBindings = inf('clusterrolebindings');
    this.bindings.addIndex('subject', subjectKeys);
    this.clusterBindings.addIndex('subject', subjectKeys);
  }

  async start(): Promise<void> {
    await Promise.all([this.roles, this.clusterRoles, this.bindings, this.clusterBindings].map((i) => i.start()));
  }

  stop(): void { for (const i of [this.roles, this.clusterRoles, this.bindings, this.clusterBindings]) i.stop(); }

  /** The rules a roleRef names, or the lister's NotFound text. */
  roleRefRules(ref: { kind?: string; name?: string } | undefined, bindingNs: string): { rules?: PolicyRule[]; err?: string } {
    if (ref?.kind === 'Role') {
      const role = this.roles.get(`${bindingNs}/${ref.name}`);
      return role ? { rules: rulesOf(role) } : { err: `role.${RBAC} ${JSON.stringify(ref.name)} not found` };
    }
    if (ref?.kind === 'ClusterRole') {
      const role = this.clusterRoles.get(ref.name ?? '');
      return role ? { rules: rulesOf(role) } : { err: `clusterrole.${RBAC} ${JSON.stringify(ref.name)} not found` };
    }
    return { err: `unsupported role reference kind: ${JSON.stringify(ref?.kind ?? '')}` };
  }

  /** Bindings in scope `ns` ('' = cluster) whose subjects may name this user, each once. */
  private candidateBindings(user: User, ns: string): KObject[] {
    const informer = ns ? this.bindings : this.clusterBindings;
    let out = informer.byIndexValue('subject', `${ns}|u:${user.name}`);
    for (const g of user.groups) {
      const more = informer.byIndexValue('subject', `${ns}|g:${g}`);
      if (more.length) out = out.length ? [...new Set([...out, ...more])] : more;
    }
    return out;
  }

  /** DefaultRuleResolver.VisitRulesFor: cluster role bindings, then role bindings in `namespace`. */
  visitRulesFor(user: User, namespace: string, visit: RuleVisitor): void {
    for (const ns of namespace ? ['', namespace] : ['']) {
      for (const b of this.candidateBindings(user, ns)) {
        const subject = (b.subjects as Subject[]).find((s) => appliesTo(user, s, ns));
        if (!subject) continue;
        const { rules, err } = this.roleRefRules(b.roleRef, ns);
        if (err !== undefined) { if (!visit(undefined, undefined, err)) return; continue; }
        const source = () => describeBinding(b, subject);
        for (const r of rules!) if (!visit(source, r, undefined)) return;
      }
    }
  }

  check(a: Attributes): AuthorizationResult {
    let reason = '';
    const errs: string[] = [];
    let allowed = false;
    this.visitRulesFor(a.user as User, a.namespace ?? '', (source, rule, err) => {
      if (rule && ruleAllows(a, rule)) { allowed = true; reason = `RBAC: allowed by ${source!()}`; return false; }
      if (err !== undefined) errs.push(err);
      return true;
    });
    if (allowed) return { decision: 'allow', reason };
    return { decision: 'noOpinion', reason: errs.length ? `RBAC: ${aggregate(errs)}` : '' };
  }

  /** Every rule that applies to the user in `namespace`, and the resolution errors met. */
  rulesFor(user: User, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errs: string[] = [];
    this.visitRulesFor(user, namespace, (_s, rule, err) => { if (rule) rules.push(rule); if (err !== undefined) errs.push(err); return true; });
    return { rules, errors: errs };
  }

  /** The ClusterRole cache, shared with the aggregation controller. */
  get clusterRoleInformer(): Informer { return this.clusterRoles; }
}

/** Normalised rules per cached role object (cached objects are never changed, only replaced). */
const normalised = new WeakMap<KObject, PolicyRule[]>();
function rulesOf(role: KObject): PolicyRule[] {
  let rules = normalised.get(role);
  if (!rules) normalised.set(role, rules = rulesOfRole(role));
  return rules;
}

/** utilerrors.NewAggregate's text: one error as is, several in brackets. */
export function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}
