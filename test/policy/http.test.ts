// ResourceQuota, LimitRange and Pod Security over HTTP against a real server with controllers:
// bad objects get upstream's 422s, refusals upstream's 403 texts, warnings arrive as Warning headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, assertStatus } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture({ controllers: true }); });
after(async () => { await f.stop(); });

const pod = (name: string, container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', ...container }], ...spec },
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const warnings = (res: { headers: Record<string, any> }): string[] => {
  const h = res.headers.warning;
  if (!h) return [];
  return (Array.isArray(h) ? h : String(h).split(/,(?=\s*299 )/)).map((s: string) => s.trim().replace(/^299 - "/, '').replace(/"$/, '').replace(/\\"/g, '"'));
};

test('ResourceQuota: malformed quotas are 422 with upstream field paths', async () => {
  const ns = await f.ns('rq-bad');
  const post = (spec: unknown) => f.api.post(`/api/v1/namespaces/${ns}/resourcequotas`).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec });
  let b = assertStatus(await post({ hard: { pods: '-1' } }), 422, 'Invalid');
  assert.match(b.message, /spec.hard\[pods\]: Invalid value: "-1": must be greater than or equal to 0/);
  b = assertStatus(await post({ hard: { pods: '1500m' } }), 422, 'Invalid');
  assert.match(b.message, /spec.hard\[pods\]: Invalid value: "1500m": must be an integer/);
  b = assertStatus(await post({ hard: { foo: '1' } }), 422, 'Invalid');
  assert.match(b.message, /spec.hard\[foo\]: Invalid value: "foo": must be a standard resource for quota/);
  b = assertStatus(await post({ hard: { pods: '1' }, scopes: ['Terminating', 'NotTerminating'] }), 422, 'Invalid');
  assert.match(b.message, /spec.scopes: Invalid value: \["Terminating","NotTerminating"\]: conflicting scopes/);
  b = assertStatus(await post({ hard: { 'services': '1' }, scopes: ['BestEffort'] }), 422, 'Invalid');
  assert.match(b.message, /unsupported scope applied to resource/);
  b = assertStatus(await post({ hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In' }] } }), 422, 'Invalid');
  assert.match(b.message, /spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector/);
  b = assertStatus(await post({ hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'BestEffort', operator: 'In', values: ['x'] }] } }), 422, 'Invalid');
  assert.match(b.message, /must be 'Exist' when scope is any of/);
  // Wrongly typed and unparsable quantities are refused before validation.
  const bad = await post({ hard: { pods: 'lots' } });
  assert.ok(bad.status === 400 || bad.status === 422, `status ${bad.status}`);
  assert.equal(bad.body.kind, 'Status');
  const typed = await post({ hard: ['pods'] });
  assert.ok(typed.status === 400 || typed.status === 422, `status ${typed.status}`);
});

test('ResourceQuota: a Deployment over quota shows ReplicaFailure on its ReplicaSet; describe data in status', async () => {
  const ns = await f.ns('rq-deploy');
  let res = await f.api.post(`/api/v1/namespaces/${ns}/resourcequotas`).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '2' } } });
  assert.equal(res.status, 201, res.text);
  await waitFor('quota status', async () => ((await f.api.get(`/api/v1/namespaces/${ns}/resourcequotas/q`)).body.status?.used ? true : undefined));
  res = await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  assert.equal(res.status, 201, res.text);
  const cond = await waitFor('ReplicaFailure', async () => {
    const rss = (await f.api.get(`/apis/apps/v1/namespaces/${ns}/replicasets`)).body.items;
    return rss[0]?.status?.conditions?.find((c: any) => c.type === 'ReplicaFailure');
  });
  assert.equal(cond.reason, 'FailedCreate');
  assert.match(cond.message, /^pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2$/);
  const q = (await f.api.get(`/api/v1/namespaces/${ns}/resourcequotas/q`)).body;
  assert.deepEqual(q.status, { hard: { pods: '2' }, used: { pods: '2' } });
});

