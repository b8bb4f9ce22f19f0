// Streaming a script's output while it runs. The interpreter (just-bash) hands a command's output
// back only when the whole script ends, so the main process's script is rewritten before it runs
// (a transform plugin on its AST): every simple command at statement level — also inside loops,
// conditionals, groups and subshells — gets `>>OUT 2>>ERR` put BEFORE its own redirections (so
// `2>&1`, `>/dev/null` and `>file` still win), and the last command of a pipeline gets them too.
// OUT and ERR are sentinel paths of the container's filesystem: streamingFs turns each write to
// them into a log line callback instead of file content. Function bodies, command substitutions
// and compounds with their own output redirections are left as written: their output arrives when
// they end (what is left in the interpreter's own buffers is flushed when the script ends).
import type { IFileSystem, TransformPlugin } from 'just-bash';

export const OUT_PATH = '/dev/.skiff-stdout';
export const ERR_PATH = '/dev/.skiff-stderr';

type Node = Record<string, any>;
const word = (value: string) => ({ type: 'Word', parts: [{ type: 'Literal', value }] });
const redir = (fd: number, path: string) => ({ type: 'Redirection', fd, operator: '>>', target: word(path) });
const OUT_OPS = new Set(['>', '>>', '>&', '&>', '&>>', '>|', '<>']);
/** Whether a redirection list sends fd 1 or 2 somewhere of its own. */
const redirectsOutput = (rs: Node[] = []) => rs.some((r) => OUT_OPS.has(r.operator) && (r.fd === null || r.fd === 1 || r.fd === 2 || r.operator.startsWith('&')));
const streamed = (rs: Node[]) => [redir(1, OUT_PATH), redir(2, ERR_PATH), ...rs];
const BODIES = ['body', 'condition', 'elseBody'];

function command(c: Node, last: boolean, alone: boolean): void {
  if (c.type === 'FunctionDef' || c.type === 'ArithmeticCommand' || c.type === 'ConditionalCommand') return;
  if (c.type === 'SimpleCommand') {
    if (!c.name) return; // assignments only
    const name = c.name.parts?.length === 1 && c.name.parts[0].type === 'Literal' ? c.name.parts[0].value : undefined;
    if (name === 'exec' && c.args.length === 0) return; // `exec >file`: the script's own redirection
    if (last) c.redirections = streamed(c.redirections);
    else c.redirections = [redir(2, ERR_PATH), ...c.redirections];
    return;
  }
  if (alone && !redirectsOutput(c.redirections)) { compound(c); return; }
  if (last) c.redirections = streamed(c.redirections ?? []);
}

function compound(c: Node): void {
  if (c.type === 'If') {
    for (const cl of c.clauses) { statements(cl.condition); statements(cl.body); }
    if (c.elseBody) statements(c.elseBody);
    return;
  }
  if (c.type === 'Case') { for (const it of c.items) statements(it.body); return; }
  for (const k of BODIES) if (Array.isArray(c[k])) statements(c[k]);
}

export function statements(list: Node[]): void {
  for (const st of list) {
    for (const p of st.pipelines ?? []) {
      const n = p.commands.length;
      p.commands.forEach((c: Node, i: number) => command(c, i === n - 1, n === 1));
    }
  }
}

/** The transform plugin for the main process's interpreter. */
export const streamingPlugin: TransformPlugin = {
  name: 'skiff-stream',
  transform(ctx) { statements(ctx.ast.statements as unknown as Node[]); return { ast: ctx.ast }; },
};

export interface Sink { stdout(chunk: string): void; stderr(chunk: string): void }

/** `fs` with writes to the sentinel paths going to `sink()` (the current sink; none = dropped). */
export function streamingFs(fs: IFileSystem, sink: () => Sink | undefined): IFileSystem {
  const text = (c: unknown) => (typeof c === 'string' ? c : Buffer.from(c as Uint8Array).toString('latin1'));
  const route = (p: string, c: unknown): boolean => {
    if (p !== OUT_PATH && p !== ERR_PATH) return false;
    const s = sink();
    const t = text(c);
    if (s && t) (p === OUT_PATH ? s.stdout : s.stderr)(t);
    return true;
  };
  return new Proxy(fs, {
    get(target, prop, recv) {
      if (prop === 'appendFile' || prop === 'writeFile') {
        const f = Reflect.get(target, prop, recv) as (...a: unknown[]) => Promise<void>;
        return async (p: string, c: unknown, o?: unknown) => { if (!route(p, c)) return f.call(target, p, c, o); };
      }
      const v = Reflect.get(target, prop, recv);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
