// pods/exec and pods/attach over WebSocket (the channel.k8s.io family of subprotocols).
//
// A Node http server emits 'upgrade' for requests carrying `Upgrade: websocket` instead of calling
// the request handler, so the WebSocket side is `handleUpgrade`, which the server calls from
// `server.on('upgrade')`; `execHandler`/`attachHandler` answer plain (non-upgrade) requests with
// upstream's 400. Upgrades to SPDY/3.1 (kubectl <= 1.29, and newer kubectl's fallback) are handed
// to spdy-exec.ts after the same checks.
//
// Commands run in a simulated container: a bash interpreter (just-bash) on an in-memory
// filesystem kept per pod uid and container, so files written by one exec are seen by the next
// (tar, tail, printf and echo are partly Skiff's own: container-commands.ts).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Bash } from 'just-bash';

// just-bash costs ~100 ms to load: load it on the first exec, not at server start.
let justBash: typeof import('just-bash') | undefined;
async function loadJustBash(): Promise<typeof import('just-bash')> {
  return (justBash ??= await import('just-bash'));
}
import type { SubresourceHandler } from '../api/extensions.ts';
import { errors, StatusError, toStatus } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { KObject } from '../registry/strategy.ts';
import { boolParam, checkWebSocketHandshake, containerStatus, pickContainer, upgradeTarget, writeHttpError } from './common.ts';
export { writeHttpError } from './common.ts';
import { checkPathName } from '../api/request-info.ts';
import type { ContainerRef } from './common.ts';
import { serveSpdyExec } from './spdy-exec.ts';
import { handlePortForwardUpgrade } from './portforward.ts';
import { containerCommands } from './container-commands.ts';
import { byteExactScript } from './shell-output.ts';
import { apiObjectJson } from '../registry/wire-form.ts';
import { workerFor } from '../kubelet/containers/workers.ts';
import { newShell } from '../kubelet/containers/shell.ts';

/** Subprotocols we speak, most preferred first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io',
  'v4.base64.channel.k8s.io', 'base64.channel.k8s.io'];

const STDIN = 0, STDOUT = 1, STDERR = 2, ERROR = 3, RESIZE = 4, CLOSE = 255;

/** Plain HTTP exec/attach requests (no Upgrade header) get upstream's answer. */
export const execHandler: SubresourceHandler = async (s) => {
  if (s.info.verb !== 'get' && s.info.verb !== 'create') throw errors.methodNotSupported({ group: '', resource: `pods/${s.info.subresource}` }, s.info.verb);
  throw errors.badRequest('Upgrade request required');
};
export const attachHandler: SubresourceHandler = execHandler;

export interface ExecRequest {
  namespace: string; name: string; subresource: 'exec' | 'attach';
  command: string[]; container?: string;
  stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean;
}

const PATH_RE = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)\/?$/;

