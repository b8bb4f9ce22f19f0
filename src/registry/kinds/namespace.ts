// core/v1 Namespace: DNS-label names, the kubernetes finalizer, phase Active and the
// kubernetes.io/metadata.name label.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { isQualifiedName } from '../validation/names.ts';
import { arr, isObj, sub } from './util.ts';
import type { KindStrategy } from './util.ts';

export const NAME_LABEL = 'kubernetes.io/metadata.name';
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function nameLabel(obj: KObject): void {
  if (!obj.metadata.name) return;
  obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAME_LABEL]: obj.metadata.name };
}

export function validateNamespace(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of arr<string>(obj.spec?.finalizers)) {
    for (const m of isQualifiedName(String(f))) errs.push(field.invalid('spec.finalizers', f, m));
    if (!String(f).includes('/') && !STANDARD_FINALIZERS.has(f)) errs.push(field.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

export const namespaceStrategy: KindStrategy = {
  nameRule: 'label',
  generation: false,
  // Upstream's namespace status strategy resets only the spec: labels and annotations sent with a status write are kept.
  statusUpdatesMetadata: true,
  prepareForCreate(obj) {
    const spec = sub(obj, 'spec');
    const fins = arr<string>(spec.finalizers);
    spec.finalizers = fins.includes('kubernetes') ? fins : [...fins, 'kubernetes'];
    obj.status = { phase: 'Active' };
    nameLabel(obj);
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through /finalize; status only through /status.
    if (isObj(old.spec)) obj.spec = { ...(isObj(obj.spec) ? obj.spec : {}), finalizers: old.spec.finalizers };
    if (old.spec?.finalizers === undefined && isObj(obj.spec)) delete obj.spec.finalizers;
    nameLabel(obj);
  },
  validate: validateNamespace,
};
