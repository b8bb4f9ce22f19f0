// Answers that upstream's Go net/http server writes itself, before any kube-apiserver handler
// runs, so they are not Status bodies there either: a request line or headers it cannot parse
// (`400 Bad Request`, plain text, `Connection: close`), headers too large (431), an unsupported
// transfer encoding (501), and an `Expect` other than 100-continue (417, empty body). Node's own
// defaults differ in small ways (empty bodies, no Connection: close); these match Go's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

const TEXT = 'Content-Type: text/plain; charset=utf-8\r\nConnection: close';

function writeRaw(socket: Duplex, statusLine: string, body: string): void {
  try {
    socket.end(`${statusLine}\r\n${TEXT}\r\n\r\n${body}`);
  } catch {
    socket.destroy();
  }
}

/** Go's answer to an unparseable request (server.go: "HTTP/1.0 400 Bad Request" + errorHeaders + text). */
export function writeGoBadRequest(socket: Duplex, detail?: string): void {
  const text = detail ? `400 Bad Request: ${detail}` : '400 Bad Request';
  writeRaw(socket, `HTTP/1.0 ${text}`, text);
}

/** Sockets given a closing answer of Go's: a parse error Node finds later on them gets no second answer. */
const closing = new WeakSet<object>();

/** Write one of Go's plain answers through a ServerResponse, closing the connection after it. */
function goAnswer(req: IncomingMessage, res: ServerResponse, code: number, reason: string, text: string): void {
  if (req.socket) closing.add(req.socket);
  req.resume();
  res.shouldKeepAlive = false;
  res.statusCode = code;
  res.statusMessage = reason;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Connection', 'close');
  res.end(text);
}

/** The same 400 through a ServerResponse, for refusals found once Node has parsed the request. */
export function goBadRequest(res: ServerResponse, detail?: string): void {
  goAnswer(res.req, res, 400, detail ? `Bad Request: ${detail}` : 'Bad Request', detail ? `400 Bad Request: ${detail}` : '400 Bad Request');
}

/**
 * What Go's server refuses in a request Node has accepted, in Go's order (readRequest, then the
 * server's Host checks): a transfer encoding other than chunked (501), then a missing or repeated
 * Host on HTTP/1.1 (400). Answers and returns true if it refused.
 */
export function refusedLikeGo(req: IncomingMessage, res: ServerResponse): boolean {
  const te = req.headers['transfer-encoding'];
  if (te !== undefined && te.trim().toLowerCase() !== 'chunked') {
    goAnswer(req, res, 501, 'Not Implemented', 'Unsupported transfer encoding');
    return true;
  }
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1 || req.method === 'CONNECT') return false;
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') hosts++;
  if (hosts === 1) return false;
  goBadRequest(res, hosts === 0 ? 'missing required Host header' : 'too many Host headers');
  return true;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Node's 'clientError': what Go's server would have answered for the same bytes. A method Node's
 * parser does not know but that is a valid HTTP token is one Go accepts and routes; no route takes
 * it, so upstream answers go-restful's 405 Status.
 */
export function answerClientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  const answered = closing.has(socket) || (socket as { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
  if (answered || !socket.writable || err.code === 'ECONNRESET' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT') { socket.destroy(); return; }
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      writeRaw(socket, 'HTTP/1.1 431 Request Header Fields Too Large', '431 Request Header Fields Too Large');
      return;
    case 'HPE_INVALID_TRANSFER_ENCODING':
      writeRaw(socket, 'HTTP/1.1 501 Not Implemented', 'Unsupported transfer encoding');
      return;
    case 'HPE_INVALID_METHOD': {
      const line = err.rawPacket?.subarray(0, 8192).toString('latin1').split('\r\n')[0] ?? '';
      const [method, target, version] = line.split(' ');
      if (method && TOKEN.test(method) && target?.startsWith('/') && /^HTTP\/1\.[01]$/.test(version ?? '')) {
        const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405 });
        try {
          socket.end(`HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        } catch { socket.destroy(); }
        return;
      }
      writeGoBadRequest(socket);
      return;
    }
    default:
      writeGoBadRequest(socket);
  }
}

/** Go's hasToken: `token` among values separated by spaces, commas or tabs, case-insensitively. */
function hasToken(v: string, token: string): boolean {
  return v.split(/[ ,\t]+/).some((t) => t.toLowerCase() === token);
}

/**
 * Node's 'checkContinue' (its regex found "100-continue" somewhere in Expect): as Go, a real
 * 100-continue token gets the interim response only when a body is coming, anything else is 417.
 */
export function continueLikeGo(app: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (refusedLikeGo(req, res)) return;
    if (!hasToken(String(req.headers.expect ?? ''), '100-continue')) { answerExpectationFailed(req, res); return; }
    if (req.headers['content-length'] !== '0' && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)) res.writeContinue();
    app(req, res);
  };
}

/** Node's 'checkExpectation' (an Expect other than 100-continue): Go's sendExpectationFailed. */
export function answerExpectationFailed(req: IncomingMessage, res: ServerResponse): void {
  if (refusedLikeGo(req, res)) return;
  if (req.socket) closing.add(req.socket);
  req.resume();
  res.shouldKeepAlive = false;
  res.writeHead(417, { 'Content-Length': '0', Connection: 'close' });
  res.end();
}
