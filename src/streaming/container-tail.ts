// `tail -c +N` for the simulated container: output from byte N on (1-based), byte-exact.
// `kubectl cp --retries` reads archives through `sh -c 'tar cf - <path> | tail -c+N'`; the
// interpreter's tail (just-bash 3.4.2) reads `-c +N` as "the last N bytes". Every other tail
// command line goes to the interpreter's tail.
import type { ExecResult, IFileSystem } from 'just-bash';

/** The start offset and operands of a `tail -c +N [FILE]` command line, or undefined. */
export function parseTailFrom(args: string[]): { from: number; files: string[] } | undefined {
  let from: number | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let v: string | undefined;
    if (a === '-c' || a === '--bytes') v = args[++i];
    else if (a.startsWith('-c')) v = a.slice(2);
    else if (a.startsWith('--bytes=')) v = a.slice(8);
    else if (a.startsWith('-') && a !== '-') return undefined; // another option: not ours
    else { files.push(a); continue; }
    const m = /^\+(\d+)$/.exec(v ?? '');
    if (!m) return undefined;
    from = Number(m[1]);
  }
  if (from === undefined || files.length > 1) return undefined;
  return { from, files };
}

export async function tailFrom(args: string[], ctx: { fs: IFileSystem; cwd: string; stdinBytes: () => string }): Promise<ExecResult | undefined> {
  const t = parseTailFrom(args);
  if (!t) return undefined;
  let data: string;
  if (t.files.length && t.files[0] !== '-') {
    try { data = Buffer.from(await ctx.fs.readFileBuffer(ctx.fs.resolvePath(ctx.cwd, t.files[0]))).toString('latin1'); } catch {
      return { stdout: '', stderr: `tail: cannot open '${t.files[0]}' for reading: No such file or directory\n`, exitCode: 1 };
    }
  } else data = ctx.stdinBytes();
  return { stdout: data.slice(Math.max(0, t.from - 1)), stderr: '', exitCode: 0, stdoutKind: 'bytes' };
}
