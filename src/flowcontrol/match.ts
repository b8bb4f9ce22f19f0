// Which FlowSchema a request matches (k8s.io/apiserver pkg/util/flowcontrol/rule.go): the first, in
// matchingPrecedence order, with a rule whose subjects include the user and whose resource (or
// non-resource) rules cover the request; and its flow distinguisher (ByUser, ByNamespace or none).
import type { User } from '../auth/user.ts';

/** What classification reads of a request: upstream's RequestDigest (user + RequestInfo). */
export interface RequestDigest {
  user: User;
  resourceRequest: boolean;
  verb: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  path: string;
}

type Obj = Record<string, any>;
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

const has = (x: string, values: unknown, wildcard: string): boolean => {
  const l = list(values);
  return (l.length === 1 && l[0] === wildcard) || l.includes(x);
};

function serviceAccountInNamespace(namespace: string, username: string): boolean {
  const prefix = 'system:serviceaccount:';
  return username.startsWith(prefix) && username.startsWith(`${namespace}:`, prefix.length);
}

function matchesSubject(user: User, s: Obj): boolean {
  switch (s?.kind) {
    case 'User': return !!s.user && (s.user.name === '*' || s.user.name === user.name);
    case 'Group': return !!s.group && (s.group.name === '*' || user.groups.includes(s.group.name));
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!sa) return false;
      if (sa.name === '*') return serviceAccountInNamespace(sa.namespace, user.name);
      return user.name === `system:serviceaccount:${sa.namespace}:${sa.name}`;
    }
    default: return false;
  }
}

function matchesResourceRule(d: RequestDigest, r: Obj): boolean {
  if (!has(d.verb, r.verbs, '*')) return false;
  const rs = d.subresource ? `${d.resource}/${d.subresource}` : d.resource ?? '';
  if (!has(rs, r.resources, '*')) return false;
  if (!has(d.apiGroup ?? '', r.apiGroups, '*')) return false;
  if (!d.namespace) return r.clusterScope === true;
  return has(d.namespace, r.namespaces, '*');
}

function matchesNonResourceURL(urls: unknown, path: string): boolean {
  for (const u of list(urls)) {
    if (typeof u !== 'string') continue;
    if (u === '*' || u === path) return true;
    let prefix = u.endsWith('*') ? u.slice(0, -1) : u;
    if (!prefix.endsWith('/')) prefix += '/';
    if (path.startsWith(prefix)) return true;
  }
  return false;
}

function matchesRule(d: RequestDigest, rule: Obj): boolean {
  if (!list(rule.subjects).some((s) => matchesSubject(d.user, s))) return false;
  if (d.resourceRequest) return list(rule.resourceRules).some((r) => matchesResourceRule(d, r));
  return list(rule.nonResourceRules).some((r) => has(d.verb, r.verbs, '*') && matchesNonResourceURL(r.nonResourceURLs, d.path));
}

export function matchesFlowSchema(d: RequestDigest, spec: Obj): boolean {
  return list(spec?.rules).some((rule) => matchesRule(d, rule));
}

/** The flow distinguisher of a request under a schema's distinguisherMethod. */
export function flowDistinguisher(d: RequestDigest, spec: Obj): string {
  switch (spec?.distinguisherMethod?.type) {
    case 'ByUser': return d.user.name;
    case 'ByNamespace': return d.namespace ?? '';
    default: return '';
  }
}

/** apihelpers.FlowSchemaSequence order: matchingPrecedence, then name. */
export function schemaOrder(a: { metadata: { name?: string }; spec?: Obj }, b: { metadata: { name?: string }; spec?: Obj }): number {
  const pa = a.spec?.matchingPrecedence ?? 0, pb = b.spec?.matchingPrecedence ?? 0;
  if (pa !== pb) return pa - pb;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}
