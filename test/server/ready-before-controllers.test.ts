// `skiff serve` is ready as kube-apiserver is (readyBeforeControllers): the bootstrap objects, RBAC
// policy and APF configuration are in place when /readyz first answers 200; the controllers, scheduler
// and kubelets start a moment after, and the FlowSchema status writes follow. Snapshots wait for that
// work; stopping at once skips what has not started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import { decodeClusterSnapshot } from '../../src/snapshot/cluster.ts';

async function early(nodes = 2) {
  const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, nodes, readyBeforeControllers: true, memoryRelief: false });
  const get = (path: string) => fetch(`${s.url}${path}`, { headers: { Authorization: `Bearer ${s.token}` } });
  return { s, get };
}

test('ready with every bootstrap object a first request needs; nodes and FlowSchema statuses follow', async () => {
  const { s, get } = await early();
  try {
    // Checked in one go, before anything else runs: what readiness promises.
    const paths = ['/readyz', '/api/v1/namespaces/default', '/api/v1/namespaces/kube-system', '/api/v1/namespaces/default/services/kubernetes',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin', '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin',
      '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/exempt', '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations/catch-all'];
    const answers = await Promise.all(paths.map((p) => get(p)));
    assert.deepEqual(answers.map((r) => r.status), paths.map(() => 200), paths.join(' '));
    const admin = await answers[5].json();
    assert.ok(admin.rules.length > 0, 'the aggregated admin role has its rules');
    // The nodes register and every FlowSchema gets its Dangling condition shortly after.
    for (let i = 0; ; i++) {
      const nodes = (await (await get('/api/v1/nodes')).json()).items;
      const schemas = (await (await get('/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas')).json()).items;
      if (nodes.length === 2 && schemas.every((f: any) => f.status?.conditions?.some((c: any) => c.type === 'Dangling'))) break;
      assert.ok(i < 500, `nodes ${nodes.length}, FlowSchemas without status ${schemas.filter((f: any) => !f.status?.conditions).length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await s.stop();
  }
});

test('a snapshot taken at once waits for the writes start-up still owes', async () => {
  const { s, get } = await early(1);
  try {
    const res = await get('/skiff/v1/snapshot');
    assert.equal(res.status, 200);
    const snap = decodeClusterSnapshot(new Uint8Array(await res.arrayBuffer()));
    const values = (prefix: string) => snap.storage.kvs.filter((kv) => kv.key.startsWith(prefix)).map((kv) => JSON.parse(Buffer.from(kv.value).toString()));
    const schemas = values('/registry/flowcontrol.apiserver.k8s.io/flowschemas/');
    assert.ok(schemas.length > 0);
    for (const f of schemas) assert.ok(f.status?.conditions?.some((c: any) => c.type === 'Dangling'), `${f.metadata.name} has its status`);
    assert.equal(values('/registry/nodes/').length, 1, 'the node registered');
  } finally {
    await s.stop();
  }
});

test('stopping right after an early ready skips the start-up work still owed, and stops cleanly', async () => {
  const { s } = await early(3);
  await s.stop();
  // A second stop is a no-op; nothing was left half-started (the store is closed).
  await s.stop();
  await assert.rejects(s.store.list(s.store.resources.find('', 'v1', 'nodes')!, undefined), /shutting down/);
});
