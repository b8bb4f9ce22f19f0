import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterNodeAffinity, filterResources, filterTaints, filterUnschedulable, runFilters, unschedulableMessage } from '../../src/scheduler/filters.ts';
import type { PodInfo } from '../../src/scheduler/filters.ts';
import { nodeInfoFor, podRequests } from '../../src/scheduler/nodeinfo.ts';
import { leastAllocated } from '../../src/scheduler/score.ts';
import { feasibleNodesToFind } from '../../src/scheduler/scheduler.ts';
import { milliValue, quantityValue } from '../../src/scheduler/quantity.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const node = (extra: Record<string, any> = {}, labels: Record<string, string> = {}): KObject => ({
  metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', ...labels } },
  spec: { ...extra },
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (spec: Record<string, any> = {}): PodInfo => {
  const p: KObject = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '1Gi' } } }], ...spec } };
  return { pod: p, requests: podRequests(p), tolerations: p.spec.tolerations ?? [] };
};

test('quantities', () => {
  assert.equal(milliValue('500m'), 500);
  assert.equal(milliValue('1.5'), 1500);
  assert.equal(quantityValue('64Gi'), 64 * 2 ** 30);
  assert.equal(quantityValue('1e3'), 1000);
  assert.equal(quantityValue('2k'), 2000);
  assert.equal(quantityValue('bogus'), 0);
});

test('resources: requests vs allocatable minus requested; pod count', () => {
  const ni = nodeInfoFor(node());
  assert.deepEqual(filterResources(pod(), ni), []);
  ni.requested = { cpu: 1800 };
  assert.deepEqual(filterResources(pod(), ni), ['Insufficient cpu']);
  ni.requested = { cpu: 1800, memory: 3.5 * 2 ** 30 };
  assert.deepEqual(filterResources(pod(), ni), ['Insufficient cpu', 'Insufficient memory']);
  ni.requested = {}; ni.podCount = 3;
  assert.deepEqual(filterResources(pod(), ni), ['Too many pods']);
});

test('init containers and limits-only containers count as upstream', () => {
  const p: KObject = { metadata: {}, spec: {
    initContainers: [{ name: 'i', resources: { requests: { cpu: '3' } } }],
    containers: [{ name: 'a', resources: { limits: { cpu: '1' } } }, { name: 'b', resources: { requests: { cpu: '1' } } }],
  } };
  assert.equal(podRequests(p).cpu, 3000);
});

test('taints and tolerations; NotReady counts as tainted', () => {
  const tainted = nodeInfoFor(node({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  assert.deepEqual(filterTaints(pod(), tainted), ['node(s) had untolerated taint {dedicated: gpu}']);
  assert.deepEqual(filterTaints(pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), tainted), []);
  assert.deepEqual(filterTaints(pod({ tolerations: [{ operator: 'Exists' }] }), tainted), []);
  assert.deepEqual(filterTaints(pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] }), tainted).length, 1);
  const pref = nodeInfoFor(node({ taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }));
  assert.deepEqual(filterTaints(pod(), pref), []);
  const notReady = nodeInfoFor({ ...node(), status: { allocatable: {}, conditions: [{ type: 'Ready', status: 'False' }] } });
  assert.deepEqual(filterTaints(pod(), notReady), ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
});

test('unschedulable (cordoned) nodes', () => {
  const ni = nodeInfoFor(node({ unschedulable: true }));
  assert.deepEqual(filterUnschedulable(pod(), ni), ['node(s) were unschedulable']);
  assert.deepEqual(filterUnschedulable(pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), ni), []);
});

test('nodeSelector and required node affinity', () => {
  const ni = nodeInfoFor(node({}, { zone: 'a', gen: '5' }));
  const fail = ["node(s) didn't match Pod's node affinity/selector"];
  assert.deepEqual(filterNodeAffinity(pod({ nodeSelector: { zone: 'a' } }), ni), []);
  assert.deepEqual(filterNodeAffinity(pod({ nodeSelector: { zone: 'b' } }), ni), fail);
  const aff = (exprs: unknown[]) => pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } } });
  assert.deepEqual(filterNodeAffinity(aff([{ key: 'zone', operator: 'In', values: ['a', 'c'] }]), ni), []);
  assert.deepEqual(filterNodeAffinity(aff([{ key: 'zone', operator: 'NotIn', values: ['a'] }]), ni), fail);
  assert.deepEqual(filterNodeAffinity(aff([{ key: 'gen', operator: 'Gt', values: ['4'] }]), ni), []);
  assert.deepEqual(filterNodeAffinity(aff([{ key: 'gpu', operator: 'Exists' }]), ni), fail);
  assert.deepEqual(filterNodeAffinity(aff([{ key: 'gpu', operator: 'DoesNotExist' }]), ni), []);
  // A null term is valid (an empty term, matching nothing); another term can still match.
  const terms = (t: unknown[]) => pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: t } } } });
  assert.deepEqual(filterNodeAffinity(terms([null]), ni), fail);
  assert.deepEqual(filterNodeAffinity(terms([null, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }]), ni), []);
});

test('first failing filter decides; message shape', () => {
  const ni = nodeInfoFor(node({ unschedulable: true }));
  ni.requested = { cpu: 2000 };
  assert.deepEqual(runFilters(pod(), ni), ['node(s) were unschedulable']);
  assert.equal(unschedulableMessage(3, new Map([['Insufficient cpu', 3]])), '0/3 nodes are available: 3 Insufficient cpu.');
  assert.equal(unschedulableMessage(3, new Map([['Insufficient cpu', 2], ['Insufficient memory', 1]])), '0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.');
});

test('least allocated prefers the emptier node; feasible-node sampling follows upstream', () => {
  const a = nodeInfoFor(node()), b = nodeInfoFor(node());
  b.nonZero = { cpu: 1000, memory: 2 * 2 ** 30 };
  assert.ok(leastAllocated(pod(), a) > leastAllocated(pod(), b));
  assert.equal(feasibleNodesToFind(50), 50);
  assert.equal(feasibleNodesToFind(1000), 420);
  assert.equal(feasibleNodesToFind(5000), 500);
});

test('a node that fits gets the one shared empty answer, which nobody can add to; a failing one its own reasons each time', () => {
  const ni = nodeInfoFor(node());
  const fits = runFilters(pod(), ni);
  assert.deepEqual(fits, []);
  assert.equal(runFilters(pod(), nodeInfoFor(node())), fits, 'shared');
  assert.throws(() => runFilters(pod(), ni).push('x'), TypeError);
  assert.deepEqual(runFilters(pod(), ni), []);
  const picky = pod({ nodeSelector: { disk: 'ssd' } });
  const a = filterNodeAffinity(picky, ni), b = filterNodeAffinity(picky, ni);
  assert.deepEqual(a, ["node(s) didn't match Pod's node affinity/selector"]);
  assert.notEqual(a, b, 'a failure is a new list');
  assert.deepEqual(filterNodeAffinity(picky, nodeInfoFor(node({}, { disk: 'ssd' }))), []);
  // A nodeSelector key that only the prototype has does not match.
  assert.deepEqual(filterNodeAffinity(pod({ nodeSelector: JSON.parse('{"__proto__": "x"}') }), ni), ["node(s) didn't match Pod's node affinity/selector"]);
  // NotReady without taints still fails the taint filter.
  const notReady = nodeInfoFor({ ...node(), status: { allocatable: { cpu: '2' }, conditions: [{ type: 'Ready', status: 'False' }] } });
  assert.deepEqual(filterTaints(pod(), notReady), ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
});
