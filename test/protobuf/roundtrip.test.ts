import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEnvelope, encodeEnvelope, encodeWatchEvent, decodeWatchFrames, canEncode, PROTOBUF } from '../../src/protobuf/index.ts';
import { decodeMessage, encodeMessage, formatDuration, parseDuration } from '../../src/protobuf/codec.ts';
import { RESOURCES, gvString } from '../../src/registry/resources.ts';
import { corpus } from './corpus.ts';

const clone = (o: unknown) => JSON.parse(JSON.stringify(o));

for (const [name, obj] of Object.entries(corpus)) {
  test(`round trip: ${name} (${obj.apiVersion} ${obj.kind})`, () => {
    const input = clone(obj);
    const bytes = encodeEnvelope(input);
    assert.deepEqual(input, obj, 'encoding must not mutate its input');
    assert.deepEqual([...bytes.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
    const out = decodeEnvelope(bytes);
    assert.equal(out.apiVersion, obj.apiVersion);
    assert.equal(out.kind, obj.kind);
    assert.deepEqual(out.object, obj);
  });
}

test('the media type constant', () => {
  assert.equal(PROTOBUF, 'application/vnd.kubernetes.protobuf');
});

test('every built-in resource kind (and its List) encodes and round-trips', () => {
  let n = 0;
  for (const r of RESOURCES) {
    const apiVersion = gvString(r);
    assert.ok(canEncode(apiVersion, r.kind), `${apiVersion} ${r.kind}`);
    const obj = { apiVersion, kind: r.kind, metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z', labels: { a: 'b' } } };
    assert.deepEqual(decodeEnvelope(encodeEnvelope(obj)).object, obj);
    if (r.verbs.includes('list')) {
      const list = { apiVersion, kind: `${r.kind}List`, metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'x' } }] };
      assert.deepEqual(decodeEnvelope(encodeEnvelope(list)).object, list);
    }
    n++;
  }
  assert.ok(n > 50);
});

test('canEncode: built-ins and meta kinds yes, custom resources and Table no', () => {
  assert.equal(canEncode('apps/v1', 'Deployment'), true);
  assert.equal(canEncode('v1', 'Status'), true);
  assert.equal(canEncode('batch/v1', 'DeleteOptions'), true);
  assert.equal(canEncode('autoscaling/v1', 'Scale'), true);
  assert.equal(canEncode('policy/v1', 'Eviction'), true);
  assert.equal(canEncode('example.com/v1', 'Widget'), false);
  assert.equal(canEncode('meta.k8s.io/v1', 'Table'), false);
  assert.equal(canEncode('apps/v1', 'Pod'), false);
});

test('special types: Time drops sub-second precision like upstream, MicroTime keeps microseconds', () => {
  const ns = decodeEnvelope(encodeEnvelope({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', creationTimestamp: '2026-01-01T01:02:03.999+02:00' } })).object;
  assert.equal(ns.metadata.creationTimestamp, '2025-12-31T23:02:03Z');
  const lease = decodeEnvelope(encodeEnvelope({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { renewTime: '2026-01-01T00:00:00.1234567Z' } })).object;
  assert.equal(lease.spec.renewTime, '2026-01-01T00:00:00.123456Z');
});

test('special types: int-or-string, quantities given as numbers, raw JSON', () => {
  const svc = decodeEnvelope(encodeEnvelope({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 0 }, { port: 81, targetPort: '' }] } })).object;
  assert.deepEqual(svc.spec.ports, [{ port: 80, targetPort: 0 }, { port: 81, targetPort: '' }]);
  const rq = decodeEnvelope(encodeEnvelope({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: 10 } } })).object;
  assert.deepEqual(rq.spec.hard, { pods: '10' });
});

test('Secret.data is bytes on the wire and base64 in JSON', () => {
  const bytes = encodeEnvelope({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: Buffer.from('plain-secret-value').toString('base64') } });
  assert.ok(Buffer.from(bytes).includes(Buffer.from('plain-secret-value')), 'raw bytes on the wire, not base64 text');
  assert.equal(decodeEnvelope(bytes).object.data.k, Buffer.from('plain-secret-value').toString('base64'));
});

test('decode drops zero scalars of omitempty non-pointer fields (as upstream JSON does) but keeps pointer zeros', () => {
  const d = decodeEnvelope(encodeEnvelope({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generateName: '', generation: 0 }, spec: { replicas: 0, minReadySeconds: 0, paused: false } })).object;
  assert.deepEqual(d.metadata, { name: 'd' });
  assert.deepEqual(d.spec, { replicas: 0 });
});

test('repeated int32 accepted packed as well as unpacked', () => {
  // PodFailurePolicyOnExitCodesRequirement: field 3 `values`; packed form = tag (3<<3|2), len, varints.
  const packed = new Uint8Array([0x12, 0x02, 0x49, 0x6e, 0x1a, 0x03, 0x01, 0x02, 0x2a]);
  assert.deepEqual(decodeMessage('k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', packed), { operator: 'In', values: [1, 2, 42] });
  const unpacked = encodeMessage('k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', { operator: 'In', values: [1, 2, 42] });
  assert.deepEqual([...unpacked], [0x12, 0x02, 0x49, 0x6e, 0x18, 0x01, 0x18, 0x02, 0x18, 0x2a]);
});

test('negative int32 and large int64 survive', () => {
  const ev = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [], priority: -5, activeDeadlineSeconds: 9007199254740991 } };
  assert.deepEqual(decodeEnvelope(encodeEnvelope(ev)).object.spec, { priority: -5, activeDeadlineSeconds: 9007199254740991 });
});

