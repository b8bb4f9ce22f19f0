// The web view's own files under /skiff/ui/: public, since they hold no cluster data; the page then
// talks to the API with the user's bearer token like any other client (see static/kube.js).
//   GET /skiff/ui            → 301 to /skiff/ui/ (a browser keeps the #token=… fragment across it)
//   GET /skiff/ui/           → index.html
//   GET /skiff/ui/<file>     → one of the files in static/ (no sub-folders; anything else is a 404 Status)
// The files are found relative to this module, so they ship with the package and need no build step.
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, notFoundPath } from '../api/request-info.ts';

export const UI_PATH = '/skiff/ui/';
export const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon',
};

// Scripts, styles and connections only from this origin: the page loads nothing from elsewhere.
const HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
};

interface StaticFile { body: Buffer; type: string; etag: string }

/** The served files by name, read once (they are small). */
export function loadStatic(dir = STATIC_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return files;
}

/** The link that opens the view signed in: the token rides in the fragment, which browsers never send. */
export function uiLink(serverUrl: string, token: string): string {
  return `${serverUrl.replace(/\/+$/, '')}${UI_PATH}#token=${encodeURIComponent(token)}`;
}

export function uiRoute(dir = STATIC_DIR) {
  let files: Map<string, StaticFile> | undefined;
  return (req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname' | 'searchParams'>): boolean => {
    const p = url.pathname;
    if (p !== '/skiff/ui' && !p.startsWith(UI_PATH)) return false;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
    req.resume();
    if (p === '/skiff/ui') {
      const q = url.searchParams.toString();
      res.writeHead(301, { Location: UI_PATH + (q ? `?${q}` : ''), 'Content-Length': 0 });
      res.end();
      return true;
    }
    files ??= loadStatic(dir);
    const f = files.get(p === UI_PATH ? 'index.html' : p.slice(UI_PATH.length));
    if (!f) throw notFoundPath();
    const headers: Record<string, string | number> = { ...HEADERS, 'Content-Type': f.type, ETag: f.etag };
    if (req.headers['if-none-match'] === f.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'Content-Length': f.body.length });
    res.end(method === 'HEAD' ? undefined : f.body);
    return true;
  };
}
