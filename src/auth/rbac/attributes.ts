// A request's authorization attributes, read from its path as upstream's RequestInfoFactory reads it
// (before any route or resource table is consulted: an unknown resource is authorized first, then
// not found), and the 403 upstream answers when no authorizer allows it.
import { StatusError } from '../../errors.ts';
import { isValidPathSegmentName } from '../../registry/validation/names.ts';
import { splitPath } from '../../api/request-info.ts';
import type { Attributes } from './rules.ts';
import type { User } from '../user.ts';

const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** ListOptions' watch as the parameter codec reads it (a bool: true/1/t/T/TRUE/True). */
function watchParam(q: URLSearchParams): boolean {
  const v = q.get('watch');
  return v !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

/** `metadata.name=x` (or `==`) as the only requirement on that field of a field selector. */
function exactName(q: URLSearchParams): string | undefined {
  const sel = q.get('fieldSelector');
  if (!sel) return undefined;
  let found: string | undefined;
  for (const term of sel.split(',')) {
    const m = /^\s*metadata\.name\s*(==?)\s*(.*?)\s*$/.exec(term);
    if (m) { if (found !== undefined) return undefined; found = m[2]; }
  }
  return found;
}

/** The last answer: authorization and flow control ask for the same request's attributes one after the other. */
let last: { user: User; method: string; path: string; query: URLSearchParams; out: Readonly<Attributes> } | undefined;

/** The attributes a request asks to be authorized for (shared with the next identical call: do not change them). */
export function requestAttributes(user: User, method: string, path: string, query: URLSearchParams): Readonly<Attributes> {
  if (last && last.user === user && last.query === query && last.method === method && last.path === path) return last.out;
  const out = attributesOf(user, method, path, query);
  last = { user, method, path, query, out };
  return out;
}

function attributesOf(user: User, method: string, path: string, query: URLSearchParams): Attributes {
  const base: Attributes = { user, verb: method.toLowerCase(), resourceRequest: false, path };
  let parts = splitPath(path);
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return base;
  const prefix = parts[0];
  parts = parts.slice(1);
  let apiGroup = '';
  if (prefix === 'apis') {
    if (parts.length < 3) return base;
    apiGroup = parts[0];
    parts = parts.slice(1);
  }
  const apiVersion = parts[0];
  parts = parts.slice(1);
  let verb: string;
  let viaPrefix = false;
  if (SPECIAL_VERBS.has(parts[0])) {
    if (parts.length < 2) return base; // upstream: an error, answered as a non-resource request
    verb = parts[0]; parts = parts.slice(1); viaPrefix = true;
  } else verb = METHOD_VERBS[method] ?? '';
  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      namespace = parts[1];
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
    }
  }
  const resource = parts[0] ?? '';
  let name = parts[1] ?? '';
  const subresource = parts.length >= 3 && verb !== 'proxy' ? parts[2] : '';
  if (!name && verb === 'get') {
    verb = watchParam(query) ? 'watch' : 'list';
    const n = exactName(query);
    if (n !== undefined && isValidPathSegmentName(n).length === 0) name = n;
  }
  if (!name && verb === 'delete') verb = 'deletecollection';
  void viaPrefix;
  return { user, verb, resourceRequest: true, path, apiGroup, apiVersion, resource, subresource, name, namespace };
}

/** responsewriters.forbiddenMessage: who cannot do what, where. */
export function forbiddenMessage(a: Attributes): string {
  const who = `User ${JSON.stringify(a.user.name)}`;
  if (!a.resourceRequest) return `${who} cannot ${a.verb} path ${JSON.stringify(a.path ?? '')}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
  const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
  return `${who} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup ?? '')} ${where}`;
}

/** The 403 of a refused request (apierrors.NewForbidden over the request's group and resource). */
export function forbidden(a: Attributes, reason: string): StatusError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest) return new StatusError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const group = a.apiGroup ?? '';
  const qualified = group ? `${a.resource}.${group}` : a.resource ?? '';
  const head = a.name ? `${qualified} ${JSON.stringify(a.name)}` : qualified;
  return new StatusError(403, 'Forbidden', `${head} is forbidden: ${msg}`, { name: a.name || undefined, group: group || undefined, kind: a.resource || undefined });
}
