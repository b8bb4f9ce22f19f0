import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchemaRules, validateCel } from '../../src/cel/index.ts';
import { fieldErrorMessage } from '../../src/errors.ts';
import { validateCRD } from '../../src/schema/crd-validation.ts';
import { celRulesFor } from '../../src/registry/custom/crd-cel.ts';
import type { StructuralSchema, ValidationRule } from '../../src/schema/types.ts';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const compileMsgs = (s: StructuralSchema) => compileSchemaRules(s, P).map(fieldErrorMessage);
const evalMsgs = (s: StructuralSchema, o: unknown, old?: unknown) => validateCel(s, o, old).map(fieldErrorMessage);
const goRule = (rule: string) => `apiextensions.ValidationRule{Rule:${JSON.stringify(rule)}, Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}`;
const withRules = (rules: ValidationRule[], props: Record<string, StructuralSchema> = { a: { type: 'integer' }, s: { type: 'string' } }): StructuralSchema =>
  ({ type: 'object', properties: props, 'x-kubernetes-validations': rules });

test('compile: syntax, undefined field, overload, undeclared reference and non-bool errors', () => {
  assert.deepEqual(compileMsgs(withRules([{ rule: 'self.b == 1' }])), [
    `${P}.x-kubernetes-validations[0].rule: Invalid value: ${goRule('self.b == 1')}: compilation failed: ERROR: <input>:1:5: undefined field 'b'\n | self.b == 1\n | ....^`]);
  assert.deepEqual(compileMsgs(withRules([{ rule: 'self.a + "x" == 1' }])), [
    `${P}.x-kubernetes-validations[0].rule: Invalid value: ${goRule('self.a + "x" == 1')}: compilation failed: ERROR: <input>:1:1: found no matching overload for '_+_' applied to '(int, string)'\n | self.a + "x" == 1\n | ^`]);
  assert.deepEqual(compileMsgs(withRules([{ rule: 'foo == 1' }])), [
    `${P}.x-kubernetes-validations[0].rule: Invalid value: ${goRule('foo == 1')}: compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo == 1\n | ^`]);
  assert.deepEqual(compileMsgs(withRules([{ rule: 'self.a' }])), [
    `${P}.x-kubernetes-validations[0].rule: Invalid value: ${goRule('self.a')}: cel expression must evaluate to a bool`]);
  const syntax = compileMsgs(withRules([{ rule: 'self.a >' }]));
  assert.equal(syntax.length, 1);
  assert.match(syntax[0], /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: .*: compilation failed: ERROR: <input>:1:9: Syntax error: /);
});

test('compile: valid rules with libraries give no errors', () => {
  const s = withRules([
    { rule: 'self.s.lowerAscii().startsWith("a") && self.s.matches("^[a-z]+$") && self.s.find("[0-9]+") == ""' },
    { rule: '[1, 2, 3].isSorted() && [1, 2].sum() == 3 && [3, 1].min() == 1 && [1, 2].indexOf(2) == 1' },
    { rule: 'quantity("1Gi").isGreaterThan(quantity("1M")) && isQuantity("5m")' },
    { rule: 'ip("10.0.0.1").family() == 4 && cidr("10.0.0.0/8").containsIP("10.1.2.3") && isCIDR("::1/128")' },
    { rule: 'url("https://example.com:8443/x?a=1").getPort() == "8443" && isURL("/path")' },
    { rule: '!format.dns1123Label().validate("Bad_Name").hasValue() || true' },
    { rule: 'has(self.a) && self.metadata.name.size() > 0', message: 'needs a' },
  ]);
  assert.deepEqual(compileMsgs(s), []);
});