/** Parse an exec/attach URL; undefined when the path is not one. Bad parameters → StatusError. */
export function parseExecRequest(rawUrl: string): ExecRequest | undefined {
  const url = upgradeTarget(rawUrl);
  const m = PATH_RE.exec(url.pathname);
  if (!m) return undefined;
  checkPathName(m[2]);
  const q = url.searchParams;
  const r: ExecRequest = {
    namespace: m[1], name: m[2], subresource: m[3] as 'exec' | 'attach',
    command: q.getAll('command'), container: q.get('container') ?? undefined,
    stdin: boolParam(q, 'stdin') ?? false, stdout: boolParam(q, 'stdout') ?? false,
    stderr: boolParam(q, 'stderr') ?? false, tty: boolParam(q, 'tty') ?? false,
  };
  if (!r.stdin && !r.stdout && !r.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (r.tty && r.stderr) r.stderr = false; // a terminal merges stderr into stdout
  if (r.subresource === 'exec' && r.command.length === 0) throw errors.badRequest('you must specify at least 1 command');
  return r;
}

// ---------- the simulated container ----------

interface Sandbox { bash: Bash; env: Record<string, string>; cwd: string }
const SANDBOX_LIMIT = 256;
const sandboxes = new Map<string, Sandbox>(); // insertion order = LRU order

const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Variables the interpreter keeps for itself, which a container's `env` would not print. */
const SHELL_VARS = new Set(['IFS', 'OSTYPE', 'MACHTYPE', 'HOSTTYPE', 'PWD', 'OLDPWD', 'OPTIND', 'SHELLOPTS', 'BASHOPTS', '?', '#', '@', '*', '0', '$', '-', '_', 'PPID', 'UID', 'EUID', 'BASH_VERSION', 'SHLVL', 'RANDOM', 'LINENO', 'SECONDS']);

function envOf(pod: KObject, c: ContainerRef): Record<string, string> {
  const hostname = String((pod as any).spec?.hostname ?? pod.metadata?.name ?? 'localhost');
  const env: Record<string, string> = { PATH: BASE_PATH, HOSTNAME: hostname };
  for (const e of c.env ?? []) if (e && typeof e.name === 'string') env[e.name] = typeof e.value === 'string' ? e.value : '';
  env.HOME ??= '/root';
  return env;
}

/** A running container of the kubelet's runtime: exec shares its filesystem and environment. */
function runtimeRun(pod: KObject, c: ContainerRef) {
  const w = workerFor(pod.metadata?.uid);
  if (!w || w.pod.metadata.name !== pod.metadata?.name) return undefined;
  const run = w.slot(c.name, c.kind === 'init' ? 'init' : c.kind === 'ephemeral' ? 'ephemeral' : 'container')?.current;
  return run && !run.exit ? run : undefined;
}

async function sandboxFor(pod: KObject, c: ContainerRef): Promise<Sandbox> {
  const jb = await loadJustBash();
  const { Bash, defineCommand } = jb;
  const run = runtimeRun(pod, c);
  const key = run ? `run/${run.id}` : `${pod.metadata?.uid ?? ''}/${c.name}`;
  const hit = sandboxes.get(key);
  if (hit) { sandboxes.delete(key); sandboxes.set(key, hit); return hit; }
  if (run) {
    const hostname = String((pod as any).spec?.hostname ?? pod.metadata?.name ?? 'localhost');
    const sb: Sandbox = { bash: newShell(jb, { fs: run.fs, env: run.env, cwd: run.cwd, hostname, pod, container: c.name }), env: run.env, cwd: run.cwd };
    sandboxes.set(key, sb);
    while (sandboxes.size > SANDBOX_LIMIT) sandboxes.delete(sandboxes.keys().next().value!);
    return sb;
  }
  const env = envOf(pod, c);
  const st = (pod as any).status ?? {};
  const ns = String(pod.metadata?.namespace ?? 'default');
  const files: Record<string, string> = {
    '/etc/hostname': `${env.HOSTNAME}\n`,
    '/etc/hosts': `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${st.podIP ? `${st.podIP}\t${env.HOSTNAME}\n` : ''}`,
    '/etc/resolv.conf': `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
    '/etc/os-release': 'NAME="Skiff simulated container"\nID=skiff\nPRETTY_NAME="Skiff simulated container"\n',
    '/var/run/secrets/kubernetes.io/serviceaccount/namespace': ns,
    '/tmp/.keep': '', '/root/.keep': '', '/var/log/.keep': '',
  };
  // A container's `hostname` and `env` print its own identity, not the interpreter's.
  const hostnameCmd = defineCommand('hostname', async () => ({ stdout: `${env.HOSTNAME}\n`, stderr: '', exitCode: 0 }));
  const envCmd = defineCommand('env', async (args, ctx) => {
    if (args.length) return { stdout: '', stderr: 'env: running commands is not supported in this simulated container\n', exitCode: 125 };
    const vars: Record<string, string> = ctx.env instanceof Map ? Object.fromEntries(ctx.env as Map<string, string>) : { ...(ctx.env as Record<string, string>) };
    const lines = Object.entries(vars).filter(([k]) => !SHELL_VARS.has(k)).map(([k, v]) => `${k}=${v}\n`);
    return { stdout: lines.join(''), stderr: '', exitCode: 0 };
  });
  const bash = new Bash({
    files, env, cwd: '/', defenseInDepth: false, customCommands: [hostnameCmd, envCmd, ...containerCommands(jb)],
    executionLimits: { maxExecutionTimeMs: 30_000, maxOutputSize: 64 * 1024 * 1024 },
  });
  const sb: Sandbox = { bash, env, cwd: String((c as any).workingDir ?? '/') || '/' };
  sandboxes.set(key, sb);
  while (sandboxes.size > SANDBOX_LIMIT) sandboxes.delete(sandboxes.keys().next().value!);
  return sb;
}

export interface RunResult { stdout: Buffer; stderr: Buffer; exitCode: number; notFound?: boolean }

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
let runSeq = 0;

/** Whether argv[0] names something the simulated container can run. */
async function resolvable(sb: Sandbox, cmd: string): Promise<boolean> {
  const fs = sb.bash.fs;
  if (cmd.includes('/')) return fs.exists(cmd.startsWith('/') ? cmd : `${sb.cwd.replace(/\/$/, '')}/${cmd}`);
  if (cmd === 'hostname' || cmd === 'env') return true;
  // Shell builtins (test, echo, true, ...) exist as binaries in real images, so they count too.
  const r = await sb.bash.exec(`command -v ${quote(cmd)}`, { cwd: sb.cwd, env: sb.env });
  return r.exitCode === 0;
}

/**
 * Run argv in the pod's simulated container. Output goes through file redirections so binary
 * output (tar) and UTF-8 text both come back as the exact bytes; a `sh -c` script gets its own
 * redirection inside (shell-output.ts), as the interpreter re-encodes what a script gathers.
 */
export async function runInContainer(pod: KObject, c: ContainerRef, command: string[], stdin?: Buffer): Promise<RunResult> {
  const argv = shellOptionsInScript(command);
  const sb = await sandboxFor(pod, c);
  if (!(await resolvable(sb, argv[0]))) return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 127, notFound: true };
  const n = ++runSeq;
  const out = `/dev/.skiff-out-${n}`, err = `/dev/.skiff-err-${n}`;
  const innerOut = `${out}-sh`, innerErr = `${err}-sh`;
  const wrapped = isShellC(argv) ? byteExactScript(argv[2], await loadJustBash(), innerOut, innerErr) : undefined;
  const args = wrapped === undefined ? argv.slice(1) : [argv[1], wrapped, ...argv.slice(3)];
  const script = `${quote(argv[0])} >${out} 2>${err}`;
  let exitCode: number;
  try {
    const r = await sb.bash.exec(script, {
      args, cwd: sb.cwd, env: sb.env,
      ...(stdin ? { stdin: stdin.toString('latin1'), stdinKind: 'bytes' as const } : {}),
    });
    exitCode = r.exitCode;
  } catch (e) {
    return { stdout: Buffer.alloc(0), stderr: Buffer.from(`${(e as Error).message}\n`), exitCode: 126 };
  }
  const read = async (p: string) => {
    try { return Buffer.from(await sb.bash.fs.readFileBuffer(p)); } catch { return Buffer.alloc(0); } finally { await sb.bash.fs.rm(p, { force: true }).catch(() => {}); }
  };
  // What the outer shell caught (a parse error in the script, say) comes first.
  const stdout = Buffer.concat([await read(out), await read(innerOut)]);
  const stderr = Buffer.concat([await read(err), await read(innerErr)]);
  return { stdout, stderr, exitCode };
}

/**
 * `sh -x -c SCRIPT` (upstream's RunHostCmd), `sh -e -c`, `sh -ex -c`: the interpreter's `sh` takes no
 * options before -c, so they become `set` lines at the top of the script (-x traces to stderr).
 */
export function shellOptionsInScript(argv: string[]): string[] {
  const sh = argv[0]?.slice(argv[0].lastIndexOf('/') + 1);
  if (!['sh', 'bash', 'ash', 'dash'].includes(sh ?? '')) return argv;
  let i = 1;
  const flags: string[] = [];
  for (; i < argv.length && /^-[euxv]+$/.test(argv[i]); i++) flags.push(...argv[i].slice(1));
  if (!flags.length || argv[i] !== '-c' || argv[i + 1] === undefined) return argv;
  return [argv[0], '-c', `set -${[...new Set(flags)].join('')}\n${argv[i + 1]}`, ...argv.slice(i + 2)];
}

/** `sh -c SCRIPT [NAME [ARG...]]` with a shell the interpreter provides. */
function isShellC(argv: string[]): boolean {
  return argv.length >= 3 && argv[1] === '-c' && ['sh', 'bash'].includes(argv[0].slice(argv[0].lastIndexOf('/') + 1));
}

/** containerd's message when argv[0] does not exist in the image. */
export function notFoundMessage(cmd: string, execId: string): string {
  return `error executing command in container: failed to exec in container: failed to start exec ${JSON.stringify(execId)}: OCI runtime exec failed: exec failed: unable to start container process: exec: ${JSON.stringify(cmd)}: executable file not found in $PATH: unknown`;
}

/** The metav1.Status sent on the error channel for an exit code (v4+). */
export function exitStatus(argv: string[], code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

// ---------- the WebSocket side ----------

// ws is loaded on the first exec/attach, not at start-up (~30 ms to import).
let wss: WebSocketServer | undefined;
async function webSocketServer(): Promise<WebSocketServer> {
  if (wss) return wss;
  const { WebSocketServer: Server } = await import('ws');
  return (wss ??= new Server({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered: Set<string>) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  }));
}

/**
 * Serve an exec/attach WebSocket upgrade. Returns false (socket untouched) when the request is not
 * for pods/exec or pods/attach, so the caller can route other upgrades. The caller must have
 * authenticated/authorized the request. `resolvePod` must throw a StatusError (404) for a missing pod.
 */
export async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer,
  resolvePod: (ns: string, name: string) => Promise<KObject>, clock: Clock): Promise<boolean> {
  let r: ExecRequest | undefined;
  let pod: KObject;
  let c: ContainerRef;
  let upgrade: string;
  try {
    r = parseExecRequest(req.url ?? '/');
    if (!r) return handlePortForwardUpgrade(req, socket, head, resolvePod, clock);
    if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotSupported({ group: '', resource: `pods/${r.subresource}` }, String(req.method));
    upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade !== 'websocket' && upgrade !== 'spdy/3.1') {
      throw errors.badRequest(`unsupported upgrade protocol ${JSON.stringify(String(req.headers.upgrade ?? ''))}: use websocket or SPDY/3.1`);
    }
    if (upgrade === 'websocket') checkWebSocketHandshake(req, true);
    pod = await resolvePod(r.namespace, r.name);
    if (!(pod as any).spec?.nodeName) throw errors.badRequest(`pod ${r.name} does not have a host assigned`);
    c = pickContainer(pod, r.container);
    const cs = containerStatus(pod, c);
    if (!cs?.state?.running) throw new StatusError(404, 'NotFound', `container not found (${JSON.stringify(c.name)})`);
  } catch (e) {
    writeHttpError(socket, e);
    return true;
  }
  const req2 = r;
  if (upgrade === 'spdy/3.1') { serveSpdyExec(req, socket, head, req2, pod, c, clock); return true; }
  const server = await webSocketServer();
  server.handleUpgrade(req, socket, head, (ws) => { void serve(ws, req2, pod, c, clock); });
  return true;
}

async function serve(ws: WebSocket, r: ExecRequest, pod: KObject, c: ContainerRef, clock: Clock): Promise<void> {
  const protocol = ws.protocol || 'channel.k8s.io';
  const base64 = protocol.includes('base64');
  const version = protocol.startsWith('v5.') ? 5 : protocol.startsWith('v4.') ? 4 : protocol.startsWith('v3.') ? 3 : protocol.startsWith('v2.') ? 2 : 1;
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (base64) ws.send(String.fromCharCode(48 + channel) + buf.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([channel]), buf]));
  };
  const finish = (status: object | undefined, legacyError?: string) => {
    if (version >= 4 && status) send(ERROR, JSON.stringify(status));
    else if (legacyError) send(ERROR, legacyError);
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  const stdinChunks: Buffer[] = [];
  let stdinDone = !r.stdin;
  let onStdin: (() => void) | undefined;
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    let buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!isBinary || base64) {
      const s = buf.toString();
      if (!s.length) return;
      buf = Buffer.concat([Buffer.from([s.charCodeAt(0) - 48]), Buffer.from(s.slice(1), 'base64')]);
    }
    if (!buf.length) return;
    const ch = buf[0];
    if (ch === STDIN) { stdinChunks.push(buf.subarray(1)); onStdin?.(); }
    else if (ch === CLOSE && version >= 5 && buf[1] === STDIN) { stdinDone = true; onStdin?.(); }
    else if (ch === RESIZE) { /* terminal size: nothing to redraw in a simulation */ }
  });
  ws.on('close', () => { stdinDone = true; onStdin?.(); });
  ws.on('error', () => {});

  try {
    if (r.subresource === 'attach') {
      // The main process of a simulated container prints nothing new: hold the stream until the client leaves.
      return;
    }
    if (r.tty && r.stdin && isBareShell(r.command)) { await interactive(r, pod, c, send, finish, stdinChunks, (f) => { onStdin = f; }, () => stdinDone); return; }
    if (r.stdin && version >= 5) {
      await new Promise<void>((resolve) => { onStdin = () => { if (stdinDone) resolve(); }; onStdin(); });
    }
    // Before v5 there is no way to signal the end of stdin: run with what has arrived so far.
    if (ws.readyState !== ws.OPEN) return;
    await runAndReport(r, pod, c, clock, r.stdin ? Buffer.concat(stdinChunks) : undefined, send, finish);
  } catch (e) {
    const st = toStatus(e);
    finish({ metadata: {}, status: 'Failure', message: st.message, reason: st.reason }, st.message);
  }
}

/** Run a (non-interactive) exec and report it through channel-numbered `send` and `finish` (status, legacy text). */
export async function runAndReport(r: ExecRequest, pod: KObject, c: ContainerRef, clock: Clock, stdin: Buffer | undefined,
  send: (ch: number, d: Buffer | string) => void, finish: (st: object | undefined, legacy?: string) => void): Promise<void> {
  const res = await runInContainer(pod, c, r.command, stdin);
  if (res.notFound) {
    const id = createHash('sha256').update(`${pod.metadata?.uid}/${c.name}/${clock.now()}/${runSeq++}`).digest('hex');
    const msg = notFoundMessage(r.command[0], id);
    const st = new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] }).status;
    finish(st, msg);
    return;
  }
  if (r.stdout && res.stdout.length) send(STDOUT, r.tty ? Buffer.from(res.stdout.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : res.stdout);
  if (res.stderr.length) {
    if (r.stderr) send(STDERR, res.stderr);
    else if (r.tty && r.stdout) send(STDOUT, res.stderr);
  }
  finish(exitStatus(r.command, res.exitCode), res.exitCode ? `command terminated with non-zero exit code: error executing command [${r.command.join(' ')}], exit code ${res.exitCode}` : undefined);
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', '/bin/sh', '/bin/bash', '/bin/ash', '/usr/bin/bash', '/bin/dash', '/bin/zsh']);
export function isBareShell(argv: string[]): boolean {
  return SHELLS.has(argv[0]) && argv.slice(1).every((a) => a === '-i' || a === '-l' || a === '--login');
}

/**
 * `kubectl exec -it pod -- sh`: a line-at-a-time terminal. Echoes input, runs each line in the
 * container's shell (cd persists), and ends on `exit [n]` or Ctrl-D on an empty line.
 */
export async function interactive(r: ExecRequest, pod: KObject, c: ContainerRef,
  send: (ch: number, d: Buffer | string) => void, finish: (st: object | undefined, legacy?: string) => void,
  chunks: Buffer[], setWaker: (f: () => void) => void, closed: () => boolean): Promise<void> {
  const sb = await sandboxFor(pod, c);
  const prompt = () => send(STDOUT, `${sb.cwd === '/' ? '/' : sb.cwd} # `);
  let line = '';
  let exitCode = 0;
  prompt();
  for (;;) {
    if (!chunks.length) {
      if (closed()) return;
      await new Promise<void>((resolve) => setWaker(resolve));
      continue;
    }
    const text = chunks.shift()!.toString('latin1');
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        send(STDOUT, '\r\n');
        const cmd = line.trim();
        line = '';
        const m = /^exit(?:\s+(\d+))?$/.exec(cmd);
        if (m) { exitCode = Number(m[1] ?? 0); finish(exitStatus(r.command, exitCode)); return; }
        if (cmd) {
          const res = await sb.bash.exec(`${cmd}\necho "__SKIFF_PWD=$PWD" >&2`, { cwd: sb.cwd, env: sb.env });
          let err = res.stderr;
          const pm = /__SKIFF_PWD=(.*)\n$/.exec(err);
          if (pm) { sb.cwd = pm[1] || sb.cwd; err = err.slice(0, pm.index); }
          const outText = (res.stdout + err).replace(/\r?\n/g, '\r\n');
          if (outText) send(STDOUT, Buffer.from(outText));
        }
        prompt();
      } else if (ch === '\x04') {
        if (!line) { send(STDOUT, 'exit\r\n'); finish(exitStatus(r.command, 0)); return; }
      } else if (ch === '\x7f' || ch === '\b') {
        if (line) { line = line.slice(0, -1); send(STDOUT, '\b \b'); }
      } else if (ch === '\x03') {
        line = ''; send(STDOUT, '^C\r\n'); prompt();
      } else {
        line += ch;
        send(STDOUT, Buffer.from(ch, 'latin1'));
      }
    }
  }
}