test('ResourceQuota: concurrent pod creates over HTTP never exceed the quota', async () => {
  const ns = await f.ns('rq-race');
  await f.api.post(`/api/v1/namespaces/${ns}/resourcequotas`).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '3' } } });
  await waitFor('quota status', async () => ((await f.api.get(`/api/v1/namespaces/${ns}/resourcequotas/q`)).body.status?.used ? true : undefined));
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod(`p${i}`))));
  assert.equal(results.filter((r) => r.status === 201).length, 3);
  for (const r of results.filter((x) => x.status !== 201)) {
    const b = assertStatus(r, 403, 'Forbidden');
    assert.match(b.message, /^pods "p\d" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3$/);
  }
});

test('LimitRange: malformed ranges are 422; defaults land on pods with the limit-ranger annotation; min/max refuse', async () => {
  const ns = await f.ns('lr');
  const post = (spec: unknown, name = 'lr') => f.api.post(`/api/v1/namespaces/${ns}/limitranges`).send({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec });
  let b = assertStatus(await post({ limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] }), 422, 'Invalid');
  assert.match(b.message, /spec.limits\[0\].min\[cpu\]: Invalid value: "2": min value 2 is greater than max value 1/);
  b = assertStatus(await post({ limits: [{ type: 'Pod', default: { cpu: '1' } }] }), 422, 'Invalid');
  assert.match(b.message, /spec.limits\[0\].default: Forbidden: may not be specified when `type` is 'Pod'/);
  b = assertStatus(await post({ limits: [{ type: 'Container', maxLimitRequestRatio: { cpu: '500m' } }] }), 422, 'Invalid');
  assert.match(b.message, /ratio 500m is less than 1/);
  b = assertStatus(await post({ limits: [{ type: 'PersistentVolumeClaim' }] }), 422, 'Invalid');
  assert.match(b.message, /either minimum or maximum storage value is required/);
  b = assertStatus(await post({ limits: [{ type: 'Container' }, { type: 'Container' }] }), 422, 'Invalid');
  assert.match(b.message, /spec.limits\[1\].type: Duplicate value: "Container"/);

  let res = await post({ limits: [{ type: 'Container', max: { cpu: '1', memory: '1Gi' }, min: { cpu: '100m' }, defaultRequest: { memory: '128Mi' } }] });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.limits[0].default, { cpu: '1', memory: '1Gi' }, 'default limits come from max');
  assert.deepEqual(res.body.spec.limits[0].defaultRequest, { cpu: '1', memory: '128Mi' }, 'default requests come from the default limit before min');

  res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('d'));
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.containers[0].resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '128Mi' } });
  assert.equal(res.body.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');

  res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('big', { resources: { limits: { cpu: '2' } } }));
  b = assertStatus(res, 403, 'Forbidden');
  assert.equal(b.message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('small', { resources: { requests: { cpu: '10m' } } }));
  b = assertStatus(res, 403, 'Forbidden');
  assert.equal(b.message, 'pods "small" is forbidden: minimum cpu usage per Container is 100m, but request is 10m');
});

