// The resource table: every built-in resource Skiff serves, in discovery order.
// Discovery, routing, OpenAPI, protobuf and tables all read this one table. Resources served from
// CRDs are per server: src/registry/resource-table.ts adds them to this table for one server.
import type { CustomInfo } from './custom/types.ts';

export interface SubresourceInfo {
  name: string;            // e.g. "status", "scale", "log"
  kind: string;            // response kind
  group?: string;          // response group when it differs (scale → autoscaling)
  version?: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;           // "" for core
  version: string;
  kind: string;
  resource: string;        // plural, lower-case
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
  /** Set for resources served from a CustomResourceDefinition (src/registry/custom). */
  custom?: CustomInfo;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS: SubresourceInfo = { name: 'status', kind: '', verbs: ['get', 'patch', 'update'] };
const SCALE: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

interface Def {
  kind: string; resource?: string; namespaced?: boolean; short?: string[]; cat?: string[];
  sub?: SubresourceInfo[]; verbs?: string[];
}

function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return lower + 'es';
  if (lower.endsWith('y') && !/[aeiou]y$/.test(lower)) return lower.slice(0, -1) + 'ies';
  return lower + 's';
}

function group(g: string, v: string, defs: Def[]): ResourceInfo[] {
  return defs.map((d) => ({
    group: g, version: v, kind: d.kind,
    resource: d.resource ?? pluralOf(d.kind),
    singular: d.kind.toLowerCase(),
    namespaced: d.namespaced ?? true,
    shortNames: d.short, categories: d.cat,
    verbs: d.verbs ?? CRUD,
    subresources: (d.sub ?? []).map((s) => ({ ...s, kind: s.kind || d.kind })),
  }));
}

const ALL = ['all'];

export const RESOURCES: ResourceInfo[] = [
  ...group('', 'v1', [
    { kind: 'Binding', namespaced: true, verbs: ['create'] },
    { kind: 'ComponentStatus', resource: 'componentstatuses', namespaced: false, short: ['cs'], verbs: ['get', 'list'] },
    { kind: 'ConfigMap', short: ['cm'] },
    { kind: 'Endpoints', resource: 'endpoints', short: ['ep'] },
    { kind: 'Event', short: ['ev'] },
    { kind: 'LimitRange', short: ['limits'] },
    { kind: 'Namespace', namespaced: false, short: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      sub: [{ name: 'finalize', kind: '', verbs: ['update'] }, STATUS] },
    { kind: 'Node', namespaced: false, short: ['no'], sub: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, STATUS] },
    { kind: 'PersistentVolumeClaim', short: ['pvc'], sub: [STATUS] },
    { kind: 'PersistentVolume', namespaced: false, short: ['pv'], sub: [STATUS] },
    { kind: 'Pod', short: ['po'], cat: ALL, sub: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'ephemeralcontainers', kind: '', verbs: ['get', 'patch', 'update'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
      STATUS,
    ] },
    { kind: 'PodTemplate' },
    { kind: 'ReplicationController', short: ['rc'], cat: ALL, sub: [SCALE, STATUS] },
    { kind: 'ResourceQuota', short: ['quota'], sub: [STATUS] },
    { kind: 'Secret' },
    { kind: 'ServiceAccount', short: ['sa'], sub: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }] },
    { kind: 'Service', short: ['svc'], cat: ALL, sub: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }, STATUS] },
  ]),
  ...group('apiregistration.k8s.io', 'v1', [{ kind: 'APIService', namespaced: false, cat: ['api-extensions'], sub: [STATUS] }]),
  ...group('apps', 'v1', [
    { kind: 'ControllerRevision' },
    { kind: 'DaemonSet', short: ['ds'], cat: ALL, sub: [STATUS] },
    { kind: 'Deployment', short: ['deploy'], cat: ALL, sub: [SCALE, STATUS] },
    { kind: 'ReplicaSet', short: ['rs'], cat: ALL, sub: [SCALE, STATUS] },
    { kind: 'StatefulSet', short: ['sts'], cat: ALL, sub: [SCALE, STATUS] },
  ]),
  ...group('events.k8s.io', 'v1', [{ kind: 'Event', short: ['ev'] }]),
  ...group('authentication.k8s.io', 'v1', [
    { kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] },
    { kind: 'TokenReview', namespaced: false, verbs: ['create'] },
  ]),
  ...group('authorization.k8s.io', 'v1', [
    { kind: 'LocalSubjectAccessReview', verbs: ['create'] },
    { kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
    { kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] },
    { kind: 'SubjectAccessReview', namespaced: false, verbs: ['create'] },
  ]),
  ...group('autoscaling', 'v2', [{ kind: 'HorizontalPodAutoscaler', short: ['hpa'], cat: ALL, sub: [STATUS] }]),
  ...group('autoscaling', 'v1', [{ kind: 'HorizontalPodAutoscaler', short: ['hpa'], cat: ALL, sub: [STATUS] }]),
  ...group('batch', 'v1', [
    { kind: 'CronJob', short: ['cj'], cat: ALL, sub: [STATUS] },
    { kind: 'Job', cat: ALL, sub: [STATUS] },
  ]),
  ...group('certificates.k8s.io', 'v1', [{ kind: 'CertificateSigningRequest', namespaced: false, short: ['csr'],
    sub: [{ name: 'approval', kind: '', verbs: ['get', 'patch', 'update'] }, STATUS] }]),
  ...group('networking.k8s.io', 'v1', [
    { kind: 'IngressClass', resource: 'ingressclasses', namespaced: false },
    { kind: 'Ingress', resource: 'ingresses', short: ['ing'], sub: [STATUS] },
    { kind: 'NetworkPolicy', resource: 'networkpolicies', short: ['netpol'] },
  ]),
  ...group('policy', 'v1', [{ kind: 'PodDisruptionBudget', short: ['pdb'], sub: [STATUS] }]),
  ...group('rbac.authorization.k8s.io', 'v1', [
    { kind: 'ClusterRoleBinding', namespaced: false },
    { kind: 'ClusterRole', namespaced: false },
    { kind: 'RoleBinding' },
    { kind: 'Role' },
  ]),
  ...group('storage.k8s.io', 'v1', [
    { kind: 'CSIDriver', namespaced: false },
    { kind: 'CSINode', namespaced: false },
    { kind: 'CSIStorageCapacity', resource: 'csistoragecapacities' },
    { kind: 'StorageClass', resource: 'storageclasses', namespaced: false, short: ['sc'] },
    { kind: 'VolumeAttachment', namespaced: false, sub: [STATUS] },
  ]),
  ...group('admissionregistration.k8s.io', 'v1', [
    { kind: 'MutatingWebhookConfiguration', namespaced: false, cat: ['api-extensions'] },
    { kind: 'ValidatingAdmissionPolicy', resource: 'validatingadmissionpolicies', namespaced: false, cat: ['api-extensions'], sub: [STATUS] },
    { kind: 'ValidatingAdmissionPolicyBinding', namespaced: false, cat: ['api-extensions'] },
    { kind: 'ValidatingWebhookConfiguration', namespaced: false, cat: ['api-extensions'] },
  ]),
  ...group('apiextensions.k8s.io', 'v1', [{ kind: 'CustomResourceDefinition', namespaced: false, short: ['crd', 'crds'], cat: ['api-extensions'], sub: [STATUS] }]),
  ...group('scheduling.k8s.io', 'v1', [{ kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, short: ['pc'] }]),
  ...group('coordination.k8s.io', 'v1', [{ kind: 'Lease' }]),
  ...group('node.k8s.io', 'v1', [{ kind: 'RuntimeClass', namespaced: false }]),
  ...group('discovery.k8s.io', 'v1', [{ kind: 'EndpointSlice' }]),
  ...group('flowcontrol.apiserver.k8s.io', 'v1', [
    { kind: 'FlowSchema', namespaced: false, sub: [STATUS] },
    { kind: 'PriorityLevelConfiguration', namespaced: false, sub: [STATUS] },
  ]),
];

