// A request/response pair made straight from an HTTP/2 stream, for the requests whose handling is
// plain (writes: create, update, patch, delete): the application sees what it sees of Node's HTTP/2
// compatibility objects (ApiHttp2Request/ApiHttp2Response, http2.ts), without their cost per request
// (a Readable and a Stream built and wired to the stream with eleven listeners, every header set
// checked twice). Everything else (reads, which may stream lists; watches, logs, proxies, exec;
// `Expect`; CONNECT) keeps the compatibility objects.
//
// Same answers on the wire: status, headers (names lower-cased, HTTP/1.x connection headers dropped,
// `date` added by the stream), body bytes, and frames.
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';

/** Response headers specific to an HTTP/1.x connection: not sent over HTTP/2 (as Go's HTTP/2 server drops them). */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Methods served this way. */
const PLAIN_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Paths whose handlers stream or proxy (they use more of the response than a plain answer does). */
const STREAMING_PATH = /\/(proxy|exec|attach|portforward|log)(\/|\?|$)/;

/** Whether a stream's request is one this module serves (see the header comment). */
export function isPlainExchange(headers: IncomingHttpHeaders): boolean {
  const method = headers[':method'];
  return typeof method === 'string' && PLAIN_METHODS.has(method) && headers.expect === undefined
    && !STREAMING_PATH.test(String(headers[':path'] ?? ''));
}

/** The request side: headers as an HTTP/1.1 request of the same would have them; the body is the stream. */
export class H2Request {
  readonly stream: ServerHttp2Stream;
  readonly method: string;
  url: string;
  readonly httpVersion = '2.0';
  readonly httpVersionMajor = 2;
  readonly httpVersionMinor = 0;
  private readonly all: IncomingHttpHeaders;
  private readonly rawAll: string[];
  private plain?: IncomingHttpHeaders;
  private raw?: string[];
  private distinct?: Record<string, string[]>;

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[]) {
    this.stream = stream;
    this.all = headers;
    this.rawAll = rawHeaders;
    this.method = headers[':method'] as string;
    this.url = String(headers[':path'] ?? '');
  }

  /** Without pseudo-headers; `host` from `:authority` (as Go's net/http shows an HTTP/2 request). */
  get headers(): IncomingHttpHeaders {
    if (this.plain) return this.plain;
    const out: IncomingHttpHeaders = {};
    const authority = this.all[':authority'];
    if (authority !== undefined && this.all.host === undefined) out.host = authority as string;
    // Names from the raw list (enumerating the stream's header object, a dictionary, costs more);
    // values from the object, which has repeated fields combined as Node combines them.
    const raw = this.rawAll;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i];
      if (k.charCodeAt(0) !== 58 /* : */ && !Object.hasOwn(out, k)) out[k] = this.all[k];
    }
    return (this.plain = out);
  }
  set headers(v: IncomingHttpHeaders) { this.plain = v; }

  /** The header fields as received (a repeated field stays repeated), without pseudo-headers. */
  get rawHeaders(): string[] {
    if (this.raw) return this.raw;
    const out: string[] = [];
    let host = false;
    for (let i = 0; i < this.rawAll.length; i += 2) {
      if (this.rawAll[i].charCodeAt(0) === 58) continue;
      if (this.rawAll[i] === 'host') host = true;
      out.push(this.rawAll[i], this.rawAll[i + 1]);
    }
    const h = this.headers.host;
    if (!host && typeof h === 'string') out.unshift('host', h);
    return (this.raw = out);
  }

  /** As IncomingMessage.headersDistinct: every header's values, in order. */
  get headersDistinct(): Record<string, string[]> {
    if (this.distinct) return this.distinct;
    const out: Record<string, string[]> = Object.create(null); // as Node makes it: any name is a header
    const raw = this.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) (out[raw[i]] ??= []).push(raw[i + 1]);
    return (this.distinct = out);
  }

  /** The connection's TLS socket (remote address, peer certificate). */
  get socket() { return this.stream.session?.socket; }
  get aborted(): boolean { return this.stream.aborted; }
  get complete(): boolean { return this.stream.readableEnded || this.stream.destroyed; }

  // The body is read from the stream: these pass straight to it.
  on(event: string, fn: (...a: any[]) => void): this { this.stream.on(event, fn); return this; }
  once(event: string, fn: (...a: any[]) => void): this { this.stream.once(event, fn); return this; }
  off(event: string, fn: (...a: any[]) => void): this { this.stream.off(event, fn); return this; }
  removeListener(event: string, fn: (...a: any[]) => void): this { this.stream.off(event, fn); return this; }
  resume(): this { this.stream.resume(); return this; }
  pause(): this { this.stream.pause(); return this; }
  setEncoding(enc: BufferEncoding): this { this.stream.setEncoding(enc); return this; }
  pipe<T extends NodeJS.WritableStream>(dest: T, opts?: { end?: boolean }): T { return this.stream.pipe(dest, opts); }
  destroy(err?: Error): this { this.stream.destroy(err); return this; }
  setTimeout(ms: number, cb?: () => void): this { this.stream.setTimeout(ms, cb); return this; }
  [Symbol.asyncIterator](): AsyncIterator<any> { return this.stream[Symbol.asyncIterator](); }
}

