// curl over the simulated network: -s, -S, -f, -o FILE, -O, -w FORMAT (%{http_code} and friends),
// -m SEC, --connect-timeout SEC, -X, -d/--data(-raw|-binary), -H, -k, -i, -I, -L, -v, --cacert,
// with curl's exit codes and "curl: (N) ..." messages (6 resolve, 7 connect, 22 HTTP >= 400 with -f,
// 28 timeout, 60 certificate, 3 bad URL, 2 bad option).
import type { ProgramIO } from '../types.ts';
import { httpRequest } from '../../netsim/index.ts';
import type { HttpResponse } from '../../netsim/index.ts';
import { abs, codeOf, podNet, seconds } from './common.ts';

interface Opts {
  silent: boolean; showError: boolean; fail: boolean; out?: string; remoteName: boolean; write?: string; maxTimeMs?: number; connectTimeoutMs?: number;
  method?: string; data?: string; headers: Record<string, string>; insecure: boolean; include: boolean; head: boolean; follow: boolean; verbose: boolean; cacert?: string; url?: string;
}

const NEEDS_ARG = new Set(['-o', '--output', '-w', '--write-out', '-m', '--max-time', '--connect-timeout', '-X', '--request', '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '-H', '--header', '--cacert', '-A', '--user-agent', '-u', '--user', '-e', '--referer', '--retry', '--resolve', '--interface']);

function parse(args: string[]): Opts | { code: number; msg: string } {
  const o: Opts = { silent: false, showError: false, fail: false, remoteName: false, headers: {}, insecure: false, include: false, head: false, follow: false, verbose: false };
  const expanded: string[] = [];
  for (const a of args) {
    if (/^-[a-zA-Z]{2,}$/.test(a) && !NEEDS_ARG.has(a)) { // bundled short flags: -sSfL, -sk, -so (last may take an argument)
      const letters = a.slice(1).split('');
      letters.forEach((l, i) => { if (NEEDS_ARG.has(`-${l}`) && i < letters.length - 1) { expanded.push(`-${l}`, a.slice(i + 2)); letters.length = i + 1; } else expanded.push(`-${l}`); });
    } else expanded.push(a);
  }
  for (let i = 0; i < expanded.length; i++) {
    let a = expanded[i], v: string | undefined;
    const eq = /^(--[^=]+)=(.*)$/s.exec(a);
    if (eq) { a = eq[1]; v = eq[2]; }
    if (NEEDS_ARG.has(a) && v === undefined) { v = expanded[++i]; if (v === undefined) return { code: 2, msg: `curl: option ${a}: requires parameter` }; }
    switch (a) {
      case '-s': case '--silent': o.silent = true; break;
      case '-S': case '--show-error': o.showError = true; break;
      case '-f': case '--fail': o.fail = true; break;
      case '-k': case '--insecure': o.insecure = true; break;
      case '-i': case '--include': o.include = true; break;
      case '-I': case '--head': o.head = true; break;
      case '-L': case '--location': o.follow = true; break;
      case '-v': case '--verbose': o.verbose = true; break;
      case '-O': case '--remote-name': o.remoteName = true; break;
      case '-q': case '--disable': case '-g': case '--globoff': case '--http1.1': case '-N': case '--no-buffer': case '--compressed': break;
      case '-o': case '--output': o.out = v; break;
      case '-w': case '--write-out': o.write = v; break;
      case '-m': case '--max-time': { const ms = seconds(v); if (ms === undefined) return { code: 2, msg: `curl: option ${a}: expected a proper numerical parameter` }; o.maxTimeMs = ms; break; }
      case '--connect-timeout': { const ms = seconds(v); if (ms === undefined) return { code: 2, msg: `curl: option ${a}: expected a proper numerical parameter` }; o.connectTimeoutMs = ms; break; }
      case '-X': case '--request': o.method = v; break;
      case '-d': case '--data': case '--data-raw': case '--data-binary': case '--data-urlencode': o.data = o.data === undefined ? v! : `${o.data}&${v}`; break;
      case '-H': case '--header': { const m = /^([^:]+):\s*(.*)$/.exec(v!); if (m) o.headers[m[1]] = m[2]; break; }
      case '-A': case '--user-agent': o.headers['User-Agent'] = v!; break;
      case '-u': case '--user': o.headers.Authorization = `Basic ${Buffer.from(v!).toString('base64')}`; break;
      case '-e': case '--referer': o.headers.Referer = v!; break;
      case '--cacert': o.cacert = v; break;
      case '--retry': case '--resolve': case '--interface': break;
      default:
        if (a.startsWith('-') && a !== '-') return { code: 2, msg: `curl: option ${a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information` };
        o.url = a;
    }
  }
  if (!o.url) return { code: 2, msg: "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information" };
  return o;
}

function writeOut(fmt: string, r: HttpResponse | undefined, url: string, ip: string, ms: number): string {
  const vars: Record<string, string> = {
    http_code: String(r?.status ?? 0).padStart(3, '0'), response_code: String(r?.status ?? 0).padStart(3, '0'), size_download: String(r?.body.length ?? 0),
    remote_ip: ip, url_effective: url, content_type: String(r?.headers['content-type'] ?? ''), time_total: (ms / 1000).toFixed(6), http_version: r ? (r.httpVersion === '1.1' ? '1.1' : r.httpVersion) : '0',
    num_redirects: '0', exitcode: '0', scheme: url.startsWith('https') ? 'HTTPS' : 'HTTP',
  };
  return fmt.replace(/%\{([a-z_]+)\}/g, (_m, k) => vars[k] ?? '').replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\r/g, '\r');
}

export async function curl(io: ProgramIO): Promise<number> {
  const o = parse(io.argv.slice(1));
  if ('code' in o) { io.stderr(`${o.msg}\n`); return o.code; }
  const err = (code: number, msg: string) => { if (!o.silent || o.showError) io.stderr(`curl: (${code}) ${msg}\n`); return code; };
  const net = podNet(io);
  let url = /^[a-z]+:\/\//i.test(o.url!) ? o.url! : `http://${o.url}`;
  const started = io.now();
  let ca: string | undefined;
  if (o.cacert) { try { ca = await io.fs.readFile(abs(io, o.cacert)); } catch { return err(77, `error setting certificate file: ${o.cacert}`); } }
  for (let hop = 0; ; hop++) {
    let u: URL;
    try { u = new URL(url); } catch { return err(3, `URL rejected: Malformed input to a URL function`); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return err(1, `Protocol "${u.protocol.slice(0, -1)}" not supported`);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    let ip = '';
    try { ip = net.lookup(host).addresses[0] ?? ''; if (!ip) throw new Error(); } catch { if (o.write) io.stdout(writeOut(o.write, undefined, url, '', 0)); return err(6, `Could not resolve host: ${host}`); }
    if (o.verbose) io.stderr(`*   Trying ${ip}:${port}...\n`);
    let r: HttpResponse;
    try {
      const method = o.method ?? (o.head ? 'HEAD' : o.data !== undefined ? 'POST' : 'GET');
      const headers: Record<string, string> = { 'User-Agent': 'curl/8.5.0', Accept: '*/*', ...(o.data !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}), ...o.headers };
      r = await httpRequest(net, { url, method, headers, body: o.data, timeoutMs: o.maxTimeMs ?? o.connectTimeoutMs, sleep: io.sleep, signal: io.signal, insecure: o.insecure, ca });
    } catch (e) {
      const c = codeOf(e);
      const took = Math.round(io.now() - started);
      if (o.write) io.stdout(writeOut(o.write, undefined, url, ip, took));
      if (c === 'ECONNREFUSED' && !/tls/i.test((e as Error).message)) return err(7, `Failed to connect to ${host} port ${port} after ${took} ms: Couldn't connect to server`);
      if (c === 'ETIMEDOUT') return o.maxTimeMs !== undefined ? err(28, `Operation timed out after ${took} milliseconds with 0 bytes received`) : err(28, `Failed to connect to ${host} port ${port} after ${took} ms: Timeout was reached`);
      if (/tls/i.test((e as Error).message)) return err(60, 'SSL certificate problem: self-signed certificate');
      return err(56, `Recv failure: ${(e as Error).message}`);
    }
    if (o.verbose) io.stderr(`< HTTP/${r.httpVersion} ${r.status} ${r.statusText}\n`);
    if (o.follow && [301, 302, 303, 307, 308].includes(r.status) && r.headers.location && hop < 50) { url = new URL(String(r.headers.location), url).toString(); continue; }
    const took = Math.round(io.now() - started);
    if (o.fail && r.status >= 400) { if (o.write) io.stdout(writeOut(o.write, r, url, ip, took)); return err(22, `The requested URL returned error: ${r.status}`); }
    const head = o.include || o.head ? `HTTP/${r.httpVersion} ${r.status} ${r.statusText}\r\n${Array.from({ length: r.rawHeaders.length / 2 }, (_, i) => `${r.rawHeaders[2 * i]}: ${r.rawHeaders[2 * i + 1]}\r\n`).join('')}\r\n` : '';
    const payload = Buffer.concat([Buffer.from(head, 'latin1'), r.body]);
    const file = o.out ?? (o.remoteName ? decodeURIComponent(u.pathname.split('/').pop() || '') : undefined);
    if (o.remoteName && !file) return err(23, 'Remote file name has no length');
    if (file === '/dev/null') { /* discarded */ } else if (file && file !== '-') {
      try { await io.fs.writeFile(abs(io, file), payload); } catch { return err(23, `Failure writing output to destination, passed ${payload.length} returned 0`); }
    } else io.stdout(payload);
    if (o.write) io.stdout(writeOut(o.write, r, url, ip, took));
    return 0;
  }
}
