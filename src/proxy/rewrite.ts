// What upstream's proxy transport (apimachinery util/proxy transport.go) does to answers coming back
// through the pods/services/nodes proxy: links in text/html bodies and Location headers that point at
// the target itself are rewritten under the proxy path (/api/v1/namespaces/ns/pods/x/proxy/...), so a
// page served through the proxy keeps working. Start tags with URL attributes are re-rendered as Go's
// html.Token String() does; everything else passes through byte for byte.

/** Attributes holding URLs, per element (upstream's atomsToAttrs). */
const URL_ATTRS: Record<string, string[]> = {
  a: ['href'], applet: ['codebase'], area: ['href'], audio: ['src'], base: ['href'], blockquote: ['cite'], body: ['background'],
  button: ['formaction'], command: ['icon'], del: ['cite'], embed: ['src'], form: ['action'], frame: ['longdesc', 'src'],
  head: ['profile'], html: ['manifest'], iframe: ['longdesc', 'src'], img: ['longdesc', 'src', 'usemap'], input: ['src', 'usemap', 'formaction'],
  ins: ['cite'], link: ['href'], object: ['classid', 'codebase', 'data', 'usemap'], q: ['cite'], script: ['src'], source: ['src'], video: ['poster', 'src'],
};
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);

/** Posix path.Join as Go's: clean, no trailing slash. */
function joinPath(a: string, b: string): string {
  const out: string[] = [];
  for (const seg of `${a}/${b}`.split('/')) { if (seg === '..') out.pop(); else if (seg && seg !== '.') out.push(seg); }
  return `/${out.join('/')}`;
}

/** rewriteURL: a same-host absolute-path URL goes under `prefix`; others are left alone. */
export function rewriteUrl(raw: string, prefix: string, requestHost: string): string {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(.*)$/s.exec(raw);
  if (!m) return raw;
  const [, scheme, host, path, rest] = m;
  if (host !== undefined && host !== '' && host !== requestHost) return raw;
  if (scheme && host === undefined) return raw; // mailto:, javascript:, ...
  if (!path.startsWith('/')) return raw;
  if (path.startsWith(prefix)) return `${path}${rest}`;
  let joined = joinPath(prefix, path);
  if (path.endsWith('/') && !joined.endsWith('/')) joined += '/';
  return `${joined}${rest}`;
}

const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#34|apos);/g, (_m, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#34': '"', apos: "'" } as Record<string, string>)[e]);
const escapeHtml = (s: string) => s.replace(/[&'<>"]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;' } as Record<string, string>)[c]);

interface Tag { name: string; attrs: [string, string][]; selfClosing: boolean; end: number }

/** Parse the start tag at `i` (text[i] === '<'), or undefined when it is not one. */
function startTag(text: string, i: number): Tag | undefined {
  const nm = /^<([a-zA-Z][^\s/>]*)/.exec(text.slice(i, i + 256));
  if (!nm) return undefined;
  let j = i + nm[0].length;
  const attrs: [string, string][] = [];
  for (;;) {
    while (j < text.length && /[\s/]/.test(text[j]) && !(text[j] === '/' && text[j + 1] === '>')) j++;
    if (j >= text.length) return undefined;
    if (text[j] === '>') return { name: nm[1].toLowerCase(), attrs, selfClosing: false, end: j + 1 };
    if (text[j] === '/' && text[j + 1] === '>') return { name: nm[1].toLowerCase(), attrs, selfClosing: true, end: j + 2 };
    const an = /^[^\s/>=][^\s/>=]*/.exec(text.slice(j, j + 1024));
    if (!an) return undefined;
    j += an[0].length;
    while (j < text.length && /\s/.test(text[j])) j++;
    let value = '';
    if (text[j] === '=') {
      j++;
      while (j < text.length && /\s/.test(text[j])) j++;
      const q = text[j];
      if (q === '"' || q === "'") { const close = text.indexOf(q, j + 1); if (close < 0) return undefined; value = text.slice(j + 1, close); j = close + 1; }
      else { const v = /^[^\s>]*/.exec(text.slice(j))![0]; value = v; j += v.length; }
    }
    attrs.push([an[0].toLowerCase(), unescapeHtml(value)]);
  }
}

/** Rewrite the URL attributes of an HTML document (latin1-safe: works on the byte string). */
export function rewriteHtml(html: string, prefix: string, requestHost: string): string {
  let out = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) { out += html.slice(i); break; }
    out += html.slice(i, lt);
    if (html.startsWith('<!--', lt)) { const e = html.indexOf('-->', lt + 4); const end = e < 0 ? html.length : e + 3; out += html.slice(lt, end); i = end; continue; }
    const tag = startTag(html, lt);
    if (!tag) { const end = /^<[/!?]/.test(html.slice(lt, lt + 2)) ? (html.indexOf('>', lt) + 1 || html.length) : lt + 1; out += html.slice(lt, end); i = end; continue; }
    const urlAttrs = URL_ATTRS[tag.name];
    if (urlAttrs && tag.attrs.some(([k]) => urlAttrs.includes(k))) {
      const attrs = tag.attrs.map(([k, v]) => ` ${k}="${escapeHtml(urlAttrs.includes(k) ? rewriteUrl(v, prefix, requestHost) : v)}"`).join('');
      out += `<${tag.name}${attrs}${tag.selfClosing ? '/>' : '>'}`;
    } else out += html.slice(lt, tag.end);
    i = tag.end;
    if (RAW_TEXT.has(tag.name) && !tag.selfClosing) {
      const close = html.toLowerCase().indexOf(`</${tag.name}`, i);
      const end = close < 0 ? html.length : close;
      out += html.slice(i, end);
      i = end;
    }
  }
  return out;
}

/** The proxy path prefix of a request: its path minus the part passed on to the target (upstream's PathPrepend). */
export function pathPrepend(requestPath: string, targetPath: string): string {
  let suffix = targetPath;
  if (requestPath.endsWith('/') && !suffix.endsWith('/')) suffix += '/';
  return requestPath.endsWith(suffix) ? requestPath.slice(0, requestPath.length - suffix.length) : requestPath;
}
