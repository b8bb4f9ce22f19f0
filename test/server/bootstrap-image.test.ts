// An in-memory start from the image of the state start-up writes (src/bootstrap-image.ts): the first
// start without one leaves one; a start from it has the same objects, with uids and times of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { startServer } from '../../src/server.ts';
import type { RunningServer, ServerOptions } from '../../src/server.ts';
import { bootstrapImageFiles, freshIdentities, freshImage } from '../../src/bootstrap-image.ts';
import type { BootstrapImageStore } from '../../src/bootstrap-image.ts';
import { FakeClock } from '../../src/clock.ts';
import { SqliteBackend } from '../../src/storage/sqlite.ts';
import { findResource } from '../../src/registry/resources.ts';

/** An image store in memory that counts its reads. */
function memoryImages(initial?: Uint8Array): BootstrapImageStore & { bytes?: Uint8Array; reads: number } {
  return { bytes: initial, reads: 0, read() { this.reads++; return this.bytes; }, write(b) { this.bytes = b; } };
}

const start = (o: ServerOptions) => startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, controllers: false, memoryRelief: false, ...o });

/** Every stored object by key, decoded. */
async function objects(s: RunningServer): Promise<Map<string, any>> {
  const { items } = await s.backend.list('/registry/');
  return new Map(items.map((kv) => [kv.key, JSON.parse(Buffer.from(kv.value).toString('utf8'))]));
}

function imageWritten(images: { bytes?: Uint8Array }): Uint8Array {
  assert.ok(images.bytes, 'an image is written by the time the server is ready');
  return images.bytes;
}

/** An object as the test compares it: without what a start makes its own. */
function comparable(o: any): any {
  const c = structuredClone(o);
  delete c.metadata.uid; delete c.metadata.creationTimestamp;
  for (const m of c.metadata.managedFields ?? []) delete m.time;
  for (const cond of c.status?.conditions ?? []) delete cond.lastTransitionTime;
  if (c.kind === 'Service') delete c.spec.ports;
  if (c.kind === 'Endpoints') delete c.subsets;
  if (c.kind === 'EndpointSlice') delete c.ports;
  // The front-proxy CA is this start's own (kept in memory only), as is every key and certificate.
  if (c.metadata.name === 'extension-apiserver-authentication') delete c.data['requestheader-client-ca-file'];
  return c;
}

test('an in-memory start leaves an image; the next has the same objects with fresh uids and times, and its own port', async () => {
  const images = memoryImages();
  const first = await start({ bootstrapImage: images });
  let before: Map<string, any>;
  let firstRev: number | undefined;
  try {
    before = await objects(first);
    firstRev = (await first.backend.get('/registry/configmaps/kube-system/extension-apiserver-authentication'))?.modRevision;
    assert.ok(firstRev);
    assert.ok(before.size > 100, `${before.size} objects at ready`);
    const bytes = Buffer.from(imageWritten(images)).toString('latin1');
    assert.doesNotMatch(bytes, /PRIVATE KEY/, 'no key in the image');
  } finally { await first.stop(); }
  await new Promise((r) => setTimeout(r, 1100)); // a creation time of its own (second precision)
  const second = await start({ bootstrapImage: images });
  try {
    assert.equal(images.reads, 2);
    const after = await objects(second);
    assert.deepEqual([...after.keys()].filter((k) => before.has(k)).sort(), [...before.keys()].sort(), 'every object of the image is there');
    const t0 = Date.now() - 5000;
    const uids = new Set<string>();
    for (const [key, o] of before) {
      const n = after.get(key);
      assert.deepEqual(comparable(n), comparable(o), key);
      assert.notEqual(n.metadata.uid, o.metadata.uid, `${key}: a uid of its own`);
      assert.ok(!uids.has(n.metadata.uid), `${key}: uids are distinct`);
      uids.add(n.metadata.uid);
      assert.notEqual(n.metadata.creationTimestamp, o.metadata.creationTimestamp, `${key}: created by this start`);
      assert.ok(Date.parse(n.metadata.creationTimestamp) >= t0, `${key}: ${n.metadata.creationTimestamp}`);
    }
    // The front-proxy CA published is this start's (made before the image opened), not the image's,
    // and was put in place as the image opened: the ConfigMap keeps the image's revision.
    const key = '/registry/configmaps/kube-system/extension-apiserver-authentication';
    const ca = after.get(key).data['requestheader-client-ca-file'];
    assert.notEqual(ca, before.get(key).data['requestheader-client-ca-file']);
    assert.equal(new X509Certificate(ca).subject, 'CN=front-proxy-ca');
    assert.equal((await second.backend.get(key))?.modRevision, firstRev, 'no write for it');
    // The kubernetes Service and its endpoints follow this server's port, not the image's.
    const svc = await second.store.get(findResource('', 'v1', 'services')!, 'default', 'kubernetes');
    assert.equal(svc.spec.ports[0].targetPort, second.port);
    assert.equal((await second.store.get(findResource('discovery.k8s.io', 'v1', 'endpointslices')!, 'default', 'kubernetes')).ports[0].port, second.port);
    // It serves and writes as any server.
    const res = await fetch(`${second.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { authorization: `Bearer ${second.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'after' } }) });
    assert.equal(res.status, 201);
    assert.ok(Number((await res.json()).metadata.resourceVersion) > second.backend.currentRevision() - 1);
  } finally { await second.stop(); }
});

