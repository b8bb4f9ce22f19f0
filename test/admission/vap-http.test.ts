// ValidatingAdmissionPolicy over HTTP: policies and bindings are validated as upstream (CEL compile
// errors at their field paths), bound policies deny, warn and audit with upstream's wording, params are
// looked up, and misconfiguration follows failurePolicy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, cm, deployment, startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const VAP = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies';
const VAPB = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings';

function policy(name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
    spec: { matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }] }, ...spec },
  };
}
function binding(name: string, policyName: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName, validationActions: ['Deny'], ...spec } };
}
/** Only requests in namespace `ns` are in scope (tests share one server). */
const inNs = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });

async function bind(p: object, b: object): Promise<void> {
  const rp = await f.api.post(VAP).send(p);
  assert.equal(rp.status, 201, rp.text);
  const rb = await f.api.post(VAPB).send(b);
  assert.equal(rb.status, 201, rb.text);
}

/** Retries a request until the policy caches have seen the new objects (watch delivery is asynchronous). */
async function eventually(fn: () => Promise<{ status: number }>, status: number) {
  for (let i = 0; i < 200; i++) {
    const r = await fn();
    if (r.status === status) return r as any;
    await new Promise((res) => setTimeout(res, 10));
  }
  return fn() as any;
}

