// RBAC over HTTP: refusals with upstream's messages, access through bindings, escalation checks on
// role and binding writes, impersonation (and hostile Impersonate-* headers), the access reviews,
// bootstrap policy and aggregation. Users are reached by the admin impersonating them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';

let c: Cluster;
before(async () => { c = await startCluster({ controllers: false, insecureHttp: true }); });
after(async () => { await c.stop(); });

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
type Who = { user?: string; groups?: string[]; anonymous?: boolean; headers?: Record<string, string | string[]> };

/** One request; a header given as a list is sent as that many header lines (as Go clients send them). */
async function call(method: string, path: string, body?: unknown, who: Who = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  if (!who.anonymous) headers.authorization = `Bearer ${c.token}`;
  if (who.user) headers['impersonate-user'] = who.user;
  if (who.groups) headers['impersonate-group'] = who.groups;
  Object.assign(headers, who.headers ?? {});
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(c.url + path, { method, headers }, (res) => {
      // A watch stays open: its status is the answer.
      if (/[?&]watch=/.test(path) && res.statusCode === 200) { res.destroy(); resolve({ status: 200, body: '' }); return; }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => { let parsed: any = text; try { parsed = JSON.parse(text); } catch { /* text */ } resolve({ status: res.statusCode ?? 0, body: parsed }); });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
const as = (user: string, groups?: string[]) => ({ user, groups });
let seq = 0;
async function namespace(): Promise<string> {
  const ns = `rbac-${++seq}`;
  assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status, 201);
  return ns;
}
const bind = (ns: string, name: string, roleRef: object, subjects: object[], who?: Who) =>
  call('POST', `${RBAC}/namespaces/${ns}/rolebindings`, { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects }, who);
const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });

