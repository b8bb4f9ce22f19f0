import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { Store } from '../../src/registry/store.ts';
import { strategyFor, validateMeta, validateMetaUpdate } from '../../src/registry/kinds-adapter.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { findResource } from '../../src/registry/resources.ts';
import { asUser } from '../../src/util/request-scope.ts';
import { errors } from '../../src/errors.ts';
import type { AdmissionAttributes } from '../../src/admission/index.ts';

async function newStore(): Promise<Store> {
  const clock = new FakeClock();
  const store = new Store({ backend: new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, now: () => clock.now() }), clock, strategyFor, validateMeta, validateMetaUpdate });
  await bootstrap(store);
  return store;
}

const cms = findResource('', 'v1', 'configmaps')!;
const alice = { name: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] };

test('admission: plugins see upstream attributes, mutate before validation, refuse in the validating phase', async () => {
  const store = await newStore();
  const seen: { phase: string; a: AdmissionAttributes; name?: string }[] = [];
  store.admission.register({
    name: 'ResourceQuota',
    validate: async (a) => {
      seen.push({ phase: 'quota', a, name: a.object?.metadata.name });
      if (a.object?.data?.refuse) throw errors.forbidden('refused by test');
    },
  });
  store.admission.register({
    name: 'MutatingAdmissionWebhook',
    mutate: async (a) => {
      seen.push({ phase: 'mutate', a, name: a.object?.metadata.name });
      if (a.operation === 'DELETE') return; // nothing to mutate on DELETE
      a.object = { ...a.object!, data: { ...(a.object!.data ?? {}), added: 'yes' } };
    },
  });
  const created = await asUser(alice, () => store.create(cms, 'default', { metadata: { generateName: 'x-' }, data: { a: '1' } } as any, { fieldManager: 'm' }));
  assert.equal(created.data.added, 'yes', 'the mutation is stored');
  assert.deepEqual(seen.map((s) => s.phase), ['mutate', 'quota'], 'mutating plugins run before validating ones whatever the order of registration');
  assert.equal(seen[0].a.operation, 'CREATE');
  assert.equal(seen[0].a.name, '', 'a generateName create has no name in admission');
  assert.equal(seen[0].name, undefined, 'mutating admission sees no generated name yet');
  assert.equal(seen[1].name, created.metadata.name, 'validating admission sees the generated name');
  assert.deepEqual(seen[0].a.user, alice);
  assert.equal(seen[0].a.namespace, 'default');
  assert.deepEqual(seen[0].a.options, { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: 'm' });

  seen.length = 0;
  const { obj } = await store.update(cms, 'default', created.metadata.name!, { ...created, data: { b: '2' } });
  assert.equal(seen[0].a.operation, 'UPDATE');
  assert.equal(seen[0].a.oldObject?.data.a, '1');
  assert.equal(seen[0].a.user.name, 'system:apiserver', 'outside a request the system writes');
  assert.deepEqual(obj.data, { b: '2', added: 'yes' });

  await assert.rejects(store.create(cms, 'default', { metadata: { name: 'no' }, data: { refuse: 'x' } } as any), /refused by test/);
  await assert.rejects(store.get(cms, 'default', 'no'), /not found/, 'a refused create writes nothing');

  seen.length = 0;
  await store.delete(cms, 'default', created.metadata.name!, { dryRun: true });
  assert.deepEqual(seen.map((x) => x.phase), ['mutate', 'quota'], 'DELETE goes through the mutating phase too, as upstream');
  assert.equal(seen[0].a.operation, 'DELETE');
  assert.equal(seen[0].a.object, undefined);
  assert.equal(seen[0].a.oldObject?.metadata.name, created.metadata.name);
  assert.equal(seen[0].a.dryRun, true);
  assert.deepEqual(seen[0].a.options, { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', dryRun: ['All'] });
});

test('admission: a mutation that breaks the object is caught by the kind validation', async () => {
  const store = await newStore();
  store.admission.register({ name: 'MutatingAdmissionWebhook', mutate: async (a) => { a.object!.metadata.labels = { 'bad key!': 'v' }; } });
  await assert.rejects(store.create(cms, 'default', { metadata: { name: 'c' } } as any), (e: any) => e.code === 422);
});

test('admission: a plugin that says it does not apply is not called; the chain answers undefined (no promise) when none applies', async () => {
  const { AdmissionChain } = await import('../../src/admission/index.ts');
  const chain = new AdmissionChain();
  const calls: string[] = [];
  chain.register({ name: 'LimitRanger', applies: (a) => a.resource.resource === 'pods', mutate: async () => { calls.push('limits'); }, validate: async () => { calls.push('limits-v'); } });
  chain.register({ name: 'ResourceQuota', applies: (_a, phase) => phase === 'validate', validate: async () => { calls.push('quota'); } });
  const attrs = { operation: 'CREATE', resource: cms, requestResource: cms, subresource: '', name: 'c', namespace: 'default', object: { metadata: {} }, user: alice, dryRun: false, options: {} } as AdmissionAttributes;
  let made = 0;
  const ctx = () => { made++; return {} as never; };
  assert.equal(chain.mutate(attrs, ctx), undefined, 'no mutating plugin applies to configmaps');
  assert.equal(made, 0, 'the context is not made when no plugin runs');
  const v = chain.validate(attrs, ctx);
  assert.ok(v instanceof Promise, 'the quota plugin applies to validation');
  await v;
  assert.deepEqual(calls, ['quota']);
  assert.equal(made, 1);
});

test('admission: whether a plugin applies is asked at its turn, after earlier plugins mutated', async () => {
  const store = await newStore();
  const calls: string[] = [];
  store.admission.register({ name: 'MutatingAdmissionWebhook', applies: (a) => !!a.object?.metadata.labels?.tagged, mutate: async () => { calls.push('webhook'); } });
  store.admission.register({ name: 'LimitRanger', mutate: async (a) => { calls.push('limits'); a.object!.metadata.labels = { tagged: 'yes' }; } });
  const created = await store.create(cms, 'default', { metadata: { name: 'c' } } as any);
  assert.deepEqual(calls, ['limits', 'webhook'], 'LimitRanger runs first in upstream order and makes the webhook apply');
  assert.equal(created.metadata.labels?.tagged, 'yes');
  await assert.rejects(
    (async () => { store.admission.register({ name: 'ResourceQuota', applies: () => true, validate: async () => { throw errors.forbidden('quota says no'); } }); await store.create(cms, 'default', { metadata: { name: 'd' } } as any); })(),
    /quota says no/,
  );
  await assert.rejects(store.get(cms, 'default', 'd'), /not found/, 'a refusal from an applying plugin still stops the write');
});
