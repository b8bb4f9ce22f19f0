// validateCRD(): upstream's CustomResourceDefinition validation, messages and field paths (single
// schema across versions reports at spec.validation, as the v1→internal conversion lifts it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCRDDefaults, validateCRD } from '../../src/schema/crd-validation.ts';
import { errors, fieldErrorMessage } from '../../src/errors.ts';

type J = Record<string, any>;
const schema = (): J => ({
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { replicas: { type: 'integer', default: 1 }, image: { type: 'string' } } },
    status: { type: 'object', properties: { ready: { type: 'integer' } } },
  },
});
const base = (): J => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'], categories: ['all'] },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema() }, subresources: { status: {} } }],
  },
});
const msgs = (crd: J, old?: J) => validateCRD(crd, old).map(fieldErrorMessage);
const with_ = (f: (c: J) => void): J => { const c = base(); f(c); return c; };
const S = 'spec.validation.openAPIV3Schema';

test('a well-formed CRD has no errors', () => assert.deepEqual(msgs(base()), []));

test('defaults: singular, listKind, conversion, storedVersions', () => {
  const c = with_((c) => { delete c.spec.names.singular; delete c.spec.names.listKind; });
  applyCRDDefaults(c);
  assert.equal(c.spec.names.singular, 'widget');
  assert.equal(c.spec.names.listKind, 'WidgetList');
  assert.deepEqual(c.spec.conversion, { strategy: 'None' });
  assert.deepEqual(c.status.storedVersions, ['v1']);
});

