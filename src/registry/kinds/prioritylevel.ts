// PriorityLevelConfiguration (flowcontrol.apiserver.k8s.io/v1): scheme defaults and upstream's
// validation (src/flowcontrol/validation.ts); status writes have their conditions checked too.
import { errors } from '../../errors.ts';
import { defaultPriorityLevel } from '../../flowcontrol/defaults.ts';
import { validatePriorityLevel, validatePriorityLevelStatus } from '../../flowcontrol/validation.ts';
import type { KindStrategy } from './util.ts';

export const priorityLevelStrategy: KindStrategy = {
  defaults: defaultPriorityLevel,
  prepareForUpdate: defaultPriorityLevel,
  validate: validatePriorityLevel,
  async admitStatusUpdate(obj) {
    const errs = validatePriorityLevelStatus(obj);
    if (errs.length) throw errors.invalid('flowcontrol.apiserver.k8s.io', 'PriorityLevelConfiguration', obj.metadata.name ?? '', errs);
  },
};