test('rule field checks live in CRD validation only (reported once, with upstream wording); compile skips them', () => {
  const s = withRules([{ rule: '  ' }, { rule: 'self.a == 1', reason: 'Bogus' as never }, { rule: 'self.a == 1', message: ' ' },
    { rule: 'self.a == 1', fieldPath: '.nope' }, { rule: 'self.a == 1', messageExpression: ' ' }]);
  assert.deepEqual(compileMsgs(s), []);
  const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'xs.a.example.com' },
    spec: { group: 'a.example.com', scope: 'Namespaced', names: { plural: 'xs', kind: 'X' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: s } } } }] } };
  const V = 'spec.validation.openAPIV3Schema.properties[spec]';
  assert.deepEqual(validateCRD(crd, undefined, { celRules: celRulesFor() }).map(fieldErrorMessage), [
    `${V}.x-kubernetes-validations[0].rule: Required value: rule is not specified`,
    `${V}.x-kubernetes-validations[1].reason: Unsupported value: "Bogus": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    `${V}.x-kubernetes-validations[2].message: Invalid value: " ": message must be non-empty if specified`,
    `${V}.x-kubernetes-validations[3].fieldPath: Invalid value: ".nope": fieldPath must be a valid path`,
    `${V}.x-kubernetes-validations[4].messageExpression: Required value: messageExpression must be non-empty if specified`,
  ]);
});

test('compile: messageExpression type, optionalOldSelf without oldSelf, oldSelf in uncorrelatable places', () => {
  assert.deepEqual(compileMsgs(withRules([{ rule: 'self.a == 1', messageExpression: '1' }])), [
    `${P}.x-kubernetes-validations[0].messageExpression: Invalid value: apiextensions.ValidationRule{Rule:"self.a == 1", Message:"", MessageExpression:"1", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: messageExpression must evaluate to a string`]);
  assert.deepEqual(compileMsgs(withRules([{ rule: 'self.a == 1', optionalOldSelf: true }])), [
    `${P}.x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`]);
  const list: StructuralSchema = { type: 'object', properties: { l: { type: 'array', maxItems: 5, items: { type: 'object', properties: { k: { type: 'string', maxLength: 5 } }, 'x-kubernetes-validations': [{ rule: 'self.k == oldSelf.k' }] } } } };
  assert.deepEqual(compileMsgs(list), [
    `${P}.properties[l].items.x-kubernetes-validations[0].rule: Invalid value: "self.k == oldSelf.k": oldSelf cannot be used on the uncorrelatable portion of the schema within properties[l]`]);
  const mapList: StructuralSchema = structuredClone(list);
  mapList.properties!.l['x-kubernetes-list-type'] = 'map';
  mapList.properties!.l['x-kubernetes-list-map-keys'] = ['k'];
  assert.deepEqual(compileMsgs(mapList), []);
});

test('compile: estimated cost beyond the per-rule limit is forbidden', () => {
  const s: StructuralSchema = { type: 'object', properties: { l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, x == y))' }] } } };
  const msgs = compileMsgs(s);
  assert.equal(msgs[0], `${P}.properties[l].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`);
  const bounded: StructuralSchema = { type: 'object', properties: { l: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 10 }, 'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, x == y))' }] } } };
  assert.deepEqual(compileMsgs(bounded), []);
});

const crd: StructuralSchema = {
  type: 'object',
  'x-kubernetes-validations': [{ rule: 'self.metadata.name.startsWith("ok")', message: 'name must start with ok' }],
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.replicas >= 1' },
        { rule: 'self.replicas <= oldSelf.replicas + 5', message: 'cannot scale by more than 5' },
        { rule: 'self.name.startsWith("a")', messageExpression: '"name " + self.name + " must start with a"' },
        { rule: 'self.replicas < 100', fieldPath: '.replicas', reason: 'FieldValueForbidden' },
      ],
      properties: {
        replicas: { type: 'integer' },
        ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.0' }] },
        name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() < 6', reason: 'FieldValueRequired' }] },
        port: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-validations': [{ rule: 'type(self) == int ? self > 0 : self.endsWith("x")' }] },
        items: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['key'], maxItems: 10,
          items: { type: 'object', properties: { key: { type: 'string' }, v: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.v >= oldSelf.v', message: 'v may not decrease' }] },
        },
        labels: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self != "bad"' }] } },
        mem: { type: 'string', 'x-kubernetes-validations': [{ rule: 'quantity(self).isLessThan(quantity("1Gi"))' }] },
        when: { type: 'string', format: 'date-time', 'x-kubernetes-validations': [{ rule: 'self > timestamp("2020-01-01T00:00:00Z")' }] },
      },
    },
  },
};
const good = { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'ok1', namespace: 'n' }, spec: { replicas: 2, ratio: 0.5, name: 'abc', port: 8080, items: [{ key: 'a', v: 1 }], labels: { a: 'fine' }, mem: '512Mi', when: '2024-05-01T00:00:00Z' } };

test('compile: the sample CRD schema compiles', () => {
  assert.deepEqual(compileMsgs(crd), []);
});

test('evaluate: a valid object passes', () => {
  assert.deepEqual(evalMsgs(crd, good), []);
  assert.deepEqual(evalMsgs(crd, good, good), []);
});

test('evaluate: failures carry the rule path, message, messageExpression, reason and fieldPath', () => {
  const bad = { ...good, metadata: { name: 'nope' }, spec: { replicas: 0, ratio: 2, name: 'bobbbbbb', port: 'y', items: [{ key: 'a', v: 1 }], labels: { a: 'bad' }, mem: '2Gi', when: '2019-01-01T00:00:00Z' } };
  assert.deepEqual(evalMsgs(crd, bad), [
    '<nil>: Invalid value: name must start with ok',
    'spec: Invalid value: failed rule: self.replicas >= 1',
    'spec: Invalid value: name bobbbbbb must start with a',
    'spec.ratio: Invalid value: 2: failed rule: self < 1.0',
    'spec.name: Required value: failed rule: self.size() < 6',
    'spec.port: Invalid value: "y": failed rule: type(self) == int ? self > 0 : self.endsWith("x")',
    'spec.labels[a]: Invalid value: "bad": failed rule: self != "bad"',
    'spec.mem: Invalid value: "2Gi": failed rule: quantity(self).isLessThan(quantity("1Gi"))',
    'spec.when: Invalid value: "2019-01-01T00:00:00Z": failed rule: self > timestamp("2020-01-01T00:00:00Z")',
  ]);
  assert.deepEqual(evalMsgs(crd, { ...good, spec: { ...good.spec, replicas: 200 } }), ['spec.replicas: Forbidden: failed rule: self.replicas < 100']);
});

test('evaluate: transition rules run only with a correlated old value', () => {
  const up = { ...good, spec: { ...good.spec, replicas: 9, items: [{ key: 'a', v: 0 }, { key: 'b', v: 0 }] } };
  assert.deepEqual(evalMsgs(crd, up, good), [
    'spec: Invalid value: cannot scale by more than 5',
    'spec.items[0]: Invalid value: v may not decrease',
  ]);
  assert.deepEqual(evalMsgs(crd, up), []);
});

test('evaluate: optionalOldSelf binds an optional', () => {
  const s = withRules([{ rule: 'oldSelf.hasValue() ? self.a >= oldSelf.value().a : self.a == 1', optionalOldSelf: true }]);
  assert.deepEqual(compileMsgs(s), []);
  assert.deepEqual(evalMsgs(s, { a: 2 }), ['<nil>: Invalid value: failed rule: oldSelf.hasValue() ? self.a >= oldSelf.value().a : self.a == 1']);
  assert.deepEqual(evalMsgs(s, { a: 1 }), []);
  assert.deepEqual(evalMsgs(s, { a: 1 }, { a: 3 }).length, 1);
});

test('evaluate: runtime errors are reported, not thrown', () => {
  const s = withRules([{ rule: 'self.a / 0 == 1' }, { rule: 'self.s == "x"' }]);
  assert.deepEqual(evalMsgs(s, { a: 1 }), [
    '<nil>: Invalid value: "object": division by zero evaluating rule: self.a / 0 == 1',
    '<nil>: Invalid value: "object": no such key: s evaluating rule: self.s == "x"',
  ]);
});

test('evaluate: wrongly typed values do not crash', () => {
  assert.doesNotThrow(() => validateCel(crd, { metadata: { name: 5 }, spec: { replicas: 'x', items: 7, labels: [1], when: 3 } }, { spec: 'x' }));
  assert.deepEqual(validateCel(crd, null, undefined), []);
});

test('evaluate: a schema without rules answers nothing', () => {
  assert.deepEqual(validateCel({ type: 'object', properties: { a: { type: 'string' } } }, { a: 'x' }, undefined), []);
});

test('evaluate: a rule over the per-call cost limit stops validation with upstream\'s message', () => {
  const s: StructuralSchema = { type: 'object', properties: { l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-validations': [{ rule: 'self.all(x, self.all(y, x == y))' }] }, a: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 5' }] } } };
  const l = Array.from({ length: 2000 }, () => 'same');
  assert.deepEqual(evalMsgs(s, { l, a: 1 }), [
    'l: Invalid value: "array": \'operation cancelled: actual cost limit exceeded\': no further validation rules will be run due to call cost exceeds limit for rule: self.all(x, self.all(y, x == y))',
  ]);
  assert.deepEqual(evalMsgs(s, { l: ['same', 'same'], a: 1 }), ['a: Invalid value: 1: failed rule: self > 5']);
});

test('evaluate: running out of the runtime budget stops validation', () => {
  const s = withRules([{ rule: 'self.a > 0' }, { rule: 'self.a > 1' }, { rule: 'self.a > 2' }]);
  const errs = validateCel(s, { a: 0 }, undefined, { budget: 5 }).map(fieldErrorMessage);
  assert.deepEqual(errs, [
    '<nil>: Invalid value: failed rule: self.a > 0',
    '<nil>: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run',
  ]);
});

test('evaluate: failures on unchanged values are ratcheted to warnings on update', () => {
  const s: StructuralSchema = { type: 'object', properties: {
    a: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 5' }] },
    b: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 5' }, { rule: 'self == oldSelf', message: 'immutable' }] },
  } };
  const warnings: string[] = [];
  const errs = validateCel(s, { a: 1, b: 2 }, { a: 1, b: 3 }, { warnings }).map(fieldErrorMessage);
  assert.deepEqual(errs, ['b: Invalid value: 2: failed rule: self > 5', 'b: Invalid value: 2: immutable']);
  assert.deepEqual(warnings, ['a: Invalid value: 1: failed rule: self > 5']);
});

test('evaluate: fieldPath with a quoted key (object values omitted) and the rootPath option', () => {
  const s: StructuralSchema = { type: 'object', properties: { m: { type: 'object', properties: { 'a.b': { type: 'string' } } } },
    'x-kubernetes-validations': [{ rule: 'self.m.a__dot__b == "x"', fieldPath: ".m['a.b']", reason: 'FieldValueDuplicate' }] };
  assert.deepEqual(compileMsgs(s), []);
  assert.deepEqual(validateCel(s, { m: { 'a.b': 'y' } }, undefined).map(fieldErrorMessage), ['m[a.b]: Duplicate value']);
  const root = withRules([{ rule: 'self.a > 0' }]);
  assert.deepEqual(validateCel(root, { a: 0 }, undefined, { rootPath: 'obj' }).map(fieldErrorMessage), ['obj: Invalid value: failed rule: self.a > 0']);
});

test('compile: a constant pattern that is not RE2 fails as upstream\'s program instantiation', () => {
  assert.deepEqual(compileMsgs(withRules([{ rule: 'self.s.matches("a(?=b)")' }])), [
    `${P}.x-kubernetes-validations[0].rule: Invalid value: ${goRule('self.s.matches("a(?=b)")')}: program instantiation failed: error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``]);
  assert.deepEqual(compileMsgs(withRules([{ rule: 'self.s.find("[0-9]+") != "" && self.s.matches("^a+$")' }])), []);
});

