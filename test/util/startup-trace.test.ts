// The start-up trace (SKIFF_STARTUP_TRACE): the line skiff serve writes after ready holds the phases up
// to ready, written a moment later, not the phases recorded meanwhile. In a child process: the
// variable is read when the module loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const mod = new URL('../../src/util/startup-trace.ts', import.meta.url).href;

test('writeTraceLater: the phases so far, on stderr after the call returns; later phases left out', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
const { phase, traceLine, writeTraceLater } = await import(${JSON.stringify(mod)});
phase('first'); phase('second');
writeTraceLater();
process.stderr.write('returned\\n');
phase('after ready');
console.log(JSON.stringify({ one: traceLine(1) }));
`], { encoding: 'utf8', env: { ...process.env, SKIFF_STARTUP_TRACE: '1' }, timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines[0], 'returned');
  const m = /^skiff-startup-trace (\{.*\})$/.exec(lines[1]);
  assert.ok(m, r.stderr);
  assert.deepEqual(Object.keys(JSON.parse(m[1])), ['node boot', 'first', 'second']);
  const one = /skiff-startup-trace (\{.*\})/.exec(JSON.parse(r.stdout).one)!;
  assert.deepEqual(Object.keys(JSON.parse(one[1])), ['node boot', 'first']);
});

test('tracing off: no line', () => {
  const env = { ...process.env };
  delete env.SKIFF_STARTUP_TRACE;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
const { phase, traceLine, writeTraceLater } = await import(${JSON.stringify(mod)});
phase('first'); writeTraceLater(); process.stdout.write(JSON.stringify(traceLine()));
`], { encoding: 'utf8', env, timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '""');
  assert.equal(r.stderr, '');
});
