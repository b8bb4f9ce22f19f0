// The atomic-writer layout of configMap/secret/downwardAPI/projected volumes (..data -> ..<time>,
// user-visible links through ..data, updates swapping ..data), the filesystem view that resolves
// links whose targets run through other links, and what `ls -la` shows of it in a container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { publish, resolvingFs, versionDirName } from '../../../src/kubelet/containers/atomic-writer.ts';
import { loadJustBash, newShell } from '../../../src/kubelet/containers/shell.ts';

const jb = await loadJustBash();
const VERSION = /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d+$/;

test('version directories are named ..YYYY_MM_DD_HH_MM_SS.N in UTC', () => {
  const name = versionDirName(new Date(Date.UTC(2026, 11, 7, 5, 4, 3)));
  assert.match(name, /^\.\.2026_12_07_05_04_03\.\d+$/);
});

test('first version: ..data links to a version directory, each top-level name links through ..data', async () => {
  const raw = new jb.InMemoryFs();
  await publish(raw, [{ path: 'a.txt', content: 'first', mode: 0o400 }, { path: 'sub/deep/renamed', content: 'bee', mode: 0o600 }]);
  const names = await raw.readdir('/');
  const version = await raw.readlink('/..data');
  assert.match(version, VERSION);
  assert.deepEqual(names.sort(), [version, '..data', 'a.txt', 'sub'].sort());
  assert.equal(await raw.readlink('/a.txt'), '..data/a.txt');
  assert.equal(await raw.readlink('/sub'), '..data/sub');
  assert.equal((await raw.stat(`/${version}`)).mode & 0o777, 0o755);
  const fs = resolvingFs(raw);
  assert.equal(await fs.readFile('/a.txt'), 'first');
  assert.equal((await fs.stat('/a.txt')).mode & 0o777, 0o400, 'stat follows the links to the file');
  assert.equal((await fs.lstat('/a.txt')).isSymbolicLink, true, 'lstat does not');
  assert.equal(await fs.readFile('/sub/deep/renamed'), 'bee');
  assert.deepEqual(await fs.readdir('/sub'), ['deep']);
  assert.equal(await fs.exists('/missing'), false);
  await assert.rejects(fs.readFile('/nope'), /ENOENT/);
});

test('an update writes a new version, swaps ..data, adds and removes user-visible links, drops the old version', async () => {
  const raw = new jb.InMemoryFs();
  await publish(raw, [{ path: 'a', content: '1', mode: 0o644 }, { path: 'gone', content: 'x', mode: 0o644 }]);
  const v1 = await raw.readlink('/..data');
  await publish(raw, [{ path: 'a', content: '2', mode: 0o644 }, { path: 'new/f', content: 'n', mode: 0o644 }]);
  const v2 = await raw.readlink('/..data');
  assert.notEqual(v1, v2);
  assert.match(v2, VERSION);
  assert.deepEqual((await raw.readdir('/')).sort(), [v2, '..data', 'a', 'new'].sort());
  const fs = resolvingFs(raw);
  assert.equal(await fs.readFile('/a'), '2');
  assert.equal(await fs.readFile('/new/f'), 'n');
  assert.equal(await fs.exists('/gone'), false);
  assert.equal(await raw.exists('/..data_tmp'), false);
  // An empty payload (an optional configMap that is gone) keeps the layout with nothing in it.
  await publish(raw, []);
  const v3 = await raw.readlink('/..data');
  assert.deepEqual((await raw.readdir('/')).sort(), [v3, '..data'].sort());
});

