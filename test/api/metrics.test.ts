// metrics.k8s.io/v1beta1: discovery, PodMetrics/NodeMetrics get and list, selectors, 404 and 405.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
let ns: string;
const M = '/apis/metrics.k8s.io/v1beta1';

async function runningPod(name: string, node: string, annotations: Record<string, string>, labels: Record<string, string> = {}, phase = 'Running') {
  const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name, annotations, labels }, spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx' }, { name: 'side', image: 'busybox' }] } };
  const c = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(body);
  assert.equal(c.status, 201, c.text);
  const s = await f.api.put(`/api/v1/namespaces/${ns}/pods/${name}/status`).send({ ...c.body, status: { phase } });
  assert.equal(s.status, 200, s.text);
}

before(async () => {
  f = await startFixture();
  ns = await f.ns('metrics');
  for (const [name, simulated] of [['sim-1', 'true'], ['real-1', 'false']]) {
    const r = await f.api.post('/api/v1/nodes').send({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { pool: name }, annotations: { 'skiff.dev/simulated': simulated } } });
    assert.equal(r.status, 201, r.text);
  }
  await runningPod('web', 'sim-1', { 'skiff.dev/cpu-usage': '250m', 'skiff.dev/memory-usage': '64Mi', 'skiff.dev/cpu-usage.side': '5m' }, { app: 'web' });
  await runningPod('db', 'sim-1', { 'skiff.dev/cpu-usage': '100m', 'skiff.dev/memory-usage': '1Mi' }, { app: 'db' });
  await runningPod('waiting', 'sim-1', {}, {}, 'Pending');
  await runningPod('elsewhere', 'real-1', {});
});
after(async () => { await f.stop(); });

describe('metrics.k8s.io discovery', () => {
  test('group, version resource list and aggregated discovery', async () => {
    const groups = await f.api.get('/apis');
    assert.ok(groups.body.groups.some((g: any) => g.name === 'metrics.k8s.io' && g.preferredVersion.groupVersion === 'metrics.k8s.io/v1beta1'));
    const rl = await f.api.get(M);
    assert.equal(rl.status, 200);
    const byName = Object.fromEntries(rl.body.resources.map((r: any) => [r.name, r]));
    assert.deepEqual({ ...byName.pods, singularName: undefined }, { name: 'pods', singularName: undefined, namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] });
    assert.equal(byName.nodes.namespaced, false);
    assert.equal(byName.nodes.kind, 'NodeMetrics');
    const agg = await f.api.get('/apis').set('Accept', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const item = agg.body.items.find((i: any) => i.metadata.name === 'metrics.k8s.io');
    assert.deepEqual(item.versions[0].resources.map((r: any) => [r.resource, r.scope]).sort(), [['nodes', 'Cluster'], ['pods', 'Namespaced']]);
  });
});

describe('PodMetrics', () => {
  test('get: containers with usage in nanocores and Ki, a 10s window, the pod labels', async () => {
    const r = await f.api.get(`${M}/namespaces/${ns}/pods/web`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.kind, 'PodMetrics');
    assert.equal(r.body.apiVersion, 'metrics.k8s.io/v1beta1');
    assert.equal(r.body.window, '10s');
    assert.match(r.body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(r.body.metadata.labels, { app: 'web' });
    assert.deepEqual(r.body.containers, [
      { name: 'app', usage: { cpu: '250000000n', memory: '65536Ki' } },
      { name: 'side', usage: { cpu: '5000000n', memory: '65536Ki' } },
    ]);
  });

  test('list in a namespace and across namespaces only has Running pods on simulated nodes', async () => {
    const l = await f.api.get(`${M}/namespaces/${ns}/pods`);
    assert.equal(l.body.kind, 'PodMetricsList');
    assert.deepEqual(l.body.items.map((i: any) => i.metadata.name), ['db', 'web']);
    const all = await f.api.get(`${M}/pods`);
    assert.deepEqual(all.body.items.filter((i: any) => i.metadata.namespace === ns).map((i: any) => i.metadata.name), ['db', 'web']);
  });

  test('label and field selectors', async () => {
    const byLabel = await f.api.get(`${M}/namespaces/${ns}/pods?labelSelector=app%3Ddb`);
    assert.deepEqual(byLabel.body.items.map((i: any) => i.metadata.name), ['db']);
    const byName = await f.api.get(`${M}/namespaces/${ns}/pods?fieldSelector=metadata.name%3Dweb`);
    assert.deepEqual(byName.body.items.map((i: any) => i.metadata.name), ['web']);
    assertStatus(await f.api.get(`${M}/pods?fieldSelector=spec.nodeName%3Dsim-1`), 400, 'BadRequest');
    assertStatus(await f.api.get(`${M}/pods?labelSelector=a%3D%3D%3Db`), 400, 'BadRequest');
  });

  test('a pod without metrics (Pending, on a non-simulated node, missing) is 404 as metrics-server says it', async () => {
    for (const name of ['waiting', 'elsewhere', 'nope']) {
      const s = assertStatus(await f.api.get(`${M}/namespaces/${ns}/pods/${name}`), 404, 'NotFound');
      assert.equal(s.message, `pods.metrics.k8s.io "${ns}/${name}" not found`);
    }
  });

  test('writes and watch are 405 MethodNotAllowed', async () => {
    const s = assertStatus(await f.api.post(`${M}/namespaces/${ns}/pods`).send({}), 405, 'MethodNotAllowed');
    // No route takes POST there: go-restful's generic 405, as metrics-server answers.
    assert.equal(s.message, 'the server does not allow this method on the requested resource');
    assertStatus(await f.api.delete(`${M}/namespaces/${ns}/pods/web`), 405, 'MethodNotAllowed');
    assertStatus(await f.api.put(`${M}/nodes/sim-1`).send({}), 405, 'MethodNotAllowed');
    const w = assertStatus(await f.api.get(`${M}/pods?watch=true`), 405, 'MethodNotAllowed');
    assert.equal(w.message, 'watch is not supported on resources of kind "pods.metrics.k8s.io"');
    const pod = await f.api.get(`/api/v1/namespaces/${ns}/pods/web`);
    assert.equal(pod.status, 200, 'the pod itself is untouched');
  });
});

describe('NodeMetrics', () => {
  test('get: the sum of its Running pods plus the node baseline, a 20s window', async () => {
    const r = await f.api.get(`${M}/nodes/sim-1`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.kind, 'NodeMetrics');
    assert.equal(r.body.window, '20s');
    // baseline 100m + web (250m + 5m) + db (2 × 100m); memory 256Mi + 2 × 64Mi + 2 × 1Mi
    assert.deepEqual(r.body.usage, { cpu: `${(100 + 255 + 200) * 1e6}n`, memory: `${(256 + 128 + 2) * 1024}Ki` });
  });

  test('list has only simulated nodes; a non-simulated or missing node is 404', async () => {
    const l = await f.api.get(`${M}/nodes`);
    assert.equal(l.body.kind, 'NodeMetricsList');
    assert.deepEqual(l.body.items.map((i: any) => i.metadata.name), ['sim-1']);
    const byLabel = await f.api.get(`${M}/nodes?labelSelector=pool%3Dreal-1`);
    assert.deepEqual(byLabel.body.items, []);
    const s = assertStatus(await f.api.get(`${M}/nodes/real-1`), 404, 'NotFound');
    assert.equal(s.message, 'nodes.metrics.k8s.io "real-1" not found');
    assertStatus(await f.api.get(`${M}/namespaces/${ns}/nodes`), 404, 'NotFound');
  });
});
