// Every write path of a built-in kind goes through the kind's structural schema: unknown fields are
// dropped (Ignore), dropped with a Warning (Warn, the default) or refused (Strict) with upstream's
// wording; wrongly typed values are refused and never stored; quantities and times are normalised.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, deployment, pod, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';
import { encodeEnvelope } from '../../src/protobuf/index.ts';

let f: Fixture;
let ns: string;
before(async () => { f = await startFixture(); ns = await f.ns('typed'); });
after(async () => { await f.stop(); });

const deps = () => `/apis/apps/v1/namespaces/${ns}/deployments`;
const MERGE = 'application/merge-patch+json';
const JSONPATCH = 'application/json-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';

function warnings(res: { headers: Record<string, any> }): string[] {
  const w = res.headers.warning;
  if (!w) return [];
  return String(w).split(/,\s*(?=299 )/);
}

async function createDeployment(name: string): Promise<any> {
  const res = await f.api.post(deps()).send(deployment(name));
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function stored(name: string): Promise<any> {
  const res = await f.api.get(`${deps()}/${name}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

describe('create and update bodies', () => {
  test('unknown fields: Warn (default) drops them with one Warning each', async () => {
    const body = deployment('warn1');
    (body.spec as any).replicass = 2;
    (body.spec.template.spec.containers[0] as any).imagee = 'x';
    const res = await f.api.post(deps()).send(body);
    assert.equal(res.status, 201, res.text);
    // In document order: the fixture's spec has template before the added replicass.
    assert.deepEqual(warnings(res), ['299 - "unknown field \\"spec.template.spec.containers[0].imagee\\""', '299 - "unknown field \\"spec.replicass\\""']);
    const got = await stored('warn1');
    assert.equal(got.spec.replicass, undefined);
    assert.equal(got.spec.template.spec.containers[0].imagee, undefined);
  });

  test('unknown fields: Ignore drops them silently', async () => {
    const body = deployment('ign1');
    (body.spec as any).replicass = 2;
    const res = await f.api.post(`${deps()}?fieldValidation=Ignore`).send(body);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.warning, undefined);
    assert.equal((await stored('ign1')).spec.replicass, undefined);
  });

  test('unknown fields: Strict refuses with the strict decoding error', async () => {
    const body = deployment('strict1');
    (body.spec as any).replicass = 2;
    const res = await f.api.post(`${deps()}?fieldValidation=Strict`).send(body);
    const st = assertStatus(res, 400, 'BadRequest');
    assert.equal(st.message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass"');
    assert.equal((await f.api.get(`${deps()}/strict1`)).status, 404);
  });

  test('Strict also refuses on dry-run, and reports duplicate keys of a JSON body', async () => {
    const text = JSON.stringify(deployment('dup1')).replace('"replicas":1', '"replicas":1,"replicas":2');
    const res = await f.api.post(`${deps()}?fieldValidation=Strict&dryRun=All`).set('Content-Type', 'application/json').send(text);
    assert.match(assertStatus(res, 400).message, /strict decoding error: duplicate field "spec.replicas"$/);
  });

  test('a number where a string belongs is refused with encoding/json\'s wording', async () => {
    const body: any = deployment('typed1');
    body.metadata.name = 5;
    const res = await f.api.post(deps()).send(body);
    assert.equal(assertStatus(res, 400, 'BadRequest').message,
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string');
  });

  const badTypes: [string, (b: any) => void, RegExp][] = [
    ['metadata.managedFields: 1', (b) => { b.metadata.managedFields = 1; }, /cannot unmarshal number into Go struct field ObjectMeta.metadata.managedFields of type \[\]v1.ManagedFieldsEntry/],
    ['metadata.selfLink: 1.5', (b) => { b.metadata.selfLink = 1.5; }, /cannot unmarshal number into Go struct field ObjectMeta.metadata.selfLink of type string/],
    ['spec.selector.matchExpressions: 7', (b) => { b.spec.selector.matchExpressions = 7; }, /Go struct field LabelSelector.spec.selector.matchExpressions of type \[\]v1.LabelSelectorRequirement/],
    ['spec.replicas: 1.5', (b) => { b.spec.replicas = 1.5; }, /cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32/],
    ['containerPort as a string', (b) => { b.spec.template.spec.containers[0].ports = [{ containerPort: '80' }]; }, /unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32/],
    ['metadata as a list', (b) => { b.metadata = [1]; }, /cannot unmarshal array into Go struct field Deployment.metadata of type v1.ObjectMeta/],
    ['a bad quantity', (b) => { b.spec.template.spec.containers[0].resources = { limits: { cpu: 'lots' } }; }, /quantities must match the regular expression/],
    ['maxSurge 1.5', (b) => { b.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1.5 } }; }, /cannot unmarshal number 1.5 into Go value of type int32/],
  ];
  for (const [what, mutate, re] of badTypes) {
    test(`wrong type refused, not stored: ${what}`, async () => {
      const name = `bad-${what.replace(/[^a-z0-9]+/gi, '-').toLowerCase().replace(/^-|-$/g, '')}`.slice(0, 60);
      const body: any = deployment(name);
      mutate(body);
      const res = await f.api.post(deps()).send(body);
      assert.match(assertStatus(res, 400, 'BadRequest').message, re);
      assert.equal((await f.api.get(`${deps()}/${name}`)).status, 404);
    });
  }

  test('prototype-named keys are ordinary data: unknown at the top, kept as map keys', async () => {
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto1"},"data":{"__proto__":"x","constructor":"y","prototype":"z"},"constructor":1,"__proto__":{"x":1}}';
    const res = await f.api.post(`${cms}?fieldValidation=Strict`).set('Content-Type', 'application/json').send(text);
    assert.equal(assertStatus(res, 400).message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "constructor", unknown field "__proto__"');
    const ok = await f.api.post(cms).set('Content-Type', 'application/json').send(text);
    assert.equal(ok.status, 201, ok.text);
    assert.equal(warnings(ok).length, 2);
    const got = await f.api.get(`${cms}/proto1`).buffer(true);
    assert.equal(got.status, 200);
    assert.match(got.text, /"data":\{"__proto__":"x","constructor":"y","prototype":"z"\}/);
    assert.doesNotMatch(got.text, /"constructor":1/);
    const typed = await f.api.post(cms).set('Content-Type', 'application/json').send('{"metadata":{"name":"proto2"},"data":{"constructor":{}}}');
    assert.match(assertStatus(typed, 400).message, /cannot unmarshal object into Go struct field ConfigMap.data of type string/);
  });

  test('after refused writes a protobuf list of the namespace still works', async () => {
    const res = await f.api.get(deps()).set('Accept', 'application/vnd.kubernetes.protobuf').buffer(true).parse((r, cb) => { const c: Buffer[] = []; r.on('data', (d: Buffer) => c.push(d)); r.on('end', () => cb(null, Buffer.concat(c))); });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/vnd.kubernetes.protobuf');
  });

  test('quantities and times are stored as upstream serialises them', async () => {
    const p = pod('q1');
    (p.spec.containers[0] as any).resources = { limits: { cpu: '2000m', memory: '1e3' }, requests: { cpu: 0.5, memory: 1000 } };
    const res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send(p);
    assert.equal(res.status, 201, res.text);
    // A quantity keeps its format: "1e3" is DecimalExponent and stays so (the number 1000 is DecimalSI: "1k").
    assert.deepEqual(res.body.spec.containers[0].resources, { limits: { cpu: '2', memory: '1e3' }, requests: { cpu: '500m', memory: '1k' } });
    const ev = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'q1', namespace: ns },
      reason: 'R', message: 'm', type: 'Normal', firstTimestamp: '2024-01-02T03:04:05.987+01:00', lastTimestamp: '2024-01-02T03:04:05Z',
      eventTime: '2024-01-02T03:04:05.1234567+02:00', reportingComponent: 'c', reportingInstance: 'i', action: 'a',
    };
    const e = await f.api.post(`/api/v1/namespaces/${ns}/events`).send(ev);
    assert.equal(e.status, 201, e.text);
    assert.equal(e.body.firstTimestamp, '2024-01-02T02:04:05Z');
    assert.equal(e.body.eventTime, '2024-01-02T01:04:05.123456Z');
    const bad = await f.api.post(`/api/v1/namespaces/${ns}/events`).send({ ...ev, metadata: { name: 'e2' }, lastTimestamp: 'yesterday' });
    assert.match(assertStatus(bad, 400).message, /^Event in version "v1" cannot be handled as a Event: parsing time "yesterday"/);
  });

  test('protobuf bodies go through the same step (quantities normalised)', async () => {
    const p = pod('pb1');
    (p.spec.containers[0] as any).resources = { limits: { cpu: '1500m', memory: '1024Mi' } };
    const body = Buffer.from(encodeEnvelope(p));
    const res = await f.api.post(`/api/v1/namespaces/${ns}/pods?fieldValidation=Strict`).set('Content-Type', 'application/vnd.kubernetes.protobuf').send(body);
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.spec.containers[0].resources.limits, { cpu: '1500m', memory: '1Gi' });
  });

  test('request kinds (reviews) are typed too', async () => {
    const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' }, bogus: 1 } };
    const strict = await f.api.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews?fieldValidation=Strict').send(sar);
    assert.match(assertStatus(strict, 400).message, /strict decoding error: unknown field "spec.bogus"$/);
    const typed = await f.api.post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews').send({ ...sar, spec: { resourceAttributes: { verb: 5 } } });
    assert.match(assertStatus(typed, 400).message, /cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb of type string$/);
  });

  test('update (PUT): Strict refuses unknown fields, Warn drops them', async () => {
    const cur = await createDeployment('upd1');
    cur.spec.replicass = 3;
    const strict = await f.api.put(`${deps()}/upd1?fieldValidation=Strict`).send(cur);
    assert.match(assertStatus(strict, 400).message, /strict decoding error: unknown field "spec.replicass"/);
    const warn = await f.api.put(`${deps()}/upd1`).send(cur);
    assert.equal(warn.status, 200, warn.text);
    assert.equal(warn.body.spec.replicass, undefined);
    assert.equal(warnings(warn).length, 1);
  });

  test('YAML bodies go through the same step', async () => {
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\ndata:\n  a: "1"\nbogus: 1\n`;
    const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`).set('Content-Type', 'application/yaml').send(yaml);
    assert.equal(assertStatus(res, 400).message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
    const typed = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).set('Content-Type', 'application/yaml').send(yaml.replace('a: "1"', 'a: 1'));
    assert.match(assertStatus(typed, 400).message, /cannot unmarshal number into Go struct field ConfigMap.data of type string/);
  });

  test('YAML bodies: repeated keys are a strict decoding error (Strict), one Warning each (Warn) or ignored, the last value kept', async () => {
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    const yaml = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n  a: "2"\nbogus: 1\n`;
    const strict = await f.api.post(`${cms}?fieldValidation=Strict`).set('Content-Type', 'application/yaml').send(yaml('yd1'));
    assert.equal(assertStatus(strict, 400).message,
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 7: key "a" already set in map, unknown field "bogus"');
    const warn = await f.api.post(cms).set('Content-Type', 'application/yaml').send(yaml('yd1'));
    assert.equal(warn.status, 201, warn.text);
    assert.deepEqual(warnings(warn), ['299 - "line 7: key \\"a\\" already set in map"', '299 - "unknown field \\"bogus\\""']);
    assert.equal(warn.body.data.a, '2');
    const cur = warn.body;
    const put = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yd1\n  resourceVersion: "${cur.metadata.resourceVersion}"\ndata:\n  a: "3"\n  a: "4"\n`;
    const strictPut = await f.api.put(`${cms}/yd1?fieldValidation=Strict`).set('Content-Type', 'application/yaml').send(put);
    assert.equal(assertStatus(strictPut, 400).message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 8: key "a" already set in map');
    const ignore = await f.api.put(`${cms}/yd1?fieldValidation=Ignore`).set('Content-Type', 'application/yaml').send(put);
    assert.equal(ignore.status, 200, ignore.text);
    assert.deepEqual(warnings(ignore), []);
    assert.equal(ignore.body.data.a, '4');
    // a JSON body's repeated keys keep their own wording
    const json = await f.api.post(`${cms}?fieldValidation=Strict`).set('Content-Type', 'application/json').send('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"yd2"},"data":{"a":"1","a":"2"}}');
    assert.equal(assertStatus(json, 400).message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.a"');
  });
});

describe('patches: the patched result goes through the schema', () => {
  for (const [ct, body] of [
    [MERGE, { spec: { replicass: 2 } }],
    [JSONPATCH, [{ op: 'add', path: '/spec/replicass', value: 2 }]],
    [SMP, { spec: { replicass: 2 } }],
  ] as const) {
    test(`${ct}: Warn drops, Ignore drops silently, Strict refuses`, async () => {
      const name = `p-${ct.split('/')[1].split('+')[0]}`;
      await createDeployment(name);
      const warn = await f.api.patch(`${deps()}/${name}`).set('Content-Type', ct).send(JSON.stringify(body));
      assert.equal(warn.status, 200, warn.text);
      assert.equal(warn.body.spec.replicass, undefined);
      assert.deepEqual(warnings(warn), ['299 - "unknown field \\"spec.replicass\\""']);
      const ign = await f.api.patch(`${deps()}/${name}?fieldValidation=Ignore`).set('Content-Type', ct).send(JSON.stringify(body));
      assert.equal(ign.status, 200, ign.text);
      assert.equal(ign.headers.warning, undefined);
      const strict = await f.api.patch(`${deps()}/${name}?fieldValidation=Strict`).set('Content-Type', ct).send(JSON.stringify(body));
      const st = assertStatus(strict, 422, 'Invalid');
      assert.match(st.message, /^ "" is invalid: patch: Invalid value: ".*": strict decoding error: unknown field "spec.replicass"$/s);
      if (ct === SMP) assert.equal(st.details.causes[0].message, 'Invalid value: "map[spec:map[replicass:2]]": strict decoding error: unknown field "spec.replicass"');
      assert.equal((await stored(name)).spec.replicass, undefined);
    });
  }

  test('duplicate keys in a patch body are strict errors too, before those of the result', async () => {
    await createDeployment('pdup');
    const res = await f.api.patch(`${deps()}/pdup?fieldValidation=Strict`).set('Content-Type', MERGE).send('{"spec":{"paused":true,"paused":false,"replicass":1}}');
    assert.match(assertStatus(res, 422).message, /strict decoding error: duplicate field "spec.paused", unknown field "spec.replicass"$/);
    const jp = await f.api.patch(`${deps()}/pdup`).set('Content-Type', JSONPATCH).send('[{"op":"add","op":"add","path":"/spec/paused","value":true}]');
    assert.equal(jp.status, 200, jp.text);
    assert.deepEqual(warnings(jp), ['299 - "json patch duplicate field \\"[0].op\\""']);
    const unknownOp = await f.api.patch(`${deps()}/pdup?fieldValidation=Strict`).set('Content-Type', JSONPATCH).send('[{"op":"add","path":"/spec/paused","value":true,"valu":1}]');
    assert.match(assertStatus(unknownOp, 422).message, /strict decoding error: json patch unknown field "\[0\].valu"$/);
  });

  test('prototype-named keys in every patch type are data: kept in maps, unknown at the top', async () => {
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    const patches: [string, string, string][] = [
      [MERGE, 'pm1', '{"data":{"__proto__":"v","constructor":"c"},"__proto__":{"polluted":1}}'],
      [SMP, 'pm2', '{"data":{"__proto__":"v","constructor":"c"},"__proto__":{"polluted":1}}'],
      [JSONPATCH, 'pm3', '[{"op":"add","path":"/data/__proto__","value":"v"},{"op":"add","path":"/data/constructor","value":"c"},{"op":"add","path":"/__proto__","value":{"polluted":1}}]'],
    ];
    for (const [ct, name, patch] of patches) {
      assert.equal((await f.api.post(cms).send({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } })).status, 201);
      const res = await f.api.patch(`${cms}/${name}`).set('Content-Type', ct).send(patch);
      assert.equal(res.status, 200, `${ct}: ${res.text}`);
      assert.deepEqual(warnings(res), ['299 - "unknown field \\"__proto__\\""'], ct);
      const got = await f.api.get(`${cms}/${name}`).buffer(true);
      assert.match(got.text, /"data":\{"__proto__":"v","a":"1","constructor":"c"\}/, ct);
      assert.doesNotMatch(got.text, /polluted/, ct);
    }
    const apply = await f.api.patch(`${cms}/pm4?fieldManager=me`).set('Content-Type', APPLY).send('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pm4"},"data":{"__proto__":"v","constructor":"c"}}');
    assert.equal(apply.status, 201, apply.text);
    assert.match((await f.api.get(`${cms}/pm4`).buffer(true)).text, /"data":\{"__proto__":"v","constructor":"c"\}/);
    assert.equal(({} as any).polluted, undefined);
  });

  test('merge patch with a wrong type: 422 with encoding/json\'s wording', async () => {
    await createDeployment('pt1');
    const res = await f.api.patch(`${deps()}/pt1`).set('Content-Type', MERGE).send(JSON.stringify({ spec: { selector: { matchExpressions: 7 } } }));
    assert.match(assertStatus(res, 422, 'Invalid').message, /patch: Invalid value: ".*": json: cannot unmarshal number into Go struct field LabelSelector.spec.selector.matchExpressions of type \[\]v1.LabelSelectorRequirement$/s);
  });

  test('strategic merge patch with a wrong type: 422 with the unstructured converter\'s wording', async () => {
    await createDeployment('pt2');
    const res = await f.api.patch(`${deps()}/pt2`).set('Content-Type', SMP).send(JSON.stringify({ spec: { replicas: 'x' } }));
    const st = assertStatus(res, 422, 'Invalid');
    assert.equal(st.details.causes[0].message, 'Invalid value: "map[spec:map[replicas:x]]": unrecognized type: int32');
    const meta = await f.api.patch(`${deps()}/pt2`).set('Content-Type', SMP).send(JSON.stringify({ metadata: { managedFields: 1 } }));
    assert.match(assertStatus(meta, 422).message, /cannot restore slice from int64$/);
    assert.equal((await stored('pt2')).spec.replicas, 1);
  });

  test('server-side apply: unknown fields are refused whatever fieldValidation says', async () => {
    const cfg = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa1\nspec:\n  replicass: 2\n`;
    for (const mode of ['Ignore', 'Strict']) {
      const res = await f.api.patch(`${deps()}/ssa1?fieldManager=me&fieldValidation=${mode}`).set('Content-Type', APPLY).send(cfg);
      assert.equal(assertStatus(res, 400).message, `failed to create typed patch object (/ssa1; apps/v1, Kind=Deployment): .spec.replicass: field not declared in schema`);
    }
    const typed = await f.api.patch(`${deps()}/ssa1?fieldManager=me`).set('Content-Type', APPLY).send(cfg.replace('replicass: 2', 'replicas: many'));
    assert.match(assertStatus(typed, 400).message, /\.spec\.replicas: expected numeric \(int or float\), got string$/);
    const named = await f.api.patch(`${deps()}/ssa1?fieldManager=me`).set("Content-Type", APPLY).send(cfg.replace("replicass: 2", "paused: 1"));
    assert.match(assertStatus(named, 400).message, /\.spec\.paused: expected boolean, got &\{1\}$/);
    assert.equal((await f.api.get(`${deps()}/ssa1`)).status, 404);
  });
  test('server-side apply: repeated YAML keys are refused (Strict), warned about (Warn) or ignored, the last value kept', async () => {
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    const cfg = (name: string) => `\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n  foo: foo1\n  foo: foo2\n`;
    const strict = await f.api.patch(`${cms}/dup1?fieldManager=me&fieldValidation=Strict`).set('Content-Type', APPLY).send(cfg('dup1'));
    assert.equal(assertStatus(strict, 400).message, 'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 9: key "foo" already set in map');
    assert.ok(strict.text.includes('line 9: key \\"foo\\" already set in map'), strict.text); // what upstream's e2e looks for in the raw body
    assert.equal((await f.api.get(`${cms}/dup1`)).status, 404);
    const warn = await f.api.patch(`${cms}/dup1?fieldManager=me`).set('Content-Type', APPLY).send(cfg('dup1'));
    assert.equal(warn.status, 201, warn.text);
    assert.deepEqual(warnings(warn), ['299 - "line 9: key \\"foo\\" already set in map"']);
    assert.equal(warn.body.data.foo, 'foo2');
    const again = await f.api.patch(`${cms}/dup1?fieldManager=me&fieldValidation=Warn`).set('Content-Type', APPLY).send(cfg('dup1').replace('foo: foo2', 'foo: foo3\n  foo: foo4'));
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(warnings(again), ['299 - "line 9: key \\"foo\\" already set in map"', '299 - "line 10: key \\"foo\\" already set in map"']);
    assert.equal(again.body.data.foo, 'foo4');
    const ignore = await f.api.patch(`${cms}/dup1?fieldManager=me&fieldValidation=Ignore`).set('Content-Type', APPLY).send(cfg('dup1').replace('foo: foo2', 'foo: foo5'));
    assert.equal(ignore.status, 200, ignore.text);
    assert.deepEqual(warnings(ignore), []);
    assert.equal(ignore.body.data.foo, 'foo5');
    // A JSON apply body is YAML too; an error of the apply itself comes before the strict decoding.
    const json = await f.api.patch(`${cms}/dup1?fieldManager=me&fieldValidation=Strict`).set('Content-Type', APPLY).send('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup1"},"data":{"a":"1","a":"2"}}');
    assert.equal(assertStatus(json, 400).message, 'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 1: key "a" already set in map');
    const typed = await f.api.patch(`${cms}/dup1?fieldManager=me&fieldValidation=Strict`).set('Content-Type', APPLY).send(cfg('dup1').replace('a: "1"', 'a: 1'));
    assert.match(assertStatus(typed, 400).message, /^failed to create typed patch object/);
    assert.equal((await f.api.get(`${cms}/dup1`)).body.data.foo, 'foo5');
  });
});

