// validateValue(): kube-openapi value validation of custom objects with upstream's field paths and
// messages (as apiextensions turns them into field errors), list-type and embedded-resource checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateValue } from '../../src/schema/validate.ts';
import { fieldErrorMessage } from '../../src/errors.ts';
import type { StructuralSchema } from '../../src/schema/types.ts';

const obj = (properties: Record<string, StructuralSchema>, extra: Partial<StructuralSchema> = {}): StructuralSchema => ({ type: 'object', properties, ...extra });
const root = (spec: StructuralSchema): StructuralSchema => obj({ spec });
const msgs = (s: StructuralSchema, v: unknown, o?: Parameters<typeof validateValue>[2]) => validateValue(s, v, o).map(fieldErrorMessage);

const cases: Array<[string, StructuralSchema, unknown, string[]]> = [
  ['type mismatch names the Go type seen', root(obj({ x: { type: 'string' } })), { spec: { x: 5 } },
    ['spec.x: Invalid value: "integer": spec.x in body must be of type string: "integer"']],
  ['a float where an integer belongs', root(obj({ x: { type: 'integer' } })), { spec: { x: 1.5 } },
    ['spec.x: Invalid value: "number": spec.x in body must be of type integer: "number"']],
  ['an integer is a number', root(obj({ x: { type: 'number' } })), { spec: { x: 3 } }, []],
  ['null where not nullable', root(obj({ x: { type: 'string' } })), { spec: { x: null } },
    ['spec.x: Invalid value: "null": spec.x in body must be of type string: "null"']],
  ['null where nullable', root(obj({ x: { type: 'string', nullable: true } })), { spec: { x: null } }, []],
  ['object where a string belongs', root(obj({ x: { type: 'string' } })), { spec: { x: { a: 1 } } },
    ['spec.x: Invalid value: "object": spec.x in body must be of type string: "object"']],
  ['int-or-string refuses a bool', root(obj({ x: { 'x-kubernetes-int-or-string': true } })), { spec: { x: true } },
    ['spec.x: Invalid value: "boolean": spec.x in body must be of type integer,string: "boolean"']],
  ['int-or-string takes both', root(obj({ x: { 'x-kubernetes-int-or-string': true }, y: { 'x-kubernetes-int-or-string': true } })), { spec: { x: 1, y: '50%' } }, []],
  ['enum of strings', root(obj({ x: { type: 'string', enum: ['a', 'b'] } })), { spec: { x: 'c' } },
    ['spec.x: Unsupported value: "c": supported values: "a", "b"']],
  ['enum of numbers is listed as JSON', root(obj({ x: { type: 'integer', enum: [1, 2] } })), { spec: { x: 3 } },
    ['spec.x: Unsupported value: 3: supported values: "1", "2"']],
  ['enum match', root(obj({ x: { type: 'integer', enum: [1, 2] } })), { spec: { x: 2 } }, []],
  ['pattern', root(obj({ x: { type: 'string', pattern: '^[a-z]+$' } })), { spec: { x: 'A1' } },
    ['spec.x: Invalid value: "A1": spec.x in body should match \'^[a-z]+$\'']],
  ['pattern with RE2 classes', root(obj({ x: { type: 'string', pattern: '^\\p{Lu}\\d+$' } })), { spec: { x: 'Ä12' } }, []],
  ['maxLength counts runes', root(obj({ x: { type: 'string', maxLength: 2 } })), { spec: { x: 'äö' } }, []],
  ['maxLength', root(obj({ x: { type: 'string', maxLength: 2 } })), { spec: { x: 'abc' } },
    ['spec.x: Too long: may not be more than 2 bytes']],
  ['minLength', root(obj({ x: { type: 'string', minLength: 3 } })), { spec: { x: 'ab' } },
    ['spec.x: Invalid value: "ab": spec.x in body should be at least 3 chars long']],
  ['maximum on an integer', root(obj({ x: { type: 'integer', maximum: 1000000 } })), { spec: { x: 1000001 } },
    ['spec.x: Invalid value: 1000001: spec.x in body should be less than or equal to 1000000']],
  ['maximum on a float prints the bound as Go %v', root(obj({ x: { type: 'number', maximum: 1000000 } })), { spec: { x: 1000000.5 } },
    ['spec.x: Invalid value: 1.0000005e+06: spec.x in body should be less than or equal to 1e+06']],
  ['exclusive minimum', root(obj({ x: { type: 'integer', minimum: 0, exclusiveMinimum: true } })), { spec: { x: 0 } },
    ['spec.x: Invalid value: 0: spec.x in body should be greater than 0']],
  ['minimum', root(obj({ x: { type: 'integer', minimum: 1 } })), { spec: { x: -1 } },
    ['spec.x: Invalid value: -1: spec.x in body should be greater than or equal to 1']],
  ['multipleOf', root(obj({ x: { type: 'integer', multipleOf: 5 } })), { spec: { x: 12 } },
    ['spec.x: Invalid value: 12: spec.x in body should be a multiple of 5']],
  ['multipleOf a fraction', root(obj({ x: { type: 'number', multipleOf: 0.1 } })), { spec: { x: 0.3 } }, []],
  ['minItems and maxItems', root(obj({ a: { type: 'array', items: { type: 'string' }, minItems: 2 }, b: { type: 'array', items: { type: 'string' }, maxItems: 1 } })),
    { spec: { a: ['x'], b: ['x', 'y', 'z'] } },
    ['spec.a: Invalid value: 1: spec.a in body should have at least 2 items', 'spec.b: Too many: 3: must have at most 1 items']],
  ['items are checked with an index', root(obj({ a: { type: 'array', items: { type: 'integer' } } })), { spec: { a: [1, 'x'] } },
    ['spec.a[1]: Invalid value: "string": spec.a[1] in body must be of type integer: "string"']],
  ['minProperties and maxProperties', root(obj({ m: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 }, n: { type: 'object', additionalProperties: { type: 'string' }, minProperties: 2 } })),
    { spec: { m: { a: 'x', b: 'y' }, n: {} } },
    ['spec.m: Too many: 2: must have at most 1 items', 'spec.n: Invalid value: 0: spec.n in body should have at least 2 properties']],
  ['additionalProperties values use a dotted path', root(obj({ m: { type: 'object', additionalProperties: { type: 'integer' } } })), { spec: { m: { 'a.b': 'x' } } },
    ['spec.m.a.b: Invalid value: "string": spec.m.a.b in body must be of type integer: "string"']],
  ['required', root(obj({ a: { type: 'string' } }, { required: ['a', 'b'] })), { spec: { a: 'x' } }, ['spec.b: Required value']],
  ['required at the root', obj({ spec: { type: 'object' } }, { required: ['spec'] }), {}, ['spec: Required value']],
  ['format date-time', root(obj({ t: { type: 'string', format: 'date-time' } })), { spec: { t: 'yesterday' } },
    ['spec.t: Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday"']],
  ['format date-time ok', root(obj({ t: { type: 'string', format: 'date-time' } })), { spec: { t: '2024-02-29T10:00:00Z' } }, []],
  ['format uuid', root(obj({ u: { type: 'string', format: 'uuid' } })), { spec: { u: 'nope' } },
    ['spec.u: Invalid value: "nope": spec.u in body must be of type uuid: "nope"']],
  ['format int32 is stripped upstream: no range check', root(obj({ n: { type: 'integer', format: 'int32' } })), { spec: { n: 2 ** 40 } }, []],
  ['unknown formats check nothing', root(obj({ n: { type: 'string', format: 'k8s-name' } })), { spec: { n: '!!' } }, []],
  ['format byte', root(obj({ b: { type: 'string', format: 'byte' } })), { spec: { b: 'not base64!' } },
    ['spec.b: Invalid value: "not base64!": spec.b in body must be of type byte: "not base64!"']],
  ['anyOf', root(obj({ x: { anyOf: [{ type: 'string' }, { type: 'integer' }], 'x-kubernetes-int-or-string': true } })), { spec: { x: 'a' } }, []],
  ['anyOf none', root(obj({ x: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 1 }] } })), { spec: { x: 5 } },
    ['<nil>: Invalid value: "": "spec.x" must validate at least one schema (anyOf)', 'spec.x: Invalid value: 5: spec.x in body should be greater than or equal to 10']],
  ['oneOf two valid', root(obj({ x: { type: 'integer', oneOf: [{ minimum: 1 }, { maximum: 10 }] } })), { spec: { x: 5 } },
    ['<nil>: Invalid value: "": "spec.x" must validate one and only one schema (oneOf). Found 2 valid alternatives']],
  ['allOf', root(obj({ x: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 3 }] } })), { spec: { x: 5 } },
    ['spec.x: Invalid value: 5: spec.x in body should be less than or equal to 3', '<nil>: Invalid value: "": "spec.x" must validate all the schemas (allOf)']],
  ['not', root(obj({ x: { type: 'string', not: { enum: ['bad'] } } })), { spec: { x: 'bad' } },
    ['<nil>: Invalid value: "": "spec.x" must not validate the schema (not)']],
  ['a broken pattern answers, never throws', root(obj({ x: { type: 'string', pattern: '(a' } })), { spec: { x: 'a' } },
    ['spec.x: Invalid value: "a": spec.x in body should match \'(a, but pattern is invalid: error parsing regexp: missing closing ): `(a`\'']],
];

