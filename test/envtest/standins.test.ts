// The envtest stand-ins as envtest drives them: kube-apiserver with the certificates envtest writes
// (serving cert in --cert-dir, client CA, service-account signing key), client-certificate users,
// unknown flags, bad flags, --help/--version and SIGTERM; the etcd stand-in's /health; envtest-assets.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, helpText } from '../../src/envtest/flags.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'skiff-envtest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA (name) and a certificate it signs for `subj`, as PEM files in `dir`. */
function makeCerts(): void {
  const ext = join(dir, 'ext.cnf');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const ca of ['serving-ca', 'client-ca', 'rogue-ca']) openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '1', '-subj', `/CN=${ca}`);
  const sign = (name: string, ca: string, subj: string, extfile?: string) => {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...(extfile ? ['-extfile', extfile] : []));
  };
  sign('certs/apiserver', 'serving-ca', '/CN=apiserver', ext);
  sign('admin', 'client-ca', '/O=system:masters/O=team/CN=alice');
  sign('plain', 'client-ca', '/O=team/CN=bob');
  sign('rogue', 'rogue-ca', '/O=system:masters/CN=mallory');
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'certs/sa-signer.key');
}

const freePort = () => new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });

function call(port: number, method: string, path: string, who?: string, body?: unknown): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const r = httpsRequest({ host: '127.0.0.1', port, method, path, agent: false, ca: readFileSync(join(dir, 'serving-ca.crt')),
      ...(who ? { cert: readFileSync(join(dir, `${who}.crt`)), key: readFileSync(join(dir, `${who}.key`)) } : {}),
      headers: { 'Content-Type': 'application/json' } }, (res) => {
      let t = '';
      res.setEncoding('utf8').on('data', (d) => (t += d)).on('end', () => { let b; try { b = JSON.parse(t); } catch { b = t; } resolve({ code: res.statusCode!, body: b }); });
    });
    r.on('error', reject);
    r.end(payload);
  });
}

