// Bytes-only kinds (core Events) are encoded into shared slabs; other kinds get buffers of their own.
// Either way the bytes are exactly the object's JSON, and they survive SQLite and a reopen unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, setUnretained } from '../../src/registry/codec.ts';
import { packedBytes } from '../../src/registry/value-slabs.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';

const ev = (i: number) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: `e${i}`, namespace: 'default', resourceVersion: '7' }, reason: 'Started', message: `é ${'x'.repeat(i % 50)}` });

test('event values share slabs, pod values do not; the bytes are the JSON without resourceVersion', (t) => {
  setUnretained(['/registry/events/']);
  t.after(() => setUnretained([]));
  const a = encode(ev(1), '/registry/events/default/e1'), b = encode(ev(2), '/registry/events/default/e2');
  assert.equal(a.buffer, b.buffer);
  assert.ok(a.buffer.byteLength > a.byteLength + b.byteLength);
  const e1 = ev(1);
  assert.equal(Buffer.from(a).toString(), JSON.stringify({ ...e1, metadata: { name: 'e1', namespace: 'default' } }));
  const p = encode({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, '/registry/pods/default/p');
  assert.equal(p.buffer.byteLength, p.byteLength);
  // Without a key (or past the size limit) a value has its own buffer too.
  assert.equal(encode(ev(3)).buffer.byteLength, encode(ev(3)).byteLength);
  const big = packedBytes('y'.repeat(5000));
  assert.equal(big.buffer.byteLength, 5000);
});

test('slab views are written to SQLite and read back byte for byte, after a reopen too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-slabs-'));
  const path = join(dir, 'skiff.db');
  try {
    const texts = Array.from({ length: 300 }, (_, i) => JSON.stringify(ev(i)));
    let b = new SqliteBackend({ path, compactIntervalMs: 0 });
    for (let i = 0; i < texts.length; i++) await b.create(`/e/${String(i).padStart(3, '0')}`, packedBytes(texts[i]));
    await b.close();
    b = new SqliteBackend({ path, compactIntervalMs: 0 });
    const { items } = await b.list('/e/');
    assert.deepEqual(items.map((kv) => Buffer.from(kv.value).toString()), texts);
    await b.close();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
