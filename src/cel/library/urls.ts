// URLs in CEL (k8s.io/apiserver/pkg/cel/library/urls.go): url(), isURL() and the accessors.
// Go's url.ParseRequestURI accepts absolute URLs and absolute paths.
import type { Environment } from '@marcbachmann/cel-js';

export class CelURL {
  readonly raw: string;
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
  readonly query: string;
  constructor(raw: string, scheme: string, host: string, path: string, query: string) {
    this.raw = raw; this.scheme = scheme; this.host = host; this.path = path; this.query = query;
  }
  equals(o: unknown): boolean { return o instanceof CelURL && o.raw === this.raw; }
}

const URL_RE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?$/;

export function parseURL(s: string): CelURL {
  const m = URL_RE.exec(s);
  const fail = () => new Error(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
  if (!m || /[\s\x00-\x1f\x7f]/.test(s)) throw fail();
  const [, scheme = '', host = '', path = '', query = ''] = m;
  if (!scheme && !path.startsWith('/')) throw fail();
  if (scheme && m[2] === undefined && !path.startsWith('/') && path !== '') {
    // opaque URLs such as mailto:x are accepted by Go
  }
  return new CelURL(s, scheme, host, path, query);
}

function hostname(u: CelURL): string {
  const h = u.host.replace(/^[^@]*@/, '');
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const c = h.lastIndexOf(':');
  return c >= 0 ? h.slice(0, c) : h;
}
function port(u: CelURL): string {
  const h = u.host.replace(/^[^@]*@/, '');
  const close = h.lastIndexOf(']');
  const c = h.lastIndexOf(':');
  return c > close ? h.slice(c + 1) : '';
}
function query(u: CelURL): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!u.query) return out;
  for (const part of u.query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const dec = (x: string) => { try { return decodeURIComponent(x.replace(/\+/g, ' ')); } catch { return x; } };
    const k = dec(eq < 0 ? part : part.slice(0, eq)), v = eq < 0 ? '' : dec(part.slice(eq + 1));
    const list = out.get(k);
    if (list) list.push(v); else out.set(k, [v]);
  }
  return out;
}

export function registerURLs(env: Environment): void {
  const U = 'kubernetes.URL';
  env.registerType(U, CelURL);
  env.registerFunction(`url(string): ${U}`, parseURL);
  env.registerFunction('isURL(string): bool', (s: string) => { try { parseURL(s); return true; } catch { return false; } });
  env.registerFunction(`${U}.getScheme(): string`, (u: CelURL) => u.scheme);
  env.registerFunction(`${U}.getHost(): string`, (u: CelURL) => u.host.replace(/^[^@]*@/, ''));
  env.registerFunction(`${U}.getHostname(): string`, hostname);
  env.registerFunction(`${U}.getPort(): string`, port);
  env.registerFunction(`${U}.getEscapedPath(): string`, (u: CelURL) => u.path);
  env.registerFunction(`${U}.getQuery(): map<string, list<string>>`, query);
  env.registerOperator(`${U} == ${U}`, (a: CelURL, b: CelURL) => a.equals(b));
}
