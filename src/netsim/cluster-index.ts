// What the simulated network knows of the cluster: pods, Services, EndpointSlices and nodes, indexed
// by the addresses and names it resolves. Fed by the shared informers (or directly, in tests); it
// keeps references to the cached objects and never changes them.
import type { KObject } from '../registry/strategy.ts';

export type Kind = 'pods' | 'services' | 'endpointslices' | 'nodes';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * A map from one key to many objects (by object key). Nearly every key (a pod's IP, its uid) has one
 * object: that one is kept as a small pair, and a map of its own is made only for a second (a Map per
 * key was ~0.2 KB, two per pod).
 */
interface One { ok: string; o: KObject }
class MultiMap {
  private readonly m = new Map<string, One | Map<string, KObject>>();
  /** `ok`: the object's key (keyOf). */
  add(k: string, ok: string, o: KObject): void {
    const s = this.m.get(k);
    if (!s || (!(s instanceof Map) && s.ok === ok)) { this.m.set(k, { ok, o }); return; }
    if (s instanceof Map) { s.set(ok, o); return; }
    this.m.set(k, new Map([[s.ok, s.o], [ok, o]]));
  }
  remove(k: string, ok: string): void {
    const s = this.m.get(k);
    if (!s) return;
    if (!(s instanceof Map)) { if (s.ok === ok) this.m.delete(k); return; }
    s.delete(ok);
    if (s.size === 1) { const [[k1, o1]] = s; this.m.set(k, { ok: k1, o: o1 }); } else if (!s.size) this.m.delete(k);
  }
  get(k: string): KObject[] {
    const s = this.m.get(k);
    return !s ? [] : s instanceof Map ? [...s.values()] : [s.o];
  }
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
  /** Each kind's index definitions with their maps (put runs on every pod change). */
  private readonly perKind = new Map<Kind, { of: (o: KObject) => string[]; map: MultiMap }[]>();
  /** Called after a pod goes away (the network drops its listeners). */
  onPodGone?: (pod: KObject) => void;

  constructor() {
    for (const kind of Object.keys(INDEXES) as Kind[]) {
      this.objects.set(kind, new Map());
      const defs = INDEXES[kind].map((d) => ({ of: d.of, map: new MultiMap() }));
      INDEXES[kind].forEach((d, i) => this.indexes.set(`${kind}/${d.name}`, defs[i].map));
      this.perKind.set(kind, defs);
    }
  }

  /** Record a new or changed object (re-indexed: it moves to the end of each of its index values). */
  put(kind: Kind, o: KObject): void {
    const objs = this.objects.get(kind)!, k = keyOf(o);
    const old = objs.get(k);
    if (old) this.unindex(kind, k, old);
    objs.set(k, o);
    for (const d of this.perKind.get(kind)!) for (const v of d.of(o)) d.map.add(v, k, o);
  }

  /** Forget an object. */
  drop(kind: Kind, o: KObject): void {
    const objs = this.objects.get(kind)!, k = keyOf(o);
    const old = objs.get(k);
    if (!old) return;
    this.unindex(kind, k, old);
    objs.delete(k);
    if (kind === 'pods') this.onPodGone?.(old);
  }

  private unindex(kind: Kind, k: string, o: KObject): void {
    for (const d of this.perKind.get(kind)!) for (const v of d.of(o)) d.map.remove(v, k);
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
