// The caches and fast paths behind cheap policy admission per pod create: quantities parsed once
// (milli value and canonical text kept), LimitRange defaults merged once per namespace, quota charges
// judged at once. Each must answer exactly as without it: malformed input still refused every time,
// and a LimitRange or quota changed or deleted counts from the next request on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, assertStatus } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { canonicalQuantity, isQuantity, quantityMilli, quantityMilliExact, QuantityError } from '../../src/registry/validation/quantity.ts';
import { evaluatorFor } from '../../src/admission/quota/evaluators.ts';
import { toList } from '../../src/admission/quota/resource-list.ts';
import { applyContainerDefaults, containerDefaults, validatePod } from '../../src/admission/limitranger/rules.ts';

test('quantities: milli values and canonical text are the same on every call, cached or not', () => {
  const cases: [string, string, bigint][] = [
    ['100m', '100m', 100n], ['128Mi', '128Mi', 134217728000n], ['1024Mi', '1Gi', 1073741824000n], ['1073741824', '1073741824', 1073741824000n],
    ['1Gi', '1Gi', 1073741824000n], ['0.5', '500m', 500n], ['1n', '1n', 1n], ['1000m', '1', 1000n], ['1e3', '1e3', 1000000n],
    ['-1', '-1', -1000n], ['1.5Gi', '1536Mi', 1610612736000n], ['0.1n', '1n', 1n], ['100k', '100k', 100000000n],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [q, canon, milli] of cases) {
      assert.equal(canonicalQuantity(q), canon, `canonical ${q} (round ${round})`);
      assert.equal(quantityMilliExact(q), milli, `milli ${q} (round ${round})`);
      assert.equal(quantityMilli(q), Number(milli), `milli number ${q} (round ${round})`);
    }
  }
  // The order of first use does not matter: canonical text first, then milli, and the other way round.
  assert.equal(canonicalQuantity('2048Ki'), '2Mi');
  assert.equal(quantityMilliExact('2048Ki'), 2097152000n);
  assert.equal(quantityMilliExact('3072Ki'), 3145728000n);
  assert.equal(canonicalQuantity('3072Ki'), '3Mi');
});

test('quantities: malformed ones are refused on every call, before and after valid lookalikes are cached', () => {
  const bad: unknown[] = ['', 'x1', '1.2.3', '1Qi', '.', '+', 'Mi', '1 Mi', ' 1', '1e', '1ee3', undefined, null, 5, {}, []];
  for (let round = 0; round < 2; round++) {
    for (const q of bad) {
      assert.throws(() => quantityMilli(q as string), QuantityError, `milli ${String(q)} (round ${round})`);
      assert.throws(() => canonicalQuantity(q as string), QuantityError, `canonical ${String(q)} (round ${round})`);
      assert.equal(isQuantity(q), false, `isQuantity ${String(q)}`);
    }
    assert.equal(canonicalQuantity('1Mi'), '1Mi');
    assert.equal(quantityMilli('1'), 1000);
  }
});

test('pod usage: one container, several containers and overhead add up as before', () => {
  const e = evaluatorFor('', 'pods');
  const one = { metadata: {}, spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '64Mi' } } }] } };
  assert.deepEqual(toList(e.usage(one as any)), {
    'count/pods': '1', cpu: '100m', 'limits.cpu': '200m', 'limits.memory': '64Mi', memory: '64Mi', pods: '1', 'requests.cpu': '100m', 'requests.memory': '64Mi',
  });
  const two = { metadata: {}, spec: { containers: [one.spec.containers[0], { name: 'b', resources: { requests: { cpu: '900m', memory: '960Mi' } } }], overhead: { cpu: '1' } } };
  const u = toList(e.usage(two as any));
  assert.equal(u['requests.cpu'], '2', 'containers summed, overhead added');
  assert.equal(u['requests.memory'], '1Gi');
  assert.equal(u['limits.cpu'], '1200m', 'overhead adds to limits that are set');
  assert.equal(u['limits.memory'], '64Mi');
  const none = { metadata: {}, spec: { containers: [{ name: 'a' }], overhead: { cpu: '1' } } };
  assert.equal(toList(e.usage(none as any))['limits.cpu'], undefined, 'no limits: overhead does not make one');
});

test('quota "must specify": names each container lacking a request or limit, wrongly typed ones too', () => {
  const e = evaluatorFor('', 'pods');
  const pod = (containers: unknown[], initContainers: unknown[] = []) => ({ metadata: {}, spec: { containers, initContainers } }) as any;
  const need = ['pods', 'requests.cpu', 'limits.memory'];
  assert.equal(e.constraints!(need, pod([{ name: 'a', resources: { requests: { cpu: '1' }, limits: { memory: '1Gi' } } }])), undefined);
  assert.equal(e.constraints!(need, pod([{ name: 'a', resources: { requests: { cpu: 2 }, limits: { memory: '1Gi' } } }])), undefined, 'a number is a quantity');
  assert.equal(e.constraints!(need, pod([{ name: 'a', resources: { requests: { cpu: null }, limits: 'x' } }, { name: 'b' }], [{ name: 'i', resources: { requests: { cpu: '1' } } }])),
    'must specify limits.memory for: a,b,i; requests.cpu for: a,b');
  assert.equal(e.constraints!(['cpu', 'memory'], pod([{ name: 'a', resources: { requests: { memory: '0' } } }])), 'must specify cpu for: a', 'zero is stated');
  assert.equal(e.constraints!(['pods'], pod([{ name: 'a' }])), undefined);
});