describe('subresources', () => {
  test('status (PUT): Strict refuses unknown fields', async () => {
    const cur = await createDeployment('st1');
    cur.status = { replicas: 1, bogus: true };
    const res = await f.api.put(`${deps()}/st1/status?fieldValidation=Strict`).send(cur);
    assert.match(assertStatus(res, 400).message, /strict decoding error: unknown field "status.bogus"/);
  });

  test('status (merge patch): a wrong type is 422', async () => {
    await createDeployment('st2');
    const res = await f.api.patch(`${deps()}/st2/status`).set('Content-Type', MERGE).send(JSON.stringify({ status: { replicas: 'one' } }));
    assert.match(assertStatus(res, 422).message, /Go struct field DeploymentStatus.status.replicas of type int32$/);
  });

  test('scale: unknown fields and wrong types', async () => {
    await createDeployment('sc1');
    const scale = (await f.api.get(`${deps()}/sc1/scale`)).body;
    const strict = await f.api.put(`${deps()}/sc1/scale?fieldValidation=Strict`).send({ ...scale, spec: { replicas: 2, bogus: 1 } });
    assert.match(assertStatus(strict, 400).message, /^Scale in version "v1" cannot be handled as a Scale: strict decoding error: unknown field "spec.bogus"$/);
    const typed = await f.api.patch(`${deps()}/sc1/scale`).set('Content-Type', MERGE).send(JSON.stringify({ spec: { replicas: '3' } }));
    assert.match(assertStatus(typed, 422).message, /Go struct field ScaleSpec.spec.replicas of type int32$/);
    const ok = await f.api.patch(`${deps()}/sc1/scale`).set('Content-Type', MERGE).send(JSON.stringify({ spec: { replicas: 3, bogus: 1 } }));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(warnings(ok).length, 1);
  });
});

