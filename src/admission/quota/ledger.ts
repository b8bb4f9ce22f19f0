// Charges admission has made that the store may not have committed yet. Quota admission raises a
// quota's status.used (with a compare-and-swap) before the object is written; the quota controller
// recounts from what is stored, and a recount that ran between the two would lower status.used below
// what admission promised away, letting another create through. The controller adds these pending
// charges to its recount until the store reports the create settled (the object is then in the
// informers, or the write failed and the charge is released), or, as a safety net, the TTL passes.
import type { KObject } from '../../registry/strategy.ts';

export const PENDING_TTL_MS = 30_000;

interface Pending { group: string; resource: string; name: string; obj: KObject; at: number }

export class QuotaLedger {
  private readonly byNamespace = new Map<string, Map<number, Pending>>();

  private seq = 0;
  /** Called with a namespace whose charges were released (a failed create): its quotas need a recount. */
  onRelease?: (ns: string) => void;

  /** Records a charge; returns its token for settle(). */
  record(ns: string, group: string, resource: string, obj: KObject, at: number): number {
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, m = new Map());
    const token = ++this.seq;
    m.set(token, { group, resource, name: obj.metadata.name ?? '', obj, at });
    return token;
  }

  /** The create behind a charge committed (ok) or failed: the charge is no longer pending. */
  settle(ns: string, token: number, ok: boolean): void {
    const m = this.byNamespace.get(ns);
    if (!m?.delete(token)) return;
    if (!m.size) this.byNamespace.delete(ns);
    if (!ok) this.onRelease?.(ns);
  }

  /** Pending creates of a resource in a namespace, dropping those stored (`exists`) or older than the TTL. */
  pending(ns: string, group: string, resource: string, now: number, exists: (name: string) => boolean): KObject[] {
    const m = this.byNamespace.get(ns);
    if (!m) return [];
    const out: KObject[] = [];
    for (const [k, p] of m) {
      if (p.group !== group || p.resource !== resource) continue;
      if (exists(p.name) || now - p.at > PENDING_TTL_MS) { m.delete(k); continue; }
      out.push(p.obj);
    }
    if (!m.size) this.byNamespace.delete(ns);
    return out;
  }

  /** The oldest pending charge's age in a namespace (the controller re-checks once it expires). */
  oldest(ns: string): number | undefined {
    let t: number | undefined;
    for (const p of this.byNamespace.get(ns)?.values() ?? []) t = t === undefined ? p.at : Math.min(t, p.at);
    return t;
  }
}
