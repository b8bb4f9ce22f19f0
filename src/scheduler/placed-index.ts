// The placed pods (bound or assumed) indexed for inter-pod affinity and topology spread, kept up to
// date as pods are placed, removed or relabelled and as nodes appear, go or are relabelled, so a
// scheduling attempt reads counts instead of walking every placed pod (upstream builds the same
// counts in PreFilter once per cycle; here they persist between attempts).
//  - A tally counts the placed pods one matcher accepts, per node and, for each topology key asked
//    for, per topology value of the node (only nodes the index knows). Tallies are built on first
//    use from the pods of the matcher's namespaces, then maintained; the least recently used are
//    dropped beyond a bound, and those that read namespace labels are dropped when one changes.
//  - Groups collect placed pods by a key their own spec yields (required anti-affinity terms),
//    each with a tally of its members, so "which placed pods' terms match this pod" is a walk
//    over distinct terms rather than over pods.
// Counts are live maps: read them synchronously, before the index changes again.
import type { Pod } from '../types/generated.ts';
import { deepEqual } from '../util/deep-equal.ts';

/** Topology value → pods. Values whose count falls to 0 are removed. */
export type DomainCounts = Map<string, number>;
type Labels = Record<string, string>;

export interface PodMatcher {
  /** Equal keys mean the same pods match. */
  key: string;
  /** The only namespaces a matching pod can be in; undefined: any. */
  namespaces?: Iterable<string>;
  /** Matching depends on namespace labels (a namespaceSelector). */
  readsNamespaceLabels: boolean;
  matches(pod: Pod): boolean;
}

function bump(m: Map<string, number>, k: string, d: number): void {
  const v = (m.get(k) ?? 0) + d;
  if (v) m.set(k, v); else m.delete(k);
}

export class Tally {
  /** Pod key → node name. */
  readonly pods = new Map<string, string>();
  /** Node name → pods counted there (nodes the index does not know included). */
  readonly perNode = new Map<string, number>();
  private readonly topo = new Map<string, DomainCounts>();
  private readonly nodeLabels: Map<string, Labels>;
  constructor(nodeLabels: Map<string, Labels>) { this.nodeLabels = nodeLabels; }

  add(key: string, node: string): void {
    if (this.pods.has(key)) return;
    this.pods.set(key, node);
    this.shift(node, this.nodeLabels.get(node), 1);
  }

  remove(key: string): void {
    const node = this.pods.get(key);
    if (node === undefined) return;
    this.pods.delete(key);
    this.shift(node, this.nodeLabels.get(node), -1);
  }

  private shift(node: string, labels: Labels | undefined, d: number): void {
    bump(this.perNode, node, d);
    if (labels) for (const [tk, m] of this.topo) { const v = labels[tk]; if (v !== undefined) bump(m, v, d); }
  }

  /** Counts per value of `topologyKey` over the known nodes. */
  domains(topologyKey: string): DomainCounts {
    let m = this.topo.get(topologyKey);
    if (!m) {
      m = new Map();
      for (const [node, c] of this.perNode) { const v = this.nodeLabels.get(node)?.[topologyKey]; if (v !== undefined) bump(m, v, c); }
      this.topo.set(topologyKey, m);
    }
    return m;
  }

  /** A node's labels went from `before` to `after` (undefined: unknown node). */
  relabel(node: string, before: Labels | undefined, after: Labels | undefined): void {
    const c = this.perNode.get(node);
    if (!c) return;
    for (const [tk, m] of this.topo) {
      const a = before?.[tk], b = after?.[tk];
      if (a === b) continue;
      if (a !== undefined) bump(m, a, -c);
      if (b !== undefined) bump(m, b, c);
    }
  }
}

export class PlacedIndex<G> {
  private readonly pods = new Map<string, { pod: Pod; node: string; groups: string[] }>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly nodeLabels = new Map<string, Labels>();
  /** Insertion order is recency of use. */
  private readonly tallies = new Map<string, { matcher: PodMatcher; tally: Tally }>();
  private readonly groupMap = new Map<string, { value: G; tally: Tally }>();

