// The TLS JSON server under agnhost's webhook and crd-conversion-webhook: certificate and key from
// the mounted files, each path's handler turns a decoded review into the response review.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { serveGo } from '../go-http.ts';
import { goLog, readText } from '../program-kit.ts';

export type ReviewHandler = (review: any) => Promise<object | undefined> | object | undefined;

export async function serveReviews(io: ProgramIO, port: number, certFile: string, keyFile: string, routes: Record<string, ReviewHandler>): Promise<boolean> {
  const cert = certFile ? await readText(io, certFile) : undefined;
  const key = keyFile ? await readText(io, keyFile) : undefined;
  if (!cert || !key) {
    io.stderr(`panic: open ${cert ? keyFile : certFile}: no such file or directory\n\ngoroutine 1 [running]:\n`);
    return false;
  }
  serveGo(forPod(io.pod), port, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/readyz') { res.end('ok'); return; }
    const h = routes[path];
    if (!h) { res.statusCode = 404; res.setHeader('Content-Type', 'text/plain; charset=utf-8'); res.end('404 page not found\n'); return; }
    return answer(io, req, res, h);
  }, { signal: io.signal, tls: { cert, key } });
  return true;
}

async function answer(io: ProgramIO, req: IncomingMessage, res: ServerResponse, h: ReviewHandler): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const type = String(req.headers['content-type'] ?? '');
  if (type !== 'application/json') { goLog(io, `contentType=${type}, expect application/json`); res.end(); return; }
  let review: any;
  try { review = JSON.parse(Buffer.concat(chunks).toString()); } catch (e) {
    const msg = `Request could not be decoded: ${(e as Error).message}`;
    res.statusCode = 400; res.setHeader('Content-Type', 'text/plain; charset=utf-8'); res.end(`${msg}\n`); return;
  }
  const out = await h(review);
  // Upstream dereferences a nil response and the server drops the connection.
  if (!out) { req.socket.destroy(); return; }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(out));
}
