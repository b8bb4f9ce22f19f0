// The path a proxy request carries to its target: what follows ".../{name}/proxy" in the request
// path, dot segments resolved as Go's path.Join does (also when percent-encoded, since upstream works
// on the decoded path; a ".." never climbs above the target's root), a trailing slash kept, the
// query passed on as is.
const PROXY_PATH = /^\/(?:api\/[^/]+|apis\/[^/]+\/[^/]+)(?:\/namespaces\/[^/]+)?\/(?:pods|services|nodes)\/[^/]+\/proxy(\/.*)?$/;

function decoded(seg: string): string { try { return decodeURIComponent(seg); } catch { return seg; } }

/** `empty`: nothing at all follows "/proxy" (not even a slash): upstream redirects GET and HEAD to ".../proxy/". */
export function proxyPath(rawUrl: string): { path: string; rawQuery: string; requestPath: string; empty: boolean } {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const rest = PROXY_PATH.exec(rawPath)?.[1] ?? '';
  const segs: string[] = [];
  for (const seg of rest.split('/')) {
    const d = decoded(seg);
    if (d === '' || d === '.') continue;
    if (d === '..') segs.pop(); else segs.push(seg);
  }
  let path = `/${segs.join('/')}`;
  if (rest.length > 1 && rest.endsWith('/') && path !== '/') path += '/';
  return { path, rawQuery, requestPath: rawPath, empty: rest === '' };
}
