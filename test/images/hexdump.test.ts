// busybox hexdump -C as the emulated containers run it: canonical lines, folded repeats, the length
// line, stdin, missing files and the formats that are not emulated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryFs } from 'just-bash';
import { canonical, hexdump } from '../../src/images/system/hexdump.ts';
import type { ProgramIO } from '../../src/images/types.ts';

async function run(argv: string[], files: Record<string, Uint8Array> = {}, stdin?: Buffer) {
  const fs = new InMemoryFs();
  for (const [p, b] of Object.entries(files)) await fs.writeFile(p, b);
  let out = '', err = '';
  const io = { argv: ['hexdump', ...argv], env: {}, cwd: '/', fs, stdout: (c: string | Buffer) => { out += String(c); }, stderr: (c: string | Buffer) => { err += String(c); },
    ...(stdin ? { stdin: (async function* () { yield stdin; })() } : {}) } as unknown as ProgramIO;
  const code = await hexdump(io);
  return { code, out, err };
}

test('canonical format: 16 bytes a line in two groups, printable characters, the total length', () => {
  assert.equal(canonical(Buffer.from('0123456789abcdefXY')),
    '00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n' +
    '00000010  58 59                                             |XY|\n00000012\n');
  assert.equal(canonical(new Uint8Array(0)), '');
  assert.equal(canonical(new Uint8Array(48)), `00000000  ${'00 '.repeat(8)} ${'00 '.repeat(8)} |${'.'.repeat(16)}|\n*\n00000030\n`);
});

test('files are concatenated; stdin when none; a missing file is an error, the rest is still dumped', async () => {
  const r = await run(['-C', '/a', '/nope'], { '/a': new Uint8Array([0xde, 0xca, 0xfe]) });
  assert.equal(r.code, 1);
  assert.equal(r.err, 'hexdump: /nope: No such file or directory\n');
  assert.equal(r.out, '00000000  de ca fe                                          |...|\n00000003\n');
  const s = await run(['-C'], {}, Buffer.from('hi'));
  assert.equal(s.out, '00000000  68 69                                             |hi|\n00000002\n');
});

test('formats other than -C are refused by name', async () => {
  for (const argv of [['-x', '/a'], ['/a']]) {
    const r = await run(argv, { '/a': new Uint8Array([1]) });
    assert.equal(r.code, 1);
    assert.match(r.err, /only the canonical format \(-C\) is emulated/);
    assert.equal(r.out, '');
  }
});
