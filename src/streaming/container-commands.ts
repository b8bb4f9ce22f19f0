// Commands of the simulated container that replace the interpreter's (just-bash) ones, each
// falling back to the interpreter's command for what it does not handle itself.
import type { Command, defineCommand as defineFn, latin1FromBytes as latin1Fn } from 'just-bash';
// The tar modules (and tar-stream, ~10 ms to import) load on the first tar a container runs, not at start-up.
const tarModules = () => Promise.all([import('./container-tar.ts'), import('./container-untar.ts')]);
import { tailFrom } from './container-tail.ts';
import { rawByteEscapes } from './container-escapes.ts';

export function containerCommands(jb: { defineCommand: typeof defineFn; latin1FromBytes: typeof latin1Fn }): Command[] {
  const { defineCommand, latin1FromBytes } = jb;
  const missing = (name: string) => ({ stdout: '', stderr: `${name}: not available\n`, exitCode: 127 });
  // tar -c and -x as GNU tar (kubectl cp relies on its member names); other tar modes use the interpreter's.
  const tar = defineCommand('tar', async (args, ctx) => {
    const [{ createArchive }, { extractArchive }] = await tarModules();
    return (await createArchive(args, ctx))
    ?? (await extractArchive(args, { fs: ctx.fs, cwd: ctx.cwd, stdinBytes: () => latin1FromBytes(ctx.stdin) }))
    ?? (ctx.origCommand ? ctx.origCommand(args) : missing('tar'));
  });
  // `tail -c +N` (kubectl cp --retries) is read as "the last N bytes" by the interpreter's tail.
  // `tail -f FILE` (`tail -f /dev/null` keeps a container up): what tail prints, then waits until the process is stopped.
  const tail = defineCommand('tail', async (args, ctx) => {
    const { follow, rest } = followFlags(args);
    const r = (await tailFrom(rest, { fs: ctx.fs, cwd: ctx.cwd, stdinBytes: () => latin1FromBytes(ctx.stdin) }))
      ?? (ctx.origCommand ? await ctx.origCommand(rest) : missing('tail'));
    if (!follow || r.exitCode !== 0 || !rest.some((a) => !a.startsWith('-'))) return r;
    const signal = ctx.signal;
    if (signal && !signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return { ...r, exitCode: 130 };
  });
  // Byte escapes (`printf '\377'`, `echo -e '\xff'`) print the byte, not its UTF-8 encoding.
  const escapes = (name: string) => defineCommand(name, async (args, ctx) => (ctx.origCommand ? rawByteEscapes(args, await ctx.origCommand(args)) : missing(name)));
  // A one-character field separator is that character (POSIX), not a regular expression: `awk -F.`.
  const awk = defineCommand('awk', async (args, ctx) => (ctx.origCommand ? ctx.origCommand(literalSeparator(args)) : missing('awk')));
  return [tar, tail, escapes('printf'), escapes('echo'), awk];
}

/** awk's `-F C` / `-FC` with a single character C other than space, as a bracket expression matching C. */
export function literalSeparator(args: string[]): string[] {
  const lit = (c: string) => (c === '^' || c === '\\' || c === ']' ? `\\${c}` : `[${c}]`);
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const a = out[i];
    if (a === '--') break;
    if (a === '-v' || a === '-f') { i++; continue; }
    if (a === '-F' && i + 1 < out.length) { if (out[i + 1].length === 1 && out[i + 1] !== ' ') out[i + 1] = lit(out[i + 1]); i++; continue; }
    if (a.startsWith('-F') && a.length === 3 && a[2] !== ' ') out[i] = `-F${lit(a[2])}`;
    if (!a.startsWith('-')) break; // the program text: options end
  }
  return out;
}

/** tail's follow options (-f, -F, --follow[=...]) taken out of its arguments. */
export function followFlags(args: string[]): { follow: boolean; rest: string[] } {
  let follow = false;
  const rest: string[] = [];
  for (const a of args) {
    if (a === '-f' || a === '-F' || a === '--follow' || a.startsWith('--follow=')) { follow = true; continue; }
    rest.push(a);
  }
  return { follow, rest };
}
