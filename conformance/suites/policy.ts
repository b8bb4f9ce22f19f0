// Policy a namespace enforces, driven with real kubectl: a ResourceQuota stopping a Deployment (the
// ReplicaSet reports ReplicaFailure, `kubectl describe quota` shows used/hard), a LimitRange's default
// landing on a pod (`kubectl get pod -o yaml`), and a privileged pod refused in a restricted namespace
// with upstream's text.
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile, waitFor } from '../lib.ts';
import { kubectlTool } from './kubectl.ts';

const base = (ctx: CaseContext) => {
  const t = kubectlTool();
  return { bin: t.bin, args: ['--kubeconfig', ctx.cluster.kubeconfigPath, '--cache-dir', t.cacheDir, '--request-timeout=30s'] };
};

async function run(ctx: CaseContext, args: string[], input?: string): Promise<ExecResult> {
  const b = base(ctx);
  return execFile(b.bin, [...b.args, ...args], { timeoutMs: 40_000, signal: ctx.signal, input });
}

async function ok(ctx: CaseContext, args: string[], input?: string): Promise<string> {
  const r = await run(ctx, args, input);
  check(r.code === 0, `kubectl ${args.join(' ')}: exit=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 600))} stderr=${JSON.stringify(r.stderr.slice(0, 600))}`);
  return r.stdout;
}

