// Generators for the seeded API fuzz suite (fuzz.test.ts), one per class of hostile input from
// issue 19. Each takes the seeded random source and returns one request: either one the HTTP
// client can send (method, path, headers, body) or raw bytes for the socket.
import { cm, deployment, pod } from './fixture.ts';

export interface FuzzRequest {
  method: string;
  path: string;
  contentType?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Bytes written on a socket as they are (Expect/Host/upgrade classes). */
  raw?: string;
  /** Error bodies must stay small: the input is large and upstream does not quote it. */
  boundedEcho?: boolean;
}

export type Rand = () => number;
export const tools = (rand: Rand) => {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const chance = (p: number) => rand() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  return { pick, chance, int };
};

export const NS = 'fz';
/** The seeded objects: [collection path, object]. */
export const SEEDS: [string, Record<string, any>][] = [
  [`/api/v1/namespaces/${NS}/configmaps`, cm('x')],
  [`/api/v1/namespaces/${NS}/configmaps`, cm('y', { b: '2' }, { app: 'y' })],
  [`/api/v1/namespaces/${NS}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { k: 'dg==' } }],
  [`/apis/apps/v1/namespaces/${NS}/deployments`, deployment('x')],
  [`/api/v1/namespaces/${NS}/pods`, pod('x')],
  ['/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'fz-role' }, rules: [] }],
];

/** Item shapes: [collection, name, subresource suffix, a body that fits]. */
const SHAPES = [
  [`/api/v1/namespaces/${NS}/configmaps`, 'x', '', () => cm('x', { a: '2' })],
  [`/api/v1/namespaces/${NS}/secrets`, 'x', '', () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } })],
  [`/apis/apps/v1/namespaces/${NS}/deployments`, 'x', '', () => deployment('x', 2)],
  [`/apis/apps/v1/namespaces/${NS}/deployments`, 'x', '/scale', () => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'x' }, spec: { replicas: 3 } })],
  [`/api/v1/namespaces/${NS}/pods`, 'x', '/status', () => pod('x')],
  // Not the seeded namespace: a legitimate DELETE of it would leave every later create refused.
  ['/api/v1/namespaces', 'fz-ns', '', () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz-ns' } })],
  ['/api/v1/namespaces', 'fz-ns', '/finalize', () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fz-ns' }, spec: { finalizers: [] } })],
  ['/apis/rbac.authorization.k8s.io/v1/clusterroles', 'fz-role', '', () => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'fz-role' } })],
] as const;

const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml'];
const VERBS = ['GET', 'PUT', 'PATCH', 'DELETE', 'POST', 'HEAD'] as const;

/** Hostile name segments: dots raw and escaped, escaped slashes, empty, NUL, stray percent. */
const HOSTILE_SEGMENTS = ['.', '..', '%2e', '%2E', '%2e%2e', '%2E%2e', '.%2e', '%2e.', '%2F', '%2f', '', '%00', '%25', 'x%2Fy', 'x%2F', '%2e%2e%2F%2e%2e', '%', '%zz', '..%2F..', '...', '..%20', '%20', '%C0%AE', 'x?', 'x#y', 'x;y'];

/** Paths with hostile name, namespace or subresource segments, on every shape and verb. */
export function hostilePath(rand: Rand): FuzzRequest {
  const { pick, chance } = tools(rand);
  const [coll, name, sub, body] = pick(SHAPES);
  const seg = pick(HOSTILE_SEGMENTS);
  let path: string;
  const where = rand();
  if (where < 0.6) path = `${coll}/${seg}${sub}`;
  else if (where < 0.75) path = `${coll}/${name}/${seg}`;
  else if (where < 0.85 && coll.includes(`/namespaces/${NS}/`)) path = coll.replace(`/namespaces/${NS}/`, `/namespaces/${seg}/`) + (chance(0.5) ? `/${name}` : '');
  else path = `${coll}${pick(['/', '//', '/%2F', '/./', '/../', `/${name}/`, `/${name}//`])}${chance(0.3) ? sub.slice(1) : ''}`;
  const method = pick(VERBS);
  const contentType = method === 'PATCH' ? pick(PATCH_TYPES) : 'application/json';
  let payload: string | undefined;
  if (method === 'PUT' || method === 'POST') payload = JSON.stringify(body());
  else if (method === 'PATCH') payload = contentType === 'application/json-patch+json' ? '[{"op":"add","path":"/metadata/labels","value":{"fz":"1"}}]'
    : contentType === 'application/apply-patch+yaml' ? JSON.stringify(body()) : '{"metadata":{"labels":{"fz":"1"}}}';
  else if (method === 'DELETE' && chance(0.3)) payload = '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}';
  const q = chance(0.2) ? `?${pick(['dryRun=All', 'labelSelector=app%3Dy', 'fieldManager=fz', 'watch=1&timeoutSeconds=1'])}` : '';
  return { method, path: path + q, contentType, body: payload };
}

/** Requests with odd Expect and Host headers, and odd framing, written raw. */
export function headerTricks(rand: Rand): FuzzRequest {
  const { pick, chance } = tools(rand);
  const [coll, name] = pick(SHAPES);
  const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
  const path = method === 'POST' || chance(0.3) ? coll : `${coll}/${name}`;
  const body = method === 'GET' || method === 'DELETE' ? '' : JSON.stringify(cm('fzh'));
  const lines = [`${method} ${path} ${pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'])}`];
  const host = pick(['Host: x', 'Host: x', '', 'Host: ', 'Host: a\r\nHost: b', 'Host: x:99999', 'host: X']);
  if (host) lines.push(host);
  lines.push('Authorization: Bearer {{TOKEN}}');
  const expect = pick(['', '', '100-continue', '100-Continue', '200-ok', 'x', '100-continue, x', '100-continuex', 'foo=bar', ' ']);
  if (expect) lines.push(`Expect: ${expect}`);
  if (body) lines.push(`Content-Type: ${method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'}`);
  const framing = pick(['cl', 'cl', 'cl-wrong', 'chunked', 'te-bad', 'both']);
  let payload = body;
  if (framing === 'cl' || (framing === 'cl-wrong' && !body)) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  else if (framing === 'cl-wrong') lines.push(`Content-Length: ${Math.max(0, Buffer.byteLength(body) - pick([5, 40]))}`);
  else if (framing === 'chunked') { lines.push('Transfer-Encoding: chunked'); payload = body ? `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n` : '0\r\n\r\n'; }
  else if (framing === 'te-bad') lines.push(`Transfer-Encoding: ${pick(['gzip', 'identity', 'chunked, gzip', 'x'])}`);
  else { lines.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Transfer-Encoding: chunked'); payload = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`; }
  lines.push('Connection: close');
  return { method, path, raw: `${lines.join('\r\n')}\r\n\r\n${payload}` };
}

/** Upgrade requests on exec, attach, portforward and on paths that take none. */
export function badUpgrade(rand: Rand): FuzzRequest {
  const { pick, chance } = tools(rand);
  const target = pick([`/api/v1/namespaces/${NS}/pods/x/exec?command=ls&stdout=1`, `/api/v1/namespaces/${NS}/pods/x/attach?stdout=1`,
    `/api/v1/namespaces/${NS}/pods/x/portforward?ports=80`, `/api/v1/namespaces/${NS}/pods/nope/exec?command=ls&stdout=1`,
    `/api/v1/namespaces/${NS}/pods/../exec?command=ls`, `/api/v1/namespaces/${NS}/pods/%2e/portforward`, `/api/v1/namespaces/${NS}/pods/x/exec`,
    `/api/v1/namespaces/${NS}/pods/x/exec?command=ls`, `/api/v1/namespaces/${NS}/pods/%zz/exec`, `/api/v1/namespaces/${NS}/configmaps`,
    '/nope', '/healthz', '/api', `/api/v1/namespaces/${NS}/pods/x/portforward?ports=0`, `/api/v1/namespaces/${NS}/pods/x/portforward?ports=x`]);
  const lines = [`${pick(['GET', 'GET', 'POST', 'PUT'])} ${target} HTTP/1.1`, 'Host: x'];
  if (chance(0.9)) lines.push('Authorization: Bearer {{TOKEN}}');
  else if (chance(0.5)) lines.push('Authorization: Bearer nope');
  lines.push(`Upgrade: ${pick(['websocket', 'websocket', 'WebSocket', 'SPDY/3.1', 'h2c', 'websocket, h2c', 'x'])}`);
  lines.push(`Connection: ${pick(['Upgrade', 'Upgrade', 'upgrade, keep-alive', 'keep-alive, Upgrade'])}`);
  if (chance(0.6)) lines.push(`Sec-WebSocket-Key: ${pick(['dGhlIHNhbXBsZSBub25jZQ==', 'short', '', '!!!!!!!!!!!!!!!!!!!!!!==', 'dGhlIHNhbXBsZSBub25jZQ'])}`);
  if (chance(0.6)) lines.push(`Sec-WebSocket-Version: ${pick(['13', '13', '8', '99', 'x', ''])}`);
  if (chance(0.5)) lines.push(`Sec-WebSocket-Protocol: ${pick(['v5.channel.k8s.io', 'v4.channel.k8s.io, channel.k8s.io', 'a b', ',', 'x,x', 'SPDY/3.1+portforward.k8s.io', 'portforward.k8s.io'])}`);
  if (chance(0.3)) lines.push(`X-Stream-Protocol-Version: ${pick(['v4.channel.k8s.io', 'portforward.k8s.io', 'nope'])}`);
  return { method: 'UPGRADE', path: target, raw: `${lines.join('\r\n')}\r\n\r\n` };
}

/** Junk label and field selectors on list, watch and deletecollection. */
export function badSelector(rand: Rand): FuzzRequest {
  const { pick, chance, int } = tools(rand);
  const tokens = ['x', 'app', 'in', 'notin', '(', ')', ',', '=', '==', '!=', '!', '>', '<', ' ', 'a', '-', 'k/', 'é', '\u0000', '%', '1', 'y', 'a.b/c', '', '||', '\t'];
  const label = chance(0.4)
    ? pick(['x in ()', 'x notin ()', 'x in (a', 'a,b,,', '=', 'a=b=c', 'x>', 'x>1', 'x<a', '!', 'x in (a,,b)', 'in in (in)', `${'k'.repeat(70)}=v`, `x=${'v'.repeat(70)}`, 'app=y', 'app!=y', '!app'])
    : Array.from({ length: int(1, 8) }, () => pick(tokens)).join('');
  const fields = pick(['', '', 'metadata.name=x', 'metadata.name!=x', 'x', '=', 'metadata.name', 'spec.nodeName=', 'a=b,', 'metadata.namespace==fz']);
  const coll = pick(SEEDS)[0];
  const verb = pick(['list', 'list', 'deletecollection', 'watch']);
  const params = [`labelSelector=${encodeURIComponent(label)}`];
  if (fields) params.push(`fieldSelector=${encodeURIComponent(fields)}`);
  if (verb === 'watch') params.push('watch=1', 'timeoutSeconds=1');
  // Delete-collections that might match run as dry runs half the time, so the seeds mostly stay.
  if (verb === 'deletecollection' && chance(0.5)) params.push('dryRun=All');
  return { method: verb === 'deletecollection' ? 'DELETE' : 'GET', path: `${coll}?${params.join('&')}` };
}

/** Large inputs whose refusals upstream answers without quoting them. */
export function hugeInput(rand: Rand): FuzzRequest {
  const { pick, int } = tools(rand);
  const big = (n: number) => 'x'.repeat(n);
  const [coll, name] = pick(SHAPES.slice(0, 3));
  switch (pick(['over-limit', 'annotation', 'truncated-json', 'junk', 'field-manager', 'many-labels'])) {
    case 'over-limit': return { method: pick(['POST', 'PUT']), path: pick([coll, `${coll}/${name}`]), contentType: 'application/json', body: JSON.stringify({ ...cm('x'), data: { a: big(int(3_200_000, 3_600_000)) } }), boundedEcho: true };
    case 'annotation': return { method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps`, contentType: 'application/json', body: JSON.stringify({ ...cm('fzbig'), metadata: { name: 'fzbig', annotations: { a: big(int(300_000, 2_000_000)) } } }), boundedEcho: true };
    case 'truncated-json': return { method: pick(['POST', 'PUT', 'PATCH']), path: `${coll}/${name}`, contentType: pick(['application/json', 'application/merge-patch+json', 'application/yaml']), body: `{"metadata":{"name":"${big(int(100_000, 2_000_000))}`, boundedEcho: true };
    case 'junk': return { method: pick(['POST', 'PUT', 'PATCH']), path: `${coll}/${name}`, contentType: pick(['application/json', 'application/strategic-merge-patch+json', 'application/json-patch+json']), body: Buffer.alloc(int(100_000, 1_000_000), pick(['{', '[', '"', '\\', '\u0001'])), boundedEcho: true };
    case 'field-manager': return { method: 'PATCH', path: `${coll}/${name}?fieldManager=${big(int(200, 4000))}`, contentType: 'application/merge-patch+json', body: '{}', boundedEcho: true };
    default: {
      const labels: Record<string, string> = {};
      for (let i = 0; i < int(1000, 5000); i++) labels[`k${i}`] = 'v';
      return { method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps?dryRun=All`, contentType: 'application/json', body: JSON.stringify({ ...cm('fzlabels'), metadata: { name: 'fzlabels', labels } }) };
    }
  }
}

/** 10,000+ levels of nesting, JSON and YAML, on create, update and every patch type. */
export function deepNesting(rand: Rand): FuzzRequest {
  const { pick, int } = tools(rand);
  const depth = int(10_000, 60_000);
  const yaml = rand() < 0.35;
  const inner = pick(['objects', 'arrays', 'mixed']);
  const open = inner === 'objects' ? (yaml ? '{a: ' : '{"a":') : inner === 'arrays' ? '[' : (yaml ? '[{a: ' : '[{"a":');
  const close = inner === 'objects' ? '}' : inner === 'arrays' ? ']' : '}]';
  const deep = `${open.repeat(depth)}1${close.repeat(depth)}`;
  const [coll, name, sub] = pick(SHAPES.slice(0, 5));
  const at = pick(['top', 'data', 'metadata', 'labels', 'spec']);
  const wrap = (v: string) => yaml
    ? (at === 'top' ? v : at === 'data' ? `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: ${v}}\n` : at === 'metadata' ? `metadata: {name: x, annotations: ${v}}\n` : at === 'labels' ? `metadata: {labels: {a: ${v}}}\n` : `spec: ${v}\n`)
    : (at === 'top' ? v : at === 'data' ? `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":${v}}}` : at === 'metadata' ? `{"metadata":{"name":"x","annotations":${v}}}` : at === 'labels' ? `{"metadata":{"labels":{"a":${v}}}}` : `{"spec":${v}}`);
  const how = pick(['create', 'update', 'patch']);
  if (how === 'create') return { method: 'POST', path: coll, contentType: yaml ? 'application/yaml' : 'application/json', body: wrap(deep) };
  if (how === 'update') return { method: 'PUT', path: `${coll}/${name}${sub}`, contentType: yaml ? 'application/yaml' : 'application/json', body: wrap(deep) };
  const type = yaml ? 'application/apply-patch+yaml' : pick(PATCH_TYPES);
  const body = type === 'application/json-patch+json' ? `[{"op":"add","path":"/metadata/annotations","value":${deep}}]` : wrap(deep);
  return { method: 'PATCH', path: `${coll}/${name}${sub}${type.includes('apply') ? '?fieldManager=fz' : ''}`, contentType: type, body };
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Keys named after JavaScript object properties, at the top level and nested. */
export function prototypeKeys(rand: Rand): FuzzRequest {
  const { pick, chance } = tools(rand);
  const key = pick(PROTO_KEYS);
  const value = pick(['{"polluted":true}', 'null', '"x"', '[]', '1', '{"toString":"x"}', '{"__proto__":{"polluted":true}}']);
  const [coll, name, sub, body] = pick(SHAPES.slice(0, 5));
  const obj = JSON.stringify(body());
  const entry = `"${key}":${value}`;
  const where = pick(['top', 'metadata', 'labels', 'annotations', 'data', 'spec', 'template', 'containers']);
  let text: string;
  if (where === 'top') text = obj.replace(/^\{/, `{${entry},`);
  else if (where === 'metadata') text = obj.replace('"metadata":{', `"metadata":{${entry},`);
  else if (where === 'labels' || where === 'annotations') text = obj.replace('"metadata":{', `"metadata":{"${where}":{${entry}},`);
  else if (where === 'data') text = obj.replace(/^\{/, `{"data":{${entry}},`);
  else if (where === 'spec') text = obj.includes('"spec":{') ? obj.replace('"spec":{', `"spec":{${entry},`) : obj.replace(/^\{/, `{"spec":{${entry}},`);
  else if (where === 'template') text = obj.includes('"template":{') ? obj.replace('"template":{', `"template":{${entry},`) : obj.replace(/^\{/, `{${entry},`);
  else text = obj.includes('"containers":[{') ? obj.replace('"containers":[{', `"containers":[{${entry},`) : obj.replace(/^\{/, `{${entry},`);
  const how = pick(['create', 'update', 'patch']);
  if (how === 'create') return { method: 'POST', path: `${coll}${chance(0.5) ? '?dryRun=All' : ''}`, contentType: 'application/json', body: text.replace(/"name":"x"/, '"name":"fzproto"') };
  if (how === 'update') return { method: 'PUT', path: `${coll}/${name}${sub}`, contentType: 'application/json', body: text };
  const type = pick(PATCH_TYPES);
  const patch = type === 'application/json-patch+json' ? `[{"op":"add","path":"/metadata/labels","value":{${entry}}},{"op":"add","path":"/${key}","value":${value}}]` : text;
  return { method: 'PATCH', path: `${coll}/${name}${sub}${type.includes('apply') ? '?fieldManager=fz' : ''}`, contentType: type === 'application/apply-patch+yaml' ? type : type, body: patch };
}

/** Scalars where lists or maps belong (spec.selector.matchExpressions: 7 and friends). */
export function wrongShapes(rand: Rand): FuzzRequest {
  const { pick } = tools(rand);
  const bad = pick(['7', '"x"', 'true', '{}', '[]', '[7]', '["x"]', '[null]', '{"a":1}', '1.5', '-1']);
  const cases: [string, string, (v: string) => string][] = [
    [`/apis/apps/v1/namespaces/${NS}/deployments`, 'x', (v) => JSON.stringify(deployment('x')).replace('"selector":{', `"selector":{"matchExpressions":${v},`)],
    [`/apis/apps/v1/namespaces/${NS}/deployments`, 'x', (v) => JSON.stringify(deployment('x')).replace('"selector":{"matchLabels":{"app":"x"}}', `"selector":${v}`)],
    [`/apis/apps/v1/namespaces/${NS}/deployments`, 'x', (v) => JSON.stringify(deployment('x')).replace('"containers":[{"name":"c","image":"nginx:1.27"}]', `"containers":${v}`)],
    [`/api/v1/namespaces/${NS}/pods`, 'x', (v) => JSON.stringify(pod('x')).replace('"containers":[', `"volumes":${v},"containers":[`)],
    [`/api/v1/namespaces/${NS}/pods`, 'x', (v) => JSON.stringify(pod('x')).replace('"image":"nginx:1.27"', `"image":"nginx:1.27","ports":${v},"env":${v},"args":${v}`)],
    [`/api/v1/namespaces/${NS}/configmaps`, 'x', (v) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":${v}},"data":${v}}`],
    [`/api/v1/namespaces/${NS}/configmaps`, 'x', (v) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","finalizers":${v},"ownerReferences":${v}}}`],
    ['/apis/rbac.authorization.k8s.io/v1/clusterroles', 'fz-role', (v) => `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"fz-role"},"rules":${v},"aggregationRule":{"clusterRoleSelectors":${v}}}`],
  ];
  const [coll, name, make] = pick(cases);
  const body = make(bad);
  const how = pick(['create', 'update', 'merge', 'strategic', 'apply']);
  if (how === 'create') return { method: 'POST', path: `${coll}?dryRun=All`, contentType: 'application/json', body };
  if (how === 'update') return { method: 'PUT', path: `${coll}/${name}`, contentType: 'application/json', body };
  const type = how === 'merge' ? 'application/merge-patch+json' : how === 'strategic' ? 'application/strategic-merge-patch+json' : 'application/apply-patch+yaml';
  return { method: 'PATCH', path: `${coll}/${name}${how === 'apply' ? '?fieldManager=fz&force=true' : ''}`, contentType: type, body };
}

/** Wrongly typed metadata (managedFields: 1, selfLink: 1.5, ...); after it the protobuf lists must still work. */
export function wrongMetadata(rand: Rand): FuzzRequest {
  const { pick } = tools(rand);
  const field = pick(['"managedFields":1', '"managedFields":[1]', '"managedFields":[{"manager":7}]', '"managedFields":[{"fieldsV1":"x","fieldsType":"FieldsV1"}]',
    '"selfLink":1.5', '"creationTimestamp":7', '"creationTimestamp":"yesterday"', '"generation":"x"', '"uid":5', '"resourceVersion":1', '"annotations":1',
    '"labels":{"a":1}', '"namespace":1', '"deletionGracePeriodSeconds":"x"', '"generateName":7', '"finalizers":[1]', '"ownerReferences":[{"uid":1}]']);
  const [coll, name, , body] = pick(SHAPES.slice(0, 5));
  const text = JSON.stringify(body()).replace('"metadata":{', `"metadata":{${field},`);
  const how = pick(['create', 'update', 'merge', 'strategic', 'apply', 'json']);
  if (how === 'create') return { method: 'POST', path: coll, contentType: 'application/json', body: text.replace(/"name":"x"/, '"name":"fzmeta"') };
  if (how === 'update') return { method: 'PUT', path: `${coll}/${name}`, contentType: 'application/json', body: text };
  if (how === 'json') return { method: 'PATCH', path: `${coll}/${name}`, contentType: 'application/json-patch+json', body: `[{"op":"add","path":"/metadata/${field.split('"')[1]}","value":${field.slice(field.indexOf(':') + 1)}}]` };
  const type = how === 'merge' ? 'application/merge-patch+json' : how === 'strategic' ? 'application/strategic-merge-patch+json' : 'application/apply-patch+yaml';
  return { method: 'PATCH', path: `${coll}/${name}${how === 'apply' ? '?fieldManager=fz&force=true' : ''}`, contentType: type, body: text };
}
