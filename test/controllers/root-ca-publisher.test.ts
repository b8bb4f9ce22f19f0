// The root CA publisher (part of the serviceaccount controller): every namespace's kube-root-ca.crt
// is created, re-created when deleted, and put back when its data or description is changed, as
// upstream's rootcacertpublisher keeps it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from './harness.ts';

const NAME = 'kube-root-ca.crt';

test('kube-root-ca.crt: created in a new namespace, re-created after deletion, reverted after updates', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.namespaces, undefined, { metadata: { name: 'pub' } });
    const get = () => c.store.tryGet(R.configmaps, 'pub', NAME);
    await c.until(async () => !!(await get()), { what: 'published' });
    const first = (await get())!;
    const ca = first.data['ca.crt'];
    assert.ok(first.metadata.annotations?.['kubernetes.io/description']);

    await c.store.delete(R.configmaps, 'pub', NAME);
    await c.until(async () => (await get())?.data?.['ca.crt'] === ca, { what: 're-created after delete' });
    assert.notEqual((await get())!.metadata.uid, first.metadata.uid);

    await c.store.guaranteedUpdate(R.configmaps, 'pub', NAME, (o) => { o.data = { 'ca.crt': 'invalid', extra: 'x' }; o.binaryData = { b: 'AA==' }; return o; });
    await c.until(async () => (await get())?.data?.['ca.crt'] === ca, { what: 'data reverted' });
    const reverted = (await get())!;
    assert.deepEqual(reverted.data, { 'ca.crt': ca }, 'data is exactly the CA again');
    assert.deepEqual(reverted.binaryData, { b: 'AA==' }, 'binaryData is left alone, as upstream');

    await c.store.guaranteedUpdate(R.configmaps, 'pub', NAME, (o) => { o.metadata.annotations = { mine: 'yes' }; return o; });
    await c.until(async () => !!(await get())?.metadata.annotations?.['kubernetes.io/description'], { what: 'description restored' });
    assert.equal((await get())!.metadata.annotations?.mine, 'yes', 'other annotations are kept');

    // Other ConfigMaps of the namespace are not touched.
    await c.store.create(R.configmaps, 'pub', { metadata: { name: 'other' }, data: { 'ca.crt': 'mine' } });
    await c.settle();
    assert.equal((await c.store.get(R.configmaps, 'pub', 'other')).data['ca.crt'], 'mine');
  } finally { await c.close(); }
});
