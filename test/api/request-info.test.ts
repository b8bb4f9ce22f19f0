// request-info resolves the served groups: the stored resource table and the groups extension routes
// answer (metrics.k8s.io); a path in no served group is a 404 as upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestInfo } from '../../src/api/request-info.ts';
import { isVirtualResource } from '../../src/api/served-groups.ts';
import { registerMetricsDiscovery } from '../../src/metrics/api.ts';
import { StatusError } from '../../src/errors.ts';

registerMetricsDiscovery();
const q = (s = '') => new URLSearchParams(s);
const info = (method: string, path: string, query = '') => {
  const r = requestInfo(method, path, q(query));
  if (r.kind !== 'resource') return r;
  return { verb: r.verb, group: r.resource.group, version: r.resource.version, resource: r.resource.resource, kind: r.resource.kind, namespace: r.namespace, name: r.name, virtual: isVirtualResource(r.resource) };
};
const notFound = (e: unknown) => e instanceof StatusError && e.status.code === 404 && e.status.message === 'the server could not find the requested resource';

test('metrics.k8s.io paths resolve to the metrics resources: verb, namespace, resource, name', () => {
  assert.deepEqual(info('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/x/pods'),
    { verb: 'list', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', kind: 'PodMetrics', namespace: 'x', name: undefined, virtual: true });
  assert.deepEqual(info('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/x/pods/web-1'),
    { verb: 'get', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', kind: 'PodMetrics', namespace: 'x', name: 'web-1', virtual: true });
  assert.deepEqual(info('GET', '/apis/metrics.k8s.io/v1beta1/pods'),
    { verb: 'list', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', kind: 'PodMetrics', namespace: undefined, name: undefined, virtual: true });
  assert.deepEqual(info('GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1'),
    { verb: 'get', group: 'metrics.k8s.io', version: 'v1beta1', resource: 'nodes', kind: 'NodeMetrics', namespace: undefined, name: 'n1', virtual: true });
  assert.equal((info('GET', '/apis/metrics.k8s.io/v1beta1/pods', 'watch=true') as { verb: string }).verb, 'watch');
  // metrics-server has no delete route: go-restful's 405 before anything runs.
  assert.throws(() => info('DELETE', '/apis/metrics.k8s.io/v1beta1/namespaces/x/pods/p'), (e) => e instanceof StatusError && e.status.code === 405);
});

test('the metrics group and version are discovery paths like any other group', () => {
  assert.deepEqual(requestInfo('GET', '/apis/metrics.k8s.io/v1beta1', q()), { kind: 'discovery', level: 'groupVersion', group: 'metrics.k8s.io', version: 'v1beta1' });
  assert.deepEqual(requestInfo('GET', '/apis/metrics.k8s.io', q()), { kind: 'discovery', level: 'group', group: 'metrics.k8s.io', version: '' });
});

test('stored resources are unchanged, and are not virtual', () => {
  assert.deepEqual(info('GET', '/api/v1/namespaces/x/pods'),
    { verb: 'list', group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespace: 'x', name: undefined, virtual: false });
});

test('paths outside the served groups, versions and resources are 404', () => {
  for (const path of [
    '/apis/nope.example.com/v1/things',
    '/apis/nope.example.com/v1',
    '/apis/metrics.k8s.io/v1/pods', // no such version
    '/apis/metrics.k8s.io/v1beta2',
    '/apis/metrics.k8s.io/v1beta1/deployments', // no such resource in the group
    '/apis/metrics.k8s.io/v1beta1/namespaces/x/nodes', // nodes are cluster-scoped
    '/apis/metrics.k8s.io/v1beta1/namespaces/x/pods/p/status', // no subresources
    '/apis/metrics.k8s.io/v1beta1/namespaces/Not_Valid/pods',
  ]) assert.throws(() => requestInfo('GET', path, q()), notFound, path);
});
