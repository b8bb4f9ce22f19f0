// Nothing in the control plane keeps a pod's superseded revisions alive once it is Running: the
// scheduler's index of placed pods holds the pod's current object, not the one it scheduled (which
// cost a whole parsed pod per pod at 10,000 pods).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, R } from '../controllers/harness.ts';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('the revision a pod was scheduled from is collectable once the pod is Running', async () => {
  const c = await startCluster({ nodes: 2 });
  try {
    // Created in a function of its own, so that no frame of this test holds the created objects.
    const create = async (name: string) => new WeakRef(await c.store.create(R.pods, 'default', { metadata: { name, labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
    const refs = [await create('p0'), await create('p1'), await create('p2')];
    await c.until(async () => (await c.list(R.pods, 'default')).every((p) => p.status?.phase === 'Running'), { what: 'pods Running' });
    // The scheduler saw the pods before they were bound: it did place them.
    assert.ok((await c.list(R.pods, 'default')).every((p) => p.spec.nodeName));
    await new Promise((r) => setImmediate(r));
    gc();
    assert.deepEqual(refs.map((r) => r.deref() === undefined), [true, true, true]);
  } finally { await c.close(); }
});
