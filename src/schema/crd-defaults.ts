// Checks of `default` values in a CRD schema (upstream's defaulting.ValidateDefaults): every default
// outside of metadata must carry no field the schema would prune, be valid embedded-resource
// metadata where it is one, and pass the value validation of its own schema node.
import type { FieldError } from '../errors.ts';
import type { StructuralSchema } from './types.ts';
import type { J } from './structural.ts';
import { keyPath, isStructural } from './structural.ts';
import { pruneUnknown } from './default-prune.ts';
import { deepEqual } from './correlate.ts';
import { validateOpenAPI } from './validate.ts';
import { validateEmbeddedResources } from './embedded.ts';
import { goErrorValue } from './gofmt.ts';

const isMap = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasDefault = (s: J) => s.default !== undefined && s.default !== null;
const META = new Set(['metadata', 'apiVersion', 'kind']);

/** Default-value errors of a structural CRD schema at path (`...openAPIV3Schema`). */
export function validateDefaults(schema: J, path: string, requirePruned: boolean): FieldError[] {
  const root = schema['x-kubernetes-embedded-resource'] ? schema : { ...schema, 'x-kubernetes-embedded-resource': true };
  return walk(root, path, false, requirePruned);
}

function walk(s: J, path: string, insideMetaIn: boolean, requirePruned: boolean): FieldError[] {
  const emb = s['x-kubernetes-embedded-resource'] === true;
  const insideMeta = emb ? false : insideMetaIn;
  const errs: FieldError[] = [];
  if (hasDefault(s)) errs.push(...checkDefault(s, path, insideMeta, requirePruned));
  if (isMap(s.items)) errs.push(...walk(s.items, `${path}.items`, insideMeta, requirePruned));
  if (isMap(s.properties)) {
    for (const k of Object.keys(s.properties)) {
      const sub = s.properties[k];
      if (!isMap(sub)) continue;
      errs.push(...walk(sub, keyPath(`${path}.properties`, k), insideMeta || (emb && META.has(k)), requirePruned));
    }
  }
  return errs;
}

function checkDefault(s: J, path: string, insideMeta: boolean, requirePruned: boolean): FieldError[] {
  const p = `${path}.default`;
  const schema = s as StructuralSchema;
  if (insideMeta) return validateOpenAPI(schema, s.default, p);
  const errs: FieldError[] = [];
  if (requirePruned) {
    const pruned = structuredClone(s.default);
    pruneUnknown(pruned, schema, s['x-kubernetes-embedded-resource'] === true);
    if (!deepEqual(pruned, s.default)) errs.push({ type: 'FieldValueInvalid', field: p, value: s.default, rendered: goErrorValue(s.default), detail: 'must not have unknown fields' });
  }
  const metaErrs = s['x-kubernetes-embedded-resource'] === true
    ? validateEmbeddedResources({ type: 'object', properties: { d: schema } }, { d: s.default }, '').map((e) => ({ ...e, field: e.field.replace(/^d/, p) }))
    : validateEmbeddedResources(schema, s.default, p);
  if (metaErrs.length) return [...errs, ...metaErrs];
  errs.push(...validateOpenAPI(schema, s.default, p));
  return errs;
}

/** Does a (structural) schema carry defaults that pruning would change? */
export function hasUnprunedDefaults(schema: J): boolean {
  let found = false;
  const visit = (s: unknown) => {
    if (!isMap(s) || found) return;
    if (hasDefault(s)) {
      const pruned = structuredClone(s.default);
      pruneUnknown(pruned, s as StructuralSchema, s['x-kubernetes-embedded-resource'] === true);
      if (!deepEqual(pruned, s.default)) found = true;
    }
    if (isMap(s.additionalProperties)) visit(s.additionalProperties);
    visit(s.items);
    if (isMap(s.properties)) for (const v of Object.values(s.properties)) visit(v);
  };
  if (!isStructural(schema)) return false;
  visit(schema);
  return found;
}
