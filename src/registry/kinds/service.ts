// core/v1 Service: upstream defaults, ClusterIP/NodePort allocation through ctx.services,
// validation and the update rules for allocated values.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject, StrategyContext } from '../strategy.ts';
import { check } from '../validation/common.ts';
import { validateLabels } from '../validation/meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum } from '../validation/names.ts';
import { ipFamily, validateIP, validateNonSpecialIP, validatePortNumOrName } from '../validation/net.ts';
import { arr, def, isObj } from './util.ts';
import type { KindStrategy } from './util.ts';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

const isHeadless = (spec: Record<string, any>) => spec.clusterIP === 'None' || arr(spec.clusterIPs)[0] === 'None';
const externallyAccessible = (spec: Record<string, any>) => spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
const needsClusterIP = (spec: Record<string, any>) => spec.type !== 'ExternalName';
const needsNodePorts = (spec: Record<string, any>) => spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const nodePortType = (spec: Record<string, any>) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';

/**
 * Upstream's dropTypeDependentFields: when an update changes the type so that cluster IPs or node
 * ports no longer apply, the values the client merely sent back unchanged are cleared (a
 * ClusterIP → ExternalName update of a read-modify-write object is valid); values it changed are kept
 * and validated.
 */
function dropTypeDependentFields(spec: Record<string, any>, os: Record<string, any>): void {
  if (needsClusterIP(os) && !needsClusterIP(spec)) {
    if (same(spec.clusterIP, os.clusterIP) && same(spec.clusterIPs, os.clusterIPs)) { delete spec.clusterIP; delete spec.clusterIPs; }
    if (same(spec.ipFamilies, os.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, os.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (nodePortType(os) && !nodePortType(spec)) {
    const ports = (v: Record<string, any>) => arr(v.ports).map((p: any) => (isObj(p) ? p.nodePort ?? 0 : 0));
    if (same(ports(spec), ports(os))) for (const p of arr(spec.ports)) if (isObj(p)) delete p.nodePort;
  }
  const externallyAccessible = (v: Record<string, any>) => nodePortType(v) || ((v.type ?? 'ClusterIP') === 'ClusterIP' && arr(v.externalIPs).length > 0);
  if (externallyAccessible(os) && !externallyAccessible(spec) && same(spec.externalTrafficPolicy, os.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  if (os.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (same(spec.healthCheckNodePort, os.healthCheckNodePort)) delete spec.healthCheckNodePort;
    if (same(spec.allocateLoadBalancerNodePorts, os.allocateLoadBalancerNodePorts)) delete spec.allocateLoadBalancerNodePorts;
    if (same(spec.loadBalancerClass, os.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (os.type !== 'ExternalName' && spec.type === 'ExternalName' && same(spec.internalTrafficPolicy, os.internalTrafficPolicy)) delete spec.internalTrafficPolicy;
}

/** Values an object names but does not hold (a failed allocation): never released for it. */
const notOwned = new WeakMap<KObject, { ips: Set<string>; ports: Set<number> }>();
/** Allocation errors found while preparing an object, reported by validate. */
const pending = new WeakMap<KObject, FieldError[]>();

function foreign(obj: KObject) {
  let f = notOwned.get(obj);
  if (!f) notOwned.set(obj, f = { ips: new Set(), ports: new Set() });
  return f;
}

export function defaultService(obj: KObject): void {
  if (!isObj(obj.spec)) return;
  const spec = obj.spec;
  def(spec, 'type', 'ClusterIP');
  def(spec, 'sessionAffinity', 'None');
  // As upstream's SetDefaults_Service: affinity None drops its config (switching ClientIP → None by update works).
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig ??= {};
    cfg.clientIP ??= {};
    def(cfg.clientIP, 'timeoutSeconds', 10800);
  }
  for (const p of arr(spec.ports)) {
    if (!isObj(p)) continue;
    def(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type !== 'ExternalName') def(spec, 'internalTrafficPolicy', 'Cluster');
  if (externallyAccessible(spec)) def(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') def(spec, 'allocateLoadBalancerNodePorts', true);
  if (spec.clusterIP && (!spec.clusterIPs || spec.clusterIPs.length === 0)) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && arr(spec.clusterIPs).length) spec.clusterIP = spec.clusterIPs[0];
}

function defaultFamilies(spec: Record<string, any>): void {
  if (!needsClusterIP(spec)) return;
  const selectorless = !isObj(spec.selector) || Object.keys(spec.selector).length === 0;
  def(spec, 'ipFamilyPolicy', isHeadless(spec) && selectorless ? 'PreferDualStack' : 'SingleStack');
  if (!arr(spec.ipFamilies).length) {
    const fam = ipFamily(spec.clusterIP ?? '');
    spec.ipFamilies = [fam === 6 ? 'IPv6' : 'IPv4'];
  }
}

function allocateIP(obj: KObject, ctx: StrategyContext, errs: FieldError[]): void {
  const spec = obj.spec;
  if (!needsClusterIP(spec) || isHeadless(spec)) {
    if (isHeadless(spec)) { spec.clusterIP = 'None'; spec.clusterIPs = ['None']; }
    return;
  }
  const requested: string | undefined = spec.clusterIP || undefined;
  if (requested && !ipFamily(requested)) return; // reported by validation
  const alloc = ctx.services?.allocateClusterIP;
  if (!alloc) return;
  const got = alloc(requested);
  if (typeof got === 'string') { spec.clusterIP = got; spec.clusterIPs = [got]; return; }
  if (requested) foreign(obj).ips.add(requested);
  errs.push(got);
}

function allocatePorts(obj: KObject, ctx: StrategyContext, errs: FieldError[], keep: Set<number> = new Set()): void {
  const spec = obj.spec;
  if (!needsNodePorts(spec)) return;
  const alloc = ctx.services?.allocateNodePort;
  if (!alloc) return;
  arr(spec.ports).forEach((p: any, i: number) => {
    if (!isObj(p)) return;
    if (p.nodePort && keep.has(p.nodePort)) return; // already held by this Service
    if (p.nodePort !== undefined && p.nodePort !== 0 && isValidPortNum(p.nodePort).length) return; // reported by validation
    const got = alloc(p.nodePort || undefined);
    if (typeof got === 'number') { p.nodePort = got; return; }
    if (p.nodePort) foreign(obj).ports.add(p.nodePort);
    errs.push({ ...got, field: `spec.ports[${i}].nodePort` });
  });
}

function release(obj: KObject, ctx: StrategyContext, what: { ips?: string[]; ports?: number[] }): void {
  const f = notOwned.get(obj);
  for (const ip of what.ips ?? []) if (ip && ip !== 'None' && !f?.ips.has(ip)) ctx.services?.releaseClusterIP?.(ip);
  for (const p of what.ports ?? []) if (p && !f?.ports.has(p)) ctx.services?.releaseNodePort?.(p);
}

const ipsOf = (spec: any): string[] => (spec ? arr<string>(spec.clusterIPs).length ? arr<string>(spec.clusterIPs) : spec.clusterIP ? [spec.clusterIP] : [] : []);
const portsOf = (spec: any): number[] => arr(spec?.ports).map((p: any) => p?.nodePort).filter((n: unknown) => typeof n === 'number' && n > 0);

export function validateService(obj: KObject): FieldError[] {
  const spec = obj.spec;
  if (!isObj(spec)) return [field.required('spec', '')];
  const errs: FieldError[] = [];
  const ports = arr(spec.ports);
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(field.required('spec.ports', ''));
  if (spec.type === 'LoadBalancer' && isHeadless(spec)) errs.push(field.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
  if (spec.type === 'NodePort' && isHeadless(spec)) errs.push(field.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
  if (spec.type === 'ExternalName') {
    if (arr(spec.clusterIPs).length > 0 || spec.clusterIP) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...check('spec.externalName', cname, isDNS1123Subdomain));
    else errs.push(field.required('spec.externalName', ''));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const pp = `spec.ports[${i}]`;
    if (!isObj(p)) { errs.push(field.invalid(pp, p, 'must be an object')); return; }
    if (ports.length > 1 && !p.name) errs.push(field.required(`${pp}.name`, ''));
    else if (p.name) {
      errs.push(...check(`${pp}.name`, String(p.name), isDNS1123Label));
      if (names.has(p.name)) errs.push(field.duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...isValidPortNum(p.port).map((m) => field.invalid(`${pp}.port`, p.port ?? 0, m)));
    if (!p.protocol) errs.push(field.required(`${pp}.protocol`, ''));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(field.notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
    errs.push(...validatePortNumOrName(`${pp}.targetPort`, p.targetPort));
    if (spec.type === 'ClusterIP' && p.nodePort) errs.push(field.forbidden(`${pp}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    if (p.nodePort) errs.push(...isValidPortNum(p.nodePort).map((m) => field.invalid(`${pp}.nodePort`, p.nodePort, m)));
    const k = `${p.protocol}/${p.port}`;
    if (seen.has(k)) errs.push(field.duplicate(pp, { port: p.port, protocol: p.protocol }));
    seen.add(k);
  });
  if (spec.selector != null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(field.required('spec.sessionAffinity', ''));
  else if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) errs.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig != null) errs.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  if (spec.type !== 'ExternalName') {
    arr<string>(spec.clusterIPs).forEach((ip, i) => {
      if (ip === 'None') { if (i > 0 || arr(spec.clusterIPs).length > 1) errs.push(field.invalid(`spec.clusterIPs[${i}]`, ip, "'None' must be the first and only value")); return; }
      errs.push(...validateIP(`spec.clusterIPs[${i}]`, ip));
    });
    if (arr(spec.clusterIPs).length && spec.clusterIP && spec.clusterIPs[0] !== spec.clusterIP) {
      errs.push(field.invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
    }
  }
  arr<string>(spec.externalIPs).forEach((ip, i) => {
    const e = validateIP(`spec.externalIPs[${i}]`, ip);
    errs.push(...(e.length ? e : validateNonSpecialIP(`spec.externalIPs[${i}]`, ip)));
  });
  if (!spec.type) errs.push(field.required('spec.type', ''));
  else if (!TYPES.includes(spec.type)) errs.push(field.notSupported('spec.type', spec.type, TYPES));
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy) errs.push(field.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) {
    errs.push(field.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy ?? '', ['Cluster', 'Local']));
  }
  if (spec.internalTrafficPolicy != null && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    errs.push(field.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.allocateLoadBalancerNodePorts != null && spec.type !== 'LoadBalancer') {
    errs.push(field.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

function validateClusterIPsUpdate(next: Record<string, any>, old: Record<string, any>): FieldError[] {
  if (next.type === 'ExternalName' || old.type === 'ExternalName') return [];
  if (isHeadless(next) && isHeadless(old)) return [];
  const ni = arr<string>(next.clusterIPs); const oi = arr<string>(old.clusterIPs);
  if (ni.length === 0 && oi.length > 0) return [field.invalid('spec.clusterIPs[0]', ni, 'primary clusterIP can not be unset')];
  const errs: FieldError[] = [];
  oi.forEach((ip, i) => { if (i < ni.length && ni[i] !== ip) errs.push(field.invalid(`spec.clusterIPs[${i}]`, ni, 'may not change once set')); });
  return errs;
}

export const serviceStrategy: KindStrategy = {
  generation: false,
  // Upstream's serviceStatusStrategy resets only the spec: labels and annotations sent to /status are kept.
  statusUpdatesMetadata: true,
  nameCheck: 'dns1035',
  prepareForCreate(obj, ctx) {
    if (!isObj(obj.spec)) return;
    defaultService(obj);
    const errs: FieldError[] = [];
    if (validateService(obj).length === 0) {
      allocateIP(obj, ctx, errs);
      if (errs.length === 0) allocatePorts(obj, ctx, errs);
    }
    defaultFamilies(obj.spec);
    if (errs.length) pending.set(obj, errs);
    obj.status = { loadBalancer: {} };
  },
  prepareForUpdate(obj, old, ctx) {
    if (!isObj(obj.spec)) return;
    const spec = obj.spec; const os = old.spec ?? {};
    dropTypeDependentFields(spec, os);
    // Keep what was allocated when the new object leaves it out (upstream's patchAllocatedValues).
    if (needsClusterIP(os) && (spec.type ?? 'ClusterIP') !== 'ExternalName') {
      if (!spec.clusterIP && os.clusterIP) spec.clusterIP = os.clusterIP;
      if (!arr(spec.clusterIPs).length && arr(os.clusterIPs).length) spec.clusterIPs = [...os.clusterIPs];
    }
    defaultService(obj);
    const errs: FieldError[] = [];
    if (needsNodePorts(os) && needsNodePorts(spec)) {
      const byName = new Map<string, number>(arr(os.ports).map((p: any) => [p?.name ?? '', p?.nodePort]));
      const used = new Set(portsOf(spec));
      for (const p of arr(spec.ports)) if (isObj(p) && !p.nodePort) { const v = byName.get(p.name ?? ''); if (v && !used.has(v)) p.nodePort = v; }
    }
    if (validateService(obj).length === 0) {
      if (needsClusterIP(spec) && !needsClusterIP(os)) allocateIP(obj, ctx, errs);
      if (!needsClusterIP(spec) && needsClusterIP(os)) release(old, ctx, { ips: ipsOf(os) });
      const held = new Set(portsOf(os));
      allocatePorts(obj, ctx, errs, held);
      const now = new Set(needsNodePorts(spec) ? portsOf(spec) : []);
      release(old, ctx, { ports: [...held].filter((p) => !now.has(p)) });
      if (!needsNodePorts(spec)) for (const p of arr(spec.ports)) if (isObj(p)) delete p.nodePort;
    }
    defaultFamilies(spec);
    if (errs.length) pending.set(obj, errs);
  },
  validate(obj) { return [...(pending.get(obj) ?? []), ...validateService(obj)]; },
  validateUpdate(obj, old) {
    return [...(pending.get(obj) ?? []), ...validateService(obj), ...validateClusterIPsUpdate(obj.spec ?? {}, old.spec ?? {})];
  },
  afterDelete(obj, ctx) {
    if (!isObj(obj.spec)) return;
    release(obj, ctx, { ips: ipsOf(obj.spec), ports: portsOf(obj.spec) });
  },
};
