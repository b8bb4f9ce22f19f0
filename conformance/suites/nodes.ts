// Simulated nodes as real kubectl sees them: get nodes (-o wide), cordon/drain/uncordon, a node
// going NotReady when its heartbeat stops and the clock is advanced with `skiff clock advance`,
// and Ready again when it resumes. Runs in its own cluster with 3 nodes (each case uses its own node).
import { join } from 'node:path';
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile, waitFor } from '../lib.ts';
import { kubectlTool } from './kubectl.ts';

export const NODES_CLUSTER = { nodes: 3 };
const SKIFF = join(import.meta.dirname, '..', '..', 'bin', 'skiff.js');

function kubectl(ctx: CaseContext, args: string[], input?: string): Promise<ExecResult> {
  const t = kubectlTool();
  return execFile(t.bin, ['--kubeconfig', ctx.cluster.kubeconfigPath, '--cache-dir', t.cacheDir, '--request-timeout=30s', ...args], { input, timeoutMs: 60_000, signal: ctx.signal });
}
async function ok(ctx: CaseContext, args: string[], input?: string): Promise<string> {
  const r = await kubectl(ctx, args, input);
  check(r.code === 0, `kubectl ${args.join(' ')}: exit=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 600))} stderr=${JSON.stringify(r.stderr.slice(0, 600))}`);
  return r.stdout;
}
const row = (out: string, name: string) => out.split('\n').find((l) => l.startsWith(`${name} `))?.trim().split(/\s{2,}/) ?? [];

