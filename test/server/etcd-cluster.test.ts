// Several Skiff servers on one etcd are one cluster: a write through either is seen by watches on
// both, in order; the controllers, scheduler and kubelets run on the leader only, and when the leader
// is killed the other takes over and finishes what was asked during the hand-over. A lost etcd fails
// readiness and requests with upstream's 504, and service resumes when it returns.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdAvailable, startEtcd } from '../storage/etcd-server.ts';
import type { EtcdServer } from '../storage/etcd-server.ts';

const skip = !etcdAvailable() && process.env.CI !== 'true' ? 'etcd is not installed (apt-get install etcd-server)' : false;

interface Skiff { url: URL; child: ChildProcess; log: () => string }

let etcd: EtcdServer;
let dir: string;
const servers: Skiff[] = [];

/** A server process on the shared etcd and data directory (so they share the CA, keys and admin token). */
async function startSkiff(name: string): Promise<Skiff> {
  const child = spawn(process.execPath, ['src/cli.ts', '--storage', 'etcd', '--etcd-servers', etcd.url, '--data-dir', dir,
    '--kubeconfig', join(dir, `kubeconfig-${name}`), '--port', '0', '--nodes', '2',
    '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms'],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c; });
  child.stderr!.on('data', (c: Buffer) => { out += c; });
  const url = await new Promise<string>((resolve, reject) => {
    const t = setInterval(() => { const m = /ready at (\S+)/.exec(out); if (m) { clearInterval(t); resolve(m[1]); } }, 20);
    child.once('exit', (code) => { clearInterval(t); reject(new Error(`skiff ${name} exited ${code}: ${out}`)); });
  });
  const s = { url: new URL(url), child, log: () => out };
  servers.push(s);
  return s;
}

