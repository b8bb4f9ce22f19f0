// The package as users get it: `npm pack` (which builds dist/ through prepack), install the tarball
// into a fresh project, then use it there — `npx skiff --version`, `npx skiff serve --in-memory
// --port 0` driven by kubectl (a CRD and a custom object, strategic-merge patch, explain: the lazily
// loaded parts and data files; `skiff` runs from dist/bundle/), `skiff envtest-assets`, a plain JavaScript test importing startCluster
// from 'skiff', and a TypeScript file type-checked against the shipped declarations.
// The install prefers npm's cache (--offline) and falls back to the registry; with neither, it skips.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'skiff-package-'));
const project = join(work, 'consumer');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
let skip: string | false = false;
let tarball = '';

function run(cmd: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
}
const out = (r: SpawnSyncReturns<string>) => `exit ${r.status}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-6).join(' | ')}`;

before(() => {
  const pack = run(npm, ['pack', '--pack-destination', work], ROOT);
  assert.equal(pack.status, 0, `npm pack failed: ${out(pack)}`);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  rmSync(project, { recursive: true, force: true });
  run('mkdir', ['-p', project], work);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  let install = run(npm, ['install', '--offline', tarball], project);
  if (install.status !== 0) install = run(npm, ['install', '--prefer-offline', tarball], project);
  if (install.status !== 0) skip = `cannot install the tarball's dependencies (no npm cache, no registry): ${out(install)}`;
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('carries compiled JavaScript, declarations and run-time data, and no TypeScript sources or tests', (t) => {
    if (skip) return t.skip(skip);
    const list = run('tar', ['-tzf', tarball], work).stdout.split('\n').filter(Boolean);
    for (const f of ['package/bin/skiff.js', 'package/bin/kube-apiserver.js', 'package/bin/etcd-standin.js', 'package/dist/index.js', 'package/dist/index.d.ts',
      'package/dist/cli-main.js', 'package/dist/bundle/cli-main.mjs', 'package/dist/openapi/openapi.bin', 'package/dist/kubelet/stages.default.yaml', 'package/dist/patch/smp-meta.generated.json']) {
      assert.ok(list.includes(f), `${f} is missing from the tarball`);
    }
    const strays = list.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /^package\/(src|test|bench|conformance|scripts)\//.test(f));
    assert.deepEqual(strays, []);
  });

  it('npx skiff --version names Skiff and the Kubernetes version', (t) => {
    if (skip) return t.skip(skip);
    const r = run('npx', ['--no-install', 'skiff', '--version'], project);
    assert.equal(r.status, 0, out(r));
    assert.match(r.stdout, /^Skiff \d+\.\d+\.\d+ \(serves Kubernetes v1\.\d+\.\d+\)\n$/);
  });

  it('npx skiff serve --in-memory --port 0 answers kubectl, including lazily loaded parts', { timeout: 120_000 }, async (t) => {
    if (skip) return t.skip(skip);
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (kubectl.status !== 0) return t.skip('kubectl is not on PATH');
    const child = spawn('npx', ['--no-install', 'skiff', 'serve', '--in-memory', '--port', '0', '--nodes', '1', '--data-dir', join(work, 'data')], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const ready = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { text += d; const m = /kubeconfig: (\S+)/.exec(text); if (m) resolve(m[1]); });
      child.on('exit', (code) => reject(new Error(`skiff exited ${code}: ${stderr}`)));
      setTimeout(() => reject(new Error(`skiff was not ready within 30 s: ${stderr}`)), 30_000).unref();
    });
    const k = (...args: string[]) => {
      const r = spawnSync('kubectl', ['--kubeconfig', ready, ...args], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    try {
      k('create', 'configmap', 'hello', '--from-literal=greeting=hi');
      k('patch', 'configmap', 'hello', '--type', 'strategic', '-p', '{"data":{"more":"yes"}}');
      assert.equal(JSON.parse(k('get', 'configmap', 'hello', '-o', 'json')).data.more, 'yes');
      assert.match(k('explain', 'pods.spec.containers.image'), /image/i);
      const crd = join(ROOT, 'conformance', 'go-envtest', 'testdata', 'crds', 'gadgets.yaml');
      k('apply', '-f', crd);
      k('wait', '--for', 'condition=Established', 'crd/gadgets.envtest.skiff.dev', '--timeout=30s');
      writeFileSync(join(work, 'gadget.yaml'), 'apiVersion: envtest.skiff.dev/v1\nkind: Gadget\nmetadata: {name: g1, namespace: default}\nspec: {message: hi}\n');
      k('apply', '-f', join(work, 'gadget.yaml'));
      assert.equal(JSON.parse(k('get', 'gadget', 'g1', '-o', 'json')).spec.message, 'hi');
      k('run', 'p1', '--image', 'nginx', '--restart', 'Never');
      k('wait', '--for', 'condition=Ready', 'pod/p1', '--timeout=60s');
    } finally {
      // npx does not pass signals on to the command it runs: signal the whole group (npx and skiff).
      const exited = new Promise((r) => child.on('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });

  it('on a Node older than the package supports, the installed skiff says so in one line and exits 2', (t) => {
    if (skip) return t.skip(skip);
    const old = ['/usr/bin/node', '/usr/local/bin/node'].map((p) => ({ p, v: spawnSync(p, ['--version'], { encoding: 'utf8' }) }))
      .find(({ v }) => v.status === 0 && /^v(1\d|20|21|22\.([0-9]|1[01]))\./.test(v.stdout));
    if (!old) return t.skip('no Node.js older than 22.12 on this machine');
    const r = spawnSync(old.p, [join(project, 'node_modules', 'skiff', 'bin', 'skiff.js'), '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `skiff: Skiff needs Node.js >= 22.12.0, found ${old.v.stdout.trim().slice(1)}\n`);
  });

  it('skiff envtest-assets writes working stand-ins from the installed package', (t) => {
    if (skip) return t.skip(skip);
    const dir = join(work, 'assets');
    const r = run('npx', ['--no-install', 'skiff', 'envtest-assets', dir], project);
    assert.equal(r.status, 0, out(r));
    for (const name of ['kube-apiserver', 'etcd', 'kubectl']) assert.ok(existsSync(join(dir, name)), name);
    const v = run(join(dir, 'kube-apiserver'), ['--version'], dir);
    assert.match(v.stdout, /^Kubernetes v1\.\d+\.\d+ \(Skiff /);
    assert.match(run(join(dir, 'etcd'), ['--version'], dir).stdout, /Skiff/);
  });

  it('a JavaScript test imports startCluster from the package, and TypeScript checks against its declarations', { timeout: 120_000 }, (t) => {
    if (skip) return t.skip(skip);
    copyFileSync(join(import.meta.dirname, 'package', 'consumer.test.mjs'), join(project, 'consumer.test.mjs'));
    const js = run(process.execPath, ['--test', 'consumer.test.mjs'], project);
    assert.equal(js.status, 0, `consumer test failed:\n${js.stdout}\n${js.stderr}`);
    copyFileSync(join(import.meta.dirname, 'package', 'consumer.ts'), join(project, 'consumer.ts'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2023', strict: true, noEmit: true, typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
      files: ['consumer.ts'],
    }));
    const tsc = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
    assert.equal(tsc.status, 0, `tsc against the package's declarations:\n${tsc.stdout}${tsc.stderr}`);
  });
});
