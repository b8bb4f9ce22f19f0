// Admission webhooks end to end: a real Skiff server calls a TLS webhook server on 127.0.0.1 (own CA).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertStatus, startFixture } from '../api/fixture.ts';
import type { Fixture } from '../api/fixture.ts';
import { allow, deny, patch, startWebhookServer } from './server.ts';
import type { WebhookServer } from './server.ts';

let f: Fixture;
let wh: WebhookServer;
before(async () => { [f, wh] = await Promise.all([startFixture(), startWebhookServer()]); });
after(async () => { await f.stop(); await wh.close(); });

const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

function hook(name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name, clientConfig: { url: wh.url(path), caBundle: wh.caBundle },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
    sideEffects: 'None', admissionReviewVersions: ['v1'], ...extra,
  };
}

async function config(kind: 'm' | 'v', name: string, webhooks: unknown[]): Promise<() => Promise<void>> {
  const base = kind === 'm' ? MWC : VWC;
  const res = await f.api.post(base).send({ metadata: { name }, webhooks });
  assert.equal(res.status, 201, res.text);
  return async () => { await f.api.delete(`${base}/${name}`); };
}

/** Only requests whose namespace is `ns` reach the test's hooks (other tests' namespaces do not). */
const onlyNs = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });

describe('admission webhooks', { timeout: 60_000 }, () => {
  test('a mutating webhook patches the object; the stored object carries the change; the review has upstream fields', async () => {
    const ns = await f.ns('mut');
    wh.handle('/mutate', (b) => patch(b, [{ op: 'add', path: '/data/added', value: 'by-webhook' }]));
    const drop = await config('m', 'mut-1', [hook('mutate.example.com', '/mutate', onlyNs(ns))]);
    try {
      const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'a' }, data: { x: '1' } });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body.data, { x: '1', added: 'by-webhook' });
      const got = await f.api.get(`/api/v1/namespaces/${ns}/configmaps/a`);
      assert.equal(got.body.data.added, 'by-webhook');
      const review = wh.received.filter((r) => r.path.startsWith('/mutate')).at(-1)!;
      assert.match(review.path, /\?timeout=10s$/);
      const rq = review.body.request;
      assert.equal(review.body.apiVersion, 'admission.k8s.io/v1');
      assert.deepEqual(rq.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
      assert.deepEqual(rq.resource, { group: '', version: 'v1', resource: 'configmaps' });
      assert.deepEqual(rq.requestKind, rq.kind);
      assert.equal(rq.name, 'a');
      assert.equal(rq.namespace, ns);
      assert.equal(rq.operation, 'CREATE');
      assert.equal(rq.dryRun, false);
      assert.equal(rq.oldObject, null);
      assert.equal(rq.object.data.x, '1');
      assert.equal(rq.options.kind, 'CreateOptions');
      assert.equal(typeof rq.uid, 'string');
      assert.ok(rq.userInfo.username, 'the user is sent');
    } finally { await drop(); }
  });

  test('a validating webhook denial is upstream\'s message and code', async () => {
    const ns = await f.ns('deny');
    wh.handle('/deny', (b) => deny(b, 'data.bad is not allowed'));
    wh.handle('/deny-code', (b) => deny(b, 'nope', 409));
    wh.handle('/deny-empty', (b) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: b.request.uid, allowed: false } }));
    const drop = await config('v', 'val-1', [hook('deny.example.com', '/deny', { ...onlyNs(ns), objectSelector: { matchLabels: { t: 'deny' } } }),
      hook('code.example.com', '/deny-code', { ...onlyNs(ns), objectSelector: { matchLabels: { t: 'code' } } }),
      hook('empty.example.com', '/deny-empty', { ...onlyNs(ns), objectSelector: { matchLabels: { t: 'empty' } } })]);
    try {
      let res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'b', labels: { t: 'deny' } } });
      let st = assertStatus(res, 400);
      assert.equal(st.message, 'admission webhook "deny.example.com" denied the request: data.bad is not allowed');
      assert.equal(st.reason, undefined);
      res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'c', labels: { t: 'code' } } });
      st = assertStatus(res, 409);
      assert.equal(st.message, 'admission webhook "code.example.com" denied the request: nope');
      res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'd', labels: { t: 'empty' } } });
      st = assertStatus(res, 400);
      assert.equal(st.message, 'admission webhook "empty.example.com" denied the request without explanation');
      assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/b`)).status, 404, 'nothing is written');
      res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'e', labels: { t: 'other' } } });
      assert.equal(res.status, 201, 'the objectSelector leaves other objects alone');
    } finally { await drop(); }
  });

  test('failures: timeout, garbage, wrong uid, invalid patch, unknown CA, refused connection — per failurePolicy with upstream\'s messages', async () => {
    const ns = await f.ns('fail');
    wh.handle('/slow', () => new Promise(() => {}));
    wh.handle('/garbage', (_b, _q, res) => { res.writeHead(200).end('garbage!'); });
    wh.handle('/uid', (b) => ({ ...allow(b), response: { uid: 'wrong', allowed: true } }));
    wh.handle('/badpatch', (b) => patch(b, [{ op: 'remove', path: '/data/nothing' }]));
    wh.handle('/notjson', (b) => allow(b, { patchType: 'JSONPatch', patch: Buffer.from('{not json').toString('base64') }));
    wh.handle('/500', (_b, _q, res) => { res.writeHead(500).end('boom'); });
    const cases: [string, Record<string, unknown>, RegExp | string][] = [
      ['slow', { timeoutSeconds: 1 }, new RegExp(`^Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "https://127.0.0.1:${wh.port}/slow\\?timeout=1s": context deadline exceeded$`)],
      ['garbage', {}, `Internal error occurred: failed calling webhook "garbage.example.com": failed to call webhook: couldn't get version/kind; json parse error: invalid character 'g' looking for beginning of value`],
      ['uid', {}, /^Internal error occurred: failed calling webhook "uid.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]+", got "wrong"$/],
      ['badpatch', {}, 'Internal error occurred: Unable to remove nonexistent key: nothing'],
      ['notjson', {}, `Internal error occurred: failed calling webhook "notjson.example.com": received undecodable patch in webhook response: unexpected end of JSON input`],
      ['500', {}, `Internal error occurred: failed calling webhook "500.example.com": failed to call webhook: an error on the server ("boom") has prevented the request from succeeding`],
      ['ca', { clientConfig: { url: wh.url('/garbage') } }, `Internal error occurred: failed calling webhook "ca.example.com": failed to call webhook: Post "https://127.0.0.1:${wh.port}/garbage?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority`],
      ['refused', { clientConfig: { url: 'https://127.0.0.1:1/x' } }, `Internal error occurred: failed calling webhook "refused.example.com": failed to call webhook: Post "https://127.0.0.1:1/x?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused`],
      ['simulated', { clientConfig: { url: 'https://10.244.0.7:8443/x' } }, `Internal error occurred: failed calling webhook "simulated.example.com": failed to call webhook: Post "https://10.244.0.7:8443/x?timeout=10s": dial tcp 10.244.0.7:8443: connect: no route to host`],
    ];
    for (const [name, extra, want] of cases) {
      for (const policy of ['Fail', 'Ignore']) {
        const cfg = `fail-${name}-${policy.toLowerCase()}`;
        const h = hook(`${name}.example.com`, `/${name}`, { ...onlyNs(ns), failurePolicy: policy, ...extra });
        if ((extra as any).clientConfig) (h as any).clientConfig = (extra as any).clientConfig;
        const drop = await config('m', cfg, [h]);
        try {
          const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: cfg }, data: { a: '1' } });
          if (policy === 'Ignore' && name !== 'badpatch') { assert.equal(res.status, 201, `${cfg}: ${res.text}`); continue; }
          const st = assertStatus(res, 500, 'InternalError');
          if (typeof want === 'string') assert.equal(st.message, want, cfg); else assert.match(st.message, want, cfg);
          assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/${cfg}`)).status, 404, 'no half-applied write');
        } finally { await drop(); }
      }
    }
  });

  test('a slow webhook does not block unrelated requests', async () => {
    const ns = await f.ns('slowns');
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    wh.handle('/hold', async (b) => { await gate; return allow(b); });
    const drop = await config('v', 'hold', [hook('hold.example.com', '/hold', { ...onlyNs(ns), timeoutSeconds: 30 })]);
    try {
      const held = f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'held' } }).then((r) => r);
      const other = await f.ns('free');
      const res = await f.api.post(`/api/v1/namespaces/${other}/configmaps`).send({ metadata: { name: 'free' } });
      assert.equal(res.status, 201, 'another namespace\'s create completes while the webhook holds');
      release();
      assert.equal((await held).status, 201);
    } finally { await drop(); }
  });

  test('dry run: a webhook with sideEffects None is called with dryRun true and nothing is stored', async () => {
    const ns = await f.ns('dry');
    wh.handle('/dry', (b) => allow(b));
    const drop = await config('v', 'dry', [hook('none.example.com', '/dry', onlyNs(ns))]);
    try {
      const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps?dryRun=All`).send({ metadata: { name: 'y' } });
      assert.equal(res.status, 201, res.text);
      assert.equal(wh.received.filter((r) => r.path.startsWith('/dry')).at(-1)!.body.request.dryRun, true);
      assert.deepEqual(wh.received.filter((r) => r.path.startsWith('/dry')).at(-1)!.body.request.options.dryRun, ['All']);
      assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/y`)).status, 404);
    } finally { await drop(); }
  });

  test('dry run reaching a webhook with side effects (stored before v1 refused them) is upstream\'s 400', async () => {
    const { callHook } = await import('../../src/admission/webhooks/call.ts');
    const { findResource } = await import('../../src/registry/resources.ts');
    const r = findResource('', 'v1', 'configmaps')!;
    const a: any = { operation: 'CREATE', resource: r, requestResource: r, subresource: '', name: 'x', namespace: 'd', user: { name: 'u', groups: [] }, dryRun: true, options: {} };
    const h: any = { name: 'some.example.com', sideEffects: 'Some', spec: {}, timeoutMs: 1000 };
    await assert.rejects(callHook({ client: undefined as any, uid: () => 'u' }, h, false, a, r, undefined, undefined), (e: any) => e.status?.code === 400 && e.status.reason === 'BadRequest' && e.status.message === 'admission webhook "some.example.com" does not support dry run');
    await assert.rejects(callHook({ client: undefined as any, uid: () => 'u' }, { ...h, sideEffects: undefined }, false, a, r, undefined, undefined), /failed calling webhook "some.example.com": Webhook SideEffects is nil/);
  });

  test('reinvocation IfNeeded: an earlier webhook sees a later one\'s change; warnings reach the client', async () => {
    const ns = await f.ns('reinv');
    const seen: any[] = [];
    wh.handle('/first', (b) => { seen.push(b.request.object.data); return allow(b, { warnings: ['first says hi'] }); });
    wh.handle('/second', (b) => (b.request.object.data?.second ? allow(b) : patch(b, [{ op: 'add', path: '/data/second', value: 'yes' }])));
    const drop = await config('m', 'reinv', [hook('first.example.com', '/first', { ...onlyNs(ns), reinvocationPolicy: 'IfNeeded' }), hook('second.example.com', '/second', onlyNs(ns))]);
    try {
      const res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'r' }, data: { a: '1' } });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(seen, [{ a: '1' }, { a: '1', second: 'yes' }], 'the first webhook is called again after the second changed the object');
      assert.match(String(res.headers.warning), /299 - "first says hi"/);
    } finally { await drop(); }
  });

  test('service clientConfig resolves through a hand-made EndpointSlice of a selector-less Service', async () => {
    const ns = await f.ns('svc');
    wh.handle('/svc', (b) => patch(b, [{ op: 'add', path: '/data/svc', value: 'ok' }]));
    // The certificate must name svc.<ns>.svc: a second server with that name.
    const named = await startWebhookServer([`hooks.${ns}.svc`]);
    named.handle('/svc', (b) => patch(b, [{ op: 'add', path: '/data/svc', value: 'ok' }]));
    try {
      let res = await f.api.post(`/api/v1/namespaces/${ns}/services`).send({ metadata: { name: 'hooks' }, spec: { ports: [{ name: 'https', port: 443, targetPort: 9443 }] } });
      assert.equal(res.status, 201, res.text);
      const h = hook('svc.example.com', '/svc', onlyNs(ns));
      (h as any).clientConfig = { service: { namespace: ns, name: 'hooks', path: '/svc' }, caBundle: named.caBundle };
      const drop = await config('m', 'svc', [h]);
      try {
        res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 's1' }, data: {} });
        let st = assertStatus(res, 500);
        assert.equal(st.message, `Internal error occurred: failed calling webhook "svc.example.com": failed to call webhook: Post "https://hooks.${ns}.svc:443/svc?timeout=10s": no endpoints available for service "hooks"`);
        res = await f.api.post(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`).send({
          metadata: { name: 'hooks-1', labels: { 'kubernetes.io/service-name': 'hooks' } }, addressType: 'IPv4',
          endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'https', port: named.port, protocol: 'TCP' }],
        });
        assert.equal(res.status, 201, res.text);
        res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 's2' }, data: {} });
        assert.equal(res.status, 201, res.text);
        assert.equal(res.body.data.svc, 'ok');
        assert.equal(named.received.at(-1)!.headers.host, `hooks.${ns}.svc:443`);
        // The other server's certificate does not name the service: refused.
        await f.api.patch(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/hooks-1`).set('Content-Type', 'application/merge-patch+json').send({ ports: [{ name: 'https', port: wh.port, protocol: 'TCP' }] });
        res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 's3' }, data: {} });
        st = assertStatus(res, 500);
        assert.match(st.message, /x509: certificate (signed by unknown authority|is not valid for hooks)/);
      } finally { await drop(); }
    } finally { await named.close(); }
  });
});

describe('admission webhooks on DELETE', { timeout: 30_000 }, () => {
  test('a mutating webhook that adds an init container to a pod: the scheme defaults apply to it, as upstream decodes the patched pod again', async () => {
    const ns = await f.ns('mutdef');
    wh.handle('/mutate-pod', (b) => patch(b, [{ op: 'add', path: '/spec/initContainers', value: [{ name: 'webhook-added-init-container', image: 'registry.k8s.io/pause:3.10', resources: {} }] }]));
    const podHook = hook('mutate-pod.example.com', '/mutate-pod', { ...onlyNs(ns), rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] });
    const drop = await config('m', 'mut-pod-defaults', [podHook]);
    try {
      const res = await f.api.post(`/api/v1/namespaces/${ns}/pods`).send({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
      assert.equal(res.status, 201, res.text);
      const init = res.body.spec.initContainers[0];
      assert.equal(init.name, 'webhook-added-init-container');
      assert.equal(init.imagePullPolicy, 'IfNotPresent');
      assert.equal(init.terminationMessagePolicy, 'File');
      assert.equal(init.terminationMessagePath, '/dev/termination-log');
    } finally { await drop(); }
  });

  test('mutating and validating webhooks see DELETE with the old object; a patch on DELETE is upstream\'s error', async () => {
    const ns = await f.ns('del');
    const seen: any[] = [];
    wh.handle('/del-m', (b) => { seen.push(['m', b.request.operation, b.request.object, b.request.oldObject?.metadata?.name, b.request.options?.kind]); return b.request.oldObject?.metadata?.labels?.patch ? patch(b, [{ op: 'add', path: '/x', value: 1 }]) : allow(b); });
    wh.handle('/del-v', (b) => { seen.push(['v', b.request.operation]); return b.request.oldObject?.metadata?.labels?.keep ? deny(b, 'keep me') : allow(b); });
    const rules = [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
    const dropM = await config('m', 'del-m', [hook('delm.example.com', '/del-m', { ...onlyNs(ns), rules })]);
    const dropV = await config('v', 'del-v', [hook('delv.example.com', '/del-v', { ...onlyNs(ns), rules })]);
    try {
      for (const [name, labels] of [['plain', {}], ['kept', { keep: 'y' }], ['patched', { patch: 'y' }]] as const) {
        assert.equal((await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name, labels } })).status, 201);
      }
      let res = await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/plain`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(seen.slice(0, 2), [['m', 'DELETE', null, 'plain', 'DeleteOptions'], ['v', 'DELETE']]);
      res = await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/kept`);
      assert.equal(assertStatus(res, 400).message, 'admission webhook "delv.example.com" denied the request: keep me');
      res = await f.api.delete(`/api/v1/namespaces/${ns}/configmaps/patched`);
      assert.equal(assertStatus(res, 500).message, 'Internal error occurred: admission webhook "delm.example.com" attempted to modify the object, which is not supported for this operation');
      assert.equal((await f.api.get(`/api/v1/namespaces/${ns}/configmaps/patched`)).status, 200, 'still there');
    } finally { await dropM(); await dropV(); }
  });
});

describe('matchConditions', { timeout: 30_000 }, () => {
  test('a false condition skips the webhook; a true one calls it', async () => {
    const ns = await f.ns('mc');
    wh.handle('/mc', (b) => deny(b, 'called'));
    const drop = await config('v', 'mc', [hook('mc.example.com', '/mc', { ...onlyNs(ns), matchConditions: [{ name: 'not-skipped', expression: '!has(object.metadata.labels) || !("skip" in object.metadata.labels)' }] })]);
    try {
      let res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'a', labels: { skip: 'y' } } });
      assert.equal(res.status, 201, 'the condition is false: not called');
      res = await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send({ metadata: { name: 'b' } });
      assert.equal(assertStatus(res, 400).message, 'admission webhook "mc.example.com" denied the request: called');
    } finally { await drop(); }
  });
});
