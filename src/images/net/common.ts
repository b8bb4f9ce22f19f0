// What the network commands share: the pod's network handle, stdin as bytes, writing a file of the
// container, and the error a dial met.
import type { ProgramIO } from '../types.ts';
import { forPod, NetError } from '../../netsim/index.ts';
import type { PodNet } from '../../netsim/index.ts';

export function podNet(io: ProgramIO): PodNet { return forPod(io.pod); }

export async function readStdin(io: ProgramIO): Promise<Buffer> {
  if (!io.stdin) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export const abs = (io: ProgramIO, p: string) => (p.startsWith('/') ? p : `${io.cwd.replace(/\/$/, '')}/${p}`);

export function codeOf(e: unknown): string { return e instanceof NetError ? e.code : 'EOTHER'; }

/** Seconds as given on a command line ("5", "2.5"), or undefined. */
export function seconds(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) return undefined;
  return Number(v) * 1000;
}
