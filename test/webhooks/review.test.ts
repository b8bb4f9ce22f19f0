// AdmissionReview answers checked as upstream's VerifyAdmissionResponse, and refusals as ToStatusErr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyResponse } from '../../src/admission/webhooks/review.ts';
import { denied } from '../../src/admission/webhooks/errors.ts';

const v1 = (response: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response, ...extra });
const p = Buffer.from('[]').toString('base64');

test('v1 answers: absent response, uid, kind, patch/patchType pairing; validating webhooks may not patch', () => {
  const bad = (review: any, mutating: boolean, msg: string) => assert.throws(() => verifyResponse('u1', mutating, 'v1', review), { message: msg });
  bad({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, true, 'webhook response was absent');
  bad(v1({ uid: 'u2', allowed: true }), true, 'expected response.uid="u1", got "u2"');
  bad(v1({ uid: 'u1', allowed: true }, { apiVersion: 'admission.k8s.io/v1beta1' }), true, 'expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview');
  bad(v1({ uid: 'u1', allowed: true, patch: p }), true, 'webhook returned response.patch but not response.patchType');
  bad(v1({ uid: 'u1', allowed: true, patchType: 'JSONPatch' }), true, 'webhook returned response.patchType but not response.patch');
  bad(v1({ uid: 'u1', allowed: true, patch: p, patchType: 'JSONPatch' }), false, 'validating webhook may not return response.patch');
  bad(v1({ uid: 'u1', allowed: true, patchType: 'JSONPatch' }), false, 'validating webhook may not return response.patchType');
  bad(v1({ uid: 'u1', allowed: 'yes' }), true, 'json: cannot unmarshal string into Go struct field AdmissionResponse.response.allowed of type bool');
  const ok = verifyResponse('u1', true, 'v1', v1({ uid: 'u1', allowed: true, patch: p, patchType: 'JSONPatch', warnings: ['w'], auditAnnotations: { k: 'v' } }));
  assert.deepEqual([ok.allowed, ok.patchType, ok.warnings, ok.auditAnnotations], [true, 'JSONPatch', ['w'], { k: 'v' }]);
});

test('v1beta1 answers: uid and kind not checked, a patch is a JSON patch', () => {
  const r = verifyResponse('u1', true, 'v1beta1', { response: { uid: 'other', allowed: true, patch: p } });
  assert.deepEqual([r.allowed, r.patchType], [true, 'JSONPatch']);
});

test('refusals: at least 400, message prefixed, reason used when there is no message', () => {
  assert.deepEqual([denied('x', { code: 200, message: 'm' }).status.code, denied('x', { code: 200, message: 'm' }).status.message], [400, 'admission webhook "x" denied the request: m']);
  assert.equal(denied('x', { reason: 'Because' }).status.message, 'admission webhook "x" denied the request: Because');
  assert.equal(denied('x', undefined).status.message, 'admission webhook "x" denied the request without explanation');
  assert.equal(denied('x', { code: 403, message: 'no', reason: 'Forbidden' }).status.code, 403);
});
