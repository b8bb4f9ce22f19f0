// Preemption's pure parts: upstream's node choice criteria in order, and the PDB split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickCandidate, unresolvable } from '../../src/scheduler/preemption.ts';
import type { Candidate } from '../../src/scheduler/preemption.ts';
import { splitByPdb } from '../../src/scheduler/victims.ts';
import type { NodePod } from '../../src/scheduler/victims.ts';
import type { NodeInfo } from '../../src/scheduler/nodeinfo.ts';
import type { LabelSelector } from '../../src/types/generated.ts';

const v = (name: string, priority: number, start = 0, labels: Record<string, string> = {}): NodePod =>
  ({ key: `default/${name}`, pod: { metadata: { name, namespace: 'default', labels } }, priority, start, req: {}, ports: [] });
const cand = (node: string, victims: NodePod[], pdbViolations = 0): Candidate => ({ node: { name: node } as NodeInfo, victims, pdbViolations });
const pickName = (...cs: Candidate[]) => pickCandidate(cs).node.name;

test('pickCandidate applies upstream criteria in order', () => {
  assert.equal(pickName(cand('a', [v('x', 1)]), cand('b', [])), 'b', 'a node needing no victims wins');
  assert.equal(pickName(cand('a', [v('x', 1)], 1), cand('b', [v('y', 50), v('z', 40)])), 'b', 'fewest PDB violations first');
  assert.equal(pickName(cand('a', [v('x', 30)]), cand('b', [v('y', 20), v('z', 20)])), 'b', 'then the lowest highest-priority victim');
  assert.equal(pickName(cand('a', [v('x', 20), v('w', 10)]), cand('b', [v('y', 20), v('z', 5)])), 'b', 'then the smallest priority sum');
  // Priorities are shifted by 2^31 before summing, so more victims make a larger sum even when negative.
  assert.equal(pickName(cand('a', [v('x', -5), v('w', -5)]), cand('b', [v('y', -5)])), 'b', 'shifted sums prefer fewer victims');
  assert.equal(pickName(cand('a', [v('x', 20, 100)]), cand('b', [v('y', 20, 200)])), 'b', 'then the latest start of the highest-priority victims');
  assert.equal(pickName(cand('a', [v('x', 20, 100)]), cand('b', [v('y', 20, 100)])), 'a', 'then the first');
});

test('splitByPdb counts down each budget in order; empty selectors, other namespaces and disrupted pods do not count', () => {
  const pdb = (name: string, allowed: number, selector: LabelSelector, disruptedPods?: Record<string, string>, namespace = 'default') =>
    ({ metadata: { name, namespace }, spec: { selector }, status: { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: allowed, ...(disruptedPods ? { disruptedPods } : {}) } });
  const pods = [v('a', 1, 0, { app: 'w' }), v('b', 1, 0, { app: 'w' }), v('c', 1, 0, { app: 'w' }), v('d', 1, 0, { app: 'q' })];
  const r = splitByPdb(pods, [pdb('one', 1, { matchLabels: { app: 'w' } }, { b: '2026-01-01T00:00:00Z' }), pdb('all', 0, {}), pdb('elsewhere', 0, { matchLabels: { app: 'q' } }, undefined, 'other')]);
  assert.deepEqual(r.ok.map((p) => p.pod.metadata.name), ['a', 'b', 'd']);
  assert.deepEqual(r.violating.map((p) => p.pod.metadata.name), ['c']);
});

test('only failures that removing pods can fix are resolvable', () => {
  for (const r of ['Insufficient cpu', 'Too many pods', "node(s) didn't have free ports for the requested pod ports", "node(s) didn't match pod anti-affinity rules",
    "node(s) didn't satisfy existing pods anti-affinity rules", "node(s) didn't match pod topology spread constraints"]) assert.equal(unresolvable(r), false, r);
  for (const r of ['node(s) were unschedulable', 'node(s) had untolerated taint {a: b}', "node(s) didn't match Pod's node affinity/selector",
    "node(s) didn't match pod affinity rules", "node(s) didn't match pod topology spread constraints (missing required label)"]) assert.equal(unresolvable(r), true, r);
});