  private readonly groupsOf: (pod: Pod) => { key: string; value: G }[];
  private readonly maxTallies: number;
  constructor(groupsOf: (pod: Pod) => { key: string; value: G }[], maxTallies = 256) { this.groupsOf = groupsOf; this.maxTallies = maxTallies; }

  /** Count `pod` on `node` (again, if it was placed: its labels or spec may have changed). */
  place(key: string, pod: Pod, node: string): void {
    this.remove(key);
    const groups: string[] = [];
    for (const { key: gk, value } of this.groupsOf(pod)) {
      if (groups.includes(gk)) continue;
      let g = this.groupMap.get(gk);
      if (!g) this.groupMap.set(gk, g = { value, tally: new Tally(this.nodeLabels) });
      g.tally.add(key, node);
      groups.push(gk);
    }
    this.pods.set(key, { pod, node, groups });
    const ns = pod.metadata.namespace ?? '';
    let set = this.byNamespace.get(ns);
    if (!set) this.byNamespace.set(ns, set = new Set());
    set.add(key);
    for (const { matcher, tally } of this.tallies.values()) if (matcher.matches(pod)) tally.add(key, node);
  }

  remove(key: string): void {
    const e = this.pods.get(key);
    if (!e) return;
    this.pods.delete(key);
    const ns = e.pod.metadata.namespace ?? '';
    const set = this.byNamespace.get(ns);
    set?.delete(key);
    if (set && !set.size) this.byNamespace.delete(ns);
    for (const { tally } of this.tallies.values()) tally.remove(key);
    for (const gk of e.groups) {
      const g = this.groupMap.get(gk)!;
      g.tally.remove(key);
      if (!g.tally.pods.size) this.groupMap.delete(gk);
    }
  }

  has(key: string): boolean { return this.pods.has(key); }

  /**
   * Hold `pod` as the placed pod's current revision when nothing the index counts by changed (labels,
   * namespace, deletion, affinity: those go through place()), so it keeps no superseded revision alive.
   */
  refresh(key: string, pod: Pod): void {
    const e = this.pods.get(key);
    if (e) e.pod = pod;
  }

  /** A node appeared or its labels changed (labels), or it went away (undefined). */
  setNode(name: string, labels: Labels | undefined): void {
    const before = this.nodeLabels.get(name);
    if (labels) this.nodeLabels.set(name, labels); else this.nodeLabels.delete(name);
    if (before === labels || (before && labels && deepEqual(before, labels))) return;
    for (const { tally } of this.tallies.values()) tally.relabel(name, before, labels);
    for (const { tally } of this.groupMap.values()) tally.relabel(name, before, labels);
  }

  /** Some namespace's labels changed: forget what was counted through namespace selectors. */
  namespacesChanged(): void {
    for (const [k, { matcher }] of this.tallies) if (matcher.readsNamespaceLabels) this.tallies.delete(k);
  }

  /** The tally of the pods `matcher` accepts. */
  tally(matcher: PodMatcher): Tally {
    const hit = this.tallies.get(matcher.key);
    if (hit) {
      this.tallies.delete(matcher.key);
      this.tallies.set(matcher.key, hit);
      return hit.tally;
    }
    const tally = new Tally(this.nodeLabels);
    const count = (key: string) => { const e = this.pods.get(key)!; if (matcher.matches(e.pod)) tally.add(key, e.node); };
    if (matcher.namespaces) { for (const ns of matcher.namespaces) for (const key of this.byNamespace.get(ns) ?? []) count(key); }
    else for (const key of this.pods.keys()) count(key);
    this.tallies.set(matcher.key, { matcher, tally });
    for (const k of this.tallies.keys()) { if (this.tallies.size <= this.maxTallies) break; this.tallies.delete(k); }
    return tally;
  }

  /** The groups with members, each with the tally of its members. */
  groups(): Iterable<{ value: G; tally: Tally }> { return this.groupMap.values(); }
  /** The same, with each group's key. */
  groupEntries(): Iterable<[string, { value: G; tally: Tally }]> { return this.groupMap.entries(); }
}
