import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathPrepend, rewriteHtml, rewriteUrl } from '../../src/proxy/rewrite.ts';
import { proxyPath } from '../../src/proxy/path.ts';
import { detectContentType } from '../../src/images/go-http.ts';

const P = '/api/v1/namespaces/ns/pods/p/proxy';

test('rewriteUrl: same-host absolute paths go under the proxy path; others stay', () => {
  assert.equal(rewriteUrl('/a/b?c=d#e', P, 'api:6443'), `${P}/a/b?c=d#e`);
  assert.equal(rewriteUrl('/dir/', P, 'api:6443'), `${P}/dir/`);
  assert.equal(rewriteUrl(`${P}/x`, P, 'api:6443'), `${P}/x`);
  assert.equal(rewriteUrl('relative/x', P, 'api:6443'), 'relative/x');
  assert.equal(rewriteUrl('http://other.example/x', P, 'api:6443'), 'http://other.example/x');
  assert.equal(rewriteUrl('https://api:6443/x', P, 'api:6443'), `${P}/x`);
  assert.equal(rewriteUrl('mailto:a@b', P, 'api:6443'), 'mailto:a@b');
  // Go's path.Join cleans the joined path: the link (only a link, for the browser) climbs as upstream's does.
  assert.equal(rewriteUrl('/../../../etc', P, 'api:6443'), '/api/v1/namespaces/ns/etc');
});

test('rewriteHtml re-renders only tags with URL attributes, as Go tokens; raw text and comments untouched', () => {
  assert.equal(rewriteHtml('<a href="/rewriteme">test</a>', P, 'h'), `<a href="${P}/rewriteme">test</a>`);
  assert.equal(rewriteHtml("<IMG SRC='/i.png' alt=x>", P, 'h'), `<img src="${P}/i.png" alt="x">`);
  assert.equal(rewriteHtml('<p class="x">hi</p><!-- <a href="/no"> --><script>var a = "<a href=\'/no\'>"</script>', P, 'h'), '<p class="x">hi</p><!-- <a href="/no"> --><script>var a = "<a href=\'/no\'>"</script>');
  assert.equal(rewriteHtml('<form action="/post?a=1&amp;b=2"/>', P, 'h'), `<form action="${P}/post?a=1&amp;b=2"/>`);
  assert.equal(rewriteHtml('<a href="/x" <<broken', P, 'h'), '<a href="/x" <<broken');
  assert.equal(rewriteHtml('a < b > c', P, 'h'), 'a < b > c');
});

test('proxy paths: prefix, target path, empty marker', () => {
  assert.deepEqual(proxyPath(`${P}?a=1`), { path: '/', rawQuery: 'a=1', requestPath: P, empty: true });
  assert.deepEqual(proxyPath(`${P}/x/y/?q`), { path: '/x/y/', rawQuery: 'q', requestPath: `${P}/x/y/`, empty: false });
  assert.equal(pathPrepend(`${P}/`, '/'), P);
  assert.equal(pathPrepend(`${P}/x/y`, '/x/y'), P);
  assert.equal(pathPrepend('/api/v1/nodes/n/proxy/logs/', '/logs/'), '/api/v1/nodes/n/proxy');
});

test('Go content sniffing', () => {
  assert.equal(detectContentType(Buffer.from('<a href="/x">t</a>')), 'text/html; charset=utf-8');
  assert.equal(detectContentType(Buffer.from('  <!DOCTYPE html><html>')), 'text/html; charset=utf-8');
  assert.equal(detectContentType(Buffer.from('<abbr>')), 'text/plain; charset=utf-8');
  assert.equal(detectContentType(Buffer.from('{"a":1}')), 'text/plain; charset=utf-8');
  assert.equal(detectContentType(Buffer.from([0, 1, 2])), 'application/octet-stream');
});
