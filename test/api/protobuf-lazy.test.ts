// Protobuf support is loaded lazily (api/protobuf-loader.ts): the very first requests naming
// protobuf, sent before the background preload, must still be decoded and answered in protobuf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import { decodeEnvelope, encodeEnvelope } from '../../src/protobuf/index.ts';

const PB = 'application/vnd.kubernetes.protobuf';

test('first protobuf requests after start-up: list answered and body decoded in protobuf', async () => {
  const server = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false });
  try {
    const auth = { Authorization: `Bearer ${server.token}` };
    const list = await fetch(`${server.url}/api/v1/namespaces`, { headers: { ...auth, Accept: PB } });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('content-type'), PB);
    const decoded = decodeEnvelope(new Uint8Array(await list.arrayBuffer())).object as any;
    assert.equal(decoded.kind, 'NamespaceList');
    assert.ok(decoded.items.some((n: any) => n.metadata.name === 'default'));

    const body = Uint8Array.from(encodeEnvelope({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pb' }, data: { k: 'v' } }));
    const created = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', body, headers: { ...auth, 'Content-Type': PB, Accept: 'application/json' } });
    assert.equal(created.status, 201, await created.clone().text());
    assert.deepEqual((await created.json()).data, { k: 'v' });
  } finally {
    await server.stop();
  }
});
