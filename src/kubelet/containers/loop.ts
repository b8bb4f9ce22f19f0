// The keep-alive loop of a shell container (`while true; do …; sleep N; done`, optionally after
// `trap …` lines) run without an interpreter held for the container's whole life: between two
// iterations it is one timer. Each iteration's body runs in a fresh interpreter that is dropped
// when the body ends, which is exact only when the body leaves no shell state behind, so the shape
// is accepted only for bodies of simple commands (in pipelines and `&&`/`||` lists) that assign
// nothing, name no state-changing builtin and expand nothing with side effects. Anything else runs
// in the full interpreter, as before. The analysis of a script is cached by its text, shared by
// every container running the same command.
import type { Bash } from 'just-bash';
import type { JustBash } from './shell.ts';
import type { Clock } from '../../clock.ts';
import { clockSleep } from './sleep.ts';
import { streamingPlugin } from './stream.ts';
import type { Logbook } from './logbook.ts';

export interface LoopShape {
  /** The `trap` lines before the loop (their output and errors show as they would), or ''. */
  prelude: string;
  /** The loop body without its final sleep, or '' when the loop only sleeps. */
  body: string;
  /** The final `sleep N` of each iteration, in milliseconds. */
  sleepMs: number;
}

type Node = Record<string, any>;

/** Builtins that change the shell's own state (variables, options, directory, traps, flow). */
const STATEFUL = new Set(['cd', 'pushd', 'popd', 'dirs', 'export', 'unset', 'set', 'shopt', 'shift', 'read', 'readarray', 'mapfile',
  'local', 'declare', 'typeset', 'readonly', 'alias', 'unalias', 'trap', 'source', '.', 'eval', 'exec', 'exit', 'return', 'break',
  'continue', 'let', 'getopts', 'hash', 'umask', 'wait', 'ulimit', 'builtin', 'command', 'enable', 'jobs', 'fg', 'bg', 'disown', 'history', 'fc']);
/** Variables whose value depends on the shell's age or position, which a fresh interpreter would reset. */
const VOLATILE = new Set(['SECONDS', 'LINENO', 'BASHPID', '!', '$', 'PPID', 'RANDOM']);
const SLEEP_UNITS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const literal = (w: Node | undefined): string | undefined =>
  w?.parts?.length === 1 && w.parts[0].type === 'Literal' ? String(w.parts[0].value) : undefined;

/** Whether any part of a word (recursively) expands with a side effect or a volatile value. */
function sideEffects(n: unknown): boolean {
  if (Array.isArray(n)) return n.some(sideEffects);
  if (!n || typeof n !== 'object') return false;
  const o = n as Node;
  if (o.type === 'ArithmeticExpansion' || o.type === 'ArithmeticCommand') return true;
  if (o.type === 'ParameterExpansion' && (VOLATILE.has(String(o.parameter)) || /Assign/i.test(String(o.operation?.type ?? '')))) return true;
  return Object.values(o).some(sideEffects);
}

function simple(c: Node): boolean {
  if (c.type !== 'SimpleCommand' || c.assignments?.length) return false;
  const name = literal(c.name);
  return name !== undefined && !STATEFUL.has(name) && !sideEffects(c.args) && !sideEffects(c.redirections);
}

/** A statement of plain commands: no background job, every pipeline of stateless simple commands. */
const plainStatement = (s: Node): boolean => !s.background && (s.pipelines ?? []).every((p: Node) => !p.timed && p.commands.every(simple));

/** The single simple command of a statement, if that is all it is. */
function only(s: Node): Node | undefined {
  if (s.background || s.operators?.length || s.pipelines?.length !== 1) return undefined;
  const p = s.pipelines[0];
  return !p.negated && !p.timed && p.commands.length === 1 && p.commands[0].type === 'SimpleCommand' ? p.commands[0] : undefined;
}

function sleepMs(s: Node): number | undefined {
  const c = only(s);
  if (!c || c.assignments.length || c.redirections.length || literal(c.name) !== 'sleep' || c.args.length !== 1) return undefined;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(literal(c.args[0]) ?? '');
  return m ? Number(m[1]) * SLEEP_UNITS[m[2]] : undefined;
}

function analyse(jb: JustBash, script: string): LoopShape | undefined {
  let ast: Node;
  try { ast = jb.parse(script) as unknown as Node; } catch { return undefined; }
  const sts: Node[] = ast.statements ?? [];
  if (!sts.length) return undefined;
  const prelude = sts.slice(0, -1);
  if (!prelude.every((s) => { const c = only(s); return c && literal(c.name) === 'trap' && !c.assignments.length && !sideEffects(c.args); })) return undefined;
  const loop = sts[sts.length - 1];
  const p = !loop.background && !loop.operators?.length && loop.pipelines?.length === 1 ? loop.pipelines[0] : undefined;
  const w = p && !p.negated && !p.timed && p.commands.length === 1 ? p.commands[0] : undefined;
  if (!w || w.type !== 'While' || w.redirections?.length || w.condition?.length !== 1) return undefined;
  const cond = only(w.condition[0]);
  if (!cond || cond.args.length || cond.assignments.length || cond.redirections.length || !['true', ':'].includes(literal(cond.name) ?? '')) return undefined;
  const body: Node[] = w.body ?? [];
  const ms = body.length ? sleepMs(body[body.length - 1]) : undefined;
  if (ms === undefined || !body.slice(0, -1).every(plainStatement)) return undefined;
  const text = (list: Node[]) => list.length ? jb.serialize({ type: 'Script', statements: list } as any) : '';
  return { prelude: text(prelude), body: text(body.slice(0, -1)), sleepMs: ms };
}

const shapes = new Map<string, LoopShape | null>();
const MAX_SHAPES = 512;

/** The loop shape of a script (cached by its text), or undefined when it needs the full interpreter. */
export function loopShape(jb: JustBash, script: string): LoopShape | undefined {
  let s = shapes.get(script);
  if (s === undefined) {
    s = analyse(jb, script) ?? null;
    if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value!);
    shapes.set(script, s);
  }
  return s ?? undefined;
}

export interface LoopRun { shell: () => Bash; env: Record<string, string>; cwd: string; clock: Clock; log: Logbook; kill: AbortSignal }

/** Runs the loop until killed (a shell as PID 1 ignores SIGTERM; the caller reports 137 on kill). */
export async function runLoop(shape: LoopShape, r: LoopRun): Promise<{ code: number }> {
  const once = async (script: string) => {
    const bash = r.shell();
    bash.registerTransformPlugin(streamingPlugin);
    const out = await bash.exec(script, { cwd: r.cwd, env: r.env, signal: r.kill });
    r.log.write('stdout', out.stdout);
    r.log.write('stderr', out.stderr);
  };
  if (shape.prelude) await once(shape.prelude);
  const sleep = clockSleep(r.clock);
  while (!r.kill.aborted) {
    if (shape.body) await once(shape.body);
    if (r.kill.aborted) break;
    await sleep(shape.sleepMs, r.kill);
  }
  return { code: 137 };
}
