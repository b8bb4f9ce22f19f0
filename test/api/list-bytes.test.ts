// JSON lists are written from each item's stored bytes: the body must be exactly the list envelope
// around the items' own JSON (as a GET of each answers it), with a matching Content-Length.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cm, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
before(async () => { f = await startFixture(); });
after(async () => { await f.stop(); });

const envelope = (rv: string, items: string[], extra = '') =>
  `{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"${rv}"${extra}},"items":[${items.join(',')}]}`;

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