describe('kube-apiserver stand-in', { skip: hasOpenssl ? false : 'openssl is not on PATH' }, () => {
  let child: ChildProcess;
  let port: number;
  let stderr = '';
  before(async () => {
    spawnSync('mkdir', ['-p', join(dir, 'certs')]);
    makeCerts();
    port = await freePort();
    child = spawn(process.execPath, [join(ROOT, 'bin', 'kube-apiserver.js'), `--secure-port=${port}`, '--bind-address=127.0.0.1', `--cert-dir=${join(dir, 'certs')}`,
      `--client-ca-file=${join(dir, 'client-ca.crt')}`, `--service-account-signing-key-file=${join(dir, 'certs', 'sa-signer.key')}`, '--etcd-servers=http://127.0.0.1:1',
      '--authorization-mode=RBAC', '--frobnicate=yes', '--also-unknown', 'value', '--service-cluster-ip-range=10.0.0.0/24'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      const check = () => { if (stderr.includes('serving at')) resolve(); };
      child.stderr!.on('data', check);
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${stderr}`)));
    });
  });
  after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });

  it('names the unknown flags in one line and ignores them', () => {
    const lines = stderr.split('\n').filter((l) => l.includes('ignoring'));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /--frobnicate --also-unknown$/);
  });

  it('serves with the certificate from --cert-dir and answers /healthz', async () => {
    const r = await call(port, 'GET', '/healthz');
    assert.equal(r.code, 200);
  });

  it('authenticates client certificates from the client CA: CN is the user, O the groups', async () => {
    const who = await call(port, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', 'admin', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    assert.equal(who.code, 201, JSON.stringify(who.body));
    assert.equal(who.body.status.userInfo.username, 'alice');
    assert.deepEqual(who.body.status.userInfo.groups, ['system:masters', 'team', 'system:authenticated']);
    assert.equal((await call(port, 'GET', '/api/v1/namespaces/default', 'admin')).code, 200);
    // Admin-only endpoints follow the groups.
    assert.equal((await call(port, 'GET', '/skiff/v1/snapshot', 'admin')).code, 200);
    assert.equal((await call(port, 'GET', '/skiff/v1/snapshot', 'plain')).code, 403);
  });

  it('refuses a certificate from another CA with 401; no credentials is system:anonymous, refused by RBAC with 403', async () => {
    assert.equal((await call(port, 'GET', '/api/v1/namespaces', 'rogue')).code, 401);
    assert.equal((await call(port, 'GET', '/api/v1/namespaces')).code, 403);
  });

  it('signs service-account tokens with --service-account-signing-key-file', async () => {
    let r;
    for (let i = 0; i < 400; i++) {
      r = await call(port, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', 'admin', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
      if (r.code !== 404) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    assert.equal(r!.code, 201, JSON.stringify(r!.body));
    const [h, p, sig] = (r!.body.status.token as string).split('.');
    const key = createPublicKey(readFileSync(join(dir, 'certs', 'sa-signer.key')));
    assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url')), 'the token verifies with the key envtest supplied');
  });

  it('exits with 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});

describe('kube-apiserver stand-in: flags', () => {
  it('parses --a=b, --a b, bare booleans, and sets unknown ones aside', () => {
    const f = parseFlags(['--secure-port=1', '--bind-address', '127.0.0.1', '--allow-privileged', '--x=1', '-v=4', 'stray', '--y', '--cert-dir', '/d']);
    assert.equal(f.values.get('secure-port'), '1');
    assert.equal(f.values.get('bind-address'), '127.0.0.1');
    assert.equal(f.values.get('allow-privileged'), 'true');
    assert.equal(f.values.get('v'), '4');
    assert.equal(f.values.get('cert-dir'), '/d');
    assert.deepEqual(f.ignored, ['--x', 'stray', '--y']);
  });

  it('--help lists the flags at line starts but not --insecure-port (envtest then leaves it out)', () => {
    const help = helpText();
    assert.match(help, /^\s*--secure-port\b/m);
    assert.match(help, /^\s*--client-ca-file\b/m);
    assert.doesNotMatch(help, /^\s*--insecure-port\b/m);
  });

  const standin = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'kube-apiserver.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  it('--version names Kubernetes and Skiff; bad flags end with one line', () => {
    const v = standin('--version');
    assert.equal(v.status, 0);
    assert.match(v.stdout, /^Kubernetes v1\.\d+\.\d+ \(Skiff \S+ stand-in for kube-apiserver\)\n$/);
    for (const [args, msg] of [
      [['--secure-port=http'], /--secure-port must be an integer/],
      [['--secure-port=70000'], /--secure-port must be an integer/],
      [['--secure-port=0', '--tls-cert-file=/nonexistent/cert'], /--tls-cert-file and --tls-private-key-file go together/],
      [['--secure-port=0', '--tls-cert-file=/nonexistent/c', '--tls-private-key-file=/nonexistent/k'], /--tls-cert-file \/nonexistent\/c: cannot read: ENOENT/],
      [['--secure-port=0', '--client-ca-file=/nonexistent/ca'], /--client-ca-file \/nonexistent\/ca: cannot read: ENOENT/],
    ] as const) {
      const r = standin(...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});

describe('etcd stand-in', () => {
  it('answers /health, 404 elsewhere, --version, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'etcd-standin.js'), `--listen-client-urls=http://127.0.0.1:${port}`, `--data-dir=${dir}`, '--unsafe-no-fsync=true', '--weird'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const get = (path: string) => new Promise<number>((resolve) => {
      const r = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => { res.resume(); resolve(res.statusCode!); });
      r.on('error', () => resolve(0));
      r.end();
    });
    let code = 0;
    for (let i = 0; i < 500 && code !== 200; i++) { code = await get('/health'); if (code !== 200) await new Promise((r) => setTimeout(r, 10)); }
    assert.equal(code, 200);
    assert.equal(await get('/v3/kv/range'), 404);
    assert.match(stderr, /ignoring flags --weird\n$/);
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const v = spawnSync(process.execPath, [join(ROOT, 'bin', 'etcd-standin.js'), '--version'], { encoding: 'utf8' });
    assert.match(v.stdout, /^etcd stand-in from Skiff /);
  });
});

describe('skiff envtest-assets', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'skiff.js'), 'envtest-assets', ...args], { encoding: 'utf8', timeout: 60_000 });
  it('writes three executables naming this Node and this installation', () => {
    const out = join(dir, 'assets');
    const r = cli(out);
    assert.equal(r.status, 0, r.stderr);
    for (const name of ['kube-apiserver', 'etcd', 'kubectl']) {
      const text = readFileSync(join(out, name), 'utf8');
      assert.match(text, /^#!\/bin\/sh\n/);
      if (name !== 'kubectl') assert.ok(text.includes(process.execPath) && existsSync(join(ROOT, 'bin', name === 'etcd' ? 'etcd-standin.js' : 'kube-apiserver.js')));
    }
    assert.match(spawnSync(join(out, 'etcd'), ['--version'], { encoding: 'utf8' }).stdout, /Skiff/);
  });
  it('refuses a missing or unusable directory in one line, exit 2', () => {
    const r0 = cli();
    assert.equal(r0.status, 2);
    assert.match(r0.stderr, /needs a directory/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    chmodSync(file, 0o644);
    const r = cli(join(file, 'sub'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^skiff: cannot create .*ENOTDIR/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
