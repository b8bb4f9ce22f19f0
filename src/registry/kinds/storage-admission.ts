// Admission for claims and volumes, after upstream's plugins:
// - DefaultStorageClass: a PVC created without spec.storageClassName (absent, not "") gets the
//   default StorageClass (annotation storageclass.kubernetes.io/is-default-class "true", or the beta
//   one); with several defaults the newest wins, as upstream.
// - PersistentVolumeClaimResize: a claim's storage request may grow only when its StorageClass
//   has allowVolumeExpansion: true (else 403, upstream's message).
// - StorageObjectInUseProtection: every new PVC carries the kubernetes.io/pvc-protection finalizer
//   and every new PV kubernetes.io/pv-protection; the protection controllers remove them once the
//   object is no longer in use (src/controllers/volumes/protection.ts).
import { errors } from '../../errors.ts';
import type { AdmissionContext, KObject } from '../strategy.ts';
import { parseQuantity } from '../validation/quantity.ts';

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';
const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const DEFAULT_CLASS_BETA = 'storageclass.beta.kubernetes.io/is-default-class';

export const isDefaultClass = (sc: KObject) =>
  sc.metadata.annotations?.[DEFAULT_CLASS] === 'true' || sc.metadata.annotations?.[DEFAULT_CLASS_BETA] === 'true';

/** The default StorageClass among `classes`: the newest default one (then by name), if any. */
export function defaultClass(classes: KObject[]): KObject | undefined {
  let best: KObject | undefined;
  for (const sc of classes) {
    if (!isDefaultClass(sc)) continue;
    const t = sc.metadata.creationTimestamp ?? '', bt = best?.metadata.creationTimestamp ?? '';
    if (!best || t > bt || (t === bt && sc.metadata.name! < best.metadata.name!)) best = sc;
  }
  return best;
}

export function addFinalizer(obj: KObject, f: string): void {
  const list = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
  if (!list.includes(f)) obj.metadata.finalizers = [...list, f];
}

export async function admitPVC(pvc: KObject, ctx: AdmissionContext): Promise<void> {
  addFinalizer(pvc, PVC_PROTECTION);
  const spec = pvc.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return;
  if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
  const sc = defaultClass(await ctx.list('storage.k8s.io', 'v1', 'storageclasses'));
  if (sc) spec.storageClassName = sc.metadata.name;
}

export async function admitPV(pv: KObject): Promise<void> {
  addFinalizer(pv, PV_PROTECTION);
}

const bytesOf = (q: unknown) => { try { return parseQuantity(String(q)); } catch { return NaN; } };

export async function admitPVCResize(pvc: KObject, old: KObject, ctx: AdmissionContext): Promise<void> {
  if (!(bytesOf(pvc.spec?.resources?.requests?.storage) > bytesOf(old.spec?.resources?.requests?.storage))) return;
  const className: string = old.spec?.storageClassName ?? '';
  const sc = className ? (await ctx.list('storage.k8s.io', 'v1', 'storageclasses')).find((c) => c.metadata.name === className) : undefined;
  if (sc?.allowVolumeExpansion !== true) {
    throw errors.admissionForbidden({ group: '', resource: 'persistentvolumeclaims' }, pvc.metadata.name ?? '', 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  }
}
