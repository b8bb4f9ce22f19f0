// What quota charges for an object, per resource (upstream's pkg/quota/v1/evaluator/core): pods
// (compute requests/limits, hugepages, extended resources, counts; terminal pods charge only their
// object count), services (node ports, load balancers), persistent volume claims (storage, per class)
// and an object count for anything else (`count/<resource>.<group>`, plus the classic names).
import type { KObject } from '../../registry/strategy.ts';
import type { Operation } from '../types.ts';
import { amount, add, count, fromList } from './resource-list.ts';
import type { Amount, Usage } from './resource-list.ts';

export interface ScopeSelector { scopeName: string; operator: string; values?: string[] }

export interface Evaluator {
  group: string;
  resource: string;
  /** Whether the write is charged (pods: creates only; services and claims: creates and updates). */
  handles(op: Operation, subresource: string): boolean;
  /** The quota resource names (of `names`) this evaluator accounts. */
  matching(names: string[]): string[];
  /** Whether an object falls in a quota's scope. */
  matchesScope(sel: ScopeSelector, obj: KObject): boolean;
  usage(obj: KObject): Usage;
  /** Upstream's "must specify …" check; the message or undefined. */
  constraints?(required: string[], obj: KObject): string | undefined;
}

/** `count/pods`, `count/deployments.apps`: the object-count name of a group-resource. */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

