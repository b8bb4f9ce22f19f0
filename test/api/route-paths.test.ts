// Routes marked with onPaths are only asked about paths under their prefixes; unmarked ones always.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayAnswer, onPaths } from '../../src/api/route-paths.ts';

test('a marked route may answer only paths under its prefixes', () => {
  const route = onPaths(['/openapi/', '/.well-known/openid-configuration'], () => true);
  assert.equal(mayAnswer(route, '/openapi/v2'), true);
  assert.equal(mayAnswer(route, '/openapi/'), true);
  assert.equal(mayAnswer(route, '/.well-known/openid-configuration/'), true);
  assert.equal(mayAnswer(route, '/openapi'), false);
  assert.equal(mayAnswer(route, '/api/v1/namespaces/default/configmaps'), false);
  assert.equal(mayAnswer(route, '//openapi/v2'), false);
});

test('an unmarked route may answer anything, and marking returns the same function', () => {
  const plain = () => false;
  assert.equal(mayAnswer(plain, '/anything'), true);
  const marked = onPaths(['/x/'], plain);
  assert.equal(marked, plain);
  assert.equal(marked(), false);
});
