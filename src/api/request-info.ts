// Path → what the request is about (after k8s.io/apiserver's RequestInfoFactory and the go-restful
// routes it feeds). Groups are the served ones: the stored resource table and the groups extension
// routes answer (served-groups.ts).
//
// The request target is read as Go's net/http reads it, never through WHATWG URL resolution: the
// path is percent-decoded as a whole (so `%2e` is `.` and `%2F` is a separator), dot segments are
// kept as names, and only leading and trailing slashes are trimmed before splitting (so
// `configmaps/` is the collection, as upstream, while an empty segment inside the path stays an
// empty segment). Names are checked as upstream's storage key functions check them
// (path.IsValidPathSegmentName) before any verb runs.
import { errors, StatusError } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { BUILTIN_TABLE } from '../registry/resource-table.ts';
import type { ResourceTable } from '../registry/resource-table.ts';
import { isValidPathSegmentName } from '../registry/validation/names.ts';

export type RequestInfo =
  | { kind: 'nonResource'; path: string }
  | { kind: 'discovery'; level: 'api' | 'apis' | 'group' | 'groupVersion'; group: string; version: string }
  | {
    kind: 'resource'; verb: string; resource: ResourceInfo; namespace?: string; name?: string; subresource?: string;
  };

/** The parts of a request URL the routes use: the decoded path (dot segments kept) and the query. */
export interface RequestUrl { pathname: string; searchParams: URLSearchParams }

const VALID_NS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HEX = /^[0-9a-fA-F]{2}$/;

/** Go's url.PathUnescape: every `%XX` decoded, `+` kept; undefined for a malformed escape. */
function unescapePath(s: string): string | undefined {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i] + (c >= 0xd800 && c < 0xdc00 ? s[++i] ?? '' : ''), 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The request target as Go's url.ParseRequestURI reads it: origin form (`/path?query`), absolute
 * form (`http://host/path?query`) or `*`. Undefined when Go would refuse it (its plain
 * `400 Bad Request`, which upstream answers before any handler runs).
 */
export function parseRequestTarget(raw: string): RequestUrl | undefined {
  let target = raw;
  if (target === '*') return { pathname: '*', searchParams: new URLSearchParams() };
  if (!target.startsWith('/')) {
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/.exec(target);
    if (!m) return undefined;
    target = target.slice(m[0].length);
    if (target === '' || target.startsWith('?')) target = '/' + target;
  }
  const q = target.indexOf('?');
  const pathname = unescapePath(q < 0 ? target : target.slice(0, q));
  if (pathname === undefined) return undefined;
  return { pathname, searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

/** upstream's splitPath: trim leading and trailing slashes, then split (inner empty segments stay). */
export function splitPath(path: string): string[] {
  let start = 0, end = path.length;
  while (start < end && path.charCodeAt(start) === 0x2f /* / */) start++;
  while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
  return start === end ? [] : path.slice(start, end).split('/');
}

/** Go's %q of a string, enough for names: JSON quoting with Go's escapes for control characters. */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-7][0-9a-f])/g, '\\x$1');
}

/** The storage key functions' refusal of a name (registry/generic/registry/store.go NamespaceKeyFunc). */
export function checkPathName(name: string): void {
  if (name === '') throw errors.badRequest('Name parameter required.');
  const problems = isValidPathSegmentName(name);
  if (problems.length) throw errors.badRequest(`Name parameter invalid: ${goQuote(name)}: ${problems.join(';')}`);
}

/** What a request addresses, with the route checks below made: the verb has a route, the name is valid. */
export function requestInfo(method: string, path: string, query: URLSearchParams, table: ResourceTable = BUILTIN_TABLE): RequestInfo {
  const info = classifyRequest(method, path, query, table);
  checkRoute(method, info);
  return info;
}

/**
 * What a request addresses, before the route checks (as upstream's RequestInfo filter runs before
 * go-restful routes, so even a 405 is counted with its resource). The verb of a method no route
 * takes is the method's own name, lowercased.
 */
