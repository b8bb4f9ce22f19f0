// The schema engine: pruning, JSON type checks, apimachinery special types, depth and prototype keys,
// for built-in schemas (Go semantics and wording) and hand-written CR-style schemas.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodeThroughSchema } from '../../src/schema/decode.ts';
import { builtinComponent, builtinSchema } from '../../src/schema/builtin.ts';
import { normaliseSpecial } from '../../src/schema/special.ts';
import type { StructuralSchema } from '../../src/schema/types.ts';

const deployment = () => builtinSchema('apps', 'v1', 'Deployment')!;

describe('built-in schemas', () => {
  test('every served kind with an upstream definition has a schema; unknown kinds have none', () => {
    for (const [g, v, k] of [['', 'v1', 'Pod'], ['', 'v1', 'ConfigMap'], ['apps', 'v1', 'Deployment'], ['batch', 'v1', 'CronJob'],
      ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'], ['rbac.authorization.k8s.io', 'v1', 'ClusterRole']]) {
      const s = builtinSchema(g, v, k);
      assert.ok(s?.properties?.metadata, `${g}/${v}/${k}`);
    }
    assert.equal(builtinSchema('apps', 'v1', 'Nope'), undefined);
    assert.equal(builtinSchema('example.com', 'v1', 'Widget'), undefined);
    assert.ok(builtinComponent('apps', 'v1', 'io.k8s.api.autoscaling.v1.Scale')?.properties?.spec);
  });

  test('schemas carry Go type names and special types', () => {
    const s = deployment();
    assert.equal(s.goStruct, 'Deployment');
    assert.equal(s.properties!.metadata.goType, 'v1.ObjectMeta');
    assert.equal(s.properties!.spec.properties!.replicas.goType, 'int32');
    assert.equal(s.properties!.spec.properties!.strategy.properties!.rollingUpdate.properties!.maxSurge.special, 'IntOrString');
    assert.equal(s.properties!.metadata.properties!.creationTimestamp.special, 'Time');
  });

  test('recursive definitions (JSONSchemaProps) become a cycle, and data of any depth still decodes', () => {
    const crd = builtinSchema('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition')!;
    const props = crd.properties!.spec.properties!.versions.items!.properties!.schema.properties!.openAPIV3Schema;
    assert.equal(props.properties!.properties.additionalProperties, props);
    let inner: any = { type: 'string' };
    for (let i = 0; i < 3000; i++) inner = { type: 'object', properties: { a: inner }, bogus: 1 };
    const obj = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: inner } }] } };
    const r = decodeThroughSchema(obj, crd, { mode: 'Strict' });
    assert.equal(r.typeErrors.length, 0);
    assert.equal(r.unknown.length, 1000); // bounded reports; every one pruned
    let n = 0;
    for (let x: any = obj.spec.versions[0].schema.openAPIV3Schema; x.properties; x = x.properties.a) { assert.equal(x.bogus, undefined); n++; }
    assert.equal(n, 3000);
  });
});

describe('pruning', () => {
  test('unknown fields are removed and reported in document order with list indices', () => {
    const obj: any = { spec: { replicass: 2, template: { spec: { containers: [{ name: 'a', imagee: 'x' }, { name: 'b' }] } } }, zzz: 1 };
    const r = decodeThroughSchema(obj, deployment(), { mode: 'Warn' });
    assert.deepEqual(r.unknown, ['spec.replicass', 'spec.template.spec.containers[0].imagee', 'zzz']);
    assert.deepEqual(r.obj, { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } } });
  });

  test('maps keep every key; preserve-unknown-fields and RawExtension keep everything', () => {
    const obj: any = { metadata: { labels: { a: 'b' }, annotations: { x: 'y' } }, data: { anything: { goes: [1, { deep: true }] } }, revision: 1 };
    const r = decodeThroughSchema(obj, builtinSchema('apps', 'v1', 'ControllerRevision')!, { mode: 'Strict' });
    assert.deepEqual(r.unknown, []);
    assert.deepEqual(r.obj.data, { anything: { goes: [1, { deep: true }] } });
  });

  test('prototype-named keys are ordinary data', () => {
    const obj = JSON.parse('{"__proto__":{"polluted":1},"constructor":1,"prototype":2,"metadata":{"labels":{"__proto__":"a","constructor":"b","hasOwnProperty":"c"}}}');
    const r = decodeThroughSchema(obj, builtinSchema('', 'v1', 'ConfigMap')!, { mode: 'Strict' });
    assert.deepEqual(r.unknown, ['__proto__', 'constructor', 'prototype']);
    assert.equal(Object.getPrototypeOf(r.obj), Object.prototype);
    assert.equal(({} as any).polluted, undefined);
    assert.deepEqual(Object.keys(r.obj.metadata.labels), ['__proto__', 'constructor', 'hasOwnProperty']);
    assert.equal(r.typeErrors.length, 0);
  });

  test('a quantity under a `__proto__` map key is normalised as an own property', () => {
    const obj = JSON.parse('{"spec":{"hard":{"__proto__":"1000m"}}}');
    const r = decodeThroughSchema(obj, builtinSchema('', 'v1', 'ResourceQuota')!, { mode: 'Strict' });
    assert.equal(Object.getOwnPropertyDescriptor(r.obj.spec.hard, '__proto__')?.value, '1');
    assert.equal(Object.getPrototypeOf(r.obj.spec.hard), Object.prototype);
  });

  test('10,000-deep data is walked without recursion', () => {
    let deep: any = 'leaf';
    for (let i = 0; i < 10000; i++) deep = { x: deep };
    const schema: StructuralSchema = { type: 'object', properties: {} };
    let s = schema;
    for (let i = 0; i < 10000; i++) { const child: StructuralSchema = { type: 'object', properties: {} }; s.properties!.x = child; s = child; }
    s.type = 'string'; delete s.properties;
    const r = decodeThroughSchema(deep, schema, { mode: 'Strict' });
    assert.deepEqual(r.typeErrors, []);
    const bad = decodeThroughSchema(deep, { type: 'object', properties: { x: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } } } } }, { mode: 'Strict' });
    assert.equal(bad.typeErrors.length, 1);
  });
});

