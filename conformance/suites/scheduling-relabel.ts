// Scheduling after the cluster changes under placed pods, driven by real kubectl: `kubectl label`
// on a placed pod or on a node must change where inter-pod affinity and topology spread let the
// next pod go (the scheduler keeps counts of placed pods per topology domain between attempts, and
// these cases would catch counts that go stale). Nodes are the case's own, as in scheduling.ts.
import type { Case } from '../lib.ts';
import { check, waitFor } from '../lib.ts';
import { ok } from './kubectl.ts';
import { addNodes, describeShows, podNodes, podYaml, removeNodes } from './scheduling.ts';

const ZONE = 'topology.kubernetes.io/zone';
const pinTo = (node: string) => `  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${node}]}]}]
`;

export const schedulingRelabelCases: Case[] = [
  {
    behavior: 'scheduling.affinity-follows-relabels', name: 'affinity-follows-relabels',
    async run(ctx) {
      const nodes = await addNodes(ctx, ['z1', 'z1', 'z2']);
      try {
        await ok(ctx, ['apply', '-f', '-'], { input: podYaml(ctx, 'db', { app: 'db' }, pinTo(nodes[0])) });
        await waitFor('db placed', async () => (await podNodes(ctx)).get('db') === nodes[0], { signal: ctx.signal });
        // The node moves to a zone of its own: pods that must share db's zone can only join it there.
        await ok(ctx, ['label', 'node', nodes[0], `${ZONE}=z3`, '--overwrite']);
        const affine = `  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - labelSelector: {matchLabels: {app: db}}
        topologyKey: ${ZONE}
`;
        await ok(ctx, ['apply', '-f', '-'], { input: ['cache-0', 'cache-1'].map((n) => podYaml(ctx, n, { app: 'cache' }, affine)).join('') });
        const placed = await waitFor('cache pods placed', async () => {
          const m = await podNodes(ctx);
          return ['cache-0', 'cache-1'].every((n) => nodes.includes(m.get(n) ?? '')) ? m : undefined;
        }, { signal: ctx.signal });
        check(placed.get('cache-0') === nodes[0] && placed.get('cache-1') === nodes[0], `cache pods follow db into z3 on ${nodes[0]}: ${JSON.stringify([...placed])}`);
        // db relabelled out of the selector: nothing to follow any more.
        await ok(ctx, ['label', 'pod', 'db', '-n', ctx.ns, 'app=retired', '--overwrite']);
        await ok(ctx, ['apply', '-f', '-'], { input: podYaml(ctx, 'cache-2', { app: 'cache' }, affine) });
        await describeShows(ctx, 'cache-2', "3 node(s) didn't match pod affinity rules");
        // Relabelled back, it is followed again.
        await ok(ctx, ['label', 'pod', 'db', '-n', ctx.ns, 'app=db', '--overwrite']);
        await waitFor('cache-2 placed with db', async () => (await podNodes(ctx)).get('cache-2') === nodes[0], { signal: ctx.signal });
      } finally { await removeNodes(ctx, nodes); }
    },
  },
  {
    behavior: 'scheduling.spread-follows-relabels', name: 'spread-follows-relabels',
    async run(ctx) {
      const nodes = await addNodes(ctx, ['z1', 'z2', 'z3']);
      try {
        const spread = `  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: ${ZONE}
    whenUnsatisfiable: DoNotSchedule
    labelSelector: {matchLabels: {app: s}}
    nodeAffinityPolicy: Ignore
`;
        await ok(ctx, ['apply', '-f', '-'], { input: nodes.map((n, i) => podYaml(ctx, `s-${i}`, { app: 's' }, spread + pinTo(n))).join('') });
        await waitFor('one pod per zone', async () => {
          const m = await podNodes(ctx);
          return nodes.every((n, i) => m.get(`s-${i}`) === n) ? m : undefined;
        }, { signal: ctx.signal });
        // s-0 leaves the selector: z1 counts 0, so one more in z2 would make the skew 2.
        await ok(ctx, ['label', 'pod', 's-0', '-n', ctx.ns, 'app=gone', '--overwrite']);
        await ok(ctx, ['apply', '-f', '-'], { input: podYaml(ctx, 's-extra', { app: 's' }, spread + pinTo(nodes[1])) });
        await describeShows(ctx, 's-extra', "1 node(s) didn't match pod topology spread constraints");
        // Back in the selector: z1 counts 1 again and s-extra fits in z2 (2 - 1 = 1).
        await ok(ctx, ['label', 'pod', 's-0', '-n', ctx.ns, 'app=s', '--overwrite']);
        await waitFor('s-extra placed in z2', async () => (await podNodes(ctx)).get('s-extra') === nodes[1], { signal: ctx.signal });
      } finally { await removeNodes(ctx, nodes); }
    },
  },
];