describe('refusal and access', () => {
  test('a user with no binding is refused with upstream\'s message; a RoleBinding grants; its deletion takes it back', async () => {
    const ns = await namespace();
    const denied = await call('GET', `/api/v1/namespaces/${ns}/pods`, undefined, as('alice'));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, `pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "${ns}"`);
    assert.deepEqual(denied.body.details, { kind: 'pods' });
    assert.equal((await bind(ns, 'alice-view', { kind: 'ClusterRole', name: 'view' }, [user('alice')])).status, 201);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/pods`, undefined, as('alice'))).status, 200);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/pods?watch=true`, undefined, as('alice'))).status, 200);
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods', undefined, as('alice'))).status, 403, 'only in that namespace');
    const write = await call('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'x' } }, as('alice'));
    assert.equal(write.status, 403);
    assert.equal(write.body.message, `configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "${ns}"`);
    const secret = await call('GET', `/api/v1/namespaces/${ns}/secrets/s`, undefined, as('alice'));
    assert.equal(secret.body.message, `secrets "s" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "${ns}"`);
    assert.equal((await call('DELETE', `${RBAC}/namespaces/${ns}/rolebindings/alice-view`)).status, 200);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/pods`, undefined, as('alice'))).status, 403);
  });

  test('groups and service accounts (a RoleBinding subject without namespace is in the binding\'s)', async () => {
    const ns = await namespace();
    assert.equal((await bind(ns, 'devs', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }])).status, 201);
    assert.equal((await call('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'by-dev' } }, as('bob', ['devs']))).status, 201);
    assert.equal((await bind(ns, 'robot', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'robot' }])).status, 201);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, as(`system:serviceaccount:${ns}:robot`))).status, 200);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, as('system:serviceaccount:other:robot'))).status, 403);
  });

  test('subresources, resourceNames and watch need their own rules', async () => {
    const ns = await namespace();
    assert.equal((await call('POST', `${RBAC}/namespaces/${ns}/roles`, { metadata: { name: 'one' }, rules: [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['only'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get'] },
    ] })).status, 201);
    assert.equal((await bind(ns, 'one', { kind: 'Role', name: 'one' }, [user('carol')])).status, 201);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps/only`, undefined, as('carol'))).status, 404, 'allowed, then not found');
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps/other`, undefined, as('carol'))).status, 403);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, as('carol'))).status, 403);
    const dep = await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments/d`, undefined, as('carol'));
    assert.equal(dep.body.message, `deployments.apps "d" is forbidden: User "carol" cannot get resource "deployments" in API group "apps" in the namespace "${ns}"`);
    assert.equal((await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments/d/scale`, undefined, as('carol'))).status, 404);
    const w = await call('GET', `/api/v1/namespaces/${ns}/configmaps?watch=1`, undefined, as('carol'));
    assert.equal(w.body.message, `configmaps is forbidden: User "carol" cannot watch resource "configmaps" in API group "" in the namespace "${ns}"`);
  });

  test('a binding to a role that does not exist is allowed (as upstream); its users get the resolution error as the reason', async () => {
    const ns = await namespace();
    assert.equal((await bind(ns, 'ghost', { kind: 'ClusterRole', name: 'no-such-role' }, [user('dave')])).status, 201);
    const r = await call('GET', `/api/v1/namespaces/${ns}/pods`, undefined, as('dave'));
    assert.equal(r.body.message, `pods is forbidden: User "dave" cannot list resource "pods" in API group "" in the namespace "${ns}": RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found`);
  });

  test('non-resource paths: discovery and health for everyone authenticated, health for anonymous, the rest refused', async () => {
    assert.equal((await call('GET', '/apis', undefined, as('erin'))).status, 200);
    assert.equal((await call('GET', '/api/v1', undefined, as('erin'))).status, 200);
    assert.equal((await call('GET', '/version', undefined, { anonymous: true })).status, 200);
    assert.equal((await call('GET', '/readyz', undefined, { anonymous: true })).status, 200);
    const m = await call('GET', '/metrics', undefined, as('erin'));
    assert.equal(m.status, 403);
    assert.equal(m.body.message, 'forbidden: User "erin" cannot get path "/metrics"');
    assert.equal((await call('GET', '/metrics', undefined, as('erin', ['system:monitoring']))).status, 200);
    const anon = await call('GET', '/apis', undefined, { anonymous: true });
    assert.equal(anon.body.message, 'forbidden: User "system:anonymous" cannot get path "/apis"');
  });
});

describe('escalation prevention', () => {
  test('a namespace admin may write roles and bindings within what they hold, and no more', async () => {
    const ns = await namespace();
    assert.equal((await bind(ns, 'frank-admin', { kind: 'ClusterRole', name: 'admin' }, [user('frank')])).status, 201);
    const ok = await call('POST', `${RBAC}/namespaces/${ns}/roles`, { metadata: { name: 'readers' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }, as('frank'));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const tooMuch = await call('POST', `${RBAC}/namespaces/${ns}/roles`, { metadata: { name: 'nodes' }, rules: [{ apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'escalate'] }] }, as('frank'));
    assert.equal(tooMuch.status, 403);
    assert.equal(tooMuch.body.message, 'roles.rbac.authorization.k8s.io "nodes" is forbidden: user "frank" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
      + '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "escalate"]}\n{APIGroups:[""], Resources:["pods"], Verbs:["escalate"]}');
    assert.deepEqual(tooMuch.body.details, { name: 'nodes', group: 'rbac.authorization.k8s.io', kind: 'roles' });
    assert.equal((await bind(ns, 'to-readers', { kind: 'Role', name: 'readers' }, [user('gina')], as('frank'))).status, 201);
    const escalate = await bind(ns, 'to-cluster-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [user('frank')], as('frank'));
    assert.equal(escalate.status, 403);
    assert.match(escalate.body.message, /^rolebindings\.rbac\.authorization\.k8s\.io "to-cluster-admin" is forbidden: user "frank" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
    const missing = await bind(ns, 'to-nothing', { kind: 'Role', name: 'absent' }, [user('gina')], as('frank'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'role.rbac.authorization.k8s.io "absent" not found');
    // An update that adds rules is checked too.
    const upd = await call('PATCH', `${RBAC}/namespaces/${ns}/roles/readers`, '{"rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["get"]}]}', { ...as('frank'), headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(upd.status, 403);
  });

  test('the bind and escalate verbs lift the checks, as upstream', async () => {
    const ns = await namespace();
    assert.equal((await call('POST', `${RBAC}/namespaces/${ns}/roles`, { metadata: { name: 'binder' }, rules: [
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: ['create'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cluster-admin'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] },
    ] })).status, 201);
    assert.equal((await bind(ns, 'hank', { kind: 'Role', name: 'binder' }, [user('hank')])).status, 201);
    assert.equal((await bind(ns, 'hank-ca', { kind: 'ClusterRole', name: 'cluster-admin' }, [user('ivy')], as('hank'))).status, 201);
    assert.equal((await bind(ns, 'hank-edit', { kind: 'ClusterRole', name: 'edit' }, [user('ivy')], as('hank'))).status, 403, 'bind names cluster-admin only');
    assert.equal((await call('POST', `${RBAC}/namespaces/${ns}/roles`, { metadata: { name: 'big' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }, as('hank'))).status, 201);
  });

  test('only cluster admins may write an aggregationRule', async () => {
    assert.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'jo-cr' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:aggregate-to-admin' }, subjects: [user('jo')] })).status, 201);
    assert.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'jo-cr-writer' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['create'] }] })).status, 201);
    assert.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'jo-cr-writer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'jo-cr-writer' }, subjects: [user('jo')] })).status, 201);
    const r = await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'jo-agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } }, as('jo'));
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'clusterroles.rbac.authorization.k8s.io "jo-agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
  });

  test('malformed roles and bindings are 422 with upstream\'s causes, never a 500', async () => {
    const ns = await namespace();
    const bad = await call('POST', `${RBAC}/namespaces/${ns}/roles`, { metadata: { name: 'bad' }, rules: [{ apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/x'] }] });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.deepEqual(bad.body.details.causes.map((x: any) => x.field), ['rules[0].verbs', 'rules[1].nonResourceURLs']);
    const ref = await bind(ns, 'bad-ref', { kind: 'Secret', name: 'x' }, [user('x')]);
    assert.equal(ref.status, 422, JSON.stringify(ref.body));
    for (const body of ['{"metadata":{"name":"t"},"rules":"nope"}', '{"metadata":{"name":"t"},"rules":[{"verbs":[1],"apiGroups":[""],"resources":["pods"]}]}', '{"metadata":{"name":"t"},"rules":[null]}']) {
      const r = await call('POST', `${RBAC}/namespaces/${ns}/roles`, body, as('frank'));
      assert.ok(r.status >= 400 && r.status < 500, `${body}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.kind, 'Status');
    }
    const subj = await call('POST', `${RBAC}/namespaces/${ns}/rolebindings`, { metadata: { name: 's' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'Robot', name: 'x' }] });
    assert.equal(subj.status, 422, JSON.stringify(subj.body));
    assert.equal(subj.body.details.causes[0].message, 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"');
    const garbage = await call('POST', `${RBAC}/namespaces/${ns}/rolebindings`, { metadata: { name: 's' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: ['garbage'] });
    assert.equal(garbage.status, 400);
    assert.match(garbage.body.message, /cannot unmarshal string into Go struct field RoleBinding.subjects of type v1.Subject/);
  });
});

