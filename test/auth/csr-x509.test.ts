// Identities from client certificates: the CertificateSigningRequest API (validation, approval by the
// signer's approvers, the built-in signers), kubeconfigFor(), and x509 authentication (CN = user,
// O = groups) with forged, expired and foreign certificates refused as 401.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';
import { makeCsr } from '../../src/auth/user-kubeconfig.ts';
import { parseCsr, signCsr } from '../../src/auth/csr.ts';
import { ensureTls } from '../../src/auth/certs.ts';
import { RealClock } from '../../src/clock.ts';

let c: Cluster;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-csr-'));
  c = await startCluster({ dataDir: dir, nodes: 0 });
});
after(async () => { await c.stop(); rmSync(dir, { recursive: true, force: true }); });

type Cred = { token?: string; cert?: string; key?: string };
function call(method: string, path: string, body: unknown, cred: Cred, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(c.url + path, {
      method, ca: c.caPem, cert: cred.cert, key: cred.key,
      headers: { 'content-type': 'application/json', ...(cred.token ? { authorization: `Bearer ${cred.token}` } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => { let b: any = text; try { b = JSON.parse(text); } catch { /* text */ } resolve({ status: res.statusCode ?? 0, body: b }); });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
const admin = (): Cred => ({ token: c.token });
const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const whoami = async (cred: Cred) => (await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, cred));
const csrBody = (name: string, pem: string, extra: object = {}) => ({ metadata: { name }, spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...extra } });

async function waitFor<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) { const v = await fn(); if (v !== undefined) return v; await new Promise((r) => setImmediate(r)); }
  throw new Error('condition not reached');
}

