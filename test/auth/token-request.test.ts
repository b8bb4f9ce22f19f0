// serviceaccounts/token over HTTP: TokenRequest defaults and refusals, and the tokens it returns
// authenticating (or not) as upstream's: audience, expiry on the fake clock, the account and the bound
// object still existing with the same uid. Also TokenReview, SelfSubjectReview and issuer discovery.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import request from 'supertest';
import { FakeClock, rfc3339 } from '../../src/clock.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { decodeJwt } from '../../src/auth/jwt.ts';
import { assertStatus } from '../api/fixture.ts';

const AUD = 'https://kubernetes.default.svc.cluster.local';
let server: RunningServer;
let clock: FakeClock;
let admin: ReturnType<typeof request.agent>;
let seq = 0;

before(async () => {
  clock = new FakeClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  server = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false, clock });
  admin = request.agent(server.url).set('Authorization', `Bearer ${server.token}`);
});
after(async () => { await server.stop(); });

/** A fresh namespace with a ServiceAccount `sa`; returns the namespace and the account's uid. */
async function setup(): Promise<{ ns: string; uid: string }> {
  const ns = `tok-${++seq}`;
  assert.equal((await admin.post('/api/v1/namespaces').send({ metadata: { name: ns } })).status, 201);
  const sa = await admin.post(`/api/v1/namespaces/${ns}/serviceaccounts`).send({ metadata: { name: 'sa' } });
  assert.equal(sa.status, 201);
  // RBAC is enforced: the account may do what `edit` grants, in every namespace.
  const bound = await admin.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings')
    .send({ metadata: { name: `${ns}-sa-edit` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: ns }] });
  assert.equal(bound.status, 201, bound.text);
  return { ns, uid: sa.body.metadata.uid };
}

const tokenPath = (ns: string, name = 'sa') => `/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`;