test('ready before its FlowSchema statuses (skiff serve): the image holds them anyway, so a start from it writes none', async () => {
  const images = memoryImages();
  const fs = findResource('flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas')!;
  const first = await start({ bootstrapImage: images, readyBeforeControllers: true });
  try {
    const img = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, image: { bytes: imageWritten(images) } });
    try {
      const { items } = await img.list('/registry/flowcontrol.apiserver.k8s.io/flowschemas/');
      const dangling = items.map((kv) => JSON.parse(Buffer.from(kv.value).toString('utf8'))).filter((o) => o.status?.conditions?.some((c: any) => c.type === 'Dangling'));
      assert.equal(dangling.length, items.length, 'every FlowSchema of the image has its Dangling condition');
    } finally { await img.close(); }
  } finally { await first.stop(); }
  const second = await start({ bootstrapImage: images, readyBeforeControllers: true });
  try {
    const atReady = second.backend.currentRevision();
    await second.flowControl.config.statusSettled();
    const { items } = await second.backend.list('/registry/flowcontrol.apiserver.k8s.io/');
    assert.deepEqual(items.filter((kv) => kv.modRevision > atReady).map((kv) => kv.key), [], 'no APF write after ready');
    assert.ok((await second.store.list(fs, undefined)).items.length > 5);
  } finally { await second.stop(); }
});

test('a damaged image is not used: the start writes everything, as without one, and leaves a good image', async () => {
  const logs: string[] = [];
  const images = memoryImages(new TextEncoder().encode('not a database at all, not even close'.repeat(200)));
  const s = await start({ bootstrapImage: images, log: (m) => logs.push(m) });
  try {
    assert.ok(await s.store.tryGet(findResource('', 'v1', 'namespaces')!, undefined, 'kube-system'));
    assert.ok(logs.some((l) => /bootstrap image not used/.test(l)), logs.join('\n'));
  } finally { await s.stop(); }
  // Replaced by a good one, which the next start uses.
  assert.doesNotMatch(Buffer.from(images.bytes!).toString('latin1'), /not a database/);
  const next = await start({ bootstrapImage: images, log: (m) => logs.push(m) });
  try {
    assert.equal(logs.filter((l) => /bootstrap image not used/.test(l)).length, 1);
    assert.ok(await next.store.tryGet(findResource('', 'v1', 'namespaces')!, undefined, 'kube-system'));
  } finally { await next.stop(); }
});

