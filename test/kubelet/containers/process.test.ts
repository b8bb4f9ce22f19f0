// A container's main process: scripts stream their output line by line while they run (the
// streaming rewrite keeps pipelines, redirections, functions and substitutions correct), sleep
// follows the fake clock, SIGTERM is ignored by a shell (killed after the grace period).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.ts';
import { Logbook } from '../../../src/kubelet/containers/logbook.ts';
import { startProcess } from '../../../src/kubelet/containers/process.ts';
import { streamingFs } from '../../../src/kubelet/containers/stream.ts';
import { loadJustBash } from '../../../src/kubelet/containers/shell.ts';

async function proc(argv: string[], clock = new FakeClock()) {
  const jb = await loadJustBash();
  const log = new Logbook(() => clock.now());
  const fs = streamingFs(new jb.InMemoryFs({ '/tmp/.keep': '', '/dev/null': '' }), () => ({ stdout: (t) => log.write('stdout', t), stderr: (t) => log.write('stderr', t) }));
  const p = startProcess({ argv, env: { PATH: '/bin' }, cwd: '/', hostname: 'h', fs, log, clock, pod: { metadata: { name: 'p' } }, container: 'c' });
  return { p, log, clock };
}
const text = (log: Logbook, stream?: string) => log.lines.filter((l) => !stream || l.stream === stream).map((l) => l.text);

test('output keeps shell semantics: pipelines, 2>&1, >/dev/null, functions, substitutions, loops', async () => {
  const { p, log } = await proc(['sh', '-c', 'echo a | tr a b; echo e 2>&1 >/dev/null; echo quiet >/dev/null; f() { echo fn; }; f; x=$(echo sub); echo "$x"; for i in 1 2; do echo "n$i"; done; if true; then echo yes; fi; echo err >&2; exit 7']);
  const exit = await p.done;
  assert.equal(exit.code, 7);
  assert.deepEqual(text(log, 'stdout'), ['b', 'fn', 'sub', 'n1', 'n2', 'yes']);
  assert.deepEqual(text(log, 'stderr'), ['err']);
});

test('a loop streams each line when it is printed, at the simulated time', async () => {
  const { p, log, clock } = await proc(['sh', '-c', 'while true; do echo hi; sleep 10; done']);
  for (let i = 0; i < 20 && log.lines.length < 1; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(log.lines.length, 1);
  clock.advance(10_000);
  for (let i = 0; i < 20 && log.lines.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(log.lines.map((l) => l.ts - log.lines[0].ts), [0, 10_000]);
  p.term();
  clock.advance(10_000);
  for (let i = 0; i < 20 && log.lines.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(log.lines.length, 3, 'a shell ignores SIGTERM');
  p.kill();
  assert.equal((await p.done).code, 137);
});

test('args of sh -c become positional parameters; a bare command runs; a missing one is a start error', async () => {
  const a = await proc(['sh', '-c', 'echo "$1-$2"', 'name', 'x', 'y']);
  assert.equal((await a.p.done).code, 0);
  assert.deepEqual(text(a.log), ['x-y']);
  const b = await proc(['echo', 'hello', 'world']);
  await b.p.done;
  assert.deepEqual(text(b.log), ['hello world']);
  const c = await proc(['/no/such/binary']);
  const e = await c.p.done;
  assert.equal(e.code, 128);
  assert.match(e.startError!, /exec: "\/no\/such\/binary": executable file not found in \$PATH/);
  const d = await proc(['sh']);
  assert.equal((await d.p.done).code, 0);
});

test('/pause runs without its program but as it does: "Paused", then on SIGTERM its shutdown line and status 0; kill is 137', async () => {
  const { PROGRAMS } = await import('../../../src/images/programs.ts');
  // What the program itself prints, run with a signal of its own.
  const ctl = new AbortController();
  const out: string[] = [];
  const io = { argv: ['/pause'], env: {}, cwd: '/', signal: ctl.signal, stdout: (c: string | Uint8Array) => { out.push(String(c)); }, stderr: () => {}, now: () => 0, sleep: async () => {} } as any;
  const prog = PROGRAMS.pause(io);
  for (let i = 0; i < 50 && !out.length; i++) await new Promise((r) => setTimeout(r, 5));
  ctl.abort();
  assert.equal(await prog, 0);

  const a = await proc(['/pause']);
  assert.deepEqual(text(a.log), ['Paused']);
  assert.equal(a.log.closed, false);
  a.p.term();
  assert.equal((await a.p.done).code, 0);
  assert.equal(a.log.closed, true);
  assert.deepEqual(text(a.log, 'stdout').map((l) => `${l}\n`), out);
  a.p.kill();
  assert.equal((await a.p.done).code, 0, 'killed after it exited: the exit stands');

  const b = await proc(['/pause']);
  b.p.kill();
  assert.equal((await b.p.done).code, 137);
  assert.deepEqual(text(b.log), ['Paused', 'Shutting down, got signal: Terminated']);
});
