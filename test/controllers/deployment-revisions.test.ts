// The Deployment controller's revision annotation (deployment.kubernetes.io/revision) read as
// upstream's deploymentutil.Revision does: a base-10 int64, so an adopted ReplicaSet's revision
// beyond a double's exact range still gives exactly the next one; what does not parse is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R, deployment } from './harness.ts';
import type { Cluster } from './harness.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { parseRevision } from '../../src/controllers/deployment.ts';

const REV = 'deployment.kubernetes.io/revision';

test('parseRevision: int64 in base 10; absent is 0; anything else is undefined', () => {
  assert.equal(parseRevision(undefined), 0n);
  assert.equal(parseRevision('7'), 7n);
  assert.equal(parseRevision('3546343826724305832'), 3546343826724305832n);
  assert.equal(parseRevision('9223372036854775807'), 9223372036854775807n);
  assert.equal(parseRevision('-3'), -3n);
  for (const bad of ['', 'abc', '1.5', '1e3', ' 1', '9223372036854775808', '0x10', '99999999999999999999']) assert.equal(parseRevision(bad), undefined, bad);
});

/** An orphan ReplicaSet the Deployment will adopt (same labels, an older template), with a revision annotation. */
function orphan(name: string, revision: string): KObject {
  const labels = { app: 'web', pod: 'httpd' };
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, labels, annotations: { [REV]: revision } },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'httpd', image: 'httpd:2.4' }] } } },
  };
}
const newRS = async (c: Cluster) => (await c.list(R.rs, 'default')).find((r) => r.spec.template.spec.containers[0].image === 'nginx:1.25');

test('adopting a ReplicaSet at revision 3546343826724305832 makes the new one exactly 3546343826724305833', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.rs, 'default', orphan('adopted', '3546343826724305832'));
    await c.store.create(R.deployments, 'default', { ...deployment('web', 1), spec: { ...deployment('web', 1).spec, selector: { matchLabels: { app: 'web' } } } });
    await c.until(async () => (await c.store.get(R.deployments, 'default', 'web')).status?.updatedReplicas === 1, { what: 'rollout' });
    assert.equal((await newRS(c))!.metadata.annotations![REV], '3546343826724305833');
    assert.equal((await c.store.get(R.deployments, 'default', 'web')).metadata.annotations![REV], '3546343826724305833');
    const adopted = await c.store.get(R.rs, 'default', 'adopted');
    assert.equal(adopted.metadata.ownerReferences?.[0]?.name, 'web');
    assert.equal(adopted.metadata.annotations![REV], '3546343826724305832', 'the old revision is kept');
  } finally { await c.close(); }
});

test('an old ReplicaSet whose revision does not parse is skipped: the new one is revision 1', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.rs, 'default', orphan('junk', 'not-a-number'));
    await c.store.create(R.deployments, 'default', deployment('web', 1));
    await c.until(async () => !!(await newRS(c)), { what: 'new ReplicaSet' });
    assert.equal((await newRS(c))!.metadata.annotations![REV], '1');
  } finally { await c.close(); }
});
