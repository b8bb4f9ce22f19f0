// What kube-proxy does for the simulated network: a Service's cluster IP (or external IP, or a node
// port on any node address) leads to one of its ready endpoints, found through the Service's
// EndpointSlices by the Service port's name (so a named targetPort is already resolved there).
// sessionAffinity ClientIP keeps a client on one endpoint until the affinity times out; otherwise
// endpoints take turns. A pod IP is reached directly.
import type { KObject } from '../registry/strategy.ts';
import type { ClusterIndex } from './cluster-index.ts';
import { podIPs } from './cluster-index.ts';
import type { Proto } from './types.ts';

export type Route =
  | { kind: 'pod'; ip: string; port: number }
  | { kind: 'service'; ip: string; port: number; service: string }
  /** A Service port with no ready endpoint: kube-proxy rejects the connection. */
  | { kind: 'no-endpoints'; service: string }
  /** A node's own port (nothing of the node listens in the simulation). */
  | { kind: 'node' }
  /** No one has this address (or a Service port that does not exist): packets go nowhere. */
  | { kind: 'nowhere' };

const DEFAULT_AFFINITY_SECONDS = 10800;

export class Router {
  private readonly index: ClusterIndex;
  private readonly now: () => number;
  private readonly turns = new Map<string, number>();
  private readonly sticky = new Map<string, { ip: string; port: number; until: number }>();

  constructor(index: ClusterIndex, now: () => number) { this.index = index; this.now = now; }

  route(ip: string, port: number, proto: Proto, client: string): Route {
    // kube-proxy's node-port rules come before the node's own sockets (host-network pods share its IP).
    const onNode = this.index.by('nodes', 'ip', ip).length > 0;
    const nodePortSvc = onNode ? this.index.by('services', 'nodeport', `${proto}/${port}`)[0] : undefined;
    if (nodePortSvc) {
      const sp = ((nodePortSvc as any).spec?.ports ?? []).find((p: any) => Number(p?.nodePort) === port && String(p?.protocol ?? 'TCP') === proto);
      return this.toEndpoint(nodePortSvc, sp, proto, client);
    }
    // A pod's hostPort on its node's address (hostIP empty or that address), before the node's own sockets.
    if (onNode) {
      for (const node of this.index.by('nodes', 'ip', ip)) {
        const hp = this.hostPort(String(node.metadata.name), [ip], port, proto);
        if (hp) return { kind: 'pod', ...hp };
      }
    }
    if (this.index.by('pods', 'ip', ip).length) return { kind: 'pod', ip, port };
    const svc = this.index.by('services', 'clusterip', ip)[0] ?? this.index.by('services', 'externalip', ip)[0];
    if (svc) {
      const sp = ((svc as any).spec?.ports ?? []).find((p: any) => Number(p?.port) === port && String(p?.protocol ?? 'TCP') === proto);
      return sp ? this.toEndpoint(svc, sp, proto, client) : { kind: 'nowhere' };
    }
    return onNode ? { kind: 'node' } : { kind: 'nowhere' };
  }

  /** The pod and container port behind `node`'s hostPort `port` for a packet to one of `addresses`. */
  hostPort(node: string, addresses: string[], port: number, proto: Proto): { ip: string; port: number } | undefined {
    for (const pod of this.index.by('pods', 'hostport', `${node}/${proto}/${port}`)) {
      const ip = podIPs(pod)[0];
      if (!ip || pod.metadata.deletionTimestamp) continue;
      for (const c of (pod as any).spec?.containers ?? []) {
        for (const p of c?.ports ?? []) {
          if (Number(p?.hostPort) !== port || String(p?.protocol ?? 'TCP') !== proto) continue;
          const hostIP = String(p.hostIP ?? '');
          if (hostIP === '' || hostIP === '0.0.0.0' || hostIP === '::' || addresses.includes(hostIP)) return { ip, port: Number(p.containerPort) };
        }
      }
    }
    return undefined;
  }

  private toEndpoint(svc: KObject, sp: any, proto: Proto, client: string): Route {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const portName = String(sp?.name ?? '');
    const candidates = this.endpoints(key, portName, proto);
    if (!candidates.length) return { kind: 'no-endpoints', service: key };
    const spec = (svc as any).spec ?? {};
    const stickyKey = `${key}/${portName}/${client}`;
    if (spec.sessionAffinity === 'ClientIP') {
      const held = this.sticky.get(stickyKey);
      if (held && held.until > this.now() && candidates.some((c) => c.ip === held.ip && c.port === held.port)) {
        held.until = this.now() + this.affinityMs(spec);
        return { kind: 'service', ip: held.ip, port: held.port, service: key };
      }
    }
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, turn + 1);
    const pick = candidates[turn % candidates.length];
    if (spec.sessionAffinity === 'ClientIP') {
      if (this.sticky.size >= 10_000) this.forgetExpired();
      this.sticky.set(stickyKey, { ...pick, until: this.now() + this.affinityMs(spec) });
    }
    return { kind: 'service', ip: pick.ip, port: pick.port, service: key };
  }

  /** Affinity entries outlive their timeout only until the table grows: then expired ones go. */
  private forgetExpired(): void {
    const now = this.now();
    for (const [k, v] of this.sticky) if (v.until <= now) this.sticky.delete(k);
  }

  private affinityMs(spec: any): number {
    const s = Number(spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS);
    return (s > 0 ? s : DEFAULT_AFFINITY_SECONDS) * 1000;
  }

  /** Ready endpoints for the Service port (serving terminating ones when none is ready), in a stable order. */
  private endpoints(key: string, portName: string, proto: Proto): { ip: string; port: number }[] {
    const ready: { ip: string; port: number }[] = [];
    const serving: { ip: string; port: number }[] = [];
    for (const slice of this.index.by('endpointslices', 'service', key) as any[]) {
      const p = (slice.ports ?? []).find((x: any) => String(x?.name ?? '') === portName && String(x?.protocol ?? 'TCP') === proto);
      if (!p || !Number(p.port)) continue;
      for (const ep of slice.endpoints ?? []) {
        const c = ep?.conditions ?? {};
        const list = c.ready !== false ? ready : c.serving && c.terminating ? serving : undefined;
        for (const a of list ? ep.addresses ?? [] : []) list!.push({ ip: String(a), port: Number(p.port) });
      }
    }
    const out = ready.length ? ready : serving;
    return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
  }
}
