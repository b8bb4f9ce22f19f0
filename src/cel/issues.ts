// cel-js errors reworded as cel-go reports them (`ERROR: <input>:L:C: msg` with a source snippet
// and caret), so compile errors read as upstream's.

interface CelJsError { name?: string; code?: string; summary?: string; message?: string; range?: { start: number } }

const OPERATORS: Record<string, string> = {
  '+': '_+_', '-': '_-_', '*': '_*_', '/': '_/_', '%': '_%_', '==': '_==_', '!=': '_!=_', '<': '_<_', '<=': '_<=_',
  '>': '_>_', '>=': '_>=_', in: '@in', '&&': '_&&_', '||': '_||_', '!': '!_', '!_': '!_', '-_': '-_',
};

function reword(e: CelJsError): string {
  const s = e.summary ?? e.message ?? String(e);
  if (e.name === 'ParseError') return `Syntax error: ${s}`;
  let m: RegExpExecArray | null;
  if ((m = /^Unknown variable: (.+)$/.exec(s))) return `undeclared reference to '${m[1]}' (in container '')`;
  if ((m = /^No such key: (.+)$/.exec(s))) return `undefined field '${m[1]}'`;
  if ((m = /^no such overload: (\S+) (\S+) (\S+)$/.exec(s)) && OPERATORS[m[2]]) return `found no matching overload for '${OPERATORS[m[2]]}' applied to '(${m[1]}, ${m[3]})'`;
  if ((m = /^found no matching overload for '(.+)\((.*)\)'$/.exec(s))) {
    const dot = m[1].lastIndexOf('.');
    const name = m[1].slice(dot + 1), recv = dot >= 0 ? `${m[1].slice(0, dot)}.` : '';
    return `found no matching overload for '${name}' applied to '${recv}(${m[2]})'`;
  }
  return s;
}

/** `ERROR: <input>:line:col: message` followed by the source line and a caret, as cel-go prints issues. */
export function formatIssue(src: string, e: unknown): string {
  const err = e as CelJsError;
  let offset = Math.max(0, Math.min(err.range?.start ?? 0, src.length));
  // cel-go locates a field selection at its '.', cel-js at the field name.
  if (/^No such key: /.test(err.summary ?? err.message ?? '') && src[offset - 1] === '.') offset--;
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = Array.from(src.slice(lineStart, offset)).length;
  const text = src.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${col + 1}: ${reword(err)}\n | ${text}\n | ${'.'.repeat(col)}^`;
}
