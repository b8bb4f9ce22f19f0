// Service-account tokens across a restart (the signing key is kept in the data directory), and on the
// WebSocket upgrade path (pods/exec), which authenticates outside the request pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startServer } from '../../src/server.ts';

const opts = (dataDir: string) => ({ port: 0, dataDir, insecureHttp: true, kubeconfigPath: false as const, controllers: false });

async function tokenFor(url: string, admin: string, ns: string): Promise<string> {
  const api = request.agent(url).set('Authorization', `Bearer ${admin}`);
  assert.equal((await api.post('/api/v1/namespaces').send({ metadata: { name: ns } })).status, 201);
  assert.equal((await api.post(`/api/v1/namespaces/${ns}/serviceaccounts`).send({ metadata: { name: 'sa' } })).status, 201);
  // RBAC is enforced: the account may use its namespace as `admin` allows.
  assert.equal((await api.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`)
    .send({ metadata: { name: 'sa-admin' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] })).status, 201);
  const res = await api.post(`/api/v1/namespaces/${ns}/serviceaccounts/sa/token`).send({ spec: {} });
  assert.equal(res.status, 201, res.text);
  return res.body.status.token;
}

test('a token issued before a restart still authenticates after it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-tok-'));
  try {
    let s = await startServer(opts(dir));
    const token = await tokenFor(s.url, s.token, 'keep');
    await s.stop();
    s = await startServer(opts(dir));
    try {
      const res = await request(s.url).get('/api/v1/namespaces/keep/serviceaccounts').set('Authorization', `Bearer ${token}`);
      assert.equal(res.status, 200, res.text);
    } finally { await s.stop(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

/** The status code a WebSocket upgrade to pods/exec gets (101, or the refusal's code). */
function upgrade(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/api/v1/namespaces/up/pods/nope/exec?command=ls&stdout=1`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol': 'v5.channel.k8s.io', Authorization: `Bearer ${token}` },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode ?? 0); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
}

test('pods/exec upgrades accept service-account tokens and refuse broken ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-tok-'));
  const s = await startServer({ ...opts(dir), inMemory: true });
  try {
    const token = await tokenFor(s.url, s.token, 'up');
    assert.equal(await upgrade(s.url, `${token.slice(0, -4)}AAAA`), 401);
    assert.equal(await upgrade(s.url, 'nonsense'), 401);
    const code = await upgrade(s.url, token);
    assert.notEqual(code, 401, 'the token is accepted (the missing pod is reported instead)');
    assert.equal(code, await upgrade(s.url, s.token), 'as for the admin');
  } finally { await s.stop(); rmSync(dir, { recursive: true, force: true }); }
});