test('a policy is stored with upstream defaults and an empty status', async () => {
  const r = await f.api.post(VAP).send(policy('defaults', { validations: [{ expression: 'true' }] }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.spec.failurePolicy, 'Fail');
  assert.equal(r.body.spec.matchConstraints.matchPolicy, 'Equivalent');
  assert.deepEqual(r.body.spec.matchConstraints.namespaceSelector, {});
  assert.deepEqual(r.body.spec.matchConstraints.objectSelector, {});
  assert.equal(r.body.spec.matchConstraints.resourceRules[0].scope, '*');
  assert.equal(r.body.metadata.generation, 1);
});

test('uncompilable CEL is refused with 422 and cel-go wording at each expression path', async () => {
  const r = await f.api.post(VAP).send(policy('bad-cel', {
    validations: [{ expression: 'object.spec.replicas >' }, { expression: '"x"' }, { expression: 'true', messageExpression: '1' }],
    matchConditions: [{ name: 'mc', expression: 'variables.foo' }],
    variables: [{ name: 'v', expression: 'request.nope' }, { name: 'not valid', expression: 'true' }],
    auditAnnotations: [{ key: 'k', valueExpression: '1' }],
  }));
  const b = assertStatus(r, 422, 'Invalid');
  const fields = b.details.causes.map((c: any) => c.field);
  assert.deepEqual(fields, [
    'spec.matchConditions[0].expression', 'spec.variables[0].expression', 'spec.variables[1].name',
    'spec.validations[0].expression', 'spec.validations[1].expression', 'spec.validations[2].messageExpression', 'spec.auditAnnotations[0].valueExpression',
  ]);
  const msg = (i: number) => b.details.causes[i].message;
  assert.match(msg(0), /^Invalid value: "variables.foo": compilation failed: ERROR: <input>:1:1: undeclared reference to 'variables' \(in container ''\)/);
  assert.match(msg(1), /^Invalid value: "request.nope": compilation failed: ERROR: <input>:1:8: undefined field 'nope'/);
  assert.equal(msg(2), 'Invalid value: "not valid": name is not a valid CEL identifier');
  assert.match(msg(3), /^Invalid value: "object.spec.replicas >": compilation failed: ERROR: <input>:1:\d+: Syntax error/);
  assert.equal(msg(4), 'Invalid value: "\\"x\\"": must evaluate to bool but got string');
  assert.equal(msg(5), 'Invalid value: "1": must evaluate to string but got int');
  assert.equal(msg(6), 'Invalid value: "1": must evaluate to one of [string null_type] but got int');
  assert.match(b.message, /^ValidatingAdmissionPolicy.admissionregistration.k8s.io "bad-cel" is invalid: \[/);
});

test('policy and binding field checks: required, unsupported, mutually exclusive, duplicates', async () => {
  const p = await f.api.post(VAP).send({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'empty' }, spec: { failurePolicy: 'Sometimes', paramKind: { apiVersion: 'a/b/c' } } });
  const pb = assertStatus(p, 422, 'Invalid');
  assert.deepEqual(pb.details.causes.map((c: any) => `${c.field}: ${c.message}`), [
    'spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
    'spec.paramKind.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
    'spec.paramKind.kind: Required value',
    'spec.matchConstraints: Required value',
    'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
    'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
  ]);
  const b = await f.api.post(VAPB).send(binding('bad-binding', '', {
    validationActions: ['Deny', 'Warn', 'Deny', 'Shout'],
    paramRef: { name: 'x', selector: {} },
    matchResources: { matchPolicy: 'Fuzzy', resourceRules: [{ operations: ['*', 'CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/*', 'pods/log'] }] },
  }));
  const bb = assertStatus(b, 422, 'Invalid');
  assert.deepEqual(bb.details.causes.map((c: any) => `${c.field}: ${c.message}`), [
    'spec.policyName: Required value',
    'spec.paramRef.name: Forbidden: name and selector are mutually exclusive',
    'spec.paramRef.selector: Forbidden: name and selector are mutually exclusive',
    'spec.paramRef.parameterNotFoundAction: Required value',
    'spec.matchResouces.matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"',
    `spec.matchResouces.resourceRules[0].operations: Invalid value: []admissionregistration.OperationType{"*", "CREATE"}: if '*' is present, must not specify other operations`,
    `spec.matchResouces.resourceRules[0].resources[1]: Invalid value: "pods/log": if 'pods/*' is present, must not specify pods/log`,
    'spec.validationActions[2]: Duplicate value: "Deny"',
    'spec.validationActions[3]: Unsupported value: "Shout": supported values: "Audit", "Deny", "Warn"',
    'spec.validationActions: Invalid value: ["Deny","Warn","Deny","Shout"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
  ]);
});

test('a bound policy denies with upstream message, reason and code; Warn and Audit do not deny', async () => {
  const ns = await f.ns('vap');
  await bind(policy('max-keys', { validations: [{ expression: 'size(object.data) <= 2', messageExpression: "'too many keys: ' + string(size(object.data))" }, { expression: "!('forbidden' in object.data)", reason: 'Forbidden' }] }),
    binding('max-keys-deny', 'max-keys', { matchResources: inNs(ns) }));
  const r = await eventually(() => f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('big', { a: '1', b: '2', c: '3' })), 422);
  const b = assertStatus(r, 422, 'Invalid');
  assert.equal(b.message, `configmaps "big" is forbidden: ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-deny' denied request: too many keys: 3`);
  assert.deepEqual(b.details, { name: 'big', kind: 'configmaps', causes: [{ message: `ValidatingAdmissionPolicy 'max-keys' with binding 'max-keys-deny' denied request: too many keys: 3` }] });
  const forbidden = assertStatus(await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('fb', { forbidden: 'x' })), 403, 'Forbidden');
  assert.match(forbidden.message, /denied request: failed expression: !\('forbidden' in object.data\)$/);
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('small', { a: '1' }))).status, 201);
  assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/big`)).status, 404, 'a denied create writes nothing');

  // Warn: the write succeeds with upstream's Warning header.
  const wns = await f.ns('vap-warn');
  await bind(policy('warn-keys', { validations: [{ expression: 'size(object.data) <= 1', message: 'keep it small' }] }),
    binding('warn-keys', 'warn-keys', { validationActions: ['Warn', 'Audit'], matchResources: inNs(wns) }));
  const w = await eventually(async () => {
    const res = await f.api.post(`/api/v1/namespaces/${wns}/configmaps`).send({ ...cm(`w${Math.random().toString(36).slice(2, 7)}`, { a: '1', b: '2' }) });
    return { ...res, status: res.headers.warning ? res.status : 0 };
  }, 201);
  assert.equal(w.headers.warning, `299 - "Validation failed for ValidatingAdmissionPolicy 'warn-keys' with binding 'warn-keys': keep it small"`);
});

test('updates and deletes: oldObject, request, and DELETE sees object null', async () => {
  const ns = await f.ns('vap-upd');
  await bind({
    ...policy('immutable-a', { validations: [{ expression: "request.operation != 'UPDATE' || object.data.a == oldObject.data.a", message: 'a is immutable' }] }),
  }, binding('immutable-a', 'immutable-a', { matchResources: inNs(ns) }));
  await bind({
    ...policy('no-delete', { validations: [{ expression: "object == null && oldObject.metadata.name != 'keep'" }] }),
    spec: { ...policy('x', {}).spec, validations: [{ expression: "object == null && oldObject.metadata.name != 'keep'" }], matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['configmaps'] }] } },
  }, binding('no-delete', 'no-delete', { matchResources: inNs(ns) }));
  assert.equal((await eventually(() => f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('keep', { a: '1' })), 201)).status, 201);
  const u = await eventually(() => f.api.put(`/api/v1/namespaces/${ns}/configmaps/keep`).send(cm('keep', { a: '2' })), 422);
  assert.match(u.body.message, /denied request: a is immutable$/);
  const d = await eventually(() => f.api.delete(`/api/v1/namespaces/${ns}/configmaps/keep`), 422);
  assert.equal(d.body.message, `configmaps "keep" is forbidden: ValidatingAdmissionPolicy 'no-delete' with binding 'no-delete' denied request: failed expression: object == null && oldObject.metadata.name != 'keep'`);
});

test('a binding to a missing policy does nothing; a policy without bindings does nothing', async () => {
  const ns = await f.ns('vap-missing');
  assert.equal((await f.api.post(VAPB).send(binding('orphan', 'no-such-policy', { matchResources: inNs(ns) }))).status, 201);
  assert.equal((await f.api.post(VAP).send(policy('unbound', { validations: [{ expression: 'false' }] }))).status, 201);
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('ok'))).status, 201);
});

test('params: found, missing with Allow, missing with Deny, and a paramKind the server does not serve', async () => {
  const ns = await f.ns('vap-params');
  assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('limits', { max: '2' }))).status, 201);
  const p = policy('param-max', {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
    validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'at most ' + params.data.max + ' replicas'" }],
  });
  await bind(p, binding('param-max', 'param-max', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' }, matchResources: inNs(ns) }));
  const r = await eventually(() => f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send(deployment('big', 3)), 422);
  assert.equal(r.body.message, `deployments.apps "big" is forbidden: ValidatingAdmissionPolicy 'param-max' with binding 'param-max' denied request: at most 2 replicas`);
  assert.equal((await f.api.post(`/apis/apps/v1/namespaces/${ns}/deployments`).send(deployment('ok', 2))).status, 201);

  const ns2 = await f.ns('vap-params-missing');
  assert.equal((await f.api.post(VAPB).send(binding('param-missing-deny', 'param-max', { paramRef: { name: 'absent', parameterNotFoundAction: 'Deny' }, matchResources: inNs(ns2) }))).status, 201);
  const d = await eventually(() => f.api.post(`/apis/apps/v1/namespaces/${ns2}/deployments`).send(deployment('x', 1)), 422);
  assert.equal(d.body.message, `deployments.apps "x" is forbidden: ValidatingAdmissionPolicy 'param-max' with binding 'param-missing-deny' denied request: failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`);

  const ns3 = await f.ns('vap-params-allow');
  assert.equal((await f.api.post(VAPB).send(binding('param-missing-allow', 'param-max', { paramRef: { name: 'absent', parameterNotFoundAction: 'Allow' }, matchResources: inNs(ns3) }))).status, 201);
  // Give the caches time to see the binding, then a create is admitted: no params, nothing evaluated.
  await eventually(() => f.api.get(`${VAPB}/param-missing-allow`), 200);
  assert.equal((await f.api.post(`/apis/apps/v1/namespaces/${ns3}/deployments`).send(deployment('x', 9))).status, 201);

  const ns4 = await f.ns('vap-unknown-kind');
  await bind({ ...policy('unknown-kind', { paramKind: { apiVersion: 'example.com/v1', kind: 'Nope' }, validations: [{ expression: 'true' }], ...{} }), spec: { ...policy('x', {}).spec, paramKind: { apiVersion: 'example.com/v1', kind: 'Nope' }, validations: [{ expression: 'true' }], matchConstraints: { ...inNs(ns4), resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] } } },
    binding('unknown-kind', 'unknown-kind', { paramRef: { name: 'x', parameterNotFoundAction: 'Allow' } }));
  const u = await eventually(() => f.api.post(`/api/v1/namespaces/${ns4}/configmaps`).send(cm('x')), 422);
  assert.equal(u.body.message, `configmaps "x" is forbidden: ValidatingAdmissionPolicy 'unknown-kind' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com/v1, Kind=Nope'`);
});