for (const [name, schema, value, want] of cases) {
  test(`validateValue: ${name}`, () => assert.deepEqual(msgs(schema, value), want));
}

test('a path prefix puts errors under it (status subresource)', () => {
  const s: StructuralSchema = obj({ phase: { type: 'string', enum: ['A'] } });
  assert.deepEqual(msgs(s, { phase: 'B' }, 'status'), ['status.phase: Unsupported value: "B": supported values: "A"']);
  assert.deepEqual(msgs(obj({ x: { type: 'integer', not: { minimum: 0 } } }), { x: 1 }, 'status'),
    ['status: Invalid value: "": "x" must not validate the schema (not)']);
});

test('list-type set: duplicates at the later index', () => {
  const s = root(obj({ l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' } }));
  assert.deepEqual(msgs(s, { spec: { l: ['a', 'b', 'a', 'a', 'b'] } }), ['spec.l[2]: Duplicate value: "a"', 'spec.l[4]: Duplicate value: "b"']);
});

test('list-type map: duplicate keys shown as Go maps; non-objects refused', () => {
  const items: StructuralSchema = obj({ name: { type: 'string' }, port: { type: 'integer' } }, { required: ['name'] });
  const s = root(obj({ l: { type: 'array', items, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] } }));
  assert.deepEqual(msgs(s, { spec: { l: [{ name: 'a' }, { name: 'a', port: 1 }] } }), ['spec.l[1]: Duplicate value: map[string]interface {}{"name":"a"}']);
  const two = root(obj({ l: { type: 'array', items, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'port'] } }));
  assert.deepEqual(msgs(two, { spec: { l: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }, { port: 1, name: 'a' }] } }),
    ['spec.l[2]: Duplicate value: map[string]interface {}{"name":"a", "port":1}']);
  assert.deepEqual(msgs(s, { spec: { l: [{ name: 'a' }, 'x'] } }).filter((m) => m.includes('list-type map')),
    ['spec.l[1]: Invalid value: "x": must be an object for an array of list-type map']);
});