/** Kubernetes version Skiff reports everywhere (/version, discovery, OpenAPI, node info). */
export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4', patch: 4 };

export const gvString = (r: { group: string; version: string }) => (r.group ? `${r.group}/${r.version}` : r.version);

/** Groups in discovery order, each with versions in preference order. */
export function groupVersions(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const r of RESOURCES) {
    let g = out.find((x) => x.group === r.group);
    if (!g) out.push(g = { group: r.group, versions: [] });
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

// group → version → resource: a lookup on every request builds no key string.
const byGvr = new Map<string, Map<string, Map<string, ResourceInfo>>>();
const byGvk = new Map<string, ResourceInfo>();
for (const r of RESOURCES) {
  let versions = byGvr.get(r.group);
  if (!versions) byGvr.set(r.group, versions = new Map());
  let resources = versions.get(r.version);
  if (!resources) versions.set(r.version, resources = new Map());
  resources.set(r.resource, r);
  if (!byGvk.has(`${r.group}/${r.version}/${r.kind}`)) byGvk.set(`${r.group}/${r.version}/${r.kind}`, r);
}
export const findResource = (group: string, version: string, resource: string) => byGvr.get(group)?.get(version)?.get(resource);
export const findKind = (group: string, version: string, kind: string) => byGvk.get(`${group}/${version}/${kind}`);

/**
 * Resources stored in one version for all the versions (or groups) they are served in, as upstream:
 * HPAs as autoscaling/v2, events.k8s.io Events as core/v1 Events. src/registry/conversion.ts converts.
 */
const STORAGE_VERSION: Record<string, { group: string; version: string; resource: string }> = {
  'autoscaling/horizontalpodautoscalers': { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
  'events.k8s.io/events': { group: '', version: 'v1', resource: 'events' },
};

/** The resource-table entry of the version `r` is stored in (r itself for most resources). */
export function storageResource(r: ResourceInfo): ResourceInfo {
  if (r.custom) return r.custom.def.versions.get(r.custom.def.storageVersion) ?? r;
  const s = STORAGE_VERSION[`${r.group}/${r.resource}`];
  return s ? findResource(s.group, s.version, s.resource) ?? r : r;
}

/**
 * The storage key prefix for a resource: every version of a resource shares its storage version's
 * prefix. Other versions of a group without a conversion would be stored apart (none today).
 */
const prefixes = new WeakMap<ResourceInfo, string>();
export function storagePrefix(r: ResourceInfo): string {
  let p = prefixes.get(r);
  if (p === undefined && r.custom) {
    // Every version of a custom resource shares one prefix, as upstream: /registry/<group>/<plural>/.
    p = `/registry/${r.group}/${r.custom.def.plural}/`;
    prefixes.set(r, p);
  }
  if (p === undefined) {
    const s = storageResource(r);
    const preferred = groupVersions().find((g) => g.group === s.group)!.versions[0];
    const version = s.version === preferred ? '' : `${s.version}/`;
    p = `/registry/${s.group ? s.group + '/' : ''}${version}${s.resource}/`;
    prefixes.set(r, p);
  }
  return p;
}
