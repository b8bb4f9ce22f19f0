// agnhost liveness: an HTTP server on 8080 whose /healthz answers 200 "ok" for its first 10 s and 500
// afterwards; /started reports the uptime, /redirect?loc= redirects (302); /sleep-headers,
// /sleep-body, /slow-response, /disconnect-* emulate slow or broken answers (simulated time).
import type { ServerResponse } from 'node:http';
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { serveGo } from '../go-http.ts';
import { stopped, SIGTERM_EXIT } from '../program-kit.ts';

function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  const h = Math.floor(ms / 3_600_000), m = Math.floor((ms % 3_600_000) / 60_000), s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${Number(s.toFixed(9))}s`;
}

function params(q: URLSearchParams): { code: number; time: number; size: number; interval: number } | string {
  const out: Record<string, number> = { code: 500, time: 0, size: 0, interval: 0 };
  for (const k of Object.keys(out)) {
    const v = q.get(k);
    if (!v) continue;
    if (!/^[+-]?\d+$/.test(v)) return `parameter '${k}' is invalid: strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`;
    out[k] = Number(v);
  }
  return out as any;
}

async function body(io: ProgramIO, res: ServerResponse, kb: number, interval: number): Promise<void> {
  for (let i = 0; i < kb; i++) {
    if (interval > 0) await io.sleep(interval * 1000, io.signal);
    let chunk = '';
    for (let b = 0; b < 1024; b += 16) chunk += Math.floor(Math.random() * 2 ** 48).toString(16).padStart(16, ' ');
    res.write(chunk);
  }
}

export async function liveness(io: ProgramIO): Promise<number> {
  const started = io.now();
  serveGo(forPod(io.pod), 8080, async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const p = params(u.searchParams);
    const bad = () => { res.statusCode = 400; res.end(`${p}\n`); };
    switch (u.pathname) {
      case '/started': res.end(goDuration(io.now() - started)); return;
      case '/healthz': {
        const s = (io.now() - started) / 1000;
        if (s > 10) { res.statusCode = 500; res.end(`error: ${s}`); } else res.end('ok');
        return;
      }
      case '/redirect': res.statusCode = 302; res.setHeader('Location', u.searchParams.get('loc') ?? ''); res.end(); return;
      case '/sleep-headers':
        if (typeof p === 'string') return bad();
        if (p.time > 0) await io.sleep(p.time * 1000, io.signal);
        res.statusCode = p.code; res.write(`Slept for ${p.time} secs\n`); await body(io, res, p.size, 0); res.end(); return;
      case '/sleep-body':
        if (typeof p === 'string') return bad();
        res.statusCode = p.code; await body(io, res, p.size, p.interval); res.write(`Sleeping for ${p.time} secs\n`);
        if (p.time > 0) await io.sleep(p.time * 1000, io.signal);
        res.end(`Slept for ${p.time} secs\n`); return;
      case '/slow-response':
        if (typeof p === 'string') return bad();
        res.statusCode = p.code; await body(io, res, p.size, p.interval); res.end(); return;
      case '/disconnect-headers': req.socket.destroy(); return;
      case '/disconnect-body':
        if (typeof p === 'string') return bad();
        res.statusCode = p.code; await body(io, res, p.size, 0); res.write('Disconnecting\n'); req.socket.destroy(); return;
      default: res.statusCode = 404; res.setHeader('Content-Type', 'text/plain; charset=utf-8'); res.end('404 page not found\n');
    }
  }, { signal: io.signal });
  await stopped(io);
  return SIGTERM_EXIT;
}
