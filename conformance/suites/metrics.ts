// metrics.k8s.io with real kubectl: `kubectl top pods [--containers]` and `kubectl top nodes` over
// the simulated usage (skiff.dev/cpu-usage / memory-usage annotations, node sums).
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile } from '../lib.ts';
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
];
