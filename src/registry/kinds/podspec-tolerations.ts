// spec.tolerations as upstream's ValidateTolerations checks them.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import { isValidLabelValue } from '../validation/names.ts';
import { isSet, labelName, list, str, struct } from './podspec-shape.ts';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tols: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  list(tols, path, errs).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const t = struct(raw, p, errs);
    if (!t) return;
    if (str(t.key)) errs.push(...labelName(`${p}.key`, t.key));
    // An empty key with Exists (and no value) matches every taint; any other operator needs a key.
    if (!str(t.key) && t.operator !== 'Exists') {
      errs.push(field.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(t.tolerationSeconds) && t.effect !== 'NoExecute') {
      errs.push(field.invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (isSet(t.tolerationSeconds) && !Number.isInteger(t.tolerationSeconds)) {
      errs.push(field.invalid(`${p}.tolerationSeconds`, t.tolerationSeconds, 'must be an integer'));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '': {
        const value = t.value ?? '';
        const problems = typeof value === 'string' ? isValidLabelValue(value) : ['must be a string'];
        if (problems.length) errs.push(field.invalid(`${p}.operator`, value, problems.join(';')));
        break;
      }
      case 'Exists':
        if (str(t.value)) errs.push(field.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(field.notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (isSet(t.effect) && t.effect !== '' && !TAINT_EFFECTS.includes(t.effect)) errs.push(field.notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}
