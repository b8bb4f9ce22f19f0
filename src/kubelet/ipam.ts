// Pod IPs from each node's podCIDR (a /24 or larger IPv4 range): unique per node, released when the
// pod goes. .0 (network) and .1 (the node's bridge) are never handed out.
export class PodIPs {
  private readonly byNode = new Map<string, { base: number; size: number; used: Set<number>; next: number }>();
  private readonly owners = new Map<string, { node: string; offset: number }>(); // pod uid → allocation

  private range(node: string, cidr: string | undefined) {
    let r = this.byNode.get(node);
    if (r) return r;
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr ?? '');
    if (!m) return undefined;
    const base = ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4];
    const bits = Math.min(32, Math.max(8, +m[5]));
    r = { base, size: 2 ** (32 - bits), used: new Set(), next: 2 };
    this.byNode.set(node, r);
    return r;
  }

  /** The pod's IP (the same one on every call until released), or undefined if the range is full or unknown. */
  allocate(podUid: string, node: string, cidr: string | undefined): string | undefined {
    const have = this.owners.get(podUid);
    const r = this.range(node, cidr);
    if (!r) return undefined;
    if (have && have.node === node) return toIp(r.base + have.offset);
    if (have) this.release(podUid);
    for (let tries = 0; tries < r.size; tries++) {
      const off = r.next;
      r.next = r.next + 1 >= r.size - 1 ? 2 : r.next + 1; // skip broadcast, wrap to .2
      if (!r.used.has(off)) {
        r.used.add(off);
        this.owners.set(podUid, { node, offset: off });
        return toIp(r.base + off);
      }
    }
    return undefined;
  }

  /** Record an IP already assigned (after a restart) so it is not handed out twice. */
  claim(podUid: string, node: string, cidr: string | undefined, ip: string): void {
    const r = this.range(node, cidr);
    if (!r) return;
    const off = fromIp(ip) - r.base;
    if (off < 0 || off >= r.size) return;
    r.used.add(off);
    this.owners.set(podUid, { node, offset: off });
  }

  release(podUid: string): void {
    const a = this.owners.get(podUid);
    if (!a) return;
    this.owners.delete(podUid);
    this.byNode.get(a.node)?.used.delete(a.offset);
  }
  get allocated(): number { return this.owners.size; }
}

function toIp(n: number): string { return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'); }
function fromIp(s: string): number { const p = s.split('.').map(Number); return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3]; }
