// How much request traffic a server has taken, in the units the memory relief counts (one per store
// write): four per request (a refused request costs the heap about what a small write does) plus
// one per 4 KiB received. A burst of refused requests writes nothing,
// yet its bodies (up to the 3 MiB limit each) grow the heap and the allocator just as much, so the
// relief after a burst (util/memory-relief.ts) watches this as well as the store's revision.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const UNIT_BYTES = 4096;
const REQUEST_UNITS = 4;

export function requestActivity(server: Server): () => number {
  const open = new Set<Socket>();
  let closedBytes = 0;
  let requests = 0;
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.once('close', () => { open.delete(s); closedBytes += s.bytesRead; });
  });
  server.on('request', () => { requests++; });
  server.on('upgrade', () => { requests++; });
  return () => {
    let bytes = closedBytes;
    for (const s of open) bytes += s.bytesRead;
    return requests * REQUEST_UNITS + Math.floor(bytes / UNIT_BYTES);
  };
}

/** Requests held open by design (watches, followed logs): they do not make a server busy. */
function longRunning(url: string | undefined): boolean {
  return !!url && /[?&](watch=(true|1)|follow=(true|1))(&|$)|\/watch\//.test(url);
}

/**
 * Whether the server is idle: no request is being answered (watches and followed logs aside, and any
 * request open longer than `longMs` counts as held open) and none ended in the last `quietMs`.
 */
export function requestIdle(server: Server, opts: { quietMs?: number; longMs?: number; now?: () => number } = {}): () => boolean {
  const now = opts.now ?? (() => performance.now());
  const quietMs = opts.quietMs ?? 100, longMs = opts.longMs ?? 60_000;
  const inFlight = new Map<object, number>();
  let lastEnd = -Infinity;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (longRunning(req.url)) return;
    inFlight.set(res, now());
    res.once('close', () => { inFlight.delete(res); lastEnd = now(); });
  });
  return () => {
    const t = now();
    if (t - lastEnd < quietMs) return false;
    for (const started of inFlight.values()) if (t - started < longMs) return false;
    return true;
  };
}
