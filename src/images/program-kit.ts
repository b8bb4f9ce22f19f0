// What the catalogue's programs share: Go's log line format, waiting until the container stops,
// and cobra's error exit.
import type { ProgramIO } from './types.ts';
import { FlagError, parseFlags } from './flags.ts';
import type { FlagSpec, FlagValues } from './flags.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's log.Printf: "2006/01/02 15:04:05 message" on stderr (UTC, as in a container). */
export function goLog(io: ProgramIO, msg: string): void {
  const d = new Date(io.now());
  const stamp = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  io.stderr(`${stamp} ${msg}${msg.endsWith('\n') ? '' : '\n'}`);
}

/** Go's time.Time String(): "2006-01-02 15:04:05.999999999 +0000 UTC". */
export function goTime(ms: number): string {
  const d = new Date(ms);
  const frac = String(Math.round((ms % 1000) * 1e6)).padStart(9, '0').replace(/0+$/, '');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac ? `.${frac}` : ''} +0000 UTC`;
}

/** Resolves when the container is told to stop. */
export function stopped(io: ProgramIO): Promise<void> {
  if (io.signal.aborted) return Promise.resolve();
  return new Promise((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Exit status of a Go program killed by SIGTERM (it installed no handler). */
export const SIGTERM_EXIT = 143;

/** Parse flags of a cobra command; on error print cobra's message and return undefined (exit 1). */
export function cobraFlags(io: ProgramIO, command: string, args: string[], spec: FlagSpec): { values: FlagValues; rest: string[] } | undefined {
  try { return parseFlags(args, spec); } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    io.stderr(`Error: ${e.message}\nRun '${command} --help' for usage.\n`);
    return undefined;
  }
}

/** The pod's hostname as os.Hostname() returns it inside the container. */
export function hostnameOf(io: ProgramIO): string {
  const spec = (io.pod as any)?.spec ?? {};
  return String(io.env.HOSTNAME ?? spec.hostname ?? io.pod?.metadata?.name ?? 'localhost');
}

/** Read a file of the container as text, or undefined. */
export async function readText(io: ProgramIO, path: string): Promise<string | undefined> {
  try { return await io.fs.readFile(path.startsWith('/') ? path : `${io.cwd.replace(/\/$/, '')}/${path}`); } catch { return undefined; }
}