test('Pod Security: enforce refuses with upstream\'s text, warn sends a Warning, workloads warn, bad labels are 422', async () => {
  const ns = await f.ns('psa');
  let res = await f.api.patch(`/api/v1/namespaces/${ns}`).set('Content-Type', 'application/merge-patch+json')
    .send({ metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } });
  let b = assertStatus(res, 422, 'Invalid');
  assert.equal(b.message, `Namespace "${ns}" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`);

  res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('priv', { securityContext: { privileged: true } }));
  assert.equal(res.status, 201, 'unlabelled namespaces are privileged');
  res = await f.api.patch(`/api/v1/namespaces/${ns}`).set('Content-Type', 'application/merge-patch+json')
    .send({ metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(warnings(res), [
    `existing pods in namespace "${ns}" violate the new PodSecurity enforce level "baseline:latest"`,
    'priv: privileged',
  ]);

  res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('priv2', { securityContext: { privileged: true } }));
  b = assertStatus(res, 403, 'Forbidden');
  assert.equal(b.message, 'pods "priv2" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');

  res = await f.api.patch(`/api/v1/namespaces/${ns}`).set('Content-Type', 'application/merge-patch+json')
    .send({ metadata: { labels: { 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'v1.30' } } });
  assert.equal(res.status, 200, res.text);
  res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('plain'));
  assert.equal(res.status, 201);
  assert.deepEqual(warnings(res), ['would violate PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")']);

  res = await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { hostNetwork: true, containers: [{ name: 'x', image: 'nginx' }] } } },
  });
  assert.equal(res.status, 201, 'workloads are not refused, only warned about');
  assert.match(warnings(res)[0], /^would violate PodSecurity "restricted:v1.30": host namespaces \(hostNetwork=true\), allowPrivilegeEscalation != false/);

  res = await f.api.patch(`/api/v1/namespaces/${ns}`).set('Content-Type', 'application/merge-patch+json')
    .send({ metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'one' } } });
  b = assertStatus(res, 422, 'Invalid');
  assert.match(b.message, /metadata.labels\[pod-security.kubernetes.io\/enforce-version\]: Invalid value: "one": must be "latest" or "v1.x"/);
});

test('Pod Security: a restricted-compliant pod passes a restricted namespace', async () => {
  const ns = await f.ns('psa-ok');
  await f.api.patch(`/api/v1/namespaces/${ns}`).set('Content-Type', 'application/merge-patch+json')
    .send({ metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
  const res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('ok', {
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  }));
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(warnings(res), []);
  const bad = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod('hp', {}, { volumes: [{ name: 'h', hostPath: { path: '/' } }] }));
  assert.match(assertStatus(bad, 403).message, /violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set securityContext.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "c" must set securityContext.capabilities.drop=\["ALL"\]\), restricted volume types \(volume "h" uses restricted volume type "hostPath"\), runAsNonRoot != true/);
});

test('ResourceQuota: count/<plural>.<group> counts custom resources and refuses past the limit', async () => {
  const ns = await f.ns('rq-crd');
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.quota.example.com' },
    spec: { group: 'quota.example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  };
  let res = await f.api.post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions').send(crd);
  assert.equal(res.status, 201, res.text);
  await waitFor('CRD served', async () => ((await f.api.get(`/apis/quota.example.com/v1/namespaces/${ns}/widgets`)).status === 200 ? true : undefined));
  res = await f.api.post(`/api/v1/namespaces/${ns}/resourcequotas`).send({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { 'count/widgets.quota.example.com': '1' } } });
  assert.equal(res.status, 201, res.text);
  await waitFor('quota status', async () => ((await f.api.get(`/api/v1/namespaces/${ns}/resourcequotas/q`)).body.status?.used?.['count/widgets.quota.example.com'] === '0' ? true : undefined));
  const widget = (name: string) => ({ apiVersion: 'quota.example.com/v1', kind: 'Widget', metadata: { name } });
  res = await f.api.post(`/apis/quota.example.com/v1/namespaces/${ns}/widgets`).send(widget('w1'));
  assert.equal(res.status, 201, res.text);
  res = await f.api.post(`/apis/quota.example.com/v1/namespaces/${ns}/widgets`).send(widget('w2'));
  assert.equal(assertStatus(res, 403, 'Forbidden').message, 'widgets.quota.example.com "w2" is forbidden: exceeded quota: q, requested: count/widgets.quota.example.com=1, used: count/widgets.quota.example.com=1, limited: count/widgets.quota.example.com=1');
  await f.api.delete(`/apis/quota.example.com/v1/namespaces/${ns}/widgets/w1`);
  await waitFor('released after delete (periodic recount)', async () => ((await f.api.get(`/api/v1/namespaces/${ns}/resourcequotas/q`)).body.status?.used?.['count/widgets.quota.example.com'] === '0' ? true : undefined), 800);
});
