// Kubernetes' authorizer library for CEL (k8s.io/apiserver/pkg/cel/library/authz.go):
// `authorizer.group('apps').resource('deployments').namespace('ns').name('x').check('create').allowed()`,
// `authorizer.path('/healthz').check('get')`, `authorizer.serviceAccount(ns, name)` and
// `authorizer.requestResource` (the resource of the request being admitted). Decisions come from an
// injected function, which may answer asynchronously (evaluation then returns a promise).
import type { Environment } from '@marcbachmann/cel-js';

/** What is asked of the authorizer (upstream's authorizer.AttributesRecord, the parts CEL sets). */
export interface AuthzRequest {
  user: { name: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  verb: string;
  resourceRequest: boolean;
  path?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  fieldSelector?: string;
  labelSelector?: string;
}

export interface AuthzDecision {
  decision: 'allow' | 'deny' | 'noopinion';
  reason?: string;
  error?: string;
}

export type AuthorizeFn = (req: AuthzRequest) => AuthzDecision | Promise<AuthzDecision>;

export class Authorizer {
  readonly user: AuthzRequest['user'];
  readonly authorize: AuthorizeFn;
  /** `authorizer.requestResource`: a check on the admitted request's own resource (set per request). */
  requestResource?: ResourceCheck;
  constructor(user: AuthzRequest['user'], authorize: AuthorizeFn) { this.user = user; this.authorize = authorize; }
}

export class PathCheck {
  readonly authz: Authorizer;
  readonly path: string;
  constructor(authz: Authorizer, path: string) { this.authz = authz; this.path = path; }
}

export class GroupCheck {
  readonly authz: Authorizer;
  readonly group: string;
  constructor(authz: Authorizer, group: string) { this.authz = authz; this.group = group; }
}

type ResourceFields = { subresource: string; namespace: string; name: string; fieldSelector: string; labelSelector: string };

export class ResourceCheck {
  readonly authz: Authorizer;
  readonly group: string;
  readonly resource: string;
  readonly f: ResourceFields;
  constructor(authz: Authorizer, group: string, resource: string, f: Partial<ResourceFields> = {}) {
    this.authz = authz; this.group = group; this.resource = resource;
    this.f = { subresource: '', namespace: '', name: '', fieldSelector: '', labelSelector: '', ...f };
  }
  with(k: keyof ResourceFields, v: string): ResourceCheck {
    return new ResourceCheck(this.authz, this.group, this.resource, { ...this.f, [k]: v });
  }
}

export class Decision {
  readonly d: AuthzDecision;
  constructor(d: AuthzDecision) { this.d = d; }
}

function decide(authz: Authorizer, req: Omit<AuthzRequest, 'user'>): Decision | Promise<Decision> {
  let r: AuthzDecision | Promise<AuthzDecision>;
  try {
    r = authz.authorize({ ...req, user: authz.user });
  } catch (e) {
    return new Decision({ decision: 'noopinion', error: (e as Error).message });
  }
  if (r instanceof Promise) return r.then((d) => new Decision(d), (e) => new Decision({ decision: 'noopinion', error: (e as Error).message }));
  return new Decision(r);
}

/** The user a service account authenticates as (serviceaccount.UserInfo). */
function serviceAccountUser(namespace: string, name: string): AuthzRequest['user'] {
  return { name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] };
}

export function registerAuthz(env: Environment): void {
  const A = 'kubernetes.authorization.Authorizer', P = 'kubernetes.authorization.PathCheck', G = 'kubernetes.authorization.GroupCheck';
  const R = 'kubernetes.authorization.ResourceCheck', D = 'kubernetes.authorization.Decision';
  env.registerType(R, ResourceCheck);
  env.registerType(A, { ctor: Authorizer, fields: { requestResource: R } } as never);
  env.registerType(P, PathCheck);
  env.registerType(G, GroupCheck);
  env.registerType(D, Decision);
  env.registerFunction(`${A}.path(string): ${P}`, (a: Authorizer, p: string) => new PathCheck(a, p));
  env.registerFunction(`${A}.group(string): ${G}`, (a: Authorizer, g: string) => new GroupCheck(a, g));
  env.registerFunction(`${A}.serviceAccount(string, string): ${A}`, (a: Authorizer, ns: string, n: string) => new Authorizer(serviceAccountUser(ns, n), a.authorize));
  env.registerFunction(`${G}.resource(string): ${R}`, (g: GroupCheck, r: string) => new ResourceCheck(g.authz, g.group, r));
  for (const k of ['subresource', 'namespace', 'name', 'fieldSelector', 'labelSelector'] as const) {
    env.registerFunction(`${R}.${k}(string): ${R}`, (r: ResourceCheck, v: string) => r.with(k, v));
  }
  env.registerFunction(`${P}.check(string): ${D}`, (p: PathCheck, verb: string) => decide(p.authz, { verb, resourceRequest: false, path: p.path }));
  env.registerFunction(`${R}.check(string): ${D}`, (r: ResourceCheck, verb: string) => decide(r.authz, {
    verb, resourceRequest: true, group: r.group, version: '*', resource: r.resource, subresource: r.f.subresource,
    namespace: r.f.namespace, name: r.f.name, fieldSelector: r.f.fieldSelector || undefined, labelSelector: r.f.labelSelector || undefined,
  }));
  env.registerFunction(`${D}.allowed(): bool`, (d: Decision) => d.d.decision === 'allow');
  env.registerFunction(`${D}.reason(): string`, (d: Decision) => d.d.reason ?? '');
  env.registerFunction(`${D}.errored(): bool`, (d: Decision) => d.d.error !== undefined && d.d.error !== '');
  env.registerFunction(`${D}.error(): string`, (d: Decision) => d.d.error ?? '');
}

/** Everything is allowed (the default until an authorizer is wired in). */
export const allowAll: AuthorizeFn = () => ({ decision: 'allow', reason: '' });
