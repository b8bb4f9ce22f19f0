// Containers that run their commands (issue #18), driven by kubectl: logs of a busybox loop
// (also followed), `kubectl exec cat` and `ls -la` of a configMap volume (the atomic writer's ..data
// layout, swapped on update), a liveness probe failing by exec,
// and a busybox pod's exit code.
import type { Case } from '../lib.ts';
import { check } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, f: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await sleep(250); }
  throw new Error(`timed out waiting for ${what}`);
}
const podJson = async (ctx: Parameters<Case['run']>[0], name: string) => JSON.parse(await ok(ctx, ['get', 'pod', name, '-n', ctx.ns, '-o', 'json']));

export const containerCases: Case[] = [
  {
    behavior: 'containers.logs-loop', name: 'containers-logs-loop', core: true,
    async run(ctx) {
      await ok(ctx, ['run', 'loop', '-n', ctx.ns, '--image=busybox:1.36', '--', 'sh', '-c', 'i=0; while true; do echo "line $i"; i=$((i+1)); sleep 1; done']);
      await ok(ctx, ['wait', '--for=condition=Ready', 'pod/loop', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      await until('three lines', async () => (await kubectl(ctx, ['logs', 'loop', '-n', ctx.ns])).stdout.split('\n').length > 3);
      const logs = await ok(ctx, ['logs', 'loop', '-n', ctx.ns]);
      check(/^line 0\nline 1\nline 2\n/.test(logs), `logs: ${JSON.stringify(logs.slice(0, 200))}`);
      const tail = await ok(ctx, ['logs', 'loop', '-n', ctx.ns, '--tail=1', '--timestamps']);
      check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line \d+\n$/.test(tail), `--tail=1 --timestamps: ${JSON.stringify(tail)}`);
      const f = await kubectl(ctx, ['logs', '-f', 'loop', '-n', ctx.ns], { timeoutMs: 3_500 });
      check(/line 0\n[\s\S]*line \d+\n/.test(f.stdout), `logs -f: ${JSON.stringify(f.stdout.slice(-200))}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'containers.exit-code', name: 'containers-exit-code', core: true,
    async run(ctx) {
      await ok(ctx, ['run', 'ex', '-n', ctx.ns, '--restart=Never', '--image=busybox:1.36', '--', 'sh', '-c', 'echo hello; exit 3']);
      await until('Failed', async () => (await podJson(ctx, 'ex')).status?.phase === 'Failed');
      const t = (await podJson(ctx, 'ex')).status.containerStatuses[0].state.terminated;
      check(t.exitCode === 3 && t.reason === 'Error', `terminated: ${JSON.stringify(t)}`);
      check((await ok(ctx, ['logs', 'ex', '-n', ctx.ns])) === 'hello\n', 'logs of the finished pod');
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'containers.exec-configmap-volume', name: 'containers-exec-cat-configmap', core: true,
    async run(ctx) {
      await ok(ctx, ['create', 'configmap', 'site', '-n', ctx.ns, '--from-literal=index.html=<h1>skiff</h1>']);
      const y = `apiVersion: v1\nkind: Pod\nmetadata: {name: cm, namespace: ${ctx.ns}}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [sleep, "3600"]\n    volumeMounts: [{name: site, mountPath: /srv}]\n  volumes: [{name: site, configMap: {name: site, defaultMode: 0400}}]\n`;
      await ok(ctx, ['apply', '-f', '-'], { input: y });
      await ok(ctx, ['wait', '--for=condition=Ready', 'pod/cm', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      const cat = await ok(ctx, ['exec', 'cm', '-n', ctx.ns, '--', 'cat', '/srv/index.html']);
      check(cat === '<h1>skiff</h1>', `cat: ${JSON.stringify(cat)}`);
      // The kubelet's atomic-writer layout: ..data -> ..<timestamp>, each key a link through ..data.
      const lsla = await ok(ctx, ['exec', 'cm', '-n', ctx.ns, '--', 'ls', '-la', '/srv']);
      const version = /^lrwxrwxrwx .* \.\.data -> (\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+)$/m.exec(lsla)?.[1];
      check(!!version, `ls -la shows ..data -> ..<timestamp>: ${JSON.stringify(lsla)}`);
      check(/^lrwxrwxrwx .* index\.html -> \.\.data\/index\.html$/m.test(lsla), `ls -la shows index.html -> ..data/index.html: ${JSON.stringify(lsla)}`);
      check(new RegExp(`^drwxr-xr-x .* ${version!.replace(/\./g, '\\.')}$`, 'm').test(lsla), `ls -la shows the version directory: ${JSON.stringify(lsla)}`);
      const inside = await ok(ctx, ['exec', 'cm', '-n', ctx.ns, '--', 'ls', '-l', `/srv/${version}`]);
      check(/^-r-------- .* index\.html$/m.test(inside), `the file itself has defaultMode 0400: ${JSON.stringify(inside)}`);
      check((await ok(ctx, ['exec', 'cm', '-n', ctx.ns, '--', 'ls', '/srv'])).trim() === 'index.html', 'ls without -a shows only the keys');
      await ok(ctx, ['create', 'configmap', 'site', '-n', ctx.ns, '--from-literal=index.html=<h1>v2</h1>', '--dry-run=client', '-o', 'yaml']).then((y2) => ok(ctx, ['replace', '-f', '-'], { input: y2 }));
      await until('the update in the volume', async () => (await kubectl(ctx, ['exec', 'cm', '-n', ctx.ns, '--', 'cat', '/srv/index.html'])).stdout === '<h1>v2</h1>');
      const after = await ok(ctx, ['exec', 'cm', '-n', ctx.ns, '--', 'ls', '-a', '/srv']);
      const dirs = after.split(/\s+/).filter((n) => /^\.\.\d{4}_/.test(n));
      check(dirs.length === 1 && dirs[0] !== version, `the update swapped ..data to a new version and removed the old one: ${JSON.stringify(after)}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'containers.liveness-exec', name: 'containers-liveness-exec', core: true,
    async run(ctx) {
      const y = `apiVersion: v1\nkind: Pod\nmetadata: {name: live, namespace: ${ctx.ns}}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: [sh, -c, 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 600']\n    livenessProbe:\n      exec: {command: [cat, /tmp/healthy]}\n      initialDelaySeconds: 1\n      periodSeconds: 1\n      failureThreshold: 1\n  terminationGracePeriodSeconds: 1\n`;
      await ok(ctx, ['apply', '-f', '-'], { input: y });
      await until('a restart', async () => (await podJson(ctx, 'live')).status?.containerStatuses?.[0]?.restartCount >= 1, 40_000);
      const ev = await ok(ctx, ['get', 'events', '-n', ctx.ns, '--field-selector', 'involvedObject.name=live', '-o', 'json']);
      const msgs = JSON.parse(ev).items.map((e: any) => `${e.reason}: ${e.message}`);
      check(msgs.some((m: string) => m.startsWith('Unhealthy: Liveness probe failed: cat: /tmp/healthy: No such file or directory')), `events: ${msgs.join(' | ')}`);
      check(msgs.includes('Killing: Container c failed liveness probe, will be restarted'), `events: ${msgs.join(' | ')}`);
    },
    timeoutMs: 60_000,
  },
];