export function classifyRequest(method: string, path: string, query: URLSearchParams, table: ResourceTable = BUILTIN_TABLE): RequestInfo {
  const parts = splitPath(path);
  let group: string, version: string, rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', level: 'api', group: '', version: '' };
    group = ''; version = parts[1]; rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', level: 'apis', group: '', version: '' };
    group = parts[1];
    if (parts.length === 2) return { kind: 'discovery', level: 'group', group, version: '' };
    version = parts[2]; rest = parts.slice(3);
  } else {
    return { kind: 'nonResource', path };
  }
  const gv = table.groupVersions().find((g) => g.group === group);
  if (!gv || !gv.versions.includes(version)) throw notFoundPath();
  if (rest.length === 0) return { kind: 'discovery', level: 'groupVersion', group, version };

  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... but /namespaces and /namespaces/{name}[/status|/finalize] address namespaces themselves.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = table.find(group, version, rest[0]);
  if (!resource) throw notFoundPath();
  const name = rest[1];
  const subresource = rest[2];
  if (rest.length > 3 && subresource !== 'proxy') throw notFoundPath();
  if (subresource !== undefined && !resource.subresources.some((s) => s.name === subresource)) throw notFoundPath();
  if (namespace !== undefined && !resource.namespaced) throw notFoundPath();
  if (namespace !== undefined && !VALID_NS.test(namespace)) throw notFoundPath();

  // Upstream trims the trailing slash and deletes the whole collection; a request that ends in an
  // empty name segment (`configmaps/`, `configmaps/%2F`) most likely lost its name, so Skiff never
  // lets it widen to a delete-collection (issue 19: data loss). Reads keep upstream's reading.
  if (method === 'DELETE' && name === undefined && path.endsWith('/') && resource.verbs.includes('deletecollection')) throw notFoundPath();
  const verb = verbFor(method, name !== undefined, subresource !== undefined, query) ?? method.toLowerCase();
  return { kind: 'resource', verb, resource, namespace, name, subresource };
}

/** The route checks: a method no route takes is go-restful's 405 (serviceErrorHandler); then the name. */
export function checkRoute(method: string, info: RequestInfo): void {
  if (info.kind !== 'resource') return;
  const { resource, subresource, name } = info;
  // Proxy subresources take every method their target may answer, OPTIONS included (upstream's connect routes).
  if (subresource === 'proxy' && name !== undefined && method === 'OPTIONS') { checkPathName(name); return; }
  const routed = verbFor(method, name !== undefined, subresource !== undefined) !== undefined;
  const verbs = subresource === undefined ? resource.verbs : resource.subresources.find((s) => s.name === subresource)!.verbs;
  if (!routed || (!verbs.includes(info.verb) && info.verb !== 'watch')) throw methodNotAllowed();
  if (name !== undefined) checkPathName(name);
}

/** The verb of a request (RequestInfoFactory), undefined where no route takes the method. */
function verbFor(method: string, named: boolean, sub: boolean, query?: URLSearchParams): string | undefined {
  const watch = query?.get('watch');
  const isWatch = watch === 'true' || watch === '1';
  switch (method) {
    case 'GET': case 'HEAD': return isWatch ? 'watch' : named ? 'get' : 'list';
    case 'POST': return named && !sub ? undefined : 'create';
    case 'PUT': return named ? 'update' : undefined;
    case 'PATCH': return named ? 'patch' : undefined;
    case 'DELETE': return named ? 'delete' : 'deletecollection';
    default: return undefined;
  }
}

/** go-restful's answer when a path has routes but none for the method (NewGenericServerResponse 405). */
export function methodNotAllowed(): StatusError {
  const e = new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  e.status.details = {};
  return e;
}

export function notFoundPath() {
  const e = errors.notFound({ group: '', resource: '' }, '');
  e.status.message = 'the server could not find the requested resource';
  e.status.details = {};
  return e;
}
