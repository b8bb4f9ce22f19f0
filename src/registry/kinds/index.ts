// The per-kind strategies, looked up by API group and Kind. Kinds without special needs get the
// default strategy (metadata validation only, done by validateMeta below).
import type { FieldError } from '../../errors.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KObject, Strategy } from '../strategy.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.ts';
import type { KindStrategy } from './util.ts';
import { podStrategy } from './pod.ts';
import { daemonSetStrategy, deploymentStrategy, replicaSetStrategy, replicationControllerStrategy, statefulSetStrategy } from './apps.ts';
import { cronJobStrategy, jobStrategy } from './batch.ts';
import { serviceStrategy } from './service.ts';
import { configMapStrategy, secretStrategy } from './config.ts';
import { namespaceStrategy } from './namespace.ts';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from './rbac.ts';
import { pvStrategy, pvcStrategy, storageClassStrategy } from './storage.ts';
import { endpointsStrategy, eventStrategy, eventsV1Strategy, hpaStrategy, leaseStrategy, nodeStrategy, podTemplateStrategy, priorityClassStrategy } from './misc.ts';
import { ingressClassStrategy, ingressStrategy } from './networking.ts';
import { withSchedulingRatchet } from './scheduling-ratchet.ts';
import { controllerRevisionStrategy } from './controllerrevision.ts';
import { validatingAdmissionPolicyBindingStrategy, validatingAdmissionPolicyStrategy } from '../../admission/policy/strategy.ts';
import { limitRangeStrategy, resourceQuotaStrategy } from './policy.ts';
import { apiServiceStrategy } from './apiservice.ts';
import { mutatingWebhookConfigurationStrategy, validatingWebhookConfigurationStrategy } from './webhookconfig.ts';
import { csrStrategy } from './certificates.ts';
import { flowSchemaStrategy } from './flowschema.ts';
import { priorityLevelStrategy } from './prioritylevel.ts';

/** Kinds with a spec whose metadata.generation upstream does not track. */
const NO_GENERATION: KindStrategy = { generation: false };
/** Kinds whose names only need to be a valid URL path segment. */
const PATH_NAMES: KindStrategy = { nameRule: 'path' };

const STRATEGIES: Record<string, KindStrategy> = {
  '/Pod': podStrategy,
  '/Service': serviceStrategy,
  '/ConfigMap': configMapStrategy,
  '/Secret': secretStrategy,
  '/Namespace': namespaceStrategy,
  '/Node': nodeStrategy,
  '/Event': eventStrategy,
  '/Endpoints': endpointsStrategy,
  '/PodTemplate': podTemplateStrategy,
  '/ReplicationController': replicationControllerStrategy,
  '/PersistentVolumeClaim': pvcStrategy,
  '/PersistentVolume': pvStrategy,
  '/ResourceQuota': resourceQuotaStrategy,
  '/LimitRange': limitRangeStrategy,
  'apps/Deployment': deploymentStrategy,
  'apps/ReplicaSet': replicaSetStrategy,
  'apps/StatefulSet': statefulSetStrategy,
  'apps/DaemonSet': daemonSetStrategy,
  'apps/ControllerRevision': controllerRevisionStrategy,
  'batch/Job': jobStrategy,
  'batch/CronJob': cronJobStrategy,
  'autoscaling/HorizontalPodAutoscaler': hpaStrategy,
  'networking.k8s.io/Ingress': ingressStrategy,
  'networking.k8s.io/IngressClass': ingressClassStrategy,
  'rbac.authorization.k8s.io/Role': roleStrategy,
  'rbac.authorization.k8s.io/ClusterRole': clusterRoleStrategy,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingStrategy,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingStrategy,
  'coordination.k8s.io/Lease': leaseStrategy,
  'scheduling.k8s.io/PriorityClass': priorityClassStrategy,
  'storage.k8s.io/StorageClass': storageClassStrategy,
  'events.k8s.io/Event': eventsV1Strategy,
  'certificates.k8s.io/CertificateSigningRequest': csrStrategy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validatingAdmissionPolicyStrategy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validatingAdmissionPolicyBindingStrategy,
  'apiregistration.k8s.io/APIService': apiServiceStrategy,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': mutatingWebhookConfigurationStrategy,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': validatingWebhookConfigurationStrategy,
  'flowcontrol.apiserver.k8s.io/FlowSchema': flowSchemaStrategy,
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': priorityLevelStrategy,
};

// Kinds that carry a pod template: unchanged scheduling fields are not re-judged on update.
for (const k of ['/PodTemplate', '/ReplicationController', 'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', 'batch/CronJob']) {
  STRATEGIES[k] = withSchedulingRatchet(STRATEGIES[k]);
}

export const DEFAULT_STRATEGY: KindStrategy = {};

/** The strategy for a kind, e.g. strategyFor('apps', 'Deployment'). */
export function strategyFor(group: string, kind: string): Strategy {
  return STRATEGIES[`${group}/${kind}`] ?? DEFAULT_STRATEGY;
}

/** Same, from a resource table entry (the shape the store's wiring passes). */
export function strategyForResource(r: ResourceInfo): Strategy {
  return strategyFor(r.group, r.kind);
}

/** Generic metadata validation for any kind, using the strategy's name rule. */
export function validateMeta(r: ResourceInfo, obj: KObject, strategy: Strategy): FieldError[] {
  const s = strategy as KindStrategy;
  return validateObjectMeta(obj.metadata, { namespaced: r.namespaced, nameRule: s.nameFn ?? s.nameCheck ?? s.nameRule ?? 'subdomain' });
}

/** Generic metadata checks for an update (identity fields immutable, finalizers while deleting). */
export function validateMetaUpdate(obj: KObject, old: KObject): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {});
}

/** Every kind with its own strategy, as `group/Kind` (core group: `/Kind`). */
export const STRATEGY_KINDS: string[] = Object.keys(STRATEGIES);
