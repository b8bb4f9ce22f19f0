// pods/log over a WebSocket (upstream's wsstream reader, which `kubectl`'s clients and the e2e
// framework use): the ordinary pipeline answers the request; when it answers 200 the connection is
// upgraded and each chunk of the log goes out as one message (binary for `binary.k8s.io` or no
// protocol, base64 text for `base64.binary.k8s.io`), and the socket closes when the log ends. Any other
// answer (404, 400, 403 ...) goes back as the plain HTTP response it is, so the client sees its Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';

// node:http through getBuiltinModule: an ESM import of it loads undici at start-up (see server.ts).
const { ServerResponse: Response, STATUS_CODES } = process.getBuiltinModule('node:http');

export const LOG_PATH = /\/pods\/[^/]+\/log\/*$/;
export const LOG_PROTOCOLS = ['binary.k8s.io', 'base64.binary.k8s.io'];

let wss: WebSocketServer | undefined;
async function server(): Promise<WebSocketServer> {
  if (wss) return wss;
  const { WebSocketServer: Server } = await import('ws');
  return (wss ??= new Server({ noServer: true, perMessageDeflate: false, handleProtocols: (offered: Set<string>) => LOG_PROTOCOLS.find((p) => offered.has(p)) ?? false }));
}

/** Whether the request asks for a pod's log over a WebSocket. */
export function isLogWebSocket(pathname: string, req: IncomingMessage): boolean {
  return LOG_PATH.test(pathname) && String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Run the request through `app` and deliver its answer over a WebSocket (200) or as plain HTTP (anything else). */
export function serveLogWebSocket(app: (req: IncomingMessage, res: ServerResponse) => void, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const res = new Response(req) as ServerResponse;
  const body: Buffer[] = [];
  let ws: WebSocket | undefined;
  let mode: 'undecided' | 'ws' | 'http' = 'undecided';
  let ended = false;
  const base64 = () => ws?.protocol === 'base64.binary.k8s.io';
  const send = (b: Buffer) => { if (ws && ws.readyState === ws.OPEN && b.length) ws.send(base64() ? b.toString('base64') : b); };
  const finishHttp = () => {
    const payload = Buffer.concat(body);
    const type = String(res.getHeader('content-type') ?? 'application/json');
    socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${res.statusCode} ${STATUS_CODES[res.statusCode] ?? 'Error'}\r\nContent-Type: ${type}\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`), payload]));
  };
  const decide = () => {
    if (mode !== 'undecided') return;
    if (res.statusCode !== 200) { mode = 'http'; return; }
    mode = 'ws';
    void server().then((s) => s.handleUpgrade(req, socket, head, (w) => {
      ws = w;
      for (const b of body.splice(0)) send(b);
      if (ended) ws.close(1000);
      ws.on('close', () => { if (!ended) { ended = true; res.destroy(); req.emit('close'); } });
    }));
  };
  const chunk = (c: unknown, enc?: unknown): Buffer => (c === undefined || c === null || typeof c === 'function' ? Buffer.alloc(0) : Buffer.isBuffer(c) ? c : Buffer.from(c as string, typeof enc === 'string' ? enc as BufferEncoding : 'utf8'));
  res.write = ((c: unknown, enc?: unknown, cb?: unknown) => {
    decide();
    const b = chunk(c, enc);
    if (mode === 'ws' && ws) send(b); else body.push(b);
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(done as () => void);
    return true;
  }) as ServerResponse['write'];
  res.end = ((c?: unknown, enc?: unknown, cb?: unknown) => {
    if (ended) return res;
    decide();
    const b = chunk(c, enc);
    ended = true;
    if (mode === 'http') { body.push(b); finishHttp(); } else if (ws) { send(b); ws.close(1000); } else body.push(b);
    Object.defineProperty(res, 'writableEnded', { value: true, configurable: true });
    const done = [c, enc, cb].find((x) => typeof x === 'function');
    if (typeof done === 'function') queueMicrotask(done as () => void);
    res.emit('finish');
    return res;
  }) as ServerResponse['end'];
  res.flushHeaders = () => { decide(); };
  socket.on('error', () => {});
  app(req, res);
}
