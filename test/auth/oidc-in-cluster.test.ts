// Service-account issuer discovery from inside the cluster, as upstream's e2e "should support OIDC
// discovery of service account issuer" runs it: an emulated agnhost pod reads its projected token and
// verifies it through the kubernetes Service (the API server reached in process over the simulated
// network, TLS checked against the pod's ca.crt for kubernetes.default.svc.cluster.local).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { findResource } from '../../src/registry/resources.ts';
import { workerFor } from '../../src/kubelet/containers/workers.ts';
import { jwksUri } from '../../src/auth/oidc.ts';

let server: RunningServer;
before(async () => { server = await startServer({ port: 0, inMemory: true, kubeconfigPath: false, controllers: true }); });
after(async () => { await server.stop(); });

const R = (g: string, v: string, r: string) => findResource(g, v, r)!;

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) { if (await cond()) return; await new Promise((r) => setTimeout(r, 50)); }
  assert.fail(`timed out waiting for ${what}`);
}

function validator(name: string, audience: string, tokenAudience = audience) {
  return {
    metadata: { name },
    spec: {
      restartPolicy: 'Never', serviceAccountName: 'default',
      containers: [{ name: 'v', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['test-service-account-issuer-discovery', '--token-path', '/var/run/secrets/tokens/sa-token', '--audience', audience],
        volumeMounts: [{ name: 't', mountPath: '/var/run/secrets/tokens', readOnly: true }] }],
      volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'sa-token', expirationSeconds: 600, audience: tokenAudience } }] } }],
    },
  };
}

const phase = async (ns: string, name: string) => (await server.store.get(R('', 'v1', 'pods'), ns, name)).status?.phase;
async function logs(ns: string, name: string): Promise<string> {
  const p = await server.store.get(R('', 'v1', 'pods'), ns, name);
  return (workerFor(p.metadata.uid)?.slots[0].current?.log.lines ?? []).map((l) => l.text).join('\n');
}

test('an agnhost pod validates its token through in-cluster OIDC discovery; a token for another audience fails', { timeout: 60_000 }, async () => {
  const ns = 'oidc';
  await server.store.create(R('', 'v1', 'namespaces'), undefined, { metadata: { name: ns } });
  await until('the default service account', async () => !!(await server.store.tryGet(R('', 'v1', 'serviceaccounts'), ns, 'default')));
  // Service accounts may read the discovery paths through the bootstrap binding system:service-account-issuer-discovery.
  await server.store.create(R('', 'v1', 'pods'), ns, validator('ok', 'oidc-discovery-test'));
  await until('the validator done', async () => ['Succeeded', 'Failed'].includes(await phase(ns, 'ok')));
  const out = await logs(ns, 'ok');
  assert.equal(await phase(ns, 'ok'), 'Succeeded', out);
  assert.match(out, /OK: Constructed OIDC provider for issuer https:\/\/kubernetes\.default\.svc\.cluster\.local/);
  assert.match(out, /OK: Validated signature on JWT/);

  // A token for another audience does not validate.
  await server.store.create(R('', 'v1', 'pods'), ns, validator('aud', 'oidc-discovery-test', 'someone-else'));
  await until('the audience validator done', async () => ['Succeeded', 'Failed'].includes(await phase(ns, 'aud')));
  assert.equal(await phase(ns, 'aud'), 'Failed');
  assert.match(await logs(ns, 'aud'), /oidc: expected audience "oidc-discovery-test" got \["someone-else"\]/);
});

test('jwks_uri: on the in-cluster issuer\'s host for the default issuer, on the external URL otherwise', () => {
  assert.equal(jwksUri('https://kubernetes.default.svc.cluster.local', 'https://127.0.0.1:6443'), 'https://kubernetes.default.svc.cluster.local/openid/v1/jwks');
  assert.equal(jwksUri('https://issuer.example', 'https://127.0.0.1:6443'), 'https://127.0.0.1:6443/openid/v1/jwks');
});
