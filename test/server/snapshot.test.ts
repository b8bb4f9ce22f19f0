// Cluster snapshots: startCluster()'s snapshot()/restore(), the admin-only HTTP endpoint and the CLI.
// Restore brings objects, resourceVersions and the clock back; open watches end with 410 Expired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';
import { writeKubeconfig } from '../../src/kubeconfig.ts';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'skiff.js');

async function call(c: Cluster, method: string, path: string, body?: unknown, token: string | null = c.token, type = 'application/json') {
  const r = await fetch(`${c.url}${path}`, {
    method, headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': type },
    body: body === undefined ? undefined : body instanceof Uint8Array ? (body as unknown as Blob) : JSON.stringify(body),
  });
  const buf = Buffer.from(await r.arrayBuffer());
  let json: any;
  try { json = JSON.parse(buf.toString()); } catch { /* binary */ }
  return { code: r.status, body: json, bytes: buf };
}
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v: name } });
const CMS = '/api/v1/namespaces/default/configmaps';

/** Opens a watch and collects its lines until the server ends it. */
function watch(c: Cluster, rv: string): { events: any[]; ended: Promise<void> } {
  const events: any[] = [];
  let ended!: () => void;
  const p = new Promise<void>((r) => (ended = r));
  request(`${c.url}${CMS}?watch=1&resourceVersion=${rv}`, { headers: { Authorization: `Bearer ${c.token}` }, agent: false }, (res) => {
    let buf = '';
    res.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { events.push(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
    }).on('end', ended).on('error', ended);
  }).end();
  return { events, ended: p };
}

