import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEnvelope, encodeEnvelope, decodeWatchFrames } from '../../src/protobuf/index.ts';
import { StatusError } from '../../src/errors.ts';
import { corpus } from './corpus.ts';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

function is400(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${e}`);
    assert.equal(e.code, 400);
    assert.equal(e.status.reason, 'BadRequest');
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

/** Decoding must either succeed or throw a 400 StatusError: never anything else. */
function decodesOr400(buf: Uint8Array): 'ok' | 'bad' {
  try { decodeEnvelope(buf); return 'ok'; } catch (e) {
    assert.ok(e instanceof StatusError, `non-Status exception: ${e}`);
    assert.equal(e.code, 400);
    return 'bad';
  }
}

/** Hand-built envelope: Unknown{typeMeta{apiVersion,kind}, raw}. */
function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  const tm = [0x0a, apiVersion.length, ...Buffer.from(apiVersion), 0x12, kind.length, ...Buffer.from(kind)];
  return new Uint8Array([...MAGIC, 0x0a, tm.length, ...tm, 0x12, raw.length, ...raw]);
}

test('empty body and wrong magic', () => {
  is400(() => decodeEnvelope(new Uint8Array(0)), /prefix/);
  is400(() => decodeEnvelope(new Uint8Array([0x6b, 0x38])), /prefix/);
  is400(() => decodeEnvelope(Buffer.from('{"kind":"Pod","apiVersion":"v1"}')), /prefix/);
  const good = encodeEnvelope(corpus.namespace);
  const bad = new Uint8Array(good); bad[3] = 0x01;
  is400(() => decodeEnvelope(bad), /prefix/);
});

test('unknown kind and missing kind', () => {
  is400(() => decodeEnvelope(envelope('example.com/v1', 'Widget', [])), /no kind "Widget" is registered for version "example.com\/v1"/);
  is400(() => decodeEnvelope(envelope('apps/v1', 'Pod', [])), /no kind "Pod"/);
  is400(() => decodeEnvelope(new Uint8Array([...MAGIC, 0x12, 0x00])), /Kind/);
});

test('a minimal hand-built envelope decodes', () => {
  // Namespace{metadata{name:"a"}}
  assert.deepEqual(decodeEnvelope(envelope('v1', 'Namespace', [0x0a, 0x03, 0x0a, 0x01, 0x61])).object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } });
});

test('every truncation of a real body is either a clean 400 or a valid shorter message, never a crash', () => {
  for (const name of ['pod', 'crd', 'node', 'podList']) {
    const buf = encodeEnvelope(corpus[name]);
    let bad = 0;
    for (let n = 0; n < buf.length; n++) if (decodesOr400(buf.subarray(0, n)) === 'bad') bad++;
    // Only cuts at the very end (inside the trailing empty contentEncoding/contentType) can still parse.
    assert.ok(bad >= buf.length - 6, `${name}: ${bad} of ${buf.length} truncations rejected`);
  }
  is400(() => decodeEnvelope(encodeEnvelope(corpus.pod).subarray(0, 200)), /truncated|premature|overrun|length/);
});

test('oversized length fields', () => {
  // raw claims 0x7fffffff bytes
  is400(() => decodeEnvelope(new Uint8Array([...MAGIC, 0x12, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00])));
  // raw claims more than 2^32 (varint overflow)
  is400(() => decodeEnvelope(new Uint8Array([...MAGIC, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])));
  // inner metadata length larger than raw
  is400(() => decodeEnvelope(envelope('v1', 'Namespace', [0x0a, 0x7f, 0x0a, 0x01, 0x61])), /length/);
  // a string inside metadata running past its message
  is400(() => decodeEnvelope(envelope('v1', 'Namespace', [0x0a, 0x03, 0x0a, 0x05, 0x61])));
});

test('wrong wire types and malformed tags', () => {
  // metadata (field 1) sent as a varint
  is400(() => decodeEnvelope(envelope('v1', 'Namespace', [0x08, 0x01])), /wire type/);
  // field number 0
  is400(() => decodeEnvelope(envelope('v1', 'Namespace', [0x02, 0x00])));
  // stray end-group tag
  is400(() => decodeEnvelope(envelope('v1', 'Namespace', [0x0c])));
  // unsupported content encoding
  const ok = [...encodeEnvelope(corpus.namespace)];
  is400(() => decodeEnvelope(new Uint8Array([...ok.slice(0, -4), 0x1a, 0x04, ...Buffer.from('gzip'), 0x22, 0x00])), /content encoding/);
});

test('RawExtension / FieldsV1 bytes that are not JSON', () => {
  // ControllerRevision.data (field 2) = RawExtension{raw: "{nope"}
  const raw = [...Buffer.from('{nope')];
  is400(() => decodeEnvelope(envelope('apps/v1', 'ControllerRevision', [0x12, raw.length + 2, 0x0a, raw.length, ...raw])), /JSON/);
});

test('pathologically deep nesting is rejected, not a stack overflow', () => {
  // JSONSchemaProps.not (field 28) nested 3000 times inside a CRD's openAPIV3Schema.
  let inner: number[] = [];
  const tag = [((28 << 3) | 2) & 0x7f | 0x80, ((28 << 3) | 2) >> 7];
  for (let i = 0; i < 3000; i++) {
    const len = inner.length;
    const varint: number[] = [];
    let v = len; do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; varint.push(b); } while (v);
    inner = [...tag, ...varint, ...inner];
  }
  // CustomResourceValidation{openAPIV3Schema(1)} inside CustomResourceDefinitionVersion.schema(4) inside spec.versions(7) inside spec(2)
  const wrap = (field: number, body: number[]) => { const varint: number[] = []; let v = body.length; do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; varint.push(b); } while (v); return [field << 3 | 2, ...varint, ...body]; };
  const body = wrap(2, wrap(7, wrap(4, wrap(1, inner))));
  const tmBytes = [0x0a, 0x17, ...Buffer.from('apiextensions.k8s.io/v1'), 0x12, 0x18, ...Buffer.from('CustomResourceDefinition')];
  const buf = new Uint8Array([...MAGIC, 0x0a, tmBytes.length, ...tmBytes, ...wrap(2, body)]);
  is400(() => decodeEnvelope(buf), /too deep/);
});

test('random garbage and mutated bodies never crash', () => {
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
  for (let i = 0; i < 300; i++) {
    const n = Math.floor(rand() * 200);
    const junk = new Uint8Array(n + 4);
    junk.set(MAGIC);
    for (let j = 4; j < junk.length; j++) junk[j] = Math.floor(rand() * 256);
    decodesOr400(junk);
  }
  const base = encodeEnvelope(corpus.pod);
  let bad = 0;
  for (let i = 0; i < 1500; i++) {
    const m = new Uint8Array(base);
    const flips = 1 + Math.floor(rand() * 3);
    for (let f = 0; f < flips; f++) m[4 + Math.floor(rand() * (m.length - 4))] = Math.floor(rand() * 256);
    if (decodesOr400(m) === 'bad') bad++;
  }
  assert.ok(bad > 0);
});

test('bad watch frames are 400s', () => {
  const junk = new Uint8Array([0, 0, 0, 3, 0x0a, 0x05, 0x41]);
  assert.throws(() => decodeWatchFrames(junk), (e: unknown) => e instanceof StatusError && e.code === 400);
});

test('illegal field tags are refused with the reader\'s messages (field 0, wire type 6 or 7, a tag varint over 32 bits)', () => {
  // In the envelope itself, and inside a ConfigMap body.
  is400(() => decodeEnvelope(new Uint8Array([...MAGIC, 0x00, 0x00])), /illegal tag: field no 0 wire type 0/);
  is400(() => decodeEnvelope(new Uint8Array([...MAGIC, 0x0e])), /illegal tag: field no 1 wire type 6/);
  is400(() => decodeEnvelope(envelope('v1', 'ConfigMap', [0x0f])), /illegal tag: field no 1 wire type 7/);
  is400(() => decodeEnvelope(envelope('v1', 'ConfigMap', [0xff, 0xff, 0xff, 0xff, 0x1f])), /illegal tag: varint overflows uint32/);
  is400(() => decodeEnvelope(envelope('v1', 'ConfigMap', [0x0a, 0x02, 0x00, 0x00])), /illegal tag: field no 0 wire type 0/);
});