test('malformed rules and schemas: wrong types and deep nesting answer errors, never throw', () => {
  const weird = { type: 'object', properties: { a: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 5 }, null, { rule: 'self.a > 0', message: 7 }] } as unknown as StructuralSchema;
  assert.deepEqual(compileMsgs(weird), []);
  const notList = { type: 'object', 'x-kubernetes-validations': 'self > 0' } as unknown as StructuralSchema;
  assert.deepEqual(compileMsgs(notList), []);
  let deep: StructuralSchema = { type: 'object', 'x-kubernetes-validations': [{ rule: 'true' }] };
  for (let i = 0; i < 20000; i++) deep = { type: 'object', properties: { x: deep } };
  assert.deepEqual(compileMsgs(deep), [`${P}: Forbidden: schema is nested too deeply to compile x-kubernetes-validations rules`]);
  const pu: StructuralSchema = { type: 'object', properties: { any: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'has(self.x)' }] } } };
  let v: unknown = 1;
  for (let i = 0; i < 20000; i++) v = { x: v };
  assert.deepEqual(evalMsgs(pu, { any: v }), ['<nil>: Invalid value: "object": object is nested too deeply to evaluate x-kubernetes-validations rules']);
  assert.deepEqual(evalMsgs(pu, { any: { x: 1 } }), []);
  assert.deepEqual(evalMsgs(pu, { any: { y: 1 } }), ['any: Invalid value: failed rule: has(self.x)']);
});