const pinnedDeployment = (name: string, ns: string, node: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      nodeSelector: {kubernetes.io/hostname: ${node}}
      containers: [{name: c, image: nginx:1.27}]
`;
const podsOn = async (ctx: CaseContext, node: string) =>
  JSON.parse(await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-o', 'json', `--field-selector=spec.nodeName=${node}`])).items as any[];

export const nodesCases: Case[] = [
  {
    behavior: 'nodes.get-wide', name: 'get-nodes-wide',
    async run(ctx) {
      const out = await ok(ctx, ['get', 'nodes']);
      check(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s*$/m.test(out.split('\n')[0]), out);
      const r = row(out, 'skiff-node-0');
      check(r[1] === 'Ready' && r[2] === '<none>' && r[4] === 'v1.32.4', `skiff-node-0 row: ${JSON.stringify(r)}`);
      const wide = await ok(ctx, ['get', 'nodes', '-o', 'wide']);
      check(/INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/.test(wide.split('\n')[0]), wide);
      const w = row(wide, 'skiff-node-0');
      check(/^10\.\d+\.\d+\.\d+$/.test(w[5]) && w[6] === '<none>' && w[7] === 'Skiff simulated node' && w[9]?.startsWith('containerd://'), `wide row: ${JSON.stringify(w)}`);
      const node = JSON.parse(await ok(ctx, ['get', 'node', 'skiff-node-0', '-o', 'json']));
      check(node.metadata.labels['kubernetes.io/hostname'] === 'skiff-node-0' && node.metadata.labels['kubernetes.io/os'] === 'linux', JSON.stringify(node.metadata.labels));
      check(node.spec.podCIDR === '10.244.0.0/24' && node.status.nodeInfo.kubeletVersion === 'v1.32.4', JSON.stringify(node.spec));
      const lease = JSON.parse(await ok(ctx, ['get', 'lease', 'skiff-node-0', '-n', 'kube-node-lease', '-o', 'json']));
      check(lease.spec.holderIdentity === 'skiff-node-0' && lease.spec.leaseDurationSeconds === 40, JSON.stringify(lease.spec));
    },
  },
  {
    behavior: 'nodes.pod-wide', name: 'pod-wide-node-ip',
    async run(ctx) {
      await ok(ctx, ['apply', '-f', '-'], pinnedDeployment('wide', ctx.ns, 'skiff-node-0', 1));
      await ok(ctx, ['rollout', 'status', 'deployment/wide', '-n', ctx.ns, '--timeout=40s']);
      const out = await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-o', 'wide']);
      check(/\bIP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/.test(out.split('\n')[0]), out);
      const line = out.split('\n')[1] ?? '';
      check(/\bRunning\b/.test(line) && /\b10\.244\.0\.\d+\b/.test(line) && /\bskiff-node-0\b/.test(line), out);
    },
    timeoutMs: 90_000,
  },
  {
    behavior: 'nodes.cordon-drain', name: 'cordon-drain-uncordon',
    async run(ctx) {
      const node = 'skiff-node-1';
      await ok(ctx, ['apply', '-f', '-'], pinnedDeployment('dr', ctx.ns, node, 2));
      await ok(ctx, ['rollout', 'status', 'deployment/dr', '-n', ctx.ns, '--timeout=40s']);
      check((await ok(ctx, ['cordon', node])).includes(`node/${node} cordoned`), 'cordon output');
      check(row(await ok(ctx, ['get', 'nodes']), node)[1] === 'Ready,SchedulingDisabled', 'STATUS Ready,SchedulingDisabled');
      const drained = await ok(ctx, ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s']);
      check(drained.includes(`node/${node} drained`) && /evicted/.test(drained), drained);
      // The replacements cannot go anywhere but the cordoned node: they wait, Pending.
      await waitFor('replacements Pending', async () => {
        const pods = JSON.parse(await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-o', 'json'])).items as any[];
        return pods.length === 2 && pods.every((p) => p.status.phase === 'Pending' && !p.spec.nodeName);
      }, { timeoutMs: 30_000, signal: ctx.signal });
      check((await ok(ctx, ['uncordon', node])).includes(`node/${node} uncordoned`), 'uncordon output');
      await ok(ctx, ['rollout', 'status', 'deployment/dr', '-n', ctx.ns, '--timeout=40s']);
      check((await podsOn(ctx, node)).length === 2, 'pods back on the node');
    },
    timeoutMs: 180_000,
  },
  {
    behavior: 'nodes.notready-heartbeat', name: 'notready-after-heartbeat-stops',
    async run(ctx) {
      const node = 'skiff-node-2';
      const clock = async (...args: string[]) => {
        const r = await execFile(process.execPath, [SKIFF, 'clock', ...args, '--kubeconfig', ctx.cluster.kubeconfigPath], { timeoutMs: 30_000, signal: ctx.signal });
        check(r.code === 0 && /^now: /.test(r.stdout), `skiff clock ${args.join(' ')}: exit=${r.code} ${r.stdout} ${r.stderr}`);
      };
      await ok(ctx, ['annotate', 'node', node, 'skiff.dev/heartbeat=stopped', '--overwrite']);
      await clock('advance', '60s');
      await waitFor('NotReady', async () => row(await ok(ctx, ['get', 'nodes']), node)[1] === 'NotReady', { timeoutMs: 30_000, signal: ctx.signal });
      const n = JSON.parse(await ok(ctx, ['get', 'node', node, '-o', 'json']));
      const ready = n.status.conditions.find((c: any) => c.type === 'Ready');
      check(ready.status === 'Unknown' && ready.reason === 'NodeStatusUnknown' && ready.message === 'Kubelet stopped posting node status.', JSON.stringify(ready));
      await waitFor('unreachable taints', async () => {
        const t = JSON.parse(await ok(ctx, ['get', 'node', node, '-o', 'json'])).spec.taints ?? [];
        return ['NoSchedule', 'NoExecute'].every((e) => t.some((x: any) => x.key === 'node.kubernetes.io/unreachable' && x.effect === e));
      }, { timeoutMs: 20_000, signal: ctx.signal });
      const bad = await execFile(process.execPath, [SKIFF, 'clock', 'advance', 'soon', '--kubeconfig', ctx.cluster.kubeconfigPath], { timeoutMs: 30_000 });
      check(bad.code === 2 && /"duration" must be a duration/.test(bad.stderr), `bad duration: ${bad.code} ${bad.stderr}`);
      await ok(ctx, ['annotate', 'node', node, 'skiff.dev/heartbeat-']);
      await waitFor('Ready again, taints gone', async () => {
        const m = JSON.parse(await ok(ctx, ['get', 'node', node, '-o', 'json']));
        return m.status.conditions.find((c: any) => c.type === 'Ready').status === 'True' && !(m.spec.taints ?? []).length;
      }, { timeoutMs: 40_000, signal: ctx.signal });
    },
    timeoutMs: 120_000,
  },
  {
    behavior: 'nodes.eviction-pdb', name: 'eviction-honours-pdb',
    async run(ctx) {
      await ok(ctx, ['create', 'deployment', 'guarded', '-n', ctx.ns, '--image=nginx:1.27', '--replicas=2']);
      await ok(ctx, ['rollout', 'status', 'deployment/guarded', '-n', ctx.ns, '--timeout=40s']);
      await ok(ctx, ['create', 'pdb', 'guarded', '-n', ctx.ns, '--selector=app=guarded', '--min-available=2']);
      await waitFor('PDB status', async () => {
        const b = JSON.parse(await ok(ctx, ['get', 'pdb', 'guarded', '-n', ctx.ns, '-o', 'json']));
        return b.status?.currentHealthy === 2 && b.status?.desiredHealthy === 2 && b.status?.disruptionsAllowed === 0;
      }, { timeoutMs: 20_000, signal: ctx.signal });
      const pod = JSON.parse(await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-l', 'app=guarded', '-o', 'json'])).items[0].metadata.name;
      const evict = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ctx.ns } });
      const path = `/api/v1/namespaces/${ctx.ns}/pods/${pod}/eviction`;
      const refused = await kubectl(ctx, ['create', '--raw', path, '-f', '-'], evict);
      check(refused.code !== 0 && refused.stderr.includes("Cannot evict pod as it would violate the pod's disruption budget."), `refused: ${refused.code} ${refused.stderr}`);
      await ok(ctx, ['patch', 'pdb', 'guarded', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
      await waitFor('ALLOWED DISRUPTIONS 1', async () => row(await ok(ctx, ['get', 'pdb', '-n', ctx.ns]), 'guarded')[3] === '1', { timeoutMs: 20_000, signal: ctx.signal });
      await ok(ctx, ['create', '--raw', path, '-f', '-'], evict);
      const b = JSON.parse(await ok(ctx, ['get', 'pdb', 'guarded', '-n', ctx.ns, '-o', 'json']));
      check(b.status.disruptionsAllowed === 0 || b.status.currentHealthy >= 2, `budget spent: ${JSON.stringify(b.status)}`);
    },
    timeoutMs: 90_000,
  },
];
