// Path → what the request is about (after k8s.io/apiserver's RequestInfoFactory). Groups are the
// served ones: the stored resource table and the groups extension routes answer (served-groups.ts).
import { errors } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import { BUILTIN_TABLE } from '../registry/resource-table.ts';
import type { ResourceTable } from '../registry/resource-table.ts';

export type RequestInfo =
  | { kind: 'nonResource'; path: string }
  | { kind: 'discovery'; level: 'api' | 'apis' | 'group' | 'groupVersion'; group: string; version: string }
  | {
    kind: 'resource'; verb: string; resource: ResourceInfo; namespace?: string; name?: string; subresource?: string;
  };

const VALID_NS = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Decode one path segment; a malformed escape (a lone `%`) is a 400, not an exception. */
function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw errors.badRequest(`malformed escape in request path segment ${JSON.stringify(s)}`);
  }
}

/** `table`: the server's resource table (built-in plus CRD-served resources). */
export function requestInfo(method: string, path: string, query: URLSearchParams, table: ResourceTable = BUILTIN_TABLE): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '');
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
    namespace = decodeSegment(rest[1]);
    rest = rest.slice(2);
  }
  const resource = table.find(group, version, rest[0]);
  if (!resource) throw notFoundPath();
  const name = rest[1] !== undefined ? decodeSegment(rest[1]) : undefined;
  const subresource = rest[2];
  if (rest.length > 3 && subresource !== 'proxy') throw notFoundPath();
  if (subresource && !resource.subresources.some((s) => s.name === subresource)) throw notFoundPath();
  if (namespace !== undefined && !resource.namespaced) throw notFoundPath();
  if (namespace !== undefined && !VALID_NS.test(namespace)) throw notFoundPath();
  if (name !== undefined && (name === '' || name === '.' || name === '..' || name.includes('/'))) throw notFoundPath();

  const isWatch = query.get('watch') === 'true' || query.get('watch') === '1';
  let verb: string;
  switch (method) {
    case 'GET': case 'HEAD':
      verb = name ? (isWatch ? 'watch' : 'get') : (isWatch ? 'watch' : 'list'); break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name ? 'delete' : 'deletecollection'; break;
    default: throw errors.methodNotSupported({ group, resource: resource.resource }, method);
  }
  return { kind: 'resource', verb, resource, namespace, name, subresource };
}

export function notFoundPath() {
  const e = errors.notFound({ group: '', resource: '' }, '');
  e.status.message = 'the server could not find the requested resource';
  e.status.details = {};
  return e;
}
