// Bad input on every write path: a clear 4xx Status, never a 500, and nothing stored changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, cm, deployment, pod, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
let ns: string;
before(async () => {
  f = await startFixture();
  ns = await f.ns('bad');
  for (const [path, body] of [
    [`/api/v1/namespaces/${ns}/configmaps`, cm('x')],
    [`/apis/apps/v1/namespaces/${ns}/deployments`, deployment('d')],
    [`/api/v1/namespaces/${ns}/pods`, pod('p')],
  ] as const) {
    const r = await f.api.post(path).send(body);
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => { await f.stop(); });

interface WritePath {
  name: string;
  method: 'post' | 'put' | 'delete';
  path: () => string;
  /** A valid body for this path (the bad variants are derived from it). */
  valid: () => Record<string, any>;
  /** Kind/apiVersion the body must carry (undefined: the path takes no object kind check). */
  kind?: string;
  /** Whether the URL names an object that the body's metadata.name must match. */
  named?: boolean;
  /** Whether the URL carries a namespace the body's metadata.namespace must match. */
  namespaced?: boolean;
}

const WRITES: WritePath[] = [
  { name: 'create', method: 'post', path: () => `/api/v1/namespaces/${ns}/configmaps`, valid: () => cm('new'), kind: 'ConfigMap', namespaced: true },
  { name: 'create (cluster-scoped)', method: 'post', path: () => '/api/v1/namespaces', valid: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'brand-new' } }), kind: 'Namespace' },
  { name: 'update', method: 'put', path: () => `/api/v1/namespaces/${ns}/configmaps/x`, valid: () => cm('x', { a: 'changed' }), kind: 'ConfigMap', named: true, namespaced: true },
  { name: 'delete', method: 'delete', path: () => `/api/v1/namespaces/${ns}/configmaps/x`, valid: () => ({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }), kind: 'DeleteOptions' },
  { name: 'deletecollection', method: 'delete', path: () => `/api/v1/namespaces/${ns}/configmaps`, valid: () => ({ apiVersion: 'v1', kind: 'DeleteOptions' }), kind: 'DeleteOptions' },
  { name: 'status update', method: 'put', path: () => `/apis/apps/v1/namespaces/${ns}/deployments/d/status`, valid: () => ({ ...deployment('d'), status: { replicas: 9 } }), kind: 'Deployment', named: true, namespaced: true },
  { name: 'scale update', method: 'put', path: () => `/apis/apps/v1/namespaces/${ns}/deployments/d/scale`, valid: () => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 4 } }), kind: 'Scale', named: true, namespaced: true },
  { name: 'binding', method: 'post', path: () => `/api/v1/namespaces/${ns}/pods/p/binding`, valid: () => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { name: 'node-1' } }), kind: 'Binding', named: true, namespaced: true },
  { name: 'eviction', method: 'post', path: () => `/api/v1/namespaces/${ns}/pods/p/eviction`, valid: () => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' } }), kind: 'Eviction', named: true, namespaced: true },
  { name: 'finalize', method: 'put', path: () => `/api/v1/namespaces/${ns}/finalize`, valid: () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } }), kind: 'Namespace', named: true },
  { name: 'selfsubjectaccessreview', method: 'post', path: () => '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', valid: () => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }), kind: 'SelfSubjectAccessReview' },
  { name: 'localsubjectaccessreview', method: 'post', path: () => `/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`, valid: () => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: ns }, spec: { user: 'u', resourceAttributes: { namespace: ns, verb: 'get', resource: 'pods' } } }), kind: 'LocalSubjectAccessReview', namespaced: true },
  { name: 'tokenreview', method: 'post', path: () => '/apis/authentication.k8s.io/v1/tokenreviews', valid: () => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'abc' } }), kind: 'TokenReview' },
];

