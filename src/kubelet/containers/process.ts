// One run of a container's main process: a catalogue program (ProgramIO) or a shell script / command
// in the container's interpreter, with stdout/stderr streaming into the run's Logbook. SIGTERM aborts
// a program's signal (a shell as PID 1 ignores it, as real ones do); kill ends the run with 137.
import type { IFileSystem } from 'just-bash';
import type { Clock } from '../../clock.ts';
import type { KObject } from '../../registry/strategy.ts';
import { programFor } from '../../images/index.ts';
import { PROGRAMS } from '../../images/programs.ts';
import type { Logbook } from './logbook.ts';
import { loadJustBash, newShell, resolvable } from './shell.ts';
import { streamingFs, streamingPlugin } from './stream.ts';
import { loopShape, runLoop } from './loop.ts';
import { clockSleep } from './sleep.ts';
import { startErrorMessage } from './command.ts';

export interface ProcessSpec {
  argv: string[]; env: Record<string, string>; cwd: string; hostname: string;
  /** The container's filesystem (its stdout/stderr sentinels are routed to `log` here, see streamingFs). */
  fs: IFileSystem; log: Logbook; clock: Clock; pod: KObject; container: string;
}

export interface Exit { code: number; startError?: string }
export interface ContainerProcess { done: Promise<Exit>; term(): void; kill(): void }

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);
const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function startProcess(spec: ProcessSpec): ContainerProcess {
  const light = sleepProcess(spec) ?? pauseProcess(spec);
  if (light) return light;
  const termCtl = new AbortController(), killCtl = new AbortController();
  const log = spec.log;
  let killed!: (e: Exit) => void;
  const onKill = new Promise<Exit>((r) => { killed = r; });
  const run = runMain(spec, termCtl.signal, killCtl.signal).catch((e): Exit => { log.write('stderr', `${(e as Error).message}\n`); return { code: 128, startError: (e as Error).message }; });
  const done = Promise.race([run, onKill]).then((e) => { log.close(); return e; });
  return {
    done,
    term: () => termCtl.abort(),
    kill: () => { termCtl.abort(); killCtl.abort(); killed({ code: 137 }); },
  };
}

async function runMain(spec: ProcessSpec, term: AbortSignal, kill: AbortSignal): Promise<Exit> {
  const { argv, log } = spec;
  if (!argv.length) return { code: 128, startError: startErrorMessage(undefined) };
  // Writes to the sentinel paths (the streaming plugin's redirections) become log lines as they come.
  const fs = streamingFs(spec.fs, () => ({ stdout: (t) => log.write('stdout', t), stderr: (t) => log.write('stderr', t) }));
  const prog = programFor(argv[0]);
  if (prog) {
    const code = await prog({
      argv, env: spec.env, cwd: spec.cwd, fs, signal: term, pod: spec.pod, container: spec.container,
      stdout: (c) => log.write('stdout', typeof c === 'string' ? c : Buffer.from(c).toString('latin1')),
      stderr: (c) => log.write('stderr', typeof c === 'string' ? c : Buffer.from(c).toString('latin1')),
      sleep: clockSleep(spec.clock), now: () => spec.clock.now(),
    });
    return { code };
  }
  const jb = await loadJustBash();
  const shellName = SHELLS.has(base(argv[0])) ? argv[0] : 'sh';
  const shellOptions = { fs, env: spec.env, cwd: spec.cwd, hostname: spec.hostname, clock: spec.clock, signal: kill, pod: spec.pod, container: spec.container, unlimited: true, shellName };
  const shell = () => newShell(jb, shellOptions);
  const inline = inlineScript(argv);
  const loop = inline === undefined ? undefined : loopShape(jb, inline);
  if (loop) return runLoop(loop, { shell, env: spec.env, cwd: spec.cwd, clock: spec.clock, log, kill });
  const bash = shell();
  const script = inline ?? await scriptOf(spec, bash);
  if (script === undefined) return { code: 128, startError: startErrorMessage(argv[0]) };
  bash.registerTransformPlugin(streamingPlugin);
  const r = await bash.exec(script, { cwd: spec.cwd, env: spec.env, signal: kill });
  log.write('stdout', r.stdout);
  log.write('stderr', r.stderr);
  return { code: r.exitCode };
}