test('evaluate: formats become timestamps, durations and bytes; embedded resources expose kind and metadata', () => {
  const s: StructuralSchema = { type: 'object', properties: {
    when: { type: 'string', format: 'date-time' }, d: { type: 'string', format: 'duration' }, b: { type: 'string', format: 'byte' }, n: { type: 'number' },
    emb: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } },
  'x-kubernetes-validations': [{ rule: 'self.when + self.d > timestamp("2024-01-01T00:30:00Z")' }, { rule: 'size(self.b) == 3' }, { rule: 'self.n > 1.5' },
    { rule: 'self.emb.kind == "Pod" && self.emb.metadata.name == "p"' }] };
  assert.deepEqual(compileMsgs(s), []);
  const obj = { when: '2024-01-01T00:00:00Z', d: '1h', b: 'YWJj', n: 2, emb: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } };
  assert.deepEqual(evalMsgs(s, obj), []);
  assert.deepEqual(evalMsgs(s, { ...obj, d: '10m', n: 1, emb: { kind: 'Pod', metadata: { name: 'q' } } }), [
    '<nil>: Invalid value: failed rule: self.when + self.d > timestamp("2024-01-01T00:30:00Z")',
    '<nil>: Invalid value: failed rule: self.n > 1.5',
    '<nil>: Invalid value: failed rule: self.emb.kind == "Pod" && self.emb.metadata.name == "p"',
  ]);
});

