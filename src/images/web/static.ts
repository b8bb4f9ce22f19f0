// A static file server over the simulated network, shared by nginx, httpd and agnhost
// test-webserver: GET/HEAD of files under a document root in the container's filesystem, a default
// index page when the image's own index.html is not in the (volume-only) filesystem, 404/405 pages
// in the server's style.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProgramIO } from '../types.ts';
import type { PodNet } from '../../netsim/index.ts';
import { serveHttp } from '../../netsim/index.ts';

export interface StaticOptions {
  root: string;
  /** The page served for "/" when root has no index.html. */
  defaultIndex?: string;
  listDirs?: boolean;
  style: 'nginx' | 'httpd' | 'go';
  serverHeader?: string;
  /** Headers set on every answer. */
  headers?: Record<string, string>;
  /** Called per request (access log). */
  log?: (req: IncomingMessage, status: number, bytes: number) => void;
}

const TYPES: Record<string, string> = { html: 'text/html', htm: 'text/html', txt: 'text/plain', json: 'application/json', css: 'text/css', js: 'application/javascript', png: 'image/png', jpg: 'image/jpeg', svg: 'image/svg+xml' };
const typeOf = (p: string, style: string) => {
  const t = TYPES[p.split('.').pop()!.toLowerCase()] ?? (style === 'go' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
  return style === 'go' && t.startsWith('text/') && !t.includes('charset') ? `${t}; charset=utf-8` : t;
};

function errorPage(style: StaticOptions['style'], status: number, path: string): string {
  const text = status === 404 ? 'Not Found' : status === 405 ? 'Not Allowed' : status === 403 ? 'Forbidden' : 'Error';
  if (style === 'nginx') return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body bgcolor="white">\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/1.14.2</center>\r\n</body>\r\n</html>\r\n`;
  if (style === 'httpd') return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${text}</title>\n</head><body>\n<h1>${text}</h1>\n<p>The requested URL ${path} was not found on this server.</p>\n</body></html>\n`;
  return status === 404 ? '404 page not found\n' : `${status} ${text}\n`;
}

/** Serve files until the container stops. Throws (EADDRINUSE) when the port is taken. */
export function serveFiles(io: ProgramIO, net: PodNet, port: number, o: StaticOptions): void {
  serveHttp(net, port, (req, res) => answer(io, o, req, res), { signal: io.signal });
}

async function answer(io: ProgramIO, o: StaticOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (o.serverHeader) res.setHeader('Server', o.serverHeader);
  for (const [k, v] of Object.entries(o.headers ?? {})) res.setHeader(k, v);
  const send = (status: number, body: string | Uint8Array, type: string) => {
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    const buf = Buffer.from(body as any);
    res.setHeader('Content-Length', buf.length);
    res.end(req.method === 'HEAD' ? undefined : buf);
    o.log?.(req, status, buf.length);
  };
  const html = o.style === 'go' ? 'text/plain; charset=utf-8' : 'text/html';
  let path: string;
  try { path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname); } catch { send(400, errorPage(o.style, 400, '/'), html); return; }
  if (req.method !== 'GET' && req.method !== 'HEAD') { send(405, errorPage(o.style, 405, path), html); return; }
  // Normalized under the root: ".." never leaves it.
  const parts: string[] = [];
  for (const seg of path.split('/')) { if (seg === '..') parts.pop(); else if (seg && seg !== '.') parts.push(seg); }
  const file = `${o.root.replace(/\/$/, '')}/${parts.join('/')}`;
  try {
    const st = await io.fs.stat(file);
    if (st.isDirectory) {
      const index = `${file.replace(/\/$/, '')}/index.html`;
      if (await io.fs.exists(index)) { send(200, await io.fs.readFileBuffer(index), 'text/html'); return; }
      if (o.listDirs) {
        const names = (await io.fs.readdir(file)).sort();
        send(200, `<pre>\n${names.map((n) => `<a href="${encodeURIComponent(n)}">${n}</a>\n`).join('')}</pre>\n`, 'text/html; charset=utf-8');
        return;
      }
      if (!parts.length && o.defaultIndex) { send(200, o.defaultIndex, 'text/html'); return; }
      send(403, errorPage(o.style, 403, path), html);
      return;
    }
    send(200, await io.fs.readFileBuffer(file), typeOf(file, o.style));
  } catch {
    if ((!parts.length || (parts.length === 1 && parts[0] === 'index.html')) && o.defaultIndex) { send(200, o.defaultIndex, 'text/html'); return; }
    send(404, errorPage(o.style, 404, path), html);
  }
}
