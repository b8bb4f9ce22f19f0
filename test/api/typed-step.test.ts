// The schema step's phrasing (src/api/typed.ts) without a server: built-in kinds and schema sources
// for kinds that are not built in (custom resources).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSchemaSource, decodeBodyObject, decodePatched, schemaOf } from '../../src/api/typed.ts';
import { StatusError } from '../../src/errors.ts';
import type { StructuralSchema } from '../../src/schema/types.ts';

const res = () => { const headers: string[] = []; return { headers, appendHeader(_n: string, v: string) { headers.push(v); } } as any; };
const widget = { group: 'example.com', version: 'v1', kind: 'Widget' };
const widgetSchema: StructuralSchema = {
  type: 'object',
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, spec: { type: 'object', properties: { size: { type: 'integer' } } } },
};

function thrown(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
}

test('schema sources serve kinds that are not built in, and can be removed', () => {
  assert.equal(schemaOf(widget), undefined);
  const remove = addSchemaSource((gvk) => (gvk.group === 'example.com' && gvk.kind === 'Widget' ? widgetSchema : undefined));
  try {
    assert.equal(schemaOf(widget), widgetSchema);
    assert.ok(schemaOf({ group: 'apps', version: 'v1', kind: 'Deployment' })?.goStruct === 'Deployment');
    // Unknown fields: pruned, warned about (Warn) or refused (Strict) as for built-in kinds.
    const r = res();
    const obj = decodeBodyObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, colour: 'red' } }, widget, 'Warn', r);
    assert.deepEqual(obj.spec, { size: 1 });
    assert.deepEqual(r.headers, ['299 - "unknown field \\"spec.colour\\""']);
    assert.equal(thrown(() => decodeBodyObject({ spec: { colour: 'red' } }, widget, 'Strict', res())).status.message,
      'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour"');
    // Wrong types of non-Go schemas are left to value validation, which words them as upstream does for CRs.
    assert.deepEqual(decodeBodyObject({ spec: { size: 'big' } }, widget, 'Strict', res()), { spec: { size: 'big' } });
    const patched = decodePatched({ spec: { size: 'big', colour: 'red' } }, widget, 'Warn', 'json', () => '{}');
    assert.deepEqual(patched, { obj: { spec: { size: 'big' } }, warnings: ['unknown field "spec.colour"'] });
  } finally {
    remove();
  }
  assert.equal(schemaOf(widget), undefined);
});

test('built-in kinds: wrong types are refused with Go wording on bodies and patches', () => {
  const cm = { group: '', version: 'v1', kind: 'ConfigMap' };
  assert.equal(thrown(() => decodeBodyObject({ data: { a: 1 } }, cm, 'Ignore', res())).status.message,
    'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
  const e = thrown(() => decodePatched({ data: { a: true } }, cm, 'Ignore', 'strategic', () => 'map[data:map[a:true]]'));
  assert.equal(e.status.code, 422);
  assert.equal(e.status.message, ' "" is invalid: patch: Invalid value: "map[data:map[a:true]]": unrecognized type: string');
  assert.deepEqual(e.status.details, { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "map[data:map[a:true]]": unrecognized type: string', field: 'patch' }] });
});
