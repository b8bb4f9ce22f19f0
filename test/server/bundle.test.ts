// The bundled `skiff` command (scripts/bundle.ts; what `npm start` runs once bin/bundle.js has built
// it, and the package's dist/bundle/) serves like the sources: files read beside modules are found,
// code loaded on first use loads from its chunk (lazyModule's synchronous get() included: a CRD with a
// CEL rule goes through the schema engine and CEL), and the same instance serves both paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../../scripts/bundle.ts';
import { CACHE_DIR } from '../../bin/bundle.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

async function serve(entry: string, dataDir: string) {
  const child = spawn(process.execPath, [entry, 'serve', '--port', '0', '--in-memory', '--insecure-http', '--nodes', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => { out += c; const m = /ready at (\S+)/.exec(out); if (m) resolve(m[1]); });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const token = readFileSync(join(dataDir, 'kubeconfig'), 'utf8').match(/token: "?([^"\s]+)/)![1];
  return { child, url, token, stderr: () => err };
}

test('the bundle serves: assets, first-use chunks, lazyModule get() and CEL behave as from the sources', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bundle-test-'));
  // Beside the checkout's own bundles, where npm packages resolve from node_modules as they do there.
  const out = join(CACHE_DIR, `test-${process.pid}`);
  t.after(() => { rmSync(dir, { recursive: true, force: true }); rmSync(out, { recursive: true, force: true }); });
  const { files, lazy, inputs } = await bundle({ outdir: out, assetRoot: SRC, absolute: true });
  assert.ok(files > 5 && files < 400, `${files} files`);
  assert.ok(lazy >= 10, `lazyModule references pointed at chunks: ${lazy}`);
  assert.equal(readdirSync(out).filter((f) => f.endsWith('.ts')).length, 0);
  assert.ok(inputs.includes(join(SRC, 'server.ts')) && inputs.every((f) => f.startsWith(SRC)), 'inputs: the sources it was made from');

  const s = await serve(join(out, 'cli-main.mjs'), join(dir, 'data'));
  t.after(() => { s.child.kill('SIGTERM'); });
  const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
    const text = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
    const r = await fetch(s.url + path, { method, headers: { authorization: `Bearer ${s.token}`, 'content-type': type }, body: text });
    return { status: r.status, text: await r.text() };
  };
  assert.equal((await call('GET', '/readyz')).status, 200);
  // openapi.bin and its manifest, read beside src/openapi/.
  const v2 = await call('GET', '/openapi/v2');
  assert.equal(v2.status, 200);
  assert.match(v2.text, /io\.k8s\.api\.core\.v1\.Pod/);
  // A YAML body: the yaml library through createRequire from the bundle's place.
  const yamlCm = await call('POST', '/api/v1/namespaces/default/configmaps', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\ndata: {a: b}\n', 'application/yaml');
  assert.equal(yamlCm.status, 201, yamlCm.text);
  // pods/log: its module is a chunk imported on first use.
  assert.equal((await call('GET', '/api/v1/namespaces/default/pods/nope/log')).status, 404);
  // A CRD with a CEL rule: the schema engine (lazyModule get() → chunk) and CEL enforce it.
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.bundle.example.com' },
    spec: { group: 'bundle.example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: {
        type: 'object', properties: { size: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.size < 10', message: 'too big' }] } } } } }] },
  };
  assert.equal((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
  let listed = 0;
  for (let i = 0; i < 200 && listed !== 200; i++) {
    listed = (await call('GET', '/apis/bundle.example.com/v1/namespaces/default/widgets')).status;
    if (listed !== 200) await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(listed, 200);
  const widget = (size: number, name: string) => ({ apiVersion: 'bundle.example.com/v1', kind: 'Widget', metadata: { name }, spec: { size } });
  const bad = await call('POST', '/apis/bundle.example.com/v1/namespaces/default/widgets', widget(99, 'big'));
  assert.equal(bad.status, 422, bad.text);
  assert.match(bad.text, /too big/);
  assert.equal((await call('POST', '/apis/bundle.example.com/v1/namespaces/default/widgets', widget(3, 'small'))).status, 201);
  assert.doesNotMatch(s.stderr(), /Error|Cannot find/);
});
