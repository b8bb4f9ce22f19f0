// `tar -c` for the simulated container, with GNU tar's member naming (and the command line
// parser shared with `tar -x`, container-untar.ts).
//
// `kubectl cp <pod>:/abs/path ./local` runs `tar cf - /abs/path` in the container and refuses any
// member whose name does not start with the path stripped of its leading '/' ("tar contents
// corrupted"). GNU tar strips leading '/' (and leading '../') from member names and says so on
// stderr; the interpreter's own tar keeps them. So archives are created here with tar-stream, and
// the other modes (-t, -r, -u), and any option not handled below, go to the interpreter's tar.
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { Header } from 'tar-stream';
import type { ExecResult, IFileSystem } from 'just-bash';

/** A parsed `tar -c` / `tar -x` command line. `unsupported` names the first option this module does not handle. */
export interface TarArgs {
  create: boolean; extract: boolean; otherMode: boolean; file?: string; verbose: boolean; gzip: boolean; absolute: boolean;
  /** -m: extracted files keep the time of extraction. */
  touch: boolean;
  /** -k: existing files are not replaced. */
  keepOld: boolean;
  /** Operands, each with the directory in force where it appeared (GNU's -C is positional). */
  members: { dir?: string; path: string }[];
  /** The last -C. */
  dir?: string;
  unsupported?: string;
}

const MODES = new Set(['t', 'r', 'u', 'A', 'd']);
/** Short options whose value is the next argument (or the rest of the cluster). */
const SHORT_WITH_VALUE = new Set(['f', 'C', 'T', 'X', 'b', 'H', 'V', 'K', 'N', 'g', 'L', 'F', 'I']);
/** Ownership and permission options: everything runs as root, which keeps owners and modes anyway. */
const NOOPS = new Set(['p', 'o', '--preserve-permissions', '--same-permissions', '--no-same-owner', '--same-owner', '--no-same-permissions']);

export function parseTarArgs(args: string[]): TarArgs {
  const r: TarArgs = { create: false, extract: false, otherMode: false, verbose: false, gzip: false, absolute: false, touch: false, keepOld: false, members: [] };
  let dir: string | undefined;
  const short = (ch: string, value: () => string | undefined) => {
    if (ch === 'c') r.create = true;
    else if (ch === 'x') r.extract = true;
    else if (MODES.has(ch)) r.otherMode = true;
    else if (ch === 'f') r.file = value();
    else if (ch === 'C') r.dir = dir = value();
    else if (ch === 'm') r.touch = true;
    else if (ch === 'k') r.keepOld = true;
    else if (ch === 'v') r.verbose = true;
    else if (ch === 'z') r.gzip = true;
    else if (ch === 'P') r.absolute = true;
    else if (NOOPS.has(ch)) { /* nothing to do */ }
    else { r.unsupported ??= `-${ch}`; if (SHORT_WITH_VALUE.has(ch)) value(); }
  };
  let i = 0;
  // Old-style first argument: a bundle of letters without a dash; values follow in order.
  if (args.length && args[0] !== '' && !args[0].startsWith('-')) {
    const bundle = args[0];
    i = 1;
    for (const ch of bundle) short(ch, () => args[i++]);
  }
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { for (const p of args.slice(i + 1)) r.members.push({ dir, path: p }); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      const value = () => (eq < 0 ? args[++i] : a.slice(eq + 1));
      if (name === '--create') r.create = true;
      else if (name === '--extract' || name === '--get') r.extract = true;
      else if (name === '--touch') r.touch = true;
      else if (name === '--keep-old-files') r.keepOld = true;
      else if (['--list', '--append', '--update', '--catenate', '--concatenate', '--diff', '--compare'].includes(name)) r.otherMode = true;
      else if (name === '--file') r.file = value();
      else if (name === '--directory') r.dir = dir = value();
      else if (name === '--verbose') r.verbose = true;
      else if (name === '--gzip' || name === '--gunzip' || name === '--ungzip') r.gzip = true;
      else if (name === '--absolute-names') r.absolute = true;
      else if (NOOPS.has(name)) { /* nothing to do */ }
      else r.unsupported ??= name;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j];
        let rest: string | undefined;
        short(ch, () => { rest = a.slice(j + 1) || args[++i]; return rest; });
        if (rest !== undefined) break; // the value took the rest of the cluster
      }
      continue;
    }
    r.members.push({ dir, path: a });
  }
  return r;
}

