// CRDs handed over at start (startCluster({ crds }) and --crds): installed, Established and served
// before the server is ready; bad files fail the start with a message naming them; restarts serve
// stored CRDs before ready.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startCluster } from '../../src/index.ts';
import { startServer } from '../../src/server.ts';
import { widgetCRD } from './crds.ts';
import { yaml } from '../../src/util/yaml.ts';

const dir = mkdtempSync(join(tmpdir(), 'skiff-crds-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeCRDs(): string {
  const d = join(dir, 'crds');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'a.yaml'), yaml().stringify(widgetCRD({ group: 'a.example.com' })) + '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: not-a-crd}\n');
  writeFileSync(join(d, 'b.json'), JSON.stringify(widgetCRD({ group: 'b.example.com', scope: 'Cluster' })));
  writeFileSync(join(d, 'notes.txt'), 'ignored: not YAML or JSON by extension');
  return d;
}

describe('CRDs at start', { timeout: 60_000 }, () => {
  test('startCluster({ crds }) serves them as soon as it resolves', async () => {
    const c = await startCluster({ crds: [writeCRDs(), widgetCRD({ group: 'c.example.com' }) as any], insecureHttp: true, controllers: false });
    try {
      const api = request.agent(c.url).set('Authorization', `Bearer ${c.token}`);
      for (const g of ['a', 'c']) assert.equal((await api.get(`/apis/${g}.example.com/v1/namespaces/default/widgets`)).status, 200, g);
      assert.equal((await api.get('/apis/b.example.com/v1/widgets')).status, 200);
      const crd = (await api.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.a.example.com')).body;
      assert.equal(crd.status.conditions.find((x: any) => x.type === 'Established').status, 'True');
    } finally { await c.stop(); }
  });

  test('a bad CRD file fails the start with a message naming it', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\nmetadata: {name: x}\nspec: {group: nodot}\n');
    await assert.rejects(startCluster({ crds: [bad], insecureHttp: true, controllers: false }), /CustomResourceDefinition "x".*spec.group/);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kind: [unclosed\n');
    await assert.rejects(startCluster({ crds: [broken], insecureHttp: true, controllers: false }), /broken.yaml: not valid YAML or JSON/);
    await assert.rejects(startCluster({ crds: [join(dir, 'missing')], insecureHttp: true, controllers: false }), /missing: cannot read: ENOENT/);
    const beta = join(dir, 'beta.yaml');
    writeFileSync(beta, 'kind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1beta1\nmetadata: {name: x}\n');
    await assert.rejects(startCluster({ crds: [beta], insecureHttp: true, controllers: false }), /only apiextensions.k8s.io\/v1 is served/);
  });

  test('after a restart, stored CRDs are served before the server is ready', async () => {
    const data = join(dir, 'data');
    const opts = { port: 0, dataDir: data, insecureHttp: true, kubeconfigPath: false as const, controllers: false };
    const s1 = await startServer(opts);
    const api1 = request.agent(s1.url).set('Authorization', `Bearer ${s1.token}`);
    assert.equal((await api1.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions').send(widgetCRD({ group: 'r.example.com' }))).status, 201);
    for (;;) { if ((await api1.get('/apis/r.example.com/v1/widgets')).status === 200) break; await new Promise((r) => setTimeout(r, 10)); }
    assert.equal((await api1.post('/apis/r.example.com/v1/namespaces/default/widgets').send({ apiVersion: 'r.example.com/v1', kind: 'Widget', metadata: { name: 'kept' } })).status, 201);
    await s1.stop();
    const s2 = await startServer(opts);
    try {
      const api2 = request.agent(s2.url).set('Authorization', `Bearer ${s2.token}`);
      const got = await api2.get('/apis/r.example.com/v1/namespaces/default/widgets/kept');
      assert.equal(got.status, 200, got.text);
    } finally { await s2.stop(); }
  });
});