test('no image is read or written with a data directory or CRDs to install', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-image-'));
  try {
    const images = memoryImages();
    const s = await startServer({ port: 0, dataDir: dir, insecureHttp: true, kubeconfigPath: false, controllers: false, memoryRelief: false, bootstrapImage: images });
    await s.stop();
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.image.example.com' },
      spec: { group: 'image.example.com', scope: 'Namespaced', names: { plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    };
    const c = await start({ bootstrapImage: images, crds: [crd] });
    await c.stop();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(images.reads, 0);
    assert.equal(images.bytes, undefined);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('fresh identities: one new uid per uid, owner references included; times at their precision', () => {
  let n = 0;
  const clock = new FakeClock(Date.parse('2030-01-02T03:04:05.678Z'));
  (clock as any).uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const rewrite = freshIdentities(clock);
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const dec = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));
  const owner = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
  const a = dec(rewrite(enc({ metadata: { uid: owner, creationTimestamp: '2020-05-05T05:05:05Z', managedFields: [{ time: '2020-05-05T05:05:06Z' }] } })));
  const b = dec(rewrite(enc({ metadata: { uid: '11111111-2222-4333-8444-555555555555', ownerReferences: [{ uid: owner }] }, eventTime: '2020-05-05T05:05:05.123456Z' })));
  assert.equal(a.metadata.uid, '00000000-0000-4000-8000-000000000001');
  assert.equal(b.metadata.ownerReferences[0].uid, a.metadata.uid, 'a reference follows its object');
  assert.equal(b.metadata.uid, '00000000-0000-4000-8000-000000000002');
  assert.equal(a.metadata.creationTimestamp, '2030-01-02T03:04:05Z');
  assert.equal(a.metadata.managedFields[0].time, '2030-01-02T03:04:05Z');
  assert.equal(b.eventTime, '2030-01-02T03:04:05.678000Z');
  // A value with neither is handed back as it was.
  const plain = enc({ data: { a: 'not-a-uid', b: '2020-05-05' } });
  assert.equal(rewrite(plain), plain);
});

test("fresh identities: members that are the start's own get its values, wherever they are, escapes and all", () => {
  const pem = '-----BEGIN CERTIFICATE-----\nAAA"$&\\\n-----END CERTIFICATE-----\n';
  const rewrite = freshIdentities(new FakeClock(0), { 'ca.crt': pem, 'other': 'x' });
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const dec = (b: Uint8Array) => JSON.parse(Buffer.from(b).toString('utf8'));
  const out = dec(rewrite(enc({ data: { 'ca.crt': 'old "quoted" \\ value\n', keep: 'ca.crt' }, nested: [{ 'ca.crt': '' }], 'ca.crtx': 'y' })));
  assert.equal(out.data['ca.crt'], pem);
  assert.equal(out.nested[0]['ca.crt'], pem);
  assert.equal(out.data.keep, 'ca.crt', 'a value that names the member is left alone');
  assert.equal(out['ca.crtx'], 'y', 'another member is left alone');
  // A value without the members (nor uids or times) is handed back as it was.
  const plain = enc({ data: { a: 'b' } });
  assert.equal(rewrite(plain), plain);
  // A member whose value is not a string is left alone.
  assert.deepEqual(dec(rewrite(enc({ other: 5 }))), { other: 5 });
});

test('an image rewritten in place gets the identities a value-by-value rewrite gives: values split across pages, multi-byte text, own members, old revisions', async () => {
  const owner = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
  const other = '11111111-2222-4333-8444-555555555555';
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const mem = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
  // Several pages (4 KiB) of uids and times with only a comma between them: page boundaries cut some.
  const big = { metadata: { uid: owner, creationTimestamp: '2020-05-05T05:05:05Z' }, refs: Array(300).fill(owner), times: Array(300).fill('2020-05-05T05:05:05.123456Z') };
  const small = { metadata: { uid: other, name: 'ünïcödé ✓', ownerReferences: [{ uid: owner }], creationTimestamp: '2020-05-05T05:05:06Z' } };
  const cm = { metadata: { uid: '22222222-3333-4444-8555-666666666666' }, data: { 'ca.crt': 'old pem, longer than the new one …………' } };
  const first = await mem.create('/t/big', enc(big));
  await mem.update('/t/big', enc({ ...big, note: 'second revision' }), first.modRevision);
  await mem.create('/t/small', enc(small));
  await mem.create('/t/cm', enc(cm));
  const bytes = mem.image();
  await mem.close();
  let n = 0;
  const clock = new FakeClock(Date.parse('2030-01-02T03:04:05.678Z'));
  (clock as any).uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const fresh = freshImage(clock, { 'ca.crt': 'new' });
  const copy = Buffer.from(bytes);
  const opened = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0, clock, image: { bytes, rewrite: fresh.rewrite, inPlace: fresh.inPlace } });
  try {
    assert.ok(Buffer.from(bytes).equals(copy), 'the image handed in is not changed');
    const get = async (k: string, rev?: number) => JSON.parse(Buffer.from((await opened.get(k, rev))!.value).toString('utf8'));
    const b = await get('/t/big');
    const s = await get('/t/small');
    const newOwner = b.metadata.uid;
    assert.match(newOwner, /^00000000-0000-4000-8000-0000000000\d\d$/);
    assert.deepEqual(new Set(b.refs), new Set([newOwner]), 'every reference in the large value follows');
    assert.deepEqual(new Set(b.times), new Set(['2030-01-02T03:04:05.678000Z']), 'every time in the large value is now');
    assert.equal(b.metadata.creationTimestamp, '2030-01-02T03:04:05Z');
    assert.equal((await get('/t/big', first.modRevision)).metadata.uid, newOwner, 'an older revision too');
    assert.equal(s.metadata.ownerReferences[0].uid, newOwner);
    assert.equal(s.metadata.name, 'ünïcödé ✓');
    assert.match(s.metadata.uid, /^00000000-/);
    assert.notEqual(s.metadata.uid, newOwner);
    assert.equal(s.metadata.creationTimestamp, '2030-01-02T03:04:05Z');
    const c = await get('/t/cm');
    assert.equal(c.data['ca.crt'], 'new', 'an own member, whose length differs, is rewritten too');
    assert.match(c.metadata.uid, /^00000000-/);
    assert.equal(n, 3, 'one new uid per uid of the image');
  } finally { await opened.close(); }
});

