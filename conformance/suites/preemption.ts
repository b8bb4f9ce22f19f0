// Scheduler preemption driven by real kubectl: a node of the case's own (4 cpu, tainted so other
// cases stay off it) filled by pods of a low PriorityClass; a pod of a high class evicts just
// enough of them (kubectl get events shows Preempted) and runs there; a class with
// preemptionPolicy Never evicts nothing and says so in kubectl describe.
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';
import { ok } from './kubectl.ts';
import { addNodes, describeShows, podNodes, podYaml, removeNodes } from './scheduling.ts';

const cpuPod = (ctx: CaseContext, name: string, pc: string, cpu: string) =>
  podYaml(ctx, name, { app: name.replace(/-\d+$/, '') }, `  priorityClassName: ${pc}\n  containers: [{name: c, image: nginx, resources: {requests: {cpu: '${cpu}'}}}]\n`)
    .replace('  containers: [{name: c, image: nginx}]\n', '');

async function withClasses(ctx: CaseContext, run: (low: string, high: string, never: string) => Promise<void>): Promise<void> {
  const base = `pc-${ctx.ns}`.slice(0, 50);
  const [low, high, never] = [`${base}-low`, `${base}-high`, `${base}-never`];
  await ok(ctx, ['create', 'priorityclass', low, '--value=100']);
  await ok(ctx, ['create', 'priorityclass', high, '--value=10000']);
  await ok(ctx, ['create', 'priorityclass', never, '--value=10000', '--preemption-policy=Never']);
  try { await run(low, high, never); } finally { await ok(ctx, ['delete', 'priorityclass', low, high, never]); }
}

const phases = async (ctx: CaseContext) => {
  const out = await ok(ctx, ['get', 'pods', '-n', ctx.ns, '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,PHASE:.status.phase,DELETING:.metadata.deletionTimestamp']);
  return new Map(out.trim().split('\n').filter(Boolean).map((l) => { const f = l.trim().split(/\s+/); return [f[0], f[2] === '<none>' ? f[1] : 'Terminating'] as const; }));
};

export const preemptionCases: Case[] = [
  {
    behavior: 'scheduling.preemption', name: 'preempt-low-priority',
    timeoutMs: 60_000,
    async run(ctx) {
      const [node] = await addNodes(ctx, ['z1']);
      try {
        await withClasses(ctx, async (low, high) => {
          const lows = ['low-0', 'low-1', 'low-2', 'low-3'];
          await ok(ctx, ['apply', '-f', '-'], { input: lows.map((n) => cpuPod(ctx, n, low, '1')).join('') });
          await waitFor('4 low pods running', async () => {
            const p = await phases(ctx);
            return lows.every((n) => p.get(n) === 'Running') ? p : undefined;
          }, { signal: ctx.signal });
          await ok(ctx, ['apply', '-f', '-'], { input: cpuPod(ctx, 'high', high, '2') });
          await waitFor('high running on the node', async () => {
            const [m, p] = [await podNodes(ctx), await phases(ctx)];
            return m.get('high') === node && p.get('high') === 'Running' ? true : undefined;
          }, { signal: ctx.signal });
          const uid = (await ok(ctx, ['get', 'pod', 'high', '-n', ctx.ns, '-o', 'jsonpath={.metadata.uid}'])).trim();
          const ev = await waitFor('two Preempted events', async () => {
            const out = await ok(ctx, ['get', 'events', '-n', ctx.ns, '--field-selector', 'reason=Preempted', '--no-headers', '-o', 'custom-columns=OBJ:.involvedObject.name,MSG:.message']);
            const lines = out.trim().split('\n').filter(Boolean);
            return lines.length === 2 ? lines : undefined;
          }, { signal: ctx.signal });
          for (const l of ev) check(l.includes(`Preempted by pod ${uid} on node ${node}`), `Preempted event message: ${l}`);
          const victims = ev.map((l) => l.trim().split(/\s+/)[0]).sort();
          const left = await waitFor('victims gone', async () => {
            const p = await phases(ctx);
            return victims.every((v) => !p.has(v)) ? p : undefined;
          }, { signal: ctx.signal });
          check(lows.filter((n) => left.get(n) === 'Running').length === 2, `two low pods still run: ${JSON.stringify([...left])}`);
          const d = await ok(ctx, ['describe', 'pod', 'high', '-n', ctx.ns]);
          check(d.includes('FailedScheduling') && d.includes('0/') && d.includes('Insufficient cpu') && d.includes(`Successfully assigned ${ctx.ns}/high to ${node}`), `describe high: ${d.slice(-800)}`);
        });
      } finally { await removeNodes(ctx, [node]); }
    },
  },
  {
    behavior: 'scheduling.preemption-never', name: 'preemption-policy-never',
    timeoutMs: 60_000,
    async run(ctx) {
      const [node] = await addNodes(ctx, ['z1']);
      try {
        await withClasses(ctx, async (low, _high, never) => {
          await ok(ctx, ['apply', '-f', '-'], { input: cpuPod(ctx, 'low-0', low, '3') });
          await waitFor('low-0 running', async () => ((await phases(ctx)).get('low-0') === 'Running' ? true : undefined), { signal: ctx.signal });
          await ok(ctx, ['apply', '-f', '-'], { input: cpuPod(ctx, 'polite', never, '2') + cpuPod(ctx, 'peer', low, '2') });
          await describeShows(ctx, 'polite', 'preemption: not eligible due to preemptionPolicy=Never.');
          await describeShows(ctx, 'peer', 'preemption: 0/');
          const d = await ok(ctx, ['describe', 'pod', 'peer', '-n', ctx.ns]);
          check(d.includes('No preemption victims found for incoming pod'), `peer's message names no victims: ${d.slice(-600)}`);
          const p = await phases(ctx);
          check(p.get('low-0') === 'Running' && p.get('polite') === 'Pending' && p.get('peer') === 'Pending', `nothing preempted: ${JSON.stringify([...p])}`);
        });
      } finally { await removeNodes(ctx, [node]); }
    },
  },
];