test('embedded resources: apiVersion, kind and metadata are checked', () => {
  const emb: StructuralSchema = { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true };
  const s = root(obj({ template: emb }));
  assert.deepEqual(msgs(s, { spec: { template: {} } }), ['spec.template.apiVersion: Required value', 'spec.template.kind: Required value']);
  assert.deepEqual(msgs(s, { spec: { template: { apiVersion: 'a/b/c', kind: 'Foo_Bar', metadata: { name: 'x/y' } } } }), [
    'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
    'spec.template.kind: Invalid value: "Foo_Bar": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
    'spec.template.metadata.name: Invalid value: "x/y": may not contain \'/\'',
  ]);
  assert.deepEqual(msgs(s, { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: 5 } } } }),
    ['spec.template.metadata: Invalid value: map[string]interface {}{"labels":5}: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type map[string]string']);
  assert.deepEqual(msgs(s, { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns' } } } }), []);
});

test('ratcheting: unchanged invalid values are not reported, changed ones are', () => {
  const s = root(obj({ a: { type: 'string', maxLength: 2 }, b: { type: 'string', maxLength: 2 } }));
  const old = { spec: { a: 'long', b: 'ok' } };
  assert.deepEqual(msgs(s, { spec: { a: 'long', b: 'ok' } }, { old }), []);
  assert.deepEqual(msgs(s, { spec: { a: 'long', b: 'new!' } }, { old }), ['spec.b: Too long: may not be more than 2 bytes']);
  assert.deepEqual(msgs(s, { spec: { a: 'longer', b: 'ok' } }, { old }), ['spec.a: Too long: may not be more than 2 bytes']);
  assert.deepEqual(msgs(s, { spec: { a: 'longer', b: 'ok' } }), ['spec.a: Too long: may not be more than 2 bytes']);
});

test('ratcheting: a required field missing before and after stays unreported only if the object is unchanged', () => {
  const s = root(obj({ a: { type: 'string' }, c: { type: 'string' } }, { required: ['a'] }));
  assert.deepEqual(msgs(s, { spec: { c: 'x' } }, { old: { spec: { c: 'x' } } }), []);
  assert.deepEqual(msgs(s, { spec: { c: 'y' } }, { old: { spec: { c: 'x' } } }), ['spec.a: Required value']);
});

test('ratcheting: list-type map items pair by key, atomic lists do not pair', () => {
  const items: StructuralSchema = obj({ name: { type: 'string' }, v: { type: 'string', maxLength: 1 } });
  const s = root(obj({ m: { type: 'array', items, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] } }));
  const old = { spec: { m: [{ name: 'a', v: 'long' }] } };
  assert.deepEqual(msgs(s, { spec: { m: [{ name: 'b', v: 'x' }, { name: 'a', v: 'long' }] } }, { old }), []);
  const atomic = root(obj({ m: { type: 'array', items } }));
  assert.deepEqual(msgs(atomic, { spec: { m: [{ name: 'b', v: 'x' }, { name: 'a', v: 'long' }] } }, { old }),
    ['spec.m[1].v: Too long: may not be more than 1 bytes']);
});