test('LimitRange rules: merged defaults fill only what is missing; the stored range\'s lists are read as they are', () => {
  const lr = (name: string, limits: unknown[]) => ({ metadata: { name }, spec: { limits } }) as any;
  const d = containerDefaults([lr('a', [{ type: 'Container', default: { cpu: '1', memory: '1Gi' } }]), lr('b', [{ type: 'Container', default: { cpu: '2' }, defaultRequest: { cpu: '500m' } }, { type: 'Pod', max: { cpu: '4' } }])])!;
  assert.deepEqual([d.limits, d.requests], [[['cpu', '2'], ['memory', '1Gi']], [['cpu', '500m']]]);
  // A container stating nothing gets every default, in its own objects.
  const bare: any = { metadata: {}, spec: { containers: [{ name: 'x' }, { name: 'y', resources: {} }], initContainers: [{ name: 'i', resources: null }] } };
  applyContainerDefaults(bare, d);
  for (const c of [...bare.spec.containers, ...bare.spec.initContainers]) assert.deepEqual(c.resources, { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '500m' } });
  assert.notEqual(bare.spec.containers[0].resources.limits, bare.spec.containers[1].resources.limits);
  bare.spec.containers[0].resources.limits.cpu = '9';
  assert.equal(d.whole.limits!.cpu, '2', 'the merged defaults stay as they were');
  assert.equal(bare.metadata.annotations['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu request for container x; cpu, memory limit for container x; cpu request for container y; cpu, memory limit for container y; cpu request for init container i; cpu, memory limit for init container i');
  const onlyLimits = containerDefaults([lr('l', [{ type: 'Container', default: { memory: '1Gi' } }])])!;
  const p1: any = { metadata: {}, spec: { containers: [{ name: 'c' }] } };
  applyContainerDefaults(p1, onlyLimits);
  assert.deepEqual(p1.spec.containers[0].resources, { limits: { memory: '1Gi' } });
  assert.equal(p1.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: memory limit for container c');
  assert.equal(containerDefaults([lr('a', [{ type: 'Pod', max: { cpu: '1' } }])]), undefined);
  assert.equal(containerDefaults([]), undefined);
  const p: any = { metadata: { annotations: { x: 'y' } }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '3' } } }] } };
  applyContainerDefaults(p, d);
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '3', memory: '1Gi' }, requests: { cpu: '500m' } });
  assert.deepEqual(Object.keys(p.metadata.annotations), ['x', 'kubernetes.io/limit-ranger']);
  assert.equal(p.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container c; memory limit for container c');
  const full: any = { metadata: {}, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1', memory: '1' }, requests: { cpu: '1' } } }] } };
  applyContainerDefaults(full, d);
  assert.equal(full.metadata.annotations, undefined, 'nothing set: no annotation');
  const max = lr('m', [{ type: 'Container', max: { memory: '1Gi', cpu: '1' } }]);
  const big = { metadata: {}, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '2', memory: '2Gi' } } }] } } as any;
  for (let i = 0; i < 2; i++) {
    assert.deepEqual(validatePod(big, max), ['maximum cpu usage per Container is 1, but limit is 2', 'maximum memory usage per Container is 1Gi, but limit is 2Gi']);
  }
  assert.deepEqual(validatePod(big, lr('w', [{ type: 'Container', max: 'x' }, { type: 'Container', min: null }])), [], 'wrongly typed lists limit nothing');
});

let f: Fixture;
before(async () => { f = await startFixture({ controllers: false }); });
after(async () => { await f.stop(); });

const pod = (name: string, resources?: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }] } });
const range = (name: string, container: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec: { limits: [{ type: 'Container', ...container }] } });

