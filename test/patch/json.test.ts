import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/errors.ts';
import { applyJsonPatch, applyMergePatch, PATCH_TYPES } from '../../src/patch/index.ts';

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { assert.ok(e instanceof StatusError, `expected StatusError, got ${e}`); return e; }
  assert.fail('expected an error');
}

test('PATCH_TYPES lists the four content types', () => {
  assert.deepEqual([...PATCH_TYPES], ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
});

test('json patch: add/remove/replace/move/copy/test', () => {
  const doc = { metadata: { name: 'a', labels: { x: '1' } }, spec: { list: [1, 2, 3] } };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/y', value: '2' },
    { op: 'remove', path: '/metadata/labels/x' },
    { op: 'replace', path: '/spec/list/0', value: 10 },
    { op: 'add', path: '/spec/list/-', value: 4 },
    { op: 'add', path: '/spec/list/1', value: 5 },
    { op: 'copy', from: '/spec/list', path: '/spec/copy' },
    { op: 'move', from: '/metadata/labels/y', path: '/metadata/labels/z' },
    { op: 'test', path: '/spec/list', value: [10, 5, 2, 3, 4] },
  ]);
  assert.deepEqual(out, { metadata: { name: 'a', labels: { z: '2' } }, spec: { list: [10, 5, 2, 3, 4], copy: [10, 5, 2, 3, 4] } });
  // input untouched
  assert.deepEqual(doc, { metadata: { name: 'a', labels: { x: '1' } }, spec: { list: [1, 2, 3] } });
});

test('json patch: ~0 and ~1 escaping in keys', () => {
  const doc = { metadata: { annotations: { 'example.com/a~b': 'v' } } };
  const out = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/annotations/kubectl.kubernetes.io~1restartedAt', value: 't' },
    { op: 'remove', path: '/metadata/annotations/example.com~1a~0b' },
  ]);
  assert.deepEqual(out, { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } } });
});

test('json patch: kubectl rollout undo style replace of the pod template', () => {
  const dep = { metadata: { name: 'd', annotations: { 'deployment.kubernetes.io/revision': '2' } }, spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } };
  const out = applyJsonPatch(dep, [
    { op: 'replace', path: '/spec/template', value: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
    { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '1' } },
  ]) as typeof dep;
  assert.equal(out.spec.template.spec.containers[0].image, 'nginx:1.25');
  assert.equal(out.metadata.annotations['deployment.kubernetes.io/revision'], '1');
});

test('json patch: replace of a missing object key adds it (as upstream library)', () => {
  assert.deepEqual(applyJsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/replicas', value: 3 }]), { spec: { replicas: 3 } });
});

test('json patch: failed test op is 422 Invalid with the generic message', () => {
  const e = statusOf(() => applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'test', path: '/spec/replicas', value: 2 }, { op: 'replace', path: '/spec/replicas', value: 5 }]));
  assert.equal(e.code, 422);
  assert.equal(e.reason, 'Invalid');
  assert.equal(e.status.message, 'the server rejected our request due to an error in our request');
});

test('json patch: test of a missing key with null passes', () => {
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/b', value: null }]), { a: 1 });
});

test('json patch: bad paths, out-of-range indices and unknown ops are 422', () => {
  const doc = { spec: { list: [1, 2] } };
  for (const ops of [
    [{ op: 'add', path: '/nope/x', value: 1 }],
    [{ op: 'remove', path: '/spec/missing' }],
    [{ op: 'remove', path: '/spec/list/5' }],
    [{ op: 'add', path: '/spec/list/3', value: 1 }],
    [{ op: 'replace', path: '/spec/list/2', value: 1 }],
    [{ op: 'add', path: '/spec/list/x', value: 1 }],
    [{ op: 'frobnicate', path: '/spec' }],
    [{ path: '/spec' }],
    [{ op: 'add', value: 1 }],
    [{ op: 'move', from: '/spec/none', path: '/spec/x' }],
    [{ op: 'copy', from: '/spec/none', path: '/spec/x' }],
  ]) {
    const e = statusOf(() => applyJsonPatch(doc, ops));
    assert.equal(e.code, 422, JSON.stringify(ops));
  }
});