test('unknown protobuf fields are skipped', () => {
  // Namespace body with an extra field 99 (varint) and 98 (length-delimited) around metadata.
  const ns = encodeMessage('k8s.io.api.core.v1.Namespace', { metadata: { name: 'a' } });
  const extra = new Uint8Array([0x98, 0x06, 0x05, 0x92, 0x06, 0x02, 0x68, 0x69]);
  const body = new Uint8Array([...extra, ...ns]);
  assert.deepEqual(decodeMessage('k8s.io.api.core.v1.Namespace', body), { metadata: { name: 'a' } });
});

test('Duration formatting and parsing match Go', () => {
  for (const [s, ns] of [['0s', 0], ['1h2m3s', 3723e9], ['1.5s', 1.5e9], ['300ms', 3e8], ['2µs', 2000], ['5ns', 5], ['-1m0s', -60e9], ['1h0m0s', 3600e9]] as const) {
    assert.equal(parseDuration(s), ns, s);
    assert.equal(formatDuration(ns), s, s);
  }
  assert.equal(decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.Duration', encodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.Duration', '90s')), '1m30s');
});

test('watch frames: 4-byte big-endian length + WatchEvent whose object is an enveloped object', () => {
  const pod = corpus.podList.items[0];
  const obj = { apiVersion: 'v1', kind: 'Pod', ...pod };
  const frame = encodeWatchEvent('ADDED', obj);
  const len = new DataView(frame.buffer, frame.byteOffset).getUint32(0, false);
  assert.equal(len, frame.length - 4);
  assert.equal(frame[4], 0x0a, 'WatchEvent field 1 (type) first, no k8s magic on the event itself');
  const status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 };
  const stream = Buffer.concat([frame, encodeWatchEvent('ERROR', status), encodeWatchEvent('BOOKMARK', { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '12', annotations: { 'k8s.io/initial-events-end': 'true' } } })]);
  const partial = decodeWatchFrames(stream.subarray(0, stream.length - 3));
  assert.equal(partial.events.length, 2);
  const all = decodeWatchFrames(stream);
  assert.equal(all.consumed, stream.length);
  assert.deepEqual(all.events.map((e) => e.type), ['ADDED', 'ERROR', 'BOOKMARK']);
  assert.deepEqual(all.events[0].object, obj);
  assert.deepEqual(all.events[1].object, status);
});

test('RawExtension holding a nested envelope decodes to the object', () => {
  const inner = encodeEnvelope({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
  const w = encodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent', { type: 'ADDED' });
  const raw = new Uint8Array([...w, 0x12, inner.length + 2, 0x0a, inner.length, ...inner]);
  assert.deepEqual(decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent', raw), { type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } } });
});

test('encoding an object the schema cannot represent is a 500 StatusError', () => {
  for (const bad of [
    { apiVersion: 'example.com/v1', kind: 'Widget' },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 5 } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { creationTimestamp: 'yesterday' } },
    { apiVersion: 'v1', kind: 'Pod', spec: { containers: 'nope' } },
  ]) {
    assert.throws(() => encodeEnvelope(bad as any), (e: any) => e.code === 500 && e.status?.kind === 'Status', JSON.stringify(bad));
  }
});

// encodeListEnvelope(): a list of the store's shared objects, each item encoded once per object and
// reused; the bytes must equal the generic encoding of the same list, for every kind.
import { encodeListEnvelope } from '../../src/protobuf/index.ts';

test('a list laid out from shared item encodings equals the generic encoding, for every listable kind', () => {
  const big = Object.values(corpus).filter((o) => o.kind === 'Pod');
  assert.ok(big.length > 0);
  for (const r of RESOURCES) {
    if (!r.verbs.includes('list')) continue;
    const apiVersion = gvString(r);
    const items = r.kind === 'Pod' ? big.map(clone) : [{ metadata: { name: 'x', labels: { a: 'b' } } }, { metadata: { name: 'y'.repeat(300) } }];
    const head = { apiVersion, kind: `${r.kind}List`, metadata: { resourceVersion: '7', continue: 'abc', remainingItemCount: 3 } };
    const want = Buffer.from(encodeEnvelope({ ...head, items }));
    assert.deepEqual(Buffer.from(encodeListEnvelope(head, items)), want, `${r.kind}List`);
    assert.deepEqual(Buffer.from(encodeListEnvelope(head, items)), want, `${r.kind}List again (reused item encodings)`);
  }
  const head = { apiVersion: 'v1', kind: 'PodList', metadata: {} };
  assert.deepEqual(Buffer.from(encodeListEnvelope(head, [])), Buffer.from(encodeEnvelope({ ...head, items: [] })), 'empty list');
});

test('a list item the schema cannot represent is a 500 naming the list kind, not a crash', () => {
  assert.throws(() => encodeListEnvelope({ apiVersion: 'v1', kind: 'PodList', metadata: {} }, [{ metadata: { name: 5 } }]),
    (e: any) => e.code === 500 && /unable to encode PodList as protobuf/.test(e.message));
});

test('watch frames of a shared object equal the unshared encoding', () => {
  const pod = clone(Object.values(corpus).find((o) => o.kind === 'Pod'));
  const a = encodeWatchEvent('MODIFIED', pod, true);
  assert.deepEqual(Buffer.from(encodeWatchEvent('MODIFIED', pod, true)), Buffer.from(a));
  assert.deepEqual(Buffer.from(encodeWatchEvent('MODIFIED', pod)), Buffer.from(a));
});
