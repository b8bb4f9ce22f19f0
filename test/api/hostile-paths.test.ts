// Hostile names in request paths (issue 19): dot segments, escaped dots and slashes, empty and
// trailing-slash names, on every resource shape and verb. Upstream (Go's net/http, requestinfo.go,
// go-restful's CurlyRouter and the storage key functions) never resolves dot segments, refuses `.`
// and `..` as names with a 400, answers methods no route takes with a 405, and reads a trailing
// slash (or a `%2F` that decodes to one) as the collection itself. Every answer here is checked for
// its code and Status, and the seeded objects must be exactly as they were.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { cm, deployment, pod, startFixture } from './fixture.ts';
import type { Fixture } from './fixture.ts';

let f: Fixture;
const NS = 'hp';
before(async () => {
  f = await startFixture();
  await f.api.post('/api/v1/namespaces').send({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const n of ['a', 'b']) await f.api.post(`/api/v1/namespaces/${NS}/configmaps`).send(cm(n));
  await f.api.post(`/api/v1/namespaces/${NS}/secrets`).send({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'dg==' } });
  await f.api.post(`/api/v1/namespaces/${NS}/pods`).send(pod('p'));
  await f.api.post(`/apis/apps/v1/namespaces/${NS}/deployments`).send(deployment('d'));
  await f.api.post('/apis/rbac.authorization.k8s.io/v1/clusterroles').send({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'hp-role' }, rules: [] });
});
after(async () => { await f.stop(); });

interface Answer { status: number; contentType: string; text: string; body: any }

/** A raw request: the path goes on the wire exactly as written (no client-side dot resolution). */
export function raw(fx: Fixture, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Authorization: `Bearer ${fx.token}` };
    if (payload !== undefined) { headers['Content-Type'] = contentType; headers['Content-Length'] = String(Buffer.byteLength(payload)); }
    const r = httpRequest(new URL(fx.url), { method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: any;
        try { parsed = JSON.parse(text); } catch { parsed = undefined; }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text, body: parsed });
      });
    });
    r.on('error', reject);
    r.end(payload);
  });
}

/** Everything seeded, by path and resourceVersion (plus the namespace list and its phase). */
async function snapshot(): Promise<string> {
  const out: string[] = [];
  for (const p of [`/api/v1/namespaces/${NS}/configmaps`, `/api/v1/namespaces/${NS}/secrets`, `/api/v1/namespaces/${NS}/pods`,
    `/apis/apps/v1/namespaces/${NS}/deployments`, '/apis/rbac.authorization.k8s.io/v1/clusterroles?labelSelector=!kubernetes.io/bootstrapping', '/api/v1/namespaces']) {
    const r = await f.api.get(p);
    assert.equal(r.status, 200, p);
    for (const i of r.body.items) out.push(`${p} ${i.metadata.name} ${i.metadata.resourceVersion} ${i.metadata.deletionTimestamp ?? ''} ${i.status?.phase ?? ''}`);
  }
  return out.sort().join('\n');
}

function assertFailure(a: Answer, code: number, reason: string, message: string, what: string): void {
  assert.equal(a.status, code, `${what}: ${a.status} ${a.text.slice(0, 300)}`);
  assert.match(a.contentType, /^application\/json/, what);
  assert.equal(a.body?.kind, 'Status', what);
  assert.equal(a.body.apiVersion, 'v1', what);
  assert.equal(a.body.status, 'Failure', what);
  assert.equal(a.body.code, code, what);
  assert.equal(a.body.reason, reason, what);
  assert.equal(a.body.message, message, what);
}

const VERBS = ['GET', 'PUT', 'PATCH', 'DELETE', 'POST'] as const;
const DOTS: [string, string][] = [['.', '.'], ['..', '..'], ['%2e', '.'], ['%2E%2e', '..'], ['%2e%2E', '..'], ['.%2e', '..']];
const NOT_ALLOWED = 'the server does not allow this method on the requested resource';
const NOT_FOUND = 'the server could not find the requested resource';

