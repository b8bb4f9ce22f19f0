// A whole server on a fake clock with its controllers, for container-runtime tests through the
// HTTP API: `api` answers status, text and parsed JSON; `until` advances the clock until a
// condition holds. Call `servedCluster()` at the top of a test file (it registers before/after).
import { before, after } from 'node:test';
import { FakeClock } from '../../../src/clock.ts';
import { startServer } from '../../../src/server.ts';
import type { RunningServer } from '../../../src/server.ts';

export interface Served {
  readonly srv: RunningServer;
  readonly clock: FakeClock;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; body: any }>;
  until(cond: () => Promise<boolean>, what: string, stepMs?: number, max?: number): Promise<void>;
}

export function servedCluster(): Served {
  let srv!: RunningServer;
  let clock!: FakeClock;
  before(async () => { clock = new FakeClock(); srv = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: true, clock }); });
  after(async () => { await srv.stop(); });
  const tick = () => new Promise((r) => setTimeout(r, 5));
  return {
    get srv() { return srv; },
    get clock() { return clock; },
    async api(method, path, body) {
      const r = await fetch(srv.url + path, { method, headers: { authorization: `Bearer ${srv.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      let json: any; try { json = JSON.parse(text); } catch { /* text */ }
      return { status: r.status, text, body: json };
    },
    async until(cond, what, stepMs = 200, max = 600) {
      for (let i = 0; i < max; i++) { if (await cond()) return; clock.advance(stepMs); await tick(); }
      throw new Error(`condition not reached: ${what}`);
    },
  };
}
