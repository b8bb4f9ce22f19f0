// Upstream's bootstrap APF configuration (k8s.io/apiserver pkg/apis/flowcontrol/bootstrap): the two
// mandatory priority levels and flow schemas (exempt, catch-all) and the suggested ones, as data.
// The ensurer (ensurer.ts) creates and keeps them; validation refuses specs of the mandatory ones
// that differ from these; the filter (filter.ts) imagines the mandatory ones while they are missing.
import type { KObject } from '../registry/strategy.ts';

export const GROUP = 'flowcontrol.apiserver.k8s.io';
export const API_VERSION = `${GROUP}/v1`;
/** metadata annotation: whether the ensurer keeps the object's spec equal to the bootstrap spec. */
export const AUTO_UPDATE = 'apf.kubernetes.io/autoupdate-spec';

type Subject = Record<string, unknown>;

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemSAs = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { name, namespace: 'kube-system' } }));
const resourceRule = (verbs: string[], apiGroups: string[], resources: string[], clusterScope: boolean) =>
  ({ verbs, apiGroups, resources, namespaces: ['*'], ...(clusterScope ? { clusterScope } : {}) });
const nonResourceRule = (verbs: string[], nonResourceURLs: string[]) => ({ verbs, nonResourceURLs });
const ALL_RESOURCES = resourceRule(['*'], ['*'], ['*'], true);
const ALL_NON_RESOURCES = nonResourceRule(['*'], ['*']);

function pl(name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: API_VERSION, kind: 'PriorityLevelConfiguration', metadata: { name, annotations: { [AUTO_UPDATE]: 'true' } }, spec };
}

function limited(shares: number, lendablePercent: number, queuing?: [queues: number, handSize: number, queueLengthLimit: number]) {
  const limitResponse = queuing
    ? { type: 'Queue', queuing: { queues: queuing[0], handSize: queuing[1], queueLengthLimit: queuing[2] } }
    : { type: 'Reject' };
  return { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent, limitResponse } };
}

function fs(name: string, level: string, matchingPrecedence: number, distinguisher: string, rule: Record<string, unknown>): KObject {
  return {
    apiVersion: API_VERSION, kind: 'FlowSchema', metadata: { name, annotations: { [AUTO_UPDATE]: 'true' } },
    spec: {
      priorityLevelConfiguration: { name: level }, matchingPrecedence,
      ...(distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules: [rule],
    },
  };
}

export const MANDATORY_LEVELS: KObject[] = [
  pl('catch-all', limited(5, 0)),
  pl('exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }),
];

export const MANDATORY_SCHEMAS: KObject[] = [
  fs('exempt', 'exempt', 1, '', { subjects: groups('system:masters'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
  fs('catch-all', 'catch-all', 10000, 'ByUser', { subjects: groups('system:unauthenticated', 'system:authenticated'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
];

export const SUGGESTED_LEVELS: KObject[] = [
  pl('system', limited(30, 33, [64, 6, 50])),
  pl('node-high', limited(40, 25, [64, 6, 50])),
  pl('leader-election', limited(10, 0, [16, 4, 50])),
  pl('workload-high', limited(40, 50, [128, 6, 50])),
  pl('workload-low', limited(100, 90, [128, 6, 50])),
  pl('global-default', limited(20, 50, [128, 6, 50])),
];

const LEASES = resourceRule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], false);

export const SUGGESTED_SCHEMAS: KObject[] = [
  fs('system-nodes', 'system', 500, 'ByUser', { subjects: groups('system:nodes'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
  fs('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groups('system:nodes'),
    resourceRules: [resourceRule(['*'], [''], ['nodes', 'nodes/status'], true), resourceRule(['*'], ['coordination.k8s.io'], ['leases'], false)],
  }),
  fs('probes', 'exempt', 2, '', { subjects: groups('system:unauthenticated', 'system:authenticated'), nonResourceRules: [nonResourceRule(['get'], ['/healthz', '/readyz', '/livez'])] }),
  fs('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...users('system:kube-controller-manager', 'system:kube-scheduler'), ...kubeSystemSAs('*')], resourceRules: [LEASES],
  }),
  fs('workload-leader-election', 'leader-election', 200, 'ByUser', {
    subjects: kubeSystemSAs('*'),
    resourceRules: [resourceRule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], false), LEASES],
  }),
  fs('endpoint-controller', 'workload-high', 150, 'ByUser', {
    subjects: [...users('system:kube-controller-manager'), ...kubeSystemSAs('endpoint-controller', 'endpointslicemirroring-controller')],
    resourceRules: [resourceRule(['get', 'create', 'update'], [''], ['endpoints'], false)],
  }),
  fs('kube-controller-manager', 'workload-high', 800, 'ByNamespace', { subjects: users('system:kube-controller-manager'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
  fs('kube-scheduler', 'workload-high', 800, 'ByNamespace', { subjects: users('system:kube-scheduler'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
  fs('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', { subjects: kubeSystemSAs('*'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
  fs('service-accounts', 'workload-low', 9000, 'ByUser', { subjects: groups('system:serviceaccounts'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
  fs('global-default', 'global-default', 9900, 'ByUser', { subjects: groups('system:unauthenticated', 'system:authenticated'), resourceRules: [ALL_RESOURCES], nonResourceRules: [ALL_NON_RESOURCES] }),
];

export const mandatoryLevel = (name: string) => MANDATORY_LEVELS.find((o) => o.metadata.name === name);
export const mandatorySchema = (name: string) => MANDATORY_SCHEMAS.find((o) => o.metadata.name === name);
