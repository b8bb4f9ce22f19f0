// The protobuf table's kinds file (src/protobuf/kinds.generated.json) is the whole table's kinds and
// metaKinds, written with it by scripts/gen-proto.ts: decoding reads it alone, ordering reads the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { protoKinds, protoSchema } from '../../src/protobuf/schema.ts';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../src/protobuf/${name}`, import.meta.url), 'utf8'));

test('the kinds file holds exactly the whole table\'s kinds and metaKinds', () => {
  const whole = read('schema.generated.json');
  const kinds = read('kinds.generated.json');
  assert.deepEqual(Object.keys(kinds).sort(), ['comment', 'kinds', 'metaKinds']);
  assert.deepEqual(kinds.kinds, whole.kinds);
  assert.deepEqual(kinds.metaKinds, whole.metaKinds);
  assert.ok(Object.keys(kinds.kinds).length > 100);
});

test('protoKinds answers as the whole table does, before and after the table is read', () => {
  const before = protoKinds();
  assert.equal(before.kinds['v1/Pod'], 'k8s.io.api.core.v1.Pod');
  assert.equal(before.kinds['apps/v1/Deployment'], 'k8s.io.api.apps.v1.Deployment');
  assert.equal(before.kinds['example.com/v1/Thing'], undefined);
  const whole = protoSchema();
  assert.equal(protoKinds(), whole, 'once the table is read, its kinds serve');
  assert.deepEqual(before.kinds, whole.kinds);
});
