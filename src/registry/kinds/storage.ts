// PersistentVolumeClaim, PersistentVolume and StorageClass defaults and validation.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { quantityMilli, isQuantity } from '../validation/quantity.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { arr, canonicalizeResourceList, def, isObj, sub } from './util.ts';
import type { KindStrategy } from './util.ts';
import { admitPV, admitPVC, admitPVCResize } from './storage-admission.ts';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/** Defaults a PVC (or a StatefulSet volumeClaimTemplate): volumeMode Filesystem, canonical sizes. */
export function defaultPVCSpec(pvc: Record<string, any>, kind = 'PersistentVolumeClaim', version = 'v1'): void {
  if (!isObj(pvc.spec)) return;
  def(pvc.spec, 'volumeMode', 'Filesystem');
  if (isObj(pvc.spec.resources)) {
    canonicalizeResourceList(pvc.spec.resources.requests, kind, version);
    canonicalizeResourceList(pvc.spec.resources.limits, kind, version);
  }
}

function validateAccessModes(modes: unknown, path: string): FieldError[] {
  const list = arr<string>(modes);
  if (list.length === 0) return [field.required(path, 'at least 1 access mode is required')];
  const errs: FieldError[] = [];
  for (const m of list) if (!ACCESS_MODES.includes(m)) errs.push(field.notSupported(path, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(field.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export function validatePVCSpec(spec: unknown, path: string): FieldError[] {
  if (!isObj(spec)) return [field.required(path, '')];
  const errs = validateAccessModes(spec.accessModes, `${path}.accessModes`);
  errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const storage = spec.resources?.requests?.storage;
  const sp = `${path}.resources[storage]`;
  if (storage === undefined) errs.push(field.required(sp, ''));
  else if (!isQuantity(String(storage)) || quantityMilli(String(storage)) <= 0) errs.push(field.invalid(sp, storage, 'must be greater than zero'));
  if (spec.volumeMode !== undefined && !['Block', 'Filesystem'].includes(spec.volumeMode)) errs.push(field.notSupported(`${path}.volumeMode`, spec.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

export const pvcStrategy: KindStrategy = {
  generation: false,
  prepareForCreate(obj) {
    defaultPVCSpec(obj);
    obj.status = { phase: 'Pending' };
  },
  prepareForUpdate(obj) { defaultPVCSpec(obj); },
  validate(obj) { return validatePVCSpec(obj.spec, 'spec'); },
  admitCreate: admitPVC,
  admitUpdate: admitPVCResize,
  validateUpdate(obj, old) {
    const errs = validatePVCSpec(obj.spec, 'spec');
    const bound = old.status?.phase === 'Bound';
    const strip = (s: any) => {
      const c = structuredClone(s ?? {});
      if (bound && c.resources) delete c.resources.requests;
      // An unbound claim's volumeName may be set once (binding).
      if (!old.spec?.volumeName) delete c.volumeName;
      return c;
    };
    // Only a bound claim may change its requested size; nothing else in spec may change.
    if (!deepEqual(strip(obj.spec), strip(old.spec))) {
      errs.push(field.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    } else if (bound) {
      const now = obj.spec?.resources?.requests?.storage, was = old.spec?.resources?.requests?.storage;
      if (isQuantity(String(now)) && isQuantity(String(was)) && quantityMilli(String(now)) < quantityMilli(String(was))) {
        errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
      }
    }
    return errs;
  },
};

export const pvStrategy: KindStrategy = {
  generation: false,
  admitCreate: admitPV,
  prepareForCreate(obj: KObject) {
    if (isObj(obj.spec)) {
      def(obj.spec, 'persistentVolumeReclaimPolicy', 'Retain');
      def(obj.spec, 'volumeMode', 'Filesystem');
      canonicalizeResourceList(obj.spec.capacity, 'PersistentVolume', 'v1');
    }
    def(sub(obj, 'status'), 'phase', 'Pending');
  },
  prepareForUpdate(obj: KObject) {
    if (isObj(obj.spec)) {
      def(obj.spec, 'persistentVolumeReclaimPolicy', 'Retain');
      def(obj.spec, 'volumeMode', 'Filesystem');
      canonicalizeResourceList(obj.spec.capacity, 'PersistentVolume', 'v1');
    }
  },
  validate(obj: KObject) {
    if (!isObj(obj.spec)) return [field.required('spec', '')];
    const errs = validateAccessModes(obj.spec.accessModes, 'spec.accessModes');
    if (obj.spec.capacity?.storage === undefined) errs.push(field.required('spec.capacity', ''));
    return errs;
  },
};

export const storageClassStrategy: KindStrategy = {
  prepareForCreate(obj) { def(obj, 'reclaimPolicy', 'Delete'); def(obj, 'volumeBindingMode', 'Immediate'); },
  prepareForUpdate(obj) { def(obj, 'reclaimPolicy', 'Delete'); def(obj, 'volumeBindingMode', 'Immediate'); },
  validate(obj) {
    const errs: FieldError[] = [];
    if (!obj.provisioner) errs.push(field.required('provisioner', ''));
    return errs;
  },
  validateUpdate(obj, old) {
    const errs: FieldError[] = [];
    for (const k of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']) {
      if (!deepEqual(obj[k] ?? null, old[k] ?? null)) errs.push(field.forbidden(k, 'updates to ' + k + ' are forbidden.'));
    }
    return errs;
  },
};
