// Keep-alive shell loops run without a long-lived interpreter (src/kubelet/containers/loop.ts):
// which scripts qualify, and that such a container's logs, signals and exit status are those of
// the same loop run by the full interpreter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.ts';
import { Logbook } from '../../../src/kubelet/containers/logbook.ts';
import { startProcess } from '../../../src/kubelet/containers/process.ts';
import { streamingFs } from '../../../src/kubelet/containers/stream.ts';
import { loadJustBash } from '../../../src/kubelet/containers/shell.ts';
import { loopShape } from '../../../src/kubelet/containers/loop.ts';

const jb = await loadJustBash();

test('keep-alive loops of stateless commands qualify, with their trap lines and sleep', () => {
  assert.deepEqual(loopShape(jb, 'while true; do sleep 60; done'), { prelude: '', body: '', sleepMs: 60_000 });
  const upstream = loopShape(jb, 'trap exit TERM; while true; do sleep 1; done');
  assert.equal(upstream?.sleepMs, 1000);
  assert.match(upstream!.prelude, /^trap exit TERM/);
  const busy = loopShape(jb, 'while :; do echo "tick $HOSTNAME" | tr t T; date > /dev/null 2>&1 && ls /tmp || echo no; sleep 0.5m; done');
  assert.equal(busy?.sleepMs, 30_000);
  assert.match(busy!.body, /echo "tick \$HOSTNAME"/);
  assert.equal(loopShape(jb, 'while true; do sleep 1; done'), loopShape(jb, 'while true; do sleep 1; done'), 'one analysis per script text');
});

test('loops that keep shell state, or are not plain keep-alive loops, stay with the full interpreter', () => {
  for (const script of [
    'i=0; while true; do i=1; sleep 1; done', // assignment before and in the loop
    'while true; do x=1 echo hi; sleep 1; done', // assignment prefix
    'while true; do echo $((n+1)); sleep 1; done', // arithmetic
    'while true; do echo ${n:=1}; sleep 1; done', // assigning expansion
    'while true; do echo $SECONDS; sleep 1; done', // volatile variable
    'while true; do cd /tmp; sleep 1; done', // state-changing builtin
    'while true; do read x; sleep 1; done',
    'while true; do f; sleep 1; done; f() { :; }',
    'while true; do sleep $N; done', // sleep of an expansion
    'while true; do sleep 1 || break; done',
    'while true; do echo hi; done', // no sleep at the end
    'while true; do sleep 1; echo hi; done',
    'while true; do sleep 1; done &',
    'while true; do sleep 1; done > /tmp/out',
    'while false; do sleep 1; done',
    'until false; do sleep 1; done',
    'while true; do if true; then echo a; fi; sleep 1; done', // compound body
    'while true; do echo a & sleep 1; done', // background job
    'echo start; while true; do sleep 1; done', // a prelude that is not a trap
    'set -- a b; while true; do echo "$1"; sleep 1; done',
    'while true; do sleep 1; done; echo never',
    'while true; do sleep 1', // syntax error
    '',
  ]) assert.equal(loopShape(jb, script), undefined, script);
});

async function run(script: string, iterations: number, sleepMs: number) {
  const clock = new FakeClock();
  const log = new Logbook(() => clock.now());
  const fs = streamingFs(new jb.InMemoryFs({ '/tmp/.keep': '', '/dev/null': '' }), () => ({ stdout: (t) => log.write('stdout', t), stderr: (t) => log.write('stderr', t) }));
  const p = startProcess({ argv: ['sh', '-c', script], env: { PATH: '/bin', HOSTNAME: 'web-0' }, cwd: '/', hostname: 'web-0', fs, log, clock, pod: { metadata: { name: 'p' } }, container: 'c' });
  const settle = async (n: number) => { for (let i = 0; i < 50 && log.lines.length < n; i++) await new Promise((r) => setTimeout(r, 5)); };
  for (let i = 0; i < iterations; i++) {
    await settle((i + 1) * 3 + 1);
    if (i === 1) p.term(); // a shell as PID 1 ignores SIGTERM
    clock.advance(sleepMs);
  }
  await settle(iterations * 3 + 1);
  p.kill();
  const exit = await p.done;
  const t0 = log.lines[0]?.ts ?? 0;
  return { code: exit.code, lines: log.lines.map((l) => `${l.ts - t0} ${l.stream} ${l.text}`) };
}

test('a qualifying loop logs, ignores SIGTERM and dies by SIGKILL exactly as the full interpreter runs it', async () => {
  const body = 'while true; do echo "tick $HOSTNAME"; ls /missing; echo one | tr o O; sleep 10; done';
  assert.ok(loopShape(jb, `trap "echo bye" TERM; ${body}`), 'the fast shape');
  const slow = `trap "echo bye" TERM; export Z=1; ${body}`;
  assert.equal(loopShape(jb, slow), undefined, 'the same loop for the full interpreter');
  const fast = await run(`trap "echo bye" TERM; ${body}`, 3, 10_000);
  const full = await run(slow, 3, 10_000);
  assert.equal(fast.code, 137);
  assert.deepEqual(fast, full);
  // The interpreter has no `trap` (its error is logged once, by both); then three iterations, 10 s apart.
  assert.match(fast.lines[0], /^0 stderr .*trap/);
  assert.deepEqual(fast.lines.slice(1, 4).map((l) => l.replace(/^\d+ /, '')), ['stdout tick web-0', 'stderr ls: /missing: No such file or directory', 'stdout One']);
  assert.deepEqual(fast.lines.slice(1).map((l) => Number(l.split(' ')[0])), [0, 0, 0, 10_000, 10_000, 10_000, 20_000, 20_000, 20_000]);
});

test('a sleep-only loop prints nothing and ends only when killed', async () => {
  const r = await run('while true; do sleep 5; done', 2, 5_000);
  assert.deepEqual(r, { code: 137, lines: [] });
});
