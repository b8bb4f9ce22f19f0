// Admission and conversion webhooks with real clients: a TLS webhook server (Node, its own CA) on
// 127.0.0.1 registered with kubectl; its mutation is visible on kubectl get, its denial printed by
// kubectl as upstream prints it; a two-version CRD converted by a webhook and read at both versions
// by client-go (conformance/go, scenario conversion-read).
import type { Case, CaseContext } from '../lib.ts';
import { check, execFile } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';
import { allow, deny, patch, startWebhookServer } from '../../test/webhooks/server.ts';
import { goTool } from './external.ts';

const hook = (name: string, url: string, caBundle: string, ns: string, kind: string) => ({
  name, clientConfig: { url, caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } }, ...(kind === 'v' ? {} : { reinvocationPolicy: 'Never' }),
});

async function withServer(fn: (wh: Awaited<ReturnType<typeof startWebhookServer>>) => Promise<void>): Promise<void> {
  const wh = await startWebhookServer();
  try { await fn(wh); } finally { await wh.close(); }
}

export const webhookCases: Case[] = [
  {
    behavior: 'admission.webhooks', name: 'mutating-default-visible',
    async run(ctx: CaseContext) {
      await withServer(async (wh) => {
        wh.handle('/default', (b) => patch(b, [{ op: 'add', path: '/data/tier', value: 'gold' }]));
        const cfg = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: `default-${ctx.ns}` }, webhooks: [hook('default.skiff.test', wh.url('/default'), wh.caBundle, ctx.ns, 'm')] };
        await ok(ctx, ['apply', '-f', '-'], { input: JSON.stringify(cfg) });
        try {
          await ok(ctx, ['-n', ctx.ns, 'create', 'configmap', 'c1', '--from-literal=a=1']);
          const tier = await ok(ctx, ['-n', ctx.ns, 'get', 'configmap', 'c1', '-o', 'jsonpath={.data.tier}']);
          check(tier === 'gold', `kubectl get shows the webhook's default: ${JSON.stringify(tier)}`);
        } finally { await kubectl(ctx, ['delete', 'mutatingwebhookconfiguration', cfg.metadata.name]); }
      });
    },
  },
  {
    behavior: 'admission.webhooks', name: 'validating-denial-printed',
    async run(ctx: CaseContext) {
      await withServer(async (wh) => {
        wh.handle('/deny', (b) => (b.request.object?.data?.forbidden ? deny(b, 'data.forbidden is not allowed here') : allow(b)));
        const cfg = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: `deny-${ctx.ns}` }, webhooks: [hook('deny.skiff.test', wh.url('/deny'), wh.caBundle, ctx.ns, 'v')] };
        await ok(ctx, ['apply', '-f', '-'], { input: JSON.stringify(cfg) });
        try {
          const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad', namespace: ctx.ns }, data: { forbidden: 'yes' } };
          const r = await kubectl(ctx, ['create', '-f', '-'], { input: JSON.stringify(cm) });
          // The webhook's Status has no reason, so kubectl prints no '(Reason)', as against upstream.
          const want = 'Error from server: error when creating "STDIN": admission webhook "deny.skiff.test" denied the request: data.forbidden is not allowed here';
          check(r.code !== 0 && r.stderr.trim() === want, `kubectl printed: exit=${r.code} ${JSON.stringify(r.stderr.trim())}`);
          await ok(ctx, ['-n', ctx.ns, 'create', 'configmap', 'fine', '--from-literal=a=1']);
        } finally { await kubectl(ctx, ['delete', 'validatingwebhookconfiguration', cfg.metadata.name]); }
      });
    },
  },
];

/** v1 stores spec.host; v2 calls it spec.hostname. */
function convert(obj: any, to: string): any {
  const out = structuredClone(obj);
  out.apiVersion = to;
  if (to.endsWith('/v2') && out.spec?.host !== undefined) { out.spec.hostname = out.spec.host; delete out.spec.host; }
  if (to.endsWith('/v1') && out.spec?.hostname !== undefined) { out.spec.host = out.spec.hostname; delete out.spec.hostname; }
  return out;
}

export const conversionClientGoCases: Case[] = [
  {
    behavior: 'crd.conversion-webhook', name: 'conversion-read-both-versions',
    async run(ctx: CaseContext) {
      await withServer(async (wh) => {
        wh.handle('/convert', (b) => ({
          apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview',
          response: { uid: b.request.uid, result: { status: 'Success' }, convertedObjects: b.request.objects.map((o: any) => convert(o, b.request.desiredAPIVersion)) },
        }));
        const group = `${ctx.ns}.conv.skiff.test`;
        const schema = (p: string) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { [p]: { type: 'string' } } } } } });
        const crd = {
          apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `hosts.${group}` },
          spec: {
            group, scope: 'Namespaced', names: { plural: 'hosts', singular: 'host', kind: 'Host' },
            versions: [{ name: 'v1', served: true, storage: true, schema: schema('host') }, { name: 'v2', served: true, storage: false, schema: schema('hostname') }],
            conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: wh.url('/convert'), caBundle: wh.caBundle } } },
          },
        };
        const kc = ['--kubeconfig', ctx.cluster.kubeconfigPath];
        const k = (args: string[], input?: string) => execFile('kubectl', [...kc, ...args], { input, timeoutMs: 30_000 });
        let r = await k(['apply', '-f', '-'], JSON.stringify(crd));
        check(r.code === 0, `create CRD: ${r.stderr}`);
        r = await k(['wait', '--for=condition=Established', `crd/hosts.${group}`, '--timeout=20s']);
        check(r.code === 0, `CRD established: ${r.stderr}`);
        r = await k(['create', 'namespace', ctx.ns]);
        r = await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: `${group}/v2`, kind: 'Host', metadata: { name: 'h1', namespace: ctx.ns }, spec: { hostname: 'alpha' } }));
        check(r.code === 0, `create at v2: ${r.stderr}`);
        r = await execFile(goTool.bin, [ctx.cluster.kubeconfigPath, 'conversion-read', ctx.ns], { timeoutMs: 60_000, signal: ctx.signal });
        check(r.code === 0, `client-go conversion-read: exit=${r.code} ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        await k(['delete', 'crd', `hosts.${group}`, '--wait=false']);
      });
    },
    noNamespace: true,
  },
];
