// findDuplicateFieldsOf (the parsed body's key count against the text's member count, then the full
// walk only when they differ) answers exactly as findDuplicateFields on every body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findDuplicateFields, findDuplicateFieldsOf } from '../../src/openapi/index.ts';

const bodies = [
  '{}',
  '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"load"}},"data":{"key":"value","index":"1"}}',
  '{"a":1,"a":2}',
  '{"metadata":{"name":"x","labels":{"x":"1","x":"2"},"name":"y"},"spec":{"replicas":1,"replicas":2}}',
  '{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}',
  '{"a":{"k":1},"b":{"k":1},"\\u0061":0}',
  '{"s":"a:b:c \\" : {\\"x\\":1}","t":["x:y",{"u":"v:"}],"w":null}',
  '{"quote\\"key":1,"quote\\"key":2}',
  '{"__proto__":{"a":1},"__proto__":2}',
  '{"__proto__":{"a":1}}',
  '{"arr":[[{"a":1,"a":1}],[],{}],"n":-1.5e3,"b":true}',
  ' { "spaced" : { "k" : 1 , "k" : 2 } } ',
  '{"deep":' + '{"d":'.repeat(50) + '1' + '}'.repeat(50) + '}',
  '{"deep":' + '[{"d":'.repeat(9000) + '1' + '}]'.repeat(9000) + '}',
];

for (const [i, text] of bodies.entries()) {
  test(`same answer as the full walk: body ${i}`, () => {
    assert.deepEqual(findDuplicateFieldsOf(text, JSON.parse(text)), findDuplicateFields(text));
  });
}

test('a body with repeated keys is reported, one without is not', () => {
  assert.deepEqual(findDuplicateFieldsOf('{"a":1,"a":2}', JSON.parse('{"a":1,"a":2}')), ['a']);
  assert.deepEqual(findDuplicateFieldsOf('{"a":"x:y"}', { a: 'x:y' }), []);
});
