// The light HTTP/2 request/response pair (src/api/h2-exchange.ts), against a stand-in stream that
// records what would go on the wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { H2Request, H2Response, isPlainExchange } from '../../src/api/h2-exchange.ts';

class FakeStream extends EventEmitter {
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  sent: { headers?: Record<string, unknown>; endStream?: boolean; body: string[] } = { body: [] };
  session = { socket: { remoteAddress: '127.0.0.1' } };
  respond(h: Record<string, unknown>, o: { endStream: boolean }) {
    if (this.headersSent) throw new Error('twice');
    this.headersSent = true; this.sent.headers = { ...h }; this.sent.endStream = o.endStream;
  }
  write(c: string | Uint8Array) { this.sent.body.push(String(c)); return true; }
  end(c?: string | Uint8Array) { if (c !== undefined) this.sent.body.push(String(c)); this.writableEnded = true; }
}

function pair(headers: Record<string, string> = {}) {
  const stream = new FakeStream();
  const req = new H2Request(stream as never, { ':method': 'POST', ':path': '/api/v1/x?y=1', ':authority': 'h:6443', ':scheme': 'https', ...headers }, [':method', 'POST', ':path', '/api/v1/x?y=1', ':authority', 'h:6443', ...Object.entries(headers).flat()]);
  return { stream, req, res: new H2Response(req) };
}

test('which requests are served this way: writes without Expect, not to streaming or proxy paths', () => {
  assert.equal(isPlainExchange({ ':method': 'POST', ':path': '/api/v1/namespaces/d/configmaps' }), true);
  assert.equal(isPlainExchange({ ':method': 'DELETE', ':path': '/api/v1/namespaces/d/pods/p' }), true);
  assert.equal(isPlainExchange({ ':method': 'GET', ':path': '/api/v1/namespaces/d/configmaps' }), false);
  assert.equal(isPlainExchange({ ':method': 'POST', ':path': '/api/v1/namespaces/d/pods/p/exec?command=ls' }), false);
  assert.equal(isPlainExchange({ ':method': 'POST', ':path': '/api/v1/namespaces/d/services/s/proxy/x' }), false);
  assert.equal(isPlainExchange({ ':method': 'PUT', ':path': '/api/v1/namespaces/d/pods/p/log' }), false);
  assert.equal(isPlainExchange({ ':method': 'POST', ':path': '/api/v1/namespaces/d/configmaps', expect: '100-continue' }), false);
  assert.equal(isPlainExchange({ ':method': 'CONNECT', ':path': '/' }), false);
});

test('the request shows headers as HTTP/1.1 does: no pseudo-headers, host from :authority, repeated fields kept', () => {
  const { req } = pair({ 'impersonate-group': 'a' });
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/api/v1/x?y=1');
  assert.deepEqual(req.headers, { host: 'h:6443', 'impersonate-group': 'a' });
  assert.deepEqual(req.rawHeaders, ['host', 'h:6443', 'impersonate-group', 'a']);
  assert.deepEqual({ ...req.headersDistinct }, { host: ['h:6443'], 'impersonate-group': ['a'] });
  assert.equal(req.httpVersionMajor, 2);
  // A repeated field: the value as the stream's header object has it (combined); names that are
  // also Object.prototype's are ordinary headers.
  const stream = new FakeStream();
  const twice = new H2Request(stream as never, { ':method': 'PUT', ':path': '/', accept: 'a, b', constructor: 'c' } as never, [':method', 'PUT', ':path', '/', 'accept', 'a', 'accept', 'b', 'constructor', 'c']);
  assert.deepEqual(twice.headers, { accept: 'a, b', constructor: 'c' });
  assert.deepEqual({ ...twice.headersDistinct }, { accept: ['a', 'b'], constructor: ['c'] });
});