describe('impersonation', () => {
  test('allowed by the impersonate verb; refusals name what was refused', async () => {
    const r = await call('GET', '/api/v1/namespaces', undefined, { user: 'kim', headers: { 'impersonate-user': 'lee' } });
    assert.equal(r.status, 403, 'the impersonated kim may not impersonate in turn (headers are read once: lee is ignored)');
    assert.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'imp-lee' }, rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['lee'] }] })).status, 201);
    assert.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'imp-lee' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'imp-lee' }, subjects: [{ kind: 'ServiceAccount', name: 'imp', namespace: 'default' }] })).status, 201);
    const sa = await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'imp' } });
    assert.ok(sa.status === 201 || sa.status === 409);
    const tok = await call('POST', '/api/v1/namespaces/default/serviceaccounts/imp/token', { spec: {} });
    const token = tok.body.status.token;
    const viaSa = (headers: Record<string, string | string[]>) => call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      { anonymous: true, headers: { authorization: `Bearer ${token}`, ...headers } });
    const ok = await viaSa({ 'impersonate-user': 'lee' });
    assert.equal(ok.status, 201);
    assert.deepEqual(ok.body.status.userInfo, { username: 'lee', groups: ['system:authenticated'] });
    const other = await viaSa({ 'impersonate-user': 'max' });
    assert.equal(other.status, 403);
    assert.equal(other.body.message, 'users "max" is forbidden: User "system:serviceaccount:default:imp" cannot impersonate resource "users" in API group "" at the cluster scope');
    const group = await viaSa({ 'impersonate-user': 'lee', 'impersonate-group': 'system:masters' });
    assert.equal(group.body.message, 'groups "system:masters" is forbidden: User "system:serviceaccount:default:imp" cannot impersonate resource "groups" in API group "" at the cluster scope');
    const extra = await viaSa({ 'impersonate-user': 'lee', 'impersonate-extra-scopes': 'a' });
    assert.equal(extra.body.message, 'userextras.authentication.k8s.io "a" is forbidden: User "system:serviceaccount:default:imp" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope');
    const uid = await viaSa({ 'impersonate-user': 'lee', 'impersonate-uid': '1234' });
    assert.equal(uid.body.message, 'uids.authentication.k8s.io "1234" is forbidden: User "system:serviceaccount:default:imp" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope');
    const saAs = await viaSa({ 'impersonate-user': 'system:serviceaccount:kube-system:default' });
    assert.equal(saAs.body.message, 'serviceaccounts "default" is forbidden: User "system:serviceaccount:default:imp" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"');
  });

  test('the admin may impersonate anyone: groups, service accounts (with their groups), uid and extra', async () => {
    const who = async (headers: Record<string, string | string[]>) => (await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { headers })).body.status.userInfo;
    assert.deepEqual(await who({ 'impersonate-user': 'system:serviceaccount:ns1:bot' }), { username: 'system:serviceaccount:ns1:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'] });
    assert.deepEqual(await who({ 'impersonate-user': 'u', 'impersonate-group': ['a', 'b'], 'impersonate-uid': 'x-1', 'impersonate-extra-Acme.com%2Fproject': ['p1', 'p2'] }),
      { username: 'u', uid: 'x-1', groups: ['a', 'b', 'system:authenticated'], extra: { 'acme.com/project': ['p1', 'p2'] } });
    const anon = await call('GET', '/api/v1/pods', undefined, { headers: { 'impersonate-user': 'system:anonymous' } });
    assert.equal(anon.body.message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope');
  });

  test('hostile headers: groups without a user, too many values, malformed names are refused with a Status', async () => {
    const noUser = await call('GET', '/api/v1/namespaces', undefined, { headers: { 'impersonate-group': 'system:masters' } });
    assert.equal(noUser.status, 400);
    assert.equal(noUser.body.kind, 'Status');
    const many = await call('GET', '/api/v1/namespaces', undefined, { headers: { 'impersonate-user': 'x', 'impersonate-group': Array.from({ length: 100 }, (_, i) => `g${i}`) } });
    assert.equal(many.status, 400);
    const anonymous = await call('GET', '/api/v1/namespaces', undefined, { anonymous: true, headers: { 'impersonate-user': 'admin', 'impersonate-group': 'system:masters' } });
    assert.equal(anonymous.status, 403);
    assert.equal(anonymous.body.message, 'users "admin" is forbidden: User "system:anonymous" cannot impersonate resource "users" in API group "" at the cluster scope');
    // A malformed service-account name is a plain user name, as upstream's SplitUsername reads it.
    const odd = await call('GET', '/api/v1/namespaces', undefined, { headers: { 'impersonate-user': 'system:serviceaccount:Bad_NS:x:y' } });
    assert.equal(odd.status, 403);
    assert.match(odd.body.message, /User "system:serviceaccount:Bad_NS:x:y" cannot list/);
  });
});

