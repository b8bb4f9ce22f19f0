// apps/v1 ControllerRevision validation (upstream's ValidateControllerRevision/-Update): data is
// required, revision is non-negative, and data never changes once stored (the DaemonSet and
// StatefulSet controllers compare it byte for byte with their templates).
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { immutable, nonNegative } from '../validation/common.ts';
import type { KindStrategy } from './util.ts';

export function validateControllerRevision(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(field.required('data', 'data is mandatory'));
  errs.push(...nonNegative('revision', obj.revision));
  return errs;
}

export const controllerRevisionStrategy: KindStrategy = {
  validate: validateControllerRevision,
  validateUpdate: (obj, old) => [...validateControllerRevision(obj), ...immutable('data', obj.data, old.data)],
};
