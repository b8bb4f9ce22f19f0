// A fake ProgramIO for catalogue tests: an in-memory filesystem, captured output, an abort to stop
// the program, and simulated time that the test advances (sleep never waits for real time).
import { InMemoryFs } from 'just-bash';
import type { Program, ProgramIO } from '../../src/images/types.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { createNetwork, removeNetwork } from '../../src/netsim/index.ts';
import type { Network } from '../../src/netsim/index.ts';

export interface Run { stdout(): string; stderr(): string; stop(): void; done: Promise<number>; io: ProgramIO }

export class World {
  now = 1_765_000_000_000;
  private timers: { due: number; fn: () => void }[] = [];
  readonly net: Network;
  constructor() {
    this.net = createNetwork({ now: () => this.now, setTimeout: (fn, ms) => this.timer(fn, ms) });
  }
  private timer(fn: () => void, ms: number) {
    const t = { due: this.now + ms, fn };
    this.timers.push(t);
    return { cancel: () => { const i = this.timers.indexOf(t); if (i >= 0) this.timers.splice(i, 1); } };
  }
  /** Move simulated time; due sleepers wake (and get a turn to run). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.now = Math.max(this.now, next.due);
      this.timers.splice(this.timers.indexOf(next), 1);
      next.fn();
      await tick();
    }
    this.now = end;
    await tick();
  }
  sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const t = this.timer(resolve, ms);
    signal?.addEventListener('abort', () => { t.cancel(); resolve(); }, { once: true });
  });
  pod(ns: string, name: string, ip: string, spec: Record<string, any> = {}): KObject {
    const p = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, uid: `uid-${ns}-${name}` }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec }, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } } as KObject;
    this.net.index.put('pods', p);
    return p;
  }
  run(program: Program, pod: KObject, argv: string[], o: { env?: Record<string, string>; fs?: InMemoryFs; stdin?: string; container?: string } = {}): Run {
    let out = '', err = '';
    const ac = new AbortController();
    const io: ProgramIO = {
      argv, env: { HOSTNAME: String((pod as any).spec?.hostname ?? pod.metadata.name), ...(o.env ?? {}) }, cwd: '/', fs: o.fs ?? new InMemoryFs(),
      stdin: o.stdin !== undefined ? (async function* () { yield Buffer.from(o.stdin!); })() : undefined,
      stdout: (c) => { out += c.toString(); }, stderr: (c) => { err += c.toString(); },
      signal: ac.signal, pod, container: o.container ?? 'c', sleep: this.sleep, now: () => this.now,
    };
    return { stdout: () => out, stderr: () => err, stop: () => ac.abort(), done: program(io), io };
  }
  close(): void { removeNetwork(this.net); }
}

export const tick = () => new Promise<void>((r) => setImmediate(r));
/** Let the program start its servers (module loading, listeners). */
export async function settle(n = 20): Promise<void> { for (let i = 0; i < n; i++) await tick(); }
