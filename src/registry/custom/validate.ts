// The one place a custom object meets its CRD version's schema. It may change `obj` (pruning unknown
// fields, defaults) and returns the field errors of the object. The schema engine (src/schema:
// decodeThroughSchema, validateValue, applyDefaults) and CEL (src/cel) plug in here; until they do,
// custom objects get what the generic store checks (metadata, apiVersion and kind) and the checks
// below, which need no schema engine.
import type { FieldError } from '../../errors.ts';
import { field } from '../../errors.ts';
import type { ResourceInfo } from '../resources.ts';
import type { KObject } from '../strategy.ts';

export type AdmitMode = 'create' | 'update' | 'status';

export function admitCustomObject(r: ResourceInfo, obj: KObject, old: KObject | undefined, mode: AdmitMode): FieldError[] {
  void old; void mode;
  const errs: FieldError[] = [];
  const schema = r.custom?.version.schema;
  // A top-level field the schema types as an object must be one, or later reads (scale, printer
  // columns, status merges) would misread it.
  for (const k of ['spec', 'status']) {
    const s = schema?.properties?.[k];
    const v = obj[k];
    if (s?.type === 'object' && v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) {
      if (v === null && s.nullable) continue;
      // Upstream's kube-openapi wording: `spec: Invalid value: "string": spec in body must be of type object: "string"`.
      const t = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
      errs.push(field.invalid(k, t, `${k} in body must be of type object: ${JSON.stringify(t)}`));
    }
  }
  return errs;
}