describe('nesting depth', () => {
  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  test('a JSON body nested more than 10,000 levels is a 400 on create, update and every JSON patch type', async () => {
    await createDeployment('deep1');
    const body = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"deep1"},"spec":${deep(10001)}}`;
    const create = await f.api.post(deps()).set('Content-Type', 'application/json').send(body);
    assert.match(assertStatus(create, 400).message, /^the object provided is unrecognized \(must be of type Deployment\): couldn't get version\/kind; json parse error: invalid character '\{' exceeded max depth \(\{"apiVersion":"apps\/v1","kind" ...\)$/);
    const update = await f.api.put(`${deps()}/deep1`).set('Content-Type', 'application/json').send(body);
    assertStatus(update, 400);
    for (const ct of [MERGE, SMP, JSONPATCH]) {
      const res = await f.api.patch(`${deps()}/deep1`).set('Content-Type', ct).send(ct === JSONPATCH ? `[{"op":"add","path":"/spec/x","value":${deep(10001)}}]` : `{"spec":${deep(10001)}}`);
      assert.equal(assertStatus(res, 400).message, 'invalid JSON patch', ct);
    }
    const yaml = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: deep1\nspec: ${'['.repeat(20000)}${']'.repeat(20000)}\n`;
    const apply = await f.api.patch(`${deps()}/deep1?fieldManager=me`).set('Content-Type', APPLY).send(yaml);
    assert.equal(assertStatus(apply, 400).message, 'error decoding patch: yaml: exceeded max depth of 10000');
  });

  test('deep nesting inside an unknown field is pruned, not a crash', async () => {
    const body = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"deep2"},"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}},"junk":${deep(9000)}}}`;
    const res = await f.api.post(deps()).set('Content-Type', 'application/json').send(body);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.spec.junk, undefined);
    // The patch engines recurse: a patch this deep is refused with a message naming the limit, never a 500.
    const merge = await f.api.patch(`${deps()}/deep2`).set('Content-Type', MERGE).send(`{"spec":{"junk":${deep(9000)}}}`);
    assert.match(assertStatus(merge, 400).message, /nested too deeply/);
    const shallower = await f.api.patch(`${deps()}/deep2`).set('Content-Type', MERGE).send(`{"spec":{"junk":${deep(1000)}}}`);
    assert.equal(shallower.status, 200, shallower.text.slice(0, 300));
    assert.equal(shallower.body.spec.junk, undefined);
  });
});
