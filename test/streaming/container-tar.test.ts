// tar in the simulated container, the way kubectl cp drives it: `tar cf - <path>` out of the pod,
// `tar -xmf - -C <dir>` into it, with every byte value surviving both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { runInContainer } from '../../src/streaming/exec.ts';
import { memberName, parseTarArgs } from '../../src/streaming/container-tar.ts';
import type { ContainerRef } from '../../src/streaming/common.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cp', namespace: 'default', uid: 'container-tar-test' }, spec: { containers: [{ name: 'c' }] } } as unknown as KObject;
const c: ContainerRef = { name: 'c', kind: 'container' };
const run = (argv: string[], stdin?: Buffer) => runInContainer(pod, c, argv, stdin);

/** Every byte value, several times over, in an order that is not just ascending. */
const ALL = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)), Buffer.from('\r\n\0héllo ✓\n')]);

async function members(archive: Buffer): Promise<{ name: string; type: string; body: Buffer; linkname?: string }[]> {
  const out: { name: string; type: string; body: Buffer; linkname?: string }[] = [];
  const x = extract();
  const done = (async () => {
    for await (const e of x) {
      const parts: Buffer[] = [];
      for await (const b of e) parts.push(b as Buffer);
      out.push({ name: e.header.name, type: e.header.type, body: Buffer.concat(parts), linkname: e.header.linkname || undefined });
    }
  })();
  x.end(archive);
  await done;
  return out;
}