test('failurePolicy: a runtime error denies under Fail and is ignored under Ignore', async () => {
  const ns = await f.ns('vap-fail');
  const spec = (fp: string) => ({ failurePolicy: fp, validations: [{ expression: "object.data.missing == 'x'" }], matchConstraints: { ...inNs(ns), resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] } });
  await bind({ ...policy('err-ignore', {}), spec: spec('Ignore') }, binding('err-ignore', 'err-ignore'));
  await bind({ ...policy('err-fail', {}), spec: spec('Fail') }, binding('err-fail', 'err-fail'));
  const r = await eventually(() => f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('x')), 422);
  assert.match(r.body.message, /^configmaps "x" is forbidden: ValidatingAdmissionPolicy 'err-fail' with binding 'err-fail' denied request: expression 'object.data.missing == 'x'' resulted in error: no such key: missing$/);
  assert.equal((await f.api.delete(`${VAPB}/err-fail`)).status, 200);
  assert.equal((await eventually(() => f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('y')), 201)).status, 201);
});

test('bad input: wrong types, deep nesting, oversized expressions and stale updates get Status errors', async () => {
  const wrong = await f.api.post(VAP).send({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'wrong-type' }, spec: { validations: 'x' } });
  assertStatus(wrong, 400, 'BadRequest');
  const wrongExpr = await f.api.post(VAP).send(policy('wrong-expr', { validations: [{ expression: 5 }] }));
  assertStatus(wrongExpr, 400, 'BadRequest');
  const deep = await f.api.post(VAP).send(policy('deep', { validations: [{ expression: `${'('.repeat(2000)}true${')'.repeat(2000)}` }] }));
  const d = assertStatus(deep, 422, 'Invalid');
  assert.equal(d.details.causes[0].field, 'spec.validations[0].expression');
  const long = await f.api.post(VAP).send(policy('long', { validations: [{ expression: Array.from({ length: 20000 }, () => 'true').join(' && ') }] }));
  assert.ok(long.status === 201 || long.status === 422, `${long.status} ${long.text.slice(0, 200)}`);
  const tooManyAudits = await f.api.post(VAP).send(policy('audits', { auditAnnotations: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, valueExpression: "'v'" })) }));
  assert.match(assertStatus(tooManyAudits, 422, 'Invalid').message, /spec.auditAnnotations: Invalid value: .*must not have more than 20 auditAnnotations/);
  const created = await f.api.post(VAP).send(policy('stale', { validations: [{ expression: 'true' }] }));
  assert.equal(created.status, 201);
  const first = await f.api.put(`${VAP}/stale`).send({ ...created.body, spec: { ...created.body.spec, validations: [{ expression: '1 == 1' }] } });
  assert.equal(first.status, 200);
  assert.equal(first.body.metadata.generation, 2, 'a spec change bumps the generation');
  assertStatus(await f.api.put(`${VAP}/stale`).send({ ...created.body, spec: { ...created.body.spec, validations: [{ expression: '2 == 2' }] } }), 409, 'Conflict');
  // The status subresource keeps the spec; a warning without text is refused.
  const st = await f.api.put(`${VAP}/stale/status`).send({ ...first.body, status: { typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].expression', warning: '' }] } } });
  assert.equal(assertStatus(st, 422, 'Invalid').details.causes[0].field, 'status.typeChecking.expressionWarnings[0].warning');
});