test('evaluate: runtime errors use cel-go wording (index out of bounds, integer overflow)', () => {
  const s: StructuralSchema = { type: 'object', properties: { l: { type: 'array', maxItems: 5, items: { type: 'integer' } }, a: { type: 'integer' } },
    'x-kubernetes-validations': [{ rule: 'self.l[3] == 1' }, { rule: 'self.a + 1 > 0' }] };
  assert.deepEqual(evalMsgs(s, { l: [1], a: 9223372036854775807 }), [
    '<nil>: Invalid value: "object": index out of bounds: 3 evaluating rule: self.l[3] == 1',
    '<nil>: Invalid value: "object": integer overflow evaluating rule: self.a + 1 > 0',
  ]);
});

test('lists library in typed rules: sums of two integer lists (upstream e2e CustomResourceValidationRules), min/max of ints and doubles', () => {
  const ints = { type: 'array', maxItems: 1000, items: { type: 'integer' } } as StructuralSchema;
  const nums = { type: 'array', items: { type: 'number' } } as StructuralSchema;
  const e2eRule = 'self.firstArray.isSorted() && self.secondArray.isSorted() && ((self.firstArray.sum() + self.secondArray.sum()) % 2 == 0)';
  const schema = withRules([{ rule: 'self.x + self.y > 0' }, { rule: e2eRule }, { rule: 'self.largeArray.all(x, self.largeArray.all(y, y == x))' }],
    { x: { type: 'integer' }, y: { type: 'integer' }, firstArray: ints, secondArray: ints, largeArray: { ...ints, maxItems: 725 } });
  assert.deepEqual(compileMsgs(schema), []);
  assert.deepEqual(evalMsgs(schema, { x: 1, y: 0, firstArray: [3, 4], secondArray: [5, 10], largeArray: [2, 2] }), []);
  assert.deepEqual(evalMsgs(schema, { x: 1, y: 0, firstArray: [3, 4], secondArray: [5, 11], largeArray: [2, 2] }), [`<nil>: Invalid value: failed rule: ${e2eRule}`]);
  const mixed = (rule: string) => withRules([{ rule }], { i: ints, d: nums });
  const obj = { i: [4, 1], d: [0.5, 2.5] };
  for (const rule of ['self.i.min() + self.i.max() == 5', 'self.d.min() + self.d.max() == 3.0', 'self.i.sum() + self.i.sum() == 10', 'self.d.sum() + self.d.sum() == 6.0', 'self.d.min() < self.d.max()']) {
    assert.deepEqual(compileMsgs(mixed(rule)), [], rule);
    assert.deepEqual(evalMsgs(mixed(rule), obj), [], rule);
  }
  assert.match(compileMsgs(mixed('self.i.sum() + self.d.sum() > 0.0'))[0], /found no matching overload for '_\+_' applied to '\(int, double\)'/);
  assert.match(compileMsgs(mixed('self.d.max() + "x" == "y"'))[0], /found no matching overload for '_\+_' applied to '\(double, string\)'/);
});