const CLASSIC_COUNTS: Record<string, string> = {
  configmaps: 'configmaps', secrets: 'secrets', replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

const NATIVE_PREFIXES = ['requests.', 'limits.'];
const POD_RESOURCES = new Set(['count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods']);
const VALIDATION_SET = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** A native resource name: no domain, or a kubernetes.io domain. */
export function isNativeResource(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return true;
  const domain = name.slice(0, slash);
  return domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io');
}

/** An extended resource as a pod may request it (`example.com/gpu`): not native, not `requests.`-prefixed. */
function isExtendedResource(name: string): boolean {
  return !isNativeResource(name) && !name.startsWith('requests.');
}

function noScope(): boolean { return false; }

function objectCounter(group: string, resource: string): Evaluator {
  const names = [objectCountName(group, resource)];
  if (!group && CLASSIC_COUNTS[resource]) names.push(CLASSIC_COUNTS[resource]);
  return {
    group, resource,
    handles: (op, sub) => op === 'CREATE' && sub === '',
    matching: (input) => input.filter((n) => names.includes(n)),
    matchesScope: noScope,
    usage: () => new Map(names.map((n) => [n, count(1)])),
  };
}

// ---- pods ----

type Container = { name?: string; restartPolicy?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

function maxUsage(a: Usage, b: Usage): Usage {
  const out: Usage = new Map(a);
  for (const [k, v] of b) { const c = out.get(k); if (!c || v.milli > c.milli) out.set(k, v); }
  return out;
}

/** Upstream's PodRequests/PodLimits: containers summed, sidecars added, init containers as a maximum, plus overhead. */
function podTotals(spec: Record<string, any>, field: 'requests' | 'limits'): Usage {
  const containers = (spec.containers ?? []) as Container[];
  // One container (the common case) is its own total.
  let total: Usage = containers.length === 1 ? fromList(containers[0].resources?.[field]) : new Map();
  if (containers.length !== 1) for (const c of containers) total = add(total, fromList(c.resources?.[field]));
  const inits = (spec.initContainers ?? []) as Container[];
  if (inits.length) {
    let sidecars: Usage = new Map();
    let initMax: Usage = new Map();
    for (const c of inits) {
      const own = fromList(c.resources?.[field]);
      let eff: Usage;
      if (c.restartPolicy === 'Always') { sidecars = add(sidecars, own); total = add(total, own); eff = sidecars; }
      else eff = add(own, sidecars);
      initMax = maxUsage(initMax, eff);
    }
    total = maxUsage(total, initMax);
  }
  if (spec.overhead && (field === 'requests' || total.size)) total = add(total, fromList(spec.overhead));
  return total;
}

/** One object (Amounts are never changed in place, so all usages share it). */
const ONE = count(1);
/** Per compute resource: its name, its requests. name and its limits. name. */
const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'].map((r) => [r, `requests.${r}`, `limits.${r}`] as const);

/** upstream's podComputeUsageHelper: quota names from a set of requests and limits, added to `out` (pods: 1 when not given). */
function computeUsage(requests: Usage, limits: Usage, out: Usage = new Map([['pods', ONE]])): Usage {
  for (const [r, req, lim] of COMPUTE) {
    const q = requests.get(r);
    if (q) { out.set(r, q); out.set(req, q); }
    const l = limits.get(r);
    if (l) out.set(lim, l);
  }
  for (const [k, v] of requests) {
    if (k.startsWith('hugepages-')) { out.set(k, v); out.set(`requests.${k}`, v); }
    if (isExtendedResource(k)) out.set(`requests.${k}`, v);
  }
  return out;
}

export function isTerminalPod(pod: KObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isBestEffort(pod: KObject): boolean {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Container[];
  for (const c of all) {
    for (const list of [c.resources?.requests, c.resources?.limits]) {
      for (const r of ['cpu', 'memory']) {
        const v = list?.[r];
        if (v === undefined) continue;
        try { if (amount(String(v)).milli !== 0n) return false; } catch { /* unparsable: ignored */ }
      }
    }
  }
  return true;
}

function usesCrossNamespaceAffinity(pod: KObject): boolean {
  const aff = pod.spec?.affinity ?? {};
  const terms = (t: any): any[] => [...(t?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(t?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w: any) => w?.podAffinityTerm ?? {})];
  return [...terms(aff.podAffinity), ...terms(aff.podAntiAffinity)].some((t) => (t?.namespaces?.length ?? 0) > 0 || (t?.namespaceSelector !== undefined && t?.namespaceSelector !== null));
}

/** A scope selector requirement over one value (PriorityClass), as a label selector on {PriorityClass: name}. */
function selectorMatches(sel: ScopeSelector, value: string | undefined): boolean {
  const values = sel.values ?? [];
  switch (sel.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    default: return false;
  }
}

function podMatchesScope(sel: ScopeSelector, pod: KObject): boolean {
  const deadline = pod.spec?.activeDeadlineSeconds;
  const terminating = typeof deadline === 'number' && deadline >= 0;
  switch (sel.scopeName) {
    case 'Terminating': return terminating;
    case 'NotTerminating': return !terminating;
    case 'BestEffort': return isBestEffort(pod);
    case 'NotBestEffort': return !isBestEffort(pod);
    case 'PriorityClass': return selectorMatches(sel, pod.spec?.priorityClassName || undefined);
    case 'CrossNamespacePodAffinity': return usesCrossNamespaceAffinity(pod);
    default: return false;
  }
}

/** Where a container states each name of VALIDATION_SET (upstream's podComputeUsageHelper names them). */
const STATED_IN: Record<string, ['requests' | 'limits', string]> = {
  cpu: ['requests', 'cpu'], 'requests.cpu': ['requests', 'cpu'], 'limits.cpu': ['limits', 'cpu'],
  memory: ['requests', 'memory'], 'requests.memory': ['requests', 'memory'], 'limits.memory': ['limits', 'memory'],
};

/** Whether a container's usage has `name` (one of VALIDATION_SET): its request or limit is there and parses. */
function states(c: Container, name: string): boolean {
  const [field, r] = STATED_IN[name];
  const list = c.resources?.[field];
  if (!list || typeof list !== 'object' || !Object.hasOwn(list, r)) return false;
  try { amount(String(list[r])); return true; } catch { return false; }
}

/** The names of a quota's required list that a container must state, once per list (requiredOf keeps the lists). */
const wanted = new WeakMap<string[], string[]>();

function podConstraints(required: string[], pod: KObject): string | undefined {
  let want = wanted.get(required);
  if (!want) wanted.set(required, want = required.filter((r) => VALIDATION_SET.has(r)));
  if (!want.length) return undefined;
  let missing: Map<string, Set<string>> | undefined;
  for (const list of [pod.spec?.containers, pod.spec?.initContainers]) {
    for (const c of (list ?? []) as Container[]) {
      for (const r of want) {
        if (states(c, r)) continue;
        missing ??= new Map();
        let s = missing.get(r);
        if (!s) missing.set(r, s = new Set());
        s.add(c.name ?? '');
      }
    }
  }
  if (!missing) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

const podEvaluator: Evaluator = {
  group: '', resource: 'pods',
  handles: (op, sub) => op === 'CREATE' && sub === '',
  matching: (input) => input.filter((n) => POD_RESOURCES.has(n) || n.startsWith('hugepages-') || n.startsWith('requests.hugepages-')
    || (!isNativeResource(n) && n.startsWith('requests.'))),
  matchesScope: podMatchesScope,
  usage(pod) {
    if (isTerminalPod(pod)) return new Map([['count/pods', ONE]]);
    const counts: Usage = new Map();
    counts.set('count/pods', ONE).set('pods', ONE);
    return computeUsage(podTotals(pod.spec ?? {}, 'requests'), podTotals(pod.spec ?? {}, 'limits'), counts);
  },
  constraints: podConstraints,
};

// ---- services ----

const SERVICE_RESOURCES = new Set(['count/services', 'services', 'services.nodeports', 'services.loadbalancers']);

const serviceEvaluator: Evaluator = {
  group: '', resource: 'services',
  handles: (op, sub) => (op === 'CREATE' || op === 'UPDATE') && sub === '',
  matching: (input) => input.filter((n) => SERVICE_RESOURCES.has(n)),
  matchesScope: noScope,
  usage(svc) {
    const out: Usage = new Map([['count/services', count(1)], ['services', count(1)]]);
    const ports = Array.isArray(svc.spec?.ports) ? svc.spec.ports.length : 0;
    if (svc.spec?.type === 'NodePort') out.set('services.nodeports', count(ports));
    if (svc.spec?.type === 'LoadBalancer') {
      const nodePorts = svc.spec?.allocateLoadBalancerNodePorts === false
        ? svc.spec.ports.filter((p: any) => p?.nodePort).length : ports;
      out.set('services.nodeports', count(nodePorts));
      out.set('services.loadbalancers', count(1));
    }
    return out;
  },
};

// ---- persistent volume claims ----

const CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

function claimClass(pvc: KObject): string | undefined {
  return pvc.spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
}

const pvcEvaluator: Evaluator = {
  group: '', resource: 'persistentvolumeclaims',
  handles: (op, sub) => (op === 'CREATE' || op === 'UPDATE') && sub === '',
  matching: (input) => input.filter((n) => n === 'count/persistentvolumeclaims' || n === 'persistentvolumeclaims' || n === 'requests.storage'
    || (n.includes(CLASS_SUFFIX) && (n.endsWith('/requests.storage') || n.endsWith('/persistentvolumeclaims')))),
  matchesScope: noScope,
  usage(pvc) {
    const out: Usage = new Map([['count/persistentvolumeclaims', count(1)], ['persistentvolumeclaims', count(1)]]);
    let storage: Amount | undefined;
    for (const v of [pvc.spec?.resources?.requests?.storage, pvc.status?.allocatedResources?.storage]) {
      if (v === undefined) continue;
      try { const a = amount(String(v)); if (!storage || a.milli > storage.milli) storage = a; } catch { /* refused by validation */ }
    }
    if (storage) out.set('requests.storage', storage);
    const cls = claimClass(pvc);
    if (cls) {
      out.set(`${cls}${CLASS_SUFFIX}persistentvolumeclaims`, count(1));
      if (storage) out.set(`${cls}${CLASS_SUFFIX}requests.storage`, storage);
    }
    return out;
  },
};

const SPECIAL: Record<string, Evaluator> = { '/pods': podEvaluator, '/services': serviceEvaluator, '/persistentvolumeclaims': pvcEvaluator };
/** Evaluators by group, then resource (no key string built per write). */
const byGroup = new Map<string, Map<string, Evaluator>>();

/** The evaluator for a group-resource. */
export function evaluatorFor(group: string, resource: string): Evaluator {
  let m = byGroup.get(group);
  if (!m) byGroup.set(group, m = new Map());
  let e = m.get(resource);
  if (!e) m.set(resource, e = SPECIAL[`${group}/${resource}`] ?? objectCounter(group, resource));
  return e;
}

/** The group-resources a set of quota names is about (for the controller's recount). */
export function resourcesOf(names: string[]): { group: string; resource: string }[] {
  const out = new Map<string, { group: string; resource: string }>();
  const put = (group: string, resource: string) => out.set(`${group}/${resource}`, { group, resource });
  for (const n of names) {
    if (n.startsWith('count/')) {
      const rest = n.slice(6);
      const dot = rest.indexOf('.');
      if (dot < 0) put('', rest); else put(rest.slice(dot + 1), rest.slice(0, dot));
    } else if (CLASSIC_COUNTS[n]) put('', n);
  }
  for (const [k, e] of Object.entries(SPECIAL)) if (e.matching(names).length) out.set(k, { group: e.group, resource: e.resource });
  return [...out.values()];
}

/** Whether an object falls in a quota's scopes (spec.scopes and spec.scopeSelector), as upstream's generic.Matches. */
export function inScope(quota: KObject, e: Evaluator, obj: KObject): boolean {
  const spec = quota.spec;
  // A quota without scopes (the common case) covers every object: no selector list is built.
  if (!spec?.scopes?.length && !spec?.scopeSelector?.matchExpressions?.length) return true;
  for (const sel of scopeSelectors(quota)) if (!e.matchesScope(sel, obj)) return false;
  return true;
}

export function scopeSelectors(quota: KObject): ScopeSelector[] {
  const out: ScopeSelector[] = [];
  for (const s of quota.spec?.scopes ?? []) out.push({ scopeName: s, operator: 'Exists' });
  for (const m of quota.spec?.scopeSelector?.matchExpressions ?? []) out.push(m);
  return out;
}

export { NATIVE_PREFIXES };