/** Everything a bad request could have changed, read back for comparison. */
async function snapshot(): Promise<unknown> {
  const paths = [
    `/api/v1/namespaces/${ns}`,
    `/api/v1/namespaces/${ns}/configmaps`,
    `/apis/apps/v1/namespaces/${ns}/deployments`,
    `/api/v1/namespaces/${ns}/pods`,
  ];
  const out: unknown[] = [];
  for (const p of paths) {
    const r = await f.api.get(p);
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    out.push(r.body.items ?? r.body);
  }
  const nsList = await f.api.get('/api/v1/namespaces');
  out.push(nsList.body.items.map((i: any) => `${i.metadata.name}@${i.metadata.resourceVersion}`));
  return out;
}

async function sendRaw(w: WritePath, body: string | Buffer, contentType = 'application/json') {
  return f.api[w.method](w.path()).set('Content-Type', contentType).send(body);
}

async function expectRejected(w: WritePath, what: string, send: () => Promise<any>, code: number, reason?: string): Promise<any> {
  const before = await snapshot();
  const res = await send();
  const s = assertStatus(res, code, reason);
  assert.deepEqual(await snapshot(), before, `${w.name} with ${what} changed stored data`);
  return s;
}

for (const w of WRITES) {
  describe(`bad input: ${w.name}`, () => {
    test('malformed JSON → 400', async () => {
      await expectRejected(w, 'malformed JSON', () => sendRaw(w, '{"metadata": {"name": '), 400, 'BadRequest');
      await expectRejected(w, 'trailing garbage', () => sendRaw(w, JSON.stringify(w.valid()) + '}'), 400, 'BadRequest');
    });

    for (const [label, raw] of [['a JSON array', '[]'], ['a JSON string', '"x"'], ['null', 'null'], ['a number', '42'], ['an array of objects', JSON.stringify([w.valid()])]]) {
      test(`${label} as body → 400`, async () => {
        await expectRejected(w, label, () => sendRaw(w, raw), 400, 'BadRequest');
      });
    }

    test('a body over 3 MiB → 413, and the server answers the next request', async () => {
      const big = JSON.stringify({ ...w.valid(), padding: 'x'.repeat(3 * 1024 * 1024) });
      await expectRejected(w, 'a 3 MiB body', () => sendRaw(w, big), 413, 'RequestEntityTooLarge');
      const next = await f.api.get(`/api/v1/namespaces/${ns}`);
      assert.equal(next.status, 200);
      assert.equal(next.body.metadata.name, ns);
    });

    test('an unknown content type → 415', async () => {
      await expectRejected(w, 'text/plain', () => sendRaw(w, JSON.stringify(w.valid()), 'text/plain'), 415, 'UnsupportedMediaType');
      await expectRejected(w, 'application/xml', () => sendRaw(w, '<x/>', 'application/xml'), 415, 'UnsupportedMediaType');
    });

    if (w.kind) {
      test('wrong kind or apiVersion in the body → 400', async () => {
        await expectRejected(w, 'wrong kind', () => sendRaw(w, JSON.stringify({ ...w.valid(), kind: 'Secret' })), 400, 'BadRequest');
        if (w.kind !== 'DeleteOptions') {
          await expectRejected(w, 'wrong apiVersion', () => sendRaw(w, JSON.stringify({ ...w.valid(), apiVersion: 'nope.example.com/v9' })), 400, 'BadRequest');
        }
        await expectRejected(w, 'non-string kind', () => sendRaw(w, JSON.stringify({ ...w.valid(), kind: { a: 1 } })), 400, 'BadRequest');
      });
    }

    if (w.kind && w.kind !== 'DeleteOptions') {
      test('metadata not an object → 400', async () => {
        for (const m of ['"x"', '[]', '42', 'true']) {
          const body = JSON.stringify(w.valid()).replace(/^\{/, `{"metadata":${m},`).replace(/,"metadata":\{[^}]*\}/, '');
          assert.ok(JSON.parse(body).metadata !== undefined && typeof JSON.parse(body).metadata !== 'object' || Array.isArray(JSON.parse(body).metadata));
          await expectRejected(w, `metadata ${m}`, () => sendRaw(w, body), 400, 'BadRequest');
        }
      });
    }

    if (w.named) {
      test('name in the body differs from the URL → 400', async () => {
        const b = w.valid();
        b.metadata = { ...(b.metadata ?? {}), name: 'someone-else' };
        await expectRejected(w, 'another name', () => sendRaw(w, JSON.stringify(b)), 400, 'BadRequest');
      });
    }

    if (w.namespaced) {
      test('namespace in the body differs from the URL → 400', async () => {
        const b = w.valid();
        b.metadata = { ...(b.metadata ?? {}), namespace: 'default' };
        await expectRejected(w, 'another namespace', () => sendRaw(w, JSON.stringify(b)), 400, 'BadRequest');
      });
    }
  });
}

