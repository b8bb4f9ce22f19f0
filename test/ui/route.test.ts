// The web view's static route: public files under /skiff/ui/, everything else refused with a
// Status; the API behind it still needs the token. Also the `skiff ui` link and startCluster's uiUrl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startCluster } from '../../src/index.ts';
import type { Cluster } from '../../src/index.ts';
import { STATIC_DIR, uiLink } from '../../src/ui/route.ts';
import { uiCommand } from '../../src/ui/cli.ts';
import { spawnSync } from 'node:child_process';
import { assertStatus } from '../api/fixture.ts';
import { rawRequest } from '../api/raw-http.ts';

let c: Cluster;
before(async () => { c = await startCluster({ controllers: false, insecureHttp: true }); });
after(async () => { await c.stop(); });

describe('web view static files', () => {
  test('the page and its files are served without a token, with a self-only CSP', async () => {
    const res = await request(c.url).get('/skiff/ui/');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/html/);
    assert.match(res.text, /<script type="module" src="app.js">/);
    assert.match(res.headers['content-security-policy'], /default-src 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    for (const name of readdirSync(STATIC_DIR)) {
      const r = await request(c.url).get(`/skiff/ui/${name}`);
      assert.equal(r.status, 200, name);
      assert.equal(Buffer.from(r.text ?? r.body).toString(), readFileSync(join(STATIC_DIR, name), 'utf8'), name);
    }
    assert.match((await request(c.url).get('/skiff/ui/app.js')).headers['content-type'], /^text\/javascript/);
    assert.match((await request(c.url).get('/skiff/ui/style.css')).headers['content-type'], /^text\/css/);
  });

  test('a wrong token does not keep the files from loading; the API still refuses it', async () => {
    assert.equal((await request(c.url).get('/skiff/ui/app.js').set('Authorization', 'Bearer nope')).status, 200);
    assertStatus(await request(c.url).get('/api/v1/pods').set('Authorization', 'Bearer nope'), 401, 'Unauthorized');
    // Without credentials the caller is system:anonymous, whom RBAC refuses (403), as upstream.
    assertStatus(await request(c.url).get('/skiff/v1/clock'), 403, 'Forbidden');
  });

  test('every asset the page loads is one of its own files (nothing from elsewhere)', () => {
    for (const name of readdirSync(STATIC_DIR)) {
      const text = readFileSync(join(STATIC_DIR, name), 'utf8');
      assert.doesNotMatch(text, /(src|href)=["']?(https?:)?\/\//, `${name} loads nothing from another origin`);
      assert.doesNotMatch(text, /import\s[^;]*from\s+['"](?!\.\/)/, `${name} imports only its siblings`);
    }
  });

  test('/skiff/ui redirects to /skiff/ui/ (the browser keeps the #token= fragment)', async () => {
    const res = await request(c.url).get('/skiff/ui?x=1').redirects(0);
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/skiff/ui/?x=1');
  });

  test('HEAD and If-None-Match work; other methods are 405 Status', async () => {
    const head = await request(c.url).head('/skiff/ui/app.js');
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers['content-length']) > 0);
    const etag = head.headers.etag;
    assert.match(etag, /^"[\w-]+"$/);
    assert.equal((await request(c.url).get('/skiff/ui/app.js').set('If-None-Match', etag)).status, 304);
    for (const m of ['post', 'put', 'delete', 'patch'] as const) {
      assertStatus(await request(c.url)[m]('/skiff/ui/app.js').send({ a: 1 }), 405, 'MethodNotAllowed');
    }
  });

  test('unknown, hidden and traversing names are 404 Status, never a file outside the folder', async () => {
    for (const p of ['/skiff/ui/nope.js', '/skiff/ui/../../package.json', '/skiff/ui/%2e%2e/route.ts', '/skiff/ui/..%2froute.ts', '/skiff/ui/route.ts',
      '/skiff/ui/static/app.js', '/skiff/ui/app.js/x', `/skiff/ui/${'a'.repeat(5000)}`, '/skiff/ui/%00', '/skiff/ui//app.js']) {
      const res = await rawRequest(c.server.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.ok(res.status === 404 || res.status === 400, `${p}: ${res.status}`);
      assert.doesNotMatch(res.text, /import|"name": "skiff"/, p);
    }
    assertStatus(await request(c.url).get('/skiff/ui/nope.js'), 404, 'NotFound');
  });

  test('a path that only starts like the view is not public', async () => {
    assertStatus(await request(c.url).get('/skiff/uix'), 403, 'Forbidden');
    assertStatus(await request(c.url).get('/skiff/ui-app.js'), 403, 'Forbidden');
  });
});

describe('the signed-in link', () => {
  test('startCluster exposes it, with the token in the fragment', () => {
    assert.equal(c.uiUrl, `${c.url}/skiff/ui/#token=${encodeURIComponent(c.token)}`);
    assert.equal(uiLink('https://h:1/', 'a b+c'), 'https://h:1/skiff/ui/#token=a%20b%2Bc');
  });

  test('skiff ui prints it for a kubeconfig; a kubeconfig without a token is an error', () => {
    const out = uiCommand(c.kubeconfigPath);
    assert.ok(!('error' in out));
    assert.equal(out.link, c.uiUrl);
    const dir = mkdtempSync(join(tmpdir(), 'skiff-ui-'));
    writeFileSync(join(dir, 'k'), 'apiVersion: v1\nkind: Config\nclusters: [{name: a, cluster: {server: "https://x"}}]\nusers: [{name: u, user: {client-certificate-data: eA==}}]\ncontexts: [{name: a, context: {cluster: a, user: u}}]\ncurrent-context: a\n');
    const bad = uiCommand(join(dir, 'k'));
    assert.ok('error' in bad && /no server and token/.test(bad.error));
    writeFileSync(join(dir, 'broken'), '{{{{');
    assert.ok('error' in uiCommand(join(dir, 'broken')));
  });

  test('the skiff ui command prints the link alone on stdout; a missing kubeconfig exits 2', () => {
    const cli = join(import.meta.dirname, '..', '..', 'src', 'cli.ts');
    const ok = spawnSync(process.execPath, [cli, 'ui', '--kubeconfig', c.kubeconfigPath], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, `${c.uiUrl}\n`);
    assert.match(ok.stderr, /bearer token/);
    const missing = spawnSync(process.execPath, [cli, 'ui', '--data-dir', join(tmpdir(), 'skiff-no-such-dir')], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no kubeconfig at/);
  });
});
