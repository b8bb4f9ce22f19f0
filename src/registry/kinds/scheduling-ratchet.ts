// Updates do not re-judge scheduling fields they leave unchanged. Objects stored before Skiff
// validated `affinity` and `topologySpreadConstraints` may hold values that are now refused; as
// upstream's update options let a stored invalid value stand (AllowInvalidLabelValueInSelector
// and friends), an update that keeps such a field exactly as it was is not refused for it, so
// labels, finalizers and controllers' writes keep working. A changed field is validated in full.
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import type { KindStrategy } from './util.ts';

const SCHEDULING_FIELD = /^((?:.*?\.)?spec)\.(affinity|topologySpreadConstraints)(?=$|[.[])/;

function at(obj: unknown, path: string): unknown {
  let v: any = obj;
  for (const seg of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[seg];
  }
  return v;
}

/** Drop the errors under an affinity / topologySpreadConstraints field that `old` holds unchanged. */
export function dropUnchangedScheduling(errs: FieldError[], obj: KObject, old: KObject): FieldError[] {
  return errs.filter((e) => {
    const m = SCHEDULING_FIELD.exec(e.field);
    if (!m) return true;
    const p = `${m[1]}.${m[2]}`;
    return !deepEqual(at(obj, p) ?? null, at(old, p) ?? null);
  });
}

/** A workload strategy whose update validation applies dropUnchangedScheduling. */
export function withSchedulingRatchet(s: KindStrategy): KindStrategy {
  return {
    ...s,
    validateUpdate(obj, old, ctx) {
      const errs = s.validateUpdate ? s.validateUpdate(obj, old, ctx) : (s.validate?.(obj, ctx) ?? []);
      return dropUnchangedScheduling(errs, obj, old);
    },
  };
}