test('kind and apiVersion at the root never ratchet', () => {
  const s = obj({ kind: { type: 'string', enum: ['Foo'] } });
  assert.deepEqual(msgs(s, { kind: 'Bar', x: 1 }, { old: { kind: 'Bar' } }), ['kind: Unsupported value: "Bar": supported values: "Foo"']);
});

test('odd input never throws: deep values, cyclic-looking schemas, huge enums, __proto__ keys', () => {
  let deep: unknown = 'x';
  for (let i = 0; i < 5000; i++) deep = { a: deep };
  const pres: StructuralSchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  assert.deepEqual(validateValue(pres, deep), []);
  const shared: StructuralSchema = { type: 'string' };
  const s = root(obj({ a: shared, b: shared }));
  assert.equal(validateValue(s, { spec: { a: 1, b: 2 } }).length, 2);
  const big: StructuralSchema = root(obj({ e: { type: 'string', enum: Array.from({ length: 20000 }, (_, i) => `v${i}`) } }));
  assert.deepEqual(validateValue(big, { spec: { e: 'v19999' } }), []);
  const proto = JSON.parse('{"spec":{"__proto__":{"x":1},"constructor":5}}');
  assert.deepEqual(validateValue(root(obj({ a: { type: 'string' } })), proto), []);
});

test('malformed schemas and values never throw (seeded fuzz)', () => {
  let seed = 42;
  const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  const atoms: unknown[] = [null, 0, -1, 1.5, 'x', '', true, [], {}, [1, 'a'], { a: 1 }, 'constructor', '__proto__'];
  const keys = ['type', 'properties', 'items', 'additionalProperties', 'required', 'enum', 'pattern', 'minimum', 'maxLength', 'anyOf', 'allOf', 'oneOf', 'not',
    'format', 'nullable', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-embedded-resource', 'multipleOf', 'uniqueItems', 'maxProperties'];
  const gen = (d: number): unknown => {
    if (d > 4 || rnd() < 0.3) return atoms[Math.floor(rnd() * atoms.length)];
    if (rnd() < 0.3) return Array.from({ length: Math.floor(rnd() * 3) }, () => gen(d + 1));
    const o: Record<string, unknown> = {};
    for (let i = 0; i < 3; i++) o[rnd() < 0.7 ? keys[Math.floor(rnd() * keys.length)] : `k${i}`] = gen(d + 1);
    return o;
  };
  for (let i = 0; i < 2000; i++) {
    const s = gen(0) as StructuralSchema;
    const v = gen(0);
    assert.doesNotThrow(() => validateValue(s, v), JSON.stringify({ s, v }));
    assert.doesNotThrow(() => validateValue(s, v, { old: gen(0) }), JSON.stringify({ s, v }));
  }
});
