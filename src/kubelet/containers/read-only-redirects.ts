// Output redirections onto a read-only filesystem fail as busybox sh reports them: the command does
// not run, `<shell>: can't create <path>: Read-only file system` goes to stderr, and its status is 1
// (the script goes on). just-bash lets the filesystem's EROFS error escape the whole script instead,
// so before a script runs (a transform plugin on its AST) each simple command whose output
// redirection names a literal path on a read-only part of the container's filesystem is replaced
// by `skiff-cant-create`, keeping the redirections before the failing one (they apply first in sh).
import type { IFileSystem, TransformPlugin } from 'just-bash';

/** The container filesystem's read-only paths, set by containerFs on the filesystem it makes. */
export const READ_ONLY_PATHS = Symbol('skiff.readOnlyPaths');
export type ReadOnlyPaths = (path: string) => boolean;
export const readOnlyPathsOf = (fs: IFileSystem): ReadOnlyPaths | undefined => (fs as any)[READ_ONLY_PATHS];

export const CANT_CREATE = 'skiff-cant-create';
const OUTPUT_OPS = new Set(['>', '>>', '>|', '&>', '&>>', '<>']);

type Node = Record<string, any>;
const word = (value: string) => ({ type: 'Word', parts: [{ type: 'SingleQuoted', value }] });

/** A word's text when it has no expansion in it (undefined otherwise). */
function literal(w: Node | undefined): string | undefined {
  if (!w || w.type !== 'Word') return undefined;
  let out = '';
  for (const p of w.parts ?? []) {
    if (p.type === 'Literal' || p.type === 'SingleQuoted' || p.type === 'Escaped') out += p.value;
    else if (p.type === 'DoubleQuoted' && (p.parts ?? []).every((q: Node) => q.type === 'Literal')) out += p.parts.map((q: Node) => q.value).join('');
    else return undefined;
  }
  return out;
}

function normalize(path: string, cwd: string): string {
  const parts: string[] = [];
  for (const seg of (path.startsWith('/') ? path : `${cwd}/${path}`).split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') parts.pop(); else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

function rewrite(cmd: Node, ro: ReadOnlyPaths, cwd: string, shell: string): void {
  const rs: Node[] = cmd.redirections ?? [];
  for (let i = 0; i < rs.length; i++) {
    if (!OUTPUT_OPS.has(rs[i].operator)) continue;
    const target = literal(rs[i].target);
    if (target === undefined || !ro(normalize(target, cwd))) continue;
    cmd.name = word(CANT_CREATE);
    cmd.args = [word(shell), word(target)];
    cmd.assignments = [];
    cmd.redirections = rs.slice(0, i);
    return;
  }
}

function walk(n: unknown, visit: (cmd: Node) => void): void {
  if (Array.isArray(n)) { for (const x of n) walk(x, visit); return; }
  if (!n || typeof n !== 'object') return;
  const node = n as Node;
  if (node.type === 'SimpleCommand') visit(node);
  for (const v of Object.values(node)) if (v && typeof v === 'object') walk(v, visit);
}

/** The plugin for a shell on a filesystem with read-only paths; `shell` names it in the message (argv[0]). */
export function readOnlyRedirects(ro: ReadOnlyPaths, cwd: string, shell: string): TransformPlugin {
  return {
    name: 'skiff-read-only-redirects',
    transform(ctx) { walk(ctx.ast.statements, (c) => rewrite(c, ro, cwd, shell)); return { ast: ctx.ast }; },
  };
}