const cases: Array<[string, (c: J) => void, string[]]> = [
  ['name must be plural.group', (c) => { c.metadata.name = 'widget.example.com'; },
    ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group']],
  ['group needs a dot', (c) => { c.spec.group = 'example'; c.metadata.name = 'widgets.example'; },
    ['spec.group: Invalid value: "example": should be a domain with at least one dot']],
  ['scope', (c) => { c.spec.scope = 'Global'; }, ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']],
  ['missing plural and kind', (c) => { c.spec.names.plural = ''; c.spec.names.kind = ''; c.metadata.name = '.example.com'; }, [
    'metadata.name: Invalid value: ".example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    'spec.names.plural: Required value', 'spec.names.kind: Required value']],
  ['bad names', (c) => { c.spec.names.shortNames = ['W_D']; c.spec.names.listKind = 'Widget'; c.spec.names.categories = ['All']; }, [
    'spec.names.shortNames[0]: Invalid value: "W_D": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
    'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    'spec.names.categories[0]: Invalid value: "All": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')']],
  ['no storage version', (c) => { c.spec.versions[0].storage = false; c.status = { storedVersions: ['v1'] }; },
    ['spec.versions: Invalid value: []interface {}{map[string]interface {}{"name":"v1", "served":true, "storage":false}}: must have exactly one version marked as storage version']],
  ['version names unique and DNS-1035', (c) => { c.spec.versions.push({ ...structuredClone(c.spec.versions[0]), storage: false }); c.spec.versions[1].name = 'v1'; },
    ['spec.versions: Invalid value: []interface {}{map[string]interface {}{"name":"v1", "served":true, "storage":true}, map[string]interface {}{"name":"v1", "served":true, "storage":false}}: must contain unique version names']],
  ['schema required', (c) => { delete c.spec.versions[0].schema; }, ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']],
  ['field without type', (c) => { delete c.spec.versions[0].schema.openAPIV3Schema.properties.spec.type; },
    [`${S}.properties[spec].type: Required value: must not be empty for specified object fields`]],
  ['root must be object', (c) => { c.spec.versions[0].schema.openAPIV3Schema.type = 'string'; delete c.spec.versions[0].subresources; }, [`${S}.type: Invalid value: "string": must be object at the root`]],
  ['root type with status subresource', (c) => { c.spec.versions[0].schema.openAPIV3Schema.type = 'string'; }, [
    `spec.validation.openAPIV3Schema.type: Invalid value: "string": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
    `${S}.type: Invalid value: "string": must be object at the root`]],
  ['array without items', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.list = { type: 'array' }; },
    [`${S}.properties[spec].properties[list].items: Required value: must be specified`]],
  ['metadata at the root may only constrain name', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.metadata = { type: 'object', properties: { labels: { type: 'object' } } }; },
    [`${S}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
  ['metadata name constraints are fine', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } }; }, []],
  ['$ref, uniqueItems, additionalItems refused', (c) => {
    const p = c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    p.r = { type: 'string', $ref: '#/x' }; p.u = { type: 'array', items: { type: 'string' }, uniqueItems: true };
  }, [`${S}.properties[spec].properties[r].$ref: Forbidden: $ref is not supported`,
    `${S}.properties[spec].properties[u].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
  ['defaults at root metadata are forbidden', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.kind = { type: 'string', default: 'X' }; },
    [`${S}.properties[kind].default: Forbidden: must not be set in top-level kind`]],
  ['a default must validate', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas.default = 'one'; },
    [`${S}.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`]],
  ['a default must be pruned', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.default = { image: 'x', junk: 1 }; },
    [`${S}.properties[spec].default: Invalid value: map[string]interface {}{"image":"x", "junk":1}: must not have unknown fields`]],
  ['nullable root', (c) => { c.spec.versions[0].schema.openAPIV3Schema.nullable = true; delete c.spec.versions[0].subresources; },
    [`${S}.nullable: Forbidden: nullable cannot be true at the root`]],
  ['value validations may not carry types', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.anyOf = [{ type: 'object', properties: { image: { minLength: 1 } } }]; },
    [`${S}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`]],
  ['completeness: value validations only restate spine fields', (c) => { c.spec.versions[0].schema.openAPIV3Schema.anyOf = [{ properties: { nope: {} } }]; delete c.spec.versions[0].subresources; },
    [`${S}.properties[nope]: Required value: because it is defined in ${S}.anyOf[0].properties[nope]`]],
  ['bad pattern', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.image.pattern = '(?=x)'; },
    [`${S}.properties[spec].properties[image].pattern: Invalid value: "(?=x)": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: \`(?=\``]],
  ['int-or-string with preserve-unknown-fields', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.port = { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true }; },
    [`${S}.properties[spec].properties[port].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`]],
  ['list-type map needs keys, keys need required/default', (c) => {
    c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.ports = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } };
  }, [`${S}.properties[spec].properties[ports].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`]],
  ['list-type on a non-array', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.image['x-kubernetes-list-type'] = 'set'; },
    [`${S}.properties[spec].properties[image].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`]],
  ['preserve-unknown-fields false', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-preserve-unknown-fields'] = false; },
    [`${S}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`]],
  ['embedded resource needs properties or preserve', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.tpl = { type: 'object', 'x-kubernetes-embedded-resource': true }; },
    [`${S}.properties[spec].properties[tpl].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`]],
  ['x-kubernetes-validations shape', (c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'] = [{ rule: '' }, { rule: 'self.a > 0', reason: 'Bad' }, { rule: 'true', fieldPath: '.nope' }]; }, [
    `${S}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
    `${S}.properties[spec].x-kubernetes-validations[1].reason: Unsupported value: "Bad": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    `${S}.properties[spec].x-kubernetes-validations[2].fieldPath: Invalid value: ".nope": fieldPath must be a valid path`]],
  ['preserveUnknownFields true', (c) => { c.spec.preserveUnknownFields = true; c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas = { type: 'integer' }; },
    ['spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead']],
  ['scale paths', (c) => { c.spec.versions[0].subresources.scale = { specReplicasPath: 'spec.replicas', statusReplicasPath: '.spec.ready', labelSelectorPath: '.x' }; }, [
    'spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
    'spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.ready": should be a json path under .status',
    'spec.subresources.scale.labelSelectorPath: Invalid value: ".x": should be a json path under either .spec or .status']],
  ['printer columns', (c) => { c.spec.versions[0].additionalPrinterColumns = [{ name: 'Ready', type: 'bool', jsonPath: 'status.ready', format: 'x' }]; }, [
    'spec.additionalPrinterColumns[0].type: Invalid value: "bool": must be one of boolean,date,integer,number,string',
    'spec.additionalPrinterColumns[0].format: Invalid value: "x": must be one of byte,date,date-time,double,float,int32,int64,password',
    'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "status.ready": must be a simple json path starting with .']],
  ['selectable fields', (c) => { c.spec.versions[0].selectableFields = [{ jsonPath: '.spec.image' }, { jsonPath: '.spec.image' }, { jsonPath: '.spec' }, { jsonPath: '.spec.nope' }]; }, [
    'spec.selectableFields[1].jsonPath: Duplicate value: ".spec.image"',
    'spec.selectableFields[2].jsonPath: Invalid value: ".spec": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
    'spec.selectableFields[3].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field']],
  ['webhook conversion', (c) => { c.spec.conversion = { strategy: 'Webhook', webhook: { clientConfig: { url: 'http://x/y?q=1' }, conversionReviewVersions: ['v2'] } }; }, [
    'spec.conversion.webhookClientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
    'spec.conversion.webhookClientConfig.url: Invalid value: "q=1": query parameters are not permitted in the URL',
    'spec.conversion.conversionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1']],
  ['protected group needs approval', (c) => { c.spec.group = 'x.k8s.io'; c.metadata.name = 'widgets.x.k8s.io'; },
    ['metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111']],
];
for (const [name, mutate, want] of cases) test(`validateCRD: ${name}`, () => assert.deepEqual(msgs(with_(mutate)), want));