/** The response side, as much of ServerResponse as the handlers of these requests use. */
export class H2Response extends EventEmitter {
  readonly req: H2Request;
  readonly stream: ServerHttp2Stream;
  private code = 200;
  private readonly out: OutgoingHttpHeaders = Object.create(null);
  private ending = false;
  private closed = false;

  constructor(req: H2Request) {
    super();
    this.req = req;
    this.stream = req.stream;
    // As the compatibility response: 'finish' then 'close' once the stream is closed, however it ended.
    // ('on', not 'once': a stream closes once, and 'once' wraps and later unhooks every listener.)
    this.stream.on('close', () => { this.closed = true; this.emit('finish'); this.emit('close'); });
  }

  get statusCode(): number { return this.code; }
  set statusCode(code: number) {
    code |= 0;
    if (code < 200 || code > 599) throw new RangeError(`Invalid status code: ${code}`);
    this.code = code;
  }
  // HTTP/2 has no reason phrase: one set (Go's plain answers set one) is ignored.
  get statusMessage(): string { return ''; }
  set statusMessage(_: string) { /* ignored */ }

  get headersSent(): boolean { return this.stream.headersSent; }
  get destroyed(): boolean { return this.stream.destroyed; }
  get writableEnded(): boolean { return this.ending; }
  get finished(): boolean { return this.ending; }
  get writableFinished(): boolean { return this.stream.writableFinished; }
  get writableLength(): number { return this.stream.writableLength; }
  get writableNeedDrain(): boolean { return this.stream.writableNeedDrain; }
  /** No socket of its own (the connection is shared); code that needs one finds none, as after a close. */
  get socket(): undefined { return undefined; }

  setHeader(name: string, value: OutgoingHttpHeader): this {
    if (this.stream.headersSent) throw Object.assign(new Error('Response has already been initiated.'), { code: 'ERR_HTTP2_HEADERS_SENT' });
    const key = checkedName(name);
    if (value === undefined || value === null) throw Object.assign(new TypeError(`Invalid value "${value}" for header "${key}"`), { code: 'ERR_HTTP2_INVALID_HEADER_VALUE' });
    if (!CONNECTION_HEADERS.has(key)) this.out[key] = value;
    return this;
  }

  appendHeader(name: string, value: string | readonly string[]): this {
    const key = checkedName(name);
    if (CONNECTION_HEADERS.has(key)) return this;
    const prev = this.out[key];
    if (prev === undefined) return this.setHeader(key, value as OutgoingHttpHeader);
    const list = Array.isArray(prev) ? [...prev] : [String(prev)];
    for (const v of Array.isArray(value) ? value : [value]) list.push(String(v));
    return this.setHeader(key, list);
  }

