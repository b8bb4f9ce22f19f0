// Cluster IP and NodePort allocation for Services (upstream's service-cluster-ip-range and
// service-node-port-range; defaults 10.96.0.0/12 and 30000-32767).
import { field } from '../errors.ts';
import type { FieldError } from '../errors.ts';
import type { KObject, StrategyServices } from './strategy.ts';

function ipToInt(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}
const intToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

export interface AllocatorOptions {
  serviceCIDR?: string; nodePortRange?: [number, number];
  /** A number in [0,1): start allocating at this fraction of each range (servers sharing one store). */
  randomStart?: number;
}

export class Allocators {
  private readonly base: number;
  private readonly size: number;
  private readonly cidr: string;
  private readonly usedIPs = new Set<number>();
  /** Offsets below this are the static band: handed out only on request, or when the rest is full. */
  private readonly staticBand: number;
  private nextIP: number;
  private readonly ports: [number, number];
  private readonly usedPorts = new Set<number>();
  private nextPort: number;

  constructor(o: AllocatorOptions = {}) {
    this.cidr = o.serviceCIDR ?? '10.96.0.0/12';
    const [ip, bits] = this.cidr.split('/');
    this.base = ipToInt(ip)!;
    this.size = 2 ** (32 - Number(bits));
    // Upstream's allocator keeps the lowest min(max(16, size/16), 256) addresses for static requests
    // (10.96.0.1 kubernetes, 10.96.0.10 kube-dns) and allocates dynamically above them first.
    this.staticBand = Math.min(Math.max(16, Math.floor(this.size / 16)), 256, this.size - 2);
    this.nextIP = this.staticBand;
    this.ports = o.nodePortRange ?? [30000, 32767];
    this.nextPort = this.ports[0];
    if (o.randomStart !== undefined) {
      this.nextIP = this.staticBand + Math.floor(o.randomStart * (this.size - 2 - this.staticBand));
      this.nextPort = this.ports[0] + Math.floor(o.randomStart * (this.ports[1] - this.ports[0]));
    }
  }

  reserveExisting(svc: KObject): void {
    for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])) {
      const n = ipToInt(ip);
      if (n !== undefined) this.usedIPs.add(n);
    }
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) this.usedPorts.add(p.nodePort);
  }

  allocateClusterIP(requested: string | undefined): string | FieldError {
    if (requested) {
      const n = ipToInt(requested);
      if (n === undefined || n <= this.base || n >= this.base + this.size - 1) {
        return field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
      }
      if (this.usedIPs.has(n)) return field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`);
      this.usedIPs.add(n);
      return requested;
    }
    for (let i = 0; i < this.size - 2; i++) {
      const off = 1 + ((this.nextIP - 1 + i) % (this.size - 2));
      const n = this.base + off;
      if (!this.usedIPs.has(n)) { this.usedIPs.add(n); this.nextIP = off + 1; return intToIp(n); }
    }
    return field.invalid('spec.clusterIPs', null, `failed to allocate a serviceIP: range is full`);
  }
  releaseClusterIP(ip: string): void { const n = ipToInt(ip); if (n !== undefined) this.usedIPs.delete(n); }

  allocateNodePort(requested: number | undefined): number | FieldError {
    const [lo, hi] = this.ports;
    if (requested) {
      if (requested < lo || requested > hi) return field.invalid('spec.ports[0].nodePort', requested, `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`);
      if (this.usedPorts.has(requested)) return field.invalid('spec.ports[0].nodePort', requested, 'provided port is already allocated');
      this.usedPorts.add(requested);
      return requested;
    }
    for (let i = 0; i <= hi - lo; i++) {
      const p = lo + ((this.nextPort - lo + i) % (hi - lo + 1));
      if (!this.usedPorts.has(p)) { this.usedPorts.add(p); this.nextPort = p + 1; return p; }
    }
    return field.invalid('spec.ports[0].nodePort', null, 'range is full');
  }
  releaseNodePort(port: number): void { this.usedPorts.delete(port); }

  services(): StrategyServices {
    return {
      allocateClusterIP: (r) => this.allocateClusterIP(r),
      releaseClusterIP: (ip) => this.releaseClusterIP(ip),
      allocateNodePort: (p) => this.allocateNodePort(p),
      releaseNodePort: (p) => this.releaseNodePort(p),
    };
  }
}