test('json patch: negative indices count from the end (upstream library behaviour)', () => {
  assert.deepEqual(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }]), { l: [1, 2] });
});

test('json patch: a body that is not a list of operations is 400', () => {
  const e = statusOf(() => applyJsonPatch({}, { metadata: { labels: { a: 'b' } } }));
  assert.equal(e.code, 400);
  assert.equal(e.status.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  assert.equal(statusOf(() => applyJsonPatch({}, ['add'])).code, 400);
});

test('json patch: more than 10000 operations is 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 }));
  assert.equal(statusOf(() => applyJsonPatch({ a: 1 }, ops)).code, 413);
});

test('json patch: replacing the root with a non-object is 422', () => {
  const e = statusOf(() => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: [1] }]));
  assert.equal(e.code, 422);
  assert.match(e.status.message!, /patch: Invalid value/);
});

test('merge patch: kubectl label with null removes, others merge', () => {
  const doc = { metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { x: [1, 2] } };
  const out = applyMergePatch(doc, { metadata: { labels: { a: null, c: '3' } } });
  assert.deepEqual(out, { metadata: { name: 'p', labels: { b: '2', c: '3' } }, spec: { x: [1, 2] } });
  assert.deepEqual(doc.metadata.labels, { a: '1', b: '2' });
});

test('merge patch: scale sets spec.replicas; arrays replace', () => {
  assert.deepEqual(applyMergePatch({ spec: { replicas: 1, l: [1, 2] } }, { spec: { replicas: 3, l: [3] } }), { spec: { replicas: 3, l: [3] } });
});

test('merge patch: nulls inside new objects are pruned (RFC 7386)', () => {
  assert.deepEqual(applyMergePatch({ a: 'x' }, { a: { b: null, c: 1 } }), { a: { c: 1 } });
});

test('merge patch: null or scalar patch is 400, an array patch is 422', () => {
  assert.equal(statusOf(() => applyMergePatch({}, null)).code, 400);
  assert.equal(statusOf(() => applyMergePatch({}, null)).status.message, 'Invalid JSON Patch');
  assert.equal(statusOf(() => applyMergePatch({}, 5)).code, 400);
  assert.equal(statusOf(() => applyMergePatch({}, [1])).code, 422);
});

test('patched documents share nothing with the document or the patch; "__proto__" keys stay own data', () => {
  const doc = JSON.parse('{"metadata":{"labels":{"a":"1"},"__proto__":{"x":1}},"spec":{"list":[{"n":1}],"deep":{"k":"v"}}}');
  const patch = JSON.parse('{"metadata":{"labels":{"b":"2"}},"spec":{"extra":{"q":[1,{"r":2}]}},"__proto__":{"polluted":true}}');
  const merged = applyMergePatch(doc, patch) as any;
  merged.spec.list[0].n = 99; merged.spec.deep.k = 'changed'; merged.metadata.__proto__.x = 2; merged.spec.extra.q[1].r = 3;
  assert.equal(doc.spec.list[0].n, 1);
  assert.equal(doc.spec.deep.k, 'v');
  assert.equal(doc.metadata.__proto__.x, 1);
  assert.equal(patch.spec.extra.q[1].r, 2);
  assert.ok(Object.hasOwn(merged, '__proto__') && Object.hasOwn(merged.metadata, '__proto__'));
  assert.equal(({} as any).polluted, undefined);
  assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  const ops = applyJsonPatch(doc, [{ op: 'add', path: '/spec/copy', value: { v: [1] } }, { op: 'copy', from: '/spec/deep', path: '/spec/deep2' }]) as any;
  ops.spec.deep2.k = 'x';
  assert.equal(ops.spec.deep.k, 'v');
  assert.equal(doc.spec.deep.k, 'v');
});
