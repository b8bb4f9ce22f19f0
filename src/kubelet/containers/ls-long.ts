// `ls -l` with the files' real permission bits. The interpreter's ls prints a fixed `-rw-r--r--`
// (or `drwxr-xr-x`) and `user user`; this wraps it and rewrites each long-format line from the
// entry's lstat, so volume files show their defaultMode/mode and owner root, as in a container;
// symlinks show `name -> target` and directories carry no `/` (unless -F or -p), as busybox's.
import type { Command, IFileSystem, defineCommand as defineFn } from 'just-bash';

const LINE = /^([-dl][rwx-]{9}) 1 user user (\s*\S+ \S+ [ \d]\d (?:\d\d:\d\d| \d{4}|\d{4}) )(.*)$/;
const LINE_SIMPLE = /^([-dl][rwx-]{9}) 1 user user (.*)$/;

export function modeString(mode: number, kind: 'file' | 'dir' | 'link'): string {
  const bits = 'rwxrwxrwx'.split('').map((ch, i) => (mode & (0o400 >> i) ? ch : '-')).join('');
  return (kind === 'dir' ? 'd' : kind === 'link' ? 'l' : '-') + bits;
}

const join = (dir: string, name: string) => (name.startsWith('/') ? name : `${dir.replace(/\/$/, '')}/${name}`);

async function rewrite(line: string, fs: IFileSystem, dirs: string[], classify: boolean): Promise<string> {
  const m = LINE.exec(line) ?? LINE_SIMPLE.exec(line);
  if (!m) return line;
  const rest = m.length === 4 ? m[3] : m[2];
  const name = rest.replace(/ -> .*$/, '').replace(/[/*@|=]$/, '');
  for (const d of dirs) {
    const path = join(d, name);
    const st = await fs.lstat(path).catch(() => undefined);
    if (!st) continue;
    const kind = st.isSymbolicLink ? 'link' : st.isDirectory ? 'dir' : 'file';
    let meta = m.length === 4 ? m[2] : '', shown = m.length === 4 ? m[3] : m[2];
    if (!classify) shown = shown.replace(/\/$/, ''); // busybox ls -l marks nothing without -F/-p
    if (st.isSymbolicLink && !/ -> /.test(shown)) {
      // As busybox: the link's own size (its target's length) and `name -> target`.
      const target = await fs.readlink(path).catch(() => undefined);
      if (target !== undefined) {
        shown = `${shown.replace(/[/@]$/, '')} -> ${target}`;
        meta = meta.replace(/^(\s*)(\d+)/, (_all, sp: string, n: string) => String(target.length).padStart(sp.length + n.length));
      }
    }
    return `${modeString(st.isSymbolicLink ? 0o777 : st.mode, kind)} 1 root root ${meta}${shown}`;
  }
  return line.replace(' 1 user user ', ' 1 root root ');
}

export function lsLong(jb: { defineCommand: typeof defineFn }): Command {
  return jb.defineCommand('ls', async (args, ctx) => {
    const orig = ctx.origCommand ? await ctx.origCommand(args) : { stdout: '', stderr: 'ls: not available\n', exitCode: 127 };
    const long = args.some((a) => /^-[a-zA-Z]*l/.test(a));
    const classify = args.some((a) => /^-[a-zA-Z]*[Fp]/.test(a));
    if (!long || !orig.stdout) return orig;
    const targets = args.filter((a) => !a.startsWith('-'));
    let dir = ctx.cwd;
    const out: string[] = [];
    for (const line of orig.stdout.split('\n')) {
      const header = /^(.*):$/.exec(line);
      if (header && targets.includes(header[1])) { dir = ctx.fs.resolvePath(ctx.cwd, header[1]); out.push(line); continue; }
      const dirs = targets.length === 1 && !header ? [ctx.fs.resolvePath(ctx.cwd, targets[0]), ctx.cwd] : [dir, ctx.cwd];
      out.push(await rewrite(line, ctx.fs, dirs, classify));
    }
    return { ...orig, stdout: out.join('\n') };
  });
}
