// RBAC rule matching, coverage and messages, as pure functions (rbac/rules.ts, rbac/attributes.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compactRules, compactString, covers, ruleAllows } from '../../src/auth/rbac/rules.ts';
import type { Attributes, PolicyRule } from '../../src/auth/rbac/rules.ts';
import { forbidden, requestAttributes } from '../../src/auth/rbac/attributes.ts';

const alice = { name: 'alice', groups: ['devs', 'system:authenticated'] };
const res = (verb: string, resource: string, o: Partial<Attributes> = {}): Attributes => ({ user: alice, verb, resourceRequest: true, apiGroup: '', resource, namespace: 'default', ...o });
const url = (verb: string, path: string): Attributes => ({ user: alice, verb, resourceRequest: false, path });

describe('ruleAllows', () => {
  const cases: [string, PolicyRule, Attributes, boolean][] = [
    ['exact verb, group, resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods'), true],
    ['another verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('list', 'pods'), false],
    ['another group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, res('get', 'pods'), false],
    ['wildcards', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, res('deletecollection', 'widgets', { apiGroup: 'x.io' }), true],
    ['a resource rule does not grant its subresources', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods', { subresource: 'log' }), false],
    ['resource/subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', 'pods', { subresource: 'log' }), true],
    ['*/subresource', { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] }, res('get', 'deployments', { subresource: 'scale' }), true],
    ['*/subresource is not another one', { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] }, res('get', 'deployments', { subresource: 'status' }), false],
    ['*/subresource is not the resource', { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] }, res('get', 'deployments'), false],
    ['resourceNames: named', { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, res('get', 'secrets', { name: 'a' }), true],
    ['resourceNames: other name', { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, res('get', 'secrets', { name: 'b' }), false],
    ['resourceNames: a list has no name', { verbs: ['list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, res('list', 'secrets'), false],
    ['non-resource exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, url('get', '/healthz'), true],
    ['non-resource prefix', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, url('get', '/apis/apps/v1'), true],
    ['non-resource prefix is not the bare path', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, url('get', '/apis'), false],
    ['non-resource rules do not grant resources', { verbs: ['*'], nonResourceURLs: ['*'] }, res('get', 'pods'), false],
    ['resource rules do not grant paths', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, url('get', '/healthz'), false],
    ['special verbs', { verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['bob'] }, res('impersonate', 'users', { name: 'bob', namespace: '' }), true],
  ];
  for (const [name, rule, a, want] of cases) test(name, () => assert.equal(ruleAllows(a, rule), want));
});

describe('covers (escalation)', () => {
  test('owner wildcards cover anything; pieces missing are reported one verb at a time', () => {
    assert.equal(covers([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'] }]).ok, true);
    const { ok, missing } = covers([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }]);
    assert.equal(ok, false);
    assert.deepEqual(missing, [{ apiGroups: [''], resources: ['pods'], verbs: ['delete'] }]);
  });
  test('resourceNames: an unnamed owner rule covers names; a named one does not cover all', () => {
    assert.equal(covers([{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }]).ok, true);
    assert.equal(covers([{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).ok, false);
  });
  test('*/subresource and URL prefixes cover', () => {
    assert.equal(covers([{ verbs: ['get'], apiGroups: ['apps'], resources: ['*/scale'] }], [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }]).ok, true);
    assert.equal(covers([{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/logs/x'] }]).ok, true);
    assert.equal(covers([{ verbs: ['get'], nonResourceURLs: ['/logs'] }], [{ verbs: ['get'], nonResourceURLs: ['/logs/x'] }]).ok, false);
  });
  test('compact form and text as upstream prints them', () => {
    const c = compactRules([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/x'] }]);
    assert.deepEqual(c.map(compactString), ['{NonResourceURLs:["/x"], Verbs:["get"]}', '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}']);
  });
});

describe('request attributes (RequestInfoFactory)', () => {
  const q = (s = '') => new URLSearchParams(s);
  const attrs = (method: string, path: string, query = '') => {
    const a = requestAttributes(alice, method, path, q(query));
    return { verb: a.verb, resourceRequest: a.resourceRequest, apiGroup: a.apiGroup, resource: a.resource, subresource: a.subresource, name: a.name, namespace: a.namespace };
  };
  test('verbs from methods, list/watch/deletecollection without a name', () => {
    assert.equal(attrs('GET', '/api/v1/namespaces/ns/pods').verb, 'list');
    assert.equal(attrs('GET', '/api/v1/namespaces/ns/pods', 'watch=true').verb, 'watch');
    assert.equal(attrs('GET', '/api/v1/namespaces/ns/pods', 'watch=1').verb, 'watch');
    assert.equal(attrs('GET', '/api/v1/namespaces/ns/pods', 'watch=false').verb, 'list');
    assert.equal(attrs('GET', '/api/v1/namespaces/ns/pods/p').verb, 'get');
    assert.equal(attrs('DELETE', '/api/v1/namespaces/ns/pods').verb, 'deletecollection');
    assert.equal(attrs('DELETE', '/api/v1/namespaces/ns/pods/p').verb, 'delete');
    assert.equal(attrs('POST', '/api/v1/namespaces/ns/pods').verb, 'create');
    assert.equal(attrs('PUT', '/api/v1/namespaces/ns/pods/p').verb, 'update');
    assert.equal(attrs('PATCH', '/api/v1/namespaces/ns/pods/p').verb, 'patch');
    assert.equal(attrs('GET', '/api/v1/watch/namespaces/ns/pods').verb, 'watch');
  });
  test('groups, subresources, names, namespaces; a namespace is its own namespace', () => {
    assert.deepEqual(attrs('GET', '/apis/apps/v1/namespaces/ns/deployments/d/scale'), { verb: 'get', resourceRequest: true, apiGroup: 'apps', resource: 'deployments', subresource: 'scale', name: 'd', namespace: 'ns' });
    assert.deepEqual(attrs('GET', '/api/v1/namespaces/ns'), { verb: 'get', resourceRequest: true, apiGroup: '', resource: 'namespaces', subresource: '', name: 'ns', namespace: 'ns' });
    assert.deepEqual(attrs('PUT', '/api/v1/namespaces/ns/finalize'), { verb: 'update', resourceRequest: true, apiGroup: '', resource: 'namespaces', subresource: 'finalize', name: 'ns', namespace: 'ns' });
    assert.equal(attrs('GET', '/api/v1/nodes/n/proxy/a/b').subresource, 'proxy');
    assert.equal(attrs('GET', '/api/v1/namespaces/ns/pods', 'fieldSelector=metadata.name%3Dp').name, 'p');
  });
  test('non-resource paths: discovery roots, health, anything else', () => {
    // Group-version discovery documents too: fewer than three segments (after /apis, three) are a path.
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/healthz', '/version', '/openapi/v2', '/']) assert.equal(attrs('GET', p).resourceRequest, false, p);
    assert.equal(attrs('GET', '/api/v1/pods').resourceRequest, true);
  });
  test('403 messages as upstream words them', () => {
    assert.equal(forbidden(requestAttributes(alice, 'GET', '/api/v1/namespaces/team-a/pods', q()), '').status.message,
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-a"');
    assert.equal(forbidden(requestAttributes(alice, 'GET', '/apis/apps/v1/namespaces/a/deployments/d/scale', q()), '').status.message,
      'deployments.apps "d" is forbidden: User "alice" cannot get resource "deployments/scale" in API group "apps" in the namespace "a"');
    assert.equal(forbidden(requestAttributes(alice, 'GET', '/api/v1/nodes', q('watch=true')), 'RBAC: clusterrole.rbac.authorization.k8s.io "x" not found').status.message,
      'nodes is forbidden: User "alice" cannot watch resource "nodes" in API group "" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "x" not found');
    const nr = forbidden(requestAttributes(alice, 'GET', '/logs', q()), '');
    assert.equal(nr.status.message, 'forbidden: User "alice" cannot get path "/logs"');
    assert.deepEqual(nr.status.details, {});
  });
});
