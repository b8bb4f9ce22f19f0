// client-go's metadata client (controller-runtime's metadata-only informers, the garbage collector
// upstream) asks for PartialObjectMetadata[List] in protobuf first, then JSON. Built-in resources
// answer in protobuf with the transformed kind named in Content-Type; custom resources, which have
// no protobuf form, answer the JSON alternative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server.ts';
import { decodeEnvelope, decodeWatchFrames } from '../../src/protobuf/index.ts';

const PB = 'application/vnd.kubernetes.protobuf';
const accept = (kind: string) => `${PB};as=${kind};g=meta.k8s.io;v=v1,application/json;as=${kind};g=meta.k8s.io;v=v1,application/json`;

async function withServer(fn: (get: (path: string, accept: string) => Promise<Response>, send: (method: string, path: string, body: unknown) => Promise<Response>) => Promise<void>) {
  const server = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false });
  const auth = { Authorization: `Bearer ${server.token}` };
  try {
    await fn(
      (path, a) => fetch(`${server.url}${path}`, { headers: { ...auth, Accept: a } }),
      (method, path, body) => fetch(`${server.url}${path}`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    );
  } finally {
    await server.stop();
  }
}

test('metadata-only get and list of a built-in kind are answered in protobuf', async () => {
  await withServer(async (get, send) => {
    const made = await send('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm1', labels: { a: 'b' } }, data: { secret: 'x' } });
    assert.equal(made.status, 201);
    const list = await get('/api/v1/namespaces/default/configmaps', accept('PartialObjectMetadataList'));
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('content-type'), `${PB};as=PartialObjectMetadataList;v=v1;g=meta.k8s.io`);
    const decoded = decodeEnvelope(new Uint8Array(await list.arrayBuffer()));
    assert.equal(decoded.apiVersion, 'meta.k8s.io/v1');
    assert.equal(decoded.kind, 'PartialObjectMetadataList');
    const item = decoded.object.items.find((i: any) => i.metadata.name === 'm1');
    assert.deepEqual(item.metadata.labels, { a: 'b' });
    assert.equal(item.data, undefined);
    assert.match(decoded.object.metadata.resourceVersion, /^\d+$/);

    const one = await get('/api/v1/namespaces/default/configmaps/m1', accept('PartialObjectMetadata'));
    assert.equal(one.status, 200);
    assert.equal(one.headers.get('content-type'), `${PB};as=PartialObjectMetadata;v=v1;g=meta.k8s.io`);
    const obj = decodeEnvelope(new Uint8Array(await one.arrayBuffer()));
    assert.equal(obj.kind, 'PartialObjectMetadata');
    assert.equal(obj.object.metadata.name, 'm1');
    assert.equal(obj.object.data, undefined);
  });
});

test('metadata-only requests without protobuf are answered in JSON; a missing object is a 404', async () => {
  await withServer(async (get) => {
    const json = await get('/api/v1/namespaces', 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    assert.equal(json.status, 200);
    assert.equal(json.headers.get('content-type'), 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io');
    assert.equal((await json.json()).kind, 'PartialObjectMetadataList');
    const missing = await get('/api/v1/namespaces/default/configmaps/nope', accept('PartialObjectMetadata'));
    assert.equal(missing.status, 404);
  });
});

test('metadata-only list of a custom resource falls back to JSON (custom objects have no protobuf form)', async () => {
  await withServer(async (get, send) => {
    const crd = await send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.meta.skiff.test' },
      spec: { group: 'meta.skiff.test', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    });
    assert.equal(crd.status, 201, await crd.clone().text());
    let res: Response | undefined;
    for (let i = 0; i < 200; i++) {
      res = await get('/apis/meta.skiff.test/v1/namespaces/default/gadgets', accept('PartialObjectMetadataList'));
      if (res.status !== 404) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(res!.status, 200, await res!.clone().text());
    assert.equal(res!.headers.get('content-type'), 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io');
    assert.equal((await res!.json()).kind, 'PartialObjectMetadataList');
  });
});

test('a metadata-only watch of a built-in kind streams protobuf frames of PartialObjectMetadata', async () => {
  await withServer(async (get, send) => {
    const list = await get('/api/v1/namespaces/default/configmaps', accept('PartialObjectMetadataList'));
    const rv = decodeEnvelope(new Uint8Array(await list.arrayBuffer())).object.metadata.resourceVersion;
    const watchRes = await get(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=5`, accept('PartialObjectMetadata'));
    assert.equal(watchRes.status, 200);
    assert.equal(watchRes.headers.get('content-type'), `${PB};stream=watch`);
    assert.equal((await send('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1' }, data: { k: 'v' } })).status, 201);
    const reader = watchRes.body!.getReader();
    let buf = new Uint8Array(0);
    let events: { type: string; object: Record<string, any> }[] = [];
    while (!events.length) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'watch ended before the ADDED event');
      buf = new Uint8Array([...buf, ...value!]);
      events = decodeWatchFrames(buf).events;
    }
    await reader.cancel();
    assert.equal(events[0].type, 'ADDED');
    assert.equal(events[0].object.kind, 'PartialObjectMetadata');
    assert.equal(events[0].object.metadata.name, 'w1');
    assert.equal(events[0].object.data, undefined);
  });
});

test('a whole stored object answered in protobuf decodes to the same object as its JSON answer', async () => {
  await withServer(async (get, send) => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'whole', labels: { a: 'b' }, annotations: { n: 'x'.repeat(300) } }, data: { k: 'v', empty: '' }, binaryData: { b: 'AAEC' } };
    const made = await send('POST', '/api/v1/namespaces/default/configmaps', cm);
    assert.equal(made.status, 201);
    const json = await (await get('/api/v1/namespaces/default/configmaps/whole', 'application/json')).json();
    const pb = await get('/api/v1/namespaces/default/configmaps/whole', PB);
    assert.equal(pb.status, 200);
    assert.equal(pb.headers.get('content-type'), PB);
    const decoded = decodeEnvelope(new Uint8Array(await pb.arrayBuffer()));
    assert.deepEqual(decoded.object, json, 'the protobuf answer carries exactly the stored object, resourceVersion and managedFields included');
    // A pod: defaults, nested lists, quantities and times.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } }, ports: [{ containerPort: 80 }] }] } };
    assert.equal((await send('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
    const podJson = await (await get('/api/v1/namespaces/default/pods/p', 'application/json')).json();
    const podPb = decodeEnvelope(new Uint8Array(await (await get('/api/v1/namespaces/default/pods/p', PB)).arrayBuffer()));
    assert.deepEqual(podPb.object, podJson);
  });
});
