// The clock admin endpoint over HTTP: show, advance (seconds or duration), scale, auth and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import { RealClock } from '../../src/clock.ts';
import { parseDuration } from '../../src/api/clock-route.ts';

test('GET/POST /skiff/v1/clock: advance moves time forward, scale changes speed, bad input is a 400 Status', async () => {
  const clock = new RealClock(1);
  const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false, clock });
  const call = async (method: string, path: string, body?: unknown, token: string | null = s.token) => {
    const r = await fetch(`${s.url}${path}`, {
      method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { code: r.status, body: await r.json() as any };
  };
  try {
    // No credentials: system:anonymous, whom RBAC refuses (only the admin may read or move the clock).
    assert.equal((await call('GET', '/skiff/v1/clock', undefined, null)).code, 403);
    const shown = await call('GET', '/skiff/v1/clock');
    assert.equal(shown.code, 200);
    assert.equal(shown.body.kind, 'Clock');
    assert.equal(shown.body.scale, 1);
    const t0 = Date.parse(shown.body.now);

    let fired = 0;
    clock.setTimeout(() => { fired++; }, 3_600_000);
    const adv = await call('POST', '/skiff/v1/clock/advance', { duration: '1h30m' });
    assert.equal(adv.code, 200);
    assert.ok(Date.parse(adv.body.now) - t0 >= 5_400_000, 'moved 90 minutes');
    assert.equal(fired, 1, 'a timer due inside the skipped window fired');
    const adv2 = await call('POST', '/skiff/v1/clock/advance', { seconds: 60 });
    assert.ok(Date.parse(adv2.body.now) - Date.parse(adv.body.now) >= 60_000);

    const sc = await call('POST', '/skiff/v1/clock/scale', { scale: 10 });
    assert.equal(sc.code, 200);
    assert.equal(sc.body.scale, 10);
    assert.ok(Date.parse(sc.body.now) >= Date.parse(adv2.body.now), 'never backwards');

    for (const [path, body, msg] of [
      ['/skiff/v1/clock/advance', { seconds: -5 }, /must not be negative/],
      ['/skiff/v1/clock/advance', { duration: 'soon' }, /"duration" must be a duration/],
      ['/skiff/v1/clock/advance', {}, /exactly one of "seconds" or "duration"/],
      ['/skiff/v1/clock/advance', { minutes: 3 }, /unknown field "minutes"/],
      ['/skiff/v1/clock/advance', '{not json', /error decoding request body/],
      ['/skiff/v1/clock/advance', { seconds: 400 * 86400 }, /limited to 366 days/],
      ['/skiff/v1/clock/scale', { scale: 0 }, /"scale" must be a number above 0/],
    ] as const) {
      const r = await call('POST', path, body);
      assert.equal(r.code, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(r.body.kind, 'Status');
      assert.equal(r.body.reason, 'BadRequest');
      assert.match(r.body.message, msg);
    }
    assert.equal((await call('DELETE', '/skiff/v1/clock')).code, 405);
    assert.equal((await call('GET', '/skiff/v1/clock/advance')).code, 405);
    assert.equal((await call('GET', '/skiff/v1/clock/nope')).code, 404);
    assert.equal((await call('GET', '/skiff/v1/clock')).body.scale, 10, 'rejected input changed nothing');
  } finally { await s.stop(); }
});

test('parseDuration reads Go-style durations', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1d'), undefined);
  assert.equal(parseDuration(''), undefined);
});
