// Custom objects through their CRD's schema on every write path: pruning per fieldValidation, value
// validation with upstream's wording, defaults on write and read, CEL rules (message,
// messageExpression, fieldPath, transition rules, ratcheting), the status subresource; and CRDs whose
// schema or rules upstream refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const G = 'val.example.com';
const BASE = `/apis/${G}/v1/namespaces/default/widgets`;

async function until<T>(fn: () => Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', required: ['size'],
      'x-kubernetes-validations': [
        { rule: 'self.minReplicas <= self.replicas', message: 'replicas must be at least minReplicas', fieldPath: '.replicas' },
        { rule: 'self.size != 13', messageExpression: '"size " + string(self.size) + " is unlucky"', reason: 'FieldValueForbidden' },
      ],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 100 },
        color: { type: 'string', enum: ['red', 'green', 'blue'], default: 'red' },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 10 },
        replicas: { type: 'integer', default: 1 },
        minReplicas: { type: 'integer', default: 0 },
        mode: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }] },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
        legacy: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.startsWith("ok")', message: 'legacy must start with ok' }] },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string', enum: ['Ready', 'Pending'] }, replicas: { type: 'integer' } } },
  },
};

export function crd(schema: unknown = SCHEMA, group = G) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group, scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } }],
    },
  };
}

const w = (name: string, spec: Record<string, unknown>) => ({ apiVersion: `${G}/v1`, kind: 'Widget', metadata: { name }, spec });
const warnings = (res: any): string[] => {
  const h = res.headers.warning;
  return (Array.isArray(h) ? h : h ? String(h).split(/,(?=\s*299)/) : []).map((x: string) => JSON.parse(x.trim().replace(/^299 - /, '')));
};

