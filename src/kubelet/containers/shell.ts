// The emulated userland of a container: a just-bash interpreter on the container's filesystem,
// with the container's own `hostname` and `env`, Skiff's byte-exact tar/tail/printf/echo, and the
// image catalogue's programs as commands. Used by the main process, probes, hooks and exec alike.
import type { Bash, IFileSystem } from 'just-bash';
import { containerCommands } from '../../streaming/container-commands.ts';
import { programFor, programNames } from '../../images/index.ts';
import type { KObject } from '../../registry/strategy.ts';
import type { Clock } from '../../clock.ts';
import { clockSleep } from './sleep.ts';
import { lsLong } from './ls-long.ts';
import { CANT_CREATE, readOnlyPathsOf, readOnlyRedirects } from './read-only-redirects.ts';

export type JustBash = typeof import('just-bash');
let loaded: JustBash | undefined;
/** just-bash costs ~100 ms to load: it loads when the first container or exec needs it. */
export async function loadJustBash(): Promise<JustBash> { return (loaded ??= await import('just-bash')); }

export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Variables the interpreter keeps for itself, which a container's `env` would not print. */
const SHELL_VARS = new Set(['IFS', 'OSTYPE', 'MACHTYPE', 'HOSTTYPE', 'PWD', 'OLDPWD', 'OPTIND', 'SHELLOPTS', 'BASHOPTS', '?', '#', '@', '*', '0', '$', '-', '_', 'PPID', 'UID', 'EUID', 'BASH_VERSION', 'SHLVL', 'RANDOM', 'LINENO', 'SECONDS']);
const NO_LIMIT = 1e15;

export interface ShellOptions {
  fs: IFileSystem; env: Record<string, string>; cwd: string; hostname: string;
  clock?: Clock; signal?: AbortSignal; pod?: KObject; container?: string;
  /** Main processes run for as long as they like; exec keeps the interpreter's 30 s cap. */
  unlimited?: boolean;
  /** How the shell names itself in its own error messages (busybox: argv[0]); default `sh`. */
  shellName?: string;
}

async function* oneChunk(b: Buffer): AsyncIterable<Buffer> { yield b; }

export function newShell(jb: JustBash, o: ShellOptions): Bash {
  const { Bash, defineCommand } = jb;
  const hostnameCmd = defineCommand('hostname', async () => ({ stdout: `${o.hostname}\n`, stderr: '', exitCode: 0 }));
  const envCmd = defineCommand('env', async (args, ctx) => {
    if (args.length) return { stdout: '', stderr: 'env: running commands is not supported in this simulated container\n', exitCode: 125 };
    const vars: Record<string, string> = ctx.env instanceof Map ? Object.fromEntries(ctx.env as Map<string, string>) : { ...(ctx.env as Record<string, string>) };
    return { stdout: Object.entries(vars).filter(([k]) => !SHELL_VARS.has(k)).map(([k, v]) => `${k}=${v}\n`).join(''), stderr: '', exitCode: 0 };
  });
  const programs = programNames().map((name) => defineCommand(name, async (args, ctx) => {
    const prog = programFor(name)!;
    let stdout = '', stderr = '';
    const sleep = o.clock ? clockSleep(o.clock) : (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const code = await prog({
      argv: [name, ...args], env: Object.fromEntries(ctx.env as Map<string, string>), cwd: ctx.cwd, fs: ctx.fs,
      // What the pipeline feeds the program (`echo hostName | nc ...`), as the bytes it carries.
      ...(ctx.stdin ? { stdin: oneChunk(Buffer.from(String(ctx.stdin), 'latin1')) } : {}),
      stdout: (c) => { stdout += typeof c === 'string' ? c : Buffer.from(c).toString('latin1'); },
      stderr: (c) => { stderr += typeof c === 'string' ? c : Buffer.from(c).toString('latin1'); },
      signal: ctx.signal ?? o.signal ?? new AbortController().signal, pod: o.pod ?? { metadata: {} }, container: o.container ?? '',
      sleep, now: () => (o.clock ? o.clock.now() : Date.now()),
    });
    return { stdout, stderr, exitCode: code };
  }));
  const cantCreate = defineCommand(CANT_CREATE, async (args) => ({ stdout: '', stderr: `${args[0]}: can't create ${args[1]}: Read-only file system\n`, exitCode: 1 }));
  const bash = new Bash({
    fs: o.fs, env: o.env, cwd: o.cwd, defenseInDepth: false,
    customCommands: [hostnameCmd, envCmd, lsLong(jb), ...containerCommands(jb), ...programs, cantCreate],
    ...(o.clock ? { sleep: (ms: number) => clockSleep(o.clock!)(ms, o.signal) } : {}),
    executionLimits: o.unlimited
      ? { maxExecutionTimeMs: Infinity, maxLoopIterations: NO_LIMIT, maxCommandCount: NO_LIMIT, maxOutputSize: 64 * 1024 * 1024 }
      : { maxExecutionTimeMs: 30_000, maxOutputSize: 64 * 1024 * 1024 },
  });
  const ro = readOnlyPathsOf(o.fs);
  if (ro) bash.registerTransformPlugin(readOnlyRedirects(ro, o.cwd, o.shellName ?? 'sh'));
  return bash;
}

/** Whether argv[0] names something the container can run (a path in its fs, a command, a builtin). */
export async function resolvable(bash: Bash, cwd: string, cmd: string, env: Record<string, string>): Promise<boolean> {
  if (cmd.includes('/')) return bash.fs.exists(cmd.startsWith('/') ? cmd : `${cwd.replace(/\/$/, '')}/${cmd}`);
  if (cmd === 'hostname' || cmd === 'env' || programFor(cmd)) return true;
  const r = await bash.exec(`command -v '${cmd.replace(/'/g, `'\\''`)}'`, { cwd, env });
  return r.exitCode === 0;
}
