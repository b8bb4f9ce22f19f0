import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInterPod, interPodState, requiredTerms, termMatches, AFFINITY_REASON, ANTI_AFFINITY_REASON, EXISTING_ANTI_AFFINITY_REASON } from '../../src/scheduler/interpod.ts';
import type { Placed } from '../../src/scheduler/interpod.ts';
import { nodeInfoFor } from '../../src/scheduler/nodeinfo.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const node = (name: string, zone?: string) => nodeInfoFor({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone ? { zone } : {}) } }, spec: {}, status: { allocatable: {}, conditions: [{ type: 'Ready', status: 'True' }] } });
const pod = (labels: Record<string, string>, affinity?: Record<string, unknown>, namespace = 'default'): KObject => ({ metadata: { name: 'p', namespace, labels }, spec: { affinity } });
const req = (kind: string, terms: unknown[]) => ({ [kind]: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const nsLabels = (ns: string) => ({ team: ns === 'prod' ? 'a' : 'b' });
const A = node('a', 'z1'), B = node('b', 'z1'), C = node('c', 'z2'), D = node('d');

test('term namespaces: own namespace by default, listed namespaces, namespaceSelector ({} = all)', () => {
  const t = (extra: Record<string, unknown>) => requiredTerms(pod({}, req('podAffinity', [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'zone', ...extra }])), 'podAffinity')[0];
  const other = pod({ app: 'x' }, undefined, 'prod');
  assert.equal(termMatches(t({}), pod({ app: 'x' }), nsLabels), true);
  assert.equal(termMatches(t({}), other, nsLabels), false);
  assert.equal(termMatches(t({ namespaces: ['prod'] }), other, nsLabels), true);
  assert.equal(termMatches(t({ namespaceSelector: { matchLabels: { team: 'a' } } }), other, nsLabels), true);
  assert.equal(termMatches(t({ namespaceSelector: { matchLabels: { team: 'z' } } }), other, nsLabels), false);
  assert.equal(termMatches(t({ namespaceSelector: {} }), other, nsLabels), true);
  assert.equal(termMatches(t({}), pod({ app: 'y' }), nsLabels), false);
  const nilSel = requiredTerms(pod({}, req('podAffinity', [{ topologyKey: 'zone' }])), 'podAffinity')[0];
  assert.equal(termMatches(nilSel, pod({ app: 'x' }), nsLabels), false); // a missing labelSelector matches nothing
});

test('no affinity anywhere: no state (the fast path)', () => {
  assert.equal(interPodState(pod({ app: 'x' }), () => [], [], nsLabels), undefined);
});

test('anti-affinity per topology domain (zone)', () => {
  const incoming = pod({ app: 'web' }, req('podAntiAffinity', [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }]));
  const placed: Placed[] = [{ pod: pod({ app: 'web' }), node: A }];
  const s = interPodState(incoming, () => placed, [], nsLabels)!;
  assert.deepEqual(checkInterPod(s, A), [ANTI_AFFINITY_REASON]);
  assert.deepEqual(checkInterPod(s, B), [ANTI_AFFINITY_REASON]); // same zone
  assert.deepEqual(checkInterPod(s, C), []);
  assert.deepEqual(checkInterPod(s, D), []); // no zone label: not in any domain
});

test('affinity: all topology labels must exist; the first pod of a self-affine group goes anywhere labelled', () => {
  const affine = (labels: Record<string, string>) => pod(labels, req('podAffinity', [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }]));
  let s = interPodState(affine({ app: 'cache' }), () => [{ pod: pod({ app: 'db' }), node: C }], [], nsLabels)!;
  assert.deepEqual(checkInterPod(s, C), []);
  assert.deepEqual(checkInterPod(s, A), [AFFINITY_REASON]);
  assert.deepEqual(checkInterPod(s, D), [AFFINITY_REASON]);
  s = interPodState(affine({ app: 'cache' }), () => [], [], nsLabels)!;
  assert.deepEqual(checkInterPod(s, A), [AFFINITY_REASON]); // nothing to follow and does not match itself
  s = interPodState(affine({ app: 'db' }), () => [], [], nsLabels)!;
  assert.deepEqual(checkInterPod(s, A), []);
  assert.deepEqual(checkInterPod(s, D), [AFFINITY_REASON]);
});

test('existing pods\' anti-affinity against the incoming pod', () => {
  const guard: Placed = { pod: pod({ app: 'guard' }, req('podAntiAffinity', [{ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['noisy'] }] }, topologyKey: 'kubernetes.io/hostname' }])), node: A };
  const s = interPodState(pod({ app: 'noisy' }), () => [guard], [guard], nsLabels)!;
  assert.deepEqual(checkInterPod(s, A), [EXISTING_ANTI_AFFINITY_REASON]);
  assert.deepEqual(checkInterPod(s, B), []);
  assert.equal(interPodState(pod({ app: 'quiet' }), () => [guard], [guard], nsLabels), undefined);
});

test('malformed selectors (not validated yet) match nothing instead of throwing', () => {
  const bad = pod({ app: 'x' }, req('podAntiAffinity', [{ labelSelector: { matchExpressions: { key: 'app' } }, topologyKey: 'zone' }, { labelSelector: 'app=x', topologyKey: 'zone' }, null]));
  const s = interPodState(bad, () => [{ pod: pod({ app: 'x' }), node: A }], [], nsLabels)!;
  assert.deepEqual(checkInterPod(s, A), []);
});
