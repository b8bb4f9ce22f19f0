// How Go's net/http answers, for the catalogue's Go programs (agnhost): a handler that sets no
// Content-Type gets one sniffed from the first bytes written (http.DetectContentType, the text
// and HTML cases), and unknown paths of a ServeMux are "404 page not found".
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { serveHttp } from '../netsim/index.ts';
import type { PodNet } from '../netsim/index.ts';
import type { ServeOptions } from '../netsim/http.ts';

const HTML = ['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'];

/** http.DetectContentType for text: HTML, XML, plain text or binary. */
export function detectContentType(data: Buffer): string {
  let i = 0;
  while (i < data.length && [0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(data[i])) i++;
  const head = data.subarray(i, i + 512).toString('latin1');
  const upper = head.toUpperCase();
  for (const sig of HTML) {
    if (upper.startsWith(sig) && (head.length === sig.length || head[sig.length] === ' ' || head[sig.length] === '>')) return 'text/html; charset=utf-8';
  }
  if (head.startsWith('<?xml')) return 'text/xml; charset=utf-8';
  if (head.startsWith('%PDF-')) return 'application/pdf';
  for (const b of data.subarray(0, 512)) if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return 'application/octet-stream';
  return 'text/plain; charset=utf-8';
}

/** Give a response Go's Content-Type sniffing on its first non-empty write. */
export function goResponse(res: ServerResponse): void {
  const write = res.write.bind(res) as (...a: any[]) => boolean;
  const end = res.end.bind(res) as (...a: any[]) => ServerResponse;
  const sniff = (chunk: unknown) => {
    if (res.headersSent || res.hasHeader('content-type') || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    if (b.length) res.setHeader('Content-Type', detectContentType(b));
  };
  (res as any).write = (chunk: unknown, ...rest: unknown[]) => { sniff(chunk); return write(chunk, ...rest); };
  (res as any).end = (chunk?: unknown, ...rest: unknown[]) => { sniff(chunk); return end(chunk, ...rest); };
}

/** What Go's server writes for bytes that are not an HTTP request (e.g. `echo hostName | nc host 80`). */
export const GO_BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request';

/** serveHttp with Go's response behaviour. */
export function serveGo(net: PodNet, port: number, handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>, o: ServeOptions = {}) {
  const served = serveHttp(net, port, (req, res) => { goResponse(res); return handler(req, res); }, o);
  served.server.on('clientError', (_err: Error, socket: Duplex) => {
    if (socket.writable) socket.end(GO_BAD_REQUEST); else socket.destroy();
  });
  return served;
}