/** Item URL shapes: [description, path to the collection, path after the name (subresource), body for PUT/PATCH]. */
const SHAPES: [string, string, string, unknown][] = [
  ['namespaced configmaps', `/api/v1/namespaces/${NS}/configmaps`, '', cm('a', { a: '2' })],
  ['namespaced secrets', `/api/v1/namespaces/${NS}/secrets`, '', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }],
  ['grouped deployments', `/apis/apps/v1/namespaces/${NS}/deployments`, '', deployment('d', 3)],
  ['cluster-scoped namespaces', '/api/v1/namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }],
  ['cluster-scoped clusterroles', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'hp-role' } }],
  ['subresource pods/status', `/api/v1/namespaces/${NS}/pods`, '/status', pod('p')],
  ['subresource deployments/scale', `/apis/apps/v1/namespaces/${NS}/deployments`, '/scale', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 5 } }],
  ['subresource namespaces/finalize', '/api/v1/namespaces', '/finalize', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS }, spec: { finalizers: [] } }],
];

/** Whether a verb has a route on the shape (else go-restful's 405 comes before the name check). */
function routed(sub: string, verb: typeof VERBS[number]): boolean {
  if (verb === 'POST') return false; // no shape here takes POST on an item
  if (sub === '/finalize') return verb === 'PUT';
  if (sub) return verb !== 'DELETE';
  return true;
}

