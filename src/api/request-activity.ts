// How much request traffic a server has taken, in the units the memory relief counts (one per store
// write): four per request (a refused request costs the heap about what a small write does) plus
// one per 4 KiB received. A burst of refused requests writes nothing,
// yet its bodies (up to the 3 MiB limit each) grow the heap and the allocator just as much, so the
// relief after a burst (util/memory-relief.ts) watches this as well as the store's revision.
import type { Server } from 'node:http';
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
