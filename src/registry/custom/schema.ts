// The schemas a custom resource version is served with: the CRD version's structural schema (from
// src/schema's crdVersionSchema, cached while the CRD's schema text stays the same, so CEL rules are
// compiled once per schema and not on every CRD status change), and the schema request bodies are
// decoded through, which adds what every resource root has (apiVersion, kind, ObjectMeta) so that
// unknown metadata fields are pruned and reported as upstream's objectmeta coercion does.
//
// The schema engine behind them loads with the first CRD served (see machinery.ts), not at start-up.
import type { StructuralSchema } from '../../schema/types.ts';
import type { KObject } from '../strategy.ts';
import { lazyModule } from '../../util/lazy-module.ts';

const crdSchema = lazyModule(new URL('../../schema/crd-schema.ts', import.meta.url), () => import('../../schema/crd-schema.ts'));
const builtin = lazyModule(new URL('../../schema/builtin.ts', import.meta.url), () => import('../../schema/builtin.ts'));

const isObj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

const served = new Map<string, { text: string; schema: StructuralSchema | undefined }>();

/** The served schema of `version` of `crd` (never to be mutated: derived facts are cached on it). */
export function servedSchema(crd: KObject, version: string): StructuralSchema | undefined {
  const v = Array.isArray(crd.spec?.versions) ? crd.spec.versions.find((x: unknown) => isObj(x) && x.name === version) : undefined;
  const raw = isObj(v) && isObj(v.schema) ? v.schema.openAPIV3Schema : undefined;
  if (!isObj(raw)) return undefined;
  const key = `${crd.metadata.uid ?? crd.metadata.name}/${version}`;
  const text = JSON.stringify(raw);
  const hit = served.get(key);
  if (hit && hit.text === text) return hit.schema;
  const schema = crdSchema.get().crdVersionSchema(crd, version);
  served.set(key, { text, schema });
  return schema;
}

/** Forget the cached schemas of a CRD (it was deleted). */
export function forgetServedSchemas(crd: KObject): void {
  const prefix = `${crd.metadata.uid ?? crd.metadata.name}/`;
  for (const k of served.keys()) if (k.startsWith(prefix)) served.delete(k);
}

const decodeSchemas = new WeakMap<StructuralSchema, StructuralSchema>();
let objectMeta: StructuralSchema | undefined;

function objectMetaSchema(): StructuralSchema {
  objectMeta ??= builtin.get().builtinComponent('', 'v1', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta') ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return objectMeta;
}

/**
 * The schema a request body of this version is decoded through (pruning, fieldValidation): the served
 * schema with apiVersion and kind as strings and metadata as ObjectMeta. Undefined without a schema.
 */
export function customDecodeSchema(schema: StructuralSchema | undefined): StructuralSchema | undefined {
  if (!schema) return undefined;
  let out = decodeSchemas.get(schema);
  if (!out) {
    const props: Record<string, StructuralSchema> = Object.create(null);
    Object.assign(props, schema.properties ?? {});
    props.apiVersion = { type: 'string' };
    props.kind = { type: 'string' };
    props.metadata = objectMetaSchema();
    out = { ...schema, type: 'object', properties: props };
    decodeSchemas.set(schema, out);
  }
  return out;
}
