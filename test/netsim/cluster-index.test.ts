// The simulated network's index of the cluster: objects by the addresses and names it resolves, with
// several objects under one value (pods sharing their node's IP, hostNetwork) and changes re-indexed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterIndex } from '../../src/netsim/cluster-index.ts';
import type { KObject } from '../../src/registry/strategy.ts';

const pod = (name: string, ip: string, uid = `uid-${name}`): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid }, status: { podIP: ip, podIPs: [{ ip }] } } as unknown as KObject);
const names = (os: KObject[]) => os.map((o) => o.metadata.name);

test('one object per value, several under one value in the order they came, and back to one', () => {
  const ix = new ClusterIndex();
  ix.put('pods', pod('a', '10.0.0.1'));
  assert.deepEqual(names(ix.by('pods', 'ip', '10.0.0.1')), ['a']);
  assert.deepEqual(names(ix.by('pods', 'uid', 'uid-a')), ['a']);
  ix.put('pods', pod('b', '10.0.0.1'));
  ix.put('pods', pod('c', '10.0.0.1'));
  assert.deepEqual(names(ix.by('pods', 'ip', '10.0.0.1')), ['a', 'b', 'c']);
  ix.drop('pods', pod('b', '10.0.0.1'));
  ix.drop('pods', pod('a', '10.0.0.1'));
  assert.deepEqual(names(ix.by('pods', 'ip', '10.0.0.1')), ['c']);
  ix.put('pods', pod('d', '10.0.0.1'));
  assert.deepEqual(names(ix.by('pods', 'ip', '10.0.0.1')), ['c', 'd']);
  ix.drop('pods', pod('c', '10.0.0.1'));
  ix.drop('pods', pod('d', '10.0.0.1'));
  assert.deepEqual(ix.by('pods', 'ip', '10.0.0.1'), []);
  assert.deepEqual(ix.by('pods', 'uid', 'uid-a'), []);
  assert.deepEqual(ix.by('pods', 'ip', 'nowhere'), []);
});

test('a changed object is found under its new value only, and its newest version is returned', () => {
  const ix = new ClusterIndex();
  ix.put('pods', pod('a', '10.0.0.1'));
  ix.put('pods', pod('b', '10.0.0.1'));
  const moved = pod('a', '10.0.0.2');
  ix.put('pods', moved);
  assert.deepEqual(names(ix.by('pods', 'ip', '10.0.0.1')), ['b']);
  assert.equal(ix.by('pods', 'ip', '10.0.0.2')[0], moved);
  const again = pod('a', '10.0.0.2');
  ix.put('pods', again);
  assert.equal(ix.by('pods', 'ip', '10.0.0.2')[0], again, 'the newest version, not the one first indexed');
  assert.equal(ix.get('pods', 'ns', 'a'), again);
  // Dropping an object that is not there changes nothing.
  ix.drop('pods', pod('zz', '10.0.0.2'));
  assert.deepEqual(names(ix.by('pods', 'ip', '10.0.0.2')), ['a']);
});
