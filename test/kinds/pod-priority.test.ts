import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.ts';
import { StatusError } from '../../src/errors.ts';
import { admitPodPriority } from '../../src/registry/kinds/pod-priority.ts';
import type { AdmissionContext, KObject } from '../../src/registry/strategy.ts';
import { resourceOf } from './helpers.ts';

const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KObject => ({ metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra });
const ctx = (classes: KObject[]): AdmissionContext => ({
  clock: new FakeClock(), resource: resourceOf('', 'Pod'),
  list: async (g, v, r) => { assert.equal(`${g}/${v}/${r}`, 'scheduling.k8s.io/v1/priorityclasses'); return classes; },
});
const pod = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = { name: 'p' }): KObject => ({ metadata: meta, spec: { containers: [{ name: 'c' }], ...spec } });
async function forbidden(p: KObject, classes: KObject[]): Promise<StatusError> {
  try { await admitPodPriority(p, ctx(classes)); } catch (e) { assert.ok(e instanceof StatusError); return e; }
  assert.fail('expected Forbidden');
}

test('no class and no globalDefault: priority 0, PreemptLowerPriority, no class name', async () => {
  const p = pod();
  await admitPodPriority(p, ctx([pc('high', 1000)]));
  assert.equal(p.spec.priority, 0);
  assert.equal(p.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(p.spec.priorityClassName, undefined);
});

test('a named class gives its value and preemptionPolicy', async () => {
  const p = pod({ priorityClassName: 'batch' });
  await admitPodPriority(p, ctx([pc('batch', 50, { preemptionPolicy: 'Never' })]));
  assert.equal(p.spec.priority, 50);
  assert.equal(p.spec.preemptionPolicy, 'Never');
});

test('globalDefault: the lowest-valued default class is used and named', async () => {
  const p = pod();
  await admitPodPriority(p, ctx([pc('a', 300, { globalDefault: true }), pc('b', 100, { globalDefault: true }), pc('c', 1)]));
  assert.equal(p.spec.priorityClassName, 'b');
  assert.equal(p.spec.priority, 100);
});

test('built-in system classes resolve without stored objects', async () => {
  const p = pod({ priorityClassName: 'system-node-critical' });
  await admitPodPriority(p, ctx([]));
  assert.equal(p.spec.priority, 2000001000);
  const q = pod({ priorityClassName: 'system-cluster-critical' });
  await admitPodPriority(q, ctx([]));
  assert.equal(q.spec.priority, 2000000000);
});

test('unknown class: 403 Forbidden with upstream wording', async () => {
  const e = await forbidden(pod({ priorityClassName: 'nope' }), []);
  assert.equal(e.status.code, 403);
  assert.equal(e.status.reason, 'Forbidden');
  assert.equal(e.status.message, 'pods "p" is forbidden: no PriorityClass with name nope was found');
  const g = await forbidden(pod({ priorityClassName: 'nope' }, { generateName: 'p-', name: 'p-abcde' }), []);
  assert.equal(g.status.message, 'pods is forbidden: no PriorityClass with name nope was found');
});

test('a priority or preemptionPolicy that disagrees with the class is refused; an equal one is accepted', async () => {
  const e = await forbidden(pod({ priorityClassName: 'high', priority: 5 }), [pc('high', 1000)]);
  assert.equal(e.status.message, 'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
  const f = await forbidden(pod({ priorityClassName: 'high', preemptionPolicy: 'Never' }), [pc('high', 1000)]);
  assert.match(f.status.message ?? "", /the string value of PreemptionPolicy \(Never\) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority/);
  const ok = pod({ priorityClassName: 'high', priority: 1000 });
  await admitPodPriority(ok, ctx([pc('high', 1000)]));
  assert.equal(ok.spec.priority, 1000);
});