async function tarOf(files: Record<string, Buffer | null>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => { for await (const b of p) chunks.push(b as Buffer); })();
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((res, rej) => {
      const cb = (e?: Error | null) => (e ? rej(e) : res());
      if (body === null) p.entry({ name, type: 'directory', mode: 0o755 }, cb); else p.entry({ name, mode: 0o644 }, body, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

test('stdin and stdout carry arbitrary bytes unchanged (file written by cat, read back by cat)', async () => {
  const w = await run(['sh', '-c', 'cat > /tmp/all.bin'], ALL);
  assert.equal(w.exitCode, 0, w.stderr.toString());
  assert.equal((await run(['wc', '-c', '/tmp/all.bin'])).stdout.toString().trim(), `${ALL.length} /tmp/all.bin`);
  assert.deepEqual((await run(['cat', '/tmp/all.bin'])).stdout, ALL);
  assert.deepEqual((await run(['cat'], ALL)).stdout, ALL);
});

test('tar cf - /abs/file: GNU member name without the leading /, the bytes intact, the note on stderr', async () => {
  await run(['sh', '-c', 'cat > /tmp/one.bin'], ALL);
  const r = await run(['tar', 'cf', '-', '/tmp/one.bin']);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stderr.toString(), "tar: Removing leading `/' from member names\n");
  const m = await members(r.stdout);
  assert.deepEqual(m.map((e) => [e.name, e.type]), [['tmp/one.bin', 'file']]);
  assert.deepEqual(m[0].body, ALL);
});

test('tar cf - /abs/dir: the directory and everything under it, names relative, sorted', async () => {
  await run(['sh', '-c', 'mkdir -p /srv/d/sub && cat > /srv/d/a.bin && echo x > /srv/d/sub/x.txt && ln -s a.bin /srv/d/link'], ALL);
  const r = await run(['tar', 'cf', '-', '/srv/d/']);
  assert.equal(r.exitCode, 0, r.stderr.toString());
  const m = await members(r.stdout);
  assert.deepEqual(m.map((e) => [e.name, e.type]), [['srv/d/', 'directory'], ['srv/d/a.bin', 'file'], ['srv/d/link', 'symlink'], ['srv/d/sub/', 'directory'], ['srv/d/sub/x.txt', 'file']]);
  assert.deepEqual(m[1].body, ALL);
  assert.equal(m[2].linkname, 'a.bin');
  // Relative operands keep their names; -C is positional; -z gzips; -P keeps the leading '/'.
  const rel = await run(['sh', '-c', 'cd /srv && tar -czf - d/sub/x.txt -C / srv/d/a.bin']);
  assert.deepEqual((await members(gunzipSync(rel.stdout))).map((e) => e.name), ['d/sub/x.txt', 'srv/d/a.bin']);
  assert.equal(rel.stderr.length, 0);
  const abs = await run(['tar', '-P', '-c', '-f', '-', '/srv/d/sub']);
  assert.deepEqual((await members(abs.stdout)).map((e) => e.name), ['/srv/d/sub/', '/srv/d/sub/x.txt']);
});

test('tar -xmf - -C dir (kubectl cp into the pod): the archive on stdin is unpacked byte for byte', async () => {
  const archive = await tarOf({ 'up/': null, 'up/all.bin': ALL, 'up/sub/': null, 'up/sub/t.txt': Buffer.from('text\n') });
  // The -C directory need not exist (the simulated filesystem lacks the image's directories); a file in its way is fatal.
  await run(['sh', '-c', 'echo > /var/file']);
  const blocked = await run(['tar', '-xmf', '-', '-C', '/var/file'], archive);
  assert.equal(blocked.exitCode, 2);
  assert.equal(blocked.stderr.toString(), 'tar: /var/file: Cannot open: Not a directory\ntar: Error is not recoverable: exiting now\n');
  const r = await run(['tar', '-xmf', '-', '-C', '/var/in'], archive);
  assert.equal(r.exitCode, 0, r.stderr.toString());
  assert.deepEqual((await run(['cat', '/var/in/up/all.bin'])).stdout, ALL);
  assert.equal((await run(['cat', '/var/in/up/sub/t.txt'])).stdout.toString(), 'text\n');
  // ... and what went in comes out again through tar cf.
  const back = await members((await run(['tar', 'cf', '-', '/var/in/up'])).stdout);
  assert.deepEqual(back.find((e) => e.name === 'var/in/up/all.bin')?.body, ALL);
});

test('tar -x: gzip input, -v, -k, leading / and .. in member names, absolute symlinks, a damaged archive', async () => {
  await run(['mkdir', '-p', '/x']);
  const gz = gzipSync(await tarOf({ 'g/': null, 'g/a': Buffer.from('A') }));
  const v = await run(['tar', 'xvf', '-', '-C', '/x'], gz);
  assert.equal(v.exitCode, 0, v.stderr.toString());
  assert.equal(v.stdout.toString(), 'g/\ng/a\n');
  assert.equal((await run(['cat', '/x/g/a'])).stdout.toString(), 'A');
  const again = await run(['tar', '-xkf', '-', '-C', '/x'], await tarOf({ 'g/a': Buffer.from('B') }));
  assert.equal(again.exitCode, 2);
  assert.match(again.stderr.toString(), /^tar: g\/a: Cannot open: File exists\n/);
  assert.equal((await run(['cat', '/x/g/a'])).stdout.toString(), 'A');
  const odd = await run(['tar', '-xf', '-', '-C', '/x'], await tarOf({ '/abs/f': Buffer.from('abs'), '../up/f': Buffer.from('no'), 'g/a': Buffer.from('C') }));
  assert.equal(odd.exitCode, 2);
  assert.equal(odd.stderr.toString(), "tar: Removing leading `/' from member names\ntar: ../up/f: Member name contains '..'\ntar: Exiting with failure status due to previous errors\n");
  assert.equal((await run(['cat', '/x/abs/f'])).stdout.toString(), 'abs');
  assert.equal((await run(['cat', '/x/g/a'])).stdout.toString(), 'C', 'an existing file is replaced');
  assert.equal((await run(['test', '-e', '/up/f'])).exitCode, 1);
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => { for await (const b of p) chunks.push(b as Buffer); })();
  p.entry({ name: 'l', type: 'symlink', linkname: '/etc/hostname' });
  p.finalize();
  await collected;
  assert.equal((await run(['tar', '-xf', '-', '-C', '/x'], Buffer.concat(chunks))).exitCode, 0);
  assert.equal((await run(['readlink', '/x/l'])).stdout.toString(), '/etc/hostname\n');
  const bad = await run(['tar', '-xf', '-', '-C', '/x'], Buffer.alloc(1024, 7));
  assert.equal(bad.exitCode, 2);
  assert.match(bad.stderr.toString(), /This does not look like a tar archive/);
});

test('a missing path: GNU messages, exit 2, still a well-formed (empty) archive', async () => {
  const r = await run(['tar', 'cf', '-', '/no/such']);
  assert.equal(r.exitCode, 2);
  assert.equal(r.stderr.toString(), "tar: Removing leading `/' from member names\ntar: /no/such: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n");
  assert.deepEqual(await members(r.stdout), []);
  const empty = await run(['tar', 'cf', '-']);
  assert.equal(empty.exitCode, 2);
  assert.match(empty.stderr.toString(), /Cowardly refusing to create an empty archive/);
});

test('an archive written to a file with -v lists members; list mode is the interpreter\'s tar', async () => {
  await run(['sh', '-c', 'mkdir -p /w/d && echo hi > /w/d/f']);
  const r = await run(['tar', '-cvf', '/w/d.tar', '-C', '/w', 'd']);
  assert.equal(r.exitCode, 0, r.stderr.toString());
  assert.equal(r.stdout.toString(), 'd/\nd/f\n');
  assert.equal((await run(['tar', 'tf', '/w/d.tar'])).stdout.toString(), 'd/\nd/f\n');
});

test('argument parsing: old-style bundles, clusters, long options, other modes', () => {
  assert.deepEqual(parseTarArgs(['cf', '-', '/tmp/a']), { create: true, extract: false, otherMode: false, file: '-', verbose: false, gzip: false, absolute: false, touch: false, keepOld: false, members: [{ dir: undefined, path: '/tmp/a' }] });
  const p = parseTarArgs(['-czvf', 'o.tgz', '-C', '/x', 'a', '--directory=/y', 'b']);
  assert.equal(p.file, 'o.tgz');
  assert.ok(p.gzip && p.verbose && p.create);
  assert.deepEqual(p.members, [{ dir: '/x', path: 'a' }, { dir: '/y', path: 'b' }]);
  assert.equal(parseTarArgs(['-cf-', 'a']).file, '-');
  assert.equal(parseTarArgs(['--create', '--file', 'f', 'a']).file, 'f');
  const x = parseTarArgs(['-xmf', '-', '-C', '/tmp']);
  assert.ok(x.extract && x.touch && !x.create && !x.otherMode && x.dir === '/tmp' && x.file === '-');
  assert.equal(parseTarArgs(['tf', 'a.tar']).otherMode, true);
  assert.equal(parseTarArgs(['cjf', 'a.tbz', 'a']).unsupported, '-j');
  assert.equal(parseTarArgs(['-c', '--exclude=*.o', 'a']).unsupported, '--exclude');
  assert.deepEqual(parseTarArgs(['-c', '--', '-odd']).members, [{ dir: undefined, path: '-odd' }]);
});

test('member names follow GNU tar', () => {
  assert.deepEqual(memberName('/tmp/a', false), { name: 'tmp/a', removed: '/' });
  assert.deepEqual(memberName('tmp/a/', false), { name: 'tmp/a', removed: undefined });
  assert.deepEqual(memberName('../x/../y', false), { name: 'y', removed: '../x/../' });
  assert.deepEqual(memberName('//a', false), { name: 'a', removed: '//' });
  assert.deepEqual(memberName('/tmp/a', true), { name: '/tmp/a' });
});

test('tail -c +N is recognised in all its spellings; anything else is left to the interpreter', async () => {
  const { parseTailFrom } = await import('../../src/streaming/container-tail.ts');
  for (const args of [['-c+5'], ['-c', '+5'], ['--bytes=+5'], ['--bytes', '+5'], ['-c+5', '-']]) assert.equal(parseTailFrom(args)?.from, 5, args.join(' '));
  assert.deepEqual(parseTailFrom(['-c', '+1', '/f']), { from: 1, files: ['/f'] });
  for (const args of [['-c', '5'], ['-n', '+2'], ['-c+5', '-q'], ['-c+5', 'a', 'b'], ['/f'], ['-c', '+x']]) assert.equal(parseTailFrom(args), undefined, args.join(' '));
  await run(['sh', '-c', 'cat > /tmp/tail.bin'], ALL);
  assert.deepEqual((await run(['tail', '-c+257', '/tmp/tail.bin'])).stdout, ALL.subarray(256));
  assert.deepEqual((await run(['tail', '-c', '+1'], ALL)).stdout, ALL);
  assert.deepEqual((await run(['tail', '-c', '10', '/tmp/tail.bin'])).stdout, ALL.subarray(-10));
  const missing = await run(['tail', '-c+1', '/tmp/none']);
  assert.equal(missing.exitCode, 1);
  assert.equal(missing.stderr.toString(), "tail: cannot open '/tmp/none' for reading: No such file or directory\n");
});