/** Shell options before `-c` or a script file, which the emulated shell accepts and does not apply. */
function shellArgs(argv: string[]): string[] | undefined {
  if (!SHELLS.has(base(argv[0]))) return undefined;
  const rest = argv.slice(1);
  while (rest[0] === '-e' || rest[0] === '-x' || rest[0] === '-l') rest.shift();
  return rest;
}

/** The script of `sh -c SCRIPT [NAME ARGS…]` (its args as positional parameters); undefined for other commands. */
function inlineScript(argv: string[]): string | undefined {
  const rest = shellArgs(argv);
  if (rest?.[0] !== '-c') return undefined;
  const params = rest.slice(3);
  return (params.length ? `set -- ${params.map(quote).join(' ')}; ` : '') + (rest[1] ?? '');
}

/** The script the interpreter runs for argv (other than `sh -c`); undefined when argv[0] is not in the image. */
async function scriptOf(spec: ProcessSpec, bash: import('just-bash').Bash): Promise<string | undefined> {
  const { argv } = spec;
  const rest = shellArgs(argv);
  if (rest) {
    if (!rest.length) return ''; // `sh` with no script and no terminal: reads an empty stdin and exits 0
    try { return await bash.fs.readFile(rest[0].startsWith('/') ? rest[0] : `${spec.cwd.replace(/\/$/, '')}/${rest[0]}`); } catch { return `echo ${quote(`${base(argv[0])}: can't open '${rest[0]}': No such file or directory`)} >&2; exit 2`; }
  }
  if (!(await resolvable(bash, spec.cwd, argv[0], spec.env))) return undefined;
  return argv.map(quote).join(' ');
}

/**
 * A process that does nothing until it is stopped (an unknown image's container; the pause program):
 * a small object with its methods on the prototype, as tens of thousands of them may be running (a
 * closure per method and a promise chain cost ~0.6 KB a container). `SIGTERM` ends it with `termCode`;
 * kill with 137. The log is closed before `done` resolves; the first end wins.
 */
class WaitingProcess implements ContainerProcess {
  readonly done: Promise<Exit>;
  private resolve!: (e: Exit) => void;
  private readonly log: Logbook;
  /** What it prints when it gets SIGTERM (the pause program's shutdown line), if anything. */
  private readonly termLine: string | undefined;
  private ended = false;
  constructor(log: Logbook, termLine?: string) {
    this.log = log;
    this.termLine = termLine;
    this.done = new Promise<Exit>((r) => { this.resolve = r; });
  }
  term(): void { this.end(0); }
  kill(): void { this.end(137); }
  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    if (this.termLine) this.log.write('stdout', this.termLine);
    this.log.close();
    this.resolve({ code });
  }
}

/** A container whose image Skiff does not know: it runs, printing nothing, until stopped (exit 0 on SIGTERM). */
export function idleProcess(log: Logbook): ContainerProcess {
  return new WaitingProcess(log);
}

/**
 * `sleep N` as the whole command runs without an interpreter (the common "keep the pod up" command
 * costs no shell, and no more than its timer). Like busybox sleep as PID 1 it ignores SIGTERM and
 * ends when killed. Undefined for any other command.
 */
function sleepProcess(spec: ProcessSpec): ContainerProcess | undefined {
  const { argv, log } = spec;
  if (argv.length !== 2 || base(argv[0]) !== 'sleep' || programFor(argv[0])) return undefined;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(argv[1]);
  if (!m) return undefined;
  const ms = Number(m[1]) * 1000 * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]];
  let end!: (e: Exit) => void;
  const done = new Promise<Exit>((r) => { end = r; }).then((e) => { log.close(); return e; });
  const timer = spec.clock.setTimeout(() => end({ code: 0 }), Math.max(0, ms));
  return { done, term: () => {}, kill: () => { timer.cancel(); end({ code: 137 }); } };
}

/**
 * The pause image's /pause (every pod's sandbox in a real cluster, and the container of most scale
 * tests) without running the program: it prints what the program prints and waits, as its timerless
 * `stopped()` does, but holds no abort signals, listeners or program context (~4 KB a container).
 * SIGTERM ends it with status 0, after its shutdown line; kill (SIGTERM, then SIGKILL) with 137.
 */
function pauseProcess(spec: ProcessSpec): ContainerProcess | undefined {
  if (programFor(spec.argv[0]) !== PROGRAMS.pause) return undefined;
  spec.log.write('stdout', 'Paused\n');
  return new WaitingProcess(spec.log, 'Shutting down, got signal: Terminated\n');
}
