// containers/pod-volumes: a volume file's bytes are a buffer of their own, not a slice of Node's shared
// Buffer pool (the filesystem keeps what it is given: one small file would pin a 64 KiB slab per pod).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodVolumes } from '../../../src/kubelet/containers/pod-volumes.ts';
import { loadJustBash } from '../../../src/kubelet/containers/shell.ts';
import type { Sources } from '../../../src/kubelet/containers/sources.ts';

test('downwardAPI volume files hold exactly their bytes, and refresh rewrites them the same way', async () => {
  const jb = await loadJustBash();
  const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { app: 'web' } }, spec: { containers: [] } };
  const ctx = { pod, sources: {} as Sources, addr: { podIP: '10.0.0.5', hostIP: '10.0.0.1' }, allocatable: {} };
  const vols = new PodVolumes(jb, [{ name: 'd', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'dir/name', fieldRef: { fieldPath: 'metadata.name' } }] } }],
    ctx, () => new jb.InMemoryFs());
  const fs = (await vols.get('d'))!;
  for (const [path, text] of [['/labels', 'app="web"'], ['/dir/name', 'p']]) {
    const b = await fs.readFileBuffer(path);
    assert.equal(Buffer.from(b).toString(), text);
    assert.equal(b.buffer.byteLength, b.byteLength, `${path}: not a view on a larger (pooled) buffer`);
  }
  // A changed pod is a new object (the store never changes one it handed out).
  ctx.pod = { ...pod, metadata: { ...pod.metadata, labels: { app: 'api' } } };
  await vols.refresh();
  const b = await fs.readFileBuffer('/labels');
  assert.equal(Buffer.from(b).toString(), 'app="api"');
  assert.equal(b.buffer.byteLength, b.byteLength);
});

test('a refresh whose pod, ConfigMaps and Secrets are the same objects as at the last build makes no files; a new revision does', async () => {
  const jb = await loadJustBash();
  const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] } };
  let reads = 0;
  const counted = (data: Record<string, string>) => new Proxy(data, { ownKeys(t) { reads++; return Reflect.ownKeys(t); } });
  let cm = { metadata: { name: 'cfg', namespace: 'ns' }, data: counted({ k: 'one' }) };
  const sources = { configMap: async () => cm, secret: async () => undefined } as unknown as Sources;
  const vols = new PodVolumes(jb, [{ name: 'c', projected: { sources: [{ configMap: { name: 'cfg' } }] } }],
    { pod, sources, addr: { hostIP: '10.0.0.1' }, allocatable: {} }, () => new jb.InMemoryFs());
  const fs = (await vols.get('c'))!;
  assert.equal(await fs.readFile('/k'), 'one');
  const built = reads;
  await vols.refresh();
  await vols.refresh();
  assert.equal(reads, built, 'nothing was read again');
  cm = { metadata: { name: 'cfg', namespace: 'ns' }, data: counted({ k: 'two' }) };
  await vols.refresh();
  assert.ok(reads > built);
  assert.equal(await fs.readFile('/k'), 'two');
});

test('a volume does not keep the pod revision it was built from alive', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const jb = await loadJustBash();
  let collected = 0;
  const registry = new FinalizationRegistry(() => { collected++; });
  const ctx = { pod: { metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { v: '1' } }, spec: { containers: [] } } as Record<string, any>, sources: {} as Sources, addr: { hostIP: '10.0.0.1' }, allocatable: {} };
  registry.register(ctx.pod, 'first');
  const vols = new PodVolumes(jb, [{ name: 'd', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }], ctx as never, () => new jb.InMemoryFs());
  const fs = (await vols.get('d'))!;
  assert.equal(await fs.readFile('/labels'), 'v="1"');
  // The pod changes; until the next refresh the volume must not hold the revision it was built from.
  ctx.pod = { ...ctx.pod, metadata: { ...ctx.pod.metadata, labels: { v: '2' } } };
  for (let i = 0; i < 10 && !collected; i++) { gc(); await new Promise((r) => setImmediate(r)); }
  assert.equal(collected, 1, 'the first revision of the pod was collected');
  await vols.refresh();
  assert.equal(await fs.readFile('/labels'), 'v="2"', 'and the refresh still sees the change');
});