describe('custom objects through their schema', { timeout: 60_000 }, () => {
  before(async () => {
    const res = await f.api.post(CRDS).send(crd());
    assert.equal(res.status, 201, res.text);
    await until(async () => (await f.api.get(`/apis/${G}/v1`)).status === 200);
  });

  test('unknown fields: pruned (Ignore), pruned with warnings (Warn, the default), refused (Strict)', async () => {
    let res = await f.api.post(`${BASE}?fieldValidation=Ignore`).send(w('u1', { size: 2, sizee: 3 }));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.spec.sizee, undefined);
    assert.deepEqual(warnings(res), []);
    res = await f.api.post(BASE).send({ ...w('u2', { size: 2, sizee: 3 }), top: 1, metadata: { name: 'u2', bogus: 1 } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.spec.sizee, undefined);
    assert.equal(res.body.top, undefined);
    assert.equal(res.body.metadata.bogus, undefined);
    assert.deepEqual(warnings(res).sort(), ['unknown field "metadata.bogus"', 'unknown field "spec.sizee"', 'unknown field "top"']);
    res = await f.api.post(`${BASE}?fieldValidation=Strict`).send(w('u3', { size: 2, sizee: 3 }));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.sizee"');
    // preserve-unknown-fields and embedded resources keep what they should.
    res = await f.api.post(`${BASE}?fieldValidation=Strict`).send(w('u4', { size: 2, extra: { any: { thing: 1 } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'y' } } }));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.spec.extra, { any: { thing: 1 } });
    assert.equal(res.body.spec.template.kind, 'Pod');
    res = await f.api.post(`${BASE}?fieldValidation=Strict`).send(w('u5', { size: 2, template: { apiVersion: 'v1', kind: 'Pod', spec: { y: 1 } } }));
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.message, /unknown field "spec.template.spec.y"/);
  });

  test('YAML bodies: repeated keys per fieldValidation, before unknown fields; the last value kept', async () => {
    const body = (name: string) => `apiVersion: ${G}/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n  size: 1\n  size: 2\n  sizee: 3\n`;
    let res = await f.api.post(`${BASE}?fieldValidation=Strict`).set('Content-Type', 'application/yaml').send(body('yd1'));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: yaml: unmarshal errors:\n  line 7: key "size" already set in map, unknown field "spec.sizee"');
    res = await f.api.post(BASE).set('Content-Type', 'application/yaml').send(body('yd1'));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(warnings(res), ['line 7: key "size" already set in map', 'unknown field "spec.sizee"']);
    assert.equal(res.body.spec.size, 2);
    res = await f.api.post(`${BASE}?fieldValidation=Ignore`).set('Content-Type', 'application/yaml').send(body('yd2'));
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(warnings(res), []);
  });

  test('unknown fields in merge and JSON patches, per fieldValidation', async () => {
    await f.api.post(BASE).send(w('p1', { size: 2 }));
    let res = await f.api.patch(`${BASE}/p1?fieldValidation=Strict`).set('Content-Type', 'application/merge-patch+json').send({ spec: { sizee: 1 } });
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /strict decoding error: unknown field "spec.sizee"/);
    res = await f.api.patch(`${BASE}/p1`).set('Content-Type', 'application/json-patch+json').send([{ op: 'add', path: '/spec/foo', value: 1 }]);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.spec.foo, undefined);
    assert.deepEqual(warnings(res), ['unknown field "spec.foo"']);
    res = await f.api.patch(`${BASE}/p1`).set('Content-Type', 'application/strategic-merge-patch+json').send({ spec: { size: 3 } });
    assert.equal(res.status, 415, res.text);
  });

  test('wrong types, enum, pattern, min/max and required: 422 with upstream wording', async () => {
    let res = await f.api.post(BASE).send(w('t1', { size: 'string' }));
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, `Widget.${G} "t1" is invalid: [spec.size: Invalid value: "string": spec.size in body must be of type integer: "string", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]`);
    assert.equal(res.body.details.causes[0].field, 'spec.size');
    res = await f.api.post(BASE).send(w('t2', { size: 0, color: 'pink', name: 'ABC' }));
    assert.equal(res.status, 422, res.text);
    const m = res.body.message as string;
    assert.match(m, /spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1/);
    assert.match(m, /spec.color: Unsupported value: "pink": supported values: "red", "green", "blue"/);
    assert.match(m, /spec.name: Invalid value: "ABC": spec.name in body should match '\^\[a-z\]\+\$'/);
    res = await f.api.post(BASE).send(w('t3', { color: 'red' }));
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec.size: Required value/);
    res = await f.api.post(BASE).send(w('t4', { size: 101 }));
    assert.match(res.body.message, /spec.size in body should be less than or equal to 100/);
    res = await f.api.post(BASE).send({ ...w('t5', {}), spec: 'nope' });
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec: Invalid value: "string": spec in body must be of type object: "string"/);
    assert.equal((await f.api.get(`${BASE}/t1`)).status, 404);
  });

  test('defaults on create, on every patch, and dry-run answers with them', async () => {
    let res = await f.api.post(BASE).send(w('d1', { size: 2 }));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.spec.color, 'red');
    assert.equal(res.body.spec.replicas, 1);
    res = await f.api.patch(`${BASE}/d1`).set('Content-Type', 'application/merge-patch+json').send({ spec: { color: null } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.spec.color, 'red');
    res = await f.api.post(`${BASE}?dryRun=All`).send(w('d2', { size: 3 }));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.spec.color, 'red');
    assert.equal((await f.api.get(`${BASE}/d2`)).status, 404);
  });

  test('CEL rules: message with fieldPath, messageExpression with reason', async () => {
    let res = await f.api.post(BASE).send(w('c1', { size: 2, replicas: 1, minReplicas: 3 }));
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, `Widget.${G} "c1" is invalid: spec.replicas: Invalid value: replicas must be at least minReplicas`);
    res = await f.api.post(BASE).send(w('c2', { size: 13 }));
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, `Widget.${G} "c2" is invalid: spec: Forbidden: size 13 is unlucky`);
    assert.equal(res.body.details.causes[0].reason, 'FieldValueForbidden');
  });

  test('a transition rule with oldSelf holds on update; server-side apply goes through the same checks', async () => {
    let res = await f.api.post(BASE).send(w('c3', { size: 2, mode: 'a' }));
    assert.equal(res.status, 201, res.text);
    res = await f.api.patch(`${BASE}/c3`).set('Content-Type', 'application/merge-patch+json').send({ spec: { mode: 'b' } });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, `Widget.${G} "c3" is invalid: spec.mode: Invalid value: "b": mode is immutable`);
    res = await f.api.patch(`${BASE}/c3?fieldManager=me&force=true`).set('Content-Type', 'application/apply-patch+yaml').send(JSON.stringify(w('c3', { size: 2, mode: 'c' })));
    assert.equal(res.status, 422, res.text);
    res = await f.api.patch(`${BASE}/c3?fieldManager=me&force=true`).set('Content-Type', 'application/apply-patch+yaml').send(JSON.stringify(w('c3', { size: 5, sizee: 1 })));
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.message, /\.spec\.sizee: field not declared in schema/);
    res = await f.api.patch(`${BASE}/c3?fieldManager=me&force=true`).set('Content-Type', 'application/apply-patch+yaml').send(JSON.stringify(w('c3', { size: 5, mode: 'a' })));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.spec.size, 5);
    assert.equal(res.body.spec.color, 'red');
  });

  test('ratcheting: an invalid value stored before a rule existed may stay, with a warning', async () => {
    // Stored while the rule did not hold (the schema allows it), then updated elsewhere.
    let res = await f.api.post(BASE).send(w('r1', { size: 2, legacy: 'bad' }));
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec.legacy: Invalid value: "bad": legacy must start with ok/);
    // Ratcheting of schema validation: tighten a bound after the object exists.
    res = await f.api.post(BASE).send(w('r2', { size: 50, legacy: 'ok' }));
    assert.equal(res.status, 201, res.text);
    const tighter = structuredClone(SCHEMA) as any;
    tighter.properties.spec.properties.size.maximum = 10;
    tighter.properties.spec.properties.legacy['x-kubernetes-validations'][0].rule = 'self.startsWith("okay")';
    const cur = (await f.api.get(`${CRDS}/widgets.${G}`)).body;
    cur.spec.versions[0].schema.openAPIV3Schema = tighter;
    res = await f.api.put(`${CRDS}/widgets.${G}`).send(cur);
    assert.equal(res.status, 200, res.text);
    await until(async () => {
      const r = await f.api.post(`${BASE}?dryRun=All`).send(w('probe', { size: 50 }));
      return r.status === 422;
    });
    res = await f.api.patch(`${BASE}/r2`).set('Content-Type', 'application/merge-patch+json').send({ spec: { color: 'blue' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(warnings(res), ['spec.legacy: Invalid value: "ok": legacy must start with ok']);
    res = await f.api.patch(`${BASE}/r2`).set('Content-Type', 'application/merge-patch+json').send({ spec: { size: 60 } });
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec.size in body should be less than or equal to 10/);
    // Put the schema back for the other tests.
    const again = (await f.api.get(`${CRDS}/widgets.${G}`)).body;
    again.spec.versions[0].schema.openAPIV3Schema = SCHEMA;
    assert.equal((await f.api.put(`${CRDS}/widgets.${G}`).send(again)).status, 200);
    await until(async () => (await f.api.post(`${BASE}?dryRun=All`).send(w('probe', { size: 50 }))).status === 201);
  });

  test('the status subresource validates status (paths under status) and runs CEL on the object', async () => {
    await f.api.post(BASE).send(w('s1', { size: 2 }));
    let res = await f.api.put(`${BASE}/s1/status`).send({ ...w('s1', { size: 2 }), status: { phase: 'Gone' } });
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /status.phase: Unsupported value: "Gone": supported values: "Ready", "Pending"/);
    res = await f.api.patch(`${BASE}/s1/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { replicas: 'x' } });
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /status.replicas: Invalid value: "string": replicas in body must be of type integer: "string"/);
    res = await f.api.patch(`${BASE}/s1/status?fieldValidation=Strict`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'Ready', bogus: 1 } });
    assert.equal(res.status, 422, res.text);
    res = await f.api.patch(`${BASE}/s1/status`).set('Content-Type', 'application/merge-patch+json').send({ status: { phase: 'Ready' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status.phase, 'Ready');
  });

  test('the scale subresource writes through the same checks (CEL rule on the new replicas)', async () => {
    await f.api.post(BASE).send(w('sc1', { size: 2, replicas: 3, minReplicas: 2 }));
    let res = await f.api.put(`${BASE}/sc1/scale`).send({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'sc1', namespace: 'default' }, spec: { replicas: 1 } });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.message, `Widget.${G} "sc1" is invalid: spec.replicas: Invalid value: replicas must be at least minReplicas`);
    res = await f.api.patch(`${BASE}/sc1/scale`).set('Content-Type', 'application/merge-patch+json').send({ spec: { replicas: 4 } });
    assert.equal(res.status, 200, res.text);
    assert.equal((await f.api.get(`${BASE}/sc1`)).body.spec.replicas, 4);
  });

  test('defaults on read: objects stored before a default existed are served with it', async () => {
    await f.api.post(BASE).send(w('rd1', { size: 2 }));
    const withDefault = structuredClone(SCHEMA) as any;
    withDefault.properties.spec.properties.shape = { type: 'string', default: 'round' };
    const cur = (await f.api.get(`${CRDS}/widgets.${G}`)).body;
    cur.spec.versions[0].schema.openAPIV3Schema = withDefault;
    assert.equal((await f.api.put(`${CRDS}/widgets.${G}`).send(cur)).status, 200);
    const got = await until(async () => { const b = (await f.api.get(`${BASE}/rd1`)).body; return b.spec.shape && b; });
    assert.equal(got.spec.shape, 'round');
    const list = (await f.api.get(BASE)).body;
    assert.equal(list.items.find((i: any) => i.metadata.name === 'rd1').spec.shape, 'round');
    const watched = await f.api.get(`${BASE}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3Drd1`).buffer(true)
      .parse((r, cb) => { let b = ''; r.setEncoding('utf8'); r.on('data', (c: string) => { b += c; }); r.on('end', () => cb(null, b)); });
    const first = JSON.parse(String(watched.body).split('\n')[0]);
    assert.deepEqual([first.type, first.object.spec.shape], ['ADDED', 'round']);
    const again = (await f.api.get(`${CRDS}/widgets.${G}`)).body;
    again.spec.versions[0].schema.openAPIV3Schema = SCHEMA;
    assert.equal((await f.api.put(`${CRDS}/widgets.${G}`).send(again)).status, 200);
  });

  test('malformed and oversized values are refused with a Status, never stored', async () => {
    let res = await f.api.post(BASE).set('Content-Type', 'application/json').send('{"apiVersion":"val.example.com/v1","kind":"Widget","metadata":{"name":"m1"},"spec":{"size":');
    assert.equal(res.status, 400, res.text);
    res = await f.api.post(BASE).send(w('m2', { size: 2, name: 'x'.repeat(1000) }));
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec.name: Too long: may not be (more than|longer than) 10/);
    res = await f.api.post(BASE).send(w('m3', { size: 2, replicas: 1.5 }));
    assert.equal(res.status, 422, res.text);
    for (const metadata of [{ name: 'm5', labels: 5 }, { name: 'm6', annotations: { a: 1 } }, { name: 7 }]) {
      res = await f.api.post(BASE).send({ ...w('m5', { size: 2 }), metadata });
      assert.ok(res.status === 400 || res.status === 422, `${JSON.stringify(metadata)}: ${res.status} ${res.text}`);
      assert.equal(res.body.kind, 'Status');
    }
    res = await f.api.post(BASE).send({ ...w('m7', { size: 2 }), metadata: 'x' });
    assert.ok(res.status === 400 || res.status === 422, res.text);
    let deep: any = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    res = await f.api.post(BASE).send(w('m8', { size: 2, extra: deep }));
    assert.ok([201, 400, 422].includes(res.status), res.text.slice(0, 300));
    res = await f.api.post(BASE).send(w('m9', { size: 2, labels: Object.fromEntries(Array.from({ length: 20000 }, (_, i) => [`k${i}`, 'v'])) }));
    assert.equal(res.status, 201, res.text.slice(0, 300));
    assert.equal(res.body.spec.labels, undefined, 'an undeclared map is pruned whatever its size');
    res = await f.api.post(BASE).send({ ...w('m4', { size: 2 }), constructor: 1, __proto__: 2 });
    assert.equal(res.status, 201, res.text);
    assert.equal(Object.hasOwn(res.body, 'constructor'), false);
  });
});

describe('CRDs whose schema upstream refuses', { timeout: 30_000 }, () => {
  test('a CEL rule that does not compile', async () => {
    const schema = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.nope ==' }], properties: { a: { type: 'string' } } } } };
    const res = await f.api.post(CRDS).send(crd(schema, 'badcel.example.com'));
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /^CustomResourceDefinition.apiextensions.k8s.io "widgets.badcel.example.com" is invalid: spec.validation.openAPIV3Schema.properties\[spec\].x-kubernetes-validations\[0\].rule: Invalid value: apiextensions.ValidationRule\{Rule:"self.nope ==", .*compilation failed: ERROR: <input>:1:1?\d?:/);
  });

  test('a rule that does not evaluate to bool, and oldSelf under an uncorrelatable list', async () => {
    const schema = { type: 'object', properties: { spec: { type: 'object', properties: {
      a: { type: 'string', maxLength: 10, 'x-kubernetes-validations': [{ rule: 'self + "x"' }] },
      l: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 10, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } },
    } } } };
    const res = await f.api.post(CRDS).send(crd(schema, 'badcel2.example.com'));
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /properties\[a\].x-kubernetes-validations\[0\].rule: Invalid value: .*cel expression must evaluate to a bool/);
    assert.match(res.body.message, /properties\[l\].items.x-kubernetes-validations\[0\].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within spec.validation.openAPIV3Schema.properties\[spec\].properties\[l\]\]$/);
  });

  test('a non-structural schema', async () => {
    const schema = { type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } };
    const res = await f.api.post(CRDS).send(crd(schema, 'nonstruct.example.com'));
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec.validation.openAPIV3Schema.properties\[spec\].type: Required value: must not be empty for specified object fields/);
  });

  test('a rule with an empty message and a bad fieldPath (shape checks, reported once)', async () => {
    const schema = { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'true', message: ' ' }, { rule: 'true', fieldPath: '.nope' }], properties: { a: { type: 'string' } } } } };
    const res = await f.api.post(CRDS).send(crd(schema, 'shape.example.com'));
    assert.equal(res.status, 422, res.text);
    const causes = res.body.details.causes.map((c: any) => `${c.field}: ${c.message}`);
    assert.deepEqual(causes, [
      'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].message: Invalid value: " ": message must be non-empty if specified',
      'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[1].fieldPath: Invalid value: ".nope": fieldPath must be a valid path',
    ]);
  });
});

describe('several versions', { timeout: 30_000 }, () => {
  test('an object written in a version other than the storage version is checked by its own version\'s schema', async () => {
    const G2 = 'multi.example.com';
    const v = (name: string, storage: boolean, max: number, extra: Record<string, unknown> = {}) => ({
      name, served: true, storage,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', maximum: max, default: 1 }, ...extra } } } } },
    });
    const def = crd(undefined, G2) as any;
    def.spec.versions = [v('v1alpha1', false, 5, { old: { type: 'string' } }), v('v1', true, 100)];
    assert.equal((await f.api.post(CRDS).send(def)).status, 201);
    const base = (ver: string) => `/apis/${G2}/${ver}/namespaces/default/widgets`;
    await until(async () => (await f.api.get(base('v1alpha1'))).status === 200);
    const o = (ver: string, name: string, spec: unknown) => ({ apiVersion: `${G2}/${ver}`, kind: 'Widget', metadata: { name }, spec });
    let res = await f.api.post(base('v1alpha1')).send(o('v1alpha1', 'a', { size: 10 }));
    assert.equal(res.status, 422, res.text);
    assert.match(res.body.message, /spec.size in body should be less than or equal to 5/);
    res = await f.api.post(`${base('v1alpha1')}?fieldValidation=Strict`).send(o('v1alpha1', 'a', { size: 3, old: 'kept' }));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.apiVersion, `${G2}/v1alpha1`);
    assert.equal(res.body.spec.old, 'kept');
    res = await f.api.post(`${base('v1')}?fieldValidation=Strict`).send(o('v1', 'b', { size: 50, old: 'x' }));
    assert.equal(res.status, 400, res.text);
    res = await f.api.post(base('v1')).send(o('v1', 'b', { size: 50 }));
    assert.equal(res.status, 201, res.text);
    res = await f.api.patch(`${base('v1alpha1')}/b`).set('Content-Type', 'application/merge-patch+json').send({ spec: { size: 40 } });
    assert.equal(res.status, 422, res.text, 'the v1alpha1 bound applies to writes through v1alpha1');
    res = await f.api.post(base('v1alpha1')).send(o('v1alpha1', 'c', {}));
    assert.equal(res.body.spec.size, 1, 'defaults of the requested version');
  });
});
