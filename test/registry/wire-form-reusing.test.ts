// wireFormReusing(): the same JSON text as wireForm() for any object, reusing what is already in wire
// form (the update path's second pass over a write's own object). wireFormCopy(): the same text as a
// copy that shares nothing with its input (the update path's first pass).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson, wireForm, wireFormCopy, wireFormReusing } from '../../src/registry/wire-form.ts';

const pod = (): Record<string, any> => wireForm({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u1', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', labels: { b: '2', a: '1' }, annotations: { z: 'x' }, finalizers: ['f'],
    managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }] },
  spec: { containers: [{ name: 'c', image: 'i', args: ['a', 'b'], resources: {}, env: [{ name: 'E', value: 'v' }] }], nodeName: 'n1', tolerations: [{ key: 'k', operator: 'Exists' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:01Z' }],
    containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'i', imageID: '', state: { running: { startedAt: '2026-01-01T00:00:01Z' } } }] },
});

test('an object already in wire form is returned as it is', () => {
  const p = pod();
  assert.equal(wireFormReusing(p), p);
  const svc = wireForm({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
  assert.equal(wireFormReusing(svc), svc);
});

test('only the parts not in wire form are built again; the rest is shared', () => {
  const p = pod();
  p.metadata.zeta = 'unknown';
  delete p.metadata.uid;
  p.metadata.uid = 'u1'; // now after the unknown member: out of order
  const out = wireFormReusing(p);
  assert.notEqual(out, p);
  assert.notEqual(out.metadata, p.metadata);
  assert.equal(out.spec, p.spec);
  assert.equal(out.status, p.status);
  assert.equal(goJson(out), goJson(wireForm(p)));
  assert.deepEqual(Object.keys(out.metadata).slice(-2), ['managedFields', 'zeta']);
});

/** Every way a value in a tree may leave wire form: reordered, zero values, nulls, unknown and undefined members. */
const MUTATIONS: ((o: Record<string, any>, k: string) => void)[] = [
  (o, k) => { const v = o[k]; delete o[k]; o[k] = v; },
  (o, k) => { o[k] = null; },
  (o, k) => { o[k] = undefined; },
  (o, k) => { o[k] = ''; },
  (o, k) => { o[k] = 0; },
  (o, k) => { o[k] = false; },
  (o, k) => { o[k] = []; },
  (o, k) => { o[k] = {}; },
  (o, k) => { delete o[k]; },
  (o) => { o.zzUnknown = { b: 1 }; },
  (o) => { o.aaUnknown = 1; },
  (o, k) => { o[k] = 7; },
  (o, k) => { o[k] = ['x']; },
  (o, k) => { o[k] = { z: '1', a: '2' }; },
  (o, k) => { o[k] = [{ name: 'n', zz: 1 }]; },
  (o) => { o.kind = 'X'; },
  (o) => { o.apiVersion = ''; },
  (o) => { const e = Object.entries(o).reverse(); for (const [k] of e) delete o[k]; for (const [k, v] of e) o[k] = v; },
];

function containers(v: unknown, out: Record<string, any>[] = []): Record<string, any>[] {
  if (Array.isArray(v)) { out.push(v as unknown as Record<string, any>); for (const x of v) containers(x, out); }
  else if (v && typeof v === 'object') { out.push(v as Record<string, any>); for (const x of Object.values(v)) containers(x, out); }
  return out;
}

test('the JSON text is wireForm\'s for every single change anywhere in a pod (and two at once)', () => {
  let rnd = 7;
  const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let changed = 0;
  for (let round = 0; round < 3000; round++) {
    const p = pod();
    for (let n = round % 2 === 0 ? 1 : 2; n > 0; n--) {
      const all = containers(p).filter((c) => !Array.isArray(c));
      const o = all[Math.floor(next() * all.length)];
      const keys = Object.keys(o);
      MUTATIONS[Math.floor(next() * MUTATIONS.length)](o, keys[Math.floor(next() * keys.length)] ?? 'x');
    }
    const before = JSON.stringify(p);
    const want = goJson(wireForm(p));
    const out = wireFormReusing(p);
    assert.equal(goJson(out), want, `after change ${round}: ${before}`);
    assert.equal(JSON.stringify(p), before, 'the input is not changed');
    if (out !== p) changed++;
  }
  assert.ok(changed > 1000, `most changes leave wire form (${changed})`);
});

test('lists, custom kinds and kinds without a message go through wireForm', () => {
  const list = { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [{ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a' } }] };
  assert.equal(goJson(wireFormReusing(list)), goJson(wireForm(list)));
  const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { b: 1, a: 2 } };
  const out = wireFormReusing(cr);
  assert.notEqual(out, cr);
  assert.equal(goJson(out), '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"a":2,"b":1}}');
});

test('wireFormCopy: wireForm\'s text, sharing no object or array with the input', () => {
  const inputs: Record<string, any>[] = [
    pod(),
    { ...pod(), zz: { unknown: [1, { a: 2 }] }, spec: { containers: 'wrong', nodeName: { odd: [1] }, volumes: [[1]] } },
    { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [{ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a', finalizers: ['x'] } }] },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { b: [{ c: 1 }], a: { d: [] } } },
    { apiVersion: 'v1', kind: 'Status', metadata: {}, details: { causes: [{ field: 'f' }] } },
  ];
  for (const input of inputs) {
    const out = wireFormCopy(input);
    assert.equal(goJson(out), goJson(wireForm(input)));
    const mine = new Set(containers(input));
    for (const c of containers(out)) assert.ok(!mine.has(c), `shared: ${JSON.stringify(c)}`);
  }
  // Copy mode ends with the call: a later wireForm shares leaves again.
  const p = pod();
  assert.equal(wireForm(p).metadata.finalizers, p.metadata.finalizers);
});
