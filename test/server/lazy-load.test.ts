// Code the first request does not need loads on first use (README): a server starts without the
// custom-resource machinery (schema engine, OpenAPI publishing, custom tables) and without CEL; the
// first CRD brings the machinery, and CEL comes only with a schema that has x-kubernetes-validations,
// whose rules are then enforced. Nor does it load the YAML library (the kubelet's default stage
// table compiles on the first pod), undici (which an ESM import of node:http pulls in), or the
// streaming and proxy subresources (ws, SPDY, the simulated network), which their first request
// brings. Run in a child process so that other tests' imports do not count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const server = new URL('../../src/server.ts', import.meta.url).href;

const script = `
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ load(url, c, n) { seen.add(url); return n(url, c); } });
const { startServer } = await import(${JSON.stringify(server)});
const has = (re) => [...seen].some((u) => re.test(u));
const probe = () => ({
  cel: has(/\\/src\\/cel\\//), celJs: has(/cel-js/), validate: has(/\\/src\\/schema\\/validate\\.ts$/),
  crdSchema: has(/\\/src\\/schema\\/crd-schema\\.ts$/), openapi: has(/\\/src\\/openapi\\/custom\\.ts$/),
  tables: has(/\\/src\\/api\\/tables\\/custom\\.ts$/), re2: has(/re2js/),
});
const rest = () => ({
  yaml: has(/node_modules\\/yaml\\//), undici: process.moduleLoadList.some((m) => /undici/.test(m)), ws: has(/node_modules\\/ws\\//),
  logs: has(/\\/src\\/streaming\\/logs\\.ts$/), exec: has(/\\/src\\/streaming\\/exec\\.ts$/), proxy: has(/\\/src\\/proxy\\//),
});
const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, nodes: 0 });
const out = { start: probe(), startRest: rest() };
const call = async (method, path, body) => {
  const r = await fetch(s.url + path, { method, headers: { authorization: 'Bearer ' + s.token, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};
const crd = (group, rules) => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.' + group },
  spec: { group, scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: {
      type: 'object', properties: { size: { type: 'integer' } }, ...(rules ? { 'x-kubernetes-validations': rules } : {}) } } } } }] },
});
const established = async (group) => {
  for (let i = 0; i < 200; i++) { if ((await call('GET', '/apis/' + group + '/v1/namespaces/default/widgets')).status === 200) return; await new Promise((r) => setTimeout(r, 25)); }
  throw new Error('not established: ' + group);
};
out.plainCrd = (await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('plain.example.com'))).status;
await established('plain.example.com');
out.plainObject = (await call('POST', '/apis/plain.example.com/v1/namespaces/default/widgets', { apiVersion: 'plain.example.com/v1', kind: 'Widget', metadata: { name: 'a' }, spec: { size: 99 } })).status;
out.afterPlain = probe();
out.ruleCrd = (await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('rules.example.com', [{ rule: 'self.size < 10', message: 'too big' }]))).status;
await established('rules.example.com');
const bad = await call('POST', '/apis/rules.example.com/v1/namespaces/default/widgets', { apiVersion: 'rules.example.com/v1', kind: 'Widget', metadata: { name: 'b' }, spec: { size: 99 } });
out.ruleObject = { status: bad.status, message: bad.body.message };
out.afterRules = probe();
out.logStatus = (await call('GET', '/api/v1/namespaces/default/pods/nope/log')).status;
out.proxyStatus = (await call('GET', '/api/v1/namespaces/default/pods/nope/proxy/')).status;
out.afterSubresources = rest();
await s.stop();
console.log(JSON.stringify(out));
process.exit(0);
`;

test('start-up loads neither the custom-resource machinery nor CEL; the first CRD and the first rule bring them', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const none = { cel: false, celJs: false, validate: false, crdSchema: false, openapi: false, tables: false, re2: false };
  assert.deepEqual(out.start, none);
  assert.equal(out.plainCrd, 201);
  assert.equal(out.plainObject, 201);
  assert.deepEqual(out.afterPlain, { ...none, validate: true, crdSchema: true, openapi: true, tables: true, re2: true });
  assert.equal(out.ruleCrd, 201);
  assert.equal(out.ruleObject.status, 422);
  assert.match(out.ruleObject.message, /too big/);
  assert.equal(out.afterRules.cel, true);
  assert.equal(out.afterRules.celJs, true);
  assert.deepEqual(out.startRest, { yaml: false, undici: false, ws: false, logs: false, exec: false, proxy: false });
  assert.equal(out.logStatus, 404);
  assert.equal(out.proxyStatus, 404);
  const after = out.afterSubresources;
  assert.deepEqual([after.logs, after.proxy, after.exec], [true, true, false], 'pods/log and pods/proxy load their own modules, not exec');
});

test('skiff serve (ready before the controllers) is ready without their code; it loads when they start', () => {
  const early = `
import { registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ load(url, c, n) { seen.add(url); return n(url, c); } });
const { startServer } = await import(${JSON.stringify(server)});
const loaded = () => ['/src/controllers/index.ts', '/src/scheduler/scheduler.ts', '/src/kubelet/containers/', '/src/netsim/index.ts'].filter((p) => [...seen].some((u) => u.includes(p)));
const s = await startServer({ port: 0, inMemory: true, insecureHttp: true, kubeconfigPath: false, nodes: 1, readyBeforeControllers: true, memoryRelief: false });
const atReady = loaded();
let nodes = 0;
for (let i = 0; i < 200 && nodes === 0; i++) {
  await new Promise((r) => setTimeout(r, 25));
  nodes = (await s.store.list(s.store.resources.find('', 'v1', 'nodes'), undefined)).items.length;
}
console.log(JSON.stringify({ atReady, nodes, after: loaded() }));
await s.stop();
process.exit(0);
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', early], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(out.atReady, []);
  assert.equal(out.nodes, 1, 'the node registers once the kubelets start');
  assert.deepEqual(out.after, ['/src/controllers/index.ts', '/src/scheduler/scheduler.ts', '/src/kubelet/containers/', '/src/netsim/index.ts']);
});
