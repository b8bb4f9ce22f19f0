// Image pulls as upstream's kubelet reports them: an image a node lacks (or policy Always) gives
// Pulling + "Successfully pulled"; an image the node holds gives one Pulled "already present".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeImages, SANDBOX_IMAGE } from '../../src/kubelet/image-pulls.ts';
import { startCluster, R } from '../controllers/harness.ts';
import type { Cluster } from '../controllers/harness.ts';
import type { Pod } from '../../src/types/generated.ts';

const mk = (uid: string, node: string, containers: { name: string; image?: string; imagePullPolicy?: string }[], initContainers?: { name: string; image?: string }[]): Pod =>
  ({ metadata: { name: uid, namespace: 'default', uid }, spec: { nodeName: node, containers, ...(initContainers ? { initContainers } : {}) } }) as Pod;
const web = { name: 'web', image: 'nginx:1.27' };

test('a node holds the sandbox image from the start, under any spelling of its reference', () => {
  const im = new NodeImages();
  assert.equal(im.has('n1', SANDBOX_IMAGE), true);
  const p = mk('a', 'n1', [{ name: 'c', image: SANDBOX_IMAGE }]);
  assert.equal(im.pulling(p, p.spec!.containers[0]), false);
  assert.equal(im.started(p, p.spec!.containers[0]), false);
  assert.equal(im.has('n1', 'nginx:1.27'), false);
});

test('the first pod of an image on a node pulls it; later pods find it present; other nodes still pull', () => {
  const im = new NodeImages();
  const a = mk('a', 'n1', [web]), b = mk('b', 'n1', [web]), c = mk('c', 'n2', [web]);
  assert.equal(im.pulling(a, web), true);
  // b is created while a's pull is under way: it pulls too (as the kubelet's image manager would).
  assert.equal(im.pulling(b, web), true);
  assert.equal(im.started(a, web), true);
  assert.equal(im.started(b, web), true, 'b keeps the decision taken when it emitted Pulling');
  assert.equal(im.has('n1', 'docker.io/library/nginx:1.27'), true, 'the normalised reference is the same image');
  const d = mk('d', 'n1', [web]);
  assert.equal(im.pulling(d, web), false);
  assert.equal(im.started(d, web), false);
  assert.equal(im.pulling(c, web), true, 'n2 has not pulled it');
});

test('policy Always always pulls, Never never does, a pull bound to fail pulls even a present image', () => {
  const im = new NodeImages();
  const pause = { name: 'p', image: SANDBOX_IMAGE, imagePullPolicy: 'Always' };
  const p = mk('a', 'n1', [pause]);
  assert.equal(im.pulling(p, pause), true);
  assert.equal(im.started(p, pause), true);
  const latest = { name: 'l', image: 'nginx' }; // untagged: Always by default
  const q = mk('b', 'n1', [latest]);
  im.started(q, latest);
  assert.equal(im.pulling(q, latest), true);
  const never = { name: 'n', image: 'busybox:1.36', imagePullPolicy: 'Never' };
  assert.equal(im.pulling(mk('c', 'n1', [never]), never), false);
  assert.equal(im.pulling(mk('d', 'n1', [{ name: 'x', image: SANDBOX_IMAGE }]), { name: 'x', image: SANDBOX_IMAGE }, true), true);
});

test('containers not decided before (init containers, a pod created before a restart) are decided at start; forget drops a pod', () => {
  const im = new NodeImages();
  const init = { name: 'i', image: 'busybox:1.36' };
  const p = mk('a', 'n1', [web], [init]);
  im.pulling(p, web);
  assert.equal(im.started(p, init), true, 'absent: pulled now');
  assert.equal(im.started(mk('b', 'n1', [], [init]), init), false, 'now present');
  im.forget('a');
  assert.equal(im.started(p, web), true, 'undecided again after forget, and absent');
  assert.equal(im.started(mk('c', 'n2', [{ name: 'm', image: 'memcached:1.6' }]), { name: 'm', image: 'memcached:1.6' }), true);
});

const events = async (c: Cluster, name: string) => (await c.list(R.events, 'default'))
  .filter((e) => e.involvedObject?.name === name && /^Pull/.test(e.reason)).map((e) => `${e.reason}: ${e.message}`).sort();
const running = async (c: Cluster, name: string) => (await c.store.get(R.pods, 'default', name)).status?.phase === 'Running';

test('served kubelet: a stage-table pod pulls an image the node lacks once; the next pod finds it present', async () => {
  const c = await startCluster();
  try {
    const image = 'example.com/app:1'; // not in the catalogue: the stage table runs it
    await c.store.create(R.pods, 'default', { metadata: { name: 'first' }, spec: { containers: [{ name: 'c', image }] } });
    await c.until(() => running(c, 'first'), { what: 'first Running' });
    await c.store.create(R.pods, 'default', { metadata: { name: 'second' }, spec: { containers: [{ name: 'c', image }] } });
    await c.until(() => running(c, 'second'), { what: 'second Running' });
    await c.settle();
    const first = await events(c, 'first');
    assert.equal(first.length, 2, first.join('\n'));
    assert.equal(first[0], `Pulled: Successfully pulled image "${image}" in 1s (1s including waiting). Image size: ${/Image size: (\d+)/.exec(first[0])![1]} bytes.`);
    assert.equal(first[1], `Pulling: Pulling image "${image}"`);
    assert.deepEqual(await events(c, 'second'), [`Pulled: Container image "${image}" already present on machine`]);
  } finally { await c.close(); }
});

test('served kubelet: a container-runtime pod of the sandbox image gets only "already present"', async () => {
  const c = await startCluster();
  try {
    await c.store.create(R.pods, 'default', { metadata: { name: 'pause' }, spec: { containers: [{ name: 'c', image: SANDBOX_IMAGE }] } });
    await c.until(() => running(c, 'pause'), { what: 'Running' });
    await c.settle();
    assert.deepEqual(await events(c, 'pause'), [`Pulled: Container image "${SANDBOX_IMAGE}" already present on machine`]);
    const reasons = (await c.list(R.events, 'default')).filter((e) => e.involvedObject?.name === 'pause').map((e) => e.reason).sort();
    assert.deepEqual(reasons, ['Created', 'Pulled', 'Scheduled', 'Started']);
  } finally { await c.close(); }
});