describe('reviews', () => {
  test('SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview ask the authorizer', async () => {
    const ns = await namespace();
    assert.equal((await bind(ns, 'nina', { kind: 'ClusterRole', name: 'view' }, [user('nina')])).status, 201);
    const ssar = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: { verb: 'list', resource: 'pods', namespace: ns } } }, as('nina'));
    assert.equal(ssar.status, 201);
    assert.equal(ssar.body.status.allowed, true);
    assert.equal(ssar.body.status.reason, `RBAC: allowed by RoleBinding "nina/${ns}" of ClusterRole "view" to User "nina"`);
    const no = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: { verb: 'delete', resource: 'pods', namespace: ns } } }, as('nina'));
    assert.deepEqual(no.body.status, { allowed: false });
    const sar = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user: 'nina', resourceAttributes: { verb: 'get', resource: 'secrets', namespace: ns } } });
    assert.equal(sar.body.status.allowed, false);
    const masters = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user: 'x', groups: ['system:masters'], nonResourceAttributes: { verb: 'get', path: '/anything' } } });
    assert.equal(masters.body.status.allowed, true);
    assert.equal((await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user: 'nina', resourceAttributes: { verb: 'get', resource: 'pods' } } }, as('nina'))).status, 403, 'SAR needs its own permission');
    const lsar = await call('POST', `/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`, { metadata: { namespace: ns }, spec: { user: 'nina', resourceAttributes: { verb: 'watch', resource: 'pods', namespace: ns } } });
    assert.equal(lsar.body.status.allowed, true);
    const both = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { verb: 'get', path: '/' } } });
    assert.equal(both.status, 422);
  });

  test('SelfSubjectRulesReview lists the rules a user holds in a namespace; a namespace is required', async () => {
    const ns = await namespace();
    assert.equal((await call('POST', `${RBAC}/namespaces/${ns}/roles`, { metadata: { name: 'r' }, rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'], resourceNames: ['d'] }] })).status, 201);
    assert.equal((await bind(ns, 'oscar', { kind: 'Role', name: 'r' }, [user('oscar')])).status, 201);
    const r = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: { namespace: ns } }, as('oscar'));
    assert.equal(r.status, 201);
    assert.ok(r.body.status.resourceRules.some((x: any) => x.resources[0] === 'deployments' && x.resourceNames[0] === 'd'));
    assert.ok(r.body.status.resourceRules.some((x: any) => x.resources.includes('selfsubjectaccessreviews')), 'system:basic-user');
    assert.ok(r.body.status.nonResourceRules.some((x: any) => x.nonResourceURLs.includes('/healthz')));
    assert.equal(r.body.status.incomplete, false);
    assert.equal((await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { spec: {} }, as('oscar'))).status, 400);
  });
});

