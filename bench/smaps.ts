// Where a process's resident memory is, from /proc/PID/smaps (Linux only): private dirty anonymous
// memory split into V8's heap mappings and other anonymous mappings, the malloc heap ([heap]: native
// allocations such as SQLite's page cache, OpenSSL, small ArrayBuffer backing stores) and file-backed
// pages (the node binary, shared libraries). Used by bench/running.ts --smaps to tell heap slack from
// native memory; not part of the server.
import { readFileSync } from 'node:fs';

export interface RssParts { rss: number; anon: number; mallocHeap: number; files: number; byFile: Record<string, number> }

/** Resident bytes of `pid` by kind of mapping; undefined when /proc/PID/smaps cannot be read. */
export function rssParts(pid: number): RssParts | undefined {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/smaps`, 'utf8'); } catch { return undefined; }
  const parts: RssParts = { rss: 0, anon: 0, mallocHeap: 0, files: 0, byFile: {} };
  let name = '';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) { name = head[1]; continue; }
    const m = /^Rss:\s+(\d+) kB/.exec(line);
    if (!m) continue;
    const bytes = Number(m[1]) * 1024;
    parts.rss += bytes;
    if (name === '[heap]') parts.mallocHeap += bytes;
    else if (name === '' || name.startsWith('[')) parts.anon += bytes;
    else {
      parts.files += bytes;
      const base = name.split('/').pop()!;
      parts.byFile[base] = (parts.byFile[base] ?? 0) + bytes;
    }
  }
  return parts;
}

/** One line: `rss R = anonymous A + malloc heap H + files F (largest: node N, ...)`, in MB. */
export function describeRss(p: RssParts | undefined): string {
  if (!p) return 'no /proc/PID/smaps';
  const mb = (b: number) => `${Math.round(b / 2 ** 20)}`;
  const top = Object.entries(p.byFile).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, b]) => `${n} ${mb(b)}`).join(', ');
  return `rss ${mb(p.rss)} MB = anonymous (V8 heap, large buffers, stacks) ${mb(p.anon)} + malloc heap ${mb(p.mallocHeap)} + files ${mb(p.files)} (largest: ${top})`;
}

/** V8 heap spaces as `name used/committed` in MB, from the probe's `spaces` (bench/memory-probe.ts). */
export function describeSpaces(spaces: Record<string, { used: number; size: number }> | undefined): string {
  if (!spaces) return 'no heap spaces';
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  return Object.entries(spaces).filter(([, s]) => s.size > 0).map(([n, s]) => `${n.replace(/_space$/, '')} ${mb(s.used)}/${mb(s.size)}`).join(', ');
}
