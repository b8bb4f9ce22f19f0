// The index of placed pods must never go stale: after any sequence of pod placements, removals and
// relabels, node additions, relabels and deletions and namespace relabels, every tally and group
// agrees with a count made from scratch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interPodStateOf, newPlacedPods, requiredTerms, termsMatcher } from '../../src/scheduler/interpod.ts';
import type { PlacedPods } from '../../src/scheduler/interpod.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const ZONE = 'zone', HOST = 'host';
const nsLabels = new Map<string, Record<string, string>>([['a', { team: 'x' }], ['b', { team: 'y' }]]);
const getNs = (ns: string) => nsLabels.get(ns);

const pod = (ns: string, labels: Record<string, string>, anti?: unknown[]): KObject =>
  ({ metadata: { name: 'p', namespace: ns, labels }, spec: anti ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: anti } } } : {} });
const term = (app: string, topologyKey: string, extra: Record<string, unknown> = {}) => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const termsOf = (ns: string, t: Record<string, unknown>) => requiredTerms(pod(ns, {}, [t]), 'podAntiAffinity');

// The matchers the checks below ask about (each also kept by the index once asked for).
const MATCHERS = [
  termsOf('a', term('web', ZONE)),
  termsOf('a', term('db', HOST)),
  termsOf('a', term('web', ZONE, { namespaces: ['a', 'b'] })),
  termsOf('a', term('web', ZONE, { namespaceSelector: { matchLabels: { team: 'x' } } })),
  [...termsOf('a', term('web', ZONE)), ...termsOf('a', { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, topologyKey: HOST })],
];

/** mulberry32, seeded, so the sequence is the same on every run (tests may not use Math.random). */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

interface World { pods: Map<string, { pod: KObject; node: string }>; nodes: Map<string, Record<string, string>> }

function bruteDomains(w: World, match: (p: KObject) => boolean, topologyKey: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const { pod: p, node } of w.pods.values()) {
    const v = w.nodes.get(node)?.[topologyKey];
    if (v !== undefined && match(p)) m.set(v, (m.get(v) ?? 0) + 1);
  }
  return m;
}

