// API Priority and Fairness: what the filter costs per request, in process (no HTTP): classification
// + admission + release for the admin (system:masters → exempt, the first FlowSchema) and for an
// ordinary user (→ global-default, after twelve schemas; a Limited level with queues), with the
// mandatory and suggested configuration in place.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeClock } from '../src/clock.ts';
import { SqliteBackend } from '../src/storage/sqlite.ts';
import { Store } from '../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../src/registry/kinds-adapter.ts';
import { FlowControlConfig } from '../src/flowcontrol/config.ts';
import { FlowControlFilter } from '../src/flowcontrol/filter.ts';
import type { User } from '../src/auth/user.ts';

function fakeResponse(): ServerResponse {
  const res = new EventEmitter() as unknown as ServerResponse & { headers: Record<string, string> };
  res.setHeader = (() => res) as never;
  return res;
}

function perRequestNs(filter: FlowControlFilter, user: User, n: number): number {
  const req = { method: 'POST', url: '/api/v1/namespaces/default/configmaps' } as IncomingMessage;
  const query = new URLSearchParams();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const res = fakeResponse();
    const ok = filter.admit(req, res, user, '/api/v1/namespaces/default/configmaps', query, false);
    if (ok !== true) throw new Error('not admitted');
    res.emit('finish');
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

export async function run(): Promise<Record<string, number | string>> {
  const backend = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  const clock = new FakeClock();
  const store = new Store({ backend, clock, strategyFor, validateMeta, validateMetaUpdate });
  const config = new FlowControlConfig(store, clock, 600);
  await config.start();
  const filter = new FlowControlFilter(config);
  const admin: User = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
  const alice: User = { name: 'alice', groups: ['system:authenticated'] };
  for (const u of [admin, alice]) perRequestNs(filter, u, 20_000); // warm-up
  const out = {
    'APF filter per request, admin → exempt (µs)': +(perRequestNs(filter, admin, 200_000) / 1000).toFixed(2),
    'APF filter per request, ordinary user → global-default (µs)': +(perRequestNs(filter, alice, 200_000) / 1000).toFixed(2),
  };
  config.stop();
  await backend.close();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(64)} ${v}`);
}