test('per-version schemas that differ report under spec.versions[i]', () => {
  const c = base();
  const v2 = structuredClone(c.spec.versions[0]);
  v2.name = 'v2'; v2.storage = false;
  delete v2.schema.openAPIV3Schema.properties.status.type;
  c.spec.versions.push(v2);
  assert.deepEqual(msgs(c), ['spec.versions[1].schema.openAPIV3Schema.properties[status].type: Required value: must not be empty for specified object fields']);
});

test('updates: group and plural immutable; scope and kind once established; storedVersions kept', () => {
  const old = base();
  old.status = { storedVersions: ['v1'], conditions: [{ type: 'Established', status: 'True' }] };
  const next = structuredClone(old);
  next.spec.scope = 'Cluster';
  next.spec.names.kind = 'Gadget'; next.spec.names.listKind = 'GadgetList';
  assert.deepEqual(msgs(next, old), ['spec.scope: Invalid value: "Cluster": field is immutable', 'spec.names.kind: Invalid value: "Gadget": field is immutable']);
  const drop = structuredClone(old);
  drop.spec.versions[0].name = 'v2';
  assert.deepEqual(msgs(drop, old), ['status.storedVersions: Invalid value: []string{"v1"}: must have the storage version v2', 'status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions']);
});

test('updates ratchet rules the stored CRD already broke (but never the structural rules of a v1 CRD)', () => {
  const old = base();
  old.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.set = { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: { a: { type: 'string' } } } };
  assert.deepEqual(msgs(old), [`${S}.properties[spec].properties[set].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set`]);
  const next = structuredClone(old);
  next.spec.names.shortNames = ['w'];
  assert.deepEqual(msgs(next, old), []);
  delete next.spec.versions[0].schema.openAPIV3Schema.properties.status.type;
  assert.deepEqual(msgs(next, old), [`${S}.properties[status].type: Required value: must not be empty for specified object fields`]);
});

test('the caller wraps the causes as upstream does', () => {
  const e = errors.invalid('apiextensions.k8s.io', 'CustomResourceDefinition', 'widgets.example.com', validateCRD(with_((c) => { c.spec.scope = ''; })));
  assert.equal(e.status.code, 422);
  assert.equal(e.status.message, 'CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: spec.scope: Required value');
});

test('malformed CRDs answer with errors, never a throw', () => {
  for (const bad of [null, 5, 'x', [], {}, { spec: 5 }, { spec: { versions: 'x', names: 3 } }, { spec: { versions: [null, 5, { schema: { openAPIV3Schema: { properties: 5, items: [1] } } }] } }]) {
    assert.ok(validateCRD(bad).length > 0, JSON.stringify(bad));
  }
  let deep: J = { type: 'object' };
  for (let i = 0; i < 3000; i++) deep = { type: 'object', properties: { a: deep } };
  const c = with_((c) => { c.spec.versions[0].schema.openAPIV3Schema.properties.spec = deep; });
  assert.doesNotThrow(() => validateCRD(c));
});
