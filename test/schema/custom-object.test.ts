// validateCustomObject(): a custom object write as upstream's customresource strategy checks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCustomObject } from '../../src/schema/custom-object.ts';
import type { CustomResourceContext } from '../../src/schema/custom-object.ts';
import { fieldErrorMessage } from '../../src/errors.ts';
import type { StructuralSchema } from '../../src/schema/types.ts';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { replicas: { type: 'integer' }, size: { type: 'string', maxLength: 3 }, tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' } } },
    status: { type: 'object', properties: { replicas: { type: 'integer' }, phase: { type: 'string', enum: ['Ready'] }, selector: { type: 'string' } } },
  },
};
const ctx: CustomResourceContext = { group: 'example.com', version: 'v1', kind: 'Widget', namespaced: true,
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } };
const obj = (over: Record<string, unknown> = {}) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { replicas: 1 }, ...over });
const msgs = (o: unknown, opts?: Parameters<typeof validateCustomObject>[3]) => validateCustomObject(schema, o, ctx, opts).map(fieldErrorMessage);

test('a valid object', () => assert.deepEqual(msgs(obj()), []));

test('kind and apiVersion must match, and nothing else is checked then', () => {
  assert.deepEqual(msgs(obj({ kind: 'Gadget', apiVersion: 'example.com/v2', spec: { replicas: 'x' } })),
    ['kind: Invalid value: "Gadget": must be Widget', 'apiVersion: Invalid value: "example.com/v2": must be example.com/v1']);
});

test('metadata: names are DNS subdomains, namespace required', () => {
  assert.deepEqual(msgs(obj({ metadata: { name: 'Bad_Name' } })), [
    'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    'metadata.namespace: Required value']);
  assert.deepEqual(msgs(obj({ metadata: 'x' })), ['metadata: Invalid value: "x": expected map[string]interface{}, got string']);
});

test('scale paths: wrong types, negative and too large replicas', () => {
  assert.deepEqual(msgs(obj({ spec: { replicas: -1 } })), ['.spec.replicas: Invalid value: -1: should be a non-negative integer']);
  assert.deepEqual(msgs(obj({ spec: { replicas: 2 ** 31 } })), ['.spec.replicas: Invalid value: 2147483648: should be less than or equal to 2147483647']);
  assert.deepEqual(msgs(obj({ spec: { replicas: 1 }, status: { replicas: 'x', selector: 5 } })), [
    'status.replicas: Invalid value: "string": status.replicas in body must be of type integer: "string"',
    'status.selector: Invalid value: "integer": status.selector in body must be of type string: "integer"',
    '.status.replicas: Invalid value: 0: .status.replicas accessor error: x is of the type string, expected int64',
    '.status.selector: Invalid value: "": .status.selector accessor error: 5 is of the type int64, expected string']);
});

test('status subresource: only status is validated, under status', () => {
  const old = obj({ spec: { replicas: 1, size: 'toolong' } });
  const next = obj({ spec: { replicas: 1, size: 'toolong' }, status: { phase: 'Broken', replicas: 1 } });
  assert.deepEqual(msgs(next, { old, subresource: 'status' }), ['status.phase: Unsupported value: "Broken": supported values: "Ready"']);
});

test('update: ratcheting, metadata immutability, list-type checks skipped when the old object broke them too', () => {
  const old = obj({ spec: { replicas: 1, size: 'toolong', tags: ['a', 'a'] } });
  assert.deepEqual(msgs(obj({ spec: { replicas: 2, size: 'toolong', tags: ['a', 'a', 'b'] } }), { old }), []);
  assert.deepEqual(msgs(obj({ spec: { replicas: 2, size: 'longer', tags: ['a'] } }), { old }), ['spec.size: Too long: may not be more than 3 bytes']);
  assert.deepEqual(msgs(obj({ metadata: { name: 'other', namespace: 'default' } }), { old: obj() }), ['metadata.name: Invalid value: "other": field is immutable']);
  const clean = obj({ spec: { replicas: 1, tags: ['a'] } });
  assert.deepEqual(msgs(obj({ spec: { replicas: 1, tags: ['a', 'a'] } }), { old: clean }), ['spec.tags[1]: Duplicate value: "a"']);
});

test('update: labels are still checked', () => {
  assert.deepEqual(msgs(obj({ metadata: { name: 'w', namespace: 'default', labels: { 'bad key!': 'v' } } }), { old: obj() }).length, 1);
});
