// busybox wget over the simulated network: -q, -O FILE (- for stdout), -T SEC, -S (server headers),
// --spider, --header, -U, --post-data, -Y; follows redirects; busybox's messages and exit status 1
// on failure (bad address, refused, timeout, HTTP error).
import type { ProgramIO } from '../types.ts';
import { httpRequest } from '../../netsim/index.ts';
import { abs, codeOf, podNet } from './common.ts';

interface Opts { quiet: boolean; out?: string; timeoutMs: number; headers: Record<string, string>; spider: boolean; showHeaders: boolean; postData?: string; urls: string[]; noCheck: boolean }

const WITH_VALUE = new Set(['O', 'T', 'U', 'Y', 'P', 'o', 'e']);

/** Busybox getopt bundling: -qO- is -q -O -, -T5 is -T 5. */
function expand(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!/^-[a-zA-Z]/.test(a) || a.startsWith('--') || a.length === 2) { out.push(a); continue; }
    for (let i = 1; i < a.length; i++) {
      out.push(`-${a[i]}`);
      if (WITH_VALUE.has(a[i])) { if (i + 1 < a.length) out.push(a.slice(i + 1)); break; }
    }
  }
  return out;
}

function parse(raw: string[]): Opts | string {
  const args = expand(raw);
  const o: Opts = { quiet: false, timeoutMs: 900_000, headers: { 'User-Agent': 'Wget' }, spider: false, showHeaders: false, urls: [], noCheck: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => { const m = /^--?[^=]+=(.*)$/s.exec(a); if (m && a.startsWith('--')) return m[1]; if (!a.startsWith('--') && a.length > 2) return a.slice(2); return args[++i]; };
    if (a === '-q' || a === '--quiet') o.quiet = true;
    else if (a === '-S' || a === '--server-response') o.showHeaders = true;
    else if (a === '--spider') o.spider = true;
    else if (a === '--no-check-certificate') o.noCheck = true;
    else if (a === '-c' || a === '--continue' || a === '-nv') { /* no effect on a fresh download */ }
    else if (a.startsWith('-O') || a.startsWith('--output-document')) { const v = val(); if (v === undefined) return 'option requires an argument -- O'; o.out = v; }
    else if (a.startsWith('-T') || a.startsWith('--timeout')) { const v = val(); if (!v || !/^\d+$/.test(v)) return `invalid number '${v ?? ''}'`; o.timeoutMs = Number(v) * 1000; }
    else if (a.startsWith('-U') || a.startsWith('--user-agent')) { const v = val(); if (v === undefined) return 'option requires an argument -- U'; o.headers['User-Agent'] = v; }
    else if (a.startsWith('--header')) { const v = val(); const m = v ? /^([^:]+):\s*(.*)$/.exec(v) : null; if (!m) return `invalid header '${v ?? ''}'`; o.headers[m[1]] = m[2]; }
    else if (a.startsWith('--post-data')) { const v = val(); if (v === undefined) return 'option requires an argument'; o.postData = v; }
    else if (a.startsWith('-Y') || a.startsWith('-P') || a.startsWith('-o')) val();
    else if (a.startsWith('-') && a !== '-') return `unrecognized option '${a}'`;
    else o.urls.push(a);
  }
  return o.urls.length ? o : 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...';
}

export async function wget(io: ProgramIO): Promise<number> {
  const o = parse(io.argv.slice(1));
  if (typeof o === 'string') { io.stderr(o.startsWith('BusyBox') ? `${o}\n` : `wget: ${o}\n`); return 1; }
  const net = podNet(io);
  for (const url of o.urls) if (!(await fetchOne(io, net, o, url))) return 1;
  return 0;
}

async function fetchOne(io: ProgramIO, net: ReturnType<typeof podNet>, o: Opts, first: string): Promise<boolean> {
  let url = /^[a-z]+:\/\//i.test(first) ? first : `http://${first}`;
  for (let hop = 0; hop < 20; hop++) {
    let u: URL;
    try { u = new URL(url); } catch { io.stderr(`wget: bad address '${url}'\n`); return false; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') { io.stderr(`wget: not an http or ftp url: ${url}\n`); return false; }
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    let ip: string;
    try { ip = net.lookup(host).addresses[0]; if (!ip) throw new Error(); } catch { io.stderr(`wget: bad address '${host}'\n`); return false; }
    if (!o.quiet) io.stderr(`Connecting to ${u.host}${u.port ? '' : `:${port}`} (${ip}:${port})\n`);
    let r;
    try {
      r = await httpRequest(net, { url, method: o.postData !== undefined ? 'POST' : o.spider ? 'HEAD' : 'GET', headers: { ...o.headers, ...(o.postData !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) }, body: o.postData, timeoutMs: o.timeoutMs, sleep: io.sleep, signal: io.signal, insecure: true });
    } catch (e) {
      const c = codeOf(e);
      io.stderr(c === 'ECONNREFUSED' ? `wget: can't connect to remote host (${ip}): Connection refused\n` : c === 'ETIMEDOUT' ? 'wget: download timed out\n' : c === 'ENOTFOUND' ? `wget: bad address '${host}'\n` : `wget: error getting response: ${(e as Error).message}\n`);
      return false;
    }
    if (o.showHeaders) {
      io.stderr(`  HTTP/${r.httpVersion} ${r.status} ${r.statusText}\n`);
      for (let i = 0; i < r.rawHeaders.length; i += 2) io.stderr(`  ${r.rawHeaders[i]}: ${r.rawHeaders[i + 1]}\n`);
    }
    if ([301, 302, 303, 307, 308].includes(r.status) && r.headers.location) { url = new URL(String(r.headers.location), url).toString(); continue; }
    if (r.status >= 300) { io.stderr(`wget: server returned error: HTTP/${r.httpVersion} ${r.status} ${r.statusText}\n`); return false; }
    if (o.spider) { if (!o.quiet) io.stderr('remote file exists\n'); return true; }
    const name = o.out ?? (decodeURIComponent(u.pathname.split('/').pop() || '') || 'index.html');
    if (name === '-') { io.stdout(r.body); return true; }
    if (name === '/dev/null') return true;
    if (!o.quiet) io.stderr(`saving to '${name}'\n`);
    try { await io.fs.writeFile(abs(io, name), r.body); } catch (e) { io.stderr(`wget: can't open '${name}': ${/ENOENT|no such/i.test(String(e)) ? 'No such file or directory' : 'Permission denied'}\n`); return false; }
    if (!o.quiet) io.stderr(`${name.padEnd(20).slice(0, 20)} 100% |********************************| ${r.body.length}  0:00:00 ETA\n'${name}' saved\n`);
    return true;
  }
  io.stderr('wget: too many redirections\n');
  return false;
}
