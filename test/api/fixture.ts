// Shared fixture for the API suites: one real Skiff server (plain HTTP, in memory, no controllers so
// nothing changes behind the tests' backs) and a supertest agent that sends the admin token.
import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import assert from 'node:assert/strict';
import request from 'supertest';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';

export interface Fixture {
  url: string;
  token: string;
  server: RunningServer;
  /** supertest agent with `Authorization: Bearer <token>` set. */
  api: ReturnType<typeof request.agent>;
  /** Create a fresh namespace named `<prefix>-<n>` and return its name. */
  ns(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

let seq = 0;

export async function startFixture(opts: { controllers?: boolean } = {}): Promise<Fixture> {
  const server = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: opts.controllers ?? false });
  const api = request.agent(server.url).set('Authorization', `Bearer ${server.token}`);
  return {
    url: server.url, token: server.token, server, api,
    async ns(prefix = 't') {
      const name = `${prefix}-${++seq}`;
      const res = await api.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      assert.equal(res.status, 201, `creating namespace ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return name;
    },
    stop: () => server.stop(),
  };
}

/** Assert a response is a metav1.Status failure with the given code (and reason, if given). */
export function assertStatus(res: { status: number; body: any; text?: string }, code: number, reason?: string): any {
  assert.equal(res.status, code, `expected ${code}, got ${res.status}: ${res.text ?? JSON.stringify(res.body)}`);
  const b = res.body;
  assert.equal(b?.kind, 'Status', `expected a Status body, got ${res.text}`);
  assert.equal(b.apiVersion, 'v1');
  assert.equal(b.status, 'Failure');
  assert.equal(b.code, code);
  if (reason !== undefined) assert.equal(b.reason, reason);
  assert.equal(typeof b.message, 'string');
  return b;
}

export function cm(name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

export function deployment(name: string, replicas = 1) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
    },
  };
}

export function pod(name: string, extra: Record<string, any> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...extra } };
}

/** A streaming GET (watch): resolves once response headers arrive; events are parsed line by line. */
export interface Stream {
  res: IncomingMessage;
  status: number;
  headers: IncomingMessage['headers'];
  /** Wait for the next event (rejects after `ms` of silence so a broken server fails the test, not hangs it). */
  next(ms?: number): Promise<any>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Events received so far and not yet taken by next(). */
  buffered(): any[];
  close(): void;
}

export function stream(f: Fixture, path: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, f.url);
    const req = httpRequest(u, { headers: { Authorization: `Bearer ${f.token}`, ...headers } }, (res) => {
      const queue: any[] = [];
      const waiters: ((v: any) => void)[] = [];
      let buf = '';
      let done = false;
      let endResolve!: () => void;
      const ended = new Promise<void>((r) => { endResolve = r; });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i); buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line);
          const w = waiters.shift();
          if (w) w(ev); else queue.push(ev);
        }
      });
      const finish = () => {
        if (done) return;
        done = true;
        if (buf.trim()) { try { queue.push(JSON.parse(buf)); } catch { queue.push({ unparsed: buf }); } }
        endResolve();
        for (const w of waiters.splice(0)) w(undefined);
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      resolve({
        res, status: res.statusCode ?? 0, headers: res.headers, ended,
        buffered: () => queue.slice(),
        next(ms = 5000) {
          if (queue.length) return Promise.resolve(queue.shift());
          if (done) return Promise.resolve(undefined);
          return new Promise((res2, rej2) => {
            const t = setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) waiters.splice(i, 1); rej2(new Error(`no watch event within ${ms} ms on ${path}`)); }, ms);
            const w = (v: any) => { clearTimeout(t); res2(v); };
            waiters.push(w);
          });
        },
        close() { req.destroy(); res.destroy(); },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Deterministic PRNG (mulberry32) for the fuzz test. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
