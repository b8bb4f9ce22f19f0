// Upstream's PodNominator: the unplaced pods a preemption nominated to a node
// (status.nominatedNodeName), with what they need, so that pods of lower or equal priority
// scheduled meanwhile leave that room alone.
import type { ExtraPod } from './victims.ts';

export interface Nomination extends ExtraPod { node: string; priority: number }

export class Nominator {
  private readonly byPod = new Map<string, Nomination>();
  private readonly byNode = new Map<string, Set<string>>();

  get(key: string): Nomination | undefined { return this.byPod.get(key); }
  has(key: string): boolean { return this.byPod.has(key); }

  /** Nominate `key` (again), or drop its nomination (no `n`). */
  set(key: string, n?: Nomination): void {
    const prev = this.byPod.get(key);
    if (prev) {
      const set = this.byNode.get(prev.node)!;
      set.delete(key);
      if (!set.size) this.byNode.delete(prev.node);
      this.byPod.delete(key);
    }
    if (!n) return;
    this.byPod.set(key, n);
    let set = this.byNode.get(n.node);
    if (!set) this.byNode.set(n.node, set = new Set());
    set.add(key);
  }

  /** The pods nominated to `node`. */
  keysOn(node: string): string[] { return [...(this.byNode.get(node) ?? [])]; }
  anyOn(node: string): boolean { return this.byNode.has(node); }

  /** What a pod `key` of `priority` must leave room for on `node` (upstream: nominated pods of ≥ priority, not itself). */
  roomFor(node: string, key: string, priority: number): ExtraPod[] {
    const out: ExtraPod[] = [];
    for (const k of this.byNode.get(node) ?? []) { const n = this.byPod.get(k)!; if (k !== key && n.priority >= priority) out.push(n); }
    return out;
  }
}
