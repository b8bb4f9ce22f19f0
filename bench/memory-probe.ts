// Preloaded into the server process by bench/memory.ts (`node --expose-gc --import`): on SIGUSR2 it
// forces a full GC (when exposed) and prints one line `skiff-memory {json}` with process.memoryUsage()
// to stderr; with SKIFF_HEAPSNAPSHOT=<dir> it also writes a heap snapshot there. Not part of the server.
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const gc = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  if (gc) { gc(); gc(); }
  const m = process.memoryUsage();
  const snap = process.env.SKIFF_HEAPSNAPSHOT ? writeHeapSnapshot(`${process.env.SKIFF_HEAPSNAPSHOT}/skiff-${process.pid}.heapsnapshot`) : undefined;
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size }]));
  process.stderr.write(`skiff-memory ${JSON.stringify({ ...m, gc: !!gc, snapshot: snap, spaces })}\n`);
});