test('snapshot()/restore(): objects, resourceVersions and the clock come back; watches get 410', async () => {
  const c = await startCluster({ insecureHttp: true, nodes: 0 });
  try {
    // The controllers' start-up writes first (every namespace's kube-root-ca.crt): the root CA publisher
    // would otherwise put back, after the restore, one that a snapshot taken mid-way lacks.
    for (let i = 0; i < 200; i++) {
      const cms = (await call(c, 'GET', '/api/v1/configmaps')).body.items ?? [];
      if (cms.filter((o: any) => o.metadata.name === 'kube-root-ca.crt').length === 4) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const a = await call(c, 'POST', CMS, cm('a'));
    assert.equal(a.code, 201);
    const snap = c.snapshot();
    const w = watch(c, a.body.metadata.resourceVersion);
    assert.equal((await call(c, 'POST', CMS, cm('b'))).code, 201);
    assert.equal((await call(c, 'DELETE', `${CMS}/a`)).code, 200);
    assert.equal((await call(c, 'POST', '/skiff/v1/clock/advance', { duration: '2h' })).code, 200);
    await c.restore(snap);
    await w.ended;
    const last = w.events.at(-1);
    assert.equal(last.type, 'ERROR');
    assert.equal(last.object.code, 410);
    assert.equal(last.object.reason, 'Expired');
    const back = await call(c, 'GET', `${CMS}/a`);
    assert.equal(back.code, 200);
    assert.equal(back.body.metadata.resourceVersion, a.body.metadata.resourceVersion);
    assert.equal(back.body.metadata.uid, a.body.metadata.uid);
    assert.equal((await call(c, 'GET', `${CMS}/b`)).code, 404);
    assert.equal((await call(c, 'GET', CMS)).body.metadata.resourceVersion, String(snap.storage.revision));
    const now = Date.parse((await call(c, 'GET', '/skiff/v1/clock')).body.now);
    assert.ok(now >= snap.clockMs && now < snap.clockMs + 3_600_000, `the clock went back (${now - snap.clockMs} ms after the snapshot)`);
    // A watch from before the snapshot's revision is too old; writes carry on from the snapshot's revision.
    const old = await call(c, 'GET', `${CMS}?watch=1&resourceVersion=1`);
    assert.ok(old.bytes.toString().includes('"code":410'), old.bytes.toString());
    const b2 = await call(c, 'POST', CMS, cm('b'));
    assert.equal(b2.body.metadata.resourceVersion, String(snap.storage.revision + 1));
    // Restore twice from the same snapshot works (a fixture reset before every test).
    await c.restore(snap);
    assert.equal((await call(c, 'GET', `${CMS}/b`)).code, 404);
    await assert.rejects(c.restore({ storage: { revision: -1, kvs: [] }, clockMs: 0 }), /snapshot: revision/);
    await assert.rejects(c.restore({} as never), /not a cluster snapshot/);
  } finally {
    await c.stop();
  }
});

test('/skiff/v1/snapshot: admin only, round-trips, refuses bad input with a Status', async () => {
  const c = await startCluster({ insecureHttp: true, nodes: 0 });
  try {
    assert.equal((await call(c, 'POST', CMS, cm('keep'))).code, 201);
    assert.equal((await call(c, 'GET', '/skiff/v1/snapshot', undefined, null)).code, 403, 'without credentials the caller is system:anonymous, whom RBAC refuses');
    const saved = await call(c, 'GET', '/skiff/v1/snapshot');
    assert.equal(saved.code, 200);
    assert.equal((await call(c, 'POST', CMS, cm('gone'))).code, 201);
    const restored = await call(c, 'POST', '/skiff/v1/snapshot/restore', new Uint8Array(saved.bytes), c.token, 'application/octet-stream');
    assert.equal(restored.code, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.kind, 'SnapshotRestore');
    assert.equal((await call(c, 'GET', `${CMS}/gone`)).code, 404);
    assert.equal((await call(c, 'GET', `${CMS}/keep`)).code, 200);

    for (const [what, body] of [
      ['empty', new Uint8Array()], ['garbage', Buffer.from('not a snapshot at all')], ['truncated', new Uint8Array(saved.bytes.subarray(0, saved.bytes.length - 7))],
      ['JSON instead', Buffer.from(JSON.stringify({ revision: 1 }))],
    ] as const) {
      const r = await call(c, 'POST', '/skiff/v1/snapshot/restore', body, c.token, 'application/octet-stream');
      assert.equal(r.code, 400, what);
      assert.equal(r.body.kind, 'Status');
      assert.match(r.body.message, /^snapshot: /, what);
    }
    assert.equal((await call(c, 'GET', `${CMS}/keep`)).code, 200, 'a refused restore changes nothing');
    assert.equal((await call(c, 'PUT', '/skiff/v1/snapshot')).code, 405);
    assert.equal((await call(c, 'GET', '/skiff/v1/snapshot/restore')).code, 405);
    assert.equal((await call(c, 'GET', '/skiff/v1/snapshot/other')).code, 404);
    const huge = await new Promise<number>((resolve, reject) => {
      const r = request(`${c.url}/skiff/v1/snapshot/restore`, { method: 'POST', agent: false, headers: { Authorization: `Bearer ${c.token}`, 'Content-Length': String(2 * 1024 ** 3) } }, (res) => { res.resume(); resolve(res.statusCode!); });
      r.on('error', reject);
      r.write('x');
    });
    assert.equal(huge, 413);

    // A service account is authenticated but not an administrator.
    let sa: any;
    for (let i = 0; i < 200 && (sa?.code ?? 404) === 404; i++) {
      sa = await call(c, 'POST', '/api/v1/namespaces/default/serviceaccounts/default/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
      if (sa.code === 404) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(sa.code, 201, JSON.stringify(sa.body));
    const denied = await call(c, 'GET', '/skiff/v1/snapshot', undefined, sa.body.status.token);
    assert.equal(denied.code, 403);
    // RBAC refuses first (no role grants the path); the endpoint itself also requires system:masters.
    assert.equal(denied.body.message, 'forbidden: User "system:serviceaccount:default:default" cannot get path "/skiff/v1/snapshot"');
    assert.equal((await call(c, 'POST', '/skiff/v1/snapshot/restore', new Uint8Array(saved.bytes), sa.body.status.token, 'application/octet-stream')).code, 403);
  } finally {
    await c.stop();
  }
});

test('skiff snapshot save|restore FILE against a running server; bad use is one line and exit 2', async () => {
  const c = await startCluster({ insecureHttp: true, nodes: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'skiff-snap-cli-'));
  const kc = join(dir, 'kubeconfig');
  writeKubeconfig(kc, { server: c.url, token: c.token });
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'snapshot', ...args, '--kubeconfig', kc], { encoding: 'utf8' });
  // The CLI runs in another process: this one must keep serving while it waits.
  const cliAsync = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    import('node:child_process').then(({ execFile }) => execFile(process.execPath, [CLI, 'snapshot', ...args, '--kubeconfig', kc], (err, stdout, stderr) => resolve({ status: err ? (err as any).code : 0, stdout, stderr })));
  });
  try {
    assert.equal((await call(c, 'POST', CMS, cm('one'))).code, 201);
    const file = join(dir, 'snap.bin');
    const saved = await cliAsync('save', file);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /^saved \d+ bytes to /);
    assert.equal((await call(c, 'POST', CMS, cm('two'))).code, 201);
    const restored = await cliAsync('restore', file);
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, /^restored \d+ objects at revision \d+; clock: /);
    assert.equal((await call(c, 'GET', `${CMS}/two`)).code, 404);
    writeFileSync(join(dir, 'bad.bin'), 'garbage');
    const bad = await cliAsync('restore', join(dir, 'bad.bin'));
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^skiff: snapshot: not a Skiff snapshot/);
    for (const [args, msg] of [[['frobnicate', 'x'], /snapshot needs a verb/], [['save'], /needs a FILE/], [['restore', join(dir, 'missing')], /cannot read .*ENOENT/]] as const) {
      const r = cli(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    assert.ok(readFileSync(file).length > 0);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CRDs follow a restore: ones created after the snapshot stop being served, deleted ones are served again', async () => {
  const c = await startCluster({ insecureHttp: true, nodes: 0 });
  const crd = (plural: string) => ({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.snap.skiff.dev` },
    spec: { group: 'snap.skiff.dev', scope: 'Namespaced', names: { plural, singular: plural.slice(0, -1), kind: plural[0].toUpperCase() + plural.slice(1, -1) },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  });
  const obj = (plural: string, name: string) => ({ apiVersion: 'snap.skiff.dev/v1', kind: plural[0].toUpperCase() + plural.slice(1, -1), metadata: { name } });
  const path = (plural: string) => `/apis/snap.skiff.dev/v1/namespaces/default/${plural}`;
  /** Polls until a create of a custom object answers `code` (a CRD is served once it is Established). */
  const createAnswers = async (plural: string, name: string, code: number) => {
    let r;
    for (let i = 0; i < 400; i++) {
      r = await call(c, 'POST', path(plural), obj(plural, name));
      if (r.code === code) return;
      if (r.code === 201) await call(c, 'DELETE', `${path(plural)}/${name}`);
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.fail(`creating ${plural}/${name} kept answering ${r?.code}, not ${code}`);
  };
  try {
    assert.equal((await call(c, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('keeps'))).code, 201);
    await createAnswers('keeps', 'k1', 201);
    const snap = c.snapshot();
    assert.equal((await call(c, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/keeps.snap.skiff.dev')).code, 200);
    assert.equal((await call(c, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('laters'))).code, 201);
    await createAnswers('laters', 'l1', 201);
    await createAnswers('keeps', 'k2', 404);
    await c.restore(snap);
    await createAnswers('laters', 'l2', 404);
    assert.equal((await call(c, 'GET', `${path('keeps')}/k1`)).code, 200, 'the custom object of the restored CRD is served again');
    await createAnswers('keeps', 'k3', 201);
    // And a CRD created after the restore is served.
    assert.equal((await call(c, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('laters'))).code, 201);
    await createAnswers('laters', 'l3', 201);
  } finally {
    await c.stop();
  }
});
