// How much request traffic a server has taken, in the units the memory relief counts (one per store
// write): four per request (a refused request costs the heap about what a small write does) plus
// one per 4 KiB received. A burst of refused requests writes nothing,
// yet its bodies (up to the 3 MiB limit each) grow the heap and the allocator just as much, so the
// relief after a burst (util/memory-relief.ts) watches this as well as the store's revision.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const UNIT_BYTES = 4096;
const REQUEST_UNITS = 4;

/** Activity in relief units, and whether the server is idle (see requestIdle below). */
export interface RequestTraffic { (): number; idle(): boolean }

export function requestActivity(server: Server): RequestTraffic {
  const open = new Set<Socket>();
  let closedBytes = 0;
  let requests = 0;
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.once('close', () => { open.delete(s); closedBytes += s.bytesRead; });
  });
  server.on('request', () => { requests++; });
  server.on('upgrade', () => { requests++; });
  const units = () => {
    let bytes = closedBytes;
    for (const s of open) bytes += s.bytesRead;
    return requests * REQUEST_UNITS + Math.floor(bytes / UNIT_BYTES);
  };
  let seen = -1;
  /**
   * Idle: no request arrived since the previous call, and no connection is answering one now
   * (watches and followed logs aside: they are held open by design). Nothing is tracked per request
   * beyond the count above; the connections are looked at only when asked.
   */
  const idle = () => {
    const quiet = requests === seen;
    seen = requests;
    if (!quiet) return false;
    for (const s of open) {
      const res = (s as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (res && !res.writableFinished && !longRunning(res.req?.url)) return false;
    }
    return true;
  };
  return Object.assign(units, { idle });
}

/** Requests held open by design (watches, followed logs): they do not make a server busy. */
function longRunning(url: string | undefined): boolean {
  return !!url && /[?&](watch=(true|1)|follow=(true|1))(&|$)|\/watch\//.test(url);
}
