// sendJsonList(): chunk buffers are lent to the socket and reused only after the stream reports each
// chunk written. Two lists sent at once into streams that finish their writes late must each deliver
// exactly their own bytes (a buffer reused too early would show up as the other list's bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { decode, encode, jsonListBody } from '../../src/registry/codec.ts';
import type { KObject } from '../../src/registry/strategy.ts';
import { sendJsonList } from '../../src/api/respond.ts';

function lateSink(): { res: ServerResponse; done: Promise<{ headers: Record<string, unknown>; body: Buffer }> } {
  const out: Buffer[] = [];
  const headers: Record<string, unknown> = {};
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  // The chunk is read only when the write completes, as a socket does.
  const w = new Writable({ highWaterMark: 1, write(c: Buffer, _e, cb) { setTimeout(() => { out.push(Buffer.from(c)); cb(); }, 1); }, final(cb) { cb(); finish(); } });
  const res = Object.assign(w, { headersSent: false, statusCode: 0, socket: null, setHeader(k: string, v: unknown) { headers[k.toLowerCase()] = v; }, hasHeader(k: string) { return k.toLowerCase() in headers; } });
  return { res: res as unknown as ServerResponse, done: done.then(() => ({ headers, body: Buffer.concat(out) })) };
}

const items = (tag: string, n: number) => Array.from({ length: n }, (_, i) =>
  decode({ key: `/${tag}/${i}`, value: encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${tag}-${i}` }, data: { v: tag.repeat(3000) } } as KObject), createRevision: i + 1, modRevision: i + 1 }));

test('concurrent list bodies sent into late-completing streams arrive intact', async () => {
  const a = items('a', 400);
  const b = items('b', 300);
  const want = (xs: typeof a) => Buffer.from(`{"items":[${xs.map((e) => e.json).join(',')}]}`);
  const sa = lateSink();
  const sb = lateSink();
  sendJsonList(sa.res, jsonListBody('{"items":[', a, ']}'));
  sendJsonList(sb.res, jsonListBody('{"items":[', b, ']}'));
  const [ra, rb] = await Promise.all([sa.done, sb.done]);
  assert.ok(want(a).length > 4 * 256 * 1024, 'several chunks each');
  assert.equal(ra.headers['content-length'], want(a).length);
  assert.ok(ra.body.equals(want(a)), 'list a intact');
  assert.ok(rb.body.equals(want(b)), 'list b intact');
});

test('a destroyed response stops the list being produced', async () => {
  const s = lateSink();
  const body = jsonListBody('{"items":[', items('c', 400), ']}');
  let produced = 0;
  const counting = { length: body.length, next: (into: Buffer) => { produced++; return body.next(into); } };
  sendJsonList(s.res, counting);
  (s.res as unknown as Writable).destroy();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(produced, 1, 'only the chunk written before the hang-up');
});
