// images/lazy-program: a catalogue program's module is loaded on its first run, once; a failed load is
// tried again on the next run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lazyProgram } from '../../src/images/lazy-program.ts';
import type { Program, ProgramIO } from '../../src/images/types.ts';

const io = {} as ProgramIO;

test('the loader runs once, on the first run, and every run gets the loaded program', async () => {
  let loads = 0;
  const prog = lazyProgram(async () => { loads++; return (async () => 7) as Program; });
  assert.equal(loads, 0);
  assert.deepEqual(await Promise.all([prog(io), prog(io)]), [7, 7]);
  assert.equal(await prog(io), 7);
  assert.equal(loads, 1);
});

test('a load that fails fails that run, and the next run loads again', async () => {
  let loads = 0;
  const prog = lazyProgram(async () => { if (++loads === 1) throw new Error('module not found'); return (async () => 0) as Program; });
  await assert.rejects(prog(io), /module not found/);
  assert.equal(await prog(io), 0);
  assert.equal(await prog(io), 0);
  assert.equal(loads, 2);
});

test('nginx\'s docker-entrypoint finds the program it execs in the catalogue, on every run', async () => {
  const { dockerEntrypoint } = await import('../../src/images/web/entrypoint.ts');
  const run = async (argv: string[]) => {
    let out = '', err = '';
    const ac = new AbortController();
    const code = await dockerEntrypoint({ ...io, argv, env: {}, cwd: '/', signal: ac.signal, stdout: (c) => { out += c; }, stderr: (c) => { err += c; } } as ProgramIO);
    return { code, out, err };
  };
  for (let i = 0; i < 2; i++) {
    const missing = await run(['/docker-entrypoint.sh', 'no-such-program']);
    assert.equal(missing.code, 127);
    assert.equal(missing.err, '/docker-entrypoint.sh: exec: line 47: no-such-program: not found\n');
  }
  assert.equal((await run(['/docker-entrypoint.sh'])).code, 0);
});