  getHeader(name: string): OutgoingHttpHeader | undefined { return this.out[name.trim().toLowerCase()]; }
  hasHeader(name: string): boolean { return Object.hasOwn(this.out, name.trim().toLowerCase()); }
  getHeaders(): OutgoingHttpHeaders { return Object.assign(Object.create(null), this.out); }
  getHeaderNames(): string[] { return Object.keys(this.out); }
  removeHeader(name: string): void {
    if (this.stream.headersSent) throw Object.assign(new Error('Response has already been initiated.'), { code: 'ERR_HTTP2_HEADERS_SENT' });
    delete this.out[name.trim().toLowerCase()];
  }

  writeHead(status: number, ...rest: unknown[]): this {
    if (this.closed || this.stream.destroyed) return this;
    const headers = rest[rest.length - 1];
    if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) this.setHeader(headers[i], headers[i + 1]);
    else if (headers && typeof headers === 'object') for (const k of Object.keys(headers)) this.setHeader(k, (headers as OutgoingHttpHeaders)[k]!);
    this.statusCode = status;
    this.respond(false);
    return this;
  }

  flushHeaders(): void { if (!this.closed && !this.stream.headersSent) this.respond(false); }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean {
    if (this.ending || this.closed) {
      const err = Object.assign(new Error(this.ending ? 'write after end' : 'The stream has been destroyed'), { code: this.ending ? 'ERR_STREAM_WRITE_AFTER_END' : 'ERR_HTTP2_INVALID_STREAM' });
      const done = typeof encoding === 'function' ? encoding : cb;
      if (done) process.nextTick(done, err);
      return false;
    }
    if (this.stream.destroyed) return false;
    if (!this.stream.headersSent) this.respond(false);
    const more = typeof encoding === 'function' ? this.stream.write(chunk, encoding) : this.stream.write(chunk, encoding ?? 'utf8', cb);
    if (!more) this.stream.once('drain', () => this.emit('drain'));
    return more;
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), cb?: () => void): this {
    if (typeof chunk === 'function') { cb = chunk; chunk = undefined; } else if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    if (this.ending || this.closed) { if (cb) process.nextTick(cb); return this; }
    this.ending = true;
    if (cb) this.once('finish', cb);
    if (this.stream.destroyed) return this;
    const empty = chunk === undefined || chunk === null || (chunk as string | Uint8Array).length === 0;
    if (!this.stream.headersSent) this.respond(empty);
    if (!empty) this.stream.end(chunk as string | Uint8Array, encoding as BufferEncoding ?? 'utf8');
    else if (!this.stream.writableEnded) this.stream.end();
    return this;
  }

  destroy(err?: Error): void { this.stream.destroy(err); }
  cork(): void { this.stream.cork(); }
  uncork(): void { this.stream.uncork(); }
  setTimeout(ms: number, cb?: () => void): this { if (!this.closed) this.stream.setTimeout(ms, cb); return this; }

  private respond(endStream: boolean): void {
    this.out[':status'] = this.code;
    if (endStream) { this.stream.respond(this.out, { endStream }); return; }
    // The stream is ended by an empty DATA frame once the body is written (empty trailers), as the
    // compatibility layer ends it: ended with the body's last frame instead, the stream closes
    // before the write completes, and Node then makes an ERR_STREAM_DESTROYED (stack and all) for
    // the write's pending callbacks on every response.
    this.stream.respond(this.out, { endStream, waitForTrailers: true });
    this.stream.on('wantTrailers', sendNoTrailers); // emitted once per stream
  }
}

function sendNoTrailers(this: ServerHttp2Stream): void { this.sendTrailers({}); }

const HTTP_TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;

/** Names already checked, as given (the handlers set a few dozen names, over and over). */
const goodNames = new Map<string, string>();
const MAX_GOOD_NAMES = 512;

/** A header name as HTTP/2 sends it (lower case), refused as Node refuses an invalid one. */
function checkedName(name: string): string {
  const known = goodNames.get(name);
  if (known !== undefined) return known;
  const key = name.trim().toLowerCase();
  // An HTTP token (RFC 9110), as Node checks it; the value import of node:http that has the check
  // would load undici at start-up (test/server/lazy-load.test.ts).
  if (!HTTP_TOKEN.test(key)) throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' });
  if (goodNames.size < MAX_GOOD_NAMES) goodNames.set(name, key);
  return key;
}