describe('bootstrap policy and aggregation', () => {
  test('the upstream roles and bindings exist, marked for auto-update', async () => {
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:public-info-viewer', 'system:basic-user', 'system:kube-controller-manager', 'system:controller:deployment-controller']) {
      const r = await call('GET', `${RBAC}/clusterroles/${encodeURIComponent(name)}`);
      assert.equal(r.status, 200, name);
      assert.equal(r.body.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
      assert.equal(r.body.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
    }
    const crb = await call('GET', `${RBAC}/clusterrolebindings/cluster-admin`);
    assert.deepEqual(crb.body.subjects, [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
    assert.equal((await call('GET', `${RBAC}/namespaces/kube-system/roles/extension-apiserver-authentication-reader`)).status, 200);
  });

  test('aggregated roles follow the roles their selectors match', async () => {
    assert.equal((await call('POST', `${RBAC}/clusterroles`, { metadata: { name: 'widgets-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }] })).status, 201);
    const has = async (role: string) => (await call('GET', `${RBAC}/clusterroles/${role}`)).body.rules.some((r: any) => r.resources?.includes('widgets'));
    for (let i = 0; i < 50 && !(await has('admin')); i++) await new Promise((r) => setImmediate(r));
    assert.ok(await has('view'));
    assert.ok(await has('edit'), 'edit aggregates view');
    assert.ok(await has('admin'), 'admin aggregates edit');
    assert.equal((await call('DELETE', `${RBAC}/clusterroles/widgets-view`)).status, 200);
    for (let i = 0; i < 50 && (await has('view')); i++) await new Promise((r) => setImmediate(r));
    assert.equal(await has('view'), false);
  });
});