describe('type errors', () => {
  const cases: [string, any, string, string][] = [
    ['string field given a number', { metadata: { name: 5 } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string', 'cannot convert int64 to string'],
    ['string field given a float', { metadata: { name: 1.5 } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string', 'unrecognized type: string'],
    ['int32 given a fraction', { spec: { replicas: 1.5 } }, 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32', 'cannot convert float64 to int32'],
    ['int32 out of range', { spec: { replicas: 3000000000 } }, 'json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32', 'unrecognized type: int32'],
    ['bool given a string', { spec: { paused: 'yes' } }, 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool', 'unrecognized type: bool'],
    ['list given a number', { spec: { selector: { matchExpressions: 7 } } }, 'json: cannot unmarshal number into Go struct field LabelSelector.spec.selector.matchExpressions of type []v1.LabelSelectorRequirement', 'cannot restore slice from int64'],
    ['struct given a list', { metadata: [1] }, 'json: cannot unmarshal array into Go struct field Deployment.metadata of type v1.ObjectMeta', 'cannot restore struct from: slice'],
    ['map given a string', { metadata: { labels: 'a=b' } }, 'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string', 'cannot restore map from string'],
    ['map value given an object', { metadata: { labels: { a: {} } } }, 'json: cannot unmarshal object into Go struct field ObjectMeta.metadata.labels of type string', 'unrecognized type: string'],
    ['element of a list of structs', { spec: { template: { spec: { containers: [{ name: 'a' }, { name: true }] } } } }, 'json: cannot unmarshal bool into Go struct field Container.spec.template.spec.containers.name of type string', 'unrecognized type: string'],
    ['int-or-string given a fraction', { spec: { strategy: { rollingUpdate: { maxSurge: 1.5 } } } }, 'json: cannot unmarshal number 1.5 into Go value of type int32', 'json: cannot unmarshal number 1.5 into Go value of type int32'],
    ['int-or-string given a bool', { spec: { strategy: { rollingUpdate: { maxSurge: true } } } }, 'json: cannot unmarshal bool into Go value of type int32', 'json: cannot unmarshal bool into Go value of type int32'],
    ['time given a number', { metadata: { creationTimestamp: 5 } }, 'json: cannot unmarshal number into Go value of type string', 'json: cannot unmarshal number into Go value of type string'],
  ];
  for (const [what, obj, goMessage, converterMessage] of cases) {
    test(what, () => {
      const r = decodeThroughSchema(obj, deployment(), { mode: 'Strict' });
      assert.equal(r.typeErrors.length, 1, JSON.stringify(r.typeErrors));
      assert.equal(r.typeErrors[0].goMessage, goMessage);
      assert.equal(r.typeErrors[0].converterMessage, converterMessage);
    });
  }

  test('null is a zero value for built-in kinds', () => {
    const r = decodeThroughSchema({ metadata: { name: null, labels: null }, spec: { replicas: null, template: null } }, deployment(), { mode: 'Strict' });
    assert.deepEqual(r.typeErrors, []);
  });

  test('CR-style schemas: JSON-schema types, nullable, int-or-string, embedded resources, no Go wording', () => {
    const schema: StructuralSchema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            x: { type: 'string' }, n: { type: 'integer' }, f: { type: 'number' }, maybe: { type: 'string', nullable: true },
            port: { 'x-kubernetes-int-or-string': true },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'boolean' } } },
            embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
            empty: { type: 'object' },
          },
        },
      },
    };
    const r = decodeThroughSchema({
      spec: { x: 5, n: 1.5, f: 2, maybe: null, port: '80', free: { anything: 1, known: 'no' }, embedded: { apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, spec: { dropped: 1 }, other: 1 }, empty: { gone: 1 } },
      bogus: 1,
    }, schema, { mode: 'Strict' });
    assert.deepEqual(r.typeErrors.map((e) => [e.path, e.expected, e.got, e.goMessage]), [
      ['spec.x', 'string', 'integer', undefined], ['spec.n', 'integer', 'number', undefined], ['spec.free.known', 'boolean', 'string', undefined],
    ]);
    assert.deepEqual(r.unknown, ['spec.embedded.spec.dropped', 'spec.embedded.other', 'spec.empty.gone', 'bogus']);
    assert.deepEqual(r.obj.spec.free, { anything: 1, known: 'no' });
    assert.deepEqual(r.obj.spec.embedded, { apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, spec: {} });
    // Non-nullable nulls: dropped from objects (kept when a default will fill them), type errors in lists.
    const nul = decodeThroughSchema({ spec: { x: null, maybe: null } }, schema, { mode: 'Strict' });
    assert.deepEqual(nul.typeErrors, []);
    assert.deepEqual(nul.obj, { spec: { maybe: null } });
    const withDefault: StructuralSchema = { type: 'object', properties: { a: { type: 'string', default: 'd' }, l: { type: 'array', items: { type: 'string' } } } };
    const d = decodeThroughSchema({ a: null, l: ['x', null] }, withDefault, { mode: 'Strict' });
    assert.deepEqual(d.obj.a, null);
    assert.deepEqual(d.typeErrors.map((e) => [e.path, e.expected, e.got]), [['l[1]', 'string', 'null']]);
  });
});

