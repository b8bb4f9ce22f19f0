// Images that plainly do not exist fail their pull without any annotation, as on a real node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absentImage, podHasAbsentImage } from '../../src/images/absent.ts';
import { startCluster, R } from '../controllers/harness.ts';

test('absentImage: reserved .invalid registries and tags that name a missing image', () => {
  for (const img of ['webserver:404', 'foo:non-existent', 'gcr.io/google_samples/gb-redisslave:nonexistent', 'invalid.registry.k8s.io/invalid/alpine:3.1',
    'example.invalid/nope:1', 'registry.invalid:5000/x', 'httpd:404', 'nginx:Does-Not-Exist', 'x:invalid@sha256:abc']) assert.equal(absentImage(img), true, img);
  for (const img of ['nginx', 'nginx:1.27', 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4', 'localhost:5000/app:1', 'invalid/app:1', 'my404:1', 'example.com/404/app:1',
    'app@sha256:404', '', undefined, 42, null, { image: 'x:404' }]) assert.equal(absentImage(img), false, String(img));
  assert.equal(podHasAbsentImage({ spec: { initContainers: [{ image: 'a:404' }], containers: [{ image: 'nginx' }] } }), true);
  assert.equal(podHasAbsentImage({ spec: { containers: [{ image: 'nginx' }, { name: 'no-image' }, null] } }), false);
  assert.equal(podHasAbsentImage({}), false);
});

test('a pod of an absent image stays Pending: ErrImagePull, then ImagePullBackOff; a known image with an absent tag is not run either', async () => {
  const c = await startCluster();
  try {
    for (const [name, image] of [['ws', 'webserver:404'], ['hd', 'httpd:404']]) {
      await c.store.create(R.pods, 'default', { metadata: { name }, spec: { containers: [{ name: 'c', image }] } });
    }
    const cs = async (n: string) => (await c.store.get(R.pods, 'default', n)).status?.containerStatuses?.[0];
    await c.until(async () => (await cs('ws'))?.state?.waiting?.reason === 'ImagePullBackOff' && (await cs('hd'))?.state?.waiting?.reason === 'ImagePullBackOff', { what: 'back-off' });
    for (const n of ['ws', 'hd']) assert.equal((await c.store.get(R.pods, 'default', n)).status.phase, 'Pending');
    const ev = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.name === 'ws').map((e) => `${e.reason}: ${e.message}`);
    assert.ok(ev.includes('Failed: Failed to pull image "webserver:404": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/webserver:404": failed to resolve reference "docker.io/library/webserver:404": docker.io/library/webserver:404: not found'), ev.join('\n'));
  } finally { await c.close(); }
});
