// Every entry point of src/schema answers malformed input without throwing (seeded, reproducible).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, pruneDefaults, pruneNonNullableNullsWithoutDefaults } from '../../src/schema/defaults.ts';
import { validateCRD } from '../../src/schema/crd-validation.ts';
import { crdOpenAPI } from '../../src/schema/openapi-publish.ts';
import { validateCustomObject } from '../../src/schema/custom-object.ts';
import type { StructuralSchema } from '../../src/schema/types.ts';

let seed = Number(process.env.SKIFF_FUZZ_SEED ?? 7);
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const atoms: unknown[] = [null, 0, -1, 2.5, 'x', '', true, false, [], {}, ['v1'], { a: 1 }, 'Cluster', 'object', 'array', 'set', 'map'];
const keys = ['type', 'properties', 'items', 'additionalProperties', 'required', 'enum', 'pattern', 'default', 'anyOf', 'allOf', 'not', 'nullable',
  'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-embedded-resource', 'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-validations', 'x-kubernetes-map-type', '$ref', 'metadata', 'spec', 'status', 'kind', 'apiVersion', 'name', 'versions', 'names', 'group', 'scope',
  'schema', 'openAPIV3Schema', 'served', 'storage', 'subresources', 'scale', 'additionalPrinterColumns', 'selectableFields', 'conversion', 'strategy', 'webhook'];
function gen(d: number): unknown {
  if (d > 6 || rnd() < 0.25) return atoms[Math.floor(rnd() * atoms.length)];
  if (rnd() < 0.25) return Array.from({ length: Math.floor(rnd() * 3) }, () => gen(d + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < 4; i++) o[keys[Math.floor(rnd() * keys.length)]] = gen(d + 1);
  return o;
}

test('validateCRD, crdOpenAPI, defaults and custom-object checks survive random input', () => {
  for (let i = 0; i < 1500; i++) {
    const a = gen(0);
    const b = gen(0);
    const dump = () => JSON.stringify({ a, b });
    assert.doesNotThrow(() => validateCRD(a), dump);
    assert.doesNotThrow(() => validateCRD(a, b), dump);
    assert.doesNotThrow(() => crdOpenAPI(a), dump);
    assert.doesNotThrow(() => applyDefaults(a as StructuralSchema, structuredClone(b)), dump);
    assert.doesNotThrow(() => pruneNonNullableNullsWithoutDefaults(a as StructuralSchema, structuredClone(b)), dump);
    if (a && typeof a === 'object' && !Array.isArray(a)) assert.doesNotThrow(() => pruneDefaults(a as StructuralSchema), dump);
    assert.doesNotThrow(() => validateCustomObject(a as StructuralSchema, b, { group: 'g.io', version: 'v1', kind: 'K', namespaced: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } }), dump);
  }
});

test('CRDs with random schemas: validation and publishing never throw', () => {
  for (let i = 0; i < 1500; i++) {
    const schema = { type: 'object', properties: { spec: gen(1), status: gen(2) }, ...(rnd() < 0.5 ? { anyOf: gen(2) } : {}) };
    const crd = { metadata: { name: 'ws.g.io' }, spec: { group: 'g.io', scope: 'Namespaced', names: { plural: 'ws', kind: 'W' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources: rnd() < 0.5 ? { status: {} } : gen(2), selectableFields: rnd() < 0.3 ? gen(2) : undefined }] } };
    const dump = () => JSON.stringify(crd);
    assert.doesNotThrow(() => validateCRD(crd), dump);
    assert.doesNotThrow(() => crdOpenAPI(crd), dump);
    assert.doesNotThrow(() => validateCustomObject(schema as StructuralSchema, { apiVersion: 'g.io/v1', kind: 'W', metadata: { name: 'a', namespace: 'n' }, spec: gen(1) }, { group: 'g.io', version: 'v1', kind: 'W', namespaced: true }), dump);
  }
});