describe('dot-segment names are refused, never resolved', () => {
  for (const [shape, coll, sub, body] of SHAPES) {
    test(`${shape}: ${DOTS.map((d) => d[0]).join(' ')} × ${VERBS.join(' ')}`, async () => {
      const before = await snapshot();
      for (const [seg, decoded] of DOTS) {
        for (const verb of VERBS) {
          const path = `${coll}/${seg}${sub}`;
          const a = await raw(f, verb, path, verb === 'GET' || verb === 'DELETE' ? undefined : verb === 'PATCH' ? {} : body,
            verb === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
          if (routed(sub, verb)) assertFailure(a, 400, 'BadRequest', `Name parameter invalid: "${decoded}": may not be '${decoded}'`, `${verb} ${path}`);
          else assertFailure(a, 405, 'MethodNotAllowed', NOT_ALLOWED, `${verb} ${path}`);
        }
      }
      assert.equal(await snapshot(), before, 'seeded objects unchanged');
    });
  }

  test('the deletes of the issue: secrets/.. and configmaps/. %2e leave everything in place', async () => {
    const before = await snapshot();
    for (const p of [`/api/v1/namespaces/${NS}/secrets/..`, `/api/v1/namespaces/${NS}/configmaps/.`, `/api/v1/namespaces/${NS}/configmaps/%2e`, '/api/v1/namespaces/..', `/api/v1/namespaces/${NS}/..`]) {
      const a = await raw(f, 'DELETE', p);
      assert.ok(a.status === 400 || a.status === 404, `${p}: ${a.status} ${a.text}`);
      assert.equal(a.body?.kind, 'Status', p);
    }
    assert.equal(await snapshot(), before);
  });

  test('a dot segment in place of the resource, namespace or subresource is a 404', async () => {
    const before = await snapshot();
    for (const verb of VERBS) {
      for (const p of [`/api/v1/namespaces/${NS}/..`, `/api/v1/namespaces/${NS}/%2e%2e/a`, '/api/v1/namespaces/../configmaps', `/api/v1/namespaces/%2e/configmaps/a`,
        `/api/v1/namespaces/${NS}/pods/p/..`, `/api/v1/namespaces/${NS}/pods/p/%2e`, `/apis/apps/v1/namespaces/${NS}/deployments/d/../scale`, '/api/v1/..', '/apis/apps/..']) {
        const a = await raw(f, verb, p, verb === 'GET' || verb === 'DELETE' ? undefined : {});
        assertFailure(a, 404, 'NotFound', NOT_FOUND, `${verb} ${p}`);
      }
    }
    assert.equal(await snapshot(), before);
  });
});

describe('percent escapes decode as Go decodes the whole path', () => {
  test('%25 decodes to a % that a name may not contain; %2F inside a name splits it', async () => {
    const before = await snapshot();
    for (const verb of ['GET', 'PUT', 'PATCH', 'DELETE'] as const) {
      const a = await raw(f, verb, `/api/v1/namespaces/${NS}/configmaps/a%25b`, verb === 'PUT' ? cm('a%b') : verb === 'PATCH' ? {} : undefined, verb === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
      assertFailure(a, 400, 'BadRequest', `Name parameter invalid: "a%b": may not contain '%'`, `${verb} a%25b`);
      // a%2Fb is configmaps/a/b: a subresource "b" of configmaps, which has none.
      const b = await raw(f, verb, `/api/v1/namespaces/${NS}/configmaps/a%2Fb`, verb === 'PUT' ? cm('a') : verb === 'PATCH' ? {} : undefined, verb === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
      assertFailure(b, 404, 'NotFound', NOT_FOUND, `${verb} a%2Fb`);
    }
    assert.equal(await snapshot(), before);
  });

  test('an escaped name reaches the store decoded: configmaps/%61 is configmaps/a', async () => {
    const a = await raw(f, 'GET', `/api/v1/namespaces/${NS}/configmaps/%61`);
    assert.equal(a.status, 200);
    assert.equal(a.body.metadata.name, 'a');
  });

  test('a malformed escape is Go\'s plain 400 Bad Request, before any handler', async () => {
    const before = await snapshot();
    for (const verb of VERBS) {
      for (const p of [`/api/v1/namespaces/${NS}/configmaps/%`, `/api/v1/namespaces/${NS}/configmaps/%zz`, `/api/v1/namespaces/%2/configmaps`, '/healthz%']) {
        const a = await raw(f, verb, p);
        assert.equal(a.status, 400, `${verb} ${p}`);
        assert.equal(a.contentType, 'text/plain; charset=utf-8');
        assert.equal(a.text, '400 Bad Request');
      }
    }
    assert.equal(await snapshot(), before);
  });
});

describe('empty names and trailing slashes', () => {
  test('an empty name before a subresource is "Name parameter required." where a route takes the verb, else 405', async () => {
    const before = await snapshot();
    for (const verb of VERBS) {
      for (const [p, sub] of [[`/api/v1/namespaces/${NS}/pods//status`, '/status'], [`/apis/apps/v1/namespaces/${NS}/deployments//scale`, '/scale'], ['/api/v1/namespaces//finalize', '/finalize']] as const) {
        const a = await raw(f, verb, p, verb === 'GET' || verb === 'DELETE' ? undefined : {}, verb === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
        if (routed(sub, verb)) assertFailure(a, 400, 'BadRequest', 'Name parameter required.', `${verb} ${p}`);
        else assertFailure(a, 405, 'MethodNotAllowed', NOT_ALLOWED, `${verb} ${p}`);
      }
    }
    assert.equal(await snapshot(), before);
  });

  test('an empty namespace segment is a 404, never a request across namespaces', async () => {
    const before = await snapshot();
    for (const verb of VERBS) {
      for (const p of ['/api/v1/namespaces//configmaps', '/api/v1/namespaces//configmaps/a', '/apis/apps/v1/namespaces//deployments']) {
        const a = await raw(f, verb, p, verb === 'GET' || verb === 'DELETE' ? undefined : cm('a'));
        assertFailure(a, 404, 'NotFound', NOT_FOUND, `${verb} ${p}`);
      }
    }
    assert.equal(await snapshot(), before);
  });

  test('a trailing slash after a name is the same request: configmaps/a/ and pods/p/status/', async () => {
    const g = await raw(f, 'GET', `/api/v1/namespaces/${NS}/configmaps/a/`);
    assert.equal(g.status, 200);
    assert.equal(g.body.metadata.name, 'a');
    const s = await raw(f, 'GET', `/api/v1/namespaces/${NS}/pods/p/status//`);
    assert.equal(s.status, 200);
    assert.equal(s.body.metadata.name, 'p');
  });

  test('PUT and PATCH on a collection (with or without a trailing slash, or %2F) are go-restful\'s 405', async () => {
    const before = await snapshot();
    for (const coll of [`/api/v1/namespaces/${NS}/configmaps`, '/api/v1/namespaces', '/apis/rbac.authorization.k8s.io/v1/clusterroles', `/apis/apps/v1/namespaces/${NS}/deployments`]) {
      for (const suffix of ['', '/', '//', '/%2F']) {
        for (const verb of ['PUT', 'PATCH']) {
          const a = await raw(f, verb, coll + suffix, verb === 'PUT' ? cm('a') : {}, verb === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
          assertFailure(a, 405, 'MethodNotAllowed', NOT_ALLOWED, `${verb} ${coll}${suffix}`);
        }
      }
    }
    // POST on an item and DELETE on a collection that has no deletecollection (namespaces) have no route either.
    assertFailure(await raw(f, 'POST', `/api/v1/namespaces/${NS}/configmaps/a`, cm('a')), 405, 'MethodNotAllowed', NOT_ALLOWED, 'POST item');
    assertFailure(await raw(f, 'DELETE', '/api/v1/namespaces/'), 405, 'MethodNotAllowed', NOT_ALLOWED, 'DELETE namespaces/');
    assert.equal(await snapshot(), before);
  });

  test('%2F or an empty segment in place of a name before a subresource is a 404 on every verb (no route has that many segments)', async () => {
    const before = await snapshot();
    for (const verb of VERBS) {
      for (const p of [`/api/v1/namespaces/${NS}/pods/%2F/status`, `/apis/apps/v1/namespaces/${NS}/deployments/%2f/scale`, '/api/v1/namespaces/%2F/finalize', `/api/v1/namespaces/${NS}/pods/p/%2Fx`, `/api/v1/namespaces/${NS}/pods/p/status/%2Fx`]) {
        const a = await raw(f, verb, p, verb === 'GET' || verb === 'DELETE' ? undefined : {}, verb === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
        assertFailure(a, 404, 'NotFound', NOT_FOUND, `${verb} ${p}`);
      }
    }
    assert.equal(await snapshot(), before);
  });

  test('POST on configmaps/%2F or configmaps/ creates in the collection, as upstream (refused here: the body has no name)', async () => {
    const before = await snapshot();
    for (const suffix of ['/', '/%2F', '//']) {
      const a = await raw(f, 'POST', `/api/v1/namespaces/${NS}/configmaps${suffix}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
      assert.equal(a.status, 422, `${suffix}: ${a.text}`);
      assert.equal(a.body.kind, 'Status');
      assert.match(a.body.message, /name or generateName is required/);
    }
    assert.equal(await snapshot(), before);
  });

  test('a trailing slash (or a %2F that decodes to one) on a collection lists it, but never deletes it', async () => {
    // Upstream trims trailing slashes in both requestinfo.go (splitPath) and go-restful
    // (TrimRightSlashEnabled): GET lists there and here. DELETE would be a delete-collection
    // upstream; Skiff refuses it (404), so a request that lost its name cannot wipe a collection.
    const ns = await f.ns('hp-coll');
    for (const n of ['c1', 'c2', 'c3']) await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm(n, { a: '1' }, { k: n }));
    const list = await raw(f, 'GET', `/api/v1/namespaces/${ns}/configmaps/`);
    assert.equal(list.status, 200);
    assert.equal(list.body.kind, 'ConfigMapList');
    assert.equal(list.body.items.length, 3);
    const viaEscape = await raw(f, 'GET', `/api/v1/namespaces/${ns}/configmaps/%2F`);
    assert.equal(viaEscape.body.kind, 'ConfigMapList');
    for (const suffix of ['/', '/%2F', '//', '/?labelSelector=k%3Dc1']) {
      const del = await raw(f, 'DELETE', `/api/v1/namespaces/${ns}/configmaps${suffix}`);
      assert.equal(del.status, 404, `${suffix}: ${del.text}`);
      assert.equal(del.body.kind, 'Status');
      assert.equal(del.body.message, 'the server could not find the requested resource');
    }
    const cluster = await raw(f, 'DELETE', '/api/v1/persistentvolumes/');
    assert.equal(cluster.status, 404);
    const left = await f.api.get(`/api/v1/namespaces/${ns}/configmaps`);
    assert.deepEqual(left.body.items.map((i: any) => i.metadata.name).sort(), ['c1', 'c2', 'c3']);
    const named = await raw(f, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/c1/`);
    assert.equal(named.status, 200, named.text);
  });
});