describe('kubeconfigFor and client certificates', () => {
  test('a kubeconfig for another user authenticates as CN with O as groups, and RBAC applies', async () => {
    const kc = parse(await c.kubeconfigFor({ user: 'alice', groups: ['team-a', 'team-b'] }));
    const user = kc.users[0].user;
    const cred = { cert: Buffer.from(user['client-certificate-data'], 'base64').toString(), key: Buffer.from(user['client-key-data'], 'base64').toString() };
    const who = await whoami(cred);
    assert.equal(who.status, 201, JSON.stringify(who.body));
    assert.deepEqual(who.body.status.userInfo, { username: 'alice', groups: ['team-a', 'team-b', 'system:authenticated'] });
    const pods = await call('GET', '/api/v1/namespaces/default/pods', undefined, cred);
    assert.equal(pods.status, 403);
    assert.equal(pods.body.message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.equal(kc.clusters[0].cluster.server, c.url);
  });

  test('forged, expired, foreign-CA and wrong-usage certificates are 401, never a 500', async () => {
    const clock = new RealClock();
    const caKeyPem = readFileSync(join(dir, 'ca.key'), 'utf8');
    const ours = { certPem: c.caPem!, keyPem: caKeyPem };
    const issue = (ca: { certPem: string; keyPem: string }, ttlMs: number, usages = ['client auth']) => {
      const { csrPem, keyPem } = makeCsr({ user: 'mallory', groups: ['system:masters'] });
      return { cert: signCsr(parseCsr(csrPem), usages, ttlMs, ca, clock), key: keyPem };
    };
    const good = issue(ours, 3600_000);
    assert.equal((await whoami(good)).status, 201, 'the control case authenticates');
    const foreign = await ensureTls(undefined, '127.0.0.1', clock);
    const cases: [string, Cred][] = [
      ['expired', issue(ours, -3600_000)],
      ['foreign CA', issue({ certPem: foreign.caPem, keyPem: foreign.caKeyPem! }, 3600_000)],
      ['server auth only', issue(ours, 3600_000, ['server auth'])],
    ];
    for (const [name, cred] of cases) {
      const r = await call('GET', '/api/v1/namespaces', undefined, cred);
      assert.equal(r.status, 401, name);
      assert.equal(r.body.reason, 'Unauthorized', name);
    }
    // A bad certificate with a good token: the token authenticates (upstream's union authenticator).
    const both = await call('GET', '/api/v1/namespaces', undefined, { ...cases[0][1], token: c.token });
    assert.equal(both.status, 200);
  });
});

describe('CertificateSigningRequest API', () => {
  test('the requester is stamped by the server; approval needs the approve verb on the signer; the signer signs', async () => {
    const { csrPem } = makeCsr({ user: 'bob' });
    const body = csrBody('bob-1', csrPem);
    (body.spec as any).username = 'forged';
    const created = await call('POST', CSRS, body, admin());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.spec.username, 'skiff-admin');
    assert.deepEqual(created.body.spec.groups, ['system:masters', 'system:authenticated']);
    const csr = created.body;
    csr.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'ok' }] };
    const refused = await call('PUT', `${CSRS}/bob-1/approval`, csr, admin(), { 'impersonate-user': 'carl' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.message, 'certificatesigningrequests.certificates.k8s.io "bob-1" is forbidden: User "carl" cannot update resource "certificatesigningrequests/approval" in API group "certificates.k8s.io" at the cluster scope');
    // With update on approval but not approve on the signer: the admission check's message.
    for (const [kind, obj] of [['clusterroles', { metadata: { name: 'csr-approval-writer' }, rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/approval'], verbs: ['update'] }] }],
      ['clusterrolebindings', { metadata: { name: 'csr-approval-writer' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'csr-approval-writer' }, subjects: [{ kind: 'User', name: 'carl' }] }]] as const) {
      assert.equal((await call('POST', `/apis/rbac.authorization.k8s.io/v1/${kind}`, obj, admin())).status, 201);
    }
    const notApprover = await call('PUT', `${CSRS}/bob-1/approval`, csr, admin(), { 'impersonate-user': 'carl' });
    assert.equal(notApprover.status, 403);
    assert.equal(notApprover.body.message, 'certificatesigningrequests.certificates.k8s.io "bob-1" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"');
    assert.equal((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'carl-approver' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:certificates.k8s.io:kube-apiserver-client-approver' }, subjects: [{ kind: 'User', name: 'carl' }] }, admin())).status, 201);
    const approved = await call('PUT', `${CSRS}/bob-1/approval`, csr, admin(), { 'impersonate-user': 'carl' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.ok(approved.body.status.conditions[0].lastUpdateTime, 'timestamps filled in');
    const cert = await waitFor(async () => (await call('GET', `${CSRS}/bob-1`, undefined, admin())).body.status?.certificate);
    assert.match(Buffer.from(cert, 'base64').toString(), /BEGIN CERTIFICATE/);
    // Approved and then Denied: mutually exclusive; removing Approved: forbidden.
    const both = await call('GET', `${CSRS}/bob-1`, undefined, admin());
    both.body.status.conditions.push({ type: 'Denied', status: 'True' });
    const bad = await call('PUT', `${CSRS}/bob-1/approval`, both.body, admin());
    assert.equal(bad.status, 422);
    assert.equal(bad.body.details.causes[0].message, 'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive');
  });

  test('status and approval writes keep metadata changes (as upstream\'s CSR status strategies), still validated', async () => {
    const { csrPem } = makeCsr({ user: 'meta' });
    assert.equal((await call('POST', CSRS, csrBody('meta-1', csrPem), admin())).status, 201);
    const patch = (sub: string, body: object) => call('PATCH', `${CSRS}/meta-1/${sub}`, body, admin(), { 'content-type': 'application/merge-patch+json' });
    const approval = await patch('approval', { metadata: { annotations: { patchedapproval: 'true' } }, status: { conditions: [{ type: 'ApprovalPatch', status: 'True', reason: 'e2e' }] } });
    assert.equal(approval.status, 200, JSON.stringify(approval.body));
    assert.equal(approval.body.metadata.annotations.patchedapproval, 'true');
    assert.equal(approval.body.status.conditions[0].type, 'ApprovalPatch');
    const bad = await patch('status', { metadata: { labels: { 'bad key!': 'x' } } });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.equal(bad.body.details.causes[0].field, 'metadata.labels');
  });

  test('the signer refuses usages it does not sign with a Failed condition', async () => {
    const { csrPem } = makeCsr({ user: 'srv' });
    const created = await call('POST', CSRS, csrBody('srv-1', csrPem, { usages: ['server auth', 'client auth'] }), admin());
    assert.equal(created.status, 201);
    created.body.status = { conditions: [{ type: 'Approved', status: 'True' }] };
    assert.equal((await call('PUT', `${CSRS}/srv-1/approval`, created.body, admin())).status, 200);
    const failed = await waitFor(async () => (await call('GET', `${CSRS}/srv-1`, undefined, admin())).body.status?.conditions?.find((x: any) => x.type === 'Failed'));
    assert.equal(failed.reason, 'SignerValidationFailure');
    assert.equal(failed.message, 'invalid usage for client certificate: server auth');
  });

  test('malformed requests are 422 with upstream\'s field messages', async () => {
    const { csrPem } = makeCsr({ user: 'v' });
    const cases: [object, string, RegExp][] = [
      [{ metadata: { name: 'v1' }, spec: { request: Buffer.from('not a pem').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } }, 'spec.request', /PEM block type must be CERTIFICATE REQUEST/],
      [csrBody('v2', csrPem, { usages: [] }), 'spec.usages', /Required value/],
      [csrBody('v3', csrPem, { usages: ['client auth', 'flying'] }), 'spec.usages[1]', /Unsupported value: "flying"/],
      [csrBody('v4', csrPem, { usages: ['client auth', 'client auth'] }), 'spec.usages[1]', /Duplicate value/],
      [csrBody('v5', csrPem, { signerName: 'nodomain' }), 'spec.signerName', /fully qualified domain and path/],
      [csrBody('v6', csrPem, { signerName: 'kubernetes.io/legacy-unknown' }), 'spec.signerName', /legacy signerName is not allowed/],
      [csrBody('v7', csrPem, { expirationSeconds: 60 }), 'spec.expirationSeconds', /less than 600 seconds/],
    ];
    for (const [body, fieldPath, msg] of cases) {
      const r = await call('POST', CSRS, body, admin());
      assert.equal(r.status, 422, `${fieldPath}: ${JSON.stringify(r.body)}`);
      const cause = r.body.details.causes.find((x: any) => x.field === fieldPath);
      assert.ok(cause, `${fieldPath}: ${JSON.stringify(r.body.details.causes)}`);
      assert.match(cause.message, msg);
    }
    // A request whose signature does not match its key.
    const der = Buffer.from(csrPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    der[der.length - 1] ^= 0x01; // the signature's last byte
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const r = await call('POST', CSRS, csrBody('v8', tampered), admin());
    assert.equal(r.status, 422);
    assert.match(r.body.details.causes[0].message, /verification failure|structure error/);
  });
});
