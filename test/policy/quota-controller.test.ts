// Quota admission and the quota controller together on an in-process cluster (fake clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import type { Cluster } from '../controllers/harness.ts';
import { registerAdmissionPlugins } from '../../src/admission/plugins.ts';
import { findResource } from '../../src/registry/resources.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const quotas = findResource('', 'v1', 'resourcequotas')!;
const services = findResource('', 'v1', 'services')!;

async function cluster(): Promise<Cluster> {
  const c = await startCluster({ nodes: 1 });
  await registerAdmissionPlugins({ store: c.store, clock: c.clock });
  return c;
}

async function quotaOf(c: Cluster, ns: string, name: string): Promise<KObject> { return c.store.get(quotas, ns, name); }

function pod(name: string, extra: Record<string, any> = {}): KObject {
  return { metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', ...extra }] } };
}

test('quota: status.hard and status.used follow the namespace; a pod over the limit is refused with upstream\'s text; deletion replenishes', async () => {
  const c = await cluster();
  try {
    await c.store.create(quotas, 'default', { metadata: { name: 'q' }, spec: { hard: { pods: '2', 'requests.cpu': '1', 'count/configmaps': '10' } } });
    await c.until(async () => !!(await quotaOf(c, 'default', 'q')).status?.used, { what: 'quota status' });
    const q0 = await quotaOf(c, 'default', 'q');
    assert.deepEqual(q0.status.hard, { 'count/configmaps': '10', pods: '2', 'requests.cpu': '1' });
    assert.equal(q0.status.used.pods, '0');
    assert.equal(q0.status.used['requests.cpu'], '0');
    assert.ok(Number(q0.status.used['count/configmaps']) >= 0);

    await assert.rejects(c.store.create(R.pods, 'default', pod('nores')), (e: any) => {
      assert.equal(e.code, 403);
      assert.equal(e.message, 'pods "nores" is forbidden: failed quota: q: must specify requests.cpu for: c');
      return true;
    });
    const res = { resources: { requests: { cpu: '400m' } } };
    await c.store.create(R.pods, 'default', pod('a', res));
    await c.store.create(R.pods, 'default', pod('b', res));
    const q1 = await quotaOf(c, 'default', 'q');
    assert.equal(q1.status.used.pods, '2', 'admission charged both pods');
    assert.equal(q1.status.used['requests.cpu'], '800m');
    await assert.rejects(c.store.create(R.pods, 'default', pod('c', res)), (e: any) => {
      assert.equal(e.message, 'pods "c" is forbidden: exceeded quota: q, requested: pods=1,requests.cpu=400m, used: pods=2,requests.cpu=800m, limited: pods=2,requests.cpu=1');
      return true;
    });
    await c.settle();
    assert.equal((await quotaOf(c, 'default', 'q')).status.used.pods, '2', 'the recount agrees with admission');

    await c.store.delete(R.pods, 'default', 'a', { gracePeriodSeconds: 0 });
    await c.until(async () => (await quotaOf(c, 'default', 'q')).status.used.pods === '1', { what: 'replenished after delete' });
    assert.equal((await quotaOf(c, 'default', 'q')).status.used['requests.cpu'], '400m');

    // A pod that reached a terminal phase no longer counts against pods or compute resources.
    await c.store.guaranteedUpdate(R.pods, 'default', 'b', (cur) => { cur.status = { ...cur.status, phase: 'Succeeded' }; return cur; }, { subresource: 'status' });
    await c.until(async () => (await quotaOf(c, 'default', 'q')).status.used.pods === '0', { what: 'terminal pod released' });
  } finally { await c.close(); }
});

test('quota: racing creates never pass the limit together', async () => {
  const c = await cluster();
  try {
    await c.store.create(quotas, 'default', { metadata: { name: 'q' }, spec: { hard: { 'count/configmaps': '3', configmaps: '3' } } });
    await c.until(async () => !!(await quotaOf(c, 'default', 'q')).status?.used, { what: 'quota status' });
    const used0 = Number((await quotaOf(c, 'default', 'q')).status.used.configmaps);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) =>
      c.store.create(R.configmaps, 'default', { metadata: { name: `cm-${i}` }, data: {} })));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(ok, 3 - used0, 'exactly the free units are handed out');
    for (const r of results) if (r.status === 'rejected') assert.match((r.reason as Error).message, /exceeded quota: q, requested: configmaps=1,count\/configmaps=1/);
    await c.settle();
    assert.equal((await quotaOf(c, 'default', 'q')).status.used.configmaps, '3');
  } finally { await c.close(); }
});

