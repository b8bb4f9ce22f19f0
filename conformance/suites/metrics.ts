// metrics.k8s.io with real kubectl: `kubectl top pods [--containers]` and `kubectl top nodes` over
// the simulated usage (skiff.dev/cpu-usage / memory-usage annotations, node sums).
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile, waitFor } from '../lib.ts';
import { kubectlTool } from './kubectl.ts';

async function kubectl(ctx: CaseContext, args: string[]): Promise<ExecResult> {
  const t = kubectlTool();
  return execFile(t.bin, ['--kubeconfig', ctx.cluster.kubeconfigPath, '--cache-dir', t.cacheDir, '--request-timeout=30s', ...args], { timeoutMs: 40_000, signal: ctx.signal });
}

async function ok(ctx: CaseContext, args: string[]): Promise<string> {
  const r = await kubectl(ctx, args);
  check(r.code === 0, `kubectl ${args.join(' ')}: exit=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 600))} stderr=${JSON.stringify(r.stderr.slice(0, 600))}`);
  return r.stdout;
}

const rows = (out: string) => out.split('\n').filter((l) => l.trim()).map((l) => l.trim().split(/\s+/));

async function runningPod(ctx: CaseContext, name: string, annotations: string[]): Promise<void> {
  await ok(ctx, ['run', name, '-n', ctx.ns, '--image=nginx:1.27', ...annotations.map((a) => `--annotations=${a}`)]);
  await ok(ctx, ['wait', '--for=condition=Ready', `pod/${name}`, '-n', ctx.ns, '--timeout=30s']);
}

const busyDeployment = (ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: busy, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: busy}}
  template:
    metadata:
      labels: {app: busy}
      annotations: {skiff.dev/cpu-usage: 250m}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources: {requests: {cpu: 100m}}
`;

export const metricsCases: Case[] = [
  {
    behavior: 'metrics.top-pods', name: 'top-pods', core: true,
    async run(ctx) {
      await runningPod(ctx, 'busy', ['skiff.dev/cpu-usage=250m', 'skiff.dev/memory-usage=64Mi']);
      const out = rows(await ok(ctx, ['top', 'pods', '-n', ctx.ns]));
      check(out[0].join(' ') === 'NAME CPU(cores) MEMORY(bytes)', `header: ${JSON.stringify(out[0])}`);
      check(JSON.stringify(out.slice(1)) === JSON.stringify([['busy', '250m', '64Mi']]), `rows: ${JSON.stringify(out)}`);
      const c = rows(await ok(ctx, ['top', 'pods', '-n', ctx.ns, '--containers']));
      check(c[0].join(' ') === 'POD NAME CPU(cores) MEMORY(bytes)', `--containers header: ${JSON.stringify(c[0])}`);
      check(JSON.stringify(c.slice(1)) === JSON.stringify([['busy', 'busy', '250m', '64Mi']]), `--containers rows: ${JSON.stringify(c)}`);
      const missing = await kubectl(ctx, ['top', 'pod', 'nope', '-n', ctx.ns]);
      check(missing.code !== 0 && missing.stderr.includes(`pods.metrics.k8s.io "${ctx.ns}/nope" not found`), `missing pod: ${missing.stderr}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'metrics.top-nodes', name: 'top-nodes', core: true, noNamespace: false,
    async run(ctx) {
      await runningPod(ctx, 'heavy', ['skiff.dev/cpu-usage=1500m', 'skiff.dev/memory-usage=1Gi']);
      const node = (await ok(ctx, ['get', 'pod', 'heavy', '-n', ctx.ns, '-o', 'jsonpath={.spec.nodeName}'])).trim();
      const out = rows(await ok(ctx, ['top', 'nodes']));
      check(/^NAME CPU\(cores\) CPU(%|\(%\)) MEMORY\(bytes\) MEMORY(%|\(%\))/.test(out[0].join(' ')), `header: ${JSON.stringify(out[0])}`);
      const row = out.find((r) => r[0] === node);
      check(row, `no row for ${node}: ${JSON.stringify(out)}`);
      const cores = Number(row[1].replace(/m$/, ''));
      check(cores >= 1600, `node ${node} cpu ${row[1]} should include the pod's 1500m and the 100m baseline`);
      check(/^\d+Mi$/.test(row[3]) && Number(row[3].slice(0, -2)) >= 1024 + 256, `node memory ${row[3]}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'metrics.hpa-scale-up', name: 'autoscale-scale-up', core: true,
    async run(ctx) {
      const t = kubectlTool();
      const applied = await execFile(t.bin, ['--kubeconfig', ctx.cluster.kubeconfigPath, '--cache-dir', t.cacheDir, 'apply', '-f', '-'], { input: busyDeployment(ctx.ns), timeoutMs: 40_000, signal: ctx.signal });
      check(applied.code === 0, `apply: ${applied.stderr}`);
      await ok(ctx, ['rollout', 'status', 'deployment/busy', '-n', ctx.ns, '--timeout=30s']);
      const a = await ok(ctx, ['autoscale', 'deployment', 'busy', '-n', ctx.ns, '--cpu-percent=50', '--min=1', '--max=5']);
      check(a.includes('horizontalpodautoscaler.autoscaling/busy autoscaled'), a);
      // 250m used of 100m requested = 250% against 50%: 1 → 5 (ceil(5 × 1), capped by --max=5).
      await waitFor('the HPA to scale busy to 5', async () => {
        const h = JSON.parse(await ok(ctx, ['get', 'hpa', 'busy', '-n', ctx.ns, '-o', 'json']));
        return h.status?.desiredReplicas === 5 && h.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization === 250;
      }, { timeoutMs: 40_000, intervalMs: 500, signal: ctx.signal });
      const dep = JSON.parse(await ok(ctx, ['get', 'deployment', 'busy', '-n', ctx.ns, '-o', 'json']));
      check(dep.spec.replicas === 5, `deployment replicas ${dep.spec.replicas}`);
      const table = rows(await ok(ctx, ['get', 'hpa', 'busy', '-n', ctx.ns]));
      check(table[0].slice(0, 3).join(' ') === 'NAME REFERENCE TARGETS', `hpa header: ${JSON.stringify(table[0])}`);
      check(table[1][0] === 'busy' && table[1][1] === 'Deployment/busy' && table[1].join(' ').includes('250%/50%'), `hpa row: ${JSON.stringify(table[1])}`);
      const ev = await ok(ctx, ['get', 'events', '-n', ctx.ns, '--field-selector', 'reason=SuccessfulRescale', '-o', 'jsonpath={.items[*].message}']);
      check(ev.includes('New size: 5; reason: cpu resource utilization (percentage of request) above target'), `events: ${ev}`);
    },
    timeoutMs: 90_000,
  },
];
