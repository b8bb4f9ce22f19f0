// applyDefaults(), pruneNonNullableNullsWithoutDefaults(), pruneDefaults(): upstream's structural
// defaulting algorithm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, pruneDefaults, pruneNonNullableNullsWithoutDefaults } from '../../src/schema/defaults.ts';
import type { StructuralSchema } from '../../src/schema/types.ts';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', default: 'fast' },
        opt: { type: 'string', nullable: true, default: 'd' },
        nested: { type: 'object', default: { a: 'x' }, properties: { a: { type: 'string' }, b: { type: 'string', default: 'inner' } } },
        ports: { type: 'array', items: { type: 'object', default: { p: 0 }, properties: { p: { type: 'integer' }, proto: { type: 'string', default: 'TCP' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string', default: 'v' } },
      },
    },
  },
};

const cases: Array<[string, unknown, unknown]> = [
  ['missing spec: the default object, then its nested defaults', {},
    { spec: { replicas: 1, mode: 'fast', opt: 'd', nested: { a: 'x', b: 'inner' } } }],
  ['set fields are kept', { spec: { replicas: 3, mode: 'slow', opt: 'o', nested: { a: 'y', b: 'z' } } },
    { spec: { replicas: 3, mode: 'slow', opt: 'o', nested: { a: 'y', b: 'z' } } }],
  ['null in a non-nullable field is defaulted, in a nullable one kept', { spec: { replicas: null, opt: null } },
    { spec: { replicas: 1, mode: 'fast', opt: null, nested: { a: 'x', b: 'inner' } } }],
  ['items: null items get the items default, every item its nested defaults', { spec: { ports: [null, { p: 80 }] } },
    { spec: { replicas: 1, mode: 'fast', opt: 'd', nested: { a: 'x', b: 'inner' }, ports: [{ p: 0, proto: 'TCP' }, { p: 80, proto: 'TCP' }] } }],
  ['additionalProperties: null values get the value default', { spec: { labels: { a: null, b: 'set' } } },
    { spec: { replicas: 1, mode: 'fast', opt: 'd', nested: { a: 'x', b: 'inner' }, labels: { a: 'v', b: 'set' } } }],
];
for (const [name, input, want] of cases) {
  test(`applyDefaults: ${name}`, () => assert.deepEqual(applyDefaults(schema, structuredClone(input)), want));
}

test('defaults are copies, not shared objects', () => {
  const a = applyDefaults(schema, {}) as { spec: { nested: { a: string } } };
  a.spec.nested.a = 'changed';
  const b = applyDefaults(schema, {}) as { spec: { nested: { a: string } } };
  assert.equal(b.spec.nested.a, 'x');
  assert.deepEqual((schema.properties!.spec.properties!.nested.default as { a: string }).a, 'x');
});

test('non-object values and missing schemas are left alone', () => {
  assert.equal(applyDefaults(schema, 'str'), 'str');
  assert.deepEqual(applyDefaults(undefined, { a: 1 }), { a: 1 });
  assert.deepEqual(applyDefaults(schema, { spec: 'not an object' }), { spec: 'not an object' });
});

test('a property named __proto__ is defaulted as an own field', () => {
  const s: StructuralSchema = { type: 'object', properties: { __proto__: { type: 'string', default: 'p' } } as unknown as Record<string, StructuralSchema> };
  Object.defineProperty(s.properties!, '__proto__', { value: { type: 'string', default: 'p' }, enumerable: true });
  const out = applyDefaults(s, {}) as Record<string, unknown>;
  assert.ok(Object.prototype.hasOwnProperty.call(out, '__proto__'));
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
});

test('pruneNonNullableNullsWithoutDefaults drops only nulls that cannot stand or be defaulted', () => {
  const s: StructuralSchema = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string', nullable: true }, c: { type: 'string', default: 'x' }, m: { type: 'object', additionalProperties: { type: 'string' } } } };
  assert.deepEqual(pruneNonNullableNullsWithoutDefaults(s, { a: null, b: null, c: null, m: { k: null }, unknown: null }),
    { b: null, c: null, m: {}, unknown: null });
});

test('pruneDefaults drops unknown fields from defaults and tells so', () => {
  const s: StructuralSchema = { type: 'object', properties: { spec: { type: 'object', default: { a: 1, junk: true }, properties: { a: { type: 'integer' } } } } };
  const { schema: out, changed } = pruneDefaults(s);
  assert.equal(changed, true);
  assert.deepEqual(out.properties!.spec.default, { a: 1 });
  assert.deepEqual(s.properties!.spec.default, { a: 1, junk: true }, 'the input is not changed');
  assert.equal(pruneDefaults(out).changed, false);
  const emb: StructuralSchema = { type: 'object', 'x-kubernetes-embedded-resource': true, default: { apiVersion: 'v1', kind: 'X', metadata: { name: 'n' }, x: 1 }, properties: {} };
  assert.deepEqual(pruneDefaults(emb).schema.default, { apiVersion: 'v1', kind: 'X', metadata: { name: 'n' } });
});

test('crdVersionSchema serves a version schema with pruned defaults; crdVersionScale reads the scale paths', async () => {
  const { crdVersionSchema, crdVersionScale } = await import('../../src/schema/crd-schema.ts');
  const crd = { spec: { versions: [
    { name: 'v1', subresources: { scale: { specReplicasPath: '.spec.r', statusReplicasPath: '.status.r' } },
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', default: { r: 1, junk: 2 }, properties: { r: { type: 'integer' } } } } } } },
    { name: 'v2' }] } };
  assert.deepEqual(crdVersionSchema(crd, 'v1')!.properties!.spec.default, { r: 1 });
  assert.equal(crdVersionSchema(crd, 'v2'), undefined);
  assert.equal(crdVersionSchema(null, 'v1'), undefined);
  assert.deepEqual(crdVersionScale(crd, 'v1'), { specReplicasPath: '.spec.r', statusReplicasPath: '.status.r' });
  assert.equal(crdVersionScale(crd, 'v2'), undefined);
  assert.deepEqual(applyDefaults(crdVersionSchema(crd, 'v1'), {}), { spec: { r: 1 } });
});
