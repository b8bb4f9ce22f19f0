// Webhook configurations: upstream's defaults and validation messages (field paths included); bad
// shapes are 422s, never 500s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const rule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] };
const good = { name: 'a.b.example.com', clientConfig: { url: 'https://127.0.0.1:1/x' }, rules: [rule], sideEffects: 'None', admissionReviewVersions: ['v1'] };

test('defaults as upstream', async () => {
  const res = await f.api.post(MWC).send({ metadata: { name: 'defaults' }, webhooks: [{ ...good, clientConfig: { service: { namespace: 'ns', name: 's' } } }] });
  assert.equal(res.status, 201, res.text);
  const w = res.body.webhooks[0];
  assert.deepEqual([w.failurePolicy, w.matchPolicy, w.timeoutSeconds, w.reinvocationPolicy, w.rules[0].scope, w.clientConfig.service.port], ['Fail', 'Equivalent', 10, 'Never', '*', 443]);
  assert.deepEqual([w.namespaceSelector, w.objectSelector], [{}, {}]);
  const v = await f.api.post(VWC).send({ metadata: { name: 'defaults' }, webhooks: [good] });
  assert.equal(v.status, 201, v.text);
  assert.equal(v.body.webhooks[0].reinvocationPolicy, undefined);
});

test('invalid webhooks: upstream field paths and messages', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ name: 'short.name' }, 'webhooks[0].name: Invalid value: "short.name": should be a domain with at least three segments separated by dots'],
    [{ sideEffects: undefined }, 'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun'],
    [{ sideEffects: 'Some' }, 'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'],
    [{ admissionReviewVersions: [] }, 'webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1'],
    [{ admissionReviewVersions: ['v2'] }, 'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1'],
    [{ timeoutSeconds: 31 }, 'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds'],
    [{ clientConfig: {} }, 'webhooks[0].clientConfig: Required value: exactly one of url or service is required'],
    [{ clientConfig: { url: 'http://x.example.com/' } }, `webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`],
    [{ rules: [{ ...rule, operations: ['CREATE', '*'] }] }, `webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{"CREATE", "*"}: if '*' is present, must not specify other operations`],
    [{ rules: [{ ...rule, resources: ['*', 'pods'] }] }, `webhooks[0].rules[0].resources: Invalid value: []string{"*", "pods"}: if '*' is present, must not specify other resources without subresources`],
    [{ failurePolicy: 'Maybe' }, 'webhooks[0].failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"'],
  ];
  for (const [patch, want] of cases) {
    const w: any = { ...good, ...patch };
    for (const k of Object.keys(w)) if (w[k] === undefined) delete w[k];
    const res = await f.api.post(VWC).send({ metadata: { name: 'bad' }, webhooks: [w] });
    const st = assertStatus(res, 422, 'Invalid');
    assert.ok(st.message.includes(want), `${st.message}\n  does not include\n${want}`);
  }
  const dup = await f.api.post(VWC).send({ metadata: { name: 'dup' }, webhooks: [good, good] });
  assert.match(assertStatus(dup, 422).message, /webhooks\[1\]\.name: Duplicate value: "a\.b\.example\.com"/);
  const wrong = await f.api.post(VWC).send({ metadata: { name: 'wrong' }, webhooks: 'nope' });
  assert.ok(wrong.status === 400 || wrong.status === 422, `wrongly typed webhooks: ${wrong.status}`);
});

test('matchConditions: names, duplicates and CEL that does not compile are refused', async () => {
  const w = { ...good, matchConditions: [{ name: 'ok', expression: 'object.metadata.name != "x"' }, { name: 'ok', expression: 'true' }, { name: 'bad', expression: 'object.metadata.name +' }, { name: 'int', expression: '1 + 1' }] };
  const res = await f.api.post(VWC).send({ metadata: { name: 'mc' }, webhooks: [w] });
  const st = assertStatus(res, 422, 'Invalid');
  assert.match(st.message, /webhooks\[0\]\.matchConditions\[1\]\.name: Duplicate value: "ok"/);
  assert.match(st.message, /webhooks\[0\]\.matchConditions\[2\]\.expression: Invalid value: "object\.metadata\.name \+": compilation failed: ERROR: <input>:1:/);
  assert.match(st.message, /webhooks\[0\]\.matchConditions\[3\]\.expression: Invalid value: "1 \+ 1": cel expression must evaluate to a bool/);
  const fine = await f.api.post(VWC).send({ metadata: { name: 'mc-ok' }, webhooks: [{ ...good, matchConditions: [{ name: 'not-x', expression: 'object.metadata.name != "x"' }] }] });
  assert.equal(fine.status, 201, fine.text);
});
