import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../src/streaming/spdy/dictionary.ts';
import {
  FLAG_FIN, FrameType, MAX_FRAME_PAYLOAD, MAX_HEADER_BLOCK, SpdyProtocolError,
  controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, parseFrame, synReply,
} from '../../src/streaming/spdy/frames.ts';
import { HeaderCompressor, HeaderDecompressor } from '../../src/streaming/spdy/zlib-context.ts';

test('the SPDY/3 dictionary has its specified size and ends', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.equal(SPDY3_DICTIONARY.subarray(-10).toString('latin1'), '-,*,enq=0.');
});

test('header blocks round-trip, lower-casing names and splitting NUL-joined values', () => {
  const block = encodeHeaderBlock({ StreamType: 'data', port: '80', multi: ['a', 'b'] });
  const h = decodeHeaderBlock(block);
  assert.deepEqual([...h.entries()], [['streamtype', ['data']], ['port', ['80']], ['multi', ['a', 'b']]]);
});

test('truncated or nameless header blocks are protocol errors, not crashes', () => {
  const good = encodeHeaderBlock({ streamtype: 'error' });
  for (let n = 0; n < good.length; n++) assert.throws(() => decodeHeaderBlock(good.subarray(0, n)), SpdyProtocolError, `cut at ${n}`);
  assert.throws(() => decodeHeaderBlock(encodeHeaderBlock({ '': 'x' })), /empty header name/);
  const lying = Buffer.from(good); lying.writeUInt32BE(5, 0); // claims 5 pairs, has 1
  assert.throws(() => decodeHeaderBlock(lying), SpdyProtocolError);
});

test('frames parse only once complete; data and control frames keep their fields', () => {
  const d = dataFrame(7, Buffer.from('hello'), true);
  for (let n = 0; n < d.length; n++) assert.equal(parseFrame(d.subarray(0, n)), undefined);
  const both = Buffer.concat([d, synReply(3, Buffer.from('zz'), false)]);
  const one = parseFrame(both)!;
  assert.deepEqual(one.frame, { kind: 'data', streamId: 7, flags: FLAG_FIN, data: Buffer.from('hello') });
  const two = parseFrame(one.rest)!;
  assert.equal(two.frame.kind, 'control');
  if (two.frame.kind === 'control') {
    assert.equal(two.frame.type, FrameType.SynReply);
    assert.equal(two.frame.version, 3);
    assert.equal(two.frame.payload.readUInt32BE(0), 3);
  }
  assert.equal(two.rest.length, 0);
});

test('a frame longer than the limit is refused from its header alone', () => {
  const h = controlFrame(FrameType.SynStream, 0, Buffer.alloc(0));
  h.writeUIntBE(MAX_FRAME_PAYLOAD + 1, 5, 3);
  assert.throws(() => parseFrame(h), /exceeds/);
});

test('the compression context is shared across header blocks', async () => {
  const c = new HeaderCompressor(), d = new HeaderDecompressor();
  const block = encodeHeaderBlock({ streamtype: 'stdout', port: '8080', requestid: '0' });
  const first = await c.compress(block);
  const second = await c.compress(block);
  assert.ok(second.length < first.length, `second block (${second.length} B) reuses the first's history (${first.length} B)`);
  assert.deepEqual(await d.decompress(first), block);
  assert.deepEqual(await d.decompress(second), block);
  // The second block alone is meaningless to a fresh context.
  await assert.rejects(new HeaderDecompressor().decompress(second), SpdyProtocolError);
  c.close(); d.close();
});

test('corrupt zlib data and header-block bombs are connection errors', async () => {
  await assert.rejects(new HeaderDecompressor().decompress(Buffer.from('not zlib at all')), SpdyProtocolError);
  const bomb = deflateSync(Buffer.alloc(MAX_HEADER_BLOCK + 1024), { dictionary: SPDY3_DICTIONARY });
  const d = new HeaderDecompressor();
  await assert.rejects(d.decompress(bomb), /too large/);
  // The context stays failed: later blocks are refused too.
  await assert.rejects(d.decompress(await new HeaderCompressor().compress(encodeHeaderBlock({ a: 'b' }))), SpdyProtocolError);
});