test('quota: a ReplicaSet refused by quota reports ReplicaFailure and FailedCreate events; more room clears it', async () => {
  const c = await cluster();
  try {
    await c.store.create(quotas, 'default', { metadata: { name: 'q' }, spec: { hard: { pods: '1' } } });
    await c.until(async () => !!(await quotaOf(c, 'default', 'q')).status?.used, { what: 'quota status' });
    await c.store.create(R.rs, 'default', {
      metadata: { name: 'web' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    await c.until(async () => !!(await c.store.get(R.rs, 'default', 'web')).status?.conditions?.length, { what: 'ReplicaFailure' });
    const rs = await c.store.get(R.rs, 'default', 'web');
    const cond = rs.status.conditions[0];
    assert.equal(cond.type, 'ReplicaFailure');
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'FailedCreate');
    assert.match(cond.message, /^pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1$/);
    assert.equal((await c.list(R.pods, 'default')).length, 1);
    const events = (await c.list(R.events, 'default')).filter((e) => e.reason === 'FailedCreate');
    assert.ok(events.length >= 1);
    assert.match(events[0].message, /^Error creating: pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: q/);

    await c.store.guaranteedUpdate(quotas, 'default', 'q', (cur) => { cur.spec.hard.pods = '5'; return cur; });
    await c.until(async () => (await c.list(R.pods, 'default')).length === 3, { what: 'pods after raising the quota', stepMs: 1000 });
    await c.until(async () => !(await c.store.get(R.rs, 'default', 'web')).status?.conditions, { what: 'condition cleared', stepMs: 1000 });
  } finally { await c.close(); }
});

test('quota: services count node ports and load balancers; scopes pick pods', async () => {
  const c = await cluster();
  try {
    await c.store.create(quotas, 'default', { metadata: { name: 'svc' }, spec: { hard: { 'services.nodeports': '1', 'services.loadbalancers': '0' } } });
    await c.store.create(quotas, 'default', { metadata: { name: 'be' }, spec: { hard: { pods: '1' }, scopes: ['BestEffort'] } });
    await c.until(async () => !!(await quotaOf(c, 'default', 'svc')).status?.used && !!(await quotaOf(c, 'default', 'be')).status?.used, { what: 'status' });
    const svc = (name: string, type: string, ports = 1) => ({ metadata: { name }, spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })), selector: { a: 'b' } } });
    await c.store.create(services, 'default', svc('np', 'NodePort'));
    await assert.rejects(c.store.create(services, 'default', svc('np2', 'NodePort')), /exceeded quota: svc, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1/);
    await assert.rejects(c.store.create(services, 'default', svc('lb', 'LoadBalancer')), /exceeded quota: svc, requested: services.loadbalancers=1,services.nodeports=1, used: services.loadbalancers=0,services.nodeports=1, limited: services.loadbalancers=0,services.nodeports=1/);
    await c.store.create(services, 'default', svc('plain', 'ClusterIP'));

    await c.store.create(R.pods, 'default', pod('be1'));
    await assert.rejects(c.store.create(R.pods, 'default', pod('be2')), /exceeded quota: be/);
    await c.store.create(R.pods, 'default', pod('burstable', { resources: { requests: { memory: '10Mi' } } }));
  } finally { await c.close(); }
});

test('quota: a quota on quotas limits new quotas but never its own status updates', async () => {
  const c = await cluster();
  try {
    await c.store.create(quotas, 'default', { metadata: { name: 'meta' }, spec: { hard: { resourcequotas: '1', 'count/resourcequotas': '1' } } });
    await c.until(async () => (await quotaOf(c, 'default', 'meta')).status?.used?.resourcequotas === '1', { what: 'counted itself' });
    await assert.rejects(c.store.create(quotas, 'default', { metadata: { name: 'second' }, spec: { hard: { pods: '1' } } }),
      /resourcequotas "second" is forbidden: exceeded quota: meta, requested: count\/resourcequotas=1,resourcequotas=1, used: count\/resourcequotas=1,resourcequotas=1, limited: count\/resourcequotas=1,resourcequotas=1/);
    // Status writes of the full quota (the controller's and anyone's) still go through.
    await c.store.guaranteedUpdate(quotas, 'default', 'meta', (cur) => { cur.spec.hard.secrets = '3'; return cur; });
    await c.until(async () => (await quotaOf(c, 'default', 'meta')).status?.hard?.secrets === '3', { what: 'status follows spec' });
    assert.ok((await quotaOf(c, 'default', 'meta')).status.used.secrets !== undefined);
  } finally { await c.close(); }
});

test('quota: a charged create that then fails (name taken) gives its units back', async () => {
  const c = await cluster();
  try {
    await c.store.create(quotas, 'default', { metadata: { name: 'q' }, spec: { hard: { pods: '2' } } });
    await c.until(async () => !!(await quotaOf(c, 'default', 'q')).status?.used, { what: 'quota status' });
    await c.store.create(R.pods, 'default', pod('a'));
    await assert.rejects(c.store.create(R.pods, 'default', pod('a')), (e: any) => e.code === 409);
    await c.settle();
    assert.equal((await quotaOf(c, 'default', 'q')).status.used.pods, '1', 'the failed create is not counted');
    await c.store.create(R.pods, 'default', pod('b'));
    await assert.rejects(c.store.create(R.pods, 'default', pod('c')), /exceeded quota: q/);
  } finally { await c.close(); }
});
