// Shared pieces of the conformance harness: case/suite types, process execution with
// timeouts, a minimal REST helper for setup (never for the behaviour under test), and
// condition waiting (polling a condition, never sleeping a fixed time for its own sake).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:https';

export type ClientName = 'kubectl' | 'client-node' | 'python' | 'client-go' | 'controller-runtime';
export const CLIENTS: ClientName[] = ['kubectl', 'client-node', 'python', 'client-go', 'controller-runtime'];

export interface ClusterHandle {
  url: string;
  kubeconfig: string;
  kubeconfigPath: string;
  token: string;
  caPem?: string;
  /** Compact the store at its current revision (forces 410 for older resourceVersions). */
  compact(): Promise<void>;
}

export interface CaseContext {
  cluster: ClusterHandle;
  /** A fresh namespace created for this case. */
  ns: string;
  /** A directory private to this case. */
  tmp: string;
  /** The suite variant, e.g. a kubectl version label. */
  variant: string;
  /** Abort signal fired when the case times out. */
  signal: AbortSignal;
}

export interface Case {
  /** Behaviour id from behaviors.yaml. */
  behavior: string;
  /** Test name, unique within the suite. */
  name: string;
  /** Run for every kubectl version when version skew is tested. */
  core?: boolean;
  /** Skip creating the per-case namespace (the case manages namespaces itself). */
  noNamespace?: boolean;
  timeoutMs?: number;
  run(ctx: CaseContext): Promise<void>;
}

export interface CaseResult {
  behavior: string;
  client: ClientName;
  variant: string;
  name: string;
  status: 'pass' | 'fail' | 'skip';
  ms: number;
  error?: string;
}

export class CheckError extends Error {}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckError(message);
}

export function sleepUntil(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

/** Poll `cond` until it returns a truthy value; throws with `what` on timeout. */
export async function waitFor<T>(what: string, cond: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  opts: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as T;
    } catch (e) { last = e; }
    if (Date.now() > deadline || opts.signal?.aborted) {
      throw new CheckError(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message ?? last})` : ''}`);
    }
    await sleepUntil(opts.intervalMs ?? 50, opts.signal);
  }
}

export interface ExecResult { code: number | null; stdout: string; stderr: string; signal: NodeJS.Signals | null }

/** Run a program to completion with a timeout; never throws for a non-zero exit. */
export function execFile(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: 127, stdout: '', stderr: (e as Error).message, signal: null });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const kill = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
    const timer = setTimeout(() => { stderr += `\n[harness] killed after ${opts.timeoutMs ?? 30_000} ms`; kill(); }, opts.timeoutMs ?? 30_000);
    opts.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (e) => { stderr += e.message; });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, stdout, stderr, signal }); });
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

/** A long-running child whose output can be awaited line by line. */
export class StreamingProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  private waiters: Array<() => void> = [];
  exited = false;
  constructor(cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
    this.child = spawn(cmd, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const wake = () => { const w = this.waiters; this.waiters = []; for (const f of w) f(); };
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => { this.stdout += d; wake(); });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; wake(); });
    this.child.on('close', () => { this.exited = true; wake(); });
    this.child.on('error', (e) => { this.stderr += e.message; this.exited = true; wake(); });
  }
  /** Wait until stdout satisfies `pred` (event-driven: re-checked on every output chunk). */
  async waitStdout(what: string, pred: (out: string) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.stdout)) {
      if (this.exited) throw new CheckError(`process exited before ${what}; stdout=${JSON.stringify(this.stdout.slice(-400))} stderr=${JSON.stringify(this.stderr.slice(-400))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new CheckError(`timed out waiting for ${what}; stdout=${JSON.stringify(this.stdout.slice(-400))} stderr=${JSON.stringify(this.stderr.slice(-400))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }
  kill(): void { if (!this.exited) this.child.kill('SIGKILL'); }
}

/** Minimal HTTPS JSON call with the admin token, used for case setup and cross-checks. */
export function rest(cluster: ClusterHandle, method: string, path: string, body?: unknown, opts: { contentType?: string } = {}): Promise<{ status: number; body: any }> {
  const u = new URL(path, cluster.url);
  const data = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(u, {
      method, ca: cluster.caPem, rejectUnauthorized: !!cluster.caPem,
      headers: {
        Authorization: `Bearer ${cluster.token}`, Accept: 'application/json',
        ...(data !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => {
        let parsed: any = text;
        try { parsed = JSON.parse(text); } catch { /* keep text */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(data);
  });
}

export async function createNamespace(cluster: ClusterHandle, name: string): Promise<void> {
  const r = await rest(cluster, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status !== 201 && r.status !== 200) throw new Error(`setup: create namespace ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
}

export function slug(s: string, max = 40): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
}

export function errText(e: unknown): string {
  if (e instanceof CheckError) return e.message;
  if (e instanceof Error) {
    const body = (e as any).body;
    const extra = body ? ` body=${typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body).slice(0, 300)}` : '';
    return `${e.name}: ${e.message.split('\n')[0].slice(0, 400)}${extra}`;
  }
  return String(e);
}