export const policyCases: Case[] = [
  {
    behavior: 'policy.quota-deployment', name: 'quota-deployment', core: true,
    async run(ctx) {
      await ok(ctx, ['create', 'quota', 'q', '-n', ctx.ns, '--hard=pods=2,count/deployments.apps=5']);
      await waitFor('quota status', async () => JSON.parse(await ok(ctx, ['get', 'quota', 'q', '-n', ctx.ns, '-o', 'json'])).status?.used, { timeoutMs: 20_000 });
      await ok(ctx, ['create', 'deployment', 'web', '-n', ctx.ns, '--image=nginx:1.27', '--replicas=3']);
      const cond = await waitFor('ReplicaFailure on the ReplicaSet', async () => {
        const items = JSON.parse(await ok(ctx, ['get', 'rs', '-n', ctx.ns, '-o', 'json'])).items as any[];
        return items[0]?.status?.conditions?.find((c: any) => c.type === 'ReplicaFailure');
      }, { timeoutMs: 30_000 });
      check(cond.reason === 'FailedCreate' && /is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2$/.test(cond.message), `condition: ${JSON.stringify(cond)}`);
      const describe = await waitFor('describe quota with used pods=2', async () => {
        const out = await ok(ctx, ['describe', 'quota', 'q', '-n', ctx.ns]);
        return /pods\s+2\s+2/.test(out) ? out : undefined;
      }, { timeoutMs: 20_000 });
      check(/Resource\s+Used\s+Hard/.test(describe) && /count\/deployments\.apps\s+1\s+5/.test(describe), `describe quota:\n${describe}`);
      const events = await ok(ctx, ['get', 'events', '-n', ctx.ns, '--field-selector', 'reason=FailedCreate', '-o', 'json']);
      check(JSON.parse(events).items.some((e: any) => /^Error creating: pods ".+" is forbidden: exceeded quota: q/.test(e.message)), `FailedCreate events: ${events.slice(0, 800)}`);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'policy.limitrange-defaults', name: 'limitrange-defaults', core: true,
    async run(ctx) {
      await ok(ctx, ['apply', '-n', ctx.ns, '-f', '-'], [
        'apiVersion: v1', 'kind: LimitRange', 'metadata: {name: lr}', 'spec:', '  limits:',
        '  - type: Container', '    default: {cpu: 500m, memory: 256Mi}', '    defaultRequest: {cpu: 100m, memory: 64Mi}', '    max: {cpu: "1"}',
      ].join('\n'));
      await ok(ctx, ['run', 'p', '-n', ctx.ns, '--image=nginx:1.27']);
      const yaml = await ok(ctx, ['get', 'pod', 'p', '-n', ctx.ns, '-o', 'yaml']);
      check(/limits:\s*\n\s+cpu: 500m\s*\n\s+memory: 256Mi/.test(yaml) && /requests:\s*\n\s+cpu: 100m\s*\n\s+memory: 64Mi/.test(yaml), `pod yaml lacks the defaults:\n${yaml}`);
      const annotation = JSON.parse(await ok(ctx, ['get', 'pod', 'p', '-n', ctx.ns, '-o', 'json'])).metadata.annotations?.['kubernetes.io/limit-ranger'];
      check(annotation === 'LimitRanger plugin set: cpu, memory request for container p; cpu, memory limit for container p', `annotation: ${annotation}`);
      const r = await run(ctx, ['run', 'big', '-n', ctx.ns, '--image=nginx:1.27', '--overrides', JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx:1.27', resources: { limits: { cpu: '2' } } }] } })]);
      check(r.code !== 0 && r.stderr.includes('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2'), `stderr: ${r.stderr}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'policy.pod-security-restricted', name: 'pod-security-restricted', core: true,
    async run(ctx) {
      const label = await run(ctx, ['label', 'ns', ctx.ns, 'pod-security.kubernetes.io/enforce=restricted']);
      check(label.code === 0, `label: ${label.stderr}`);
      const r = await run(ctx, ['run', 'priv', '-n', ctx.ns, '--image=nginx:1.27', '--privileged']);
      const want = `Error from server (Forbidden): pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "priv" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "priv" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "priv" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "priv" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "priv" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;
      check(r.code !== 0 && r.stderr.trim() === want, `stderr: ${r.stderr}`);
      // Relabelling to a level the existing pods violate warns about them (kubectl prints Warning: lines).
      await ok(ctx, ['label', '--overwrite', 'ns', ctx.ns, 'pod-security.kubernetes.io/enforce=privileged']);
      await ok(ctx, ['run', 'priv', '-n', ctx.ns, '--image=nginx:1.27', '--privileged']);
      const warned = await run(ctx, ['label', '--overwrite', 'ns', ctx.ns, 'pod-security.kubernetes.io/enforce=baseline', '--dry-run=server']);
      check(warned.code === 0 && warned.stderr.includes(`Warning: existing pods in namespace "${ctx.ns}" violate the new PodSecurity enforce level "baseline:latest"`)
        && warned.stderr.includes('Warning: priv: privileged'), `stderr: ${warned.stderr}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'policy.quota-parallel', name: 'quota-parallel', core: true,
    async run(ctx) {
      await ok(ctx, ['create', 'quota', 'q', '-n', ctx.ns, '--hard=pods=3']);
      await waitFor('quota status', async () => JSON.parse(await ok(ctx, ['get', 'quota', 'q', '-n', ctx.ns, '-o', 'json'])).status?.used, { timeoutMs: 20_000 });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => run(ctx, ['run', `p${i}`, '-n', ctx.ns, '--image=nginx:1.27'])));
      const admitted = results.filter((r) => r.code === 0).length;
      check(admitted === 3, `admitted ${admitted} of 8: ${results.map((r) => r.stderr.trim()).join(' | ')}`);
      for (const r of results.filter((x) => x.code !== 0)) {
        check(/is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3/.test(r.stderr), `refusal: ${r.stderr}`);
      }
      await waitFor('describe quota with used pods=3', async () => (/pods\s+3\s+3/.test(await ok(ctx, ['describe', 'quota', 'q', '-n', ctx.ns])) ? true : undefined), { timeoutMs: 20_000 });
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'batch.status-metadata', name: 'batch-status-metadata', core: true,
    async run(ctx) {
      await ok(ctx, ['create', 'cronjob', 'cj', '-n', ctx.ns, '--image=busybox:1.36', '--schedule=*/5 * * * *', '--', 'true']);
      await ok(ctx, ['patch', 'cronjob', 'cj', '-n', ctx.ns, '--subresource=status', '--type=merge', '-p', '{"metadata":{"annotations":{"patchedstatus":"true"}}}']);
      const cj = JSON.parse(await ok(ctx, ['get', 'cronjob', 'cj', '-n', ctx.ns, '-o', 'json']));
      check(cj.metadata.annotations?.patchedstatus === 'true', `cronjob annotations: ${JSON.stringify(cj.metadata.annotations)}`);
      await ok(ctx, ['create', 'job', 'j', '-n', ctx.ns, '--image=busybox:1.36', '--', 'sleep', '3600']);
      await ok(ctx, ['patch', 'job', 'j', '-n', ctx.ns, '--subresource=status', '--type=merge', '-p', '{"metadata":{"annotations":{"patchedstatus":"true"}}}']);
      const job = JSON.parse(await ok(ctx, ['get', 'job', 'j', '-n', ctx.ns, '-o', 'json']));
      check(job.metadata.annotations?.patchedstatus === 'true', `job annotations: ${JSON.stringify(job.metadata.annotations)}`);
    },
    timeoutMs: 60_000,
  },
];
