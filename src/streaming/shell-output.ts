// Byte-exact output from `sh -c SCRIPT` in the simulated container.
//
// just-bash (3.4.2) keeps each command's output as text or as bytes, but a compound command, a
// function body or `sh -c` hands its gathered output on as text, so bytes >= 0x80 written by cat,
// tar or base64 -d come out UTF-8-encoded (256 bytes become 384). Output written through a
// shell-wide `exec >file` redirection is stored command by command, exactly. That redirection
// however also captures the left side of a pipeline (`echo hi | tr a-z A-Z` would print "hi"), so
// a script that is one pipeline of simple commands (`tar cf - x | tail -c+N`, as kubectl cp
// --retries runs) gets a redirection on its last command instead, and any other script containing
// a pipeline or a command substitution, or running code the parser cannot see (eval, source), keeps
// the interpreter's own handling: correct text, possibly re-encoded high bytes.
import type { parse as parseFn, serialize as serializeFn } from 'just-bash';

/** Whether a parsed script contains a pipeline of two or more commands, at any depth. */
function hasPipeline(node: unknown): boolean {
  return some(node, (n) => n.type === 'Pipeline' && Array.isArray(n.commands) && n.commands.length > 1);
}

function some(node: unknown, pred: (n: { type?: string; commands?: unknown[] }) => boolean, seen = new Set<object>()): boolean {
  if (!node || typeof node !== 'object' || seen.has(node)) return false;
  seen.add(node);
  if (pred(node as { type?: string })) return true;
  for (const v of Object.values(node)) if (some(v, pred, seen)) return true;
  return false;
}

type Script = ReturnType<typeof parseFn>;

/** `a | b | c` alone, all simple commands, the last one without redirections: the same with `>out` on the last. */
function redirectLone(ast: Script, out: string, serialize: typeof serializeFn): string | undefined {
  if (ast.statements.length !== 1) return undefined;
  const st = ast.statements[0];
  if (st.pipelines.length !== 1 || st.background || st.deferredError) return undefined;
  const p = st.pipelines[0];
  if (p.timed || p.negated || !p.commands.every((c) => c.type === 'SimpleCommand')) return undefined;
  const last = p.commands[p.commands.length - 1];
  if (last.type !== 'SimpleCommand' || last.redirections.length || !last.name) return undefined;
  if (some(ast, (n) => n.type === 'HereDoc')) return undefined; // the serializer misplaces here-documents
  last.redirections.push({ type: 'Redirection', fd: null, operator: '>', target: { type: 'Word', parts: [{ type: 'Literal', value: out }] } });
  return serialize(ast);
}

/** eval, source or `.` in command position. */
const DYNAMIC = /(^|[;&|(`{\n]|\b(?:then|do|else)\s)\s*(eval|source|\.)(\s|$)/m;

/**
 * The script to run instead of `script` so that its stdout and stderr land byte-exact in `out`
 * and `err`; undefined when the script must run as it is.
 */
export function byteExactScript(script: string, jb: { parse: typeof parseFn; serialize: typeof serializeFn }, out: string, err: string): string | undefined {
  if (DYNAMIC.test(script)) return undefined;
  let ast: Script;
  try { ast = jb.parse(script); } catch { return undefined; } // a syntax error: let the shell report it
  if (hasPipeline(ast)) return redirectLone(ast, out, jb.serialize);
  // A shell-wide `exec >file` also takes the output of $(...) and `...` (they would expand to nothing).
  if (some(ast, (n) => n.type === 'CommandSubstitution' || n.type === 'ProcessSubstitution')) return undefined;
  // On the script's first line, so $LINENO and error line numbers stay the script's own.
  return `exec >${out} 2>${err}; ${script}`;
}