describe('special types', () => {
  test('quantities are stored in canonical form', () => {
    for (const [input, out] of [['1000m', '1'], ['0.5', '500m'], [0.5, '500m'], [2, '2'], ['1e3', '1e3'], [1000, '1k'], ['1024Mi', '1Gi'], ['100Mi', '100Mi'], [' 1 ', '1'], ['1.5Gi', '1536Mi']] as const) {
      assert.deepEqual(normaliseSpecial('Quantity', input), { value: out }, String(input));
    }
    assert.deepEqual(normaliseSpecial('Quantity', '1e99999999999'), { value: '1e99999999999' }); // kept as written
    for (const bad of ['', 'lots', true, {}, [], '1e9999999999x']) assert.match(String(normaliseSpecial('Quantity', bad).error), /quantities must match|suffix|numeric/, JSON.stringify(bad));
    const r = decodeThroughSchema({ spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1000m', memory: 0.5 } } }] } }, builtinSchema('', 'v1', 'Pod')!, { mode: 'Strict' });
    assert.deepEqual(r.obj.spec.containers[0].resources.limits, { cpu: '1', memory: '500m' });
  });

  test('int-or-string', () => {
    assert.deepEqual(normaliseSpecial('IntOrString', 80), { value: 80 });
    assert.deepEqual(normaliseSpecial('IntOrString', '25%'), { value: '25%' });
    assert.equal(normaliseSpecial('IntOrString', 2 ** 31).error, 'json: cannot unmarshal number 2147483648 into Go value of type int32');
    assert.equal(normaliseSpecial('IntOrString', [1]).error, 'json: cannot unmarshal array into Go value of type int32');
  });

  test('times: RFC 3339 in, UTC with second (Time) or microsecond (MicroTime) precision out', () => {
    assert.deepEqual(normaliseSpecial('Time', '2024-01-02T03:04:05.999+01:30'), { value: '2024-01-02T01:34:05Z' });
    assert.deepEqual(normaliseSpecial('Time', '2024-12-31T23:59:59-01:00'), { value: '2025-01-01T00:59:59Z' });
    assert.deepEqual(normaliseSpecial('Time', '0001-01-01T00:00:00Z'), { value: '0001-01-01T00:00:00Z' });
    assert.deepEqual(normaliseSpecial('MicroTime', '2024-01-02T03:04:05.1234567Z'), { value: '2024-01-02T03:04:05.123456Z' });
    assert.deepEqual(normaliseSpecial('MicroTime', '2024-01-02T03:04:05Z'), { value: '2024-01-02T03:04:05.000000Z' });
    for (const bad of ['yesterday', '2024-02-30T00:00:00Z', '2024-01-02T24:00:00Z', '2024-01-02 03:04:05Z', '']) {
      assert.match(String(normaliseSpecial('Time', bad).error), /^parsing time /, bad);
    }
  });

  test('durations are printed as Go prints them', () => {
    assert.deepEqual(normaliseSpecial('Duration', '90s'), { value: '1m30s' });
    assert.deepEqual(normaliseSpecial('Duration', '1h'), { value: '1h0m0s' });
    assert.deepEqual(normaliseSpecial('Duration', '1.5ms'), { value: '1.5ms' });
    assert.equal(normaliseSpecial('Duration', 'soon').error, 'time: invalid duration "soon"');
  });
});