function checkAgrees(index: PlacedPods, w: World, step: number): void {
  for (const terms of MATCHERS) {
    const matcher = termsMatcher(terms, getNs);
    const tally = index.tally(matcher);
    for (const tk of [ZONE, HOST]) {
      assert.deepEqual(new Map([...tally.domains(tk)].sort()), new Map([...bruteDomains(w, matcher.matches, tk)].sort()), `step ${step}: ${matcher.key} by ${tk}`);
    }
    const perNode = new Map<string, number>();
    for (const { pod: p, node } of w.pods.values()) if (matcher.matches(p)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
    assert.deepEqual(new Map([...tally.perNode].sort()), new Map([...perNode].sort()), `step ${step}: ${matcher.key} per node`);
  }
  // Groups: every placed pod's anti-affinity term, where its pods are.
  const want = new Map<string, Map<string, number>>();
  for (const { pod: p, node } of w.pods.values()) {
    for (const t of requiredTerms(p, 'podAntiAffinity')) {
      const k = JSON.stringify([t.selector, [...t.namespaces], t.topologyKey]), v = w.nodes.get(node)?.[t.topologyKey];
      if (!want.has(k)) want.set(k, new Map());
      if (v !== undefined) want.get(k)!.set(v, (want.get(k)!.get(v) ?? 0) + 1);
    }
  }
  const got = new Map<string, Map<string, number>>();
  for (const { value: t, tally } of index.groups()) got.set(JSON.stringify([t.selector, [...t.namespaces], t.topologyKey]), new Map([...tally.domains(t.topologyKey)].sort()));
  assert.deepEqual(new Map([...got].sort()), new Map([...want].map(([k, m]) => [k, new Map([...m].sort())] as const).sort()), `step ${step}: groups`);
}

test('random placements, removals and relabels of pods, nodes and namespaces: the index matches a recount', () => {
  const r = rng(42);
  const index = newPlacedPods();
  const w: World = { pods: new Map(), nodes: new Map() };
  const apps = ['web', 'db', 'other'], zones = ['z1', 'z2', 'z3'];
  const nodeLabels = () => ({ [HOST]: `h${r(4)}`, ...(r(5) ? { [ZONE]: zones[r(3)] } : {}) });
  const randomPod = () => {
    const labels: Record<string, string> = { app: apps[r(3)], ...(r(2) ? { tier: 't' } : {}) };
    return pod(r(3) ? 'a' : 'b', labels, r(3) ? undefined : [term(apps[r(3)], r(2) ? ZONE : HOST)]);
  };
  for (let step = 0; step < 1500; step++) {
    const op = r(10), node = `n${r(6)}`, key = `k${r(25)}`;
    if (op < 4) { const p = randomPod(); index.place(key, p, node); w.pods.set(key, { pod: p, node }); }
    else if (op < 5) { index.remove(key); w.pods.delete(key); }
    else if (op < 6) { // relabel a placed pod in place
      const e = w.pods.get(key);
      if (e) { const p = { ...e.pod, metadata: { ...e.pod.metadata, labels: { app: apps[r(3)] } } }; index.place(key, p, e.node); w.pods.set(key, { pod: p, node: e.node }); }
    } else if (op < 8) { const l = nodeLabels(); index.setNode(node, l); w.nodes.set(node, l); }
    else if (op < 9) { index.setNode(node, undefined); w.nodes.delete(node); }
    else { nsLabels.set('b', { team: r(2) ? 'x' : 'y' }); index.namespacesChanged(); }
    if (step % 5 === 0) checkAgrees(index, w, step);
  }
  checkAgrees(index, w, -1);
  nsLabels.set('b', { team: 'y' });
});

test('stale cases one by one: a deleted pod, a relabelled pod, a relabelled node', () => {
  const index = newPlacedPods();
  index.setNode('n1', { [ZONE]: 'z1' });
  index.setNode('n2', { [ZONE]: 'z2' });
  const web = termsOf('a', term('web', ZONE));
  const domains = () => new Map(index.tally(termsMatcher(web, getNs)).domains(ZONE));
  index.place('a/w1', pod('a', { app: 'web' }), 'n1');
  index.place('a/w2', pod('a', { app: 'web' }), 'n2');
  assert.deepEqual(domains(), new Map([['z1', 1], ['z2', 1]]));
  index.remove('a/w2');
  assert.deepEqual(domains(), new Map([['z1', 1]]));
  index.place('a/w1', pod('a', { app: 'old' }), 'n1');
  assert.deepEqual(domains(), new Map());
  index.place('a/w1', pod('a', { app: 'web' }), 'n1');
  index.setNode('n1', { [ZONE]: 'z9' });
  assert.deepEqual(domains(), new Map([['z9', 1]]));
  index.setNode('n1', undefined);
  assert.deepEqual(domains(), new Map());
  index.setNode('n1', { [ZONE]: 'z1' }); // the node is back: its pods count again
  assert.deepEqual(domains(), new Map([['z1', 1]]));
});

test('existing anti-affinity from the index: follows the guard pod when it is deleted or its node relabelled', () => {
  const index = newPlacedPods();
  index.setNode('n1', { [ZONE]: 'z1' });
  index.setNode('n2', { [ZONE]: 'z2' });
  index.place('a/guard', pod('a', { app: 'guard' }, [term('noisy', ZONE)]), 'n1');
  const noisy = pod('a', { app: 'noisy' });
  assert.deepEqual(interPodStateOf(noisy, index, getNs)?.existingAnti.map((e) => [e.topologyKey, [...e.domains]]), [[ZONE, [['z1', 1]]]]);
  index.setNode('n1', { [ZONE]: 'z2' });
  assert.deepEqual(interPodStateOf(noisy, index, getNs)?.existingAnti.map((e) => [e.topologyKey, [...e.domains]]), [[ZONE, [['z2', 1]]]]);
  index.remove('a/guard');
  assert.equal(interPodStateOf(noisy, index, getNs), undefined);
  assert.equal([...index.groups()].length, 0);
});

test('least recently used tallies are dropped beyond the bound and rebuilt when asked again', () => {
  const index = newPlacedPods();
  index.setNode('n1', { [ZONE]: 'z1' });
  index.place('a/w', pod('a', { app: 'web' }), 'n1');
  for (let i = 0; i < 300; i++) index.tally(termsMatcher(termsOf('a', term(`app${i}`, ZONE)), getNs));
  const web = termsMatcher(termsOf('a', term('web', ZONE)), getNs);
  assert.deepEqual([...index.tally(web).domains(ZONE)], [['z1', 1]]);
  index.place('a/w2', pod('a', { app: 'web' }), 'n1');
  assert.deepEqual([...index.tally(web).domains(ZONE)], [['z1', 2]]);
});
