// Impersonation (k8s.io/apiserver filters/impersonation.go): Impersonate-User, -Group, -Uid and
// -Extra-<key> headers make the request act as someone else, once the requester is authorized to
// `impersonate` each of them (users, groups, serviceaccounts, uids, userextras/<key>).
import type { IncomingMessage } from 'node:http';
import { errors } from '../errors.ts';
import { isDNS1123Label, isDNS1123Subdomain } from '../registry/validation/names.ts';
import { forbidden } from './rbac/attributes.ts';
import type { Attributes } from './rbac/rules.ts';
import type { User } from './user.ts';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHN = 'authentication.k8s.io';
/** Header values beyond this are refused rather than carried into a user (Node already bounds header size). */
const MAX_VALUES = 64;

/** serviceaccount.SplitUsername: namespace and name of `system:serviceaccount:<ns>:<name>`. */
export function splitServiceAccount(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (isDNS1123Label(namespace).length || isDNS1123Subdomain(name).length) return undefined;
  return { namespace, name };
}

type Ask = Omit<Attributes, 'user' | 'verb' | 'resourceRequest'>;

function values(req: IncomingMessage, header: string): string[] {
  const v = req.headersDistinct[header];
  return v ? v.filter((x) => x !== '') : [];
}

function unescapeKey(key: string): string {
  try { return decodeURIComponent(key.replace(/\+/g, '%2B')); } catch { return key; }
}

/** Impersonate-* headers as requests to check: each is authorized separately with verb `impersonate`. */
function impersonationRequests(req: IncomingMessage): { asks: Ask[]; user?: string; groups: string[]; uid?: string; extra: Record<string, string[]>; sa?: { namespace: string; name: string } } {
  const asks: Ask[] = [];
  const out: ReturnType<typeof impersonationRequests> = { asks, groups: [], extra: {} };
  const user = values(req, 'impersonate-user')[0];
  if (user) {
    out.user = user;
    const sa = splitServiceAccount(user);
    if (sa) { out.sa = sa; asks.push({ apiGroup: '', apiVersion: '', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name }); }
    else asks.push({ apiGroup: '', apiVersion: '', resource: 'users', name: user });
  }
  for (const g of values(req, 'impersonate-group')) { out.groups.push(g); asks.push({ apiGroup: '', apiVersion: '', resource: 'groups', name: g }); }
  for (const header of Object.keys(req.headersDistinct)) {
    if (!header.startsWith(EXTRA_PREFIX)) continue;
    const key = unescapeKey(header.slice(EXTRA_PREFIX.length));
    for (const v of req.headersDistinct[header] ?? []) {
      (out.extra[key] ??= []).push(v);
      asks.push({ apiGroup: AUTHN, apiVersion: 'v1', resource: 'userextras', subresource: key, name: v });
    }
  }
  const uid = values(req, 'impersonate-uid')[0];
  if (uid) { out.uid = uid; asks.push({ apiGroup: AUTHN, apiVersion: 'v1', resource: 'uids', name: uid }); }
  return out;
}

/**
 * The user this request acts as: `requester` unless it carries Impersonate-* headers, each of which
 * must be allowed (a 403 naming the first refused). Groups, extra or a uid without a user are refused.
 */
export function impersonate(req: IncomingMessage, requester: User, authz: { check(a: Attributes): { decision: string; reason: string } }): User {
  const h = req.headers;
  if (!h['impersonate-user'] && !h['impersonate-group'] && !h['impersonate-uid'] && !Object.keys(h).some((k) => k.startsWith(EXTRA_PREFIX))) return requester;
  const r = impersonationRequests(req);
  if (r.asks.length === 0) return requester;
  if (!r.user) throw errors.badRequest('requested impersonation of groups, extra or uid without impersonating a user (Impersonate-User)');
  if (r.asks.length > MAX_VALUES) throw errors.badRequest(`too many impersonation headers: at most ${MAX_VALUES} values are accepted`);
  for (const ask of r.asks) {
    const a: Attributes = { ...ask, user: requester, verb: 'impersonate', resourceRequest: true };
    const { decision, reason } = authz.check(a);
    if (decision !== 'allow') throw forbidden(a, reason);
  }
  let groups = r.groups;
  if (r.sa && h['impersonate-group'] === undefined) groups = ['system:serviceaccounts', `system:serviceaccounts:${r.sa.namespace}`];
  groups = [...groups];
  if (r.user !== 'system:anonymous') {
    if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) groups.push('system:authenticated');
  } else if (!groups.includes('system:unauthenticated')) groups.push('system:unauthenticated');
  return { name: r.user, groups, ...(r.uid ? { uid: r.uid } : {}), ...(Object.keys(r.extra).length ? { extra: r.extra } : {}) };
}
