// gRPC health checking (grpc.health.v1.Health/Check) over the simulated network: real HTTP/2 (node's
// http2 on the in-memory stream pair) with gRPC's length-prefixed messages, so the kubelet's gRPC
// probe and the agnhost grpc-health-checking server speak the protocol to each other. Only Check,
// without TLS; the messages are the two tiny protobufs of health.proto, encoded by hand.
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';

export const CHECK_PATH = '/grpc.health.v1.Health/Check';
/** HealthCheckResponse.ServingStatus. */
export const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
/** gRPC status codes used here. */
export const GRPC_OK = 0, GRPC_NOT_FOUND = 5, GRPC_UNIMPLEMENTED = 12;

/** A gRPC message: 1 byte compressed flag (0), 4 bytes big-endian length, the protobuf. */
function frame(msg: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}
function unframe(b: Buffer): Buffer | undefined {
  if (b.length < 5 || b[0] !== 0) return undefined;
  const n = b.readUInt32BE(1);
  return b.length >= 5 + n ? b.subarray(5, 5 + n) : undefined;
}

function varint(b: Buffer, at: number): [number, number] {
  let v = 0, shift = 0;
  for (;;) {
    if (at >= b.length) throw new Error('truncated varint');
    const x = b[at++];
    v += (x & 0x7f) * 2 ** shift;
    if (!(x & 0x80)) return [v, at];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

/** HealthCheckRequest { string service = 1; } */
export function encodeRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  if (!s.length) return Buffer.alloc(0);
  if (s.length > 127) throw new Error('service name too long');
  return Buffer.concat([Buffer.from([0x0a, s.length]), s]);
}
export function decodeRequest(b: Buffer): string {
  let at = 0, service = '';
  while (at < b.length) {
    let key: number; [key, at] = varint(b, at);
    const wire = key & 7;
    if (wire === 2) {
      let n: number; [n, at] = varint(b, at);
      if (at + n > b.length) throw new Error('truncated field');
      if ((key >> 3) === 1) service = b.subarray(at, at + n).toString('utf8');
      at += n;
    } else if (wire === 0) [, at] = varint(b, at);
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return service;
}

/** HealthCheckResponse { ServingStatus status = 1; } */
export const encodeResponse = (status: number) => (status ? Buffer.from([0x08, status]) : Buffer.alloc(0));
export function decodeResponse(b: Buffer): number {
  let at = 0, status = 0;
  while (at < b.length) {
    let key: number; [key, at] = varint(b, at);
    if ((key & 7) !== 0) throw new Error('unexpected field in HealthCheckResponse');
    let v: number; [v, at] = varint(b, at);
    if ((key >> 3) === 1) status = v;
  }
  return status;
}

export type HealthAnswer = { status: number } | { code: number; message: string };

/** An HTTP/2 gRPC server for Health/Check; hand it each accepted connection. */
export function healthServer(check: (service: string) => HealthAnswer): { accept(socket: Duplex): void; close(): void } {
  const server = http2.createServer();
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {});
    stream.on('end', () => {
      const trailers = (code: number, message = '') => ({ 'grpc-status': String(code), ...(message ? { 'grpc-message': encodeURIComponent(message) } : {}) });
      if (headers[':path'] !== CHECK_PATH) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers(GRPC_UNIMPLEMENTED, `unknown method ${String(headers[':path'] ?? '')}`) }, { endStream: true });
        return;
      }
      const msg = unframe(Buffer.concat(chunks));
      let service = '';
      try { service = msg ? decodeRequest(msg) : ''; } catch { /* an unreadable request checks the server as a whole */ }
      const a = check(service);
      if ('code' in a) { stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers(a.code, a.message) }, { endStream: true }); return; }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers(GRPC_OK)));
      stream.end(frame(encodeResponse(a.status)));
    });
  });
  server.on('sessionError', () => {});
  return { accept: (socket) => server.emit('connection', socket), close: () => server.close() };
}

/**
 * One Health/Check call on an open connection, as grpc-go's client does; resolves with the serving
 * status, or rejects with the gRPC error (`rpc error: code = … desc = …`) or a transport error.
 */
export function healthCheck(socket: Duplex, authority: string, service: string, timeoutMs: number, sleep: (ms: number, signal?: AbortSignal) => Promise<void>): Promise<number> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${authority}`, { createConnection: () => socket as any });
    const timer = new AbortController();
    let settled = false;
    const done = (f: () => void) => { if (settled) return; settled = true; timer.abort(); session.close(); session.destroy(); f(); };
    void sleep(timeoutMs, timer.signal).then(() => done(() => reject(Object.assign(new Error('context deadline exceeded'), { code: 'DeadlineExceeded' }))));
    session.on('error', (e) => done(() => reject(e)));
    const req = session.request({ ':method': 'POST', ':path': CHECK_PATH, 'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'kube-probe/1.32' });
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => { if (h['grpc-status'] !== undefined) trailers = h; });
    req.on('trailers', (t) => { trailers = t; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', (e) => done(() => reject(e)));
    req.on('end', () => done(() => {
      const code = Number(trailers['grpc-status'] ?? 2);
      if (code !== GRPC_OK) { reject(Object.assign(new Error(`rpc error: code = ${GRPC_CODE_NAMES[code] ?? code} desc = ${decodeURIComponent(String(trailers['grpc-message'] ?? ''))}`), { code: GRPC_CODE_NAMES[code] ?? String(code) })); return; }
      const msg = unframe(Buffer.concat(chunks));
      if (!msg) { reject(new Error('rpc error: code = Internal desc = malformed response')); return; }
      try { resolve(decodeResponse(msg)); } catch (e) { reject(new Error(`rpc error: code = Internal desc = ${(e as Error).message}`)); }
    }));
    req.end(frame(encodeRequest(service)));
  });
}

const GRPC_CODE_NAMES: Record<number, string> = { 1: 'Canceled', 2: 'Unknown', 4: 'DeadlineExceeded', 5: 'NotFound', 12: 'Unimplemented', 13: 'Internal', 14: 'Unavailable' };