describe('invalid names → 422 naming metadata.name', () => {
  const bad = ['UPPER', 'under_score', 'a..b', '-lead', 'trail-', 'sp ace', 'x'.repeat(254), 'dot.', '.', '..', 'ünï'];
  for (const name of bad) {
    test(`configmap ${JSON.stringify(name.length > 20 ? name.slice(0, 10) + '…' : name)}`, async () => {
      const s = await expectRejected(WRITES[0], `name ${name}`, () => sendRaw(WRITES[0], JSON.stringify(cm(name))), 422, 'Invalid');
      assert.equal(s.details.kind, 'ConfigMap');
      assert.ok(s.details.causes.some((c: any) => c.field === 'metadata.name'), JSON.stringify(s.details.causes));
      assert.match(s.message, /^ConfigMap ".*" is invalid: metadata\.name: /);
    });
  }

  test('no name and no generateName → 422 Required', async () => {
    const s = await expectRejected(WRITES[0], 'no name', () => sendRaw(WRITES[0], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} })), 422, 'Invalid');
    assert.equal(s.details.causes[0].field, 'metadata.name');
    assert.equal(s.details.causes[0].reason, 'FieldValueRequired');
  });

  test('a name that is not a string → 4xx', async () => {
    const res = await sendRaw(WRITES[0], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 42 } }));
    assert.ok(res.status === 400 || res.status === 422, res.text);
    assert.equal(res.body.kind, 'Status');
  });

  test('namespace names are DNS labels: "a.b" is invalid', async () => {
    const s = await expectRejected(WRITES[1], 'namespace a.b', () => sendRaw(WRITES[1], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } })), 422, 'Invalid');
    assert.equal(s.details.causes[0].field, 'metadata.name');
  });

  test('labels and annotations are validated', async () => {
    await expectRejected(WRITES[0], 'bad label', () => sendRaw(WRITES[0], JSON.stringify(cm('lbl', {}, { 'bad key!': 'v' }))), 422, 'Invalid');
  });
});

describe('query parameters on writes', () => {
  test('invalid gracePeriodSeconds and propagationPolicy on delete', async () => {
    const w = WRITES[3];
    await expectRejected(w, 'gracePeriodSeconds=abc', () => f.api.delete(`${w.path()}?gracePeriodSeconds=abc`), 400, 'BadRequest');
    await expectRejected(w, 'body gracePeriodSeconds "x"', () => sendRaw(w, JSON.stringify({ gracePeriodSeconds: 'x' })), 400, 'BadRequest');
    await expectRejected(w, 'propagationPolicy 5', () => sendRaw(w, JSON.stringify({ propagationPolicy: 5 })), 422, 'Invalid');
    await expectRejected(w, 'preconditions "x"', () => sendRaw(w, JSON.stringify({ preconditions: 'x' })), 400, 'BadRequest');
  });

  test('fieldManager over 128 characters → 422', async () => {
    await expectRejected(WRITES[0], 'long fieldManager', () => f.api.post(`${WRITES[0].path()}?fieldManager=${'m'.repeat(129)}`).send(cm('fm')), 422, 'Invalid');
  });
});

describe('unknown fields', () => {
  test('an unknown field whose name is not ASCII is not a 500', async () => {
    const body = { ...cm('warn-x'), 'caf\u00e9\u0183': 'x' };
    const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps?fieldValidation=Warn`).send(body);
    assert.ok(res.status < 500, res.text);
  });
});