test('the response: lower-cased headers, connection headers dropped, appended values, one respond, end with and without a body', () => {
  const { stream, res } = pair();
  res.statusCode = 201;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Connection', 'close');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.appendHeader('Warning', '299 - "a"');
  res.appendHeader('Warning', '299 - "b"');
  assert.equal(res.hasHeader('content-type'), true);
  assert.equal(res.getHeader('CONTENT-TYPE'), 'application/json');
  assert.throws(() => res.setHeader('bad name', 'x'), { code: 'ERR_INVALID_HTTP_TOKEN' });
  assert.throws(() => res.setHeader(':status', 'x'), { code: 'ERR_INVALID_HTTP_TOKEN' });
  assert.throws(() => res.setHeader('x-empty', undefined as never), { code: 'ERR_HTTP2_INVALID_HEADER_VALUE' });
  assert.throws(() => { res.statusCode = 99; }, RangeError);
  res.end('{}\n');
  assert.deepEqual(stream.sent, { headers: { 'content-type': 'application/json', warning: ['299 - "a"', '299 - "b"'], ':status': 201 }, endStream: false, body: ['{}\n'] });
  assert.equal(res.headersSent, true);
  assert.equal(res.writableEnded, true);
  assert.throws(() => res.setHeader('x-late', '1'), { code: 'ERR_HTTP2_HEADERS_SENT' });
  res.end('again'); // a second end does nothing
  assert.deepEqual(stream.sent.body, ['{}\n']);
  let written: unknown;
  res.write('more', (e) => { written = e; });
  return new Promise<void>((resolve) => setImmediate(() => {
    assert.equal((written as { code?: string })?.code, 'ERR_STREAM_WRITE_AFTER_END');
    const events: string[] = [];
    res.on('finish', () => events.push('finish'));
    res.on('close', () => events.push('close'));
    stream.emit('close');
    assert.deepEqual(events, ['finish', 'close']);
    const empty = pair();
    empty.res.writeHead(204, { 'X-A': '1', Connection: 'keep-alive' });
    empty.res.end();
    assert.deepEqual(empty.stream.sent, { headers: { 'x-a': '1', ':status': 204 }, endStream: false, body: [] });
    const bare = pair();
    bare.res.end();
    assert.deepEqual(bare.stream.sent.headers, { ':status': 200 });
    assert.equal(bare.stream.sent.endStream, true);
    resolve();
  }));
});

test('nothing is sent on a stream already destroyed (the client went away)', () => {
  const { stream, res } = pair();
  stream.destroyed = true;
  assert.equal(res.write('x'), false);
  res.end('y');
  assert.equal(stream.sent.headers, undefined);
  assert.deepEqual(stream.sent.body, []);
});

test('a proxied answer (the aggregator) pipes into the response: headers, every chunk in order, then the end', async () => {
  const { Readable } = await import('node:stream');
  const { stream, res, req } = pair();
  res.writeHead(202, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const upstream = Readable.from(['{"a":', '1}', '\n']);
  await new Promise<void>((resolve) => { upstream.pipe(res as never); upstream.on('end', () => setImmediate(resolve)); });
  assert.deepEqual(stream.sent.headers, { 'content-type': 'application/json', ':status': 202 });
  assert.equal(stream.sent.body.join(''), '{"a":1}\n');
  assert.equal(stream.writableEnded, true);
  assert.equal(res.writableEnded, true);
  // The request body is read through the stream, also by async iteration (the aggregator's readBody).
  const body = new FakeStream() as FakeStream & { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> };
  const chunks = Readable.from([Buffer.from('x'), Buffer.from('y')]);
  body[Symbol.asyncIterator] = () => chunks[Symbol.asyncIterator]();
  const r2 = new H2Request(body as never, { ':method': 'POST', ':path': '/' }, [':method', 'POST', ':path', '/']);
  const got: string[] = [];
  for await (const c of r2) got.push(String(c));
  assert.deepEqual(got, ['x', 'y']);
  assert.equal(req.socket?.remoteAddress, '127.0.0.1');
});