/** GNU tar's member name for an operand: leading '/' and everything up to a last '..' removed. */
export function memberName(path: string, absolute: boolean): { name: string; removed?: string } {
  let p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (absolute) return { name: p };
  let removed: string | undefined;
  const parts = p.split('/');
  const lastDots = parts.lastIndexOf('..');
  if (lastDots >= 0) { removed = `${parts.slice(0, lastDots + 1).join('/')}/`; p = parts.slice(lastDots + 1).join('/'); }
  const lead = /^\/+/.exec(p)?.[0];
  if (lead) { removed = `${removed ?? ''}${lead}`; p = p.slice(lead.length); }
  return { name: p, removed };
}

interface Entry { header: Partial<Header> & { name: string }; body?: Uint8Array }

/** Files the exec plumbing writes while a command runs; never part of an archive. */
const INTERNAL = /^\/dev\/\.skiff-/;

/** Add `abs` (shown as `shown` in messages, stored as `name`) and, for a directory, what is under it. */
async function collect(fs: IFileSystem, abs: string, shown: string, name: string, out: Entry[], errors: string[]): Promise<void> {
  if (INTERNAL.test(abs)) return;
  let st;
  try { st = await fs.lstat(abs); } catch { errors.push(`tar: ${shown}: Cannot stat: No such file or directory`); return; }
  const base = { mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0, uname: 'root', gname: 'root' };
  try {
    if (st.isSymbolicLink) {
      out.push({ header: { ...base, name, type: 'symlink', linkname: await fs.readlink(abs) } });
    } else if (st.isDirectory) {
      if (name) out.push({ header: { ...base, name: `${name}/`, type: 'directory' } });
      const kids = (await fs.readdir(abs)).sort();
      for (const k of kids) {
        const join = (p: string) => (p.endsWith('/') ? `${p}${k}` : `${p}/${k}`);
        await collect(fs, join(abs), join(shown), name ? `${name}/${k}` : k, out, errors);
      }
    } else {
      const body = await fs.readFileBuffer(abs);
      out.push({ header: { ...base, name, type: 'file', size: body.byteLength }, body });
    }
  } catch (e) {
    errors.push(`tar: ${shown}: Cannot read: ${(e as Error).message}`);
  }
}

/** The ustar/pax bytes of the entries, end-of-archive blocks included. */
export async function packEntries(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => { for await (const c of p) chunks.push(c as Buffer); })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.body) p.entry(e.header, e.body, cb); else p.entry(e.header, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface TarContext { fs: IFileSystem; cwd: string }

/** Run `tar -c ...` as GNU tar would; `undefined` when the command line is not one this module handles. */
export async function createArchive(args: string[], ctx: TarContext): Promise<ExecResult | undefined> {
  const a = parseTarArgs(args);
  if (!a.create || a.extract || a.otherMode || a.unsupported) return undefined;
  if (!a.members.length) {
    return { stdout: '', stderr: "tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for more information.\n", exitCode: 2 };
  }
  const entries: Entry[] = [];
  const errors: string[] = [];
  const notes = new Set<string>();
  for (const m of a.members) {
    const dir = m.dir === undefined ? ctx.cwd : ctx.fs.resolvePath(ctx.cwd, m.dir);
    const { name, removed } = memberName(m.path, a.absolute);
    if (removed) notes.add(`tar: Removing leading \`${removed}' from member names`);
    await collect(ctx.fs, ctx.fs.resolvePath(dir, m.path), m.path, name, entries, errors);
  }
  let archive = await packEntries(entries);
  if (a.gzip) archive = gzipSync(archive);
  const listing = a.verbose ? entries.map((e) => `${e.header.name}\n`).join('') : '';
  const toStdout = a.file === undefined || a.file === '-';
  let stderr = [...notes].map((n) => `${n}\n`).join('') + (toStdout ? listing : '');
  const stdout = toStdout ? archive.toString('latin1') : listing;
  if (!toStdout) {
    try { await ctx.fs.writeFile(ctx.fs.resolvePath(ctx.cwd, a.file!), archive); } catch (e) {
      return { stdout: '', stderr: `${stderr}tar: ${a.file}: Cannot open: ${(e as Error).message}\n`, exitCode: 2 };
    }
  }
  if (errors.length) stderr += `${errors.join('\n')}\ntar: Exiting with failure status due to previous errors\n`;
  return { stdout, stderr, exitCode: errors.length ? 2 : 0, stdoutKind: toStdout ? 'bytes' : 'text' };
}
