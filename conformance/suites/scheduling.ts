// Scheduling scenarios driven by real kubectl: each case adds 3 Nodes of its own through the API
// (labelled and tainted for the case, so other cases' pods stay off them and its pods stay on them),
// then checks where pods land (`kubectl get pods -o wide`) and why one cannot (`kubectl describe`).
import type { Case, CaseContext } from '../lib.ts';
import { check, rest, waitFor } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';

const POOL = 'skiff.dev/conformance-pool';

export async function addNodes(ctx: CaseContext, zones: string[]): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < zones.length; i++) {
    const name = `${ctx.ns}-n${i}`.slice(0, 60);
    const r = await rest(ctx.cluster, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zones[i], [POOL]: ctx.ns }, annotations: { 'skiff.dev/simulated': 'true' } },
      spec: { taints: [{ key: POOL, value: ctx.ns, effect: 'NoSchedule' }] },
      status: { capacity: { cpu: '4', memory: '8Gi', pods: '20' }, allocatable: { cpu: '4', memory: '8Gi', pods: '20' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] },
    });
    check(r.status === 201, `create node ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    names.push(name);
  }
  return names;
}

export async function removeNodes(ctx: CaseContext, names: string[]): Promise<void> {
  for (const n of names) await rest(ctx.cluster, 'DELETE', `/api/v1/nodes/${n}`);
}

/** A pod pinned to the case's nodes, with extra spec YAML (indented 2 under spec). */
export const podYaml = (ctx: CaseContext, name: string, labels: Record<string, string>, extraSpec: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ctx.ns}
  labels: {${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')}}
spec:
  nodeSelector: {${POOL}: ${ctx.ns}}
  tolerations: [{key: ${POOL}, operator: Equal, value: ${ctx.ns}, effect: NoSchedule}]
  containers: [{name: c, image: nginx}]
${extraSpec}---
`;

/** NAME → NODE from `kubectl get pods -o wide`. */
export async function podNodes(ctx: CaseContext): Promise<Map<string, string>> {
  const out = await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-o', 'wide', '--no-headers']);
  const m = new Map<string, string>();
  for (const line of out.trim().split('\n').filter(Boolean)) { const f = line.trim().split(/\s+/); m.set(f[0], f[6]); }
  return m;
}

export async function describeShows(ctx: CaseContext, pod: string, text: string): Promise<void> {
  await waitFor(`describe pod ${pod} to show "${text}"`, async () => {
    const d = await ok(ctx, ['describe', 'pod', pod, '-n', ctx.ns]);
    return d.includes('FailedScheduling') && d.includes(text) ? d : undefined;
  }, { signal: ctx.signal });
}

export const schedulingCases: Case[] = [
  {
    behavior: 'scheduling.pod-anti-affinity', name: 'anti-affinity-spread',
    async run(ctx) {
      const nodes = await addNodes(ctx, ['z1', 'z2', 'z3']);
      try {
        const anti = `  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: web}}
        topologyKey: kubernetes.io/hostname
`;
        await ok(ctx, ['apply', '-f', '-'], { input: ['web-0', 'web-1', 'web-2'].map((n) => podYaml(ctx, n, { app: 'web' }, anti)).join('') });
        const placed = await waitFor('3 web pods placed', async () => {
          const m = await podNodes(ctx);
          return ['web-0', 'web-1', 'web-2'].every((n) => nodes.includes(m.get(n) ?? '')) ? m : undefined;
        }, { signal: ctx.signal });
        check(new Set(['web-0', 'web-1', 'web-2'].map((n) => placed.get(n))).size === 3, `one web pod per node: ${JSON.stringify([...placed])}`);
        await ok(ctx, ['apply', '-f', '-'], { input: podYaml(ctx, 'web-3', { app: 'web' }, anti) });
        await describeShows(ctx, 'web-3', "3 node(s) didn't match pod anti-affinity rules");
        const st = JSON.parse(await ok(ctx, ['get', 'pod', 'web-3', '-n', ctx.ns, '-o', 'json'])).status;
        const cond = (st.conditions ?? []).find((c: { type: string }) => c.type === 'PodScheduled');
        check(st.phase === 'Pending' && cond?.reason === 'Unschedulable', `web-3 Pending/Unschedulable: ${JSON.stringify(st)}`);
        // Deleting one frees its node for the waiting pod.
        const freed = placed.get('web-1');
        await ok(ctx, ['delete', 'pod', 'web-1', '-n', ctx.ns, '--wait=true']);
        await waitFor('web-3 placed on the freed node', async () => (await podNodes(ctx)).get('web-3') === freed, { signal: ctx.signal });
      } finally { await removeNodes(ctx, nodes); }
    },
  },
  {
    behavior: 'scheduling.topology-spread', name: 'topology-spread-zones',
    async run(ctx) {
      const nodes = await addNodes(ctx, ['z1', 'z2', 'z3']);
      try {
        const spread = `  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: DoNotSchedule
    labelSelector: {matchLabels: {app: s}}
`;
        const names = ['s-0', 's-1', 's-2', 's-3', 's-4', 's-5'];
        await ok(ctx, ['apply', '-f', '-'], { input: names.map((n) => podYaml(ctx, n, { app: 's' }, spread)).join('') });
        const placed = await waitFor('6 spread pods placed', async () => {
          const m = await podNodes(ctx);
          return names.every((n) => nodes.includes(m.get(n) ?? '')) ? m : undefined;
        }, { signal: ctx.signal });
        const per = nodes.map((n) => names.filter((p) => placed.get(p) === n).length);
        check(per.every((c) => c === 2), `2 pods per zone: ${JSON.stringify(per)}`);
        // Pinned to the first zone (nodeAffinityPolicy Ignore keeps all 3 zones as domains): one more
        // fits there (3 vs 2), the next would make the skew 2 and cannot go anywhere.
        const pinned = (name: string) => podYaml(ctx, name, { app: 's' }, `${spread.replace('labelSelector: {matchLabels: {app: s}}', 'labelSelector: {matchLabels: {app: s}}\n    nodeAffinityPolicy: Ignore')}  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${nodes[0]}]}]}]
`);
        await ok(ctx, ['apply', '-f', '-'], { input: pinned('s-6') });
        await waitFor('s-6 placed in the first zone', async () => (await podNodes(ctx)).get('s-6') === nodes[0], { signal: ctx.signal });
        await ok(ctx, ['apply', '-f', '-'], { input: pinned('s-pinned') });
        await describeShows(ctx, 's-pinned', "1 node(s) didn't match pod topology spread constraints");
      } finally { await removeNodes(ctx, nodes); }
    },
  },
  {
    behavior: 'scheduling.priority-class', name: 'priority-class-admission',
    async run(ctx) {
      const pc = `pc-${ctx.ns}`.slice(0, 60);
      await ok(ctx, ['create', 'priorityclass', pc, '--value=1000', '--preemption-policy=Never']);
      try {
        await ok(ctx, ['run', 'hi', '-n', ctx.ns, '--image=nginx', `--overrides={"spec":{"priorityClassName":"${pc}"}}`]);
        const spec = JSON.parse(await ok(ctx, ['get', 'pod', 'hi', '-n', ctx.ns, '-o', 'json'])).spec;
        check(spec.priority === 1000 && spec.preemptionPolicy === 'Never', `priority from the class: ${spec.priority} ${spec.preemptionPolicy}`);
        await ok(ctx, ['run', 'crit', '-n', ctx.ns, '--image=nginx', '--overrides={"spec":{"priorityClassName":"system-cluster-critical"}}']);
        const crit = JSON.parse(await ok(ctx, ['get', 'pod', 'crit', '-n', ctx.ns, '-o', 'json'])).spec;
        check(crit.priority === 2000000000, `system-cluster-critical priority: ${crit.priority}`);
        const bad = await kubectl(ctx, ['run', 'nope', '-n', ctx.ns, '--image=nginx', '--overrides={"spec":{"priorityClassName":"no-such-class"}}']);
        check(bad.code !== 0 && bad.stderr.includes('pods "nope" is forbidden: no PriorityClass with name no-such-class was found'), `unknown class refused: ${bad.code} ${bad.stderr}`);
      } finally { await ok(ctx, ['delete', 'priorityclass', pc]); }
    },
  },
];