function call(s: Skiff, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
  const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  return new Promise((resolve, reject) => {
    const req = https.request({ host: s.url.hostname, port: s.url.port, path, method, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { const text = Buffer.concat(chunks).toString(); let parsed: any = text; try { parsed = JSON.parse(text); } catch { /* text */ } resolve({ status: res.statusCode!, body: parsed }); });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The events of a watch, collected as they arrive. */
function watch(s: Skiff, path: string): { events: any[]; close(): void } {
  const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const events: any[] = [];
  let buf = '';
  const req = https.request({ host: s.url.hostname, port: s.url.port, path, ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) { events.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
    });
  });
  req.on('error', () => {});
  req.end();
  return { events, close: () => req.destroy() };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (s: Skiff) => s.child.exitCode === null && s.child.signalCode === null;
const holder = async (s: Skiff, lease: string) => (await call(s, 'GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`)).body?.spec?.holderIdentity;

describe('several servers on one etcd', { skip, timeout: 120_000 }, () => {
  before(async () => {
    etcd = await startEtcd();
    dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-cluster-'));
  });
  after(async () => {
    for (const s of servers) if (alive(s)) { s.child.kill('SIGTERM'); await new Promise((r) => s.child.once('exit', r)); }
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write through one server is seen by a watch on the other, in order, with no gap or duplicate', async () => {
    const a = await startSkiff('a');
    const b = await startSkiff('b');
    const rv = (await call(b, 'GET', '/api/v1/namespaces/default/configmaps')).body.metadata.resourceVersion;
    const w = watch(b, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`);
    const written: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await call(i % 3 ? a : b, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `cm-${i}` }, data: { i: String(i) } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      written.push(r.body.metadata.resourceVersion);
    }
    await until('20 events on the other server', async () => w.events.length >= 20);
    assert.deepEqual(w.events.map((e) => e.object.metadata.resourceVersion), written);
    assert.deepEqual(w.events.map((e) => e.type), written.map(() => 'ADDED'));
    w.close();
    // Each server learns the addresses the other allocates.
    const svc = (n: string) => ({ metadata: { name: n }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    const s1 = await call(a, 'POST', '/api/v1/namespaces/default/services', svc('s1'));
    await until('the service on the other server', async () => (await call(b, 'GET', '/api/v1/namespaces/default/services/s1')).status === 200);
    await new Promise((r) => setTimeout(r, 200));
    const s2 = await call(b, 'POST', '/api/v1/namespaces/default/services', { ...svc('s2'), spec: { ...svc('s2').spec, clusterIP: s1.body.spec.clusterIP } });
    assert.equal(s2.status, 422, 'a cluster IP the other server allocated is taken');
    assert.match(s2.body.message, /provided IP is already allocated/);
    const s3 = await call(b, 'POST', '/api/v1/namespaces/default/services', { ...svc('s3'), spec: { type: 'NodePort', ports: [{ port: 80, nodePort: s1.body.spec.ports[0].nodePort }] } });
    assert.equal(s3.status, 422, 'a node port the other server allocated is taken');
    // resourceVersions are comparable across servers: a read through one at a revision from the other.
    const got = await call(a, 'GET', `/api/v1/namespaces/default/configmaps/cm-19`);
    assert.equal(got.body.metadata.resourceVersion, written[19]);
  });

  it('controllers run on the leader only; killing it hands them over and a scale during the hand-over ends exact', async () => {
    const [a, b] = servers;
    const leaderId = await until('a leader', () => holder(a, 'kube-controller-manager'));
    assert.equal(await holder(a, 'kube-scheduler'), leaderId, 'one server holds both leases');
    const leader = /leads/.test(a.log()) ? a : b;
    const other = leader === a ? b : a;
    assert.ok(!/leads/.test(other.log()), 'only one server leads');
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    assert.equal((await call(other, 'POST', '/apis/apps/v1/namespaces/default/deployments', dep)).status, 201);
    await until('3 ready replicas', async () => (await call(other, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.status?.readyReplicas === 3);

    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    const scaled = await call(other, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { replicas: 5 } }, 'application/merge-patch+json');
    assert.equal(scaled.status, 200);
    await until('the other server leading', async () => /leads/.test(other.log()));
    const tookMs = Date.now() - killedAt;
    process.stdout.write(`# hand-over after the leader was killed: ${tookMs} ms (lease duration 3 s)\n${other.log().split('\n').filter((l) => l.includes('leader election')).map((l) => `# ${l}`).join('\n')}\n`);
    assert.notEqual(await holder(other, 'kube-controller-manager'), leaderId);
    await until('5 ready replicas', async () => (await call(other, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.status?.readyReplicas === 5);
    await new Promise((r) => setTimeout(r, 1500));
    const pods = (await call(other, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.items.filter((p: any) => !p.metadata.deletionTimestamp);
    assert.equal(pods.length, 5, 'exactly the replica count: nothing was created twice');
  });

  it('a lost etcd fails readiness and requests with 504; service resumes when etcd returns', async () => {
    const s = servers.find(alive)!;
    etcd.child.kill('SIGSTOP');
    try {
      const r = await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'during-outage' } });
      assert.equal(r.status, 504, JSON.stringify(r.body));
      assert.equal(r.body.kind, 'Status');
      assert.equal(r.body.reason, 'Timeout');
      assert.equal((await call(s, 'GET', '/readyz')).status, 500);
    } finally {
      etcd.child.kill('SIGCONT');
    }
    await until('a write after etcd returned', async () => (await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'after-outage' } })).status === 201);
    await until('ready again', async () => (await call(s, 'GET', '/readyz')).status === 200);
    // The write refused during the outage was never stored.
    assert.equal((await call(s, 'GET', '/api/v1/namespaces/default/configmaps/during-outage')).status, 404);
  });
});

describe('etcd flags and start-up failures', () => {
  const run = (args: string[]) => spawnSync(process.execPath, ['src/cli.ts', '--in-memory', '--port', '0', '--kubeconfig', join(tmpdir(), 'skiff-etcd-flags-kubeconfig'), ...args], { encoding: 'utf8', timeout: 30_000 });
  const cases: [string[], RegExp][] = [
    [['--storage', 'etcd', '--etcd-servers', 'http://127.0.0.1:9'], /^skiff: cannot use etcd at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED.*\n$/],
    [['--storage', 'etcd'], /^skiff: --storage etcd needs --etcd-servers URL\[,URL\.\.\.\]\n$/],
    [['--etcd-servers', 'http://127.0.0.1:2379'], /^skiff: --etcd-servers needs --storage etcd\n$/],
    [['--storage', 'postgres'], /^skiff: --storage must be 'sqlite' or 'etcd', got "postgres"\n$/],
    [['--storage', 'etcd', '--etcd-servers', 'ftp://x'], /^skiff: --etcd-servers: "ftp:\/\/x" is not an http:\/\/ or https:\/\/ URL\n$/],
    [['--storage', 'etcd', '--etcd-servers', 'http://127.0.0.1:9', '--etcd-certfile', '/nonexistent'], /^skiff: --etcd-certfile \/nonexistent: cannot read: ENOENT\n$/],
    [['--leader-elect', 'maybe'], /^skiff: --leader-elect must be 'true' or 'false', got "maybe"\n$/],
    [['--leader-elect-lease-duration', '2s'], /^skiff: leader election needs lease duration > renew deadline > retry period\n$/],
    [['--leader-elect-retry-period', 'soon'], /^skiff: --leader-elect-retry-period must be a positive duration such as 15s or 500ms, got "soon"\n$/],
  ];
  for (const [args, message] of cases) {
    it(`${args.join(' ')}: one line, exit 2`, () => {
      const r = run(args);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

describe('a three-member etcd', { skip, timeout: 120_000 }, () => {
  it('killing one member under write load loses no acknowledged write', async () => {
    const { startEtcdCluster } = await import('../storage/etcd-server.ts');
    const { EtcdBackend } = await import('../../src/storage/etcd.ts');
    const cluster = await startEtcdCluster(3);
    const b = await EtcdBackend.open({ endpoints: cluster.urls, compactIntervalMs: 0, requestTimeoutMs: 3000 });
    try {
      const acknowledged = new Map<string, number>();
      let failed = 0;
      let next = 0;
      let stop = false;
      const writers = Array.from({ length: 8 }, async () => {
        while (!stop) {
          const key = `/registry/configmaps/load/cm-${next++}`;
          try { acknowledged.set(key, (await b.create(key, new TextEncoder().encode(key))).modRevision); } catch { failed++; }
        }
      });
      await until('some writes', async () => acknowledged.size > 200);
      cluster.members[0].kill('SIGKILL');
      const atKill = acknowledged.size;
      await until('writes after the kill', async () => acknowledged.size > atKill + 200);
      stop = true;
      await Promise.all(writers);
      process.stdout.write(`# ${acknowledged.size} writes acknowledged, ${failed} refused around the kill\n`);
      const list = await b.list('/registry/configmaps/load/');
      const stored = new Map(list.items.map((kv) => [kv.key, kv.modRevision]));
      for (const [key, rev] of acknowledged) assert.equal(stored.get(key), rev, `acknowledged ${key} at ${rev} is stored`);
    } finally {
      await b.close();
      await cluster.stop();
    }
  });
});
