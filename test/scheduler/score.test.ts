import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intolerablePreferNoSchedule, normalize, preferredNodeAffinity, scoreNodes } from '../../src/scheduler/score.ts';
import * as scoreParts from '../../src/scheduler/score.ts';
import type { PodInfo } from '../../src/scheduler/filters.ts';
import { nodeInfoFor, podRequests } from '../../src/scheduler/nodeinfo.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import type { Taint } from '../../src/types/generated.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []) => nodeInfoFor({ metadata: { name, labels }, spec: { taints }, status: { allocatable: { cpu: '4', memory: '8Gi' }, conditions: [{ type: 'Ready', status: 'True' }] } });
const pod = (spec: Record<string, unknown> = {}): PodInfo => {
  const p: KObject = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], ...spec } };
  return { pod: p, requests: podRequests(p), tolerations: (p.spec.tolerations ?? []) as PodInfo['tolerations'] };
};
const preferred = (terms: [number, string, string][]) => ({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution:
  terms.map(([weight, key, value]) => ({ weight, preference: { matchExpressions: [{ key, operator: 'In', values: [value] }] } })) } } });

test('normalize: by the maximum; reversed for counts where fewer is better; all-zero stays flat', () => {
  assert.deepEqual(normalize([0, 5, 10], false), [0, 50, 100]);
  assert.deepEqual(normalize([0, 1, 2], true), [100, 50, 0]);
  assert.deepEqual(normalize([0, 0], false), [0, 0]);
  assert.deepEqual(normalize([0, 0], true), [100, 100]);
});

test('preferred node affinity sums matching weights', () => {
  const p = pod(preferred([[10, 'disk', 'ssd'], [5, 'zone', 'a']]));
  assert.equal(preferredNodeAffinity(p, node('a', { disk: 'ssd', zone: 'a' })), 15);
  assert.equal(preferredNodeAffinity(p, node('b', { zone: 'a' })), 5);
  assert.equal(preferredNodeAffinity(p, node('c')), 0);
});

test('PreferNoSchedule taints count unless tolerated (a NoSchedule-only toleration does not count)', () => {
  const n = node('a', {}, [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }, { key: 'x', effect: 'NoSchedule' }]);
  assert.equal(intolerablePreferNoSchedule(pod(), n), 1);
  assert.equal(intolerablePreferNoSchedule(pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'PreferNoSchedule' }] }), n), 0);
  assert.equal(intolerablePreferNoSchedule(pod({ tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }] }), n), 1);
});

test('weighted total: preferred affinity and an untainted node win over equal resource scores', () => {
  const plain = node('plain'), ssd = node('ssd', { disk: 'ssd' }), tainted = node('t', {}, [{ key: 'k', effect: 'PreferNoSchedule' }]);
  const [a, b] = scoreNodes(pod(preferred([[1, 'disk', 'ssd']])), [plain, ssd]);
  assert.ok(b > a);
  const [c, d] = scoreNodes(pod(), [plain, tainted]);
  assert.ok(c > d);
});

test('the totals do not depend on whether the affinity and taint scores were skipped: the same node scores the same in every company', () => {
  const { leastAllocated, balancedAllocation } = scoreParts;
  const plain = node('plain'), other = node('other', { disk: 'ssd' });
  const hard = node('hard', {}, [{ key: 'k', value: 'v', effect: 'NoSchedule' }]);
  const soft = node('soft', {}, [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }]);
  const p = pod();
  const base = leastAllocated(p, plain) + balancedAllocation(p, plain);
  // No preferred terms, no taints anywhere: affinity 0, taint toleration 100 (weight 3).
  assert.deepEqual(scoreNodes(p, [plain, other]), [base + 300, base + 300]);
  // A NoSchedule taint elsewhere (filtered, not scored) changes nothing; a PreferNoSchedule one costs its node.
  assert.deepEqual(scoreNodes(p, [plain, hard]), [base + 300, base + 300]);
  assert.deepEqual(scoreNodes(p, [plain, soft]), [base + 300, base + 0]);
  // Empty preferred terms score every node 0.
  assert.deepEqual(scoreNodes(pod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } }), [plain, other]), [base + 300, base + 300]);
  assert.deepEqual(scoreNodes(pod(preferred([[7, 'disk', 'ssd']])), [plain, other]), [base + 300, base + 300 + 2 * 100]);
});
