// What a kind contributes to the generic store: defaulting, validation and selectable fields.
// Everything else (uid, resourceVersion, generation, finalizers, deletion, watch) is generic.
import type { FieldError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { ResourceInfo } from './resources.ts';
import type { ObjectMeta as GeneratedObjectMeta, OwnerReference as GeneratedOwnerReference } from '../types/generated.ts';

/** A Kubernetes object as plain JSON. */
export type KObject = {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: any;
};

export type OwnerReference = GeneratedOwnerReference;

/**
 * metav1.ObjectMeta as generated from the OpenAPI schema (src/types/generated.ts). Keys the schema does
 * not know may still be read (the index signature); it is `any` so that a generated kind (`Pod`) is a
 * KObject without a cast.
 */
export interface ObjectMeta extends GeneratedObjectMeta {
  [k: string]: any;
}

/** Context handed to strategy hooks. */
export interface StrategyContext {
  clock: Clock;
  resource: ResourceInfo;
  /** Allocators and look-ups a strategy may need (cluster IPs, node ports). Filled in by the server. */
  services?: StrategyServices;
}

export interface StrategyServices {
  /** Allocate a cluster IP (or reserve the requested one). Returns a field error on conflict/out of range. */
  allocateClusterIP?(requested: string | undefined): string | FieldError;
  releaseClusterIP?(ip: string): void;
  allocateNodePort?(requested: number | undefined): number | FieldError;
  releaseNodePort?(port: number): void;
}

/** What an admission step that reads other objects gets (upstream's admission plugins with listers). */
export interface AdmissionContext extends StrategyContext {
  /** Every stored object of a resource (cluster-wide). */
  list(group: string, version: string, resource: string): Promise<KObject[]>;
  /** One stored object, or undefined. */
  get?(group: string, version: string, resource: string, ns: string | undefined, name: string): Promise<KObject | undefined>;
  /** The version the client wrote in, when the store writes the object as another (storage) version. */
  requestedAs?: ResourceInfo;
}

export interface Strategy {
  /** Admission on create, after defaulting and before validation; may mutate obj or throw a StatusError. */
  admitCreate?(obj: KObject, ctx: AdmissionContext): Promise<void>;
  /** Validating admission on update (not subresources), after validation; may throw a StatusError. */
  admitUpdate?(obj: KObject, old: KObject, ctx: AdmissionContext): Promise<void>;
  /** Admission on a write of the status subresource (custom resources check their schema); may mutate obj or throw a StatusError. */
  admitStatusUpdate?(obj: KObject, old: KObject, ctx: AdmissionContext): Promise<void>;
  /**
   * Called on the first DELETE of an object (no deletionTimestamp yet) with a private copy to
   * change: a kind may add finalizers or conditions there (CRDs add customresourcecleanup).
   */
  prepareForDelete?(obj: KObject, ctx: StrategyContext): void;
  /**
   * Scheme defaulting on create, as upstream's decoder applies it: runs first, and field ownership
   * (managedFields) is recorded right after it, so what prepareForCreate and admission add later
   * (a pod's service account, default tolerations, priority, status) is owned by nobody, as upstream.
   * Kinds without it record ownership after prepareForCreate. Mutates obj.
   */
  defaults?(obj: KObject): void;
  /**
   * Loads, on first use, the code the synchronous hooks below need for `obj` (a dynamic import, so
   * start-up does not pay for machinery such as the CRD schema engine or CEL). Awaited by the store
   * before any other hook of a create or update.
   */
  load?(obj: KObject): Promise<void>;
  /** Default fields on create (pod restartPolicy, deployment strategy, …). Mutates obj. */
  prepareForCreate?(obj: KObject, ctx: StrategyContext): void;
  /** Default fields on update. Mutates obj; old is read-only. */
  prepareForUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): void;
  /** Field errors for a new object (after defaulting). Must not mutate. */
  validate?(obj: KObject, ctx: StrategyContext): FieldError[];
  /** Field errors for an update (immutable fields etc.). Must not mutate. */
  validateUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): FieldError[];
  /** Field errors for a write of the status subresource (upstream's status strategy ValidateUpdate). Must not mutate. */
  validateStatusUpdate?(obj: KObject, old: KObject, ctx: StrategyContext): FieldError[];
  /** Extra field-selector fields beyond metadata.name / metadata.namespace, e.g. spec.nodeName. */
  fieldSelectors?: Record<string, (obj: KObject) => string | undefined>;
  /** Name validation: 'subdomain' (default), 'label' (DNS-1123 label), 'path' (any path segment). */
  nameRule?: 'subdomain' | 'label' | 'path';
  /** Whether a write of the status subresource also takes the object's metadata changes (labels, annotations), as CertificateSigningRequest's status strategies do; default: status only. */
  statusUpdatesMetadata?: boolean;
  /** Whether spec changes bump metadata.generation (default: true for kinds with a spec). */
  generation?: boolean;
  /** Called when the object is deleted (release allocations). */
  afterDelete?(obj: KObject, ctx: StrategyContext): void;
}
