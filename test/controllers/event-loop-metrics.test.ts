// /metrics exports the event-loop delay, so a starved loop is visible to monitoring:
// skiff_event_loop_delay_seconds is a histogram of how late a 10 ms timer ran, and a deliberate
// 150 ms block lands in a bucket above 0.1 s. prom-client's nodejs_eventloop_lag_* gauges stay too.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';

let server: RunningServer;
before(async () => { server = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false }); });
after(async () => { await server.stop(); });

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${server.token}` } });
  assert.equal(res.status, 200);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^((?:skiff_event_loop_delay|nodejs_eventloop_lag)\w*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Samples of the histogram later than 0.1 s. */
const late = (m: Map<string, number>) => m.get('skiff_event_loop_delay_seconds_bucket{le="+Inf"}')! - m.get('skiff_event_loop_delay_seconds_bucket{le="0.1"}')!;

test('the event-loop delay histogram is exported, and a blocked loop lands above 0.1 s', async () => {
  await scrape(); // loads the metrics library; the sampler starts with it
  await new Promise((r) => setTimeout(r, 50));
  const first = await scrape();
  for (const name of ['skiff_event_loop_delay_seconds_count', 'skiff_event_loop_delay_seconds_sum', 'skiff_event_loop_delay_seconds_bucket{le="0.1"}', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
    assert.ok(first.has(name), `${name} missing`);
  }
  assert.ok(first.get('skiff_event_loop_delay_seconds_count')! >= 2, 'sampled every 10 ms');
  const end = performance.now() + 150;
  while (performance.now() < end) { /* block the event loop on purpose */ }
  await new Promise((r) => setTimeout(r, 30)); // the sampler's late tick is recorded
  const next = await scrape();
  assert.ok(late(next) >= late(first) + 1, `samples over 0.1 s: ${late(first)} then ${late(next)}`);
  assert.ok(next.get('skiff_event_loop_delay_seconds_sum')! - first.get('skiff_event_loop_delay_seconds_sum')! >= 0.1);
});
