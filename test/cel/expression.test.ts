import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from '../../src/cel/index.ts';

test('compileExpression: checks against declared variables and evaluates', () => {
  const ok = compileExpression('object.metadata.name.startsWith("a") && request.operation == "CREATE"', { object: 'dyn', request: 'dyn' }, 'bool');
  assert.ok('program' in ok);
  assert.equal(ok.program({ object: { metadata: { name: 'abc' } }, request: { operation: 'CREATE' } }), true);
  const undeclared = compileExpression('params.x == 1', { object: 'dyn' }, 'bool');
  assert.deepEqual(undeclared, { error: "compilation failed: ERROR: <input>:1:1: undeclared reference to 'params' (in container '')\n | params.x == 1\n | ^" });
  assert.deepEqual(compileExpression('1 + 1', {}, 'bool'), { error: 'cel expression must evaluate to a bool' });
});
