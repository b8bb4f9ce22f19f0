// Small pure pieces of the container userland: sh's options before -c, awk's one-character field
// separator, tail's follow flags, exec scripts with command substitutions, and read-only mounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, serialize, InMemoryFs } from 'just-bash';
import { shellOptionsInScript } from '../../src/streaming/exec.ts';
import { literalSeparator, followFlags } from '../../src/streaming/container-commands.ts';
import { byteExactScript } from '../../src/streaming/shell-output.ts';
import { readOnlyFs } from '../../src/kubelet/containers/read-only-fs.ts';

test('sh -x -c / -e -c / -ex -c: the options become a set line at the top of the script', () => {
  assert.deepEqual(shellOptionsInScript(['/bin/sh', '-x', '-c', 'echo hi']), ['/bin/sh', '-c', 'set -x\necho hi']);
  assert.deepEqual(shellOptionsInScript(['sh', '-e', '-x', '-c', 'a', 'name', 'arg']), ['sh', '-c', 'set -ex\na', 'name', 'arg']);
  assert.deepEqual(shellOptionsInScript(['bash', '-ex', '-c', 'a']), ['bash', '-c', 'set -ex\na']);
  // Untouched: no options, not a shell, no -c, an unknown option, -c without a script.
  for (const argv of [['sh', '-c', 'a'], ['ls', '-x', '-c', 'a'], ['sh', '-x', 'script.sh'], ['sh', '-o', 'pipefail', '-c', 'a'], ['sh', '-x', '-c'], []]) {
    assert.deepEqual(shellOptionsInScript(argv), argv);
  }
});

test('awk -F with one character is that character; regexes, space, tabs and other options stay as given', () => {
  assert.deepEqual(literalSeparator(['-F.', '{print $1}']), ['-F[.]', '{print $1}']);
  assert.deepEqual(literalSeparator(['-F', '|', '{print $2}']), ['-F', '[|]', '{print $2}']);
  assert.deepEqual(literalSeparator(['-v', 'x=1', '-F.', 'prog']), ['-v', 'x=1', '-F[.]', 'prog']);
  assert.deepEqual(literalSeparator(['-F^', 'p']), ['-F\\^', 'p']);
  assert.deepEqual(literalSeparator(['-F', ' ', 'p']), ['-F', ' ', 'p']);
  assert.deepEqual(literalSeparator(['-F', '[.:]', 'p']), ['-F', '[.:]', 'p']);
  assert.deepEqual(literalSeparator(['{print}', '-F.']), ['{print}', '-F.'], 'after the program text it is a file name');
  assert.deepEqual(literalSeparator(['-F']), ['-F'], 'a missing value is left for awk to refuse');
});

test('tail follow flags', () => {
  assert.deepEqual(followFlags(['-f', '/dev/null']), { follow: true, rest: ['/dev/null'] });
  assert.deepEqual(followFlags(['-n', '5', '--follow=name', 'x']), { follow: true, rest: ['-n', '5', 'x'] });
  assert.deepEqual(followFlags(['-c', '+3', 'x']), { follow: false, rest: ['-c', '+3', 'x'] });
});

test('exec scripts with $(...) or backquotes run as written (a shell-wide exec redirection would swallow them)', () => {
  const jb = { parse, serialize };
  assert.equal(byteExactScript('for i in $(seq 1 3); do echo $i; done', jb, '/o', '/e'), undefined);
  assert.equal(byteExactScript('x=`date`; echo $x', jb, '/o', '/e'), undefined);
  assert.equal(byteExactScript('echo plain', jb, '/o', '/e'), 'exec >/o 2>/e; echo plain');
});

test('a read-only filesystem reads through and refuses every change with EROFS', async () => {
  const inner = new InMemoryFs({ '/a': 'x' });
  const ro = readOnlyFs(inner);
  assert.equal(await ro.readFile('/a'), 'x');
  assert.equal(await ro.exists('/a'), true);
  for (const op of [() => ro.writeFile('/b', 'y'), () => ro.appendFile('/a', 'y'), () => ro.mkdir('/d'), () => ro.rm('/a'), () => ro.chmod('/a', 0o777), () => ro.cp('/a', '/c'), () => ro.mv('/a', '/c')]) {
    await assert.rejects(op(), (e: any) => e.code === 'EROFS' && /^EROFS: read-only file system, /.test(e.message));
  }
  assert.equal(await inner.exists('/b'), false);
  assert.equal(await inner.readFile('/a'), 'x');
});