test('kubectl get columns: validations, paramKind; policyName and paramRef', async () => {
  assert.equal((await f.api.post(VAP).send(policy('table-p', { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'true' }, { expression: 'true' }] }))).status, 201);
  assert.equal((await f.api.post(VAPB).send(binding('table-b', 'table-p', { paramRef: { name: 'cfg', parameterNotFoundAction: 'Allow' } }))).status, 201);
  const table = 'application/json;as=Table;v=v1;g=meta.k8s.io';
  const p = await f.api.get(`${VAP}/table-p`).set('Accept', table);
  assert.deepEqual(p.body.columnDefinitions.map((c: any) => c.name), ['Name', 'Validations', 'ParamKind', 'Age']);
  assert.deepEqual(p.body.rows[0].cells.slice(0, 3), ['table-p', 2, 'v1/ConfigMap']);
  const b = await f.api.get(`${VAPB}/table-b`).set('Accept', table);
  assert.deepEqual(b.body.columnDefinitions.map((c: any) => c.name), ['Name', 'PolicyName', 'ParamRef', 'Age']);
  assert.deepEqual(b.body.rows[0].cells.slice(0, 3), ['table-b', 'table-p', '*/cfg']);
});

test('rules match the version the client used; Equivalent evaluates the object converted to the matched version', async () => {
  const ns = await f.ns('vap-hpa');
  const hpaRule = (version: string) => ({ ...inNs(ns), resourceRules: [{ apiGroups: ['autoscaling'], apiVersions: [version], operations: ['CREATE'], resources: ['horizontalpodautoscalers'] }] });
  await bind({ ...policy('hpa-v1', {}), spec: { matchConstraints: { ...hpaRule('v1'), matchPolicy: 'Exact' }, validations: [{ expression: 'object.spec.targetCPUUtilizationPercentage <= 80', messageExpression: "'v1 view: ' + string(object.spec.targetCPUUtilizationPercentage)" }] } },
    binding('hpa-v1', 'hpa-v1'));
  await bind({ ...policy('hpa-v2', {}), spec: { matchConstraints: hpaRule('v2'), validations: [{ expression: 'object.spec.metrics.all(m, m.resource.target.averageUtilization <= 85)', messageExpression: "'v2 view: ' + object.apiVersion" }] } },
    binding('hpa-v2', 'hpa-v2'));
  const hpa = (name: string, pct: number) => ({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, maxReplicas: 3, targetCPUUtilizationPercentage: pct } });
  const v1 = await eventually(() => f.api.post(`/apis/autoscaling/v1/namespaces/${ns}/horizontalpodautoscalers`).send(hpa('a', 82)), 422);
  assert.match(v1.body.message, /ValidatingAdmissionPolicy 'hpa-v1' with binding 'hpa-v1' denied request: v1 view: 82$/);
  const v2 = await eventually(() => f.api.post(`/apis/autoscaling/v1/namespaces/${ns}/horizontalpodautoscalers`).send(hpa('b', 79)), 201);
  assert.equal(v2.status, 201);
  const v3 = await f.api.post(`/apis/autoscaling/v1/namespaces/${ns}/horizontalpodautoscalers`).send(hpa('c', 90));
  assert.match(v3.body.message, /'hpa-v1'.*v1 view: 90/, 'the first denial by policy name');
  const v2only = await f.api.post(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers`).send({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'd' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 88 } } }] } });
  assert.match(v2only.body.message, /ValidatingAdmissionPolicy 'hpa-v2' with binding 'hpa-v2' denied request: v2 view: autoscaling\/v2$/);
});
