// Simulated pod lifecycle seen through real kubectl: a crash-looping pod's STATUS and RESTARTS,
// the kubelet events in `kubectl describe pod`, `kubectl logs --previous`, an image pull failure,
// and a run-to-completion pod reaching Succeeded.
import type { Case } from '../lib.ts';
import { StreamingProcess, check, waitFor } from '../lib.ts';
import { join } from 'node:path';
import { file, kubectl, ok, show } from './kubectl.ts';

const podYaml = (name: string, ns: string, annotations: Record<string, string>, opts: { image?: string; restartPolicy?: string } = {}) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
  annotations:
${Object.entries(annotations).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}
spec:
  restartPolicy: ${opts.restartPolicy ?? 'Always'}
  containers:
  - name: app
    image: ${opts.image ?? 'busybox:1.36'}
`;

/** The STATUS and RESTARTS columns of `kubectl get pod NAME`. */
async function row(ctx: Parameters<Case['run']>[0], name: string): Promise<{ status: string; restarts: string }> {
  const out = await ok(ctx, ['get', 'pod', name, '-n', ctx.ns, '--no-headers']);
  const cols = out.trim().split(/\s+/);
  return { status: cols[2], restarts: cols[3] };
}

export const lifecycleCases: Case[] = [
  {
    behavior: 'lifecycle.crash-loop', name: 'crash-loop-describe-logs-previous',
    async run(ctx) {
      await ok(ctx, ['apply', '-f', file(ctx, 'crash.yaml', podYaml('crash', ctx.ns, {
        'skiff.dev/crash-loop': 'true', 'skiff.dev/run-seconds': '1', 'skiff.dev/exit-code': '2', 'skiff.dev/logs': 'starting\nfatal: no config\n',
      }))]);
      const r = await waitFor('CrashLoopBackOff in kubectl get', async () => {
        const x = await row(ctx, 'crash');
        return x.status === 'CrashLoopBackOff' && Number(x.restarts.split(' ')[0]) >= 1 ? x : undefined;
      }, { timeoutMs: 20_000, intervalMs: 300, signal: ctx.signal });
      check(/^1\b/.test(r.restarts), `RESTARTS ${r.restarts}`);
      const prev = await ok(ctx, ['logs', 'crash', '-n', ctx.ns, '--previous']);
      check(prev.includes('fatal: no config'), `logs --previous: ${JSON.stringify(prev)}`);
      const d = await ok(ctx, ['describe', 'pod', 'crash', '-n', ctx.ns]);
      for (const want of [/Last State:\s+Terminated/, /Exit Code:\s+2/, /Restart Count:\s+[1-9]/, /Reason:\s+CrashLoopBackOff/,
        // Pulling when the node lacks the image; once a pod has pulled it there, one Pulled "already present".
        /Normal\s+(Pulling\s+.*Pulling image "busybox:1.36"|Pulled\s+.*Container image "busybox:1.36" already present on machine)/, /Normal\s+Created\s+.*Created container: app/, /Normal\s+Started\s+.*Started container app/,
        /Warning\s+BackOff\s+.*Back-off restarting failed container app in pod crash_/]) {
        check(want.test(d), `describe lacks ${want}:\n${d.slice(-1500)}`);
      }
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'lifecycle.image-pull-failure', name: 'image-pull-backoff',
    async run(ctx) {
      await ok(ctx, ['apply', '-f', file(ctx, 'pull.yaml', podYaml('pull', ctx.ns, { 'skiff.dev/image-pull-error': 'true' }, { image: 'example.invalid/nope:1' }))]);
      await waitFor('ErrImagePull or ImagePullBackOff', async () => /^(ErrImagePull|ImagePullBackOff)$/.test((await row(ctx, 'pull')).status),
        { timeoutMs: 20_000, intervalMs: 300, signal: ctx.signal });
      const d = await ok(ctx, ['describe', 'pod', 'pull', '-n', ctx.ns]);
      check(/Warning\s+Failed\s+.*Failed to pull image "example.invalid\/nope:1"/.test(d), `describe lacks Failed:\n${d.slice(-1500)}`);
      check(/Warning\s+Failed\s+.*Error: ErrImagePull/.test(d), `describe lacks Error: ErrImagePull:\n${d.slice(-1500)}`);
      const o = JSON.parse(await ok(ctx, ['get', 'pod', 'pull', '-n', ctx.ns, '-o', 'json']));
      check(o.status.phase === 'Pending', `phase ${o.status.phase}`);
    },
    timeoutMs: 60_000,
  },
  {
    // Two pods bound straight to one node (spec.nodeName) asking for the same hostPort: the kubelet
    // admits the first and refuses the second, as upstream's kubelet admission does.
    behavior: 'lifecycle.host-port-conflict', name: 'host-port-refused',
    async run(ctx) {
      const node = (await ok(ctx, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ctx.ns}}\nspec:\n  nodeName: ${node}\n  containers:\n  - {name: web, image: nginx:1.27, ports: [{containerPort: 80, hostPort: 28080}]}\n`;
      await ok(ctx, ['apply', '-f', file(ctx, 'first.yaml', pod('first'))]);
      await waitFor('first Running', async () => (await row(ctx, 'first')).status === 'Running', { timeoutMs: 20_000, intervalMs: 300, signal: ctx.signal });
      await ok(ctx, ['apply', '-f', file(ctx, 'second.yaml', pod('second'))]);
      await waitFor('second refused', async () => (await row(ctx, 'second')).status === 'NodePorts', { timeoutMs: 20_000, intervalMs: 300, signal: ctx.signal });
      const o = JSON.parse(await ok(ctx, ['get', 'pod', 'second', '-n', ctx.ns, '-o', 'json']));
      check(o.status.phase === 'Failed' && o.status.message === "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports", `status: ${JSON.stringify(o.status)}`);
      const d = await ok(ctx, ['describe', 'pod', 'second', '-n', ctx.ns]);
      check(/Warning\s+NodePorts\s+.*kubelet\s+Predicate NodePorts failed: node\(s\) didn't have free ports for the requested pod ports/.test(d), `describe lacks the NodePorts event:\n${d.slice(-1500)}`);
      check((await row(ctx, 'first')).status === 'Running', 'first keeps running');
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'lifecycle.image-present', name: 'image-already-present',
    async run(ctx) {
      const node = (await ok(ctx, ['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      const pod = (name: string, policy: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ctx.ns}}\nspec:\n  nodeName: ${node}\n  containers:\n  - {name: web, image: nginx:1.27, imagePullPolicy: ${policy}}\n`;
      const running = (name: string) => waitFor(`${name} Running`, async () => (await row(ctx, name)).status === 'Running', { timeoutMs: 20_000, intervalMs: 300, signal: ctx.signal });
      await ok(ctx, ['apply', '-f', file(ctx, 'first.yaml', pod('first', 'IfNotPresent'))]);
      await running('first');
      // The node holds nginx:1.27 now (pulled by this pod, or by an earlier one).
      await ok(ctx, ['apply', '-f', file(ctx, 'second.yaml', pod('second', 'IfNotPresent'))]);
      await running('second');
      const second = await ok(ctx, ['describe', 'pod', 'second', '-n', ctx.ns]);
      check(/Normal\s+Pulled\s+.*kubelet\s+Container image "nginx:1.27" already present on machine/.test(second), `describe second lacks "already present":\n${second.slice(-1500)}`);
      check(!/Pulling/.test(second), `second was pulled again:\n${second.slice(-1500)}`);
      // Policy Always pulls whatever the node holds.
      await ok(ctx, ['apply', '-f', file(ctx, 'always.yaml', pod('always', 'Always'))]);
      await running('always');
      const always = await ok(ctx, ['describe', 'pod', 'always', '-n', ctx.ns]);
      check(/Normal\s+Pulling\s+.*Pulling image "nginx:1.27"/.test(always) && /Normal\s+Pulled\s+.*Successfully pulled image "nginx:1.27"/.test(always), `describe always lacks Pulling/Successfully pulled:\n${always.slice(-1500)}`);
      check(!/already present/.test(always), `always was not pulled:\n${always.slice(-1500)}`);
    },
    timeoutMs: 60_000,
  },
  {
    // spec.readinessGates: Running with its containers ready, the pod stays unready (READINESS GATES 0/1)
    // until a client sets the gate's condition through pods/status (a strategic merge by condition type).
    behavior: 'lifecycle.readiness-gates', name: 'readiness-gate-patch-status',
    async run(ctx) {
      const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: gated, namespace: ${ctx.ns}}\nspec:\n  readinessGates: [{conditionType: example.com/lb}]\n  containers:\n  - {name: web, image: nginx:1.27}\n`;
      await ok(ctx, ['apply', '-f', file(ctx, 'gated.yaml', pod)]);
      const conds = async () => (JSON.parse(await ok(ctx, ['get', 'pod', 'gated', '-n', ctx.ns, '-o', 'json'])).status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[];
      const ready = await waitFor('containers ready', async () => { const c = await conds(); return c.find((x) => x.type === 'ContainersReady')?.status === 'True' ? c.find((x) => x.type === 'Ready') : undefined; },
        { timeoutMs: 20_000, intervalMs: 300, signal: ctx.signal });
      check(ready?.status === 'False' && ready.reason === 'ReadinessGatesNotReady' && ready.message === 'corresponding condition of pod readiness gate "example.com/lb" does not exist.', `Ready: ${JSON.stringify(ready)}`);
      const wide = async () => (await ok(ctx, ['get', 'pod', 'gated', '-n', ctx.ns, '-o', 'wide', '--no-headers'])).trim().split(/\s+/);
      let cols = await wide();
      // READY counts ready containers (1/1 as upstream); READINESS GATES counts met gates.
      check(cols[1] === '1/1' && cols.at(-1) === '0/1', `READY and READINESS GATES: ${cols.join(' ')}`);
      await ok(ctx, ['patch', 'pod', 'gated', '-n', ctx.ns, '--subresource=status', '-p', '{"status":{"conditions":[{"type":"example.com/lb","status":"True"}]}}']);
      const w = await kubectl(ctx, ['wait', '--for=condition=Ready', 'pod/gated', '-n', ctx.ns, '--timeout=20s'], { timeoutMs: 30_000 });
      check(w.code === 0 && w.stdout.includes('pod/gated condition met'), `wait: ${show(w)}`);
      cols = await wide();
      check(cols[1] === '1/1' && cols.at(-1) === '1/1', `READY and READINESS GATES: ${cols.join(' ')}`);
      check((await conds()).some((x) => x.type === 'example.com/lb' && x.status === 'True'), 'the gate condition is kept');
      // Bad gates: not a qualified name (422, the field path), wrongly typed (400), and nothing stored.
      const bad = await kubectl(ctx, ['apply', '-f', file(ctx, 'bad.yaml', pod.replace('name: gated', 'name: bad-gate').replace('example.com/lb', '"bad type!"'))]);
      check(bad.code !== 0 && /spec\.readinessGates\[0\]\.conditionType: Invalid value: "bad type!"/.test(bad.stderr), `apply of a bad gate: ${show(bad)}`);
      const typed = await kubectl(ctx, ['create', '--raw', `/api/v1/namespaces/${ctx.ns}/pods`, '-f', file(ctx, 'typed.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'typed-gate' }, spec: { readinessGates: [{ conditionType: 5 }], containers: [{ name: 'web', image: 'nginx:1.27' }] } }))]);
      check(typed.code !== 0 && /cannot unmarshal number into Go struct field PodReadinessGate\.spec\.readinessGates\.conditionType/.test(typed.stderr), `create of a wrongly typed gate: ${show(typed)}`);
      const left = await ok(ctx, ['get', 'pods', '-n', ctx.ns, '-o', 'name']);
      check(!/bad-gate|typed-gate/.test(left), `refused pods were stored: ${left}`);
    },
    timeoutMs: 60_000,
  },
  {
    behavior: 'lifecycle.run-to-completion', name: 'wait-succeeded',
    async run(ctx) {
      await ok(ctx, ['apply', '-f', file(ctx, 'job.yaml', podYaml('once', ctx.ns, { 'skiff.dev/run-seconds': '1' }, { restartPolicy: 'Never' }))]);
      const w = await kubectl(ctx, ['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/once', '-n', ctx.ns, '--timeout=30s'], { timeoutMs: 40_000 });
      check(w.code === 0 && w.stdout.includes('pod/once condition met'), `wait: ${show(w)}`);
      const x = await row(ctx, 'once');
      check(x.status === 'Completed', `STATUS ${x.status}`);
    },
    timeoutMs: 60_000,
  },
  {
    // Its own server, started by the real CLI with --stages: a stage file (extends: default) that
    // fails annotated pods after 3 s with a custom event, while other pods keep the default lifecycle.
    behavior: 'lifecycle.stages-file', name: 'stages-file-custom-stage',
    async run(ctx) {
      const stages = file(ctx, 'stages.yaml', `extends: default
stages:
  - name: fail-marked
    selector: {bound: true, annotations: {conformance.skiff.dev/mark: "fail"}, notPhase: [Failed]}
    delay: {seconds: 3}
    action: {patch: {phase: Failed, reason: Marked, message: "failed by the stage file at {{now}}"}}
    events: [{type: Warning, reason: Marked, message: "{{pod}} marked on {{node}}", scope: pod}]
`);
      const bin = join(import.meta.dirname, '..', '..', 'bin', 'skiff.js');
      const srv = new StreamingProcess(process.execPath, [bin, 'serve', '--in-memory', '--port', '0', '--data-dir', join(ctx.tmp, 'skiff'), '--stages', stages]);
      try {
        await srv.waitStdout('skiff ready', (o) => /kubeconfig: \S+\n/.test(o), 30_000);
        const kubeconfig = /kubeconfig: (\S+)\n/.exec(srv.stdout)![1];
        const k = async (args: string[]) => { const r = await kubectl(ctx, args, { kubeconfig }); check(r.code === 0, `kubectl ${args.join(' ')}: ${show(r)}`); return r.stdout; };
        await k(['apply', '-f', file(ctx, 'pods.yaml', `${podYaml('marked', 'default', { 'conformance.skiff.dev/mark': 'fail' })}---\n${podYaml('plain', 'default', { 'skiff.dev/start-seconds': '1' })}`)]);
        const w = await kubectl(ctx, ['wait', '--for=jsonpath={.status.phase}=Failed', 'pod/marked', '--timeout=30s'], { kubeconfig, timeoutMs: 40_000 });
        check(w.code === 0, `wait Failed: ${show(w)}`);
        const st = JSON.parse(await k(['get', 'pod', 'marked', '-o', 'json'])).status;
        check(st.reason === 'Marked' && /^failed by the stage file at \d{4}-/.test(st.message), `status ${JSON.stringify(st)}`);
        check(!st.containerStatuses && !st.startTime, `the default stages did not run for it: ${JSON.stringify(st)}`);
        const row = (await k(['get', 'pod', 'marked', '--no-headers'])).trim().split(/\s+/);
        check(row[2] === 'Marked', `STATUS column ${row[2]}`);
        const ev = JSON.parse(await k(['get', 'events', '-o', 'json'])).items.filter((e: any) => e.involvedObject?.name === 'marked');
        check(ev.some((e: any) => e.type === 'Warning' && e.reason === 'Marked' && /^marked marked on \S+$/.test(e.message)), `events ${JSON.stringify(ev.map((e: any) => e.message))}`);
        const r = await kubectl(ctx, ['wait', '--for=condition=Ready', 'pod/plain', '--timeout=30s'], { kubeconfig, timeoutMs: 40_000 });
        check(r.code === 0, `plain pod Ready (default stages): ${show(r)}`);
      } finally {
        srv.child.kill('SIGTERM');
      }
    },
    timeoutMs: 90_000,
  },
];
