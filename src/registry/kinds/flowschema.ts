// FlowSchema (flowcontrol.apiserver.k8s.io/v1): scheme defaults and upstream's validation
// (src/flowcontrol/validation.ts); status writes have their conditions checked too.
import { errors } from '../../errors.ts';
import { defaultFlowSchema } from '../../flowcontrol/defaults.ts';
import { validateFlowSchema, validateFlowSchemaStatus } from '../../flowcontrol/validation.ts';
import type { KindStrategy } from './util.ts';

export const flowSchemaStrategy: KindStrategy = {
  defaults: defaultFlowSchema,
  prepareForUpdate: defaultFlowSchema,
  validate: validateFlowSchema,
  async admitStatusUpdate(obj) {
    const errs = validateFlowSchemaStatus(obj);
    if (errs.length) throw errors.invalid('flowcontrol.apiserver.k8s.io', 'FlowSchema', obj.metadata.name ?? '', errs);
  },
};
