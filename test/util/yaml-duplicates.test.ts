import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yamlDuplicateKeys, yamlStrictMessage } from '../../src/util/yaml.ts';

test('yamlDuplicateKeys: go-yaml v2 strict wording, 1-based line of the repeated key, every map, document order', () => {
  const body = '\napiVersion: a/v1\nkind: K\nmetadata:\n  name: n\nspec:\n  unknown: uk1\n  foo: foo1\n  foo: foo2\n  ports:\n  - name: x\n    name: y\n';
  assert.deepEqual(yamlDuplicateKeys(body), ['line 9: key "foo" already set in map', 'line 12: key "name" already set in map']);
  assert.deepEqual(yamlDuplicateKeys('{"a":1,"a":2,"b":{"c":1,"c":2}}'), ['line 1: key "a" already set in map', 'line 1: key "c" already set in map']);
  assert.deepEqual(yamlDuplicateKeys('1: a\n1: b\n'), ['line 2: key 1 already set in map']);
  assert.deepEqual(yamlDuplicateKeys('a: 1\nb: 2\nc: {a: 1}\n'), []);
  assert.deepEqual(yamlDuplicateKeys('a: 1\n"a": 2\n'), ['line 2: key "a" already set in map']);
  // unparseable or empty text: nothing (the ordinary decode reports the syntax error)
  assert.deepEqual(yamlDuplicateKeys('a: [1'), []);
  assert.deepEqual(yamlDuplicateKeys(''), []);
  const many = Array.from({ length: 3 }, () => 'k: v').join('\n');
  assert.deepEqual(yamlDuplicateKeys(many), ['line 2: key "k" already set in map', 'line 3: key "k" already set in map']);
  assert.equal(yamlStrictMessage(['line 2: key "k" already set in map', 'line 3: key "k" already set in map']),
    'yaml: unmarshal errors:\n  line 2: key "k" already set in map\n  line 3: key "k" already set in map');
});