test('LimitRange: a created, changed or deleted range counts from the very next pod', async () => {
  const ns = await f.ns('lr-cache');
  const lrs = `/api/v1/namespaces/${ns}/limitranges`;
  const create = (name: string, resources?: unknown) => f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod(name, resources));
  let res = await create('p0');
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.spec.containers[0].resources.limits, undefined);

  res = await f.api.post(lrs).send(range('a', { default: { cpu: '100m', memory: '64Mi' }, max: { cpu: '1' } }));
  assert.equal(res.status, 201, res.text);
  res = await create('p1');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.containers[0].resources, { limits: { cpu: '100m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  assert.equal(res.body.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
  assert.equal(res.body.status.qosClass, 'Guaranteed', 'the QoS class counts the defaults, as upstream admits before preparing the pod');

  // Changed: new defaults and a lower max, at once.
  const cur = (await f.api.get(`${lrs}/a`)).body;
  cur.spec.limits[0].default = { cpu: '200m', memory: '1Gi' };
  cur.spec.limits[0].max = { cpu: '300m' };
  res = await f.api.put(`${lrs}/a`).send(cur);
  assert.equal(res.status, 200, res.text);
  res = await create('p2');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.containers[0].resources.limits, { cpu: '200m', memory: '1Gi' });
  assert.equal(res.body.status.qosClass, 'Burstable', 'default requests (from the first default) below the new limits');
  let b = assertStatus(await create('p3', { limits: { cpu: '500m' } }), 403, 'Forbidden');
  assert.equal(b.message, 'pods "p3" is forbidden: maximum cpu usage per Container is 300m, but limit is 500m');

  // A second range (later by name) wins the defaults it sets (its max defaults its default, as
  // upstream's LimitRange defaulting does); both ranges' maxima are checked.
  res = await f.api.post(lrs).send(range('b', { default: { cpu: '250m' }, max: { memory: '512Mi' } }));
  assert.equal(res.status, 201, res.text);
  res = await create('p4', { limits: { memory: '100Mi' } });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.containers[0].resources.limits, { cpu: '250m', memory: '100Mi' });
  res = await create('p5');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.containers[0].resources.limits, { cpu: '250m', memory: '512Mi' });
  b = assertStatus(await create('p5b', { limits: { memory: '1Gi' } }), 403, 'Forbidden');
  assert.equal(b.message, 'pods "p5b" is forbidden: maximum memory usage per Container is 512Mi, but limit is 1Gi');

  // Deleted: the other range alone, then none.
  assert.equal((await f.api.delete(`${lrs}/b`)).status, 200);
  res = await create('p6');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.containers[0].resources.limits, { cpu: '200m', memory: '1Gi' });
  assert.equal((await f.api.delete(`${lrs}/a`)).status, 200);
  res = await create('p7');
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(res.body.spec.containers[0].resources, {});
  assert.equal(res.body.status.qosClass, 'BestEffort');
  assert.equal(res.body.metadata.annotations?.['kubernetes.io/limit-ranger'], undefined);

  // A malformed quantity in a pod is refused as it is decoded (400, as upstream), never a 500.
  b = assertStatus(await create('bad', { limits: { cpu: 'lots' } }), 400, 'BadRequest');
  assert.match(b.message, /cannot be handled as a Pod: quantities must match the regular expression/);
  b = assertStatus(await create('bad', { limits: { cpu: '-1' } }), 422, 'Invalid');
  assert.match(b.message, /spec.containers\[0\].resources.limits\[cpu\]: Invalid value: "-1": must be greater than or equal to 0/);
});

async function setQuota(ns: string, hard: Record<string, string>, used: Record<string, string>): Promise<void> {
  const path = `/api/v1/namespaces/${ns}/resourcequotas`;
  const got = await f.api.get(`${path}/q`);
  const body = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard } };
  const res = got.status === 404 ? await f.api.post(path).send(body) : await f.api.put(`${path}/q`).send({ ...got.body, spec: { hard } });
  assert.ok(res.status === 200 || res.status === 201, res.text);
  const cur = (await f.api.get(`${path}/q`)).body;
  const st = await f.api.put(`${path}/q/status`).send({ ...cur, status: { hard, used } });
  assert.equal(st.status, 200, st.text);
}

test('ResourceQuota: a changed or deleted quota counts from the very next pod', async () => {
  const ns = await f.ns('rq-cache');
  const create = (name: string, resources?: unknown) => f.api.post(`/api/v1/namespaces/${ns}/pods`).send(pod(name, resources));
  await setQuota(ns, { pods: '1' }, { pods: '0' });
  assert.equal((await create('a')).status, 201);
  let b = assertStatus(await create('b'), 403, 'Forbidden');
  assert.equal(b.message, 'pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');

  // Raised: the next create passes (usage as counted so far is kept).
  await setQuota(ns, { pods: '2', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '0' });
  b = assertStatus(await create('c'), 403, 'Forbidden');
  assert.equal(b.message, 'pods "c" is forbidden: failed quota: q: must specify requests.cpu for: c');
  assert.equal((await create('c', { requests: { cpu: '600m' } })).status, 201);
  b = assertStatus(await create('d', { requests: { cpu: '600m' } }), 403, 'Forbidden');
  assert.equal(b.message, 'pods "d" is forbidden: exceeded quota: q, requested: pods=1,requests.cpu=600m, used: pods=2,requests.cpu=600m, limited: pods=2,requests.cpu=1');

  // Deleted: nothing limits the namespace any more.
  assert.equal((await f.api.delete(`/api/v1/namespaces/${ns}/resourcequotas/q`)).status, 200);
  assert.equal((await create('d', { requests: { cpu: '600m' } })).status, 201);
  assert.equal((await create('e')).status, 201);
  // Created again with no room: refused at once.
  await setQuota(ns, { pods: '0' }, { pods: '0' });
  b = assertStatus(await create('f'), 403, 'Forbidden');
  assert.match(b.message, /^pods "f" is forbidden: exceeded quota: q, requested: pods=1, used: pods=\d+, limited: pods=0$/);
});
