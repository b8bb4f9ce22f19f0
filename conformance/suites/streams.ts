// Streaming over SPDY/3.1: kubectl exec with the SPDY-only kubectl releases, and kubectl
// port-forward over SPDY (<= 1.30) and over the WebSocket tunnel (1.31+), each checked end to end
// through a real forwarded local port.
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { delimiter, dirname, join } from 'node:path';
import type { Case, CaseContext, ExecResult } from '../lib.ts';
import { check, execFile, StreamingProcess } from '../lib.ts';

/** The versioned kubectl binaries sit beside the dispatcher on PATH. */
function kubectlBin(minor: number): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'kubectl');
    if (d && existsSync(p)) {
      const bin = join(dirname(realpathSync(p)), `kubectl.1.${minor}`);
      return existsSync(bin) ? bin : undefined;
    }
  }
  return undefined;
}

function need(minor: number): string {
  const bin = kubectlBin(minor);
  check(bin, `kubectl.1.${minor} not found beside kubectl on PATH`);
  return bin;
}

const base = (ctx: CaseContext) => ['--kubeconfig', ctx.cluster.kubeconfigPath, '--request-timeout=30s', '-n', ctx.ns];
const show = (r: ExecResult) => `exit=${r.code} stdout=${JSON.stringify(r.stdout.slice(0, 400))} stderr=${JSON.stringify(r.stderr.slice(0, 600))}`;

async function k(ctx: CaseContext, bin: string, args: string[], input?: string): Promise<ExecResult> {
  return execFile(bin, [...base(ctx), ...args], { input, timeoutMs: 40_000, signal: ctx.signal });
}

async function ok(ctx: CaseContext, bin: string, args: string[], input?: string): Promise<string> {
  const r = await k(ctx, bin, args, input);
  check(r.code === 0, `kubectl ${args.join(' ')}: ${show(r)}`);
  return r.stdout;
}

const podYaml = (name: string, ns: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports: [{containerPort: 80}]
`;

async function runningPod(ctx: CaseContext, bin: string, name: string): Promise<void> {
  await ok(ctx, bin, ['apply', '-f', '-'], podYaml(name, ctx.ns));
  await ok(ctx, bin, ['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=30s']);
}

function execCase(minor: number): Case {
  return {
    behavior: 'streams.exec-spdy', name: `exec-spdy-1.${minor}`,
    async run(ctx) {
      const bin = need(minor);
      await runningPod(ctx, bin, 'ex');
      const out = await ok(ctx, bin, ['exec', 'ex', '--', 'sh', '-c', 'echo to-stdout; echo to-stderr >&2']);
      check(out === 'to-stdout\n', `stdout: ${JSON.stringify(out)}`);
      const both = await k(ctx, bin, ['exec', 'ex', '--', 'sh', '-c', 'echo to-stderr >&2']);
      check(both.code === 0 && both.stderr.includes('to-stderr') && both.stdout === '', `stderr stream: ${show(both)}`);
      const cat = await ok(ctx, bin, ['exec', '-i', 'ex', '--', 'cat'], 'line one\nline two\n');
      check(cat === 'line one\nline two\n', `stdin echoed by cat: ${JSON.stringify(cat)}`);
      const wc = await ok(ctx, bin, ['exec', '-i', 'ex', '--', 'wc', '-l'], 'a\nb\nc\n');
      check(wc.trim() === '3', `wc -l over stdin: ${JSON.stringify(wc)}`);
      // Far beyond SPDY's 64 KiB initial window, in both directions.
      const big = await ok(ctx, bin, ['exec', 'ex', '--', 'seq', '1', '60000']);
      check(big.length === 348_894 && big.endsWith('\n60000\n'), `large stdout: ${big.length} bytes, ends ${JSON.stringify(big.slice(-20))}`);
      const bigIn = await ok(ctx, bin, ['exec', '-i', 'ex', '--', 'wc', '-c'], 'x'.repeat(300_000));
      check(bigIn.trim() === '300000', `large stdin: wc -c said ${JSON.stringify(bigIn)}`);
      // kubectl cp into a pod is tar over exec stdin (both directions: conformance/suites/cp.ts).
      writeFileSync(join(ctx.tmp, 'note.txt'), 'copied over SPDY\n');
      await ok(ctx, bin, ['cp', join(ctx.tmp, 'note.txt'), 'ex:/tmp/note.txt']);
      check(await ok(ctx, bin, ['exec', 'ex', '--', 'cat', '/tmp/note.txt']) === 'copied over SPDY\n', 'kubectl cp into the pod');
      const bad = await k(ctx, bin, ['exec', 'ex', '--', 'sh', '-c', 'exit 7']);
      check(bad.code === 7, `non-zero exit propagated: ${show(bad)}`);
      const missing = await k(ctx, bin, ['exec', 'ex', '--', 'no-such-binary']);
      check(missing.code !== 0 && /executable file not found/.test(missing.stderr), `missing binary: ${show(missing)}`);
    },
    timeoutMs: 90_000,
  };
}

function get(port: number, path = '/'): Promise<{ status?: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ body: '', error: e.message }));
    req.end();
  });
}

function portForwardCase(minor: number, transport: string): Case {
  return {
    behavior: 'streams.port-forward', name: `port-forward-1.${minor}`,
    async run(ctx) {
      const bin = need(minor);
      await runningPod(ctx, bin, 'pf');
      // Local port 0: kubectl picks a free one and prints it, so parallel cases never collide.
      const pf = new StreamingProcess(bin, [...base(ctx), 'port-forward', 'pod/pf', ':80', ':81', '-v=7']);
      try {
        await pf.waitStdout('forwarding lines', (o) => (o.match(/Forwarding from 127\.0\.0\.1:\d+ -> 8[01]/g) ?? []).length >= 2);
        const local = (remote: number) => Number(new RegExp(`127\\.0\\.0\\.1:(\\d+) -> ${remote}`).exec(pf.stdout)![1]);
        // The pod runs the emulated nginx (src/images/web/nginx.ts): its welcome page, and its 404.
        const r = await get(local(80), '/');
        check(r.status === 200 && r.body.includes('<h1>Welcome to nginx!</h1>'), `GET / through :80 (${transport}): ${JSON.stringify(r)}`);
        const again = await get(local(80), '/hello');
        check(again.status === 404 && again.body.includes('404 Not Found'), `second connection through the same forward: ${JSON.stringify(again)}`);
        const refused = await get(local(81));
        check(refused.status === undefined, `port 81 is not declared, yet answered: ${JSON.stringify(refused)}`);
        const deadline = Date.now() + 10_000;
        while (!pf.stderr.includes('failed to connect to localhost:81 inside namespace') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
        check(pf.stderr.includes('error forwarding port 81 to pod') && pf.stderr.includes('connect: connection refused'), `kubectl's report for port 81: ${JSON.stringify(pf.stderr.slice(-800))}`);
        // kubectl 1.31+ silently falls back to SPDY when the tunnel upgrade fails; -v=7 logs that.
        const fell = /fallback to secondary dialer[^\n]*/.exec(pf.stderr);
        check(minor < 31 || !fell, `kubectl ${minor} did not use the WebSocket tunnel: ${fell?.[0]}`);
      } finally { pf.kill(); }
    },
    timeoutMs: 90_000,
  };
}

export const streamCases: Case[] = [
  execCase(27), execCase(29),
  portForwardCase(27, 'SPDY'), portForwardCase(30, 'SPDY'), portForwardCase(32, 'WebSocket tunnel'),
];
