import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startEnv, makePod, START, iso, pods } from './helpers.ts';
import type { Env } from './helpers.ts';
import { LOG_INTERVAL_MS } from '../../src/streaming/logs.ts';

let env: Env;
before(async () => { env = await startEnv(); });
after(async () => { await env.stop(); });

async function get(path: string): Promise<{ status: number; type?: string; text: string; body?: any }> {
  const r = await fetch(env.url + path);
  const text = await r.text();
  let body: any;
  try { body = JSON.parse(text); } catch { /* plain text */ }
  return { status: r.status, type: r.headers.get('content-type') ?? undefined, text, body };
}
const logPath = (pod: string, q = '') => `/api/v1/namespaces/default/pods/${pod}/log${q ? '?' + q : ''}`;

test('default container: startup line naming the image, then one line per interval, deterministic', async () => {
  await makePod(env.store, 'web');
  env.clock.advance(3 * LOG_INTERVAL_MS + 1);
  const a = await get(logPath('web'));
  assert.equal(a.status, 200);
  assert.equal(a.type, 'text/plain');
  const lines = a.text.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /starting container main \(image nginx:1\.27, restart 0\)/);
  assert.match(lines[3], /main tick 3 /);
  const b = await get(logPath('web'));
  assert.equal(b.text, a.text, 'same container, same output');
});

test('container selection: several containers need a name; unknown names and the default-container annotation', async () => {
  await makePod(env.store, 'multi', { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'redis' }] });
  const r = await get(logPath('multi'));
  assert.equal(r.status, 400);
  assert.equal(r.body.reason, 'BadRequest');
  assert.equal(r.body.message, 'a container name must be specified for pod multi, choose one of: [a b]');
  const bad = await get(logPath('multi', 'container=zz'));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.message, 'container zz is not valid for pod multi');
  const ok = await get(logPath('multi', 'container=b'));
  assert.equal(ok.status, 200);
  assert.match(ok.text, /image redis/);
  await makePod(env.store, 'multi2', { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'redis' }], annotations: { 'kubectl.kubernetes.io/default-container': 'b' } });
  assert.match((await get(logPath('multi2'))).text, /starting container b /);
  const missing = await get(logPath('nope'));
  assert.equal(missing.status, 404);
});

test('waiting container → 400 waiting to start; previous without a terminated run → 400', async () => {
  await makePod(env.store, 'pending', { states: { main: { waiting: { reason: 'ContainerCreating' } } } });
  const r = await get(logPath('pending'));
  assert.equal(r.status, 400);
  assert.equal(r.body.message, 'container "main" in pod "pending" is waiting to start: ContainerCreating');
  const p = await get(logPath('web', 'previous=true'));
  assert.equal(p.status, 400);
  assert.equal(p.body.message, 'previous terminated container "main" in pod "web" not found');
});

test('previous=true prints the last terminated run, which differs from the current one', async () => {
  const now = env.clock.now();
  await makePod(env.store, 'crashy', {
    restartCount: 1,
    states: { main: { running: { startedAt: iso(now) } } },
    lastState: { main: { terminated: { exitCode: 1, reason: 'Error', startedAt: iso(START), finishedAt: iso(START + 2 * LOG_INTERVAL_MS), containerID: 'containerd://old' } } },
  });
  const prev = await get(logPath('crashy', 'previous=true'));
  assert.equal(prev.status, 200);
  const lines = prev.text.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /restart 0/);
  const cur = await get(logPath('crashy'));
  assert.match(cur.text, /restart 1/);
});

test('tailLines, timestamps (RFC3339Nano fixed), sinceSeconds, limitBytes', async () => {
  await makePod(env.store, 'ts');
  const tail = await get(logPath('ts', 'tailLines=2&timestamps=true'));
  const lines = tail.text.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  const ts = (l: string) => l.split(' ')[0];
  assert.match(ts(lines[0]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  assert.equal(Date.parse(ts(lines[1])) - Date.parse(ts(lines[0])), LOG_INTERVAL_MS);
  assert.match(lines[1], / main tick \d+ /);
  const since = await get(logPath('ts', `sinceSeconds=${LOG_INTERVAL_MS / 1000}`));
  assert.equal(since.text.trimEnd().split('\n').length, 1);
  const lim = await get(logPath('ts', 'limitBytes=10'));
  assert.equal(Buffer.byteLength(lim.text), 10);
  const zero = await get(logPath('ts', 'tailLines=0'));
  assert.equal(zero.text, '');
});

test('bad parameters are clear errors', async () => {
  const a = await get(logPath('web', 'tailLines=abc'));
  assert.equal(a.status, 400);
  const b = await get(logPath('web', 'tailLines=-1'));
  assert.equal(b.status, 422);
  assert.equal(b.body.reason, 'Invalid');
  assert.match(b.body.message, /tailLines/);
  const c = await get(logPath('web', `sinceSeconds=5&sinceTime=${encodeURIComponent(iso(START))}`));
  assert.equal(c.status, 422);
  const d = await get(logPath('web', 'sinceTime=yesterday'));
  assert.equal(d.status, 400);
});

test('skiff.dev/logs annotation replaces the output', async () => {
  await makePod(env.store, 'custom', { annotations: { 'skiff.dev/logs': 'hello\nworld\n' } });
  env.clock.advance(5 * LOG_INTERVAL_MS);
  assert.equal((await get(logPath('custom'))).text, 'hello\nworld\n');
});

test('unscheduled pod: empty 200 like upstream', async () => {
  await makePod(env.store, 'unbound', { nodeName: null });
  const r = await get(logPath('unbound'));
  assert.equal(r.status, 200);
  assert.equal(r.text, '');
});

/** Open a follow stream and collect text; resolves `ended` when the server closes it. */
function openFollow(path: string) {
  let buf = '';
  const waiters: (() => void)[] = [];
  let headers!: () => void;
  const gotHeaders = new Promise<void>((r) => { headers = r; });
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => { endedResolve = r; });
  const req = request(env.url + path, (res) => {
    headers();
    res.setEncoding('utf8');
    res.on('data', (d: string) => { buf += d; for (const w of waiters.splice(0)) w(); });
    res.on('end', endedResolve);
    res.on('close', endedResolve);
  });
  req.end();
  return {
    gotHeaders, ended,
    text: () => buf,
    async waitFor(re: RegExp, ms = 5000) {
      let timedOut = false;
      const deadline = setTimeout(() => { timedOut = true; for (const w of waiters.splice(0)) w(); }, ms);
      try {
        while (!re.test(buf)) {
          if (timedOut) throw new Error(`timed out waiting for ${re}; got ${JSON.stringify(buf)}`);
          await new Promise<void>((r) => waiters.push(r));
        }
      } finally { clearTimeout(deadline); }
    },
    close: () => req.destroy(),
  };
}

test('follow delivers new lines as the fake clock advances and ends when the pod is deleted', async () => {
  await makePod(env.store, 'follow');
  const s = openFollow(logPath('follow', 'follow=true'));
  await s.gotHeaders; // headers flushed before any new line exists
  await s.waitFor(/starting container main/);
  const before = s.text().trimEnd().split('\n').length;
  const nextTick = before; // index of the next line
  env.clock.advance(LOG_INTERVAL_MS);
  await s.waitFor(new RegExp(`main tick ${nextTick} `));
  await env.store.delete(pods(), 'default', 'follow', { gracePeriodSeconds: 0 } as any);
  env.clock.advance(LOG_INTERVAL_MS);
  await s.ended;
  s.close();
});
