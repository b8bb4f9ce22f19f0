// Admission as upstream's apiserver runs it: after a write is decoded and defaulted, mutating
// plugins may change the object, then (after the kind's own validation) validating plugins may
// refuse it. A plugin sees the same attributes upstream's admission.Attributes carries.
import type { User } from '../auth/user.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { AdmissionContext, KObject } from '../registry/strategy.ts';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: Operation;
  /** The resource as stored (the storage version). */
  resource: ResourceInfo;
  /** The resource as the client asked for it (another version of the same kind when converted). */
  requestResource: ResourceInfo;
  /** '' for the main resource, else 'status', 'scale', 'binding', 'exec', … */
  subresource: string;
  /** '' on a create with generateName (upstream sends no name then). */
  name: string;
  /** '' for cluster-scoped resources. */
  namespace: string;
  /** The new object (CREATE, UPDATE); mutating plugins change it in place. Undefined on DELETE. */
  object?: KObject;
  /** The stored object (UPDATE, DELETE). Read-only. */
  oldObject?: KObject;
  user: User;
  dryRun: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions as upstream puts them in an AdmissionReview. */
  options: Record<string, unknown>;
  /** Audit annotations plugins add (upstream's Attributes.AddAnnotation: the first value of a key stays). */
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionPlugin {
  /** Upstream's plugin name (MutatingAdmissionWebhook, ResourceQuota, PodSecurity, …). */
  name: string;
  /** Mutating phase: may change `a.object` or throw a StatusError. */
  mutate?(a: AdmissionAttributes, ctx: AdmissionContext): Promise<void>;
  /** Validating phase: must not change anything; throws a StatusError to refuse. */
  validate?(a: AdmissionAttributes, ctx: AdmissionContext): Promise<void>;
  /**
   * After a create that passed validation: called with the stored object once it is committed, or
   * with undefined when the write failed (a plugin that reserved something, as quota does, releases it).
   */
  settled?(a: AdmissionAttributes, stored: KObject | undefined): void;
  /**
   * Whether the phase has anything to do for this request, answered without waiting. When false the
   * chain skips the plugin without calling it (no promise, no event-loop turn), so it must be false only
   * where the phase would have returned at once, changing and reading nothing. Asked just before the
   * plugin's turn (after earlier plugins mutated). Absent: the plugin is always called.
   */
  applies?(a: AdmissionAttributes, phase: AdmissionPhase): boolean;
}

export type AdmissionPhase = 'mutate' | 'validate';

/** Upstream's recommended plugin order (kube-apiserver's AllOrderedPlugins), for the plugins Skiff has. */
export const PLUGIN_ORDER = [
  'NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'PodSecurity', 'Priority',
  'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection',
  'PersistentVolumeClaimResize', 'RuntimeClass', 'CertificateApproval', 'CertificateSigning',
  'ClusterTrustBundleAttest', 'CertificateSubjectRestriction', 'DefaultIngressClass',
  'MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota',
];
