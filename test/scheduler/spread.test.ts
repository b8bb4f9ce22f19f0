import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSpread, spreadConstraints, spreadState, SPREAD_LABEL_REASON, SPREAD_REASON } from '../../src/scheduler/spread.ts';
import type { NodePolicies } from '../../src/scheduler/spread.ts';
import type { Placed } from '../../src/scheduler/interpod.ts';
import { nodeInfoFor } from '../../src/scheduler/nodeinfo.ts';
import type { NodeInfo } from '../../src/scheduler/nodeinfo.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const node = (name: string, zone?: string) => nodeInfoFor({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone ? { zone } : {}) } }, spec: {}, status: { allocatable: {}, conditions: [{ type: 'Ready', status: 'True' }] } });
const pod = (labels: Record<string, string>, constraints: unknown[] = [], namespace = 'default'): KObject => ({ metadata: { name: 'p', namespace, labels }, spec: { topologySpreadConstraints: constraints } });
const all: NodePolicies = { matchesAffinity: () => true, toleratesTaints: () => true };
const A = node('a', 'z1'), B = node('b', 'z2'), C = node('c', 'z3'), NOZONE = node('d');
const nodes = [A, B, C, NOZONE];
const on = (n: NodeInfo, labels: Record<string, string>, ns = 'default'): Placed => ({ pod: pod(labels, [], ns), node: n });
const zoneSpread = (extra: Record<string, unknown> = {}) => ({ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra });
const state = (p: KObject, placed: Placed[], pol = all) => spreadState(p, spreadConstraints(p, 'DoNotSchedule'), nodes, () => placed, pol)!;

test('maxSkew over zones; a node without the key fails with the label reason', () => {
  const p = pod({ app: 'web' }, [zoneSpread()]);
  const s = state(p, [on(A, { app: 'web' }), on(A, { app: 'web' }), on(B, { app: 'web' })]);
  assert.deepEqual(checkSpread(s, A), [SPREAD_REASON]); // 2+1-0 > 1
  assert.deepEqual(checkSpread(s, B), [SPREAD_REASON]); // 1+1-0 > 1
  assert.deepEqual(checkSpread(s, C), []);
  assert.deepEqual(checkSpread(s, NOZONE), [SPREAD_LABEL_REASON]);
});

test('only matching pods of the same namespace count; a non-matching incoming pod adds nothing', () => {
  const s = state(pod({ app: 'web' }, [zoneSpread()]), [on(A, { app: 'web' }, 'other'), on(A, { app: 'db' })]);
  assert.deepEqual(checkSpread(s, A), []);
  const t = state(pod({ app: 'other' }, [zoneSpread()]), [on(A, { app: 'web' })]);
  assert.deepEqual(checkSpread(t, A), []); // 1+0-0 ≤ 1
});

test('minDomains: fewer domains than asked makes the minimum 0', () => {
  const placed = [on(A, { app: 'web' }), on(B, { app: 'web' }), on(C, { app: 'web' })];
  assert.deepEqual(checkSpread(state(pod({ app: 'web' }, [zoneSpread()]), placed), A), []); // 1+1-1
  assert.deepEqual(checkSpread(state(pod({ app: 'web' }, [zoneSpread({ minDomains: 4 })]), placed), A), [SPREAD_REASON]); // 1+1-0
});

test('nodeAffinityPolicy Honor (default) drops domains the pod cannot use; Ignore keeps them', () => {
  const onlyAB: NodePolicies = { matchesAffinity: (n) => n !== C, toleratesTaints: () => true };
  const placed = [on(A, { app: 'web' }), on(B, { app: 'web' })];
  assert.deepEqual(checkSpread(state(pod({ app: 'web' }, [zoneSpread()]), placed, onlyAB), A), []); // z3 not a domain: min 1
  assert.deepEqual(checkSpread(state(pod({ app: 'web' }, [zoneSpread({ nodeAffinityPolicy: 'Ignore' })]), placed, onlyAB), A), [SPREAD_REASON]);
});

test('matchLabelKeys narrows the selector to the pod\'s own values; ScheduleAnyway is not a filter', () => {
  const p = pod({ app: 'web', rev: '2' }, [zoneSpread({ matchLabelKeys: ['rev'] })]);
  const s = state(p, [on(A, { app: 'web', rev: '1' }), on(A, { app: 'web', rev: '1' })]);
  assert.deepEqual(checkSpread(s, A), []);
  assert.equal(spreadState(p, spreadConstraints(pod({ app: 'web' }, [zoneSpread({ whenUnsatisfiable: 'ScheduleAnyway' })]), 'DoNotSchedule'), nodes, () => [], all), undefined);
});
