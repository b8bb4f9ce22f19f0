import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorMessage } from '../../src/errors.ts';
import {
  isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName,
  validateObjectMeta, validateObjectMetaUpdate, validateLabelSelector, selectorMatches,
  parseQuantity, quantityMilli, canonicalQuantity, isQuantity, validateIP, validateCIDR, validatePortNumOrName,
} from '../../src/registry/validation/index.ts';

const msgs = (errs: any[]) => errs.map(fieldErrorMessage);

test('DNS names and qualified names use upstream wording', () => {
  assert.deepEqual(isDNS1123Subdomain('Example.com'), ["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]);
  assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1123Subdomain('ok.name-1'), []);
  assert.deepEqual(isQualifiedName('example.com/My_Name'), []);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.equal(isQualifiedName('a/b/c').length, 1);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.equal(isValidLabelValue('-bad').length, 1);
  assert.deepEqual(isValidPathSegmentName('system:admin'), []);
  assert.deepEqual(isValidPathSegmentName('a/b%'), ["may not contain '/'", "may not contain '%'"]);
  assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
});

test('object metadata on create', () => {
  assert.deepEqual(msgs(validateObjectMeta({}, { namespaced: true })), ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value']);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'x', namespace: 'ns' }, { namespaced: false })), ['metadata.namespace: Forbidden: not allowed on this type']);
  const e = msgs(validateObjectMeta({ name: 'x', labels: { 'bad key!': 'v', ok: 'bad value!' } }, { namespaced: false }));
  assert.equal(e.length, 2);
  assert.ok(e[0].startsWith('metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters'), e[0]);
  assert.ok(e[1].startsWith('metadata.labels: Invalid value: "bad value!": a valid label must be an empty string'), e[1]);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'x', annotations: { a: 'x'.repeat(256 * 1024) } }, { namespaced: false })), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'x', finalizers: ['orphan', 'foregroundDeletion'] }, { namespaced: false })),
    ['metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set']);
  const refs = [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true }, { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true }];
  assert.match(msgs(validateObjectMeta({ name: 'x', ownerReferences: refs as any }, { namespaced: false }))[0], /Only one reference can have Controller set to true. Found "true" in references for A\/a and B\/b$/);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'x', ownerReferences: [{ apiVersion: '', kind: 'A', name: 'a', uid: '' }] as any }, { namespaced: false })),
    ['metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty', 'metadata.ownerReferences.uid: Invalid value: "": must not be empty']);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'x-abcde', generateName: 'My-app-' }, { namespaced: false })).length, 1);
  assert.deepEqual(msgs(validateObjectMeta({ name: 'My:Role' }, { namespaced: false, nameRule: 'path' })), []);
});

test('object metadata on update', () => {
  const old = { name: 'a', namespace: 'n', uid: 'u', creationTimestamp: 't', deletionTimestamp: 'd', finalizers: ['x/y'] };
  assert.deepEqual(msgs(validateObjectMetaUpdate({ ...old, uid: 'v', finalizers: ['x/y', 'x/z'] }, old)), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/z"}',
    'metadata.uid: Invalid value: "v": field is immutable',
  ]);
});

test('label selectors', () => {
  assert.deepEqual(msgs(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Near' }] }, 'spec.selector')), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
  ]);
  const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] };
  assert.equal(selectorMatches(sel, { app: 'web', tier: 'fe' }), true);
  assert.equal(selectorMatches(sel, { app: 'web', tier: 'db' }), false);
  assert.equal(selectorMatches(sel, { app: 'api' }), false);
});

test('quantities: values, milli-values and canonical form', () => {
  assert.equal(parseQuantity('100m'), 0.1);
  assert.equal(parseQuantity('1Gi'), 1073741824);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('0.5'), 0.5);
  assert.equal(parseQuantity('2k'), 2000);
  assert.equal(quantityMilli('1'), 1000);
  assert.equal(quantityMilli('250m'), 250);
  assert.equal(quantityMilli('1n'), 1); // rounds up
  assert.equal(quantityMilli('128Mi'), 128 * 1024 * 1024 * 1000);
  const canon: [string, string][] = [['1000m', '1'], ['1024Mi', '1Gi'], ['0.5', '500m'], ['1.5Gi', '1536Mi'], ['2000', '2k'], ['100m', '100m'],
    ['1500', '1500'], ['1e3', '1e3'], ['0', '0'], ['512Ki', '512Ki'], ['0.1Ki', '102400m'], ['1.5', '1500m'], ['10G', '10G']];
  for (const [i, o] of canon) assert.equal(canonicalQuantity(i), o, i);
  for (const bad of ['', 'abc', '1.2.3', '1Q', '--1', 'Gi']) assert.equal(isQuantity(bad), false, bad);
  assert.throws(() => parseQuantity('lots'), /quantities must match the regular expression/);
});

test('IPs, CIDRs and ports', () => {
  assert.deepEqual(validateIP('f', '10.0.0.1'), []);
  assert.deepEqual(validateIP('f', '2001:db8::1'), []);
  assert.deepEqual(msgs(validateIP('f', '10.0.0.300')), ['f: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  assert.deepEqual(validateCIDR('f', '10.0.0.0/8'), []);
  assert.equal(validateCIDR('f', '10.0.0.0/33').length, 1);
  assert.deepEqual(validatePortNumOrName('p', 'http'), []);
  assert.deepEqual(msgs(validatePortNumOrName('p', 0)), ['p: Invalid value: 0: must be between 1 and 65535, inclusive']);
  assert.deepEqual(msgs(validatePortNumOrName('p', 'a--b')), ['p: Invalid value: "a--b": must not contain consecutive hyphens']);
});