test('an image opens only an in-memory database, and only one has an image', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-image-'));
  try {
    const mem = new SqliteBackend({ path: ':memory:', compactIntervalMs: 0 });
    const bytes = mem.image();
    await mem.close();
    assert.throws(() => mem.image(), /closed/);
    assert.throws(() => new SqliteBackend({ path: join(dir, 'x.db'), compactIntervalMs: 0, image: { bytes } }), /only .*in-memory/);
    const file = new SqliteBackend({ path: join(dir, 'y.db'), compactIntervalMs: 0 });
    try { assert.throws(() => file.image(), /only an in-memory database/); } finally { await file.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('image files: one per variant, written whole, unreadable or missing reads as none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-image-'));
  try {
    const a = bootstrapImageFiles(dir, 'sc-RBAC');
    const b = bootstrapImageFiles(dir, 'nosc-../RBAC');
    assert.equal(a.read(), undefined);
    a.write(new Uint8Array([1, 2, 3]));
    assert.deepEqual([...a.read()!], [1, 2, 3]);
    assert.equal(b.read(), undefined, 'another variant');
    b.write(new Uint8Array([4]));
    assert.deepEqual([...readFileSync(join(dir, 'bootstrap-nosc-.._RBAC.sqlite'))], [4], 'the variant cannot leave the directory');
    // A directory that cannot be written keeps no image, silently.
    writeFileSync(join(dir, 'plain-file'), '');
    bootstrapImageFiles(join(dir, 'plain-file'), 'x').write(new Uint8Array([9]));
    assert.equal(bootstrapImageFiles(join(dir, 'plain-file'), 'x').read(), undefined);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