test('lazy content (a service account token) is made on the first read or stat, with the file\'s mode, and kept', async () => {
  const raw = new jb.InMemoryFs();
  let made = 0;
  const token = { id: 'token 1', value: () => { made++; return 'aaa.bbb.ccc'; } };
  await publish(raw, [{ path: 'token', content: token, mode: 0o640 }, { path: 'namespace', content: 'default', mode: 0o640 }]);
  assert.equal(made, 0, 'publishing does not make it');
  const fs = resolvingFs(raw);
  assert.deepEqual((await fs.readdir('/')).filter((n) => !n.startsWith('..')).sort(), ['namespace', 'token']);
  const st = await fs.stat('/token');
  assert.equal(st.size, 11);
  assert.equal(st.mode & 0o777, 0o640);
  assert.equal(await fs.readFile('/token'), 'aaa.bbb.ccc');
  assert.equal(await fs.readFile('/token'), 'aaa.bbb.ccc');
  assert.equal(made, 1);
  // A filesystem that cannot defer a file gets the content at once.
  const plain = new jb.InMemoryFs();
  const eager = { id: 'token 2', value: () => 'x.y.z' };
  await publish(new Proxy(plain, { get: (t, k) => (k === 'writeFileLazy' ? undefined : Reflect.get(t, k, t)) }), [{ path: 't', content: eager, mode: 0o600 }]);
  assert.equal(await resolvingFs(plain).readFile('/t'), 'x.y.z');
  assert.equal((await resolvingFs(plain).stat('/t')).mode & 0o777, 0o600);
});

test('the resolving view: relative and absolute targets, .. in targets, link loops', async () => {
  const raw = new jb.InMemoryFs({ '/d/file': 'x' });
  await raw.symlink('d', '/l1');
  await raw.symlink('l1/file', '/l2');
  await raw.symlink('/l2', '/abs');
  await raw.symlink('d/../d/file', '/dots');
  await raw.symlink('loop-b', '/loop-a');
  await raw.symlink('loop-a', '/loop-b');
  const fs = resolvingFs(raw);
  assert.equal(await fs.readFile('/l2'), 'x');
  assert.equal(await fs.readFile('/abs'), 'x');
  assert.equal(await fs.readFile('/dots'), 'x');
  assert.equal(await fs.readlink('/abs'), '/l2');
  await assert.rejects(fs.readFile('/loop-a'), /ELOOP/);
  assert.equal(await fs.exists('/loop-a'), false);
  await fs.writeFile('/l1/new', 'w');
  assert.equal(await raw.readFile('/d/new'), 'w', 'writes go through the link');
  await fs.rm('/l2');
  assert.equal(await raw.exists('/d/file'), true, 'rm removes the link, not its target');
});

test('ls -la in a container shows the layout as busybox does; cat and stat read through it', async () => {
  const raw = new jb.InMemoryFs();
  await publish(raw, [{ path: 'index.html', content: '<h1>hi</h1>', mode: 0o400 }]);
  const root = new jb.MountableFs({ base: new jb.InMemoryFs({ '/tmp/.keep': '' }) });
  root.mount('/srv', resolvingFs(raw));
  const sh = newShell(jb, { fs: root, env: { PATH: '/bin' }, cwd: '/', hostname: 'h' });
  const version = await raw.readlink('/..data');
  const r = await sh.exec('ls -la /srv; cat /srv/index.html; echo; ls /srv; ls -F /srv', { cwd: '/' });
  const lines = r.stdout.split('\n');
  assert.ok(lines.some((l) => new RegExp(`^lrwxrwxrwx 1 root root +${version.length} .* \\.\\.data -> ${version.replace(/\./g, '\\.')}$`).test(l)), r.stdout);
  assert.ok(lines.some((l) => /^lrwxrwxrwx 1 root root +17 .* index\.html -> \.\.data\/index\.html$/.test(l)), r.stdout);
  assert.ok(lines.some((l) => new RegExp(`^drwxr-xr-x 1 root root .* ${version.replace(/\./g, '\\.')}$`).test(l)), `no trailing slash: ${r.stdout}`);
  assert.ok(lines.includes('<h1>hi</h1>'), r.stdout);
  assert.ok(lines.includes('index.html'), r.stdout);
  const inner = await sh.exec(`ls -l /srv/${version}`, { cwd: '/' });
  assert.match(inner.stdout, /^-r-------- 1 root root .* index\.html$/m);
});
