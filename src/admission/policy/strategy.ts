// The store strategies of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
// (pkg/registry/admissionregistration/...): scheme defaults, an empty status on create, and
// upstream's validation. Validation compiles CEL, so its module loads on the first write.
import type { KindStrategy } from '../../registry/kinds/util.ts';
import type { KObject } from '../../registry/strategy.ts';
import { lazyModule } from '../../util/lazy-module.ts';
import { errors } from '../../errors.ts';
import { defaultBinding, defaultPolicy } from './defaults.ts';

type PolicyValidation = typeof import('./validate-policy.ts');
const policyValidation = lazyModule<PolicyValidation>(new URL('./validate-policy.ts', import.meta.url), () => import('./validate-policy.ts'));
type BindingValidation = typeof import('./validate-binding.ts');
const bindingValidation = lazyModule<BindingValidation>(new URL('./validate-binding.ts', import.meta.url), () => import('./validate-binding.ts'));

export const validatingAdmissionPolicyStrategy: KindStrategy = {
  defaults: defaultPolicy,
  async load() { await policyValidation.load(); },
  prepareForCreate(obj: KObject) { obj.status = {}; },
  validate: (obj) => policyValidation.get().validatePolicySpec(obj),
  validateUpdate: (obj, old) => policyValidation.get().validatePolicySpec(obj, old),
  /** Status writes (the store runs no other validation for them): expression warnings need text and a fieldRef. */
  async admitStatusUpdate(obj: KObject) {
    const errs = (await policyValidation.load()).validatePolicyStatus(obj);
    if (errs.length) throw errors.invalid('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy', obj.metadata.name!, errs);
  },
};

export const validatingAdmissionPolicyBindingStrategy: KindStrategy = {
  defaults: defaultBinding,
  async load() { await bindingValidation.load(); },
  validate: (obj) => bindingValidation.get().validateBindingSpec(obj),
  validateUpdate: (obj) => bindingValidation.get().validateBindingSpec(obj),
};
