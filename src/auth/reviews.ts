// Review kinds are questions, not stored objects: answered on create and never persisted. Access
// reviews ask the server's authorizer (auth/rbac) about the request's user (Self…) or the subject named
// in the spec; SelfSubjectRulesReview lists the rules the user holds in a namespace.
import type { IncomingMessage } from 'node:http';
import { errors, field } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import { ADMIN_USER } from './token.ts';
import type { TokenAuthenticator } from './token.ts';
import { requestUser } from './user.ts';
import type { User } from './user.ts';
import type { Authorizer } from './rbac/index.ts';
import type { Attributes } from './rbac/rules.ts';
import { aggregate } from './rbac/authorizer.ts';

type Handler = (body: Record<string, any>, ctx: { req: IncomingMessage; namespace?: string }) => Promise<object>;

const AUTHZ = 'authorization.k8s.io';

function echo(body: Record<string, any>, kind: string, group: string, status: object): object {
  return { kind, apiVersion: `${group}/v1`, metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec: body.spec ?? {}, status };
}

const isObj = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** ValidateSubjectAccessReviewSpec's attribute checks. */
function attributeErrors(spec: Record<string, any>): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) errs.push(field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) errs.push(field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  return errs;
}

function specOf(body: Record<string, any>, kind: string): Record<string, any> {
  if (!isObj(body.spec)) throw errors.invalid(AUTHZ, kind, '', [field.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')]);
  return body.spec;
}

/** The attributes a review asks about (authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom). */
function reviewAttributes(user: User, spec: Record<string, any>): Attributes {
  if (isObj(spec.resourceAttributes)) {
    const r = spec.resourceAttributes;
    return { user, verb: str(r.verb), resourceRequest: true, apiGroup: str(r.group), apiVersion: str(r.version), resource: str(r.resource), subresource: str(r.subresource), name: str(r.name), namespace: str(r.namespace) };
  }
  const n = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : {};
  return { user, verb: str(n.verb), resourceRequest: false, path: str(n.path) };
}

function decide(authz: Authorizer | undefined, a: Attributes): object {
  if (!authz) return { allowed: true };
  const { decision, reason } = authz.check(a);
  return { allowed: decision === 'allow', ...(decision === 'deny' ? { denied: true } : {}), ...(reason ? { reason } : {}) };
}

function extraOf(v: unknown): Record<string, string[]> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, vals] of Object.entries(v)) out[k] = strings(vals);
  return out;
}

export function reviewHandlers(authz?: Authorizer): Map<string, Handler> {
  const m = new Map<string, Handler>();
  const self = (ctx: { req: IncomingMessage }) => requestUser(ctx.req) ?? ADMIN_USER;
  m.set(`${AUTHZ}/SelfSubjectAccessReview`, async (b, ctx) => {
    const spec = specOf(b, 'SelfSubjectAccessReview');
    const errs = attributeErrors(spec);
    if (errs.length) throw errors.invalid(AUTHZ, 'SelfSubjectAccessReview', '', errs);
    return echo(b, 'SelfSubjectAccessReview', AUTHZ, decide(authz, reviewAttributes(self(ctx), spec)));
  });
  const subject = (spec: Record<string, any>): User => ({ name: str(spec.user), groups: strings(spec.groups), ...(spec.uid ? { uid: str(spec.uid) } : {}), ...(spec.extra ? { extra: extraOf(spec.extra) } : {}) });
  m.set(`${AUTHZ}/SubjectAccessReview`, async (b) => {
    const spec = specOf(b, 'SubjectAccessReview');
    const errs = attributeErrors(spec);
    if (!spec.user && !strings(spec.groups).length) errs.push(field.invalid('spec.user', str(spec.user), 'at least one of user or group must be specified'));
    if (errs.length) throw errors.invalid(AUTHZ, 'SubjectAccessReview', '', errs);
    return echo(b, 'SubjectAccessReview', AUTHZ, decide(authz, reviewAttributes(subject(spec), spec)));
  });
  m.set(`${AUTHZ}/LocalSubjectAccessReview`, async (b, ctx) => {
    const spec = specOf(b, 'LocalSubjectAccessReview');
    const errs = attributeErrors(spec);
    if (!spec.user && !strings(spec.groups).length) errs.push(field.invalid('spec.user', str(spec.user), 'at least one of user or group must be specified'));
    if (spec.nonResourceAttributes) errs.push(field.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
    if (isObj(spec.resourceAttributes) && str(spec.resourceAttributes.namespace) !== (ctx.namespace ?? '')) {
      errs.push(field.invalid('spec.resourceAttributes.namespace', spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
    }
    if (errs.length) throw errors.invalid(AUTHZ, 'LocalSubjectAccessReview', '', errs);
    return echo(b, 'LocalSubjectAccessReview', AUTHZ, decide(authz, reviewAttributes(subject(spec), spec)));
  });
  m.set(`${AUTHZ}/SelfSubjectRulesReview`, async (b, ctx) => {
    const namespace = isObj(b.spec) ? str(b.spec.namespace) : '';
    if (!namespace) throw errors.badRequest('no namespace on request');
    if (!authz) {
      return echo(b, 'SelfSubjectRulesReview', AUTHZ, {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false,
      });
    }
    const { rules, errors: errs } = authz.rulesFor(self(ctx), namespace);
    const resourceRules = rules.filter((r) => r.resources?.length).map((r) => ({ verbs: r.verbs, ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}), resources: r.resources, ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
    const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    return echo(b, 'SelfSubjectRulesReview', AUTHZ, { resourceRules, nonResourceRules, incomplete: errs.length > 0, ...(errs.length ? { evaluationError: aggregate(errs) } : {}) });
  });
  const authn = 'authentication.k8s.io';
  m.set(`${authn}/SelfSubjectReview`, async (b, ctx) => ({ kind: 'SelfSubjectReview', apiVersion: `${authn}/v1`, metadata: { ...(b.metadata ?? {}), creationTimestamp: null },
    status: { userInfo: userInfo(self(ctx)) } }));
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