async function createToken(ns: string, spec: object = {}, name = 'sa'): Promise<{ token: string; body: any }> {
  const res = await admin.post(tokenPath(ns, name)).send({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
  assert.equal(res.status, 201, res.text);
  return { token: res.body.status.token, body: res.body };
}

const as = (token: string) => request(server.url).get('/api/v1/namespaces/default/pods').set('Authorization', `Bearer ${token}`);

describe('TokenRequest', () => {
  test('defaults: the API server audience, 3600 s, no bound object; the token is an ES256 JWT with upstream claims', async () => {
    const { ns, uid } = await setup();
    const { token, body } = await createToken(ns);
    const now = clock.now();
    assert.deepEqual(body.metadata, { name: 'sa', namespace: ns, creationTimestamp: rfc3339(now) });
    assert.deepEqual(body.spec, { audiences: [AUD], expirationSeconds: 3600, boundObjectRef: null });
    assert.equal(body.status.expirationTimestamp, rfc3339(now + 3600_000));
    const jwt = decodeJwt(token)!;
    assert.equal(jwt.header.alg, 'ES256');
    const c = jwt.payload as any;
    assert.equal(c.iss, AUD);
    assert.deepEqual(c.aud, [AUD]);
    assert.equal(c.sub, `system:serviceaccount:${ns}:sa`);
    assert.equal(c.iat, now / 1000);
    assert.equal(c.nbf, now / 1000);
    assert.equal(c.exp, now / 1000 + 3600);
    assert.match(c.jti, /^[0-9a-f-]{36}$/);
    assert.deepEqual(c['kubernetes.io'], { namespace: ns, serviceaccount: { name: 'sa', uid } });
  });

  test('the token authenticates as the service account (SelfSubjectReview), and may do what its role binding grants', async () => {
    const { ns, uid } = await setup();
    const { token } = await createToken(ns, { expirationSeconds: 600 });
    assert.equal((await as(token)).status, 200);
    const created = await request(server.url).post(`/api/v1/namespaces/${ns}/configmaps`).set('Authorization', `Bearer ${token}`).send({ metadata: { name: 'by-sa' } });
    assert.equal(created.status, 201, created.text);
    const who = await request(server.url).post('/apis/authentication.k8s.io/v1/selfsubjectreviews').set('Authorization', `Bearer ${token}`)
      .send({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(who.status, 201, who.text);
    const jti = (decodeJwt(token)!.payload as any).jti;
    assert.deepEqual(who.body.status.userInfo, {
      username: `system:serviceaccount:${ns}:sa`, uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] },
    });
    const adminWho = await admin.post('/apis/authentication.k8s.io/v1/selfsubjectreviews').send({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(adminWho.body.status.userInfo.username, 'skiff-admin');
  });

  test('a protobuf client gets the TokenRequest in protobuf', async () => {
    const { ns } = await setup();
    const res = await admin.post(tokenPath(ns)).set('Accept', 'application/vnd.kubernetes.protobuf').send({ spec: {} })
      .buffer(true).parse((r, cb) => { const parts: Buffer[] = []; r.on('data', (c) => parts.push(c)); r.on('end', () => cb(null, Buffer.concat(parts))); });
    assert.equal(res.status, 201);
    assert.match(res.headers['content-type'], /^application\/vnd\.kubernetes\.protobuf/);
    const body = res.body as Buffer;
    assert.ok(body.includes(Buffer.from('TokenRequest')) && body.includes(Buffer.from('eyJhbGciOiJFUzI1NiIs')), 'kind and token are in the protobuf body');
  });

  test('an unknown service account is 404; an unauthenticated request is system:anonymous, refused', async () => {
    const { ns } = await setup();
    const s = assertStatus(await admin.post(tokenPath(ns, 'nope')).send({ spec: {} }), 404, 'NotFound');
    assert.equal(s.message, 'serviceaccounts "nope" not found');
    assertStatus(await request(server.url).post(tokenPath(ns)).send({ spec: {} }), 403, 'Forbidden');
  });

  test('expirationSeconds below 10 minutes or above 2^32 s is 422; of the wrong type 400', async () => {
    const { ns } = await setup();
    let s = assertStatus(await admin.post(tokenPath(ns)).send({ spec: { expirationSeconds: 599 } }), 422, 'Invalid');
    assert.equal(s.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
    assert.deepEqual(s.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: 599: may not specify a duration less than 10 minutes', field: 'spec.expirationSeconds' }]);
    s = assertStatus(await admin.post(tokenPath(ns)).send({ spec: { expirationSeconds: 2 ** 32 + 1 } }), 422, 'Invalid');
    assert.match(s.message, /may not specify a duration larger than 2\^32 seconds/);
    assertStatus(await admin.post(tokenPath(ns)).send({ spec: { expirationSeconds: 0 } }), 422, 'Invalid');
    s = assertStatus(await admin.post(tokenPath(ns)).send({ spec: { expirationSeconds: '3600' } }), 400, 'BadRequest');
    assert.match(s.message, /^TokenRequest in version "v1" cannot be handled as a TokenRequest: .*expirationSeconds of type int64/);
    assertStatus(await admin.post(tokenPath(ns)).send({ spec: { expirationSeconds: 600.5 } }), 400, 'BadRequest');
    assert.equal((await createToken(ns, { expirationSeconds: 600 })).body.spec.expirationSeconds, 600, 'exactly 10 minutes is allowed');
  });

  test('bad bodies are 400 (malformed JSON, not an object, wrong kind or types, namespace mismatch); a name mismatch 422; GET 405', async () => {
    const { ns } = await setup();
    const post = () => admin.post(tokenPath(ns)).set('Content-Type', 'application/json');
    assertStatus(await post().send('{"spec":'), 400, 'BadRequest');
    assertStatus(await post().send('[1]'), 400, 'BadRequest');
    assertStatus(await post().send(''), 400, 'BadRequest');
    assertStatus(await post().send({ kind: 'Pod', spec: {} }), 400, 'BadRequest');
    assertStatus(await post().send({ apiVersion: 'v1', kind: 'TokenRequest' }), 400, 'BadRequest');
    assertStatus(await post().send({ spec: [] }), 400, 'BadRequest');
    assertStatus(await post().send({ spec: { audiences: 'api' } }), 400, 'BadRequest');
    assertStatus(await post().send({ spec: { audiences: [1] } }), 400, 'BadRequest');
    assertStatus(await post().send({ spec: { boundObjectRef: 'x' } }), 400, 'BadRequest');
    assertStatus(await post().send({ metadata: { namespace: 'other' }, spec: {} }), 400, 'BadRequest');
    const s = assertStatus(await post().send({ metadata: { name: 'other' }, spec: {} }), 422, 'Invalid');
    assert.equal(s.details.causes[0].field, 'metadata.name');
    assertStatus(await admin.get(tokenPath(ns)), 405, 'MethodNotAllowed');
    assert.equal((await admin.get(`/api/v1/namespaces/${ns}/serviceaccounts/sa`)).status, 200, 'the account is untouched');
  });
});

describe('service-account tokens authenticate', () => {
  test('a token for another audience is 401 on the API, and TokenReview accepts it only for that audience', async () => {
    const { ns } = await setup();
    const { token, body } = await createToken(ns, { audiences: ['vault'] });
    assert.deepEqual(body.spec.audiences, ['vault']);
    assertStatus(await as(token), 401, 'Unauthorized');
    const review = (audiences?: string[]) => admin.post('/apis/authentication.k8s.io/v1/tokenreviews')
      .send({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } });
    const ok = await review(['vault', 'other']);
    assert.equal(ok.status, 201);
    assert.equal(ok.body.status.authenticated, true);
    assert.equal(ok.body.status.user.username, `system:serviceaccount:${ns}:sa`);
    assert.deepEqual(ok.body.status.audiences, ['vault']);
    const no = await review();
    assert.equal(no.body.status.authenticated, undefined, 'authenticated is omitempty: false is left out, as upstream writes it');
    assert.match(no.body.status.error, /token audiences \["vault"\] is invalid for the target audiences/);
  });

  test('expiry on the fake clock: accepted up to exp + 60 s of leeway, then 401 (TokenReview says expired)', async () => {
    const { ns } = await setup();
    const { token } = await createToken(ns, { expirationSeconds: 600 });
    clock.advance((600 + 59) * 1000);
    assert.equal((await as(token)).status, 200, 'within the leeway');
    clock.advance(2000);
    assertStatus(await as(token), 401, 'Unauthorized');
    const review = await admin.post('/apis/authentication.k8s.io/v1/tokenreviews').send({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    assert.deepEqual(review.body.status, { user: {}, error: 'Token has expired.' }, 'as upstream writes it: authenticated false omitted, user an empty struct');
  });

  test('a deleted service account is 401, and stays so when an account of the same name is recreated (new uid)', async () => {
    const { ns } = await setup();
    const { token } = await createToken(ns);
    assert.equal((await as(token)).status, 200);
    assert.equal((await admin.delete(`/api/v1/namespaces/${ns}/serviceaccounts/sa`)).status, 200);
    assertStatus(await as(token), 401, 'Unauthorized');
    assert.equal((await admin.post(`/api/v1/namespaces/${ns}/serviceaccounts`).send({ metadata: { name: 'sa' } })).status, 201);
    assertStatus(await as(token), 401, 'Unauthorized');
  });

  test('a forged signature, a foreign issuer or garbage is 401', async () => {
    const { ns } = await setup();
    const { token } = await createToken(ns);
    const [h, p, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url')}.${sig}`;
    assertStatus(await as(forged), 401, 'Unauthorized');
    const foreign = `${h}.${Buffer.from(JSON.stringify({ ...claims, iss: 'https://elsewhere' })).toString('base64url')}.${sig}`;
    assertStatus(await as(foreign), 401, 'Unauthorized');
    assertStatus(await as('a.b.c'), 401, 'Unauthorized');
    assert.equal((await as(token)).status, 200);
  });
});

describe('bound tokens', () => {
  test('bound to a Secret: works until the Secret is deleted; a uid mismatch is 409; a missing one 404', async () => {
    const { ns } = await setup();
    const sec = await admin.post(`/api/v1/namespaces/${ns}/secrets`).send({ metadata: { name: 's1' } });
    assert.equal(sec.status, 201);
    const ref = { kind: 'Secret', apiVersion: 'v1', name: 's1' };
    const { token, body } = await createToken(ns, { boundObjectRef: { ...ref, uid: sec.body.metadata.uid } });
    assert.deepEqual(body.spec.boundObjectRef, { ...ref, uid: sec.body.metadata.uid });
    assert.deepEqual((decodeJwt(token)!.payload as any)['kubernetes.io'].secret, { name: 's1', uid: sec.body.metadata.uid });
    assert.equal((await as(token)).status, 200);
    const s = assertStatus(await admin.post(tokenPath(ns)).send({ spec: { boundObjectRef: { ...ref, uid: 'not-it' } } }), 409, 'Conflict');
    assert.match(s.message, /the UID in the bound object reference \(not-it\) does not match the UID in record/);
    assertStatus(await admin.post(tokenPath(ns)).send({ spec: { boundObjectRef: { ...ref, name: 'gone' } } }), 404, 'NotFound');
    assert.equal((await admin.delete(`/api/v1/namespaces/${ns}/secrets/s1`)).status, 200);
    assertStatus(await as(token), 401, 'Unauthorized');
  });

  test('bound to a Pod: the pod must run as the account; the user carries pod and node name/uid; deleting the pod invalidates it', async () => {
    const { ns } = await setup();
    const node = await admin.post('/api/v1/nodes').send({ metadata: { name: `node-${ns}` } });
    assert.equal(node.status, 201, node.text);
    const pod = await admin.post(`/api/v1/namespaces/${ns}/pods`).send({ metadata: { name: 'p' }, spec: { serviceAccountName: 'sa', nodeName: `node-${ns}`, containers: [{ name: 'c', image: 'nginx' }] } });
    assert.equal(pod.status, 201, pod.text);
    const other = await admin.post(`/api/v1/namespaces/${ns}/pods`).send({ metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    assert.equal(other.status, 201);
    const s = assertStatus(await admin.post(tokenPath(ns)).send({ spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'q' } } }), 400, 'BadRequest');
    assert.equal(s.message, 'cannot bind token for serviceaccount "sa" to pod running with different serviceaccount name.');
    const { token } = await createToken(ns, { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } });
    const review = await admin.post('/apis/authentication.k8s.io/v1/tokenreviews').send({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    assert.deepEqual(review.body.status.user.extra['authentication.kubernetes.io/pod-name'], ['p']);
    assert.deepEqual(review.body.status.user.extra['authentication.kubernetes.io/pod-uid'], [pod.body.metadata.uid]);
    assert.deepEqual(review.body.status.user.extra['authentication.kubernetes.io/node-name'], [`node-${ns}`]);
    assert.deepEqual(review.body.status.user.extra['authentication.kubernetes.io/node-uid'], [node.body.metadata.uid]);
    assert.deepEqual((decodeJwt(token)!.payload as any)['kubernetes.io'].node, { name: `node-${ns}`, uid: node.body.metadata.uid });
    assert.equal((await admin.delete(`/api/v1/nodes/node-${ns}`)).status, 200);
    assert.equal((await as(token)).status, 200, 'the node of a pod-bound token is information, not a binding');
    assert.equal((await admin.delete(`/api/v1/namespaces/${ns}/pods/p`).query({ gracePeriodSeconds: 0 })).status, 200);
    assertStatus(await as(token), 401, 'Unauthorized');
  });

  test('bound to a Node: works until the Node is deleted; a missing Node is 404', async () => {
    const { ns } = await setup();
    const node = await admin.post('/api/v1/nodes').send({ metadata: { name: `bind-${ns}` } });
    assert.equal(node.status, 201);
    assertStatus(await admin.post(tokenPath(ns)).send({ spec: { boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'no-such-node' } } }), 404, 'NotFound');
    const { token } = await createToken(ns, { boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: `bind-${ns}` } });
    assert.deepEqual((decodeJwt(token)!.payload as any)['kubernetes.io'].node, { name: `bind-${ns}`, uid: node.body.metadata.uid });
    assert.equal((await as(token)).status, 200);
    assert.equal((await admin.delete(`/api/v1/nodes/bind-${ns}`)).status, 200);
    assertStatus(await as(token), 401, 'Unauthorized');
  });

  test('other kinds cannot be bound (400)', async () => {
    const { ns } = await setup();
    for (const ref of [{ kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' }, { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' }, { kind: 'Pod', apiVersion: 'apps/v1', name: 'p' }]) {
      const s = assertStatus(await admin.post(tokenPath(ns)).send({ spec: { boundObjectRef: ref } }), 400, 'BadRequest');
      assert.match(s.message, /^cannot bind token to object of type .*Kind=(Deployment|ConfigMap|Pod)$/);
    }
  });
});

describe('issuer discovery', () => {
  test('/.well-known/openid-configuration names the issuer and the JWKS, whose key verifies tokens; both need authentication', async () => {
    const { ns } = await setup();
    const cfg = await admin.get('/.well-known/openid-configuration');
    assert.equal(cfg.status, 200);
    assert.deepEqual(cfg.body, { issuer: AUD, jwks_uri: `${AUD}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['ES256'] });
    const jwks = await admin.get('/openid/v1/jwks').buffer(true).parse((res, cb) => { let t = ''; res.on('data', (c) => (t += c)); res.on('end', () => cb(null, JSON.parse(t))); });
    assert.equal(jwks.status, 200);
    assert.match(jwks.headers['content-type'], /^application\/jwk-set\+json/);
    const [jwk] = jwks.body.keys;
    const { token } = await createToken(ns);
    const jwt = decodeJwt(token)!;
    assert.equal(jwt.header.kid, jwk.kid);
    assert.ok(verify('sha256', Buffer.from(jwt.signingInput), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, jwt.signature));
    // Upstream's system:service-account-issuer-discovery is bound to service accounts only.
    assertStatus(await request(server.url).get('/openid/v1/jwks'), 403, 'Forbidden');
    assertStatus(await admin.post('/openid/v1/jwks').send({}), 405, 'MethodNotAllowed');
  });
});
