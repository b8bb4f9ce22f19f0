// core/v1 Events with real kubectl: a watch on events sees a new pod's kubelet events (Started last) as
// they are written, and a later list returns the same Events. Events keep no parsed copy in the server (each
// read parses the stored bytes), so these cases cover both read paths over that storage.
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile, StreamingProcess, waitFor } from '../lib.ts';
import { kubectlTool } from './kubectl.ts';

const base = (ctx: CaseContext) => {
  const t = kubectlTool();
  return { bin: t.bin, args: ['--kubeconfig', ctx.cluster.kubeconfigPath, '--cache-dir', t.cacheDir, '--request-timeout=30s'] };
};

async function ok(ctx: CaseContext, args: string[]): Promise<string> {
  const b = base(ctx);
  const r: ExecResult = await execFile(b.bin, [...b.args, ...args], { timeoutMs: 40_000, signal: ctx.signal });
  check(r.code === 0, `kubectl ${args.join(' ')}: exit=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 600))} stderr=${JSON.stringify(r.stderr.slice(0, 600))}`);
  return r.stdout;
}

const COLUMNS = 'custom-columns=REASON:.reason,OBJECT:.involvedObject.name,COUNT:.count,RV:.metadata.resourceVersion';

export const eventCases: Case[] = [
  {
    behavior: 'events.watch-and-list', name: 'events-watch-list', core: true,
    async run(ctx) {
      const b = base(ctx);
      const w = new StreamingProcess(b.bin, [...b.args, 'get', 'events', '-n', ctx.ns, '-w', '--watch-only', '-o', COLUMNS]);
      try {
        await ok(ctx, ['run', 'ev', '-n', ctx.ns, '--image=nginx:1.27']);
        // The watch may be established after the first events (Scheduled) were written; Started is last.
        await w.waitStdout('the Started event of pod ev', (o) => /Started\s+ev\s+1\s+\d+/.test(o), 30_000);
      } finally { w.kill(); }
      const watched = w.stdout.split('\n').filter((l) => /^\S+\s+ev\s+\d+\s+\d+$/.test(l.trim())).map((l) => l.trim().split(/\s+/));
      const listed = await waitFor('the listed events', async () => {
        const items = JSON.parse(await ok(ctx, ['get', 'events', '-n', ctx.ns, '-o', 'json'])).items as any[];
        return items.some((e) => e.reason === 'Started') ? items : undefined;
      }, { timeoutMs: 20_000 });
      for (const [reason, , , rv] of watched) {
        const e = listed.find((x) => x.reason === reason && x.metadata.resourceVersion === rv);
        check(e, `watched ${reason} at resourceVersion ${rv} is not in the list: ${JSON.stringify(listed.map((x) => [x.reason, x.metadata.resourceVersion]))}`);
        check(e.involvedObject.kind === 'Pod' && e.involvedObject.name === 'ev' && e.type === 'Normal', `event ${reason}: ${JSON.stringify(e)}`);
      }
      const started = listed.find((x) => x.reason === 'Started');
      const one = JSON.parse(await ok(ctx, ['get', 'event', started.metadata.name, '-n', ctx.ns, '-o', 'json']));
      check(one.metadata.uid === started.metadata.uid && one.message === started.message && one.metadata.resourceVersion === started.metadata.resourceVersion,
        `get event ${started.metadata.name}: ${JSON.stringify(one)} vs listed ${JSON.stringify(started)}`);
    },
    timeoutMs: 90_000,
  },
];
