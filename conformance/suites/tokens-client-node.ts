// Service-account tokens with @kubernetes/client-node: CoreV1Api.createNamespacedServiceAccountToken
// (TokenRequest), a KubeConfig that authenticates with the returned token, and TokenReview of it.
import * as k8s from '@kubernetes/client-node';
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';

function adminConfig(ctx: CaseContext): k8s.KubeConfig {
  const c = new k8s.KubeConfig();
  c.loadFromString(ctx.cluster.kubeconfig);
  return c;
}

/** The cluster of the admin kubeconfig with a bearer-token user instead. */
function tokenConfig(ctx: CaseContext, token: string): k8s.KubeConfig {
  const admin = adminConfig(ctx);
  const cluster = admin.getCurrentCluster()!;
  const c = new k8s.KubeConfig();
  c.loadFromOptions({
    clusters: [cluster], users: [{ name: 'sa', token }],
    contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }], currentContext: 'sa',
  });
  return c;
}

async function failsWith(p: Promise<unknown>, code: number, what: string): Promise<string> {
  try { await p; } catch (e) {
    const got = (e as { code?: number }).code;
    check(got === code, `${what}: want HTTP ${code}, got ${got} (${(e as Error).message?.slice(0, 300)})`);
    return (e as Error).message ?? '';
  }
  check(false, `${what}: want HTTP ${code}, but the call succeeded`);
  return '';
}

export const tokenClientNodeCases: Case[] = [
  {
    behavior: 'tokens.create-and-authenticate', name: 'token-request-client-node',
    async run(ctx) {
      const core = adminConfig(ctx).makeApiClient(k8s.CoreV1Api);
      const sa = await waitFor('the default ServiceAccount', () => core.readNamespacedServiceAccount({ name: 'default', namespace: ctx.ns }).catch(() => undefined), { signal: ctx.signal });
      const tr = await core.createNamespacedServiceAccountToken({ name: 'default', namespace: ctx.ns, body: { spec: { audiences: [], expirationSeconds: 600 } } });
      const token = tr.status?.token ?? '';
      check(tr.spec?.expirationSeconds === 600 && tr.status?.expirationTimestamp instanceof Date && token.split('.').length === 3, `TokenRequest answer: ${JSON.stringify(tr)}`);
      // RBAC is enforced: the account may read its namespace through a binding to view.
      await adminConfig(ctx).makeApiClient(k8s.RbacAuthorizationV1Api).createNamespacedRoleBinding({ namespace: ctx.ns, body: {
        metadata: { name: 'default-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ctx.ns }] } });
      const asSa = tokenConfig(ctx, token).makeApiClient(k8s.CoreV1Api);
      const pods = await asSa.listNamespacedPod({ namespace: ctx.ns });
      check(Array.isArray(pods.items), 'list pods with the service-account token');
      const review = await adminConfig(ctx).makeApiClient(k8s.AuthenticationV1Api).createTokenReview({ body: { spec: { token } } });
      check(review.status?.authenticated === true && review.status.user?.username === `system:serviceaccount:${ctx.ns}:default` && review.status.user.uid === sa.metadata?.uid,
        `TokenReview: ${JSON.stringify(review.status)}`);
      await failsWith(core.createNamespacedServiceAccountToken({ name: 'default', namespace: ctx.ns, body: { spec: { audiences: [], expirationSeconds: 60 } } }), 422, 'a 60 s token');
      await failsWith(core.createNamespacedServiceAccountToken({ name: 'nobody', namespace: ctx.ns, body: { spec: { audiences: [] } } }), 404, 'an unknown account');
      await failsWith(tokenConfig(ctx, `${token.slice(0, -4)}AAAA`).makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: ctx.ns }), 401, 'a broken signature');
    },
  },
];
