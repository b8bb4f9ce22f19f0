// JSON lists are written from each item's stored bytes: the body must be exactly the list envelope
// around the items' own JSON (as a GET of each answers it), with a matching Content-Length.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cm, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

// Every body ends with a newline, as Go's json.Encoder writes it; items inside a list do not, and a
// typed list's items carry no kind or apiVersion (upstream converts items without setting them).
const asItem = (body: string) => body.replace(/\n$/, '').replace(/^\{"kind":"ConfigMap","apiVersion":"v1",/, '{');
const envelope = (rv: string, items: string[], extra = '') =>
  `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"${rv}"${extra}},"items":[${items.map(asItem).join(',')}]}\n`;

test('a JSON list is byte-identical to the envelope around each item\'s GET body', async () => {
  const ns = await f.ns('bytes');
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  await f.api.post(path).send(cm('a', { k: 'plain' }));
  await f.api.post(path).send(cm('b', { k: 'ünïcødé 日本 💡' }, { tier: 'web' }));
  await f.api.put(`${path}/a`).send(cm('a', { k: 'updated' }));
  const items = [(await f.api.get(`${path}/a`)).text, (await f.api.get(`${path}/b`)).text];
  const l = await f.api.get(path);
  assert.equal(l.status, 200);
  assert.equal(l.text, envelope(l.body.metadata.resourceVersion, items));
  assert.equal(Number(l.headers['content-length']), Buffer.byteLength(l.text));
  assert.match(l.headers['content-type'], /^application\/json/);

  const p1 = await f.api.get(`${path}?limit=1`);
  const { resourceVersion: rv, continue: cont, remainingItemCount } = p1.body.metadata;
  assert.equal(remainingItemCount, 1);
  assert.equal(p1.text, envelope(rv, [items[0]], `,"continue":"${cont}","remainingItemCount":1`));
  const p2 = await f.api.get(`${path}?limit=1&continue=${encodeURIComponent(cont)}`);
  assert.equal(p2.text, envelope(rv, [items[1]]));

  const empty = await f.api.get(`/api/v1/namespaces/${ns}/configmaps?labelSelector=none%3Dx`);
  assert.equal(empty.text, envelope(empty.body.metadata.resourceVersion, []));
});

// A list larger than one chunk is sent as it is laid out, reusing chunk buffers once the socket is done
// with them: concurrent readers, slow or fast, each get exactly the body a single read gets, and a
// reader that hangs up part-way leaves the server serving.
import { request as httpRequest } from 'node:http';

function rawGet(url: string, token: string, path: string, opts: { slow?: boolean; abortAfter?: number } = {}): Promise<{ status: number; length: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, url), { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      let got = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c); got += c.length;
        if (opts.abortAfter !== undefined && got >= opts.abortAfter) { req.destroy(); resolve({ status: res.statusCode!, length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }); return; }
        if (opts.slow) { res.pause(); setTimeout(() => res.resume(), 2); }
      });
      res.on('end', () => resolve({ status: res.statusCode!, length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', (e) => { if (opts.abortAfter === undefined) reject(e); });
    req.end();
  });
}

test('a multi-chunk list: concurrent slow and fast readers get identical bodies; a hang-up mid-list is harmless', async () => {
  const ns = await f.ns('chunks');
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  for (let i = 0; i < 300; i++) {
    const r = await f.api.post(path).send(cm(`cm-${String(i).padStart(3, '0')}`, { v: `${i}:${'ü'.repeat(2000)}` }));
    assert.equal(r.status, 201);
  }
  const one = await rawGet(f.url, f.token, path);
  assert.equal(one.status, 200);
  assert.ok(one.body.length > 3 * 256 * 1024, `list spans several chunks (${one.body.length} bytes)`);
  assert.equal(one.length, one.body.length, 'Content-Length matches the body');
  const parsed = JSON.parse(one.body.toString('utf8'));
  assert.equal(parsed.items.length, 300);
  assert.deepEqual(parsed.items.map((x: any) => x.data.v.split(':')[0]), Array.from({ length: 300 }, (_, i) => String(i)));

  const aborted = rawGet(f.url, f.token, path, { abortAfter: 1 });
  const many = await Promise.all([
    rawGet(f.url, f.token, path, { slow: true }), rawGet(f.url, f.token, path), rawGet(f.url, f.token, path, { slow: true }), rawGet(f.url, f.token, path),
  ]);
  await aborted;
  for (const r of many) assert.ok(r.body.equals(one.body), 'each concurrent read gets the same bytes');
  const again = await rawGet(f.url, f.token, path);
  assert.ok(again.body.equals(one.body), 'the server still answers after a reader hung up');
});
