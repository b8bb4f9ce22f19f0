// What the simulated network knows of the cluster: pods, Services, EndpointSlices and nodes, indexed
// by the addresses and names it resolves. Fed by the shared informers (or directly, in tests); it
// keeps references to the cached objects and never changes them.
import type { KObject } from '../registry/strategy.ts';

export type Kind = 'pods' | 'services' | 'endpointslices' | 'nodes';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** A map from one key to many objects (by object key). */
class MultiMap {
  private readonly m = new Map<string, Map<string, KObject>>();
  add(k: string, o: KObject): void { let s = this.m.get(k); if (!s) this.m.set(k, s = new Map()); s.set(keyOf(o), o); }
  remove(k: string, o: KObject): void { const s = this.m.get(k); if (s) { s.delete(keyOf(o)); if (!s.size) this.m.delete(k); } }
  get(k: string): KObject[] { return [...(this.m.get(k)?.values() ?? [])]; }
}

/** The addresses a pod answers on. */
export function podIPs(p: KObject): string[] {
  const ips = ((p as any).status?.podIPs ?? []).map((x: any) => String(x?.ip ?? '')).filter(Boolean);
  const one = (p as any).status?.podIP;
  return ips.length ? ips : one ? [String(one)] : [];
}
function clusterIPs(s: KObject): string[] {
  const spec = (s as any).spec ?? {};
  const ips: string[] = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None');
}
function nodePorts(s: KObject): string[] {
  return ((s as any).spec?.ports ?? []).filter((p: any) => p?.nodePort).map((p: any) => `${String(p.protocol ?? 'TCP')}/${p.nodePort}`);
}
function nodeIPs(n: KObject): string[] {
  return ((n as any).status?.addresses ?? []).filter((a: any) => a?.type === 'InternalIP' || a?.type === 'ExternalIP').map((a: any) => String(a.address));
}
function hostSubKey(p: KObject): string[] {
  const spec = (p as any).spec ?? {};
  return spec.hostname && spec.subdomain ? [`${p.metadata.namespace}/${spec.subdomain}/${spec.hostname}`] : [];
}
/** `<node>/<proto>/<hostPort>` for each container port a pod publishes on its node. */
function hostPorts(p: KObject): string[] {
  const spec = (p as any).spec ?? {};
  if (!spec.nodeName) return [];
  const out: string[] = [];
  for (const c of spec.containers ?? []) for (const port of c?.ports ?? []) if (port?.hostPort > 0) out.push(`${spec.nodeName}/${String(port.protocol ?? 'TCP')}/${port.hostPort}`);
  return out;
}
function sliceService(s: KObject): string[] {
  const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc ? [`${s.metadata.namespace}/${svc}`] : [];
}

interface IndexDef { name: string; of: (o: KObject) => string[] }
const INDEXES: Record<Kind, IndexDef[]> = {
  pods: [{ name: 'ip', of: podIPs }, { name: 'hostsub', of: hostSubKey }, { name: 'uid', of: (p) => [String(p.metadata.uid ?? '')] }, { name: 'hostport', of: hostPorts }],
  services: [{ name: 'clusterip', of: clusterIPs }, { name: 'nodeport', of: nodePorts }, { name: 'externalip', of: (s) => (s as any).spec?.externalIPs ?? [] }],
  endpointslices: [{ name: 'service', of: sliceService }],
  nodes: [{ name: 'ip', of: nodeIPs }],
};

export class ClusterIndex {
  private readonly objects = new Map<Kind, Map<string, KObject>>();
  private readonly indexes = new Map<string, MultiMap>();
  /** Called after a pod goes away (the network drops its listeners). */
  onPodGone?: (pod: KObject) => void;

  constructor() {
    for (const kind of Object.keys(INDEXES) as Kind[]) {
      this.objects.set(kind, new Map());
      for (const d of INDEXES[kind]) this.indexes.set(`${kind}/${d.name}`, new MultiMap());
    }
  }

  /** Record a new or changed object. */
  put(kind: Kind, o: KObject): void {
    const old = this.objects.get(kind)!.get(keyOf(o));
    if (old) this.unindex(kind, old);
    this.objects.get(kind)!.set(keyOf(o), o);
    for (const d of INDEXES[kind]) for (const v of d.of(o)) this.indexes.get(`${kind}/${d.name}`)!.add(v, o);
  }

  /** Forget an object. */
  drop(kind: Kind, o: KObject): void {
    const old = this.objects.get(kind)!.get(keyOf(o));
    if (!old) return;
    this.unindex(kind, old);
    this.objects.get(kind)!.delete(keyOf(o));
    if (kind === 'pods') this.onPodGone?.(old);
  }

  private unindex(kind: Kind, o: KObject): void {
    for (const d of INDEXES[kind]) for (const v of d.of(o)) this.indexes.get(`${kind}/${d.name}`)!.remove(v, o);
  }

  get(kind: Kind, namespace: string | undefined, name: string): KObject | undefined {
    return this.objects.get(kind)!.get(`${namespace ?? ''}/${name}`);
  }
  by(kind: Kind, index: string, value: string): KObject[] { return this.indexes.get(`${kind}/${index}`)?.get(value) ?? []; }

  /** Follow an informer: its current objects and every change from now on. */
  follow(kind: Kind, informer: { on(h: { add?(o: any): void; update?(o: any, old: any): void; delete?(o: any): void }): void }): void {
    informer.on({ add: (o) => this.put(kind, o), update: (o) => this.put(kind, o), delete: (o) => this.drop(kind, o) });
  }
}
