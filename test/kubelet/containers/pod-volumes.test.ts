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
  const vols = new PodVolumes(jb, [{ name: 'd', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'dir/name', fieldRef: { fieldPath: 'metadata.name' } }] } }],
    { pod, sources: {} as Sources, addr: { podIP: '10.0.0.5', hostIP: '10.0.0.1' }, allocatable: {} }, () => new jb.InMemoryFs());
  const fs = (await vols.get('d'))!;
  for (const [path, text] of [['/labels', 'app="web"'], ['/dir/name', 'p']]) {
    const b = await fs.readFileBuffer(path);
    assert.equal(Buffer.from(b).toString(), text);
    assert.equal(b.buffer.byteLength, b.byteLength, `${path}: not a view on a larger (pooled) buffer`);
  }
  pod.metadata.labels.app = 'api';
  await vols.refresh();
  const b = await fs.readFileBuffer('/labels');
  assert.equal(Buffer.from(b).toString(), 'app="api"');
  assert.equal(b.buffer.byteLength, b.byteLength);
});
